// The one RFC 4180 CSV reader of the file imports (bank statements, invoices): quoted fields with
// delimiters, doubled quotes and line breaks; LF, CRLF or a bare CR (old Mac files) ends a line;
// each row keeps the file line it starts on so that validation errors can name it. Malformed
// records are reported, never guessed at, and reading always makes progress, so any byte string
// reads to the end without crashing (fuzzed through tests/fuzz: statement_csv, invoice_csv).
// Pure: bytes in, rows out; dependencies: the standard library and Abseil strings.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace concerto::core {

// CsvRow is one record: its fields (quotes removed) and the 1-based line it starts on.
struct CsvRow {
  int64_t line = 0;
  std::vector<std::string> fields;

  friend bool operator==(const CsvRow&, const CsvRow&) = default;
};

// CsvError is a record that could not be read (it is left out of the rows).
struct CsvError {
  // line is the 1-based line the bad record starts on.
  int64_t line = 0;
  std::string problem;

  friend bool operator==(const CsvError&, const CsvError&) = default;
};

// CsvTable is every record of a file, the first one (usually the header) included: the good ones
// in `rows`, the malformed ones in `errors`, each list in file order. A record is in exactly one
// of the two and no two records start on the same line, so merging both by `line` gives the
// records in file order.
struct CsvTable {
  std::vector<CsvRow> rows;
  std::vector<CsvError> errors;

  friend bool operator==(const CsvTable&, const CsvTable&) = default;
};

// CsvOptions configures ReadCsv.
struct CsvOptions {
  // delimiter separates fields (',' by RFC 4180; ';' is common in European exports). It must
  // not be a quote or a line break.
  char delimiter = ',';
};

// ReadCsv splits `bytes` into records. A leading UTF-8 byte order mark and empty lines are
// skipped; fields are not trimmed; "a,b," ends with an empty field. A record with a stray quote
// inside an unquoted field, or with text after a closing quote, becomes a CsvError and reading
// resumes on the next line; a quoted field that is never closed becomes a CsvError (naming the
// line the quote opened on) and ends the file.
CsvTable ReadCsv(absl::string_view bytes, const CsvOptions& options = {});

}  // namespace concerto::core
