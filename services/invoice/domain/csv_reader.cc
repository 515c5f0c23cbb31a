#include "services/invoice/domain/csv_reader.h"

namespace concerto::invoice {

void CsvReader::SkipLine() {
  while (pos_ < data_.size()) {
    const char c = data_[pos_++];
    if (c == '\n') {
      ++line_;
      return;
    }
    if (c == '\r') {
      if (pos_ < data_.size() && data_[pos_] == '\n') ++pos_;
      ++line_;
      return;
    }
  }
}

bool CsvReader::Next(CsvRecord* out) {
  out->fields.clear();
  out->error.clear();
  if (pos_ >= data_.size()) return false;
  out->line = line_;
  std::string field;
  while (true) {
    // At the start of a field.
    if (pos_ < data_.size() && data_[pos_] == '"') {
      const int64_t quote_line = line_;
      ++pos_;
      bool closed = false;
      while (pos_ < data_.size()) {
        const char c = data_[pos_++];
        if (c == '"') {
          if (pos_ < data_.size() && data_[pos_] == '"') {
            field += '"';
            ++pos_;
            continue;
          }
          closed = true;
          break;
        }
        // A bare CR inside quotes is a line end too (old Mac files); CRLF counts once.
        if (c == '\n' || (c == '\r' && !(pos_ < data_.size() && data_[pos_] == '\n'))) ++line_;
        field += c;
      }
      if (!closed) {
        out->error =
            "quoted field opened on line " + std::to_string(quote_line) + " is never closed";
        out->fields.push_back(std::move(field));
        return true;
      }
      // After a closing quote only a separator or a line end may follow.
      if (pos_ < data_.size() && data_[pos_] != ',' && data_[pos_] != '\n' && data_[pos_] != '\r') {
        out->error = "unexpected character after a closing quote";
        out->fields.push_back(std::move(field));
        SkipLine();
        return true;
      }
    } else {
      while (pos_ < data_.size()) {
        const char c = data_[pos_];
        if (c == ',' || c == '\n' || c == '\r') break;
        if (c == '"') {
          out->error =
              "quote inside an unquoted field (quote the whole field and double the quote)";
          out->fields.push_back(std::move(field));
          SkipLine();
          return true;
        }
        field += c;
        ++pos_;
      }
    }
    out->fields.push_back(std::move(field));
    field.clear();
    if (pos_ >= data_.size()) return true;  // last record without a line end
    const char c = data_[pos_++];
    if (c == ',') continue;
    // A line end closes the record.
    if (c == '\r' && pos_ < data_.size() && data_[pos_] == '\n') ++pos_;
    ++line_;
    return true;
  }
}

}  // namespace concerto::invoice
