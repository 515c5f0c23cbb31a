#include "libs/rules/money.h"

#include <array>
#include <limits>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace concerto::rules {
namespace {

struct CurrencyInfo {
  std::string_view code;
  int exponent;
};

// ISO 4217 minor-unit exponents.
constexpr std::array<CurrencyInfo, 12> kCurrencies = {{
    {"EUR", 2},
    {"GBP", 2},
    {"USD", 2},
    {"SEK", 2},
    {"DKK", 2},
    {"NOK", 2},
    {"CHF", 2},
    {"PLN", 2},
    {"CZK", 2},
    {"HUF", 2},
    {"JPY", 0},
    {"KRW", 0},
}};

int64_t Pow10(int exponent) {
  int64_t p = 1;
  for (int i = 0; i < exponent; ++i) p *= 10;
  return p;
}

std::string Str(std::string_view s) { return std::string(s); }

// ParseDigits reads a non-empty run of decimal digits into `out` without overflow.
bool ParseDigits(std::string_view s, int64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

}  // namespace

std::optional<int> MinorUnitExponent(std::string_view currency) {
  for (const CurrencyInfo& info : kCurrencies) {
    if (info.code == currency) return info.exponent;
  }
  return std::nullopt;
}

absl::StatusOr<Money> MakeMoney(int64_t minor_units, std::string_view currency,
                                std::string_view field) {
  if (!MinorUnitExponent(currency).has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Str(field), ": unknown currency '", Str(currency), "'"));
  }
  return Money{minor_units, std::string(currency)};
}

Money Major(int64_t units, std::string_view currency) {
  return Money{units * Pow10(MinorUnitExponent(currency).value_or(2)), std::string(currency)};
}

absl::StatusOr<std::string> FormatMoney(const Money& money) {
  std::optional<int> exponent = MinorUnitExponent(money.currency);
  if (!exponent.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("money.currency: unknown currency '", money.currency, "'"));
  }
  const bool negative = money.minor_units < 0;
  // Unsigned magnitude so that INT64_MIN formats correctly.
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(money.minor_units)
                                      : static_cast<uint64_t>(money.minor_units);
  const uint64_t scale = static_cast<uint64_t>(Pow10(*exponent));
  std::string out = absl::StrCat(money.currency, " ", negative ? "-" : "", magnitude / scale);
  if (*exponent > 0) {
    std::string fraction = absl::StrCat(magnitude % scale);
    out += ".";
    out.append(static_cast<size_t>(*exponent) - fraction.size(), '0');
    out += fraction;
  }
  return out;
}

absl::StatusOr<Money> ParseMoney(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("money: cannot parse '", Str(text), "': ", Str(why)));
  };
  const size_t space = text.find(' ');
  if (space == std::string_view::npos) return bad("expected '<CCY> <amount>'");
  const std::string_view currency = text.substr(0, space);
  std::string_view amount = text.substr(space + 1);
  std::optional<int> exponent = MinorUnitExponent(currency);
  if (!exponent.has_value()) return bad("unknown currency");
  bool negative = false;
  if (!amount.empty() && amount.front() == '-') {
    negative = true;
    amount.remove_prefix(1);
  }
  const size_t dot = amount.find('.');
  int64_t whole = 0;
  int64_t fraction = 0;
  if (!ParseDigits(amount.substr(0, dot), whole)) return bad("bad whole part");
  if (dot != std::string_view::npos) {
    const std::string_view frac = amount.substr(dot + 1);
    if (static_cast<int>(frac.size()) != *exponent || !ParseDigits(frac, fraction)) {
      return bad("fraction must have exactly the currency's number of decimals");
    }
  }
  const int64_t scale = Pow10(*exponent);
  if (whole > (std::numeric_limits<int64_t>::max() - fraction) / scale) return bad("overflow");
  const int64_t minor = whole * scale + fraction;
  return Money{negative ? -minor : minor, std::string(currency)};
}

absl::StatusOr<Money> AddMoney(const Money& a, const Money& b) {
  if (a.currency != b.currency) {
    return absl::InvalidArgumentError(
        absl::StrCat("b.currency: ", b.currency, " does not match a.currency ", a.currency));
  }
  int64_t sum = 0;
  if (__builtin_add_overflow(a.minor_units, b.minor_units, &sum)) {
    return absl::OutOfRangeError("AddMoney: overflow");
  }
  return Money{sum, a.currency};
}

Int128 RoundHalfAwayFromZero(Int128 numerator, Int128 denominator) {
  // Work on magnitudes: q = floor(|n| / d); round up when the remainder is at least half.
  const bool negative = numerator < 0;
  const Int128 magnitude = negative ? -numerator : numerator;
  Int128 quotient = magnitude / denominator;
  const Int128 remainder = magnitude % denominator;
  if (2 * remainder >= denominator) ++quotient;
  return negative ? -quotient : quotient;
}

absl::StatusOr<Rate> ParseRatePercent(std::string_view percent) {
  // 1% == 10'000 millionths, so up to 4 decimals of a percent are exact.
  const auto bad = [&]() {
    return absl::InvalidArgumentError(absl::StrCat(
        "rate: cannot parse '", Str(percent), "' as a percentage with at most 4 decimals"));
  };
  std::string_view s = percent;
  bool negative = false;
  if (!s.empty() && s.front() == '-') {
    negative = true;
    s.remove_prefix(1);
  }
  const size_t dot = s.find('.');
  int64_t whole = 0;
  if (!ParseDigits(s.substr(0, dot), whole) || whole > 1'000'000) return bad();
  int64_t millionths = whole * 10'000;
  if (dot != std::string_view::npos) {
    const std::string_view frac = s.substr(dot + 1);
    int64_t digits = 0;
    if (frac.size() > 4 || !ParseDigits(frac, digits)) return bad();
    millionths += digits * Pow10(4 - static_cast<int>(frac.size()));
  }
  return Rate{negative ? -millionths : millionths};
}

std::string FormatRatePercent(Rate rate) {
  const bool negative = rate.millionths < 0;
  int64_t m = negative ? -rate.millionths : rate.millionths;
  std::string fraction = absl::StrCat(m % 10'000);
  fraction.insert(0, 4 - fraction.size(), '0');
  // Trim trailing zeros but keep at least two decimals.
  while (fraction.size() > 2 && fraction.back() == '0') fraction.pop_back();
  return absl::StrCat(negative ? "-" : "", m / 10'000, ".", fraction, "%");
}

}  // namespace concerto::rules
