#include "services/legal_escalation/domain/internal/convert.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/rules/money.h"

namespace concerto::legal::internal {
namespace {

std::string Strip(const std::string& name, const char* prefix) {
  return absl::StartsWith(name, prefix) ? name.substr(std::string(prefix).size()) : name;
}

}  // namespace

bool HasDate(const common::v1::Date& d) { return d.year() != 0; }

std::optional<absl::CivilDay> DayOf(const common::v1::Date& d) {
  if (!HasDate(d)) return std::nullopt;
  return absl::CivilDay(d.year(), d.month(), d.day());
}

void SetDate(absl::CivilDay day, common::v1::Date* out) {
  out->set_year(static_cast<int32_t>(day.year()));
  out->set_month(day.month());
  out->set_day(day.day());
}

std::string DateText(const common::v1::Date& d) {
  if (!HasDate(d)) return "unset";
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

void SetTimestamp(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t nanos = absl::ToUnixNanos(t);
  int64_t seconds = nanos / 1000000000;
  int64_t rest = nanos % 1000000000;
  if (rest < 0) {
    rest += 1000000000;
    --seconds;
  }
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(rest));
}

absl::Time TimeOf(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

std::string TimestampText(const google::protobuf::Timestamp& ts) {
  if (ts.seconds() == 0 && ts.nanos() == 0) return "";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", TimeOf(ts), absl::UTCTimeZone());
}

common::v1::Money MoneyOf(int64_t minor_units, const std::string& currency) {
  common::v1::Money m;
  m.set_minor_units(minor_units);
  m.set_currency(currency);
  return m;
}

std::string AmountText(int64_t minor_units, const std::string& currency) {
  auto text = rules::FormatMoney(rules::Money{minor_units, currency});
  if (text.ok()) return *text;
  return absl::StrCat(minor_units, " ", currency.empty() ? "(no currency)" : currency,
                      " minor units");
}

std::string AmountText(const common::v1::Money& m) {
  return AmountText(m.minor_units(), m.currency());
}

std::string StageName(v1::LegalStage s) { return Strip(v1::LegalStage_Name(s), "LEGAL_STAGE_"); }
std::string StatusName(v1::LegalCaseStatus s) {
  return Strip(v1::LegalCaseStatus_Name(s), "LEGAL_CASE_STATUS_");
}
std::string CostKindName(v1::CostKind k) { return Strip(v1::CostKind_Name(k), "COST_KIND_"); }
std::string OutcomeName(v1::LegalOutcome o) {
  return Strip(v1::LegalOutcome_Name(o), "LEGAL_OUTCOME_");
}
std::string RecallReasonName(v1::RecallReason r) {
  return Strip(v1::RecallReason_Name(r), "RECALL_REASON_");
}
std::string CaseStateName(dunning::v1::CaseState s) {
  return Strip(dunning::v1::CaseState_Name(s), "CASE_STATE_");
}
std::string RejectionCodeName(v1::RejectionCode c) {
  return Strip(v1::RejectionCode_Name(c), "REJECTION_CODE_");
}

}  // namespace concerto::legal::internal
