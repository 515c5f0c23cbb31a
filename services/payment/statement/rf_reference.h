// ISO 11649 structured creditor references ("RF" + 2 check digits + up to 21 alphanumerics,
// ISO 7064 MOD 97-10): make, validate, normalize and print them. A creditor reference on an
// invoice lets the bank statement name the invoice unambiguously.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace concerto::payment {

// kMaxCreditorReferencePayload is the longest payload an RF reference can carry.
inline constexpr int kMaxCreditorReferencePayload = 21;

// MakeCreditorReference returns "RF" + check digits + payload, e.g.
// MakeCreditorReference("539007547034") == "RF18539007547034". The payload is normalized first
// (spaces removed, upper-cased) and must then be 1..21 characters A-Z/0-9; INVALID_ARGUMENT
// otherwise.
absl::StatusOr<std::string> MakeCreditorReference(absl::string_view payload);

// IsValidCreditorReference says whether `reference` is a well-formed RF reference with correct
// check digits; spaces are ignored and letters may be in any case ("rf18 5390 0754 7034").
bool IsValidCreditorReference(absl::string_view reference);

// NormalizeReference removes spaces and upper-cases ASCII letters: "rf18 5390" -> "RF185390".
std::string NormalizeReference(absl::string_view reference);

// FormatPrintable returns the normalized reference in groups of four separated by single
// spaces, as printed on invoices: "RF18 5390 0754 7034".
std::string FormatPrintable(absl::string_view reference);

}  // namespace concerto::payment
