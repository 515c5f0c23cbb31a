#include "services/invoice/domain/account.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "concerto/contact/v1/contact_events.pb.h"
#include "concerto/payment/v1/payment_events.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/message_differencer.h"
#include "libs/core/stable_hash.h"
#include "libs/core/status_macros.h"
#include "libs/rules/creditor_reference.h"
#include "libs/rules/money.h"
#include "services/invoice/domain/dates.h"

namespace concerto::invoice {
namespace {

using google::protobuf::util::MessageDifferencer;
using state::v1::DebtorProfile;
using state::v1::InvoiceLedger;

constexpr size_t kMaxInvoiceNumber = 64;
constexpr size_t kMaxShortText = 128;
constexpr size_t kMaxCode = 64;
constexpr size_t kMaxOtherReference = 35;  // SEPA remittance reference length
constexpr char kResendReason[] = "resend";

// ---- small helpers ----

std::string Str(std::string_view s) { return std::string(s); }

google::protobuf::Timestamp Ts(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t seconds = absl::ToUnixSeconds(t);
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>((t - absl::FromUnixSeconds(seconds)) / absl::Nanoseconds(1)));
  return ts;
}

common::v1::Money Money(int64_t minor, const std::string& currency) {
  common::v1::Money m;
  m.set_minor_units(minor);
  m.set_currency(currency);
  return m;
}

// Fmt renders an amount for a problem text ("EUR 12.50").
std::string Fmt(int64_t minor, const std::string& currency) {
  absl::StatusOr<std::string> s = rules::FormatMoney(rules::Money{minor, currency});
  return s.ok() ? *s : absl::StrCat(minor, " ", currency);
}

std::string Quote(std::string_view s) {
  return absl::StrCat("'", Str(s.substr(0, 64)), s.size() > 64 ? "...'" : "'");
}

template <typename T>
void Emit(std::vector<OutputEvent>* out, const T& msg) {
  out->push_back({T::descriptor()->full_name(), msg.SerializeAsString()});
}

bool IsCodeChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == ':' || c == '/';
}

// IsCode: a short identifier-like value that may travel in events (never free text).
bool IsCode(std::string_view s, size_t max = kMaxCode) {
  if (s.empty() || s.size() > max) return false;
  return std::all_of(s.begin(), s.end(), IsCodeChar);
}

bool HasControlChars(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

bool IsUpper2(std::string_view s) {
  return s.size() == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
}
bool IsLower2(std::string_view s) {
  return s.size() == 2 && s[0] >= 'a' && s[0] <= 'z' && s[1] >= 'a' && s[1] <= 'z';
}
bool IsTimeZoneName(std::string_view s) {
  if (s.empty() || s.size() > 64 || s.front() == '/' || s.find("..") != std::string_view::npos) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
           c == '_' || c == '-' || c == '+';
  });
}

bool IsHex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

bool FitsInt64(rules::Int128 v) {
  return v >= std::numeric_limits<int64_t>::min() && v <= std::numeric_limits<int64_t>::max();
}

absl::CivilDay UtcDay(absl::Time t) { return absl::ToCivilDay(t, absl::UTCTimeZone()); }

// Problems collects field problems; the first code recorded wins (INVALID_ARGUMENT by default).
class Problems {
 public:
  void Add(std::string field, std::string problem,
           absl::StatusCode code = absl::StatusCode::kInvalidArgument) {
    if (list_.empty()) code_ = code;
    list_.emplace_back(std::move(field), std::move(problem));
  }
  bool empty() const { return list_.empty(); }
  absl::Status ToStatus() const {
    if (list_.empty()) return absl::OkStatus();
    std::vector<std::string> parts;
    parts.reserve(list_.size());
    for (const auto& [field, problem] : list_) parts.push_back(absl::StrCat(field, ": ", problem));
    return absl::Status(code_, absl::StrJoin(parts, "; "));
  }
  void AppendTo(int64_t line, google::protobuf::RepeatedPtrField<v1::FieldError>* out) const {
    for (const auto& [field, problem] : list_) {
      v1::FieldError* e = out->Add();
      e->set_line(line);
      e->set_field(field);
      e->set_problem(problem);
    }
  }
  std::vector<v1::FieldError> ToProto() const {
    google::protobuf::RepeatedPtrField<v1::FieldError> tmp;
    AppendTo(0, &tmp);
    return {tmp.begin(), tmp.end()};
  }

 private:
  absl::StatusCode code_ = absl::StatusCode::kInvalidArgument;
  std::vector<std::pair<std::string, std::string>> list_;
};

// CheckTenant: a request from another tenant sees nothing here.
absl::Status CheckTenant(const Account& a, const common::v1::RequestContext& ctx) {
  if (!ctx.tenant().empty() && ctx.tenant() != a.tenant()) {
    return absl::NotFoundError("context.tenant: no such debtor account in this tenant");
  }
  return absl::OkStatus();
}

const char* StatusName(v1::InvoiceStatus s) {
  switch (s) {
    case v1::INVOICE_STATUS_OPEN:
      return "open";
    case v1::INVOICE_STATUS_PARTIALLY_PAID:
      return "partially paid";
    case v1::INVOICE_STATUS_PAID:
      return "paid";
    case v1::INVOICE_STATUS_DISPUTED:
      return "disputed";
    case v1::INVOICE_STATUS_CANCELLED:
      return "cancelled";
    case v1::INVOICE_STATUS_WRITTEN_OFF:
      return "written off";
    default:
      return "unspecified";
  }
}

bool IsClosedForGood(v1::InvoiceStatus s) {
  return s == v1::INVOICE_STATUS_CANCELLED || s == v1::INVOICE_STATUS_WRITTEN_OFF;
}

// ComputeStatus derives the status from balances; CANCELLED and WRITTEN_OFF are terminal, and
// DISPUTED stays while something is open.
v1::InvoiceStatus ComputeStatus(const v1::Invoice& inv, const InvoiceLedger& l) {
  if (IsClosedForGood(inv.status())) return inv.status();
  const int64_t open = inv.open_balance().minor_units();
  if (open == 0) return v1::INVOICE_STATUS_PAID;
  if (inv.status() == v1::INVOICE_STATUS_DISPUTED) return v1::INVOICE_STATUS_DISPUTED;
  if (open + l.written_off_minor() < inv.amount().minor_units()) {
    return v1::INVOICE_STATUS_PARTIALLY_PAID;
  }
  return v1::INVOICE_STATUS_OPEN;
}

void Touch(v1::Invoice* inv, absl::Time now) {
  inv->set_version(inv->version() + 1);
  *inv->mutable_updated_at() = Ts(now);
}

// MaybeSettle emits InvoiceSettled the first time the open balance of a live invoice reaches
// zero, and re-arms once it is open again.
void MaybeSettle(const v1::Invoice& inv, InvoiceLedger* l, absl::Time now,
                 std::vector<OutputEvent>* events) {
  if (inv.open_balance().minor_units() > 0) {
    l->set_settled(false);
    return;
  }
  if (l->settled() || inv.status() != v1::INVOICE_STATUS_PAID) return;
  l->set_settled(true);
  v1::InvoiceSettled e;
  e.set_invoice_id(inv.invoice_id());
  e.set_invoice_number(inv.invoice_number());
  e.set_debtor_id(inv.debtor_id());
  *e.mutable_amount() = inv.amount();
  *e.mutable_paid() = Money(l->paid_minor(), inv.currency());
  *e.mutable_settled_on() = ToDate(UtcDay(now));
  if (l->credited_minor() > 0 && l->paid_minor() > 0) {
    e.set_kind(v1::SETTLEMENT_KIND_MIXED);
  } else if (l->credited_minor() > 0) {
    e.set_kind(v1::SETTLEMENT_KIND_CREDITED);
  } else {
    e.set_kind(v1::SETTLEMENT_KIND_PAID);
  }
  if (l->paid_minor() > 0) e.set_last_payment_id(l->last_payment_id());
  Emit(events, e);
}

v1::InvoiceAdjusted AdjustedEvent(const v1::Invoice& inv, const v1::Adjustment& adj) {
  v1::InvoiceAdjusted e;
  e.set_invoice_id(inv.invoice_id());
  e.set_invoice_number(inv.invoice_number());
  e.set_debtor_id(inv.debtor_id());
  e.set_adjustment_id(adj.adjustment_id());
  e.set_kind(adj.kind());
  e.set_credit_note_number(adj.credit_note_number());
  *e.mutable_delta() = adj.delta();
  *e.mutable_amount() = inv.amount();
  *e.mutable_open_balance() = inv.open_balance();
  *e.mutable_due_date() = inv.due_date();
  e.set_status(inv.status());
  e.set_reason_code(adj.reason_code());
  return e;
}

