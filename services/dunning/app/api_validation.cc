#include "services/dunning/app/api_validation.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "services/dunning/app/command.pb.h"

namespace concerto::dunning {
namespace {

constexpr size_t kMaxIdLength = 128;
constexpr size_t kMaxTextLength = 4000;
constexpr size_t kMaxYamlBytes = 256 * 1024;

void Required(const std::string& value, const char* field, FieldErrors* errors,
              size_t max = kMaxIdLength) {
  if (value.empty()) {
    errors->push_back({field, "required"});
  } else if (value.size() > max) {
    errors->push_back({field, absl::StrCat("at most ", max, " characters")});
  }
}

void Optional(const std::string& value, const char* field, FieldErrors* errors,
              size_t max = kMaxTextLength) {
  if (value.size() > max) errors->push_back({field, absl::StrCat("at most ", max, " characters")});
}

void CheckContext(const common::v1::RequestContext& ctx, bool write, FieldErrors* errors) {
  platform::CheckRequestContext(ctx, write, errors);
}

void CheckDebtor(const std::string& debtor_id, FieldErrors* errors) {
  Required(debtor_id, "debtor_id", errors);
  for (char c : debtor_id) {
    if (static_cast<unsigned char>(c) < 0x20) {
      errors->push_back({"debtor_id", "must not contain control characters"});
      break;
    }
  }
}

bool ValidCurrency(const std::string& c) {
  if (c.size() != 3) return false;
  for (char ch : c) {
    if (ch < 'A' || ch > 'Z') return false;
  }
  return true;
}

}  // namespace


FieldErrors ValidateGetCase(const v1::GetCaseRequest& r) {
  FieldErrors e;
  CheckContext(r.context(), false, &e);
  CheckDebtor(r.debtor_id(), &e);
  return e;
}

FieldErrors ValidateListCases(const v1::ListCasesRequest& r) {
  FieldErrors e;
  CheckContext(r.context(), false, &e);
  for (int i = 0; i < r.states_size(); ++i) {
    const int s = r.states(i);
    if (s == v1::CASE_STATE_UNSPECIFIED || !v1::CaseState_IsValid(s)) {
      e.push_back({absl::StrCat("states[", i, "]"), "not a case state"});
    }
  }
  if (r.page_size() < 0) e.push_back({"page_size", "must not be negative"});
  if (r.min_days_past_due() < 0) e.push_back({"min_days_past_due", "must not be negative"});
  if (r.has_min_balance()) {
    if (r.min_balance().minor_units() < 0) {
      e.push_back({"min_balance.minor_units", "must not be negative"});
    }
    if (!r.min_balance().currency().empty() && !ValidCurrency(r.min_balance().currency())) {
      e.push_back({"min_balance.currency", "an ISO 4217 code such as EUR"});
    }
  }
  Optional(r.agent(), "agent", &e, kMaxIdLength);
  Optional(r.strategy_id(), "strategy_id", &e, kMaxIdLength);
  Optional(r.segment(), "segment", &e, kMaxIdLength);
  Optional(r.page_token(), "page_token", &e, 1024);
  return e;
}

FieldErrors ValidatePause(const v1::PauseCaseRequest& r) {
  FieldErrors e;
  CheckContext(r.context(), true, &e);
  CheckDebtor(r.debtor_id(), &e);
  Required(r.reason(), "reason", &e, kMaxTextLength);
  return e;
}

FieldErrors ValidateResume(const v1::ResumeCaseRequest& r) {
  FieldErrors e;
  CheckContext(r.context(), true, &e);
  CheckDebtor(r.debtor_id(), &e);
  Optional(r.reason(), "reason", &e);
  return e;
}

FieldErrors ValidateRecordDispute(const v1::RecordDisputeRequest& r) {
  FieldErrors e;
  CheckContext(r.context(), true, &e);
  CheckDebtor(r.debtor_id(), &e);
  Required(r.invoice_id(), "invoice_id", &e);
  Optional(r.reason(), "reason", &e);
  return e;
}

FieldErrors ValidateResolveDispute(const v1::ResolveDisputeRequest& r) {
  FieldErrors e;
  CheckContext(r.context(), true, &e);
  CheckDebtor(r.debtor_id(), &e);
  Required(r.invoice_id(), "invoice_id", &e);
  Optional(r.reason(), "reason", &e);
  return e;
}

FieldErrors ValidateRecordPromise(const v1::RecordPromiseRequest& r, absl::CivilDay today) {
  FieldErrors e;
  CheckContext(r.context(), true, &e);
  CheckDebtor(r.debtor_id(), &e);
  if (!r.has_amount()) {
    e.push_back({"amount", "required"});
  } else {
    if (r.amount().minor_units() <= 0) e.push_back({"amount.minor_units", "must be positive"});
    if (!ValidCurrency(r.amount().currency())) {
      e.push_back({"amount.currency", "an ISO 4217 code such as EUR"});
    }
  }
  if (!r.has_promised_date()) {
    e.push_back({"promised_date", "required"});
  } else if (!ValidDate(r.promised_date())) {
    e.push_back({"promised_date", "not a calendar date"});
  } else if (absl::CivilDay(r.promised_date().year(), r.promised_date().month(),
                            r.promised_date().day()) < today) {
    e.push_back({"promised_date", absl::StrCat("in the past (today is ",
                                               absl::FormatCivilTime(today), ")")});
  }
  return e;
}

FieldErrors ValidateAddNote(const v1::AddNoteRequest& r) {
  FieldErrors e;
  CheckContext(r.context(), true, &e);
  CheckDebtor(r.debtor_id(), &e);
  Required(r.text(), "text", &e, kMaxTextLength);
  return e;
}

FieldErrors ValidateAssignAgent(const v1::AssignAgentRequest& r) {
  FieldErrors e;
  CheckContext(r.context(), true, &e);
  CheckDebtor(r.debtor_id(), &e);
  Required(r.agent(), "agent", &e);
  return e;
}

FieldErrors ValidateRequestEscalation(const v1::RequestEscalationRequest& r) {
  FieldErrors e;
  CheckContext(r.context(), true, &e);
  CheckDebtor(r.debtor_id(), &e);
  Optional(r.reason(), "reason", &e);
  return e;
}

FieldErrors ValidatePutStrategy(const v1::PutStrategyRequest& r) {
  FieldErrors e;
  CheckContext(r.context(), false, &e);
  Required(r.yaml(), "yaml", &e, kMaxYamlBytes);
  return e;
}

FieldErrors ValidateGetStrategy(const v1::GetStrategyRequest& r) {
  FieldErrors e;
  CheckContext(r.context(), false, &e);
  Required(r.strategy_id(), "strategy_id", &e);
  if (r.version() < 0) e.push_back({"version", "must not be negative (0 = the active version)"});
  return e;
}

FieldErrors ValidateListVersions(const v1::ListVersionsRequest& r) {
  FieldErrors e;
  CheckContext(r.context(), false, &e);
  Required(r.strategy_id(), "strategy_id", &e);
  return e;
}

FieldErrors ValidateActivateStrategy(const v1::ActivateStrategyRequest& r) {
  FieldErrors e;
  CheckContext(r.context(), false, &e);
  Required(r.strategy_id(), "strategy_id", &e);
  if (r.version() < 1) e.push_back({"version", "must be at least 1"});
  return e;
}

FieldErrors ValidateSimulate(const v1::SimulateRequest& r) {
  FieldErrors e;
  CheckContext(r.context(), false, &e);
  switch (r.strategy_source_case()) {
    case v1::SimulateRequest::kYaml:
      Required(r.yaml(), "yaml", &e, kMaxYamlBytes);
      break;
    case v1::SimulateRequest::kStoredVersion:
      if (r.strategy_id().empty()) e.push_back({"strategy_id", "required with stored_version"});
      if (r.stored_version() < 0) {
        e.push_back({"stored_version", "must not be negative (0 = the active version)"});
      }
      break;
    default:
      e.push_back({"strategy_source", "required: yaml or stored_version"});
  }
  if (!r.has_portfolio()) e.push_back({"portfolio", "required"});
  if (r.days() < 0 || r.days() > 3660) e.push_back({"days", "between 0 (= 120) and 3660"});
  return e;
}

}  // namespace concerto::dunning
