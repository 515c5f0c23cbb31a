// The CSV client side: rows to stream (one fill-only defaults row per debtor, before its first
// invoice), the per-line summary, file-level errors.
#include "services/invoice/app/import_client.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace concerto::invoice {
namespace {

constexpr char kCsv[] =
    "invoice_number,debtor_id,issue_date,due_date,currency,amount,debtor_country,debtor_language\n"
    "INV-1,D-1,2025-03-01,2025-03-31,EUR,100.00,IT,\n"
    "INV-2,D-2,2025-03-01,2025-03-31,EUR,50,,\n"
    "INV-3,D-1,2025-03-01,2025-03-31,EUR,12.5,FI,it\n"
    "INV-4,D-1,2025-03-01,2025-02-31,EUR,1,,\n";

TEST(ImportClientTest, OneDefaultsRowPerDebtorBeforeItsFirstInvoice) {
  const CsvParseResult parsed = ParseInvoiceCsv(kCsv);
  ASSERT_EQ(parsed.rows.size(), 3u);
  ASSERT_EQ(parsed.errors.size(), 1u);  // the impossible due date on line 5
  const std::vector<v1::ImportRow> rows = CsvImportRows(parsed.rows);
  ASSERT_EQ(rows.size(), 4u);
  ASSERT_TRUE(rows[0].has_debtor());
  EXPECT_EQ(rows[0].line(), 2);
  EXPECT_EQ(rows[0].debtor().debtor_id(), "D-1");
  EXPECT_EQ(rows[0].debtor().country(), "IT");             // first non-empty value wins
  EXPECT_EQ(rows[0].debtor().preferred_language(), "it");  // from a later row
  EXPECT_TRUE(rows[1].has_invoice());
  EXPECT_EQ(rows[1].invoice().amount().minor_units(), 10000);
  EXPECT_TRUE(rows[2].has_invoice());  // D-2 has no debtor columns: no defaults row
  EXPECT_EQ(rows[2].line(), 3);
  EXPECT_EQ(rows[3].invoice().invoice_number(), "INV-3");
  EXPECT_EQ(rows[3].line(), 4);

  v1::ImportInvoicesResponse response;
  response.set_created(1);
  response.set_duplicates(1);
  for (v1::IssueOutcome o : {v1::ISSUE_OUTCOME_CREATED, v1::ISSUE_OUTCOME_CREATED,
                             v1::ISSUE_OUTCOME_DUPLICATE, v1::ISSUE_OUTCOME_REJECTED}) {
    v1::ImportRowResult* r = response.add_results();
    r->set_outcome(o);
  }
  for (int i = 0; i < 4; ++i) response.mutable_results(i)->set_line(rows[i].line());
  EXPECT_EQ(FormatSummary(Summarize(parsed, rows, response)),
            "rows=4 created=1 duplicates=1 adjusted=0 rejected=2");
  EXPECT_FALSE(IsFileLevelError(parsed));
}

TEST(ImportClientTest, HeaderProblemsAreFileLevel) {
  EXPECT_TRUE(IsFileLevelError(ParseInvoiceCsv("invoice_number,amount\nX,1\n")));
  EXPECT_TRUE(IsFileLevelError(ParseInvoiceCsv("")));
  EXPECT_FALSE(IsFileLevelError(
      ParseInvoiceCsv("invoice_number,debtor_id,issue_date,due_date,currency,amount\n")));
}

}  // namespace
}  // namespace concerto::invoice