std::string NextAdjustmentId(const v1::Invoice& inv) {
  return core::DeterministicId(inv.invoice_id(),
                               absl::StrCat("adjustment/", inv.adjustments_size()));
}

// ResolveNumber finds the number of the invoice a ref names.
absl::StatusOr<std::string> ResolveNumber(const Account& a, const v1::InvoiceRef& ref) {
  switch (ref.ref_case()) {
    case v1::InvoiceRef::kInvoiceId: {
      auto it = a.invoice_numbers_by_id().find(ref.invoice_id());
      if (it == a.invoice_numbers_by_id().end()) {
        return absl::NotFoundError(
            absl::StrCat("invoice.invoice_id: ", Quote(ref.invoice_id()), " not found"));
      }
      return it->second;
    }
    case v1::InvoiceRef::kInvoiceNumber:
      if (a.invoices().count(ref.invoice_number()) == 0) {
        return absl::NotFoundError(
            absl::StrCat("invoice.invoice_number: ", Quote(ref.invoice_number()), " not found"));
      }
      return ref.invoice_number();
    default:
      return absl::InvalidArgumentError("invoice: required (invoice_id or invoice_number)");
  }
}

// Resolve finds an invoice by ref, for mutation.
absl::StatusOr<v1::Invoice*> Resolve(Account* a, const v1::InvoiceRef& ref) {
  CONCERTO_ASSIGN_OR_RETURN(const std::string number, ResolveNumber(*a, ref));
  return &a->mutable_invoices()->at(number);
}

InvoiceLedger* LedgerOf(Account* a, const v1::Invoice& inv) {
  return &(*a->mutable_ledgers())[inv.invoice_number()];
}

// ---- invoice lines and specs ----

// CheckMoneyCurrency: a Money inside an invoice must be in the invoice currency (or leave it out).
void CheckMoneyCurrency(const common::v1::Money& m, const std::string& currency,
                        const std::string& field, Problems* p) {
  if (!m.currency().empty() && m.currency() != currency) {
    p->Add(absl::StrCat(field, ".currency"),
           absl::StrCat("must be ", currency, " like the invoice, not ", Quote(m.currency())));
  }
}

struct LineTotals {
  int64_t net = 0;
  int64_t vat = 0;
  int64_t gross = 0;
  bool overflow = false;
};

// NormalizeLines checks every line (filling amounts that are left out) and sums them.
LineTotals NormalizeLines(google::protobuf::RepeatedPtrField<v1::InvoiceLine>* lines,
                          const std::string& currency, Problems* p) {
  LineTotals t;
  for (int i = 0; i < lines->size(); ++i) {
    v1::InvoiceLine& line = (*lines)[i];
    const std::string f = absl::StrCat("lines[", i, "]");
    if (line.line_no() == 0) line.set_line_no(i + 1);
    if (line.quantity_milli() == 0) p->Add(f + ".quantity_milli", "must not be zero");
    if (!line.has_unit_price()) p->Add(f + ".unit_price", "required");
    CheckMoneyCurrency(line.unit_price(), currency, f + ".unit_price", p);
    if (line.vat_rate_bp() < 0 || line.vat_rate_bp() > 10000) {
      p->Add(f + ".vat_rate_bp", "must be 0..10000 basis points (2200 = 22%)");
    }
    if (line.vat_code().size() > kMaxCode) p->Add(f + ".vat_code", "longer than 64 characters");
    if (line.description().size() > 1024) p->Add(f + ".description", "longer than 1024 characters");
    const rules::Int128 net = rules::RoundHalfAwayFromZero(
        static_cast<rules::Int128>(line.quantity_milli()) * line.unit_price().minor_units(), 1000);
    const rules::Int128 vat = rules::RoundHalfAwayFromZero(net * line.vat_rate_bp(), 10000);
    const rules::Int128 gross = net + vat;
    if (!FitsInt64(net) || !FitsInt64(gross)) {
      p->Add(f, "amounts too large");
      t.overflow = true;
      continue;
    }
    auto check = [&](const char* name, common::v1::Money* m, bool present, int64_t want,
                     const char* formula) {
      if (present) {
        CheckMoneyCurrency(*m, currency, absl::StrCat(f, ".", name), p);
        if (m->minor_units() != want) {
          p->Add(absl::StrCat(f, ".", name),
                 absl::StrCat("must be ", formula, " = ", Fmt(want, currency), ", not ",
                              Fmt(m->minor_units(), currency)));
        }
      }
      *m = Money(want, currency);
    };
    check("net_amount", line.mutable_net_amount(), line.has_net_amount(), static_cast<int64_t>(net),
          "quantity x unit_price");
    check("vat_amount", line.mutable_vat_amount(), line.has_vat_amount(), static_cast<int64_t>(vat),
          "net_amount x vat_rate_bp / 10000");
    check("gross_amount", line.mutable_gross_amount(), line.has_gross_amount(),
          static_cast<int64_t>(gross), "net_amount + vat_amount");
    line.mutable_unit_price()->set_currency(currency);
    if (__builtin_add_overflow(t.net, static_cast<int64_t>(net), &t.net) ||
        __builtin_add_overflow(t.vat, static_cast<int64_t>(vat), &t.vat) ||
        __builtin_add_overflow(t.gross, static_cast<int64_t>(gross), &t.gross)) {
      t.overflow = true;
    }
  }
  if (t.overflow) p->Add("lines", "totals too large");
  return t;
}

// Prepared is a validated, normalised spec and the invoice it makes.
struct Prepared {
  v1::InvoiceSpec spec;  // normalised: computed line amounts, amount, open balance, reference
  std::string fingerprint;
  int64_t amount = 0;
  int64_t open = 0;
  int64_t net = 0;
  int64_t vat = 0;
  bool has_lines = false;
};

std::string Fingerprint(const v1::InvoiceSpec& spec) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream raw(&bytes);
    google::protobuf::io::CodedOutputStream out(&raw);
    out.SetSerializationDeterministic(true);
    spec.SerializeToCodedStream(&out);
  }
  const core::Hash128 h = core::Murmur3x64_128(bytes);
  return absl::StrCat(absl::Hex(h.hi, absl::kZeroPad16), absl::Hex(h.lo, absl::kZeroPad16));
}

// PrepareSpec validates `in` for account `a` into `*out`; problems go to `*p`.
void PrepareSpec(const Account& a, const v1::InvoiceSpec& in, Prepared* out, Problems* p) {
  v1::InvoiceSpec& s = out->spec;
  s = in;
  const std::string& number = s.invoice_number();
  bool number_ok = false;
  if (number.empty()) {
    p->Add("invoice_number", "required");
  } else if (number.size() > kMaxInvoiceNumber) {
    p->Add("invoice_number", absl::StrCat("longer than ", kMaxInvoiceNumber, " characters"));
  } else if (HasControlChars(number)) {
    p->Add("invoice_number", "must not contain control characters");
  } else {
    number_ok = true;
  }
  if (s.debtor_id().empty()) {
    p->Add("debtor_id", "required");
  } else if (s.debtor_id() != a.debtor_id()) {
    p->Add("debtor_id", absl::StrCat(Quote(s.debtor_id()), " is not this account's debtor ",
                                     Quote(a.debtor_id())));
  }
  const std::string& currency = s.currency();
  const bool currency_ok = rules::MinorUnitExponent(currency).has_value();
  if (currency.empty()) {
    p->Add("currency", "required");
  } else if (!currency_ok) {
    p->Add("currency", absl::StrCat("unknown ISO 4217 currency ", Quote(currency)));
  }
  const bool issue_ok = s.has_issue_date() && IsValidDate(s.issue_date());
  const bool due_ok = s.has_due_date() && IsValidDate(s.due_date());
  if (!s.has_issue_date()) {
    p->Add("issue_date", "required");
  } else if (!issue_ok) {
    p->Add("issue_date", "not a valid calendar date");
  }
  if (!s.has_due_date()) {
    p->Add("due_date", "required");
  } else if (!due_ok) {
    p->Add("due_date", "not a valid calendar date");
  }
  if (issue_ok && due_ok && ToCivilDay(s.due_date()) < ToCivilDay(s.issue_date())) {
    p->Add("due_date", "must not be before issue_date");
  }
  if (!currency_ok) return;  // amounts cannot be checked without a currency

  out->has_lines = s.lines_size() > 0;
  if (out->has_lines) {
    const LineTotals t = NormalizeLines(s.mutable_lines(), currency, p);
    out->net = t.net;
    out->vat = t.vat;
    if (!t.overflow) {
      if (s.has_amount() && s.amount().minor_units() != t.gross) {
        p->Add("amount", absl::StrCat("must equal the sum of the lines' gross_amount, ",
                                      Fmt(t.gross, currency), ", not ",
                                      Fmt(s.amount().minor_units(), currency)));
      }
      if (!s.has_amount()) *s.mutable_amount() = Money(t.gross, currency);
    }
  } else if (!s.has_amount()) {
    p->Add("amount", "required when there are no lines");
  }
  CheckMoneyCurrency(s.amount(), currency, "amount", p);
  s.mutable_amount()->set_currency(currency);
  out->amount = s.amount().minor_units();
  if (s.has_amount() && out->amount <= 0) p->Add("amount", "must be greater than zero");

  if (s.has_open_balance()) {
    CheckMoneyCurrency(s.open_balance(), currency, "open_balance", p);
    out->open = s.open_balance().minor_units();
    if (out->open < 0 || out->open > out->amount) {
      p->Add("open_balance", absl::StrCat("must be between ", Fmt(0, currency), " and the amount ",
                                          Fmt(out->amount, currency)));
    }
  } else {
    out->open = out->amount;
  }
  *s.mutable_open_balance() = Money(out->open, currency);

  if (s.payment_reference().empty()) {
    if (number_ok) s.set_payment_reference(rules::CreditorReferenceForInvoiceNumber(number));
  } else if (rules::LooksLikeCreditorReference(s.payment_reference())) {
    if (rules::IsValidCreditorReference(s.payment_reference())) {
      s.set_payment_reference(rules::NormalizeReference(s.payment_reference()));
    } else {
      p->Add("payment_reference", "not a valid ISO 11649 RF reference (check digits or length)");
    }
  } else if (s.payment_reference().size() > kMaxOtherReference ||
             HasControlChars(s.payment_reference())) {
    p->Add("payment_reference", "must be an RF reference or at most 35 printable characters");
  }
  if (s.purchase_order().size() > kMaxShortText || HasControlChars(s.purchase_order())) {
    p->Add("purchase_order", "must be at most 128 printable characters");
  }
  if (s.has_document()) {
    v1::DocumentRef* d = s.mutable_document();
    if (d->uri().empty() && d->document_id().empty()) {
      p->Add("document", "needs a uri or a document_id");
    }
    if (d->uri().size() > 2048) p->Add("document.uri", "longer than 2048 characters");
    if (!d->sha256().empty() && !IsHex64(d->sha256())) {
      p->Add("document.sha256", "must be 64 hex digits");
    }
    if (d->document_id().empty() && number_ok) {
      d->set_document_id(core::DeterministicId(InvoiceIdFor(a.tenant(), number),
                                               absl::StrCat("document/", d->uri())));
    }
  }
  if (p->empty()) out->fingerprint = Fingerprint(s);
}

