#include "libs/core/calendar.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace concerto::core {
namespace {

using absl::CivilDay;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

BusinessCalendar Cal(const char* code) {
  absl::StatusOr<BusinessCalendar> cal = BusinessCalendar::ForCountry(code);
  EXPECT_TRUE(cal.ok()) << cal.status();
  return *std::move(cal);
}

// (date, substitute) of every holiday of a year, for whole-list comparisons.
std::vector<std::pair<CivilDay, bool>> Dates(const std::vector<Holiday>& hs) {
  std::vector<std::pair<CivilDay, bool>> out;
  for (const Holiday& h : hs) out.emplace_back(h.date, h.substitute);
  return out;
}

std::string NameOn(const BusinessCalendar& cal, CivilDay day) {
  for (const Holiday& h : cal.HolidaysIn(static_cast<int>(day.year()))) {
    if (h.date == day) return h.name;
  }
  return "";
}

TEST(EasterSunday, KnownYears) {
  EXPECT_EQ(EasterSunday(2024), CivilDay(2024, 3, 31));
  EXPECT_EQ(EasterSunday(2025), CivilDay(2025, 4, 20));
  EXPECT_EQ(EasterSunday(2026), CivilDay(2026, 4, 5));
  EXPECT_EQ(EasterSunday(2019), CivilDay(2019, 4, 21));
  EXPECT_EQ(EasterSunday(2000), CivilDay(2000, 4, 23));
  EXPECT_EQ(EasterSunday(2038), CivilDay(2038, 4, 25));  // latest possible date
  EXPECT_EQ(EasterSunday(2285), CivilDay(2285, 3, 22));  // earliest possible date
  for (int y = 1900; y < 2300; ++y) {
    const CivilDay e = EasterSunday(y);
    EXPECT_EQ(absl::GetWeekday(e), absl::Weekday::sunday) << y;
    EXPECT_GE(e, CivilDay(y, 3, 22)) << y;
    EXPECT_LE(e, CivilDay(y, 4, 25)) << y;
  }
}

TEST(NthWeekdayOfMonth, FirstNthAndLast) {
  EXPECT_EQ(NthWeekdayOfMonth(2026, 9, absl::Weekday::monday, 1), CivilDay(2026, 9, 7));
  EXPECT_EQ(NthWeekdayOfMonth(2026, 11, absl::Weekday::thursday, 4), CivilDay(2026, 11, 26));
  EXPECT_EQ(NthWeekdayOfMonth(2026, 5, absl::Weekday::monday, -1), CivilDay(2026, 5, 25));
  EXPECT_EQ(NthWeekdayOfMonth(2026, 8, absl::Weekday::monday, -1), CivilDay(2026, 8, 31));
  EXPECT_EQ(NthWeekdayOfMonth(2026, 12, absl::Weekday::thursday, -1), CivilDay(2026, 12, 31));
  // The month starting on the weekday itself.
  EXPECT_EQ(NthWeekdayOfMonth(2026, 6, absl::Weekday::monday, 1), CivilDay(2026, 6, 1));
}

TEST(BusinessCalendar, ForCountryRejectsUnknownCodesNamingThem) {
  absl::StatusOr<BusinessCalendar> cal = BusinessCalendar::ForCountry("XX");
  ASSERT_FALSE(cal.ok());
  EXPECT_EQ(cal.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(cal.status().message()), HasSubstr("\"XX\""));
  EXPECT_EQ(BusinessCalendar::ForCountry("").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(BusinessCalendar, CodesAreCaseInsensitiveAndGbIsUk) {
  EXPECT_EQ(Cal("it").country(), "IT");
  EXPECT_EQ(Cal("GB").country(), "UK");
  EXPECT_EQ(Cal("uk").country(), "UK");
  EXPECT_EQ(Cal("Us").country(), "US");
}

TEST(BusinessCalendar, Italy2026) {
  const BusinessCalendar it = Cal("IT");
  EXPECT_THAT(Dates(it.HolidaysIn(2026)),
              ElementsAreArray(std::vector<std::pair<CivilDay, bool>>{
                  {CivilDay(2026, 1, 1), false},   {CivilDay(2026, 1, 6), false},
                  {CivilDay(2026, 4, 5), false},   {CivilDay(2026, 4, 6), false},
                  {CivilDay(2026, 4, 25), false},  {CivilDay(2026, 5, 1), false},
                  {CivilDay(2026, 6, 2), false},   {CivilDay(2026, 8, 15), false},
                  {CivilDay(2026, 10, 4), false},  {CivilDay(2026, 11, 1), false},
                  {CivilDay(2026, 12, 8), false},  {CivilDay(2026, 12, 25), false},
                  {CivilDay(2026, 12, 26), false}}));
  EXPECT_THAT(NameOn(it, CivilDay(2026, 4, 25)), HasSubstr("Liberation Day"));
  EXPECT_THAT(NameOn(it, CivilDay(2026, 6, 2)), HasSubstr("Republic Day"));
  EXPECT_THAT(NameOn(it, CivilDay(2026, 12, 26)), HasSubstr("Santo Stefano"));
  EXPECT_FALSE(it.IsBusinessDay(CivilDay(2026, 6, 2)));   // Tuesday, Republic Day
  EXPECT_FALSE(it.IsBusinessDay(CivilDay(2026, 4, 6)));   // Easter Monday
  EXPECT_TRUE(it.IsBusinessDay(CivilDay(2026, 4, 3)));    // Good Friday is a working day in Italy
  EXPECT_TRUE(it.IsBusinessDay(CivilDay(2026, 6, 3)));
  // 4 October is a national holiday again from 2026 only.
  EXPECT_TRUE(it.IsBusinessDay(CivilDay(2024, 10, 4)));
  EXPECT_FALSE(it.IsHoliday(CivilDay(2025, 10, 4)));
  EXPECT_TRUE(it.IsHoliday(CivilDay(2027, 10, 4)));
}

TEST(BusinessCalendar, Netherlands2026AndKingsDayOnSunday) {
  const BusinessCalendar nl = Cal("NL");
  EXPECT_THAT(Dates(nl.HolidaysIn(2026)),
              ElementsAreArray(std::vector<std::pair<CivilDay, bool>>{
                  {CivilDay(2026, 1, 1), false},   {CivilDay(2026, 4, 3), false},
                  {CivilDay(2026, 4, 5), false},   {CivilDay(2026, 4, 6), false},
                  {CivilDay(2026, 4, 27), false},  {CivilDay(2026, 5, 5), false},
                  {CivilDay(2026, 5, 14), false},  {CivilDay(2026, 5, 24), false},
                  {CivilDay(2026, 5, 25), false},  {CivilDay(2026, 12, 25), false},
                  {CivilDay(2026, 12, 26), false}}));
  EXPECT_THAT(NameOn(nl, CivilDay(2026, 4, 27)), HasSubstr("King's Day"));
  EXPECT_THAT(NameOn(nl, CivilDay(2026, 5, 14)), HasSubstr("Ascension"));
  EXPECT_THAT(NameOn(nl, CivilDay(2026, 5, 25)), HasSubstr("Whit Monday"));
  EXPECT_FALSE(nl.IsBusinessDay(CivilDay(2026, 4, 27)));  // Monday
  EXPECT_FALSE(nl.IsBusinessDay(CivilDay(2026, 5, 14)));  // Thursday
  // 27 April 2025 is a Sunday: King's Day is Saturday the 26th.
  EXPECT_THAT(NameOn(nl, CivilDay(2025, 4, 26)), HasSubstr("King's Day"));
  EXPECT_EQ(NameOn(nl, CivilDay(2025, 4, 27)), "");
  // Before 2014: Queen's Day, 30 April.
  EXPECT_THAT(NameOn(nl, CivilDay(2013, 4, 30)), HasSubstr("Queen's Day"));
}

TEST(BusinessCalendar, Finland2026MidsummerAndAllSaints) {
  const BusinessCalendar fi = Cal("FI");
  EXPECT_THAT(Dates(fi.HolidaysIn(2026)),
              ElementsAreArray(std::vector<std::pair<CivilDay, bool>>{
                  {CivilDay(2026, 1, 1), false},   {CivilDay(2026, 1, 6), false},
                  {CivilDay(2026, 4, 3), false},   {CivilDay(2026, 4, 5), false},
                  {CivilDay(2026, 4, 6), false},   {CivilDay(2026, 5, 1), false},
                  {CivilDay(2026, 5, 14), false},  {CivilDay(2026, 5, 24), false},
                  {CivilDay(2026, 6, 19), false},  {CivilDay(2026, 6, 20), false},
                  {CivilDay(2026, 10, 31), false}, {CivilDay(2026, 12, 6), false},
                  {CivilDay(2026, 12, 24), false}, {CivilDay(2026, 12, 25), false},
                  {CivilDay(2026, 12, 26), false}}));
  EXPECT_THAT(NameOn(fi, CivilDay(2026, 6, 19)), HasSubstr("Midsummer Eve"));
  EXPECT_THAT(NameOn(fi, CivilDay(2026, 10, 31)), HasSubstr("All Saints"));
  // Every year: Midsummer Eve is the Friday between 19 and 25 June, All Saints' the Saturday
  // between 31 October and 6 November.
  for (int y = 2000; y <= 2100; ++y) {
    int eves = 0;
    int saints = 0;
    for (const Holiday& h : fi.HolidaysIn(y)) {
      if (h.name.find("Midsummer Eve") != std::string::npos) {
        ++eves;
        EXPECT_EQ(absl::GetWeekday(h.date), absl::Weekday::friday) << y;
        EXPECT_GE(h.date, CivilDay(y, 6, 19)) << y;
        EXPECT_LE(h.date, CivilDay(y, 6, 25)) << y;
      }
      if (h.name.find("All Saints") != std::string::npos) {
        ++saints;
        EXPECT_EQ(absl::GetWeekday(h.date), absl::Weekday::saturday) << y;
        EXPECT_GE(h.date, CivilDay(y, 10, 31)) << y;
        EXPECT_LE(h.date, CivilDay(y, 11, 6)) << y;
      }
    }
    EXPECT_EQ(eves, 1) << y;
    EXPECT_EQ(saints, 1) << y;
  }
}

TEST(BusinessCalendar, UnitedKingdom2026BankHolidays) {
  const BusinessCalendar uk = Cal("UK");
  EXPECT_THAT(Dates(uk.HolidaysIn(2026)),
              ElementsAreArray(std::vector<std::pair<CivilDay, bool>>{
                  {CivilDay(2026, 1, 1), false},   {CivilDay(2026, 4, 3), false},
                  {CivilDay(2026, 4, 6), false},   {CivilDay(2026, 5, 4), false},
                  {CivilDay(2026, 5, 25), false},  {CivilDay(2026, 8, 31), false},
                  {CivilDay(2026, 12, 25), false}, {CivilDay(2026, 12, 26), false},
                  {CivilDay(2026, 12, 28), true}}));
  EXPECT_THAT(NameOn(uk, CivilDay(2026, 5, 4)), HasSubstr("Early May"));
  EXPECT_THAT(NameOn(uk, CivilDay(2026, 5, 25)), HasSubstr("Spring"));
  EXPECT_THAT(NameOn(uk, CivilDay(2026, 8, 31)), HasSubstr("Summer"));
  EXPECT_THAT(NameOn(uk, CivilDay(2026, 12, 28)), HasSubstr("Boxing Day (substitute day)"));
}

TEST(BusinessCalendar, UnitedKingdomChristmasSubstitutes) {
  const BusinessCalendar uk = Cal("UK");
  // 2027: Christmas on Saturday, Boxing Day on Sunday -> Monday 27 and Tuesday 28.
  EXPECT_THAT(NameOn(uk, CivilDay(2027, 12, 27)), HasSubstr("Christmas Day (substitute day)"));
  EXPECT_THAT(NameOn(uk, CivilDay(2027, 12, 28)), HasSubstr("Boxing Day (substitute day)"));
  EXPECT_FALSE(uk.IsBusinessDay(CivilDay(2027, 12, 27)));
  EXPECT_FALSE(uk.IsBusinessDay(CivilDay(2027, 12, 28)));
  EXPECT_TRUE(uk.IsBusinessDay(CivilDay(2027, 12, 29)));
  // 2022: Christmas on Sunday -> Boxing Day Monday 26, Christmas substitute Tuesday 27.
  EXPECT_THAT(NameOn(uk, CivilDay(2022, 12, 26)), HasSubstr("Boxing Day"));
  EXPECT_THAT(NameOn(uk, CivilDay(2022, 12, 27)), HasSubstr("Christmas Day (substitute day)"));
  // New Year's Day on Saturday (2022) and Sunday (2023).
  EXPECT_FALSE(uk.IsBusinessDay(CivilDay(2022, 1, 3)));
  EXPECT_FALSE(uk.IsBusinessDay(CivilDay(2023, 1, 2)));
  // One-off changes: 2020 VE Day, 2022 jubilee and state funeral, 2023 coronation.
  EXPECT_FALSE(uk.IsBusinessDay(CivilDay(2020, 5, 8)));
  EXPECT_TRUE(uk.IsBusinessDay(CivilDay(2020, 5, 4)));
  EXPECT_FALSE(uk.IsBusinessDay(CivilDay(2022, 6, 2)));
  EXPECT_FALSE(uk.IsBusinessDay(CivilDay(2022, 6, 3)));
  EXPECT_TRUE(uk.IsBusinessDay(CivilDay(2022, 5, 30)));
  EXPECT_FALSE(uk.IsBusinessDay(CivilDay(2022, 9, 19)));
  EXPECT_FALSE(uk.IsBusinessDay(CivilDay(2023, 5, 8)));
}

TEST(BusinessCalendar, UnitedStates2026FederalHolidays) {
  const BusinessCalendar us = Cal("US");
  EXPECT_THAT(Dates(us.HolidaysIn(2026)),
              ElementsAreArray(std::vector<std::pair<CivilDay, bool>>{
                  {CivilDay(2026, 1, 1), false},   {CivilDay(2026, 1, 19), false},
                  {CivilDay(2026, 2, 16), false},  {CivilDay(2026, 5, 25), false},
                  {CivilDay(2026, 6, 19), false},  {CivilDay(2026, 7, 3), true},
                  {CivilDay(2026, 7, 4), false},   {CivilDay(2026, 9, 7), false},
                  {CivilDay(2026, 10, 12), false}, {CivilDay(2026, 11, 11), false},
                  {CivilDay(2026, 11, 26), false}, {CivilDay(2026, 12, 25), false}}));
  // Thanksgiving: fourth Thursday of November.
  EXPECT_THAT(NameOn(us, CivilDay(2026, 11, 26)), HasSubstr("Thanksgiving"));
  EXPECT_THAT(NameOn(us, CivilDay(2025, 11, 27)), HasSubstr("Thanksgiving"));
  EXPECT_THAT(NameOn(us, CivilDay(2024, 11, 28)), HasSubstr("Thanksgiving"));
  // Juneteenth observed: Sunday 2022 -> Monday 20; Saturday 2027 -> Friday 18; none before 2021.
  EXPECT_THAT(NameOn(us, CivilDay(2022, 6, 20)), HasSubstr("Juneteenth"));
  EXPECT_FALSE(us.IsBusinessDay(CivilDay(2022, 6, 20)));
  EXPECT_FALSE(us.IsBusinessDay(CivilDay(2027, 6, 18)));
  EXPECT_TRUE(us.IsBusinessDay(CivilDay(2020, 6, 19)));
  // New Year's Day 2028 is a Saturday: observed on Friday 31 December 2027, listed in 2027.
  const std::vector<Holiday> h2027 = us.HolidaysIn(2027);
  ASSERT_FALSE(h2027.empty());
  EXPECT_EQ(h2027.back().date, CivilDay(2027, 12, 31));
  EXPECT_TRUE(h2027.back().substitute);
  EXPECT_THAT(h2027.back().name, HasSubstr("New Year's Day (observed)"));
  EXPECT_EQ(us.HolidaysIn(2028).front().date, CivilDay(2028, 1, 1));
}

TEST(BusinessCalendar, IsHolidayAgreesWithHolidaysInEveryDay) {
  for (const char* code : {"IT", "NL", "FI", "UK", "US"}) {
    const BusinessCalendar cal = Cal(code);
    for (int y : {1999, 2024, 2026, 2027, 2199, 2200, 2350}) {
      std::vector<CivilDay> listed;
      for (const Holiday& h : cal.HolidaysIn(y)) listed.push_back(h.date);
      std::vector<CivilDay> found;
      for (CivilDay d(y, 1, 1); d.year() == y; ++d) {
        if (cal.IsHoliday(d)) found.push_back(d);
        EXPECT_EQ(cal.IsBusinessDay(d), !cal.IsHoliday(d) && !cal.IsWeekend(d)) << code << d;
      }
      listed.erase(std::unique(listed.begin(), listed.end()), listed.end());
      EXPECT_EQ(found, listed) << code << " " << y;
    }
  }
}

TEST(BusinessCalendar, AddBusinessDaysSkipsWeekendsAndHolidays) {
  const BusinessCalendar it = Cal("IT");
  // Plain weekend: Friday 13 March 2026 + 1 = Monday 16.
  EXPECT_EQ(it.AddBusinessDays(CivilDay(2026, 3, 13), 1), CivilDay(2026, 3, 16));
  EXPECT_EQ(it.AddBusinessDays(CivilDay(2026, 3, 16), -1), CivilDay(2026, 3, 13));
  EXPECT_EQ(it.AddBusinessDays(CivilDay(2026, 3, 13), 5), CivilDay(2026, 3, 20));
  // Weekend plus Easter Monday: Friday 3 April + 1 = Tuesday 7 April.
  EXPECT_EQ(it.AddBusinessDays(CivilDay(2026, 4, 3), 1), CivilDay(2026, 4, 7));
  EXPECT_EQ(it.AddBusinessDays(CivilDay(2026, 4, 7), -1), CivilDay(2026, 4, 3));
  // From a non-business day: Saturday 4 April + 1 = Tuesday 7 April.
  EXPECT_EQ(it.AddBusinessDays(CivilDay(2026, 4, 4), 1), CivilDay(2026, 4, 7));
  EXPECT_EQ(it.AddBusinessDays(CivilDay(2026, 4, 4), 0), CivilDay(2026, 4, 4));
  EXPECT_EQ(it.NextBusinessDayOnOrAfter(CivilDay(2026, 4, 4)), CivilDay(2026, 4, 7));
  EXPECT_EQ(it.NextBusinessDayOnOrAfter(CivilDay(2026, 4, 7)), CivilDay(2026, 4, 7));

  // NL: Good Friday is off too, so Tuesday 7 April - 1 = Thursday 2 April.
  EXPECT_EQ(Cal("NL").AddBusinessDays(CivilDay(2026, 4, 7), -1), CivilDay(2026, 4, 2));
  // UK: Thursday 24 December 2026 + 1 skips Christmas, the weekend and Boxing Day's substitute.
  EXPECT_EQ(Cal("UK").AddBusinessDays(CivilDay(2026, 12, 24), 1), CivilDay(2026, 12, 29));
  // US: across an observed New Year's Day in the previous year.
  EXPECT_EQ(Cal("US").AddBusinessDays(CivilDay(2027, 12, 30), 1), CivilDay(2028, 1, 3));
  // FI: Thursday 18 June 2026 + 1 skips Midsummer Eve and the weekend.
  EXPECT_EQ(Cal("FI").AddBusinessDays(CivilDay(2026, 6, 18), 1), CivilDay(2026, 6, 22));

  // Round trips over a year.
  const CivilDay start(2026, 1, 2);
  for (int n : {10, 100, 250}) {
    const CivilDay fwd = it.AddBusinessDays(start, n);
    EXPECT_TRUE(it.IsBusinessDay(fwd));
    EXPECT_EQ(it.AddBusinessDays(fwd, -n), start) << n;
  }
}

absl::Time Utc(int y, int mo, int d, int h, int mi, int s) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s), absl::UTCTimeZone());
}

