#include "libs/core/calendar.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <tuple>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace concerto::core {

absl::CivilDay EasterSunday(int year) {
  // Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
  const int a = year % 19;
  const int b = year / 100;
  const int c = year % 100;
  const int d = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = (h + l - 7 * m + 114) % 31 + 1;
  return absl::CivilDay(year, month, day);
}

absl::CivilDay NthWeekdayOfMonth(int year, int month, absl::Weekday weekday, int n) {
  if (n >= 0) {
    const absl::CivilDay before_first = absl::CivilDay(year, month, 1) - 1;
    return absl::NextWeekday(before_first, weekday) + 7 * (std::max(n, 1) - 1);
  }
  const absl::CivilDay after_last = absl::CivilDay(year, month + 1, 1);  // normalises month 13
  return absl::PrevWeekday(after_last, weekday) - 7 * (-n - 1);
}

namespace {

using absl::CivilDay;
using absl::Weekday;

bool WeekendDay(CivilDay d) {
  const Weekday w = absl::GetWeekday(d);
  return w == Weekday::saturday || w == Weekday::sunday;
}

// The holidays of one "rule year" (may include a US observed day dated in the previous year).
using RuleFn = void (*)(int year, std::vector<Holiday>& out);

void Add(std::vector<Holiday>& out, CivilDay d, std::string name, bool substitute = false) {
  out.push_back(Holiday{d, std::move(name), substitute});
}

// UK substitute days: each listed holiday that falls on a weekend gives the next weekday that is
// not already a holiday or substitute day (Christmas on Saturday -> Monday 27 and Boxing Day ->
// Tuesday 28; Christmas on Sunday -> Tuesday 27, as Boxing Day holds Monday 26).
void AddUkWithSubstitutes(std::vector<Holiday>& out,
                          std::initializer_list<std::pair<CivilDay, const char*>> days) {
  for (const auto& [d, name] : days) Add(out, d, name);
  auto taken = [&out](CivilDay day) {
    return std::any_of(out.begin(), out.end(), [day](const Holiday& h) { return h.date == day; });
  };
  for (const auto& [d, name] : days) {
    if (!WeekendDay(d)) continue;
    CivilDay s = d + 1;
    while (WeekendDay(s) || taken(s)) s += 1;
    Add(out, s, absl::StrCat(name, " (substitute day)"), true);
  }
}

// US federal rule (5 U.S.C. 6103(b)): Saturday -> the Friday before, Sunday -> the Monday after.
void AddUsWithObserved(std::vector<Holiday>& out, CivilDay d, const std::string& name) {
  Add(out, d, name);
  const Weekday w = absl::GetWeekday(d);
  if (w == Weekday::saturday) Add(out, d - 1, name + " (observed)", true);
  if (w == Weekday::sunday) Add(out, d + 1, name + " (observed)", true);
}

void ItalyRules(int y, std::vector<Holiday>& out) {
  const CivilDay easter = EasterSunday(y);
  Add(out, CivilDay(y, 1, 1), "New Year's Day (Capodanno)");
  Add(out, CivilDay(y, 1, 6), "Epiphany (Epifania)");
  Add(out, easter, "Easter Sunday (Pasqua)");
  Add(out, easter + 1, "Easter Monday (Lunedì dell'Angelo)");
  Add(out, CivilDay(y, 4, 25), "Liberation Day (Festa della Liberazione)");
  Add(out, CivilDay(y, 5, 1), "Labour Day (Festa del Lavoro)");
  Add(out, CivilDay(y, 6, 2), "Republic Day (Festa della Repubblica)");
  Add(out, CivilDay(y, 8, 15), "Assumption (Ferragosto)");
  if (y >= 2026) Add(out, CivilDay(y, 10, 4), "St Francis of Assisi (San Francesco)");
  Add(out, CivilDay(y, 11, 1), "All Saints' Day (Ognissanti)");
  Add(out, CivilDay(y, 12, 8), "Immaculate Conception (Immacolata)");
  Add(out, CivilDay(y, 12, 25), "Christmas Day (Natale)");
  Add(out, CivilDay(y, 12, 26), "St Stephen's Day (Santo Stefano)");
}

void NetherlandsRules(int y, std::vector<Holiday>& out) {
  const CivilDay easter = EasterSunday(y);
  Add(out, CivilDay(y, 1, 1), "New Year's Day (Nieuwjaarsdag)");
  Add(out, easter - 2, "Good Friday (Goede Vrijdag)");
  Add(out, easter, "Easter Sunday (Eerste Paasdag)");
  Add(out, easter + 1, "Easter Monday (Tweede Paasdag)");
  if (y >= 2014) {
    // King's Day: 27 April, moved to the 26th when the 27th is a Sunday.
    CivilDay kings(y, 4, 27);
    if (absl::GetWeekday(kings) == Weekday::sunday) kings -= 1;
    Add(out, kings, "King's Day (Koningsdag)");
  } else {
    // Queen's Day: 30 April, moved to the 29th when the 30th is a Sunday.
    CivilDay queens(y, 4, 30);
    if (absl::GetWeekday(queens) == Weekday::sunday) queens -= 1;
    Add(out, queens, "Queen's Day (Koninginnedag)");
  }
  Add(out, CivilDay(y, 5, 5), "Liberation Day (Bevrijdingsdag)");
  Add(out, easter + 39, "Ascension Day (Hemelvaartsdag)");
  Add(out, easter + 49, "Whit Sunday (Eerste Pinksterdag)");
  Add(out, easter + 50, "Whit Monday (Tweede Pinksterdag)");
  Add(out, CivilDay(y, 12, 25), "Christmas Day (Eerste Kerstdag)");
  Add(out, CivilDay(y, 12, 26), "Boxing Day (Tweede Kerstdag)");
}

void FinlandRules(int y, std::vector<Holiday>& out) {
  const CivilDay easter = EasterSunday(y);
  Add(out, CivilDay(y, 1, 1), "New Year's Day (Uudenvuodenpäivä)");
  Add(out, CivilDay(y, 1, 6), "Epiphany (Loppiainen)");
  Add(out, easter - 2, "Good Friday (Pitkäperjantai)");
  Add(out, easter, "Easter Sunday (Pääsiäispäivä)");
  Add(out, easter + 1, "Easter Monday (2. pääsiäispäivä)");
  Add(out, CivilDay(y, 5, 1), "May Day (Vappu)");
  Add(out, easter + 39, "Ascension Day (Helatorstai)");
  Add(out, easter + 49, "Whit Sunday (Helluntaipäivä)");
  // Midsummer Day is the Saturday between 20 and 26 June; its Eve the Friday before.
  const CivilDay midsummer = absl::NextWeekday(CivilDay(y, 6, 19), Weekday::saturday);
  Add(out, midsummer - 1, "Midsummer Eve (Juhannusaatto)");
  Add(out, midsummer, "Midsummer Day (Juhannuspäivä)");
  // All Saints' Day is the Saturday between 31 October and 6 November.
  Add(out, absl::NextWeekday(CivilDay(y, 10, 30), Weekday::saturday),
      "All Saints' Day (Pyhäinpäivä)");
  Add(out, CivilDay(y, 12, 6), "Independence Day (Itsenäisyyspäivä)");
  Add(out, CivilDay(y, 12, 24), "Christmas Eve (Jouluaatto)");
  Add(out, CivilDay(y, 12, 25), "Christmas Day (Joulupäivä)");
  Add(out, CivilDay(y, 12, 26), "Boxing Day (Tapaninpäivä)");
}

void UkRules(int y, std::vector<Holiday>& out) {
  const CivilDay easter = EasterSunday(y);
  AddUkWithSubstitutes(out, {{CivilDay(y, 1, 1), "New Year's Day"}});
  Add(out, easter - 2, "Good Friday");
  Add(out, easter + 1, "Easter Monday");

  // Early May bank holiday: first Monday of May (moved to 8 May for VE Day in 1995 and 2020).
  if (y == 1995 || y == 2020) {
    Add(out, CivilDay(y, 5, 8), "Early May bank holiday (VE Day)");
  } else {
    Add(out, NthWeekdayOfMonth(y, 5, Weekday::monday, 1), "Early May bank holiday");
  }
  // Spring bank holiday: last Monday of May, moved for the jubilees.
  if (y == 2002) {
    Add(out, CivilDay(2002, 6, 3), "Golden Jubilee bank holiday");
    Add(out, CivilDay(2002, 6, 4), "Spring bank holiday");
  } else if (y == 2012) {
    Add(out, CivilDay(2012, 6, 4), "Spring bank holiday");
    Add(out, CivilDay(2012, 6, 5), "Queen's Diamond Jubilee");
  } else if (y == 2022) {
    Add(out, CivilDay(2022, 6, 2), "Spring bank holiday");
    Add(out, CivilDay(2022, 6, 3), "Platinum Jubilee bank holiday");
  } else {
    Add(out, NthWeekdayOfMonth(y, 5, Weekday::monday, -1), "Spring bank holiday");
  }
  Add(out, NthWeekdayOfMonth(y, 8, Weekday::monday, -1), "Summer bank holiday");
  // One-off days proclaimed by royal proclamation.
  if (y == 1999) Add(out, CivilDay(1999, 12, 31), "Millennium Celebrations");
  if (y == 2011) Add(out, CivilDay(2011, 4, 29), "Royal wedding");
  if (y == 2022) Add(out, CivilDay(2022, 9, 19), "State Funeral of Queen Elizabeth II");
  if (y == 2023) Add(out, CivilDay(2023, 5, 8), "Coronation of King Charles III");

  AddUkWithSubstitutes(out, {{CivilDay(y, 12, 25), "Christmas Day"},
                             {CivilDay(y, 12, 26), "Boxing Day"}});
}

void UsRules(int y, std::vector<Holiday>& out) {
  AddUsWithObserved(out, CivilDay(y, 1, 1), "New Year's Day");
  if (y >= 1986) {
    Add(out, NthWeekdayOfMonth(y, 1, Weekday::monday, 3), "Birthday of Martin Luther King, Jr.");
  }
  Add(out, NthWeekdayOfMonth(y, 2, Weekday::monday, 3), "Washington's Birthday");
  Add(out, NthWeekdayOfMonth(y, 5, Weekday::monday, -1), "Memorial Day");
  if (y >= 2021) AddUsWithObserved(out, CivilDay(y, 6, 19), "Juneteenth National Independence Day");
  AddUsWithObserved(out, CivilDay(y, 7, 4), "Independence Day");
  Add(out, NthWeekdayOfMonth(y, 9, Weekday::monday, 1), "Labor Day");
  Add(out, NthWeekdayOfMonth(y, 10, Weekday::monday, 2), "Columbus Day");
  AddUsWithObserved(out, CivilDay(y, 11, 11), "Veterans Day");
  Add(out, NthWeekdayOfMonth(y, 11, Weekday::thursday, 4), "Thanksgiving Day");
  AddUsWithObserved(out, CivilDay(y, 12, 25), "Christmas Day");
}

// Years covered by the precomputed table; outside it holidays are computed on each call.
constexpr int kTableFirstYear = 1900;
constexpr int kTableEndYear = 2200;  // exclusive

std::vector<Holiday> ComputeHolidaysIn(RuleFn rules, int year) {
  std::vector<Holiday> all;
  // A rule year can date a day in the year before (US: New Year's Day observed on 31 Dec).
  rules(year, all);
  rules(year + 1, all);
  std::vector<Holiday> out;
  for (Holiday& h : all) {
    if (h.date.year() == year) out.push_back(std::move(h));
  }
  std::sort(out.begin(), out.end(), [](const Holiday& a, const Holiday& b) {
    return std::tie(a.date, a.substitute, a.name) < std::tie(b.date, b.substitute, b.name);
  });
  return out;
}

}  // namespace

