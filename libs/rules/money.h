// Money and exact-arithmetic primitives for the rules engine: an amount is an integer count of
// the currency's minor unit (ISO 4217), rates are exact integers, and every computation keeps a
// rational value until it is rounded ONCE, half away from zero, to the minor unit.
// No floating point anywhere in this library.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace concerto::rules {

// Int128 is the intermediate type for exact products (principal x rate x days fits easily).
__extension__ typedef __int128 Int128;

// Money is an amount in the minor unit of an ISO 4217 currency ("EUR" cents, "JPY" yen).
struct Money {
  int64_t minor_units = 0;
  std::string currency;

  friend bool operator==(const Money&, const Money&) = default;
};

// MinorUnitExponent returns the number of decimals of `currency` (EUR 2, JPY 0), or nullopt for
// a currency this library does not know.
std::optional<int> MinorUnitExponent(std::string_view currency);

// MakeMoney builds a Money after checking that the currency is known; the error names `field`.
absl::StatusOr<Money> MakeMoney(int64_t minor_units, std::string_view currency,
                                std::string_view field = "currency");

// Major returns `units` whole units of a known currency, e.g. Major(40, "EUR") == EUR 40.00.
// Precondition: currency known (unknown currencies are treated as exponent 2).
Money Major(int64_t units, std::string_view currency);

// FormatMoney renders "EUR 412.50", "EUR -0.05", "JPY 1200"; INVALID_ARGUMENT for an unknown
// currency.
absl::StatusOr<std::string> FormatMoney(const Money& money);

// ParseMoney reads the FormatMoney form back ("EUR 412.50"; the fraction must have exactly the
// currency's number of decimals, or none).
absl::StatusOr<Money> ParseMoney(std::string_view text);

// AddMoney returns a + b; INVALID_ARGUMENT on a currency mismatch, OUT_OF_RANGE on overflow.
absl::StatusOr<Money> AddMoney(const Money& a, const Money& b);

// RoundHalfAwayFromZero returns numerator / denominator rounded to the nearest integer, ties
// away from zero (2.5 -> 3, -2.5 -> -3). Precondition: denominator > 0.
Int128 RoundHalfAwayFromZero(Int128 numerator, Int128 denominator);

// Rate is an exact annual rate in millionths of one: 10.15% == Rate{101'500}.
struct Rate {
  int64_t millionths = 0;

  // Rate::BasisPoints(1015) == 10.15%.
  static constexpr Rate BasisPoints(int64_t bp) { return Rate{bp * 100}; }
  friend constexpr Rate operator+(Rate a, Rate b) { return Rate{a.millionths + b.millionths}; }
  friend bool operator==(const Rate&, const Rate&) = default;
  friend auto operator<=>(const Rate&, const Rate&) = default;
};

// kMillionthsPerUnit is the denominator of Rate.
inline constexpr int64_t kMillionthsPerUnit = 1'000'000;

// ParseRatePercent reads a decimal percentage exactly ("10.15" -> 10.15%, "-0.5", up to 4
// decimals); INVALID_ARGUMENT otherwise.
absl::StatusOr<Rate> ParseRatePercent(std::string_view percent);

// FormatRatePercent renders a rate as a percentage with at least two decimals ("10.15%").
std::string FormatRatePercent(Rate rate);

}  // namespace concerto::rules
