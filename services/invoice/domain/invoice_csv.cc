#include "services/invoice/domain/invoice_csv.h"

#include <array>
#include <cstddef>

#include "absl/strings/string_view.h"
#include "libs/core/csv_reader.h"
#include "libs/rules/money.h"

namespace concerto::invoice {
namespace {

constexpr size_t kColumnCount = std::size(kCsvColumns);
// Values echoed in problems are cut to this length, so that a huge cell cannot blow up the report.
constexpr size_t kEchoMax = 40;

enum Column : int {
  kInvoiceNumber = 0,
  kDebtorId,
  kIssueDate,
  kDueDate,
  kCurrency,
  kAmount,
  kOpenBalance,
  kPaymentReference,
  kPurchaseOrder,
  kDebtorType,
  kDebtorCountry,
  kDebtorLanguage,
  kDebtorTimeZone,
  kDocumentUri,
};
static_assert(kDocumentUri + 1 == static_cast<int>(kColumnCount));

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  return s;
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
char Upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

std::string ToUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Upper(c);
  return out;
}

// Echo quotes a value for a problem text, shortened when long.
std::string Echo(std::string_view value) {
  if (value.size() <= kEchoMax) return "'" + std::string(value) + "'";
  return "'" + std::string(value.substr(0, kEchoMax)) + "...'";
}

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

int Digits(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

// Record is one record of the file: a row the reader could read (`fields`) or the problem that
// kept it from reading it (`error`).
struct Record {
  int64_t line = 0;
  const std::vector<std::string>* fields = nullptr;  // null for a malformed record
  const std::string* error = nullptr;                // null for a well-formed record
};

// RecordsInFileOrder merges the rows and the errors of `table` by line, so that problems are
// reported in file order.
std::vector<Record> RecordsInFileOrder(const core::CsvTable& table) {
  std::vector<Record> records;
  records.reserve(table.rows.size() + table.errors.size());
  size_t r = 0;
  size_t e = 0;
  while (r < table.rows.size() || e < table.errors.size()) {
    if (e == table.errors.size() ||
        (r < table.rows.size() && table.rows[r].line < table.errors[e].line)) {
      records.push_back({table.rows[r].line, &table.rows[r].fields, nullptr});
      ++r;
    } else {
      records.push_back({table.errors[e].line, nullptr, &table.errors[e].problem});
      ++e;
    }
  }
  return records;
}

// IsBlankRecord: a row of empty cells (spreadsheets export those; empty lines never reach here).
bool IsBlankRecord(const Record& r) {
  if (r.fields == nullptr) return false;
  for (const std::string& f : *r.fields) {
    if (!Trim(f).empty()) return false;
  }
  return true;
}

// RowParser turns the cells of one record into a CsvRow, collecting every problem.
class RowParser {
 public:
  RowParser(int64_t line, const std::array<int, kColumnCount>& index,
            const std::vector<std::string>& fields, std::vector<CsvError>* errors)
      : line_(line), index_(index), fields_(fields), errors_(errors) {}

  bool Parse(CsvRow* row) {
    row->line = line_;
    CsvInvoice& inv = row->invoice;
    inv.invoice_number = std::string(Required(kInvoiceNumber));
    inv.debtor_id = std::string(Required(kDebtorId));
    Date(kIssueDate, &inv.issue_date);
    Date(kDueDate, &inv.due_date);
    std::optional<int> exponent;
    if (std::string_view ccy = Required(kCurrency); !ccy.empty()) {
      inv.currency = ToUpper(ccy);
      exponent = rules::MinorUnitExponent(inv.currency);
      if (!exponent.has_value()) Problem(kCurrency, "unknown ISO 4217 currency " + Echo(ccy));
    }
    if (std::string_view amount = Required(kAmount); !amount.empty() && exponent.has_value()) {
      Amount(kAmount, amount, *exponent, &inv.amount_minor);
    }
    if (std::string_view open = Value(kOpenBalance); !open.empty() && exponent.has_value()) {
      int64_t minor = 0;
      if (Amount(kOpenBalance, open, *exponent, &minor)) inv.open_balance_minor = minor;
    }
    inv.payment_reference = std::string(Value(kPaymentReference));
    inv.purchase_order = std::string(Value(kPurchaseOrder));
    inv.document_uri = std::string(Value(kDocumentUri));

    CsvDebtorDefaults debtor;
    bool any_debtor = false;
    if (std::string_view type = Value(kDebtorType); !type.empty()) {
      any_debtor = true;
      const std::string t = ToLower(type);
      if (t == "consumer" || t == "b2c") {
        debtor.type = CsvDebtorType::kConsumer;
      } else if (t == "business" || t == "b2b") {
        debtor.type = CsvDebtorType::kBusiness;
      } else {
        Problem(kDebtorType, "must be 'consumer' or 'business', not " + Echo(type));
      }
    }
    if (std::string_view country = Value(kDebtorCountry); !country.empty()) {
      any_debtor = true;
      if (country.size() == 2 && IsLetter(country[0]) && IsLetter(country[1])) {
        debtor.country = ToUpper(country);
      } else {
        Problem(kDebtorCountry,
                "must be an ISO 3166-1 alpha-2 code such as IT, not " + Echo(country));
      }
    }
    if (std::string_view language = Value(kDebtorLanguage); !language.empty()) {
      any_debtor = true;
      if (language.size() == 2 && IsLetter(language[0]) && IsLetter(language[1])) {
        debtor.language = ToLower(language);
      } else {
        Problem(kDebtorLanguage, "must be an ISO 639-1 code such as it, not " + Echo(language));
      }
    }
    if (std::string_view zone = Value(kDebtorTimeZone); !zone.empty()) {
      any_debtor = true;
      bool ok =
          zone.size() <= 64 && zone.front() != '/' && zone.find("..") == std::string_view::npos;
      for (char c : zone)
        ok = ok && (IsLetter(c) || IsDigit(c) || c == '/' || c == '_' || c == '-' || c == '+');
      if (ok) {
        debtor.time_zone = std::string(zone);
      } else {
        Problem(kDebtorTimeZone,
                "must be an IANA time zone such as Europe/Rome, not " + Echo(zone));
      }
    }
    if (any_debtor) row->debtor = std::move(debtor);
    return ok_;
  }

 private:
  std::string_view Value(Column c) const {
    const int i = index_[c];
    return i < 0 ? std::string_view() : Trim(fields_[static_cast<size_t>(i)]);
  }

  std::string_view Required(Column c) {
    std::string_view v = Value(c);
    if (v.empty()) Problem(c, "required");
    return v;
  }

  void Problem(Column c, std::string problem) {
    ok_ = false;
    errors_->push_back(CsvError{line_, std::string(kCsvColumns[c]), std::move(problem)});
  }

  void Date(Column c, absl::CivilDay* out) {
    std::string_view v = Required(c);
    if (v.empty()) return;
    std::optional<absl::CivilDay> day = ParseIsoDate(v);
    if (!day.has_value()) {
      Problem(c, "must be a date yyyy-mm-dd, not " + Echo(v));
      return;
    }
    *out = *day;
  }

  bool Amount(Column c, std::string_view v, int exponent, int64_t* out) {
    std::string problem;
    if (!ParseDecimalMinor(v, exponent, out, &problem)) {
      Problem(c, problem + ", not " + Echo(v));
      return false;
    }
    return true;
  }

  int64_t line_;
  const std::array<int, kColumnCount>& index_;
  const std::vector<std::string>& fields_;
  std::vector<CsvError>* errors_;
  bool ok_ = true;
};

}  // namespace

bool ParseDecimalMinor(std::string_view text, int exponent, int64_t* out, std::string* problem) {
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && s.front() == '-') {
    negative = true;
    s.remove_prefix(1);
  }
  const size_t dot = s.find('.');
  const std::string_view whole = s.substr(0, dot);
  const std::string_view fraction =
      dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  if (whole.empty() || !AllDigits(whole) ||
      (dot != std::string_view::npos && (fraction.empty() || !AllDigits(fraction)))) {
    *problem = "must be a decimal number with '.' as the decimal separator (e.g. 1234.50)";
    return false;
  }
  for (size_t i = static_cast<size_t>(exponent); i < fraction.size(); ++i) {
    if (fraction[i] != '0') {
      *problem = "has more than " + std::to_string(exponent) + " decimals for its currency";
      return false;
    }
  }
  int64_t value = 0;
  auto push = [&value](int digit) {
    return !__builtin_mul_overflow(value, 10, &value) &&
           !__builtin_add_overflow(value, digit, &value);
  };
  bool ok = true;
  for (char c : whole) ok = ok && push(c - '0');
  for (int i = 0; i < exponent; ++i) {
    const size_t k = static_cast<size_t>(i);
    ok = ok && push(k < fraction.size() ? fraction[k] - '0' : 0);
  }
  if (!ok) {
    *problem = "is too large";
    return false;
  }
  *out = negative ? -value : value;
  return true;
}

