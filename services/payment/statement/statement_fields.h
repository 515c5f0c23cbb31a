// Field parsers shared by the statement parsers (camt.053 and CSV): exact decimal amounts, ISO
// dates, line numbers from byte offsets, and the content-derived statement id. Internal to
// services/payment/statement; other code uses the parsers' results.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "services/payment/statement/statement.h"

namespace concerto::payment {

// ParseAmountMinorUnits reads a positive decimal amount with '.' as the decimal separator
// ("412.50", "412.5", "412") exactly into minor units of a currency with `exponent` decimals.
// Decimals beyond the exponent are accepted only when they are zeros ("412.500" in EUR);
// INVALID_ARGUMENT for empty, signed, non-numeric, zero, too precise or too large amounts.
absl::StatusOr<int64_t> ParseAmountMinorUnits(absl::string_view text, int exponent);

// ParseIsoDate reads a calendar date "yyyy-mm-dd" that exists (no 2024-02-30);
// INVALID_ARGUMENT otherwise.
absl::StatusOr<absl::CivilDay> ParseIsoDate(absl::string_view text);

// StatementIdOf returns the id of a statement file: 32 lowercase hex characters of the
// Murmur3 128-bit hash of its bytes. The same bytes always give the same id.
std::string StatementIdOf(absl::string_view bytes);

// CommonCurrency returns the currency all `entries` share, or "" when there are none or mixed.
std::string CommonCurrency(const std::vector<StatementEntry>& entries);

// LineIndex maps byte offsets of a text to 1-based line numbers ('\n' ends a line).
class LineIndex {
 public:
  // LineIndex indexes `text`; it keeps no reference to it.
  explicit LineIndex(absl::string_view text);

  // LineOf returns the line holding byte `offset`; offsets past the end give the last line,
  // negative offsets (unknown position) give 0.
  int64_t LineOf(std::ptrdiff_t offset) const;

 private:
  std::vector<size_t> line_starts_;
};

}  // namespace concerto::payment
