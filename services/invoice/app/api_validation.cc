#include "services/invoice/app/api_validation.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/invoice/domain/account.h"
#include "services/invoice/domain/ageing.h"

namespace concerto::invoice {
namespace {

using platform::CheckRequestContext;
using platform::CheckRequired;
using platform::ValidDate;

constexpr size_t kMaxId = 128;
constexpr size_t kMaxName = 200;
constexpr size_t kMaxCode = 64;

bool HasControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

// Text checks an optional personal text: length and no control characters (value never echoed).
void Text(const std::string& value, const std::string& field, size_t max, FieldErrors* e) {
  if (value.size() > max) {
    e->push_back({field, absl::StrCat("at most ", max, " characters")});
  } else if (HasControl(value)) {
    e->push_back({field, "must not contain control characters"});
  }
}

void Optional(const std::string& value, const std::string& field, size_t max, FieldErrors* e) {
  if (!value.empty()) CheckRequired(value, field, e, max);
}

bool ValidEmail(const std::string& s) {
  if (s.size() < 3 || s.size() > 254) return false;
  const size_t at = s.find('@');
  if (at == std::string::npos || at == 0 || at + 1 >= s.size() ||
      s.find('@', at + 1) != std::string::npos) {
    return false;
  }
  if (s.find('.', at) == std::string::npos) return false;
  return std::none_of(s.begin(), s.end(),
                      [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; });
}

bool ValidPhone(const std::string& s) {
  // E.164: '+', then 6..15 digits (the first not 0).
  if (s.size() < 7 || s.size() > 16 || s[0] != '+' || s[1] == '0') return false;
  return std::all_of(s.begin() + 1, s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool ValidCountry(const std::string& s) {
  return s.size() == 2 && absl::ascii_isupper(static_cast<unsigned char>(s[0])) &&
         absl::ascii_isupper(static_cast<unsigned char>(s[1]));
}

void CheckRef(const v1::InvoiceRef& ref, FieldErrors* e) {
  switch (ref.ref_case()) {
    case v1::InvoiceRef::kInvoiceId:
      CheckRequired(ref.invoice_id(), "invoice.invoice_id", e, kMaxId);
      break;
    case v1::InvoiceRef::kInvoiceNumber:
      CheckRequired(ref.invoice_number(), "invoice.invoice_number", e, kMaxId);
      break;
    default:
      e->push_back({"invoice", "required: invoice_id or invoice_number"});
  }
}

void CheckOptionalDate(const common::v1::Date& d, bool present, const std::string& field,
                       FieldErrors* e) {
  if (present && !ValidDate(d)) e->push_back({field, "not a valid calendar date"});
}

}  // namespace

void CheckPersonalFields(const v1::Debtor& d, const std::string& prefix, FieldErrors* e) {
  Text(d.given_name(), prefix + "given_name", kMaxName, e);
  Text(d.family_name(), prefix + "family_name", kMaxName, e);
  Text(d.legal_name(), prefix + "legal_name", kMaxName, e);
  Text(d.registration_number(), prefix + "registration_number", kMaxCode, e);
  for (int i = 0; i < d.contact_points_size(); ++i) {
    const v1::ContactPoint& c = d.contact_points(i);
    const std::string f = absl::StrCat(prefix, "contact_points[", i, "]");
    Text(c.person_name(), f + ".person_name", kMaxName, e);
    if (!v1::ContactRole_IsValid(c.role())) e->push_back({f + ".role", "unknown role"});
    switch (c.value_case()) {
      case v1::ContactPoint::kEmail:
        if (!ValidEmail(c.email())) e->push_back({f + ".email", "not an e-mail address"});
        break;
      case v1::ContactPoint::kPhone:
        if (!ValidPhone(c.phone())) {
          e->push_back({f + ".phone", "not an E.164 number such as +390612345678"});
        }
        break;
      case v1::ContactPoint::kPostal: {
        const v1::PostalAddress& p = c.postal();
        if (p.lines_size() == 0) e->push_back({f + ".postal.lines", "required"});
        if (p.lines_size() > 6) e->push_back({f + ".postal.lines", "at most 6 lines"});
        for (int j = 0; j < p.lines_size(); ++j) {
          Text(p.lines(j), absl::StrCat(f, ".postal.lines[", j, "]"), kMaxName, e);
        }
        Text(p.postal_code(), f + ".postal.postal_code", 16, e);
        Text(p.city(), f + ".postal.city", 100, e);
        Text(p.region(), f + ".postal.region", 100, e);
        if (!p.country().empty() && !ValidCountry(p.country())) {
          e->push_back({f + ".postal.country", "must be an ISO 3166-1 alpha-2 code such as IT"});
        }
        break;
      }
      default:
        break;  // the domain names the missing value (contact_points[i].value)
    }
  }
}

bool IsDefaultsOnly(const v1::Debtor& debtor) {
  v1::Debtor rest = debtor;
  rest.clear_debtor_id();
  rest.clear_type();
  rest.clear_country();
  rest.clear_preferred_language();
  rest.clear_time_zone();
  return rest.ByteSizeLong() == 0;
}

FieldErrors ValidateUpsertDebtor(const v1::UpsertDebtorRequest& r) {
  FieldErrors e;
  CheckRequestContext(r.context(), true, &e);
  if (!r.has_debtor()) {
    e.push_back({"debtor", "required"});
    return e;
  }
  CheckRequired(r.debtor().debtor_id(), "debtor.debtor_id", &e, kMaxId);
  if (!v1::DebtorType_IsValid(r.debtor().type())) e.push_back({"debtor.type", "unknown type"});
  CheckPersonalFields(r.debtor(), "debtor.", &e);
  if (r.expected_version() < 0) e.push_back({"expected_version", "must not be negative"});
  return e;
}

FieldErrors ValidateIssueInvoice(const v1::IssueInvoiceRequest& r) {
  FieldErrors e;
  CheckRequestContext(r.context(), true, &e);
  if (!r.has_invoice()) {
    e.push_back({"invoice", "required"});
    return e;
  }
  const size_t before = e.size();
  CheckRequired(r.invoice().debtor_id(), "invoice.debtor_id", &e, kMaxId);
  if (e.size() > before) return e;
  // The domain's own checks, against an empty account of the named debtor.
  for (const v1::FieldError& f :
       CheckInvoiceSpec(NewAccount(r.context().tenant(), r.invoice().debtor_id()), r.invoice())) {
    e.push_back({absl::StrCat("invoice.", f.field()), f.problem()});
  }
  return e;
}

FieldErrors ValidateAdjustInvoice(const v1::AdjustInvoiceRequest& r) {
  FieldErrors e;
  CheckRequestContext(r.context(), true, &e);
  CheckRef(r.invoice(), &e);
  CheckOptionalDate(r.new_due_date(), r.has_new_due_date(), "new_due_date", &e);
  return e;
}

FieldErrors ValidateCancelInvoice(const v1::CancelInvoiceRequest& r) {
  FieldErrors e;
  CheckRequestContext(r.context(), true, &e);
  CheckRef(r.invoice(), &e);
  return e;
}

FieldErrors ValidateWriteOffInvoice(const v1::WriteOffInvoiceRequest& r) {
  FieldErrors e;
  CheckRequestContext(r.context(), true, &e);
  CheckRef(r.invoice(), &e);
  Optional(r.case_id(), "case_id", kMaxId, &e);
  return e;
}

FieldErrors ValidateReissueInvoice(const v1::ReissueInvoiceRequest& r) {
  FieldErrors e;
  CheckRequestContext(r.context(), true, &e);
  CheckRef(r.invoice(), &e);
  CheckOptionalDate(r.new_due_date(), r.has_new_due_date(), "new_due_date", &e);
  return e;
}

FieldErrors ValidateGetInvoice(const v1::GetInvoiceRequest& r) {
  FieldErrors e;
  CheckRequestContext(r.context(), false, &e);
  CheckRef(r.invoice(), &e);
  return e;
}

FieldErrors ValidateListInvoices(const v1::ListInvoicesRequest& r) {
  FieldErrors e;
  CheckRequestContext(r.context(), false, &e);
  const v1::InvoiceFilter& f = r.filter();
  Optional(f.debtor_id(), "filter.debtor_id", kMaxId, &e);
  for (int i = 0; i < f.statuses_size(); ++i) {
    if (f.statuses(i) == v1::INVOICE_STATUS_UNSPECIFIED ||
        !v1::InvoiceStatus_IsValid(f.statuses(i))) {
      e.push_back({absl::StrCat("filter.statuses[", i, "]"), "not an invoice status"});
    }
  }
  CheckOptionalDate(f.due_from(), f.has_due_from(), "filter.due_from", &e);
  CheckOptionalDate(f.due_to(), f.has_due_to(), "filter.due_to", &e);
  if (f.has_due_from() && f.has_due_to() && ValidDate(f.due_from()) && ValidDate(f.due_to()) &&
      absl::CivilDay(f.due_to().year(), f.due_to().month(), f.due_to().day()) <
          absl::CivilDay(f.due_from().year(), f.due_from().month(), f.due_from().day())) {
    e.push_back({"filter.due_to", "must not be before filter.due_from"});
  }
  if (f.min_days_past_due() < 0) e.push_back({"filter.min_days_past_due", "must not be negative"});
  if (f.max_days_past_due() < 0) e.push_back({"filter.max_days_past_due", "must not be negative"});
  if (f.max_days_past_due() > 0 && f.max_days_past_due() < f.min_days_past_due()) {
    e.push_back({"filter.max_days_past_due", "must not be below filter.min_days_past_due"});
  }
  if (!f.currency().empty() &&
      (f.currency().size() != 3 || !std::all_of(f.currency().begin(), f.currency().end(),
                                                [](char c) { return c >= 'A' && c <= 'Z'; }))) {
    e.push_back({"filter.currency", "an ISO 4217 code such as EUR"});
  }
  for (int i = 0; i < f.debtor_tags_size(); ++i) {
    CheckRequired(f.debtor_tags(i), absl::StrCat("filter.debtor_tags[", i, "]"), &e, kMaxCode);
  }
  if (!v1::DebtorType_IsValid(f.debtor_type())) {
    e.push_back({"filter.debtor_type", "unknown debtor type"});
  }
  CheckOptionalDate(r.as_of(), r.has_as_of(), "as_of", &e);
  // Bounds: strictly increasing and > 0 (AgeingBuilder names the index).
  const std::vector<int32_t> bound_list(r.ageing_bounds().begin(), r.ageing_bounds().end());
  auto bounds = AgeingBuilder::Create(absl::CivilDay(2000, 1, 1), bound_list);
  if (!bounds.ok()) {
    for (const FieldError& fe : DomainFieldErrors(std::string(bounds.status().message()), "")) {
      e.push_back(fe);
    }
  }
  if (r.page_size() < 0 || r.page_size() > 1000) {
    e.push_back({"page_size", "between 0 (= 100) and 1000"});
  }
  return e;
}

FieldErrors ValidateGetDebtorContact(const v1::GetDebtorContactRequest& r) {
  FieldErrors e;
  CheckRequestContext(r.context(), false, &e);
  CheckRequired(r.debtor_id(), "debtor_id", &e, kMaxId);
  if (r.purpose() == v1::CONTACT_PURPOSE_UNSPECIFIED || !v1::ContactPurpose_IsValid(r.purpose())) {
    e.push_back({"purpose", "required: why the personal data is read (recorded for audit)"});
  }
  if (!v1::ContactRole_IsValid(r.role())) e.push_back({"role", "unknown role"});
  Optional(r.case_id(), "case_id", kMaxId, &e);
  return e;
}

FieldErrors ValidateEraseDebtor(const v1::EraseDebtorRequest& r) {
  FieldErrors e;
  CheckRequestContext(r.context(), true, &e);
  CheckRequired(r.debtor_id(), "debtor_id", &e, kMaxId);
  Optional(r.reason_code(), "reason_code", kMaxCode, &e);
  return e;
}

FieldErrors CheckImportRow(const v1::ImportRow& row) {
  FieldErrors e;
  switch (row.item_case()) {
    case v1::ImportRow::kInvoice:
      CheckRequired(row.invoice().debtor_id(), "debtor_id", &e, kMaxId);
      break;
    case v1::ImportRow::kDebtor:
      CheckRequired(row.debtor().debtor_id(), "debtor_id", &e, kMaxId);
      if (!v1::DebtorType_IsValid(row.debtor().type())) e.push_back({"type", "unknown type"});
      CheckPersonalFields(row.debtor(), "", &e);
      break;
    default:
      e.push_back({"item", "required: an invoice or a debtor"});
  }
  return e;
}

FieldErrors DomainFieldErrors(const std::string& message, const std::string& prefix,
                              std::initializer_list<std::string_view> top_level) {
  FieldErrors out;
  size_t start = 0;
  while (start < message.size()) {
    size_t end = message.find("; ", start);
    if (end == std::string::npos) end = message.size();
    const std::string part = message.substr(start, end - start);
    start = end + 2;
    if (part.empty()) continue;
    const size_t colon = part.find(": ");
    std::string field = colon == std::string::npos ? "" : part.substr(0, colon);
    if (field.find(' ') != std::string::npos) field.clear();  // prose, not a field path
    if (field.empty()) {
      out.push_back({"", part});
      continue;
    }
    const bool keep = std::find(top_level.begin(), top_level.end(), field) != top_level.end();
    out.push_back({keep ? field : prefix + field, part.substr(colon + 2)});
  }
  return out;
}

absl::Status ApiStatus(const absl::Status& status, const std::string& prefix,
                       std::initializer_list<std::string_view> top_level) {
  if (status.code() != absl::StatusCode::kInvalidArgument) return status;
  // Already in the API's form (the API's own checks): keep it.
  if (status.GetPayload(platform::kBadRequestTypeUrl).has_value()) return status;
  FieldErrors errors = DomainFieldErrors(std::string(status.message()), prefix, top_level);
  if (errors.empty()) return status;
  return platform::InvalidArgument(errors);
}

}  // namespace concerto::invoice
