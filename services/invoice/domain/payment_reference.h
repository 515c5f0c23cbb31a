// ISO 11649 structured creditor references ("RF" references) for invoices: a payer who quotes
// one lets the payment service match a bank transfer to its invoice without free text.
//   RF + 2 check digits (ISO 7064 MOD 97-10) + up to 21 alphanumeric characters.
// Pure functions; dependencies: the standard library and libs/core/stable_hash.h.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace concerto::invoice {

// kRfMaxPayload is the longest payload an RF reference can carry.
inline constexpr size_t kRfMaxPayload = 21;

// RfReference builds "RF<check digits><payload>". Precondition: `payload` is 1..21 characters of
// 0-9 and A-Z (upper case). RfReference("539007547034") == "RF18539007547034".
std::string RfReference(std::string_view payload);

// RfForInvoiceNumber derives a stable RF reference from an invoice number: its letters and digits
// (upper-cased) when there are 1..21 of them, else 21 base-36 characters of a stable hash of the
// whole number (so long or symbol-only numbers still get a unique-enough reference).
std::string RfForInvoiceNumber(std::string_view invoice_number);

// NormalizeRf upper-cases `text` and drops spaces (references are printed in groups of four);
// nullopt unless the result is a valid RF reference (length, characters and check digits).
std::optional<std::string> NormalizeRf(std::string_view text);

// LooksLikeRf is true when `text` starts with "RF" (any case) followed by two digits: the caller
// then expects a valid RF reference rather than some other scheme.
bool LooksLikeRf(std::string_view text);

}  // namespace concerto::invoice
