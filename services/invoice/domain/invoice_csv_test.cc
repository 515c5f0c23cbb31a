#include "services/invoice/domain/invoice_csv.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/invoice/domain/csv_import.h"
#include "services/invoice/domain/domain_test_util.h"

namespace concerto::invoice {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string Errors(const CsvParseResult& r) {
  std::string out;
  for (const CsvError& e : r.errors) {
    out += std::to_string(e.line) + "|" + e.column + "|" + e.problem + "\n";
  }
  return out;
}

TEST(ParseInvoiceCsv, GoodFileWithQuotingBomCrlfAndOptionalColumns) {
  const std::string csv =
      "\xEF\xBB\xBF"
      "Invoice_Number, debtor_id ,issue_date,due_date,currency,amount,open_balance,"
      "purchase_order,debtor_type,debtor_country,debtor_language,debtor_time_zone,document_uri\r\n"
      "INV-1,D-17,2025-03-01,2025-03-31,EUR,1234.5,,\"PO 7, \"\"urgent\"\"\",business,it,IT,"
      "Europe/Rome,s3://docs/inv-1.pdf\r\n"
      "\r\n"
      "\"INV-2\",D-18,2025-03-02,2025-04-01,jpy,1200,1000.00,\"two\nlines\",,,,,\r\n"
      ",,,,,,,,,,,,\r\n"
      "INV-3,D-17,2025-03-03,2025-03-03,EUR,0.05,0,,,,,,\r\n";
  const CsvParseResult r = ParseInvoiceCsv(csv);
  EXPECT_THAT(r.errors, IsEmpty()) << Errors(r);
  EXPECT_EQ(r.data_rows, 3);
  ASSERT_EQ(r.rows.size(), 3u);

  const CsvRow& a = r.rows[0];
  EXPECT_EQ(a.line, 2);
  EXPECT_EQ(a.invoice.invoice_number, "INV-1");
  EXPECT_EQ(a.invoice.debtor_id, "D-17");
  EXPECT_EQ(a.invoice.issue_date, absl::CivilDay(2025, 3, 1));
  EXPECT_EQ(a.invoice.due_date, absl::CivilDay(2025, 3, 31));
  EXPECT_EQ(a.invoice.currency, "EUR");
  EXPECT_EQ(a.invoice.amount_minor, 123450);
  EXPECT_FALSE(a.invoice.open_balance_minor.has_value());
  EXPECT_EQ(a.invoice.purchase_order, "PO 7, \"urgent\"");
  EXPECT_EQ(a.invoice.document_uri, "s3://docs/inv-1.pdf");
  ASSERT_TRUE(a.debtor.has_value());
  EXPECT_EQ(a.debtor->type, CsvDebtorType::kBusiness);
  EXPECT_EQ(a.debtor->country, "IT");
  EXPECT_EQ(a.debtor->language, "it");
  EXPECT_EQ(a.debtor->time_zone, "Europe/Rome");

  const CsvRow& b = r.rows[1];
  EXPECT_EQ(b.line, 4);
  EXPECT_EQ(b.invoice.currency, "JPY");
  EXPECT_EQ(b.invoice.amount_minor, 1200);
  EXPECT_EQ(b.invoice.open_balance_minor, 1000);
  EXPECT_EQ(b.invoice.purchase_order, "two\nlines");
  EXPECT_FALSE(b.debtor.has_value());

  const CsvRow& c = r.rows[2];
  EXPECT_EQ(c.line, 7);  // after a two-line record and a row of empty cells
  EXPECT_EQ(c.invoice.amount_minor, 5);
  EXPECT_EQ(c.invoice.open_balance_minor, 0);
}

TEST(ParseInvoiceCsv, BadRowsNameLineAndColumnAndGoodRowsStillParse) {
  const std::string csv =
      "invoice_number,debtor_id,issue_date,due_date,currency,amount,open_balance,debtor_type\n"
      "INV-1,D-17,2025-03-01,2025-03-31,EUR,100.00,,\n"            // 2 good
      "INV-2,D-17,2025-02-30,2025-03-31,EUR,100.00,,\n"            // 3 bad date
      "INV-3,D-17,2025-03-01,31/03/2025,XYZ,100.00,,\n"            // 4 two problems
      "INV-4,D-17,2025-03-01,2025-03-31,EUR,100.001,,\n"           // 5 decimals
      "INV-5,D-17,2025-03-01,2025-03-31,EUR,\"1,000.00\",,\n"      // 6 separator
      ",D-17,2025-03-01,2025-03-31,EUR,100,,\n"                    // 7 missing number
      "INV-7,D-17,2025-03-01,2025-03-31,EUR,100\n"                 // 8 field count
      "INV-8,D-17,2025-03-01,2025-03-31,EUR,10\"0,,\n"             // 9 stray quote
      "INV-9,D-17,2025-03-01,2025-03-31,EUR,100,abc,person\n"      // 10 two problems
      "INV-10,D-17,2025-03-01,2025-03-31,EUR,99.990,,consumer\n";  // 11 good
  const CsvParseResult r = ParseInvoiceCsv(csv);
  ASSERT_EQ(r.rows.size(), 2u) << Errors(r);
  EXPECT_EQ(r.rows[0].line, 2);
  EXPECT_EQ(r.rows[1].line, 11);
  EXPECT_EQ(r.rows[1].invoice.amount_minor, 9999);
  EXPECT_EQ(r.data_rows, 10);
  std::vector<std::string> where;
  for (const CsvError& e : r.errors) where.push_back(std::to_string(e.line) + ":" + e.column);
  EXPECT_THAT(where,
              ElementsAre("3:issue_date", "4:due_date", "4:currency", "5:amount", "6:amount",
                          "7:invoice_number", "8:", "9:", "10:open_balance", "10:debtor_type"))
      << Errors(r);
  EXPECT_THAT(r.errors[0].problem, HasSubstr("yyyy-mm-dd"));
  EXPECT_THAT(r.errors[3].problem, HasSubstr("more than 2 decimals"));
  EXPECT_THAT(r.errors[4].problem, HasSubstr("'.' as the decimal separator"));
  EXPECT_EQ(r.errors[5].problem, "required");
  EXPECT_THAT(r.errors[6].problem, HasSubstr("has 6 fields, the header has 8"));
}

TEST(ParseInvoiceCsv, HeaderProblemsRejectTheFile) {
  {
    const CsvParseResult r = ParseInvoiceCsv("");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].line, 1);
    EXPECT_THAT(r.errors[0].problem, HasSubstr("header row"));
  }
  {
    const CsvParseResult r =
        ParseInvoiceCsv("invoice_number,debtor,issue_date,due_date,amount,amount\nX,D,,,,\n");
    EXPECT_TRUE(r.rows.empty());
    std::vector<std::string> where;
    for (const CsvError& e : r.errors) where.push_back(e.column + ":" + e.problem);
    EXPECT_THAT(where, ElementsAre("debtor:unknown column", "amount:column appears twice",
                                   "debtor_id:required column missing from the header",
                                   "currency:required column missing from the header"));
  }
}

