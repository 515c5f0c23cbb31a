#include "services/dunning/domain/business_calendar.h"

namespace concerto::dunning {

bool WeekendsOnlyCalendar::IsBusinessDay(absl::CivilDay day) const {
  const absl::Weekday wd = absl::GetWeekday(day);
  return wd != absl::Weekday::saturday && wd != absl::Weekday::sunday;
}

absl::StatusOr<HolidayCalendar> HolidayCalendar::ForCountry(std::string_view iso2) {
  absl::StatusOr<core::BusinessCalendar> calendar = core::BusinessCalendar::ForCountry(iso2);
  if (!calendar.ok()) return calendar.status();
  return HolidayCalendar(*std::move(calendar));
}

bool HolidayCalendar::IsBusinessDay(absl::CivilDay day) const {
  return calendar_.IsBusinessDay(day);
}

const BusinessCalendar& DefaultCalendar() {
  static const WeekendsOnlyCalendar kCalendar;
  return kCalendar;
}

absl::CivilDay AddBusinessDays(const BusinessCalendar& calendar, absl::CivilDay from, int offset) {
  const int dir = offset < 0 ? -1 : 1;
  int left = offset < 0 ? -offset : offset;
  absl::CivilDay day = from;
  while (left > 0) {
    day += dir;
    if (calendar.IsBusinessDay(day)) --left;
  }
  return day;
}

}  // namespace concerto::dunning
