// The Concerto bank-statement CSV layout -> ParsedStatement, for banks and clients that cannot
// deliver camt.053. The layout (documented in this folder's README):
//   entry_reference,booking_date,value_date,amount,currency,credit_debit,structured_reference,
//   remittance_info,payer_name,payer_iban,debtor_id
// A header row is required; columns are found by name, in any order; the last four columns are
// optional. RFC 4180 quoting, CRLF or LF.
#pragma once

#include <array>

#include "absl/strings/string_view.h"
#include "services/payment/statement/statement.h"

namespace concerto::payment {

// kStatementCsvRequiredColumns must all be in the header row.
inline constexpr std::array<absl::string_view, 7> kStatementCsvRequiredColumns = {
    "entry_reference", "booking_date", "value_date",          "amount",
    "currency",        "credit_debit", "structured_reference"};

// kStatementCsvOptionalColumns may be left out of the header row.
inline constexpr std::array<absl::string_view, 4> kStatementCsvOptionalColumns = {
    "remittance_info", "payer_name", "payer_iban", "debtor_id"};

// ParseStatementCsv reads a statement in the Concerto CSV layout. Dates are yyyy-mm-dd,
// amounts positive decimals with '.' ("412.50"), credit_debit CRDT/DBIT (or C/D). Each bad row
// becomes EntryErrors naming its 1-based file line, the column and the problem, while good
// rows still parse; a missing header or required column is a file error. Never throws.
ParsedStatement ParseStatementCsv(absl::string_view bytes);

}  // namespace concerto::payment