struct BusinessCalendar::Rules {
  std::string country;
  RuleFn rules = nullptr;
  // off[i]: holiday or substitute day, i = days since kTableFirstYear-01-01.
  std::vector<bool> off;

  static std::shared_ptr<const Rules> Build(std::string country, RuleFn fn) {
    auto r = std::make_shared<Rules>();
    r->country = std::move(country);
    r->rules = fn;
    const CivilDay first(kTableFirstYear, 1, 1);
    r->off.assign(static_cast<size_t>(CivilDay(kTableEndYear, 1, 1) - first), false);
    for (int y = kTableFirstYear; y < kTableEndYear; ++y) {
      for (const Holiday& h : ComputeHolidaysIn(fn, y)) r->off[static_cast<size_t>(h.date - first)] = true;
    }
    return r;
  }
};

absl::StatusOr<BusinessCalendar> BusinessCalendar::ForCountry(std::string_view iso2) {
  // Debian's Abseil has its own string_view: go through std::string.
  const std::string given(iso2);
  const std::string code = absl::AsciiStrToUpper(given);
  // Built once per process on first use (thread-safe static initialisation), then shared.
  if (code == "IT") {
    static const auto* it = new std::shared_ptr<const Rules>(Rules::Build("IT", &ItalyRules));
    return BusinessCalendar(*it);
  }
  if (code == "NL") {
    static const auto* nl = new std::shared_ptr<const Rules>(Rules::Build("NL", &NetherlandsRules));
    return BusinessCalendar(*nl);
  }
  if (code == "FI") {
    static const auto* fi = new std::shared_ptr<const Rules>(Rules::Build("FI", &FinlandRules));
    return BusinessCalendar(*fi);
  }
  if (code == "UK" || code == "GB") {
    static const auto* uk = new std::shared_ptr<const Rules>(Rules::Build("UK", &UkRules));
    return BusinessCalendar(*uk);
  }
  if (code == "US") {
    static const auto* us = new std::shared_ptr<const Rules>(Rules::Build("US", &UsRules));
    return BusinessCalendar(*us);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unsupported country code \"", given, "\" (supported: IT, NL, FI, UK/GB, US)"));
}

