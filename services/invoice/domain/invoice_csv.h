// The documented CSV layout for clients that import invoices without the API (docs: "Importing
// invoices from a file"). RFC 4180, UTF-8 (a leading byte-order mark is ignored), a header row
// naming the columns (any order, case-insensitive):
//
//   invoice_number,debtor_id,issue_date,due_date,currency,amount          required
//   open_balance,payment_reference,purchase_order,document_uri            optional, invoice
//   debtor_type,debtor_country,debtor_language,debtor_time_zone           optional, debtor
//
// Dates are yyyy-mm-dd; amounts are decimals in major units with '.' (EUR "1234.5"), converted
// exactly to minor units by the currency's ISO 4217 exponent (more decimals than the currency
// has is an error unless they are zeros). debtor_type is "consumer" or "business". Values are
// trimmed of surrounding spaces; blank lines are skipped.
//
// Every problem names the line, the column and what is wrong; rows without problems still parse.
// A header problem (missing required column, unknown or repeated column) rejects the whole file.
//
// Dependencies kept light on purpose (std, Abseil, libs/core/csv_reader.cc, libs/rules/money.cc):
// the libFuzzer target tests/fuzz/invoice_csv_fuzz.cc compiles this file, csv_reader.cc and
// money.cc alone.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"

namespace concerto::invoice {

// kCsvColumns lists every column of the layout in documentation order; the first
// kCsvRequiredColumns are required.
inline constexpr std::string_view kCsvColumns[] = {
    "invoice_number", "debtor_id",       "issue_date",        "due_date",       "currency",
    "amount",         "open_balance",    "payment_reference", "purchase_order", "debtor_type",
    "debtor_country", "debtor_language", "debtor_time_zone",  "document_uri"};
inline constexpr int kCsvRequiredColumns = 6;

// CsvDebtorType is the value of the debtor_type column.
enum class CsvDebtorType { kUnspecified, kConsumer, kBusiness };

// CsvInvoice is the invoice a row describes; amounts are minor units of `currency`.
struct CsvInvoice {
  std::string invoice_number;
  std::string debtor_id;
  absl::CivilDay issue_date;
  absl::CivilDay due_date;
  std::string currency;
  int64_t amount_minor = 0;
  std::optional<int64_t> open_balance_minor;  // column absent or empty: not given
  std::string payment_reference;
  std::string purchase_order;
  std::string document_uri;

  friend bool operator==(const CsvInvoice&, const CsvInvoice&) = default;
};

// CsvDebtorDefaults are the debtor columns of a row: master data to use for a debtor that does
// not have it yet (they never overwrite what the debtor already has).
struct CsvDebtorDefaults {
  CsvDebtorType type = CsvDebtorType::kUnspecified;
  std::string country;    // ISO 3166-1 alpha-2, upper case
  std::string language;   // ISO 639-1, lower case
  std::string time_zone;  // IANA name, e.g. "Europe/Rome"

  friend bool operator==(const CsvDebtorDefaults&, const CsvDebtorDefaults&) = default;
};

// CsvRow is one good row.
struct CsvRow {
  int64_t line = 0;  // 1-based line the row starts on (the header is line 1)
  CsvInvoice invoice;
  std::optional<CsvDebtorDefaults> debtor;  // set when any debtor column has a value

  friend bool operator==(const CsvRow&, const CsvRow&) = default;
};

// CsvError is one problem: line, column name ("" for the row as a whole) and what is wrong.
struct CsvError {
  int64_t line = 0;
  std::string column;
  std::string problem;

  friend bool operator==(const CsvError&, const CsvError&) = default;
};

// CsvParseResult holds the good rows and every problem, both in file order.
struct CsvParseResult {
  std::vector<CsvRow> rows;
  std::vector<CsvError> errors;
  int64_t data_rows = 0;  // non-blank records after the header (good + rejected)

  friend bool operator==(const CsvParseResult&, const CsvParseResult&) = default;
};

// ParseInvoiceCsv parses a whole file. Never fails as a whole: problems are in `errors`.
CsvParseResult ParseInvoiceCsv(std::string_view bytes);

// ParseDecimalMinor converts a decimal in major units ("1234.5", "-0.05") into minor units for a
// currency with `exponent` decimals. Returns false and sets `*problem` when it is not a plain
// decimal, has more significant decimals than `exponent`, or overflows int64.
bool ParseDecimalMinor(std::string_view text, int exponent, int64_t* out, std::string* problem);

// ParseIsoDate reads a strict yyyy-mm-dd calendar date (real day of a real month, year
// 1000..9999).
std::optional<absl::CivilDay> ParseIsoDate(std::string_view text);

}  // namespace concerto::invoice
