// libFuzzer target for ParseStatementCsv and the CSV reader under it: any bytes parse without
// crashing or hanging, the same bytes always give the same result, and every result satisfies
// the invariants of statement_invariants.h.
#include <cstddef>
#include <cstdint>

#include "libs/core/csv_reader.h"
#include "services/payment/statement/statement_csv_parser.h"
#include "tests/fuzz/statement_invariants.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace concerto::payment;
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  const ParsedStatement first = ParseStatementCsv(bytes);
  const ParsedStatement second = ParseStatementCsv(bytes);
  fuzz::CheckOrTrap(first == second);
  fuzz::CheckParsedStatement(first);
  for (const StatementEntry& entry : first.entries) fuzz::CheckOrTrap(entry.line >= 2);

  // The reader alone, with the other common delimiter: rows and errors in line order.
  using concerto::core::CsvOptions;
  using concerto::core::ReadCsv;
  const concerto::core::CsvTable table = ReadCsv(bytes, CsvOptions{.delimiter = ';'});
  fuzz::CheckOrTrap(table == ReadCsv(bytes, CsvOptions{.delimiter = ';'}));
  int64_t previous_line = 0;
  for (const concerto::core::CsvRow& row : table.rows) {
    fuzz::CheckOrTrap(row.line > previous_line && !row.fields.empty());
    previous_line = row.line;
  }
  return 0;
}
