#include "libs/rules/interest.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace concerto::rules {
namespace {

// Bounds that keep every intermediate product far inside Int128.
constexpr int64_t kMaxDays = 100 * 366;
constexpr int64_t kMaxAbsRateMillionths = 100 * kMillionthsPerUnit;  // 10,000 %
constexpr int64_t kDaysPerYear = 365;

std::string Day(absl::CivilDay d) { return absl::FormatCivilTime(d); }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool ParseDay(std::string_view text, absl::CivilDay& out) {
  // ParseCivilTime normalises out-of-range fields; require a round trip for strictness.
  absl::CivilDay day;
  if (!absl::ParseCivilTime(absl::string_view(text.data(), text.size()), &day)) return false;
  if (absl::FormatCivilTime(day) != text) return false;
  out = day;
  return true;
}

// CeilToMultiple rounds `value` up to a multiple of `step` (step > 0).
int64_t CeilToMultiple(int64_t value, int64_t step) {
  int64_t q = value / step;
  if (value % step != 0 && value > 0) ++q;
  return q * step;
}

// TableIndexOn returns the index of the entry in force on `day`, or -1.
int TableIndexOn(const RateTable& table, absl::CivilDay day) {
  if (table.entries.empty() || day < table.entries.front().effective_from ||
      day > table.valid_through) {
    return -1;
  }
  const auto it = std::upper_bound(
      table.entries.begin(), table.entries.end(), day,
      [](absl::CivilDay d, const RateEntry& e) { return d < e.effective_from; });
  return static_cast<int>(it - table.entries.begin()) - 1;
}

absl::Status ValidateTable(const RateTable& table) {
  for (size_t i = 1; i < table.entries.size(); ++i) {
    if (!(table.entries[i - 1].effective_from < table.entries[i].effective_from)) {
      return absl::InvalidArgumentError(absl::StrCat("rate_table: ", table.name,
                                                     ": entries not in increasing date order at ",
                                                     Day(table.entries[i].effective_from)));
    }
  }
  return absl::OkStatus();
}

absl::Status NoRate(const RateTable& table, absl::CivilDay day) {
  return absl::InvalidArgumentError(
      absl::StrCat("rate_table: ", table.name, " has no rate for ", Day(day)));
}

}  // namespace

absl::StatusOr<RateTable> ParseRateTable(std::string_view name, std::string_view text) {
  RateTable table;
  table.name = std::string(name);
  bool have_valid_through = false;
  int line_no = 0;
  for (absl::string_view raw : absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    ++line_no;
    const std::string_view line = Trim(std::string_view(raw.data(), raw.size()));
    if (line.empty() || line.front() == '#') continue;
    const auto bad = [&](std::string_view why) {
      return absl::InvalidArgumentError(absl::StrCat("rate_table: ", table.name, " line ",
                                                     line_no, ": ", std::string(why)));
    };
    const size_t space = line.find(' ');
    if (space == std::string_view::npos) return bad("expected '<date> <percent>'");
    const std::string_view key = line.substr(0, space);
    const std::string_view value = Trim(line.substr(space + 1));
    if (key == "valid_through") {
      if (!ParseDay(value, table.valid_through)) return bad("bad valid_through date");
      have_valid_through = true;
      continue;
    }
    RateEntry entry;
    if (!ParseDay(key, entry.effective_from)) return bad("bad date");
    absl::StatusOr<Rate> rate = ParseRatePercent(value);
    if (!rate.ok()) {
      const absl::string_view why = rate.status().message();
      return bad(std::string_view(why.data(), why.size()));
    }
    entry.reference = *rate;
    table.entries.push_back(entry);
  }
  if (table.entries.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("rate_table: ", table.name, ": no entries"));
  }
  if (!have_valid_through) {
    return absl::InvalidArgumentError(
        absl::StrCat("rate_table: ", table.name, ": missing valid_through line"));
  }
  if (absl::Status s = ValidateTable(table); !s.ok()) return s;
  return table;
}

absl::StatusOr<Rate> ReferenceRateOn(const RateTable& table, absl::CivilDay day) {
  if (absl::Status s = ValidateTable(table); !s.ok()) return s;
  const int i = TableIndexOn(table, day);
  if (i < 0) return NoRate(table, day);
  return table.entries[static_cast<size_t>(i)].reference;
}

InterestRule RuleFor(Jurisdiction jurisdiction) {
  switch (jurisdiction) {
    case Jurisdiction::kEu:
      return InterestRule{"", Rate::BasisPoints(800), Rate{0}, false};
    case Jurisdiction::kItaly:
      return InterestRule{"EUR", Rate::BasisPoints(800), Rate{0}, false};
    case Jurisdiction::kFiConsumer:
      return InterestRule{"EUR", Rate::BasisPoints(700), Rate::BasisPoints(50), false};
    case Jurisdiction::kFiCommercial:
      return InterestRule{"EUR", Rate::BasisPoints(800), Rate::BasisPoints(50), false};
    case Jurisdiction::kUk:
      return InterestRule{"GBP", Rate::BasisPoints(800), Rate{0}, true};
  }
  return InterestRule{};
}