// ---- issuing ----

enum class IssueKind { kCreate, kDuplicate, kResend };

struct IssuePlan {
  IssueKind kind = IssueKind::kCreate;
  Prepared prepared;
};

// PlanIssue validates a spec against the state without changing it; false with problems.
bool PlanIssue(const Account& a, const v1::InvoiceSpec& spec, IssuePlan* plan, Problems* p) {
  PrepareSpec(a, spec, &plan->prepared, p);
  if (!p->empty()) return false;
  const Prepared& pr = plan->prepared;
  auto it = a.invoices().find(pr.spec.invoice_number());
  if (it == a.invoices().end()) return true;
  const v1::Invoice& inv = it->second;
  const InvoiceLedger& l = a.ledgers().at(inv.invoice_number());
  if (l.spec_fingerprint() == pr.fingerprint) {
    plan->kind = IssueKind::kDuplicate;
    return true;
  }
  plan->kind = IssueKind::kResend;
  const auto conflict = [p](std::string field, std::string problem) {
    p->Add(std::move(field), std::move(problem), absl::StatusCode::kFailedPrecondition);
    return false;
  };
  if (IsClosedForGood(inv.status())) {
    return conflict("invoice_number",
                    absl::StrCat(Quote(inv.invoice_number()), " is ", StatusName(inv.status()),
                                 "; a changed re-send cannot change it"));
  }
  if (pr.spec.currency() != inv.currency()) {
    return conflict("currency",
                    absl::StrCat("a re-send cannot change the currency (", inv.currency(), ")"));
  }
  // In 128 bits: stored and re-sent amounts may each be near the int64 limits.
  const rules::Int128 amount = static_cast<rules::Int128>(inv.amount().minor_units()) +
                               (static_cast<rules::Int128>(pr.amount) - l.issued_amount_minor());
  const rules::Int128 open = static_cast<rules::Int128>(inv.open_balance().minor_units()) +
                             (static_cast<rules::Int128>(pr.open) - l.issued_open_minor());
  if (!FitsInt64(amount) || !FitsInt64(open)) return conflict("amount", "too large");
  if (amount < 0 || open < 0 || open > amount) {
    return conflict(
        "amount", absl::StrCat("the re-send would leave an open balance of ",
                               Fmt(static_cast<int64_t>(open), inv.currency()), " on an amount of ",
                               Fmt(static_cast<int64_t>(amount), inv.currency()),
                               " after what is already paid, credited or written off"));
  }
  return true;
}

// DebtorTypeAndCountry feeds InvoiceIssued from the profile.
void FillDebtorFacts(const Account& a, v1::InvoiceIssued* e) {
  if (!a.has_debtor()) return;
  e->set_debtor_type(a.debtor().type());
  e->set_country(a.debtor().country());
}

// CommitIssue applies a plan made by PlanIssue on the same state.
v1::IssueOutcome CommitIssue(Account* a, IssuePlan plan, absl::Time now,
                             std::vector<OutputEvent>* events, v1::Invoice* reply) {
  Prepared& pr = plan.prepared;
  v1::InvoiceSpec& s = pr.spec;
  const std::string number = s.invoice_number();
  if (plan.kind == IssueKind::kDuplicate) {
    *reply = a->invoices().at(number);
    return v1::ISSUE_OUTCOME_DUPLICATE;
  }
  if (plan.kind == IssueKind::kCreate) {
    v1::Invoice inv;
    inv.set_invoice_id(InvoiceIdFor(a->tenant(), number));
    inv.set_invoice_number(number);
    inv.set_debtor_id(s.debtor_id());
    *inv.mutable_issue_date() = s.issue_date();
    *inv.mutable_due_date() = s.due_date();
    inv.set_currency(s.currency());
    *inv.mutable_lines() = std::move(*s.mutable_lines());
    if (pr.has_lines) {
      *inv.mutable_net_amount() = Money(pr.net, s.currency());
      *inv.mutable_vat_amount() = Money(pr.vat, s.currency());
    }
    *inv.mutable_amount() = s.amount();
    *inv.mutable_open_balance() = s.open_balance();
    if (s.has_document()) *inv.mutable_document() = s.document();
    inv.set_payment_reference(s.payment_reference());
    inv.set_purchase_order(s.purchase_order());
    inv.set_status(v1::INVOICE_STATUS_OPEN);
    inv.set_version(1);
    *inv.mutable_created_at() = Ts(now);
    *inv.mutable_updated_at() = Ts(now);
    InvoiceLedger l;
    l.set_spec_fingerprint(pr.fingerprint);
    l.set_issued_amount_minor(pr.amount);
    l.set_issued_open_minor(pr.open);
    inv.set_status(ComputeStatus(inv, l));
    l.set_settled(pr.open == 0);  // issued already paid: nothing to announce as settled

    v1::InvoiceIssued e;
    e.set_invoice_id(inv.invoice_id());
    e.set_invoice_number(number);
    e.set_debtor_id(inv.debtor_id());
    *e.mutable_issue_date() = inv.issue_date();
    *e.mutable_due_date() = inv.due_date();
    *e.mutable_amount() = inv.amount();
    if (pr.has_lines) *e.mutable_vat_amount() = inv.vat_amount();
    *e.mutable_open_balance() = inv.open_balance();
    FillDebtorFacts(*a, &e);
    e.set_payment_reference(inv.payment_reference());
    e.set_has_document(inv.has_document());
    Emit(events, e);

    (*a->mutable_invoice_numbers_by_id())[inv.invoice_id()] = number;
    (*a->mutable_ledgers())[number] = std::move(l);
    *reply = inv;
    (*a->mutable_invoices())[number] = std::move(inv);
    return v1::ISSUE_OUTCOME_CREATED;
  }
  // A changed re-send: an explicit RESEND adjustment, never a silent overwrite.
  v1::Invoice& inv = a->mutable_invoices()->at(number);
  InvoiceLedger& l = a->mutable_ledgers()->at(number);
  const int64_t delta = pr.amount - l.issued_amount_minor();
  const int64_t open_delta = pr.open - l.issued_open_minor();
  const std::string adjustment_id = NextAdjustmentId(inv);
  v1::Adjustment* adj = inv.add_adjustments();
  adj->set_adjustment_id(adjustment_id);
  adj->set_kind(v1::ADJUSTMENT_KIND_RESEND);
  *adj->mutable_delta() = Money(delta, inv.currency());
  adj->set_reason_code(kResendReason);
  *adj->mutable_at() = Ts(now);
  *inv.mutable_issue_date() = s.issue_date();
  *inv.mutable_due_date() = s.due_date();
  *inv.mutable_lines() = std::move(*s.mutable_lines());
  if (pr.has_lines) {
    *inv.mutable_net_amount() = Money(pr.net, s.currency());
    *inv.mutable_vat_amount() = Money(pr.vat, s.currency());
  } else {
    inv.clear_net_amount();
    inv.clear_vat_amount();
  }
  inv.mutable_amount()->set_minor_units(inv.amount().minor_units() + delta);
  inv.mutable_open_balance()->set_minor_units(inv.open_balance().minor_units() + open_delta);
  if (s.has_document()) {
    *inv.mutable_document() = s.document();
  } else {
    inv.clear_document();
  }
  inv.set_payment_reference(s.payment_reference());
  inv.set_purchase_order(s.purchase_order());
  if (delta < 0) l.set_credited_minor(l.credited_minor() - delta);
  if (delta > 0) l.set_debited_minor(l.debited_minor() + delta);
  l.set_spec_fingerprint(pr.fingerprint);
  l.set_issued_amount_minor(pr.amount);
  l.set_issued_open_minor(pr.open);
  inv.set_status(ComputeStatus(inv, l));
  Touch(&inv, now);
  Emit(events, AdjustedEvent(inv, *adj));
  MaybeSettle(inv, &l, now, events);
  *reply = inv;
  return v1::ISSUE_OUTCOME_ADJUSTED;
}

