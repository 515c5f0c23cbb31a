#include "services/payment/statement/statement_csv_parser.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/core/csv_reader.h"
#include "libs/rules/creditor_reference.h"
#include "services/payment/statement/statement_fields.h"

namespace concerto::payment {
namespace {

bool IsKnownColumn(absl::string_view name) {
  const auto is = [&](absl::string_view column) { return column == name; };
  return std::any_of(kStatementCsvRequiredColumns.begin(), kStatementCsvRequiredColumns.end(),
                     is) ||
         std::any_of(kStatementCsvOptionalColumns.begin(), kStatementCsvOptionalColumns.end(), is);
}

// Columns maps column names to their position in the header row.
class Columns {
 public:
  // Read reads the header row; problems go to `file_errors`. False when the layout cannot be
  // read at all (a required column is missing).
  bool Read(const core::CsvRow& header, std::vector<EntryError>& file_errors) {
    width_ = header.fields.size();
    for (size_t i = 0; i < header.fields.size(); ++i) {
      const std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(header.fields[i]));
      if (name.empty()) {
        file_errors.push_back(
            EntryError{header.line, "", "header", absl::StrCat("column ", i + 1, " has no name")});
        continue;
      }
      if (!IsKnownColumn(name)) {
        file_errors.push_back(EntryError{
            header.line, "", name,
            absl::StrCat("unknown column '", name, "' (column ", i + 1, ") is ignored")});
        continue;
      }
      if (!index_.emplace(name, i).second) {
        file_errors.push_back(
            EntryError{header.line, "", name, absl::StrCat("column '", name, "' appears twice")});
      }
    }
    std::vector<absl::string_view> missing;
    for (absl::string_view column : kStatementCsvRequiredColumns) {
      if (index_.find(std::string(column)) == index_.end()) missing.push_back(column);
    }
    if (!missing.empty()) {
      file_errors.push_back(EntryError{
          header.line, "", std::string(missing.front()),
          absl::StrCat("header row lacks required column(s): ", absl::StrJoin(missing, ", "))});
      return false;
    }
    return true;
  }

  // width is the number of fields every row must have.
  size_t width() const { return width_; }

  // Get returns the trimmed value of `column` in `row`, "" when the column is absent.
  std::string Get(const core::CsvRow& row, absl::string_view column) const {
    const auto it = index_.find(std::string(column));
    if (it == index_.end() || it->second >= row.fields.size()) return "";
    return std::string(absl::StripAsciiWhitespace(row.fields[it->second]));
  }

