// libFuzzer target for the invoice CSV import layout (services/invoice/domain/invoice_csv.h).
// Properties: ParseInvoiceCsv never crashes on any bytes, is deterministic (two parses give equal
// results), and its results are consistent (every good row and every error points at a line
// inside the file; a good row has its required values; there are no more good rows than rows).
//
// Built and run briefly by CTest as fuzz_invoice_csv (tests/fuzz/CMakeLists.txt): this file with
// services/invoice/domain/invoice_csv.cc, libs/core/csv_reader.cc, libs/core/stable_hash.cc and
// libs/rules/money.cc. Seed corpus: tests/fuzz/corpus/invoice_csv/.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "services/invoice/domain/invoice_csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const concerto::invoice::CsvParseResult first = concerto::invoice::ParseInvoiceCsv(bytes);
  const concerto::invoice::CsvParseResult second = concerto::invoice::ParseInvoiceCsv(bytes);
  if (!(first == second)) __builtin_trap();
  // A line number never exceeds the number of line breaks in the file plus one.
  int64_t lines = 1;
  for (char c : bytes) lines += (c == '\n' || c == '\r') ? 1 : 0;
  for (const auto& row : first.rows) {
    if (row.line < 2 || row.line > lines) __builtin_trap();
    if (row.invoice.invoice_number.empty() || row.invoice.debtor_id.empty()) __builtin_trap();
  }
  for (const auto& error : first.errors) {
    if (error.line < 1 || error.line > lines || error.problem.empty()) __builtin_trap();
  }
  if (static_cast<int64_t>(first.rows.size()) > first.data_rows) __builtin_trap();
  return 0;
}
