#include "libs/rules/contact_limits.h"

#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace concerto::rules {
namespace {

using ::absl::CivilDay;
using ::absl::CivilSecond;
using ::testing::HasSubstr;

absl::TimeZone NewYork() {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone("America/New_York", &tz));
  return tz;
}

absl::Time Local(const absl::TimeZone& tz, int y, int mo, int d, int h, int mi = 0, int s = 0) {
  return tz.At(CivilSecond(y, mo, d, h, mi, s)).pre;
}

// RULEBOOK worked example 3: Mon 2025-03-03 x2, Tue 03-04 x2, Wed, Thu, Fri x1 (7 calls).
std::vector<CallRecord> Example3(const absl::TimeZone& tz, bool wednesday_conversation) {
  return {
      {Local(tz, 2025, 3, 3, 9), false},
      {Local(tz, 2025, 3, 3, 15), false},
      {Local(tz, 2025, 3, 4, 9), false},
      {Local(tz, 2025, 3, 4, 15), false},
      {Local(tz, 2025, 3, 5, 10), wednesday_conversation},
      {Local(tz, 2025, 3, 6, 10), false},
      {Local(tz, 2025, 3, 7, 10), false},
  };
}

TEST(CallCapCheck, WorkedExample3EighthCallOnSundayIsNotAllowed) {
  const absl::TimeZone tz = NewYork();
  const CallCapDecision d = CallCapCheck(Example3(tz, false), Local(tz, 2025, 3, 9, 10), tz);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.calls_in_window, 7);
  EXPECT_EQ(d.proposed_day, CivilDay(2025, 3, 9));
  EXPECT_THAT(d.reason, HasSubstr("suppressed: 7 calls in 7 days to this person (Reg F)"));
  // 03-03 leaves the window on 03-10 (window 03-04..03-10 holds 5 + the new call = 6).
  EXPECT_EQ(d.earliest_permitted_day, CivilDay(2025, 3, 10));
}

TEST(CallCapCheck, WorkedExample3CallOnMondayTenthIsAllowed) {
  const absl::TimeZone tz = NewYork();
  const CallCapDecision d = CallCapCheck(Example3(tz, false), Local(tz, 2025, 3, 10, 10), tz);
  EXPECT_TRUE(d.allowed) << d.reason;
  EXPECT_EQ(d.calls_in_window, 5);  // + this call = 6 in 03-04..03-10
  EXPECT_EQ(d.earliest_permitted_day, CivilDay(2025, 3, 10));
  EXPECT_THAT(d.reason, HasSubstr("allowed"));
}

TEST(CallCapCheck, WorkedExample3ConversationOnWednesdayBlocksUntilTwelfth) {
  const absl::TimeZone tz = NewYork();
  const std::vector<CallRecord> history = Example3(tz, true);
  for (int day = 5; day <= 11; ++day) {
    const CallCapDecision d = CallCapCheck(history, Local(tz, 2025, 3, day, 10), tz);
    EXPECT_FALSE(d.allowed) << "2025-03-" << day;
    EXPECT_EQ(d.earliest_permitted_day, CivilDay(2025, 3, 12)) << "2025-03-" << day;
    EXPECT_THAT(d.reason, HasSubstr("telephone conversation on 2025-03-05"));
  }
  const CallCapDecision twelfth = CallCapCheck(history, Local(tz, 2025, 3, 12, 8), tz);
  EXPECT_TRUE(twelfth.allowed) << twelfth.reason;
  EXPECT_EQ(twelfth.earliest_permitted_day, CivilDay(2025, 3, 12));
}

TEST(CallCapCheck, SevenCallsAreToleratedTheEighthIsNot) {
  const absl::TimeZone tz = NewYork();
  std::vector<CallRecord> history;
  for (int i = 0; i < 6; ++i) history.push_back({Local(tz, 2025, 3, 3, 9 + i), false});
  EXPECT_TRUE(CallCapCheck(history, Local(tz, 2025, 3, 3, 16), tz).allowed);  // 7th
  history.push_back({Local(tz, 2025, 3, 3, 16), false});
  const CallCapDecision eighth = CallCapCheck(history, Local(tz, 2025, 3, 9, 20), tz);
  EXPECT_FALSE(eighth.allowed);
  EXPECT_EQ(eighth.earliest_permitted_day, CivilDay(2025, 3, 10));
}

TEST(CallCapCheck, DaysAreCountedInTheConsumersZone) {
  const absl::TimeZone tz = NewYork();
  // 2025-03-10 03:30 UTC is still Sunday 03-09 23:30 in New York (EDT, UTC-4).
  const absl::Time sunday_night_local =
      absl::FromCivil(CivilSecond(2025, 3, 10, 3, 30, 0), absl::UTCTimeZone());
  const CallCapDecision d = CallCapCheck(Example3(tz, false), sunday_night_local, tz);
  EXPECT_EQ(d.proposed_day, CivilDay(2025, 3, 9));
  EXPECT_FALSE(d.allowed);
}

TEST(CallCapCheck, EmptyHistoryAllowsTheCall) {
  const absl::TimeZone tz = NewYork();
  const CallCapDecision d = CallCapCheck({}, Local(tz, 2025, 3, 3, 10), tz);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.calls_in_window, 0);
}

TEST(WithinAllowedHours, WorkedExample3BoundsAreInclusiveTo21h00m00s) {
  const absl::TimeZone tz = NewYork();
  EXPECT_TRUE(WithinAllowedHours(Local(tz, 2025, 3, 10, 8, 0, 0), tz).allowed);
  EXPECT_TRUE(WithinAllowedHours(Local(tz, 2025, 3, 10, 21, 0, 0), tz).allowed);
  EXPECT_TRUE(WithinAllowedHours(Local(tz, 2025, 3, 10, 14, 30, 0), tz).allowed);
  EXPECT_FALSE(WithinAllowedHours(Local(tz, 2025, 3, 10, 21, 0, 1), tz).allowed);
  EXPECT_FALSE(WithinAllowedHours(Local(tz, 2025, 3, 10, 7, 59, 59), tz).allowed);
}

TEST(WithinAllowedHours, TooLateIsDeferredToEightTheNextMorning) {
  const absl::TimeZone tz = NewYork();
  const AllowedHoursDecision d = WithinAllowedHours(Local(tz, 2025, 3, 10, 21, 0, 1), tz);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, "deferred to 08:00 America/New_York");
  EXPECT_EQ(d.next_allowed, Local(tz, 2025, 3, 11, 8));
}

TEST(WithinAllowedHours, TooEarlyIsDeferredToEightTheSameMorning) {
  const absl::TimeZone tz = NewYork();
  const AllowedHoursDecision d = WithinAllowedHours(Local(tz, 2025, 3, 10, 6, 15), tz);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, "deferred to 08:00 America/New_York");
  EXPECT_EQ(d.next_allowed, Local(tz, 2025, 3, 10, 8));
}

TEST(WithinAllowedHours, UsesTheConsumersLocalTimeNotUtc) {
  const absl::TimeZone tz = NewYork();
  // 2025-03-10 12:30 UTC is 08:30 EDT: allowed; 2025-03-11 01:30 UTC is 21:30 EDT: not.
  const absl::TimeZone utc = absl::UTCTimeZone();
  EXPECT_TRUE(
      WithinAllowedHours(absl::FromCivil(CivilSecond(2025, 3, 10, 12, 30, 0), utc), tz).allowed);
  EXPECT_FALSE(
      WithinAllowedHours(absl::FromCivil(CivilSecond(2025, 3, 11, 1, 30, 0), utc), tz).allowed);
}

}  // namespace
}  // namespace concerto::rules