// ---- debtor ----

// ProfileChanges names the non-personal Debtor fields that differ.
std::vector<std::string> ProfileChanges(const DebtorProfile& a, const DebtorProfile& b) {
  std::vector<std::string> out;
  auto repeated_differs = [](const auto& x, const auto& y) {
    if (x.size() != y.size()) return true;
    for (int i = 0; i < x.size(); ++i) {
      if (!MessageDifferencer::Equals(x[i], y[i])) return true;
    }
    return false;
  };
  if (a.type() != b.type()) out.push_back("type");
  if (repeated_differs(a.contact_points(), b.contact_points())) out.push_back("contact_points");
  if (a.preferred_channel() != b.preferred_channel()) out.push_back("preferred_channel");
  if (a.preferred_language() != b.preferred_language()) out.push_back("preferred_language");
  if (a.time_zone() != b.time_zone()) out.push_back("time_zone");
  if (a.country() != b.country()) out.push_back("country");
  if (repeated_differs(a.consents(), b.consents())) out.push_back("consents");
  if (!std::equal(a.tags().begin(), a.tags().end(), b.tags().begin(), b.tags().end())) {
    out.push_back("tags");
  }
  if (a.risk_band() != b.risk_band()) out.push_back("risk_band");
  if (a.customer_status() != b.customer_status()) out.push_back("customer_status");
  if (a.vulnerable() != b.vulnerable()) out.push_back("vulnerable");
  return out;
}

// SortByDebtorField orders names as the Debtor message declares its fields, without duplicates.
void SortByDebtorField(std::vector<std::string>* names) {
  const google::protobuf::Descriptor* d = v1::Debtor::descriptor();
  auto number = [d](const std::string& n) {
    const google::protobuf::FieldDescriptor* f = d->FindFieldByName(n);
    return f == nullptr ? 1000 : f->number();
  };
  std::sort(names->begin(), names->end(),
            [&](const std::string& x, const std::string& y) { return number(x) < number(y); });
  names->erase(std::unique(names->begin(), names->end()), names->end());
}

void CheckProfile(const Account& a, const DebtorProfile& d, Problems* p) {
  if (d.debtor_id().empty()) {
    p->Add("debtor_id", "required");
  } else if (d.debtor_id() != a.debtor_id()) {
    p->Add("debtor_id", absl::StrCat(Quote(d.debtor_id()), " is not this account's debtor ",
                                     Quote(a.debtor_id())));
  }
  if (!d.country().empty() && !IsUpper2(d.country())) {
    p->Add("country", "must be an ISO 3166-1 alpha-2 code such as IT");
  }
  if (!d.preferred_language().empty() && !IsLower2(d.preferred_language())) {
    p->Add("preferred_language", "must be an ISO 639-1 code such as it");
  }
  if (!d.time_zone().empty() && !IsTimeZoneName(d.time_zone())) {
    p->Add("time_zone", "must be an IANA time zone such as Europe/Rome");
  }
  for (int i = 0; i < d.tags_size(); ++i) {
    if (!IsCode(d.tags(i))) {
      p->Add(absl::StrCat("tags[", i, "]"),
             "must be a code of at most 64 letters, digits or - _ . : / (tags travel in events)");
    }
  }
  for (int i = 0; i < d.contact_points_size(); ++i) {
    const state::v1::ContactPointRef& c = d.contact_points(i);
    const std::string f = absl::StrCat("contact_points[", i, "]");
    if (!IsCode(c.contact_point_id(), kMaxShortText)) {
      p->Add(f + ".contact_point_id", "required, a code of at most 128 characters");
    }
    for (int j = 0; j < i; ++j) {
      if (d.contact_points(j).contact_point_id() == c.contact_point_id()) {
        p->Add(f + ".contact_point_id", "appears twice");
        break;
      }
    }
    if (c.kind() == state::v1::CONTACT_POINT_KIND_UNSPECIFIED) {
      p->Add(f + ".value", "required (email, phone or postal)");
    }
  }
  for (int i = 0; i < d.consents_size(); ++i) {
    if (d.consents(i).channel() == contact::v1::CHANNEL_UNSPECIFIED) {
      p->Add(absl::StrCat("consents[", i, "].channel"), "required");
    }
    if (d.consents(i).source().size() > kMaxCode) {
      p->Add(absl::StrCat("consents[", i, "].source"), "longer than 64 characters");
    }
  }
}

v1::DebtorUpserted UpsertedEvent(const DebtorProfile& d, bool created,
                                 const std::vector<std::string>& changed) {
  v1::DebtorUpserted e;
  e.set_debtor_id(d.debtor_id());
  e.set_created(created);
  e.set_version(d.version());
  e.set_type(d.type());
  e.set_country(d.country());
  e.set_risk_band(d.risk_band());
  e.set_customer_status(d.customer_status());
  *e.mutable_tags() = d.tags();
  e.set_vulnerable(d.vulnerable());
  for (const std::string& f : changed) e.add_changed_fields(f);
  return e;
}

// UpsertInPlace validates, then applies; on problems (returns false) `*a` is unchanged.
bool UpsertInPlace(Account* a, const DebtorUpsert& u, absl::Time now,
                   std::vector<OutputEvent>* events, v1::UpsertDebtorResponse* reply,
                   bool* changed_state, Problems* problems) {
  Problems& p = *problems;
  CheckProfile(*a, u.profile, &p);
  for (size_t i = 0; i < u.changed_personal_fields.size(); ++i) {
    const std::string& f = u.changed_personal_fields[i];
    if (std::find(std::begin(kPersonalDebtorFields), std::end(kPersonalDebtorFields), f) ==
        std::end(kPersonalDebtorFields)) {
      p.Add(absl::StrCat("changed_personal_fields[", i, "]"),
            absl::StrCat(Quote(f), " is not a personal Debtor field"));
    }
  }
  if (!u.changed_personal_fields.empty() && u.encrypted_personal_data.empty()) {
    p.Add("encrypted_personal_data", "required when personal fields changed");
  }
  if (!p.empty()) return false;
  const bool created = !a->has_debtor();
  const int64_t stored_version = created ? 0 : a->debtor().version();
  if (u.expected_version > 0 && u.expected_version != stored_version) {
    p.Add("expected_version",
          absl::StrCat(u.expected_version, " does not match the stored version ", stored_version),
          absl::StatusCode::kAborted);
    return false;
  }
  DebtorProfile next = u.profile;
  next.clear_version();
  next.clear_created_at();
  next.clear_updated_at();
  std::vector<std::string> changed = ProfileChanges(created ? DebtorProfile() : a->debtor(), next);
  changed.insert(changed.end(), u.changed_personal_fields.begin(), u.changed_personal_fields.end());
  SortByDebtorField(&changed);
  const bool new_blob = !u.encrypted_personal_data.empty() &&
                        u.encrypted_personal_data != a->encrypted_personal_data();
  reply->set_debtor_id(a->debtor_id());
  reply->set_created(created);
  if (!created && changed.empty()) {
    // Nothing to announce; a re-encrypted blob is still kept (the old key may be gone).
    if (new_blob) {
      a->set_encrypted_personal_data(u.encrypted_personal_data);
      a->set_personal_data_status(state::v1::PERSONAL_DATA_STATUS_PRESENT);
      a->clear_retention_until();
      *changed_state = true;
    }
    reply->set_version(stored_version);
    return true;
  }
  next.set_version(stored_version + 1);
  *next.mutable_created_at() = created ? Ts(now) : a->debtor().created_at();
  *next.mutable_updated_at() = Ts(now);
  *a->mutable_debtor() = std::move(next);
  if (new_blob) {
    a->set_encrypted_personal_data(u.encrypted_personal_data);
    a->set_personal_data_status(state::v1::PERSONAL_DATA_STATUS_PRESENT);
    a->clear_retention_until();
  }
  reply->set_version(a->debtor().version());
  for (const std::string& f : changed) reply->add_changed_fields(f);
  Emit(events, UpsertedEvent(a->debtor(), created, changed));
  *changed_state = true;
  return true;
}

