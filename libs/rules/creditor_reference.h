// ISO 11649 structured creditor references ("RF" + 2 check digits + up to 21 alphanumerics,
// ISO 7064 MOD 97-10): make, validate, normalize and print them, and derive the one of an
// invoice from its number. A creditor reference on an invoice (issued by the invoice service)
// lets the bank statement (read by the payment service) name the invoice unambiguously.
// Pure functions; dependencies: Abseil and libs/core/stable_hash.h.
#pragma once

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace concerto::rules {

// kMaxCreditorReferencePayload is the longest payload an RF reference can carry.
inline constexpr size_t kMaxCreditorReferencePayload = 21;

// kMaxCreditorReferenceLength is the longest normalized RF reference: "RF" + 2 digits + payload.
inline constexpr size_t kMaxCreditorReferenceLength = 4 + kMaxCreditorReferencePayload;

// MakeCreditorReference returns "RF" + check digits + payload, e.g.
// MakeCreditorReference("539007547034") == "RF18539007547034". The payload is normalized first
// (spaces removed, upper-cased) and must then be 1..21 characters A-Z/0-9; INVALID_ARGUMENT
// otherwise.
absl::StatusOr<std::string> MakeCreditorReference(absl::string_view payload);

// IsValidCreditorReference says whether `reference` is a well-formed RF reference with correct
// check digits (02..98 only); spaces are ignored and letters may be in any case
// ("rf18 5390 0754 7034").
bool IsValidCreditorReference(absl::string_view reference);

// LooksLikeCreditorReference is true when `text` starts with "RF" (any case) followed by two
// digits: the caller then expects a valid RF reference rather than some other scheme.
bool LooksLikeCreditorReference(absl::string_view text);

// NormalizeReference removes spaces and upper-cases ASCII letters: "rf18 5390" -> "RF185390".
std::string NormalizeReference(absl::string_view reference);

// FormatPrintable returns the normalized reference in groups of four separated by single
// spaces, as printed on invoices: "RF18 5390 0754 7034".
std::string FormatPrintable(absl::string_view reference);

// CreditorReferenceForInvoiceNumber derives a stable RF reference from an invoice number: its
// ASCII letters and digits (upper-cased) when there are 1..21 of them, else 21 base-36
// characters of the Murmur3-128 hash of the whole number (so long or symbol-only numbers still
// get a unique-enough reference). The result never changes for a number: issued invoices keep
// their reference. CreditorReferenceForInvoiceNumber("inv-2025/0042") == "RF25INV20250042".
std::string CreditorReferenceForInvoiceNumber(absl::string_view invoice_number);

}  // namespace concerto::rules
