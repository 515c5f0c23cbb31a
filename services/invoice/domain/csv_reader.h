// A small RFC 4180 reader for the invoice import file: comma-separated records, CRLF or LF line
// ends, fields optionally in double quotes ("" is a quote inside them; quoted fields may span
// lines). It reports malformed records instead of guessing, and always makes progress, so any
// byte string reads to the end without crashing (it is fuzzed through ParseInvoiceCsv).
// Dependencies: the standard library only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace concerto::invoice {

// CsvRecord is one record: its fields, the 1-based line it starts on, and for a malformed record
// the problem (fields are then incomplete and must not be used).
struct CsvRecord {
  int64_t line = 0;
  std::vector<std::string> fields;
  std::string error;  // empty: well-formed
};

// CsvReader yields the records of `data` in order. A record with an error is followed by the
// record on the next line (the reader skips the rest of the broken line); an unterminated quoted
// field consumes the rest of the input.
class CsvReader {
 public:
  explicit CsvReader(std::string_view data) : data_(data) {}

  // Next reads the next record into `*out` (cleared first); false at the end of the input.
  bool Next(CsvRecord* out);

 private:
  // SkipLine moves past the end of the current physical line.
  void SkipLine();

  std::string_view data_;
  size_t pos_ = 0;
  int64_t line_ = 1;
};

}  // namespace concerto::invoice
