// Business calendars (weekends and public holidays per country) and time-zone helpers.
//
// Holidays are computed from rules, not tables: fixed dates, Easter-based dates (Gregorian
// computus), nth-weekday rules and the substitute ("observed") days of the UK and the US. Pure
// code: no I/O, except LoadZone, which reads the system tzdata through Abseil.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace concerto::core {

// One public holiday (or its substitute day).
struct Holiday {
  absl::CivilDay date;
  std::string name;
  // True for a day off that replaces a holiday falling on a weekend (UK substitute day, US
  // "observed" day). The holiday itself is listed too, on its own date.
  bool substitute = false;

  friend bool operator==(const Holiday&, const Holiday&) = default;
};

// Easter Sunday of a Gregorian year (anonymous Gregorian algorithm; valid for any year >= 1583).
absl::CivilDay EasterSunday(int year);

// The n-th (1-based) given weekday of a month, or with n < 0 the |n|-th from the end
// (-1 = last). Precondition: the month has such a day (n in [-4, 4] always works).
absl::CivilDay NthWeekdayOfMonth(int year, int month, absl::Weekday weekday, int n);

// A country's business calendar: Saturday and Sunday are weekends, plus the public holidays of
// the country. Cheap to copy (the precomputed holiday table is shared and immutable) and safe
// to use from several threads.
//
// Supported codes (case-insensitive): IT, NL, FI, UK or GB (England & Wales), US (federal).
// - IT: national holidays (incl. Easter Monday; 4 October from 2026); no local patron saints.
// - NL: holidays of the Algemene termijnenwet (incl. Good Friday and 5 May every year);
//   King's Day 27 April, or 26 April when the 27th is a Sunday.
// - FI: official holidays plus Midsummer Eve and Christmas Eve (banks and offices closed).
// - UK: England & Wales bank holidays with substitute days, and the known one-off changes.
// - US: federal holidays; Saturday holidays observed on Friday, Sunday ones on Monday.
class BusinessCalendar {
 public:
  // INVALID_ARGUMENT naming the code when it is not supported.
  static absl::StatusOr<BusinessCalendar> ForCountry(std::string_view iso2);

  // The canonical code: "IT", "NL", "FI", "UK", "US".
  const std::string& country() const;

  bool IsWeekend(absl::CivilDay day) const;
  bool IsHoliday(absl::CivilDay day) const;
  // Neither a weekend nor a holiday (nor a substitute day).
  bool IsBusinessDay(absl::CivilDay day) const;

  // The day n business days after `day` (before it for n < 0). `day` itself need not be a
  // business day; n == 0 returns `day` unchanged. AddBusinessDays(Fri, 1) is the next Monday
  // when that is a business day.
  absl::CivilDay AddBusinessDays(absl::CivilDay day, int n) const;

  // `day` if it is a business day, else the next one after it.
  absl::CivilDay NextBusinessDayOnOrAfter(absl::CivilDay day) const;

  // The holidays and substitute days dated in `year`, in date order. A US observed day can fall
  // in the previous year (New Year's Day on a Saturday is observed on 31 December): it is listed
  // in the year it is dated in.
  std::vector<Holiday> HolidaysIn(int year) const;

  struct Rules;  // implementation detail

 private:
  explicit BusinessCalendar(std::shared_ptr<const Rules> rules) : rules_(std::move(rules)) {}
  std::shared_ptr<const Rules> rules_;
};

// Loads an IANA time zone ("Europe/Rome") from the system tzdata (Debian package tzdata).
// INVALID_ARGUMENT naming the zone when it is empty, a path, or cannot be loaded (unknown name,
// or tzdata missing). "UTC" works without tzdata.
absl::StatusOr<absl::TimeZone> LoadZone(const std::string& name);

// The calendar day an instant falls on in a zone (DST-aware).
absl::CivilDay LocalDay(absl::Time t, absl::TimeZone zone);

}  // namespace concerto::core
