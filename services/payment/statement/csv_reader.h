// A small RFC 4180 CSV reader shared by the file imports (bank statements, invoices): quoted
// fields with delimiters, doubled quotes and line breaks; CRLF or LF; each row keeps the file
// line it starts on so that validation errors can name it. Pure: bytes in, rows out.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace concerto::payment {

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

// CsvTable is every record of a file, in order, the first one (usually the header) included.
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
// skipped; fields are not trimmed. A record with a stray quote inside an unquoted field, or
// with text after a closing quote, becomes a CsvError and reading resumes on the next line; a
// quoted field that is never closed becomes a CsvError and ends the file.
CsvTable ReadCsv(absl::string_view bytes, const CsvOptions& options = {});

}  // namespace concerto::payment