const std::string& BusinessCalendar::country() const { return rules_->country; }

bool BusinessCalendar::IsWeekend(absl::CivilDay day) const { return WeekendDay(day); }

bool BusinessCalendar::IsHoliday(absl::CivilDay day) const {
  const int64_t year = day.year();
  if (year >= kTableFirstYear && year < kTableEndYear) {
    return rules_->off[static_cast<size_t>(day - CivilDay(kTableFirstYear, 1, 1))];
  }
  const std::vector<Holiday> hs = ComputeHolidaysIn(rules_->rules, static_cast<int>(year));
  return std::any_of(hs.begin(), hs.end(), [day](const Holiday& h) { return h.date == day; });
}

bool BusinessCalendar::IsBusinessDay(absl::CivilDay day) const {
  return !IsWeekend(day) && !IsHoliday(day);
}

absl::CivilDay BusinessCalendar::AddBusinessDays(absl::CivilDay day, int n) const {
  const int step = n < 0 ? -1 : 1;
  for (int left = std::abs(n); left > 0;) {
    day += step;
    if (IsBusinessDay(day)) --left;
  }
  return day;
}

absl::CivilDay BusinessCalendar::NextBusinessDayOnOrAfter(absl::CivilDay day) const {
  while (!IsBusinessDay(day)) day += 1;
  return day;
}

std::vector<Holiday> BusinessCalendar::HolidaysIn(int year) const {
  return ComputeHolidaysIn(rules_->rules, year);
}

absl::StatusOr<absl::TimeZone> LoadZone(const std::string& name) {
  if (name.empty()) return absl::InvalidArgumentError("time zone name is empty");
  if (name.front() == '/' || absl::StrContains(name, "..")) {
    return absl::InvalidArgumentError(
        absl::StrCat("time zone \"", name, "\" is not an IANA zone name"));
  }
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(name, &zone)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown time zone \"", name, "\" (IANA name expected, e.g. Europe/Rome; needs tzdata)"));
  }
  return zone;
}

absl::CivilDay LocalDay(absl::Time t, absl::TimeZone zone) { return absl::ToCivilDay(t, zone); }

}  // namespace concerto::core