Rate StatutoryRate(const InterestRule& rule, Rate reference) {
  if (rule.reference_round_up_to.millionths > 0) {
    reference.millionths =
        CeilToMultiple(reference.millionths, rule.reference_round_up_to.millionths);
  }
  return reference + rule.margin;
}

absl::StatusOr<InterestCalculation> ComputeLateInterest(const InterestRule& rule,
                                                        const Money& principal,
                                                        absl::CivilDay due, absl::CivilDay paid,
                                                        const RateTable& reference_rates) {
  if (!MinorUnitExponent(principal.currency).has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("principal.currency: unknown currency '", principal.currency, "'"));
  }
  if (!rule.currency.empty() && principal.currency != rule.currency) {
    return absl::InvalidArgumentError(absl::StrCat("principal.currency: rule applies to ",
                                                   rule.currency, ", got ",
                                                   principal.currency));
  }
  if (principal.minor_units < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("principal: must not be negative, got ", principal.minor_units));
  }
  if (paid < due) {
    return absl::InvalidArgumentError(
        absl::StrCat("paid: ", Day(paid), " is before due ", Day(due)));
  }
  if (paid - due > kMaxDays) {
    return absl::InvalidArgumentError(
        absl::StrCat("paid: period longer than ", kMaxDays, " days"));
  }
  if (absl::Status s = ValidateTable(reference_rates); !s.ok()) return s;

  InterestCalculation result;
  result.interest = Money{0, principal.currency};
  result.total_days = paid - due;
  if (result.total_days == 0) return result;

  const absl::CivilDay first = due + 1;
  if (rule.uk_fixed_reference_day) {
    const absl::CivilDay reference_day = first.month() <= 6
                                             ? absl::CivilDay(first.year() - 1, 12, 31)
                                             : absl::CivilDay(first.year(), 6, 30);
    const int i = TableIndexOn(reference_rates, reference_day);
    if (i < 0) return NoRate(reference_rates, reference_day);
    result.slices.push_back(InterestSlice{
        first, paid, result.total_days,
        StatutoryRate(rule, reference_rates.entries[static_cast<size_t>(i)].reference)});
  } else {
    absl::CivilDay day = first;
    while (day <= paid) {
      const int i = TableIndexOn(reference_rates, day);
      if (i < 0) return NoRate(reference_rates, day);
      const size_t next = static_cast<size_t>(i) + 1;
      absl::CivilDay last = std::min(paid, reference_rates.valid_through);
      if (next < reference_rates.entries.size()) {
        last = std::min(last, reference_rates.entries[next].effective_from - 1);
      }
      result.slices.push_back(
          InterestSlice{day, last, last - day + 1,
                        StatutoryRate(rule, reference_rates.entries[static_cast<size_t>(i)]
                                                .reference)});
      day = last + 1;
    }
  }

  // Exact numerator in (minor units x millionths x days); one rounding at the end.
  Int128 numerator = 0;
  for (const InterestSlice& slice : result.slices) {
    if (slice.annual_rate.millionths > kMaxAbsRateMillionths ||
        slice.annual_rate.millionths < -kMaxAbsRateMillionths) {
      return absl::InvalidArgumentError(
          absl::StrCat("rate_table: ", reference_rates.name, ": implausible rate ",
                       FormatRatePercent(slice.annual_rate)));
    }
    numerator += Int128{principal.minor_units} * slice.annual_rate.millionths * slice.days;
  }
  const Int128 rounded =
      RoundHalfAwayFromZero(numerator, Int128{kMillionthsPerUnit} * kDaysPerYear);
  if (rounded > std::numeric_limits<int64_t>::max() ||
      rounded < std::numeric_limits<int64_t>::min()) {
    return absl::OutOfRangeError("interest: result does not fit in 64-bit minor units");
  }
  result.interest.minor_units = static_cast<int64_t>(rounded);
  return result;
}

absl::StatusOr<Money> LateInterest(Jurisdiction jurisdiction, const Money& principal,
                                   absl::CivilDay due, absl::CivilDay paid,
                                   const RateTable& reference_rates) {
  absl::StatusOr<InterestCalculation> calc =
      ComputeLateInterest(RuleFor(jurisdiction), principal, due, paid, reference_rates);
  if (!calc.ok()) return calc.status();
  return std::move(calc->interest);
}

// ---- Reference-rate data. Keep in sync with the published half-year rates. ----

RateTable EcbHalfYearReferenceRates() {
  // ECB main refinancing operations rate in force on 1 Jan / 1 Jul.
  return ParseRateTable("ecb_half_year",
                        "2025-01-01 3.15\n"
                        "2025-07-01 2.15\n"
                        "2026-01-01 2.15\n"
                        "valid_through 2026-06-30\n")
      .value();
}

RateTable FinlandReferenceRates() {
  // ECB main refinancing rate in force on the last day before each half-year (unrounded).
  return ParseRateTable("fi_reference",
                        "2025-01-01 3.15\n"
                        "2025-07-01 2.15\n"
                        "2026-01-01 2.15\n"
                        "valid_through 2026-06-30\n")
      .value();
}

}  // namespace concerto::rules