void CheckDefaults(const DebtorDefaults& d, Problems* p) {
  if (!d.country.empty() && !IsUpper2(d.country)) {
    p->Add("debtor_country", "must be an ISO 3166-1 alpha-2 code such as IT");
  }
  if (!d.preferred_language.empty() && !IsLower2(d.preferred_language)) {
    p->Add("debtor_language", "must be an ISO 639-1 code such as it");
  }
  if (!d.time_zone.empty() && !IsTimeZoneName(d.time_zone)) {
    p->Add("debtor_time_zone", "must be an IANA time zone such as Europe/Rome");
  }
}

// ApplyDefaults fills the debtor's empty fields; returns whether the debtor changed.
bool ApplyDefaults(Account* a, const DebtorDefaults& d, absl::Time now,
                   std::vector<OutputEvent>* events) {
  const bool created = !a->has_debtor();
  DebtorProfile next = created ? DebtorProfile() : a->debtor();
  if (created) next.set_debtor_id(a->debtor_id());
  std::vector<std::string> changed;
  if (next.type() == v1::DEBTOR_TYPE_UNSPECIFIED && d.type != v1::DEBTOR_TYPE_UNSPECIFIED) {
    next.set_type(d.type);
    changed.push_back("type");
  }
  if (next.preferred_language().empty() && !d.preferred_language.empty()) {
    next.set_preferred_language(d.preferred_language);
    changed.push_back("preferred_language");
  }
  if (next.time_zone().empty() && !d.time_zone.empty()) {
    next.set_time_zone(d.time_zone);
    changed.push_back("time_zone");
  }
  if (next.country().empty() && !d.country.empty()) {
    next.set_country(d.country);
    changed.push_back("country");
  }
  if (changed.empty() && !created) return false;
  next.set_version(next.version() + 1);
  if (created) *next.mutable_created_at() = Ts(now);
  *next.mutable_updated_at() = Ts(now);
  *a->mutable_debtor() = std::move(next);
  Emit(events, UpsertedEvent(a->debtor(), created, changed));
  return true;
}

// ---- commands on one invoice ----

void CheckCode(const std::string& value, const char* field, Problems* p) {
  if (!value.empty() && !IsCode(value)) {
    p->Add(field, "must be a code (at most 64 letters, digits or - _ . : /), not free text");
  }
}

void CheckNewDueDate(const v1::Invoice& inv, const common::v1::Date& d, Problems* p) {
  if (!IsValidDate(d)) {
    p->Add("new_due_date", "not a valid calendar date");
  } else if (ToCivilDay(d) < ToCivilDay(inv.issue_date())) {
    p->Add("new_due_date", "must not be before issue_date");
  }
}

absl::Status NotOpen(const v1::Invoice& inv, std::string_view action) {
  return absl::FailedPreconditionError(absl::StrCat("invoice: ", Quote(inv.invoice_number()),
                                                    " is ", StatusName(inv.status()), "; cannot ",
                                                    Str(action)));
}

template <typename Reply>
absl::StatusOr<Decision<Reply>> Start(const Account& state) {
  if (state.tenant().empty() || state.debtor_id().empty()) {
    return absl::FailedPreconditionError(
        "state: the account needs tenant and debtor_id (use NewAccount)");
  }
  Decision<Reply> d;
  d.state = state;
  return d;
}

// ---- payments ----

v1::Invoice* InvoiceForAllocation(Account* a, const payment::v1::Allocation& al) {
  if (!al.invoice_number().empty()) {
    auto it = a->mutable_invoices()->find(al.invoice_number());
    if (it != a->mutable_invoices()->end()) return &it->second;
  }
  if (!al.invoice_id().empty()) {
    auto id = a->invoice_numbers_by_id().find(al.invoice_id());
    if (id != a->invoice_numbers_by_id().end()) return &a->mutable_invoices()->at(id->second);
  }
  return nullptr;
}

std::string AllocationName(const payment::v1::Allocation& al) {
  return al.invoice_number().empty() ? al.invoice_id() : al.invoice_number();
}

void ApplyAllocated(const payment::v1::PaymentAllocated& m, absl::Time now, Decision<NoReply>* d) {
  Account* a = &d->state;
  if (a->payments().count(m.payment_id()) > 0) {
    d->notes.push_back(absl::StrCat("payment ", m.payment_id(), " already applied"));
    return;
  }
  state::v1::PaymentRecord record;
  for (const payment::v1::Allocation& al : m.allocations()) {
    v1::Invoice* inv = InvoiceForAllocation(a, al);
    if (inv == nullptr) {
      d->notes.push_back(absl::StrCat("payment ", m.payment_id(), ": invoice ", AllocationName(al),
                                      " is not on this account; skipped"));
      continue;
    }
    if (al.principal().currency() != inv->currency()) {
      d->notes.push_back(absl::StrCat("payment ", m.payment_id(), ": allocation to ",
                                      inv->invoice_number(), " is in ", al.principal().currency(),
                                      ", the invoice in ", inv->currency(), "; skipped"));
      continue;
    }
    const int64_t principal = al.principal().minor_units();
    const int64_t open = inv->open_balance().minor_units();
    int64_t applied = std::max<int64_t>(0, std::min(principal, open));
    if (IsClosedForGood(inv->status())) applied = 0;
    if (applied != principal) {
      d->notes.push_back(absl::StrCat("payment ", m.payment_id(), ": ", inv->invoice_number(),
                                      " takes ", applied, " of ", principal, " minor units"));
    }
    state::v1::AppliedAllocation* rec = record.add_applied();
    rec->set_invoice_number(inv->invoice_number());
    rec->set_principal_minor(applied);
    if (applied == 0) continue;
    InvoiceLedger* l = LedgerOf(a, *inv);
    l->set_paid_minor(l->paid_minor() + applied);
    l->set_last_payment_id(m.payment_id());
    inv->mutable_open_balance()->set_minor_units(open - applied);
    inv->set_status(ComputeStatus(*inv, *l));
    Touch(inv, now);
    MaybeSettle(*inv, l, now, &d->events);
  }
  (*a->mutable_payments())[m.payment_id()] = std::move(record);
  d->changed = true;
}

void ApplyReversed(const payment::v1::PaymentReversed& m, absl::Time now, Decision<NoReply>* d) {
  Account* a = &d->state;
  auto found = a->mutable_payments()->find(m.payment_id());
  if (found == a->mutable_payments()->end()) {
    // Never applied here: remember the reversal so that a late allocation is not applied.
    state::v1::PaymentRecord record;
    record.set_reversed(true);
    record.set_reversal_id(m.reversal_id());
    (*a->mutable_payments())[m.payment_id()] = std::move(record);
    d->notes.push_back(absl::StrCat("payment ", m.payment_id(), " reversed before it was applied"));
    d->changed = true;
    return;
  }
  state::v1::PaymentRecord& record = found->second;
  if (record.reversed()) {
    d->notes.push_back(absl::StrCat("payment ", m.payment_id(), " already reversed"));
    return;
  }
  record.set_reversed(true);
  record.set_reversal_id(m.reversal_id());
  d->changed = true;
  // How much to reopen per invoice: the reversal's list (capped by what was applied) or all.
  auto reopen = [&](state::v1::AppliedAllocation* rec, int64_t want) {
    const int64_t amount = std::min(want, rec->principal_minor() - rec->reversed_minor());
    if (amount <= 0) return int64_t{0};
    rec->set_reversed_minor(rec->reversed_minor() + amount);
    v1::Invoice& inv = a->mutable_invoices()->at(rec->invoice_number());
    if (IsClosedForGood(inv.status())) {
      d->notes.push_back(absl::StrCat("payment ", m.payment_id(), ": ", inv.invoice_number(),
                                      " is ", StatusName(inv.status()), "; not reopened"));
      return amount;
    }
    InvoiceLedger* l = LedgerOf(a, inv);
    l->set_paid_minor(l->paid_minor() - amount);
    const int64_t open =
        std::min(inv.open_balance().minor_units() + amount, inv.amount().minor_units());
    inv.mutable_open_balance()->set_minor_units(open);
    inv.set_status(ComputeStatus(inv, *l));
    Touch(&inv, now);
    MaybeSettle(inv, l, now, &d->events);
    return amount;
  };
  if (m.reopened_size() == 0) {
    for (auto& rec : *record.mutable_applied()) reopen(&rec, rec.principal_minor());
    return;
  }
  for (const payment::v1::Allocation& al : m.reopened()) {
    const v1::Invoice* inv = InvoiceForAllocation(a, al);
    if (inv == nullptr) continue;
    int64_t want = al.principal().minor_units();
    for (auto& rec : *record.mutable_applied()) {
      if (want <= 0) break;
      if (rec.invoice_number() == inv->invoice_number()) want -= reopen(&rec, want);
    }
  }
}

}  // namespace

