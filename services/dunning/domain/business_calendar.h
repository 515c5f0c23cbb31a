// Business days for step offsets counted in business days. libs/core has no holiday calendar
// yet: this is the seam a per-country holiday calendar plugs into later; the default counts
// weekends only.
#pragma once

#include "absl/time/civil_time.h"

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

// DefaultCalendar returns a process-wide WeekendsOnlyCalendar.
const BusinessCalendar& DefaultCalendar();

// AddBusinessDays moves `offset` business days from `from` (negative: backwards). Offset 0
// returns `from` itself even on a non-business day; otherwise the result is a business day.
absl::CivilDay AddBusinessDays(const BusinessCalendar& calendar, absl::CivilDay from, int offset);

}  // namespace concerto::dunning
