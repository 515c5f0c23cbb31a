#include "libs/core/csv_reader.h"

#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace concerto::core {
namespace {

// CsvScanner walks the bytes once, tracking the current line.
class CsvScanner {
 public:
  CsvScanner(absl::string_view bytes, char delimiter) : bytes_(bytes), delimiter_(delimiter) {}

  CsvTable Read() {
    CsvTable table;
    while (!AtEnd()) {
      if (AtLineEnd()) {  // an empty line
        ConsumeLineEnd();
        continue;
      }
      const int64_t row_line = line_;
      CsvRow row{row_line, {}};
      std::optional<std::string> problem;
      std::optional<int64_t> unterminated_since;  // the line an unclosed quote opened on
      while (true) {
        std::string field;
        if (bytes_[pos_] == '"') {
          const int64_t quote_line = line_;
          if (!ReadQuoted(field)) {
            unterminated_since = quote_line;
            break;
          }
          if (!AtEnd() && bytes_[pos_] != delimiter_ && !AtLineEnd()) {
            problem =
                "unexpected text after a closing quote (a quote inside a quoted field "
                "must be doubled)";
          }
        } else if (!ReadUnquoted(field)) {
          problem =
              "quote inside an unquoted field (quote the whole field and double the "
              "quote)";
        }
        if (problem.has_value()) break;
        row.fields.push_back(std::move(field));
        if (AtEnd()) break;
        if (bytes_[pos_] == delimiter_) {
          ++pos_;
          if (!AtEnd()) continue;
          row.fields.emplace_back();  // "a,b," at the end of the file ends with an empty field
          break;
        }
        ConsumeLineEnd();
        break;
      }
      if (unterminated_since.has_value()) {
        table.errors.push_back(
            CsvError{row_line, absl::StrCat("a quoted field opened on line ", *unterminated_since,
                                            " is never closed (the file ends inside it)")});
        break;
      }
      if (problem.has_value()) {
        table.errors.push_back(CsvError{row_line, *std::move(problem)});
        SkipRestOfLine();
        continue;
      }
      table.rows.push_back(std::move(row));
    }
    return table;
  }

 private:
  bool AtEnd() const { return pos_ >= bytes_.size(); }

  // AtLineEnd: "\n", "\r\n" or a bare "\r" starts at the current position.
  bool AtLineEnd() const { return !AtEnd() && (bytes_[pos_] == '\n' || bytes_[pos_] == '\r'); }

  // ConsumeLineEnd steps over "\n", "\r\n" or "\r". Precondition: AtLineEnd().
  void ConsumeLineEnd() {
    if (bytes_[pos_] == '\r' && pos_ + 1 < bytes_.size() && bytes_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
  }

  // SkipRestOfLine moves past the end of the current physical line.
  void SkipRestOfLine() {
    while (!AtEnd() && !AtLineEnd()) ++pos_;
    if (!AtEnd()) ConsumeLineEnd();
  }

  // ReadQuoted reads a quoted field starting at the opening quote; false if never closed.
  bool ReadQuoted(std::string& field) {
    ++pos_;
    while (!AtEnd()) {
      const char c = bytes_[pos_];
      if (c == '"') {
        if (pos_ + 1 < bytes_.size() && bytes_[pos_ + 1] == '"') {
          field.push_back('"');
          pos_ += 2;
          continue;
        }
        ++pos_;
        return true;
      }
      // Line breaks are kept in the field; "\r\n" counts as one line.
      if (c == '\n' || (c == '\r' && !(pos_ + 1 < bytes_.size() && bytes_[pos_ + 1] == '\n'))) {
        ++line_;
      }
      field.push_back(c);
      ++pos_;
    }
    return false;
  }

  // ReadUnquoted reads up to the next delimiter or line end; false on a quote inside.
  bool ReadUnquoted(std::string& field) {
    while (!AtEnd() && bytes_[pos_] != delimiter_ && !AtLineEnd()) {
      if (bytes_[pos_] == '"') return false;
      field.push_back(bytes_[pos_]);
      ++pos_;
    }
    return true;
  }

  absl::string_view bytes_;
  char delimiter_;
  size_t pos_ = 0;
  int64_t line_ = 1;
};

}  // namespace

CsvTable ReadCsv(absl::string_view bytes, const CsvOptions& options) {
  if (absl::StartsWith(bytes, "\xEF\xBB\xBF")) bytes.remove_prefix(3);  // UTF-8 byte order mark
  return CsvScanner(bytes, options.delimiter).Read();
}

}  // namespace concerto::core