 private:
  std::map<std::string, size_t> index_;
  size_t width_ = 0;
};

bool AllBlank(const core::CsvRow& row) {
  return std::all_of(row.fields.begin(), row.fields.end(), [](const std::string& field) {
    return absl::StripAsciiWhitespace(field).empty();
  });
}

// ReadRow validates one data row into `entry`; false (with `errors` filled) when it is bad.
bool ReadRow(const core::CsvRow& row, const Columns& columns, StatementEntry& entry,
             std::vector<EntryError>& errors) {
  entry.line = row.line;
  entry.entry_reference = columns.Get(row, "entry_reference");
  const auto fail = [&](absl::string_view column, std::string problem) {
    errors.push_back(
        EntryError{row.line, entry.entry_reference, std::string(column), std::move(problem)});
  };
  if (row.fields.size() != columns.width()) {
    fail("row",
         absl::StrCat("row has ", row.fields.size(), " fields, the header has ", columns.width()));
    return false;
  }
  if (entry.entry_reference.empty()) fail("entry_reference", "is empty");

  const auto read_date = [&](absl::string_view column, absl::CivilDay& day) {
    const std::string text = columns.Get(row, column);
    absl::StatusOr<absl::CivilDay> parsed = ParseIsoDate(text);
    if (parsed.ok()) {
      day = *parsed;
    } else {
      fail(column, text.empty() ? "date is empty" : std::string(parsed.status().message()));
    }
  };
  read_date("booking_date", entry.booking_date);
  read_date("value_date", entry.value_date);

  const std::string currency = absl::AsciiStrToUpper(columns.Get(row, "currency"));
  const std::optional<int> exponent =
      concerto::rules::MinorUnitExponent(std::string_view(currency));
  if (!exponent.has_value()) {
    fail("currency", currency.empty() ? "currency is empty"
                                      : absl::StrCat("unknown currency '", currency, "'"));
  } else {
    absl::StatusOr<int64_t> minor_units =
        ParseAmountMinorUnits(columns.Get(row, "amount"), *exponent);
    if (minor_units.ok()) {
      entry.amount = concerto::rules::Money{*minor_units, currency};
    } else {
      fail("amount", std::string(minor_units.status().message()));
    }
  }

  const std::string direction = absl::AsciiStrToUpper(columns.Get(row, "credit_debit"));
  if (direction == "CRDT" || direction == "C") {
    entry.credit = true;
  } else if (direction == "DBIT" || direction == "D") {
    entry.credit = false;
  } else {
    fail("credit_debit", absl::StrCat("must be CRDT, DBIT, C or D, got '", direction, "'"));
  }

  entry.structured_reference = columns.Get(row, "structured_reference");
  entry.remittance_info = columns.Get(row, "remittance_info");
  entry.payer_name = columns.Get(row, "payer_name");
  entry.payer_iban = rules::NormalizeReference(columns.Get(row, "payer_iban"));
  entry.debtor_id = columns.Get(row, "debtor_id");
  return errors.empty();
}

}  // namespace

ParsedStatement ParseStatementCsv(absl::string_view bytes) {
  ParsedStatement out;
  out.statement_id = StatementIdOf(bytes);
  const core::CsvTable table = core::ReadCsv(bytes);
  if (table.rows.empty()) {
    out.file_errors.push_back(EntryError{
        table.errors.empty() ? 0 : table.errors.front().line, "", "header",
        table.errors.empty()
            ? "the file has no header row"
            : absl::StrCat("the header row cannot be read: ", table.errors.front().problem)});
    return out;
  }
  const core::CsvRow& header = table.rows.front();
  for (const core::CsvError& error : table.errors) {
    if (error.line < header.line) {
      out.file_errors.push_back(
          EntryError{error.line, "", "header",
                     absl::StrCat("the header row cannot be read: ", error.problem)});
      return out;
    }
    out.entry_errors.push_back(EntryError{error.line, "", "row", error.problem});
  }
  Columns columns;
  if (!columns.Read(header, out.file_errors)) return out;

  std::map<std::string, int64_t> first_line_of_reference;
  for (size_t i = 1; i < table.rows.size(); ++i) {
    const core::CsvRow& row = table.rows[i];
    if (AllBlank(row)) continue;  // spreadsheets export trailing ",,,," rows
    StatementEntry entry;
    std::vector<EntryError> errors;
    const bool good = ReadRow(row, columns, entry, errors);
    if (!entry.entry_reference.empty() && row.fields.size() == columns.width()) {
      const auto [seen, inserted] =
          first_line_of_reference.emplace(entry.entry_reference, row.line);
      if (!inserted) {
        errors.push_back(EntryError{
            row.line, entry.entry_reference, "entry_reference",
            absl::StrCat("entry reference '", entry.entry_reference,
                         "' appears twice in this file (first on line ", seen->second, ")")});
      }
    }
    if (good && errors.empty()) {
      out.entries.push_back(std::move(entry));
    } else {
      for (EntryError& error : errors) out.entry_errors.push_back(std::move(error));
    }
  }
  // Reader errors and row errors in file order.
  std::stable_sort(out.entry_errors.begin(), out.entry_errors.end(),
                   [](const EntryError& a, const EntryError& b) { return a.line < b.line; });
  out.currency = CommonCurrency(out.entries);
  return out;
}

}  // namespace concerto::payment
