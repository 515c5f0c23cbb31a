#include "services/dunning/domain/business_calendar.h"

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/dunning/domain/case_engine.h"
#include "services/dunning/domain/engine_test_util.h"

namespace concerto::dunning {
namespace {

using testing::Day;
using testing::Eur;
using testing::Harness;
using ::testing::HasSubstr;

TEST(HolidayCalendar, WrapsTheCoreCountryCalendars) {
  auto it = HolidayCalendar::ForCountry("it");
  ASSERT_TRUE(it.ok()) << it.status();
  EXPECT_EQ(it->country(), "IT");
  EXPECT_TRUE(it->IsBusinessDay(Day(2026, 4, 3)));     // Good Friday: not a holiday in Italy
  EXPECT_FALSE(it->IsBusinessDay(Day(2026, 4, 6)));    // Easter Monday
  EXPECT_FALSE(it->IsBusinessDay(Day(2026, 4, 4)));    // Saturday
  EXPECT_FALSE(it->IsBusinessDay(Day(2026, 12, 25)));  // Christmas
  EXPECT_TRUE(it->IsBusinessDay(Day(2026, 4, 7)));

  auto nl = HolidayCalendar::ForCountry("NL");
  ASSERT_TRUE(nl.ok()) << nl.status();
  EXPECT_FALSE(nl->IsBusinessDay(Day(2026, 4, 3)));  // Good Friday is a day off in NL

  auto bad = HolidayCalendar::ForCountry("XX");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("XX"));
}

TEST(HolidayCalendar, AddBusinessDaysSkipsHolidaysBothWays) {
  auto it = HolidayCalendar::ForCountry("IT");
  ASSERT_TRUE(it.ok()) << it.status();
  // Friday 2026-04-03: the weekend and Easter Monday are skipped.
  EXPECT_EQ(AddBusinessDays(*it, Day(2026, 4, 3), 1), Day(2026, 4, 7));
  EXPECT_EQ(AddBusinessDays(*it, Day(2026, 4, 3), 2), Day(2026, 4, 8));
  EXPECT_EQ(AddBusinessDays(*it, Day(2026, 4, 7), -1), Day(2026, 4, 3));
  EXPECT_EQ(AddBusinessDays(*it, Day(2026, 4, 6), 0), Day(2026, 4, 6));
  // Same answers as the core calendar, and the weekends-only default differs.
  EXPECT_EQ(AddBusinessDays(*it, Day(2026, 4, 3), 2),
            it->core_calendar().AddBusinessDays(Day(2026, 4, 3), 2));
  EXPECT_EQ(AddBusinessDays(DefaultCalendar(), Day(2026, 4, 3), 2), Day(2026, 4, 7));
}

// A business-day step offset counted on the Italian calendar: due Friday 2026-04-03, +2
// business days skips the weekend and Easter Monday 2026-04-06 (weekends only it would be
// Tuesday 2026-04-07) and fires on Wednesday 2026-04-08 at the send time.
TEST(HolidayCalendar, BusinessDayStepFiresAfterAnItalianHoliday) {
  const HolidayCalendar italy = *HolidayCalendar::ForCountry("IT");
  for (const bool with_holidays : {false, true}) {
    SCOPED_TRACE(with_holidays ? "IT calendar" : "weekends only");
    Harness h;
    h.strategy = testing::MustParse(R"(id: b
version: 1
currency: EUR
segments:
  - name: all
    steps:
      - offset_days: 2
        days: business
        contact: {channels: [email], template: t}
)");
    if (with_holidays) h.ctx.calendar = &italy;
    const absl::CivilDay fires = with_holidays ? Day(2026, 4, 8) : Day(2026, 4, 7);
    h.now = absl::FromCivil(absl::CivilSecond(2026, 4, 3, 12, 0, 0), absl::UTCTimeZone());
    ASSERT_TRUE(h.Apply(InvoiceIssued{"inv-1", Eur(10000), Day(2026, 4, 3), {}}).ok());
    ASSERT_TRUE(h.last.timer.arm);
    EXPECT_EQ(h.last.timer.due,
              absl::FromCivil(absl::CivilSecond(fires), absl::UTCTimeZone()) + absl::Hours(9));
    EXPECT_EQ(absl::FromUnixSeconds(h.c.timer_due().seconds()), h.last.timer.due);

    ASSERT_TRUE(h.FireTimer().ok());
    EXPECT_EQ(h.Today(), fires);
    auto contacts =
        h.Events(&v1::CaseEvent::contact_requested, &v1::CaseEvent::has_contact_requested);
    ASSERT_EQ(contacts.size(), 1u);
    EXPECT_EQ(contacts[0]->step(), 1);
    EXPECT_EQ(h.c.state(), v1::CASE_STATE_DUNNING);
    EXPECT_THAT(h.LastReason(), HasSubstr(with_holidays ? "5 days past due" : "4 days past due"));
    EXPECT_FALSE(h.c.has_timer_due());  // the only step ran
  }
}

}  // namespace
}  // namespace concerto::dunning
