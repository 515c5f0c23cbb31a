// Checks shared by the bank-statement fuzz targets: what any ParsedStatement must satisfy,
// whatever the input bytes. A violated invariant traps, which libFuzzer reports as a crash.
#pragma once

#include <set>
#include <string>

#include "absl/strings/string_view.h"
#include "libs/rules/creditor_reference.h"
#include "libs/rules/money.h"
#include "services/payment/statement/matching.h"
#include "services/payment/statement/statement.h"

namespace concerto::payment::fuzz {

// CheckOrTrap stops the fuzzer with a crash when `condition` is false.
inline void CheckOrTrap(bool condition) {
  if (!condition) __builtin_trap();
}

// CheckParsedStatement checks the invariants of any parse result, including the matching
// key of every entry (with an arbitrary "known invoice number" predicate).
inline void CheckParsedStatement(const ParsedStatement& statement) {
  CheckOrTrap(statement.statement_id.size() == 32);
  std::set<std::string> references;
  for (const StatementEntry& entry : statement.entries) {
    CheckOrTrap(entry.line >= 1);
    CheckOrTrap(entry.amount.minor_units > 0);
    CheckOrTrap(rules::MinorUnitExponent(entry.amount.currency).has_value());
    CheckOrTrap(!entry.entry_reference.empty());
    CheckOrTrap(references.insert(entry.entry_reference).second);
    const MatchKey key = ClassifyReference(
        entry, [](absl::string_view candidate) { return candidate.size() % 3 == 0; });
    if (key.kind == MatchKind::kCreditorReference) {
      CheckOrTrap(rules::IsValidCreditorReference(key.value));
      CheckOrTrap(rules::NormalizeReference(key.value) == key.value);
      CheckOrTrap(rules::MakeCreditorReference(key.value.substr(4)).value() == key.value);
    }
    if (key.kind == MatchKind::kNone) CheckOrTrap(key.value.empty());
  }
  for (const EntryError& error : statement.entry_errors) {
    CheckOrTrap(!error.field.empty() && !error.problem.empty());
  }
  for (const EntryError& error : statement.file_errors) {
    CheckOrTrap(!error.field.empty() && !error.problem.empty());
  }
}

}  // namespace concerto::payment::fuzz
