// libFuzzer target for ParseCamt053: any bytes parse without crashing or hanging, the same
// bytes always give the same ParsedStatement, and every result satisfies the invariants of
// statement_invariants.h.
#include <cstddef>
#include <cstdint>

#include "services/payment/statement/camt053_parser.h"
#include "tests/fuzz/statement_invariants.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace concerto::payment;
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  const ParsedStatement first = ParseCamt053(bytes);
  const ParsedStatement second = ParseCamt053(bytes);
  fuzz::CheckOrTrap(first == second);
  fuzz::CheckParsedStatement(first);
  return 0;
}
