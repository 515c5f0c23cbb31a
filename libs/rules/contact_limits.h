// US Regulation F contact limits as pure checks: the call-frequency presumption of
// §1006.14(b)(2) (more than 7 calls within 7 consecutive days to one person about one debt, or
// any call within 7 days after a telephone conversation, the conversation day being day 1) and
// the convenient-hours rule of §1006.6(b)(1)(i) (no contact before 08:00 or after 21:00 at the
// consumer's location). No clock, no I/O: the caller passes the history, the proposed time and
// the consumer's time zone. Days are counted in the consumer's local calendar.
#pragma once

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace concerto::rules {

// CallRecord is one collector-placed call to one person about one debt. Consumer-initiated
// calls and calls made with direct prior consent are excluded by the caller (they do not count).
struct CallRecord {
  absl::Time at;
  bool conversation = false;  // the call became a telephone conversation
};

// CallCapDecision says whether a call on the proposed day is permitted.
struct CallCapDecision {
  bool allowed = false;
  // Human-readable reason, e.g. "suppressed: 7 calls in 7 days to this person (Reg F)".
  std::string reason;
  // Local day of the proposed call.
  absl::CivilDay proposed_day;
  // Earliest local day, on or after `proposed_day`, on which a call is permitted given the
  // history (== proposed_day when allowed).
  absl::CivilDay earliest_permitted_day;
  // Calls of the history in the 7 local days ending on `proposed_day`.
  int calls_in_window = 0;
};

// kRegFMaxCallsIn7Days is the number of calls within 7 consecutive days that Reg F tolerates;
// one more is a presumed violation.
inline constexpr int kRegFMaxCallsIn7Days = 7;

// CallCapCheck decides whether one more call at `proposed` (local calendar of `zone`) keeps the
// history within Reg F: fewer than 7 calls in the 7 days ending on the proposed day, and no
// conversation on that day or the 6 days before it. Calls of the history after the proposed day
// are counted too when searching for `earliest_permitted_day`.
CallCapDecision CallCapCheck(const std::vector<CallRecord>& history, absl::Time proposed,
                             absl::TimeZone zone);

// LocalTimeOfDay is a wall-clock time in the consumer's zone.
struct LocalTimeOfDay {
  int hour = 0;
  int minute = 0;
  int second = 0;
};

// AllowedHoursDecision says whether a contact at a given instant is within convenient hours.
struct AllowedHoursDecision {
  bool allowed = false;
  // "allowed: 08:00:00 America/New_York within 08:00:00-21:00:00" or
  // "deferred to 08:00 America/New_York".
  std::string reason;
  // When not allowed: the next instant at `start` local time (the same day when too early, the
  // next day when too late). When allowed: the instant itself.
  absl::Time next_allowed;
};

// WithinAllowedHours checks `at` against [start, end] in `zone`, both ends inclusive:
// 08:00:00 and 21:00:00 are allowed, 07:59:59 and 21:00:01 are not.
AllowedHoursDecision WithinAllowedHours(absl::Time at, absl::TimeZone zone,
                                        LocalTimeOfDay start = {8, 0, 0},
                                        LocalTimeOfDay end = {21, 0, 0});

}  // namespace concerto::rules