TEST(ParseDecimalMinor, ExactConversion) {
  struct Case {
    std::string text;
    int exponent;
    bool ok;
    int64_t minor;
  };
  for (const Case& c : std::vector<Case>{{"0.05", 2, true, 5},
                                         {"12.340", 2, true, 1234},
                                         {"12.5", 2, true, 1250},
                                         {"-3.10", 2, true, -310},
                                         {"100.00", 0, true, 100},
                                         {"7", 3, true, 7000},
                                         {"92233720368547758.07", 2, true, INT64_MAX},
                                         {"92233720368547758.08", 2, false, 0},
                                         {"12.345", 2, false, 0},
                                         {"100.5", 0, false, 0},
                                         {"1e5", 2, false, 0},
                                         {".5", 2, false, 0},
                                         {"5.", 2, false, 0},
                                         {"", 2, false, 0},
                                         {"-", 2, false, 0},
                                         {"+5", 2, false, 0},
                                         {"1 000", 2, false, 0}}) {
    int64_t minor = 0;
    std::string problem;
    EXPECT_EQ(ParseDecimalMinor(c.text, c.exponent, &minor, &problem), c.ok) << c.text;
    if (c.ok) {
      EXPECT_EQ(minor, c.minor) << c.text;
    } else {
      EXPECT_FALSE(problem.empty()) << c.text;
    }
  }
}

