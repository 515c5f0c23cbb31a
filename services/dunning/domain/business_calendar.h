// Business days for step offsets counted in business days. The engine reads the
// BusinessCalendar interface: the default counts weekends only; HolidayCalendar adds a
// country's public holidays from libs/core (IT, NL, FI, UK, US).
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "libs/core/calendar.h"

namespace concerto::dunning {

// BusinessCalendar says which days are business days (pure; no I/O).
class BusinessCalendar {
 public:
  virtual ~BusinessCalendar() = default;
  // IsBusinessDay is true for a working day.
  virtual bool IsBusinessDay(absl::CivilDay day) const = 0;
};

// WeekendsOnlyCalendar: Monday to Friday are business days, no holidays.
class WeekendsOnlyCalendar final : public BusinessCalendar {
 public:
  bool IsBusinessDay(absl::CivilDay day) const override;
};

// HolidayCalendar: a country's calendar from libs/core (weekends plus public holidays and
// substitute days). Cheap to copy, immutable, safe to share between threads.
class HolidayCalendar final : public BusinessCalendar {
 public:
  explicit HolidayCalendar(core::BusinessCalendar calendar) : calendar_(std::move(calendar)) {}

  // ForCountry: "IT", "NL", "FI", "UK" (or "GB"), "US", case-insensitive; INVALID_ARGUMENT
  // naming the code otherwise.
  static absl::StatusOr<HolidayCalendar> ForCountry(std::string_view iso2);

  bool IsBusinessDay(absl::CivilDay day) const override;

  const core::BusinessCalendar& core_calendar() const { return calendar_; }
  // The canonical country code: "IT", "NL", "FI", "UK", "US".
  const std::string& country() const { return calendar_.country(); }

 private:
  core::BusinessCalendar calendar_;
};

// DefaultCalendar returns a process-wide WeekendsOnlyCalendar.
const BusinessCalendar& DefaultCalendar();

// AddBusinessDays moves `offset` business days from `from` (negative: backwards). Offset 0
// returns `from` itself even on a non-business day; otherwise the result is a business day.
absl::CivilDay AddBusinessDays(const BusinessCalendar& calendar, absl::CivilDay from, int offset);

}  // namespace concerto::dunning