std::optional<absl::CivilDay> ParseIsoDate(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-' || !AllDigits(t.substr(0, 4)) ||
      !AllDigits(t.substr(5, 2)) || !AllDigits(t.substr(8, 2))) {
    return std::nullopt;
  }
  const int year = Digits(t.substr(0, 4));
  const int month = Digits(t.substr(5, 2));
  const int day = Digits(t.substr(8, 2));
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
  const absl::CivilDay d(year, month, day);
  // CivilDay normalises 2025-02-30 to 2025-03-02: a real date survives unchanged.
  if (d.month() != month || d.day() != day) return std::nullopt;
  return d;
}

CsvParseResult ParseInvoiceCsv(std::string_view bytes) {
  CsvParseResult result;
  // The reader skips the byte-order mark and empty lines, and reports malformed records.
  const core::CsvTable table = core::ReadCsv(absl::string_view(bytes.data(), bytes.size()));
  const std::vector<Record> records = RecordsInFileOrder(table);
  // The header is the first line of the file: a file that starts with an empty line or a row of
  // empty cells has none.
  if (records.empty() || records.front().line != 1 || IsBlankRecord(records.front())) {
    result.errors.push_back({1, "", "a header row naming the columns is required"});
    return result;
  }
  const Record& header = records.front();
  if (header.error != nullptr) {
    result.errors.push_back({header.line, "", "header: " + *header.error});
    return result;
  }
  const int64_t header_line = header.line;
  const std::vector<std::string>& header_fields = *header.fields;
  std::array<int, kColumnCount> index;
  index.fill(-1);
  const size_t width = header_fields.size();
  bool header_ok = true;
  for (size_t i = 0; i < width; ++i) {
    const std::string name = ToLower(Trim(header_fields[i]));
    int column = -1;
    for (size_t c = 0; c < kColumnCount; ++c) {
      if (kCsvColumns[c] == name) column = static_cast<int>(c);
    }
    if (column < 0) {
      result.errors.push_back(
          {header_line, name.substr(0, kEchoMax),
           name.empty() ? "header cell " + std::to_string(i + 1) + " is empty" : "unknown column"});
      header_ok = false;
    } else if (index[static_cast<size_t>(column)] >= 0) {
      result.errors.push_back({header_line, name, "column appears twice"});
      header_ok = false;
    } else {
      index[static_cast<size_t>(column)] = static_cast<int>(i);
    }
  }
  for (int c = 0; c < kCsvRequiredColumns; ++c) {
    if (index[static_cast<size_t>(c)] < 0) {
      result.errors.push_back(
          {header_line, std::string(kCsvColumns[c]), "required column missing from the header"});
      header_ok = false;
    }
  }
  if (!header_ok) return result;

  for (size_t k = 1; k < records.size(); ++k) {
    const Record& record = records[k];
    if (IsBlankRecord(record)) continue;
    ++result.data_rows;
    if (record.error != nullptr) {
      result.errors.push_back({record.line, "", *record.error});
      continue;
    }
    const std::vector<std::string>& fields = *record.fields;
    if (fields.size() != width) {
      result.errors.push_back({record.line, "",
                               "has " + std::to_string(fields.size()) +
                                   " fields, the header has " + std::to_string(width)});
      continue;
    }
    CsvRow row;
    RowParser parser(record.line, index, fields, &result.errors);
    if (parser.Parse(&row)) result.rows.push_back(std::move(row));
  }
  return result;
}

}  // namespace concerto::invoice