// ---- public API ----

std::string AccountKey(std::string_view tenant, std::string_view debtor_id) {
  return absl::StrCat(Str(tenant), "/", Str(debtor_id));
}

Account NewAccount(std::string_view tenant, std::string_view debtor_id) {
  Account a;
  a.set_tenant(Str(tenant));
  a.set_debtor_id(Str(debtor_id));
  return a;
}

absl::StatusOr<Account> NewAccountForKey(std::string_view key) {
  const size_t slash = key.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == key.size()) {
    return absl::InvalidArgumentError("aggregate_key: must be <tenant>/<debtor_id>");
  }
  return NewAccount(key.substr(0, slash), key.substr(slash + 1));
}

std::string InvoiceIdFor(std::string_view tenant, std::string_view invoice_number) {
  return core::DeterministicId(tenant, absl::StrCat("invoice/", Str(invoice_number)));
}

absl::StatusOr<const v1::Invoice*> FindInvoice(const Account& account, const v1::InvoiceRef& ref) {
  CONCERTO_ASSIGN_OR_RETURN(const std::string number, ResolveNumber(account, ref));
  return &account.invoices().at(number);
}

state::v1::DebtorProfile ProfileOf(const v1::Debtor& debtor) {
  DebtorProfile p;
  p.set_debtor_id(debtor.debtor_id());
  p.set_type(debtor.type());
  p.set_country(debtor.country());
  p.set_time_zone(debtor.time_zone());
  p.set_preferred_channel(debtor.preferred_channel());
  p.set_preferred_language(debtor.preferred_language());
  *p.mutable_tags() = debtor.tags();
  p.set_risk_band(debtor.risk_band());
  p.set_customer_status(debtor.customer_status());
  p.set_vulnerable(debtor.vulnerable());
  *p.mutable_consents() = debtor.consents();
  for (const v1::ContactPoint& c : debtor.contact_points()) {
    state::v1::ContactPointRef* r = p.add_contact_points();
    r->set_contact_point_id(c.contact_point_id());
    r->set_role(c.role());
    r->set_primary(c.primary());
    switch (c.value_case()) {
      case v1::ContactPoint::kEmail:
        r->set_kind(state::v1::CONTACT_POINT_KIND_EMAIL);
        break;
      case v1::ContactPoint::kPhone:
        r->set_kind(state::v1::CONTACT_POINT_KIND_PHONE);
        break;
      case v1::ContactPoint::kPostal:
        r->set_kind(state::v1::CONTACT_POINT_KIND_POSTAL);
        break;
      default:
        break;
    }
  }
  return p;
}

v1::Debtor PersonalPartOf(const v1::Debtor& debtor) {
  v1::Debtor p;
  p.set_debtor_id(debtor.debtor_id());
  p.set_given_name(debtor.given_name());
  p.set_family_name(debtor.family_name());
  p.set_legal_name(debtor.legal_name());
  p.set_registration_number(debtor.registration_number());
  *p.mutable_contact_points() = debtor.contact_points();
  return p;
}

v1::Debtor ComposeDebtor(const state::v1::DebtorProfile& profile, const v1::Debtor& personal) {
  v1::Debtor d = PersonalPartOf(personal);
  d.set_debtor_id(profile.debtor_id());
  d.set_type(profile.type());
  d.set_preferred_channel(profile.preferred_channel());
  d.set_preferred_language(profile.preferred_language());
  d.set_time_zone(profile.time_zone());
  d.set_country(profile.country());
  *d.mutable_consents() = profile.consents();
  *d.mutable_tags() = profile.tags();
  d.set_risk_band(profile.risk_band());
  d.set_customer_status(profile.customer_status());
  d.set_vulnerable(profile.vulnerable());
  d.set_version(profile.version());
  if (profile.has_updated_at()) *d.mutable_updated_at() = profile.updated_at();
  return d;
}

std::vector<std::string> ChangedPersonalFields(const v1::Debtor& before, const v1::Debtor& after) {
  std::vector<std::string> out;
  if (before.given_name() != after.given_name()) out.push_back("given_name");
  if (before.family_name() != after.family_name()) out.push_back("family_name");
  if (before.legal_name() != after.legal_name()) out.push_back("legal_name");
  if (before.registration_number() != after.registration_number()) {
    out.push_back("registration_number");
  }
  bool points = before.contact_points_size() != after.contact_points_size();
  for (int i = 0; !points && i < before.contact_points_size(); ++i) {
    points = !MessageDifferencer::Equals(before.contact_points(i), after.contact_points(i));
  }
  if (points) out.push_back("contact_points");
  return out;
}

absl::StatusOr<Decision<v1::UpsertDebtorResponse>> UpsertDebtor(const Account& state,
                                                                const DebtorUpsert& upsert,
                                                                absl::Time now) {
  CONCERTO_ASSIGN_OR_RETURN(Decision<v1::UpsertDebtorResponse> d,
                            Start<v1::UpsertDebtorResponse>(state));
  Problems p;
  if (!UpsertInPlace(&d.state, upsert, now, &d.events, &d.reply, &d.changed, &p)) {
    return p.ToStatus();
  }
  return d;
}

absl::StatusOr<Decision<v1::EraseDebtorResponse>> EraseDebtor(const Account& state,
                                                              const Erasure& erasure,
                                                              absl::Time now) {
  CONCERTO_ASSIGN_OR_RETURN(Decision<v1::EraseDebtorResponse> d,
                            Start<v1::EraseDebtorResponse>(state));
  Account& a = d.state;
  const auto already = a.personal_data_status();
  if (erasure.restrict_until.has_value()) {
    if (erasure.retention_basis.empty() || erasure.retention_basis.size() > kMaxShortText) {
      return absl::InvalidArgumentError("retention_basis: required (at most 128 characters)");
    }
    d.reply.set_outcome(v1::ERASE_OUTCOME_RESTRICTED);
    *d.reply.mutable_retention_until() = ToDate(*erasure.restrict_until);
    d.reply.set_retention_basis(erasure.retention_basis);
    if (already == state::v1::PERSONAL_DATA_STATUS_ERASED) {
      d.reply.set_outcome(v1::ERASE_OUTCOME_ERASED);  // nothing left to restrict
      return d;
    }
    if (already == state::v1::PERSONAL_DATA_STATUS_RESTRICTED &&
        ToCivilDay(a.retention_until()) == *erasure.restrict_until) {
      return d;
    }
    a.set_personal_data_status(state::v1::PERSONAL_DATA_STATUS_RESTRICTED);
    *a.mutable_retention_until() = ToDate(*erasure.restrict_until);
  } else {
    d.reply.set_outcome(v1::ERASE_OUTCOME_ERASED);
    if (already == state::v1::PERSONAL_DATA_STATUS_ERASED) return d;
    a.clear_encrypted_personal_data();
    a.clear_retention_until();
    a.set_personal_data_status(state::v1::PERSONAL_DATA_STATUS_ERASED);
  }
  if (a.has_debtor()) {
    DebtorProfile* p = a.mutable_debtor();
    p->set_version(p->version() + 1);
    *p->mutable_updated_at() = Ts(now);
  }
  v1::DebtorErased e;
  e.set_debtor_id(a.debtor_id());
  e.set_restricted(erasure.restrict_until.has_value());
  if (erasure.restrict_until.has_value()) *e.mutable_retention_until() = a.retention_until();
  Emit(&d.events, e);
  d.changed = true;
  return d;
}

std::vector<v1::FieldError> CheckInvoiceSpec(const Account& state, const v1::InvoiceSpec& spec) {
  Prepared prepared;
  Problems p;
  PrepareSpec(state, spec, &prepared, &p);
  return p.ToProto();
}

absl::StatusOr<Decision<v1::IssueInvoiceResponse>> IssueInvoice(const Account& state,
                                                                const v1::InvoiceSpec& spec,
                                                                absl::Time now) {
  CONCERTO_ASSIGN_OR_RETURN(Decision<v1::IssueInvoiceResponse> d,
                            Start<v1::IssueInvoiceResponse>(state));
  IssuePlan plan;
  Problems p;
  if (!PlanIssue(d.state, spec, &plan, &p)) return p.ToStatus();
  d.changed = plan.kind != IssueKind::kDuplicate;
  d.reply.set_outcome(
      CommitIssue(&d.state, std::move(plan), now, &d.events, d.reply.mutable_invoice()));
  return d;
}