absl::TimeZone Rome() {
  absl::StatusOr<absl::TimeZone> rome = LoadZone("Europe/Rome");
  EXPECT_TRUE(rome.ok()) << rome.status() << " (the tzdata package must be installed)";
  return rome.ok() ? *rome : absl::UTCTimeZone();
}

TEST(TimeZones, LoadZoneValidatesNames) {
  EXPECT_TRUE(LoadZone("UTC").ok());
  EXPECT_TRUE(LoadZone("Europe/Rome").ok()) << "the tzdata package must be installed";
  for (const char* bad : {"", "Mars/Olympus_Mons", "/etc/passwd", "../zoneinfo/UTC"}) {
    absl::StatusOr<absl::TimeZone> z = LoadZone(bad);
    ASSERT_FALSE(z.ok()) << bad;
    EXPECT_EQ(z.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_THAT(std::string(LoadZone("Mars/Olympus_Mons").status().message()),
              HasSubstr("Mars/Olympus_Mons"));
}

TEST(TimeZones, LocalDayAroundRomeSpringForward) {
  const absl::TimeZone rome = Rome();
  // 29 March 2026: 02:00 CET (UTC+1) jumps to 03:00 CEST (UTC+2) at 01:00 UTC.
  EXPECT_EQ(LocalDay(Utc(2026, 3, 28, 22, 59, 59), rome), CivilDay(2026, 3, 28));
  EXPECT_EQ(LocalDay(Utc(2026, 3, 28, 23, 0, 0), rome), CivilDay(2026, 3, 29));
  EXPECT_EQ(LocalDay(Utc(2026, 3, 29, 21, 59, 59), rome), CivilDay(2026, 3, 29));
  EXPECT_EQ(LocalDay(Utc(2026, 3, 29, 22, 0, 0), rome), CivilDay(2026, 3, 30));
  // A fixed UTC+1 offset would still say the 29th at 22:30 UTC; Rome is already on the 30th.
  const absl::TimeZone cet = absl::FixedTimeZone(3600);
  EXPECT_EQ(LocalDay(Utc(2026, 3, 29, 22, 30, 0), cet), CivilDay(2026, 3, 29));
  EXPECT_EQ(LocalDay(Utc(2026, 3, 29, 22, 30, 0), rome), CivilDay(2026, 3, 30));
  // The local day is 23 hours long.
  EXPECT_EQ(absl::FromCivil(CivilDay(2026, 3, 30), rome) - absl::FromCivil(CivilDay(2026, 3, 29), rome),
            absl::Hours(23));
}

TEST(TimeZones, LocalDayAroundRomeFallBack) {
  const absl::TimeZone rome = Rome();
  // 25 October 2026: 03:00 CEST falls back to 02:00 CET at 01:00 UTC.
  EXPECT_EQ(LocalDay(Utc(2026, 10, 24, 21, 59, 59), rome), CivilDay(2026, 10, 24));
  EXPECT_EQ(LocalDay(Utc(2026, 10, 24, 22, 0, 0), rome), CivilDay(2026, 10, 25));
  EXPECT_EQ(LocalDay(Utc(2026, 10, 25, 22, 59, 59), rome), CivilDay(2026, 10, 25));
  EXPECT_EQ(LocalDay(Utc(2026, 10, 25, 23, 0, 0), rome), CivilDay(2026, 10, 26));
  // The local day is 25 hours long.
  EXPECT_EQ(absl::FromCivil(CivilDay(2026, 10, 26), rome) - absl::FromCivil(CivilDay(2026, 10, 25), rome),
            absl::Hours(25));
}

}  // namespace
}  // namespace concerto::core
