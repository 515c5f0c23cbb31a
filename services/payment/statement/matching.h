// How to find the debtor of a bank statement entry: by its creditor reference (RF, ISO 11649)
// or by an invoice number quoted in the structured or free-text remittance information.
// Pure: the caller supplies the lookup of known invoice numbers.
#pragma once

#include <functional>
#include <string>

#include "absl/strings/string_view.h"
#include "services/payment/statement/statement.h"

namespace concerto::payment {

// MatchKind says which key identifies the entry's debtor.
enum class MatchKind {
  kNone,               // nothing usable: the entry goes to manual matching
  kCreditorReference,  // a valid RF reference (value normalized: "RF18539007547034")
  kInvoiceNumber,      // a known invoice number (value as written by the payer, trimmed)
};

// MatchKey is the outcome of ClassifyReference.
struct MatchKey {
  MatchKind kind = MatchKind::kNone;
  std::string value;

  friend bool operator==(const MatchKey&, const MatchKey&) = default;
};

// IsKnownInvoiceNumber answers whether a candidate string is an invoice number of the client.
using IsKnownInvoiceNumber = std::function<bool(absl::string_view)>;

// ClassifyReference picks the first usable key, in this order:
//   1. structured_reference is a valid RF reference;
//   2. remittance_info holds a valid RF reference, whole or printed in groups of four;
//   3. structured_reference is a known invoice number;
//   4. a token of remittance_info is a known invoice number (tokens are split on whitespace
//      and , ; : ( ) [ ] " ', with a trailing '.' dropped).
// kNone otherwise. A null `is_known_invoice_number` knows no invoice numbers.
MatchKey ClassifyReference(const StatementEntry& entry,
                           const IsKnownInvoiceNumber& is_known_invoice_number);

}  // namespace concerto::payment