absl::StatusOr<Decision<v1::ImportInvoicesResponse>> ImportRows(const Account& state,
                                                                const std::vector<ImportItem>& rows,
                                                                absl::Time now) {
  CONCERTO_ASSIGN_OR_RETURN(Decision<v1::ImportInvoicesResponse> d,
                            Start<v1::ImportInvoicesResponse>(state));
  v1::ImportInvoicesResponse& r = d.reply;
  for (size_t k = 0; k < rows.size(); ++k) {
    const ImportItem& row = rows[k];
    const int64_t line = row.line > 0 ? row.line : static_cast<int64_t>(k + 1);
    v1::ImportRowResult* result = r.add_results();
    result->set_line(line);
    r.set_rows(r.rows() + 1);
    Problems p;
    auto reject = [&]() {
      result->set_outcome(v1::ISSUE_OUTCOME_REJECTED);
      p.AppendTo(line, result->mutable_errors());
      r.set_rejected(r.rejected() + 1);
    };
    if (const auto* upsert = std::get_if<DebtorUpsert>(&row.item)) {
      result->set_invoice_id(upsert->profile.debtor_id());
      v1::UpsertDebtorResponse reply;
      bool changed = false;
      if (!UpsertInPlace(&d.state, *upsert, now, &d.events, &reply, &changed, &p)) {
        reject();
        continue;
      }
      d.changed = d.changed || changed;
      if (reply.created()) {
        result->set_outcome(v1::ISSUE_OUTCOME_CREATED);
      } else if (reply.changed_fields_size() > 0) {
        result->set_outcome(v1::ISSUE_OUTCOME_ADJUSTED);
      } else {
        result->set_outcome(v1::ISSUE_OUTCOME_DUPLICATE);
      }
      if (reply.created() || reply.changed_fields_size() > 0) {
        r.set_debtors_upserted(r.debtors_upserted() + 1);
      }
      continue;
    }
    const v1::InvoiceSpec& spec = std::get<v1::InvoiceSpec>(row.item);
    if (row.debtor_defaults.has_value()) CheckDefaults(*row.debtor_defaults, &p);
    IssuePlan plan;
    const bool planned = PlanIssue(d.state, spec, &plan, &p);
    if (!planned || !p.empty()) {
      reject();
      continue;
    }
    if (row.debtor_defaults.has_value() &&
        ApplyDefaults(&d.state, *row.debtor_defaults, now, &d.events)) {
      r.set_debtors_upserted(r.debtors_upserted() + 1);
      d.changed = true;
    }
    const bool duplicate = plan.kind == IssueKind::kDuplicate;
    v1::Invoice invoice;
    const v1::IssueOutcome outcome =
        CommitIssue(&d.state, std::move(plan), now, &d.events, &invoice);
    d.changed = d.changed || !duplicate;
    result->set_outcome(outcome);
    result->set_invoice_id(invoice.invoice_id());
    switch (outcome) {
      case v1::ISSUE_OUTCOME_CREATED:
        r.set_created(r.created() + 1);
        break;
      case v1::ISSUE_OUTCOME_DUPLICATE:
        r.set_duplicates(r.duplicates() + 1);
        break;
      case v1::ISSUE_OUTCOME_ADJUSTED:
        r.set_adjusted(r.adjusted() + 1);
        break;
      default:
        break;
    }
  }
  return d;
}

absl::StatusOr<Decision<v1::AdjustInvoiceResponse>> AdjustInvoice(
    const Account& state, const v1::AdjustInvoiceRequest& request, absl::Time now) {
  CONCERTO_ASSIGN_OR_RETURN(Decision<v1::AdjustInvoiceResponse> d,
                            Start<v1::AdjustInvoiceResponse>(state));
  CONCERTO_RETURN_IF_ERROR(CheckTenant(state, request.context()));
  CONCERTO_ASSIGN_OR_RETURN(v1::Invoice * inv, Resolve(&d.state, request.invoice()));
  const std::string& currency = inv->currency();
  Problems p;
  const int64_t magnitude = request.amount().minor_units();
  switch (request.kind()) {
    case v1::ADJUSTMENT_KIND_CREDIT_NOTE:
    case v1::ADJUSTMENT_KIND_DEBIT_NOTE:
      if (magnitude <= 0) p.Add("amount", "must be greater than zero (the kind gives the sign)");
      break;
    case v1::ADJUSTMENT_KIND_UNSPECIFIED:
      if (magnitude != 0 || !request.has_new_due_date()) {
        p.Add("kind", "required: CREDIT_NOTE or DEBIT_NOTE (or no amount and a new_due_date)");
      }
      break;
    default:
      p.Add("kind", "RESEND is recorded when a changed invoice is issued again");
  }
  CheckMoneyCurrency(request.amount(), currency, "amount", &p);
  if (request.credit_note_number().size() > kMaxInvoiceNumber ||
      HasControlChars(request.credit_note_number())) {
    p.Add("credit_note_number", "must be at most 64 printable characters");
  }
  CheckCode(request.reason_code(), "reason_code", &p);
  if (request.note().size() > 2048) p.Add("note", "longer than 2048 characters");
  if (request.lines_size() > 0) {
    google::protobuf::RepeatedPtrField<v1::InvoiceLine> lines = request.lines();
    const LineTotals t = NormalizeLines(&lines, currency, &p);
    if (!t.overflow && t.gross != magnitude) {
      p.Add("lines", absl::StrCat("gross sum ", Fmt(t.gross, currency), " does not equal amount ",
                                  Fmt(magnitude, currency)));
    }
  }
  if (request.has_new_due_date()) CheckNewDueDate(*inv, request.new_due_date(), &p);
  CONCERTO_RETURN_IF_ERROR(p.ToStatus());
  const int64_t delta = request.kind() == v1::ADJUSTMENT_KIND_CREDIT_NOTE ? -magnitude : magnitude;
  // A credit note number already applied: the same note again is a no-op.
  if (!request.credit_note_number().empty()) {
    for (const v1::Adjustment& adj : inv->adjustments()) {
      if (adj.credit_note_number() != request.credit_note_number()) continue;
      if (adj.kind() == request.kind() && adj.delta().minor_units() == delta) {
        d.reply.set_adjustment_id(adj.adjustment_id());
        *d.reply.mutable_invoice() = *inv;
        return d;
      }
      return absl::FailedPreconditionError(
          absl::StrCat("credit_note_number: ", Quote(request.credit_note_number()),
                       " was already applied with ", Fmt(adj.delta().minor_units(), currency)));
    }
  }
  if (IsClosedForGood(inv->status())) return NotOpen(*inv, "adjust it");
  const int64_t open = inv->open_balance().minor_units();
  if (delta > 0 && (inv->amount().minor_units() > std::numeric_limits<int64_t>::max() - delta)) {
    return absl::InvalidArgumentError("amount: the invoice amount would become too large");
  }
  if (open + delta < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("amount: the credit ", Fmt(magnitude, currency), " exceeds the open balance ",
                     Fmt(open, currency)));
  }
  if (delta == 0 && request.has_new_due_date() &&
      ToCivilDay(request.new_due_date()) == ToCivilDay(inv->due_date())) {
    *d.reply.mutable_invoice() = *inv;  // nothing to change
    return d;
  }
  InvoiceLedger* l = LedgerOf(&d.state, *inv);
  const std::string adjustment_id = NextAdjustmentId(*inv);
  v1::Adjustment* adj = inv->add_adjustments();
  adj->set_adjustment_id(adjustment_id);
  adj->set_kind(request.kind());
  adj->set_credit_note_number(request.credit_note_number());
  *adj->mutable_delta() = Money(delta, currency);
  adj->set_reason_code(request.reason_code());
  adj->set_note(request.note());
  *adj->mutable_at() = Ts(now);
  inv->mutable_amount()->set_minor_units(inv->amount().minor_units() + delta);
  inv->mutable_open_balance()->set_minor_units(open + delta);
  if (request.has_new_due_date()) *inv->mutable_due_date() = request.new_due_date();
  if (delta < 0) l->set_credited_minor(l->credited_minor() - delta);
  if (delta > 0) l->set_debited_minor(l->debited_minor() + delta);
  inv->set_status(ComputeStatus(*inv, *l));
  Touch(inv, now);
  Emit(&d.events, AdjustedEvent(*inv, *adj));
  MaybeSettle(*inv, l, now, &d.events);
  d.reply.set_adjustment_id(adj->adjustment_id());
  *d.reply.mutable_invoice() = *inv;
  d.changed = true;
  return d;
}

