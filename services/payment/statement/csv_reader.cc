#include "services/payment/statement/csv_reader.h"

#include <optional>
#include <utility>

#include "absl/strings/match.h"

namespace concerto::payment {
namespace {

// CsvScanner walks the bytes once, tracking the current line.
class CsvScanner {
 public:
  CsvScanner(absl::string_view bytes, char delimiter) : bytes_(bytes), delimiter_(delimiter) {}

  CsvTable Read() {
    CsvTable table;
    while (pos_ < bytes_.size()) {
      if (AtLineEnd()) {  // an empty line
        ConsumeLineEnd();
        continue;
      }
      const int64_t row_line = line_;
      CsvRow row{row_line, {}};
      std::optional<std::string> problem;
      bool unterminated = false;
      while (true) {
        std::string field;
        if (bytes_[pos_] == '"') {
          if (!ReadQuoted(field)) {
            unterminated = true;
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
      if (unterminated) {
        table.errors.push_back(
            CsvError{row_line, "a quoted field is never closed (the file ends inside it)"});
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

  bool AtLineEnd() const {
    return !AtEnd() && (bytes_[pos_] == '\n' || (bytes_[pos_] == '\r' && pos_ + 1 < bytes_.size() &&
                                                 bytes_[pos_ + 1] == '\n'));
  }

  // ConsumeLineEnd steps over "\n" or "\r\n". Precondition: AtLineEnd().
  void ConsumeLineEnd() {
    pos_ += bytes_[pos_] == '\r' ? 2 : 1;
    ++line_;
  }

  void SkipRestOfLine() {
    while (!AtEnd() && bytes_[pos_] != '\n') ++pos_;
    if (!AtEnd()) {
      ++pos_;
      ++line_;
    }
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
      if (c == '\n') ++line_;
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

}  // namespace concerto::payment
