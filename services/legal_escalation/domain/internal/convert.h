// Private helpers of the legal-escalation domain: date and money conversions between the proto
// types and Abseil / rules types, and short names for enums in explanations.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "concerto/common/v1/types.pb.h"
#include "concerto/dunning/v1/case.pb.h"
#include "concerto/legal/v1/legal_api.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace concerto::legal::internal {

// HasDate tells whether a Date is set (year != 0).
bool HasDate(const common::v1::Date& d);
// DayOf converts a set Date (nullopt when unset).
std::optional<absl::CivilDay> DayOf(const common::v1::Date& d);
// SetDate writes `day` into `out`.
void SetDate(absl::CivilDay day, common::v1::Date* out);
// DateText renders "2026-03-06" (or "unset").
std::string DateText(const common::v1::Date& d);
// SetTimestamp writes `t` into `out`.
void SetTimestamp(absl::Time t, google::protobuf::Timestamp* out);
// TimeOf converts a Timestamp.
absl::Time TimeOf(const google::protobuf::Timestamp& ts);
// TimestampText renders RFC 3339 UTC ("2026-03-06T10:00:00Z"), "" when unset.
std::string TimestampText(const google::protobuf::Timestamp& ts);

// MoneyOf builds a Money.
common::v1::Money MoneyOf(int64_t minor_units, const std::string& currency);
// AmountText renders "EUR 100.00" (or "<minor> <currency>" for an unknown currency).
std::string AmountText(int64_t minor_units, const std::string& currency);
std::string AmountText(const common::v1::Money& m);

// Short enum names without their prefix: "FORMAL_NOTICE", "OPEN", "COURT_FEE", "PAID", ...
std::string StageName(v1::LegalStage s);
std::string StatusName(v1::LegalCaseStatus s);
std::string CostKindName(v1::CostKind k);
std::string OutcomeName(v1::LegalOutcome o);
std::string RecallReasonName(v1::RecallReason r);
std::string CaseStateName(dunning::v1::CaseState s);
std::string RejectionCodeName(v1::RejectionCode c);

}  // namespace concerto::legal::internal