absl::StatusOr<Decision<v1::CancelInvoiceResponse>> CancelInvoice(
    const Account& state, const v1::CancelInvoiceRequest& request, absl::Time now) {
  CONCERTO_ASSIGN_OR_RETURN(Decision<v1::CancelInvoiceResponse> d,
                            Start<v1::CancelInvoiceResponse>(state));
  CONCERTO_RETURN_IF_ERROR(CheckTenant(state, request.context()));
  CONCERTO_ASSIGN_OR_RETURN(v1::Invoice * inv, Resolve(&d.state, request.invoice()));
  Problems p;
  CheckCode(request.reason_code(), "reason_code", &p);
  CONCERTO_RETURN_IF_ERROR(p.ToStatus());
  if (inv->status() == v1::INVOICE_STATUS_CANCELLED) {
    *d.reply.mutable_invoice() = *inv;
    return d;
  }
  InvoiceLedger* l = LedgerOf(&d.state, *inv);
  if (inv->status() == v1::INVOICE_STATUS_PAID || inv->status() == v1::INVOICE_STATUS_WRITTEN_OFF) {
    return absl::FailedPreconditionError(
        absl::StrCat("invoice: ", Quote(inv->invoice_number()), " is ", StatusName(inv->status()),
                     "; a paid or written-off invoice cannot be cancelled (credit it instead)"));
  }
  if (l->paid_minor() > 0 || l->written_off_minor() > 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "invoice: ", Quote(inv->invoice_number()),
        " has payments allocated or amounts written off; credit it instead of cancelling"));
  }
  const int64_t open = inv->open_balance().minor_units();
  inv->mutable_open_balance()->set_minor_units(0);
  inv->set_status(v1::INVOICE_STATUS_CANCELLED);
  Touch(inv, now);
  v1::InvoiceCancelled e;
  e.set_invoice_id(inv->invoice_id());
  e.set_invoice_number(inv->invoice_number());
  e.set_debtor_id(inv->debtor_id());
  *e.mutable_cancelled_balance() = Money(open, inv->currency());
  e.set_reason_code(request.reason_code());
  Emit(&d.events, e);
  *d.reply.mutable_invoice() = *inv;
  d.changed = true;
  return d;
}

absl::StatusOr<Decision<v1::WriteOffInvoiceResponse>> WriteOffInvoice(
    const Account& state, const v1::WriteOffInvoiceRequest& request, absl::Time now) {
  CONCERTO_ASSIGN_OR_RETURN(Decision<v1::WriteOffInvoiceResponse> d,
                            Start<v1::WriteOffInvoiceResponse>(state));
  CONCERTO_RETURN_IF_ERROR(CheckTenant(state, request.context()));
  CONCERTO_ASSIGN_OR_RETURN(v1::Invoice * inv, Resolve(&d.state, request.invoice()));
  const std::string& currency = inv->currency();
  Problems p;
  if (request.reason() == v1::WRITE_OFF_REASON_UNSPECIFIED) p.Add("reason", "required");
  if (request.has_amount()) {
    CheckMoneyCurrency(request.amount(), currency, "amount", &p);
    if (request.amount().minor_units() <= 0) {
      p.Add("amount", "must be greater than zero (leave it out for the whole open balance)");
    }
  }
  CheckCode(request.case_id(), "case_id", &p);
  CONCERTO_RETURN_IF_ERROR(p.ToStatus());
  const int64_t open = inv->open_balance().minor_units();
  if (IsClosedForGood(inv->status()) || open == 0) return NotOpen(*inv, "write it off");
  const int64_t amount = request.has_amount() ? request.amount().minor_units() : open;
  if (amount > open) {
    return absl::FailedPreconditionError(absl::StrCat(
        "amount: ", Fmt(amount, currency), " exceeds the open balance ", Fmt(open, currency)));
  }
  InvoiceLedger* l = LedgerOf(&d.state, *inv);
  l->set_written_off_minor(l->written_off_minor() + amount);
  inv->mutable_open_balance()->set_minor_units(open - amount);
  inv->set_status(open == amount ? v1::INVOICE_STATUS_WRITTEN_OFF : ComputeStatus(*inv, *l));
  Touch(inv, now);
  v1::InvoiceWrittenOff e;
  e.set_invoice_id(inv->invoice_id());
  e.set_invoice_number(inv->invoice_number());
  e.set_debtor_id(inv->debtor_id());
  *e.mutable_written_off() = Money(amount, currency);
  *e.mutable_open_balance() = inv->open_balance();
  e.set_reason(request.reason());
  e.set_case_id(request.case_id());
  Emit(&d.events, e);
  *d.reply.mutable_invoice() = *inv;
  d.changed = true;
  return d;
}

absl::StatusOr<Decision<v1::ReissueInvoiceResponse>> ReissueInvoice(
    const Account& state, const v1::ReissueInvoiceRequest& request, std::string_view command_id,
    absl::Time now) {
  CONCERTO_ASSIGN_OR_RETURN(Decision<v1::ReissueInvoiceResponse> d,
                            Start<v1::ReissueInvoiceResponse>(state));
  CONCERTO_RETURN_IF_ERROR(CheckTenant(state, request.context()));
  if (command_id.empty()) {
    return absl::InvalidArgumentError("command_id: required (the reissue id derives from it)");
  }
  CONCERTO_ASSIGN_OR_RETURN(v1::Invoice * inv, Resolve(&d.state, request.invoice()));
  Problems p;
  CheckCode(request.reason_code(), "reason_code", &p);
  if (!contact::v1::Channel_IsValid(request.channel())) p.Add("channel", "unknown channel");
  if (request.has_new_due_date()) CheckNewDueDate(*inv, request.new_due_date(), &p);
  CONCERTO_RETURN_IF_ERROR(p.ToStatus());
  if (IsClosedForGood(inv->status()) || inv->open_balance().minor_units() == 0) {
    return NotOpen(*inv, "re-issue it: nothing is open on it");
  }
  if (request.has_new_due_date() &&
      ToCivilDay(request.new_due_date()) != ToCivilDay(inv->due_date())) {
    *inv->mutable_due_date() = request.new_due_date();
    Touch(inv, now);
  }
  const std::string reissue_id =
      core::DeterministicId(command_id, absl::StrCat("reissue/", inv->invoice_id()));
  v1::InvoiceReissued e;
  e.set_invoice_id(inv->invoice_id());
  e.set_invoice_number(inv->invoice_number());
  e.set_debtor_id(inv->debtor_id());
  e.set_reissue_id(reissue_id);
  *e.mutable_due_date() = inv->due_date();
  *e.mutable_open_balance() = inv->open_balance();
  e.set_document_id(inv->document().document_id());
  e.set_requested_channel(request.channel());
  *e.mutable_requested_at() = Ts(now);
  Emit(&d.events, e);
  d.reply.set_reissue_id(reissue_id);
  *d.reply.mutable_invoice() = *inv;
  d.changed = true;
  return d;
}

absl::StatusOr<Decision<NoReply>> ApplyPaymentEvent(const Account& state, std::string_view type,
                                                    std::string_view payload, absl::Time now) {
  CONCERTO_ASSIGN_OR_RETURN(Decision<NoReply> d, Start<NoReply>(state));
  auto decode = [&](google::protobuf::Message* m) -> absl::Status {
    if (!m->ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
      return absl::InvalidArgumentError(
          absl::StrCat("payload: does not decode as ", m->GetDescriptor()->full_name()));
    }
    return absl::OkStatus();
  };
  auto check = [&](const std::string& payment_id, const std::string& debtor_id) -> absl::Status {
    if (payment_id.empty()) return absl::InvalidArgumentError("payment_id: required");
    if (!debtor_id.empty() && debtor_id != state.debtor_id()) {
      return absl::InvalidArgumentError(
          absl::StrCat("debtor_id: ", Quote(debtor_id), " is not this account's debtor"));
    }
    return absl::OkStatus();
  };
  if (type == payment::v1::PaymentAllocated::descriptor()->full_name()) {
    payment::v1::PaymentAllocated m;
    CONCERTO_RETURN_IF_ERROR(decode(&m));
    CONCERTO_RETURN_IF_ERROR(check(m.payment_id(), m.debtor_id()));
    ApplyAllocated(m, now, &d);
    return d;
  }
  if (type == payment::v1::PaymentReversed::descriptor()->full_name()) {
    payment::v1::PaymentReversed m;
    CONCERTO_RETURN_IF_ERROR(decode(&m));
    CONCERTO_RETURN_IF_ERROR(check(m.payment_id(), m.debtor_id()));
    ApplyReversed(m, now, &d);
    return d;
  }
  return absl::UnimplementedError(absl::StrCat("invoice: does not act on ", Str(type)));
}

}  // namespace concerto::invoice