TEST(ParseIsoDate, StrictCalendarDates) {
  EXPECT_EQ(ParseIsoDate("2024-02-29"), absl::CivilDay(2024, 2, 29));
  EXPECT_FALSE(ParseIsoDate("2025-02-29").has_value());
  EXPECT_FALSE(ParseIsoDate("2025-1-01").has_value());
  EXPECT_FALSE(ParseIsoDate("2025-13-01").has_value());
  EXPECT_FALSE(ParseIsoDate("0999-01-01").has_value());
  EXPECT_FALSE(ParseIsoDate("2025/01/01").has_value());
  EXPECT_FALSE(ParseIsoDate("2025-01-01T00").has_value());
}

TEST(ParseInvoiceCsv, ParsingTwiceGivesEqualResults) {
  const std::string csv =
      "invoice_number,debtor_id,issue_date,due_date,currency,amount\n"
      "A,D,2025-01-01,2025-01-31,EUR,1\nB,D,bad,2025-01-31,EUR,1\n\"C";
  EXPECT_TRUE(ParseInvoiceCsv(csv) == ParseInvoiceCsv(csv));
}

TEST(CsvImport, FileToImportRowsPerDebtor) {
  const std::string csv =
      "invoice_number,debtor_id,issue_date,due_date,currency,amount,debtor_country,payment_"
      "reference\n"
      "INV-1,D-17,2025-03-01,2025-03-31,EUR,100.00,IT,\n"
      "INV-2,D-18,2025-03-01,2025-03-31,EUR,50.00,,RF18 5390 0754 7034\n"
      "INV-3,D-17,2025-03-01,2025-02-01,EUR,10.00,IT,\n";
  const CsvParseResult parsed = ParseInvoiceCsv(csv);
  ASSERT_THAT(parsed.errors, IsEmpty()) << Errors(parsed);
  const auto groups = ImportItemsByDebtor(parsed.rows);
  ASSERT_EQ(groups.size(), 2u);
  const std::vector<ImportItem>& d17 = groups.at("D-17");
  ASSERT_EQ(d17.size(), 2u);
  auto d = testing::Must(ImportRows(NewAccount("acme", "D-17"), d17, testing::Now()));
  EXPECT_EQ(d.reply.created(), 1);
  EXPECT_EQ(d.reply.rejected(), 1);
  EXPECT_EQ(d.reply.debtors_upserted(), 1);
  ASSERT_EQ(d.reply.results(1).errors_size(), 1);
  EXPECT_EQ(d.reply.results(1).errors(0).line(), 4);
  EXPECT_EQ(d.reply.results(1).errors(0).field(), "due_date");
  EXPECT_EQ(d.state.debtor().country(), "IT");
  EXPECT_EQ(d.state.invoices().at("INV-1").amount().minor_units(), 10000);

  auto d18 =
      testing::Must(ImportRows(NewAccount("acme", "D-18"), groups.at("D-18"), testing::Now()));
  EXPECT_EQ(d18.reply.created(), 1);
  EXPECT_EQ(d18.state.invoices().at("INV-2").payment_reference(), "RF18539007547034");
  EXPECT_FALSE(d18.state.has_debtor());

  const std::vector<v1::FieldError> errors = ToFieldErrors({CsvError{3, "amount", "required"}});
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line(), 3);
  EXPECT_EQ(errors[0].field(), "amount");
}

}  // namespace
}  // namespace concerto::invoice
