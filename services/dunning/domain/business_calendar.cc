#include "services/dunning/domain/business_calendar.h"

namespace concerto::dunning {

bool WeekendsOnlyCalendar::IsBusinessDay(absl::CivilDay day) const {
  const absl::Weekday wd = absl::GetWeekday(day);
  return wd != absl::Weekday::saturday && wd != absl::Weekday::sunday;
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
