// Conversions between the API's concerto.common.v1.Date and absl::CivilDay, shared by the
// invoice domain files (header-only, no I/O).
#pragma once

#include "absl/time/civil_time.h"
#include "concerto/common/v1/types.pb.h"

namespace concerto::invoice {

// IsValidDate is true for a real calendar day (year 1000..9999): 2025-02-29 is not one.
inline bool IsValidDate(const common::v1::Date& d) {
  if (d.year() < 1000 || d.year() > 9999 || d.month() < 1 || d.month() > 12 || d.day() < 1 ||
      d.day() > 31) {
    return false;
  }
  const absl::CivilDay day(d.year(), d.month(), d.day());
  return day.month() == d.month() && day.day() == d.day();
}

// ToCivilDay converts a Date (precondition: IsValidDate, else the day is normalised).
inline absl::CivilDay ToCivilDay(const common::v1::Date& d) {
  return absl::CivilDay(d.year(), d.month(), d.day());
}

// ToDate converts a CivilDay into the API's Date.
inline common::v1::Date ToDate(absl::CivilDay day) {
  common::v1::Date d;
  d.set_year(static_cast<int32_t>(day.year()));
  d.set_month(day.month());
  d.set_day(day.day());
  return d;
}

}  // namespace concerto::invoice
