#include "services/payment/statement/statement_fields.h"

#include <algorithm>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/core/stable_hash.h"

namespace concerto::payment {
namespace {

bool AllDigits(absl::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// ReadDigits reads a run of 1..4 decimal digits.
int ReadDigits(absl::string_view s) {
  int value = 0;
  for (char c : s) value = value * 10 + (c - '0');
  return value;
}

}  // namespace

absl::StatusOr<int64_t> ParseAmountMinorUnits(absl::string_view text, int exponent) {
  if (text.empty()) return absl::InvalidArgumentError("amount is empty");
  if (text.front() == '-') {
    return absl::InvalidArgumentError(absl::StrCat("amount '", text, "' is negative"));
  }
  const size_t dot = text.find('.');
  const absl::string_view whole = text.substr(0, dot);
  const absl::string_view fraction =
      dot == absl::string_view::npos ? absl::string_view() : text.substr(dot + 1);
  if (whole.empty() || !AllDigits(whole) ||
      (dot != absl::string_view::npos && (fraction.empty() || !AllDigits(fraction)))) {
    return absl::InvalidArgumentError(
        absl::StrCat("amount '", text, "' is not a decimal number like 412.50"));
  }
  const size_t allowed = static_cast<size_t>(exponent);
  if (fraction.size() > allowed &&
      fraction.substr(allowed).find_first_not_of('0') != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("amount '", text, "' has more than ", exponent, " decimals for its currency"));
  }
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t minor_units = 0;
  // Whole digits, then exactly `exponent` fraction digits (missing ones are zeros).
  for (size_t i = 0; i < whole.size() + allowed; ++i) {
    const int digit = i < whole.size()                     ? whole[i] - '0'
                      : i - whole.size() < fraction.size() ? fraction[i - whole.size()] - '0'
                                                           : 0;
    if (minor_units > (kMax - digit) / 10) {
      return absl::InvalidArgumentError(absl::StrCat("amount '", text, "' is too large"));
    }
    minor_units = minor_units * 10 + digit;
  }
  if (minor_units == 0) {
    return absl::InvalidArgumentError(absl::StrCat("amount '", text, "' is zero"));
  }
  return minor_units;
}

absl::StatusOr<absl::CivilDay> ParseIsoDate(absl::string_view text) {
  const auto bad = [&]() {
    return absl::InvalidArgumentError(
        absl::StrCat("date '", text, "' is not a calendar date yyyy-mm-dd"));
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return bad();
  const absl::string_view year = text.substr(0, 4);
  const absl::string_view month = text.substr(5, 2);
  const absl::string_view day = text.substr(8, 2);
  if (!AllDigits(year) || !AllDigits(month) || !AllDigits(day)) return bad();
  const int y = ReadDigits(year);
  const int m = ReadDigits(month);
  const int d = ReadDigits(day);
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > 31) return bad();
  const absl::CivilDay civil_day(y, m, d);
  // CivilDay normalizes 02-30 to 03-01: a date that moved did not exist.
  if (civil_day.month() != m || civil_day.day() != d) return bad();
  return civil_day;
}

std::string StatementIdOf(absl::string_view bytes) {
  const concerto::core::Hash128 hash =
      concerto::core::Murmur3x64_128(std::string_view(bytes.data(), bytes.size()));
  return absl::StrFormat("%016x%016x", hash.hi, hash.lo);
}

std::string CommonCurrency(const std::vector<StatementEntry>& entries) {
  if (entries.empty()) return "";
  const std::string& first = entries.front().amount.currency;
  for (const StatementEntry& entry : entries) {
    if (entry.amount.currency != first) return "";
  }
  return first;
}

LineIndex::LineIndex(absl::string_view text) {
  line_starts_.push_back(0);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') line_starts_.push_back(i + 1);
  }
}

int64_t LineIndex::LineOf(std::ptrdiff_t offset) const {
  if (offset < 0) return 0;
  const auto after =
      std::upper_bound(line_starts_.begin(), line_starts_.end(), static_cast<size_t>(offset));
  return static_cast<int64_t>(after - line_starts_.begin());
}

}  // namespace concerto::payment
