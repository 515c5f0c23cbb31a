#include "services/payment/statement/statement_csv_parser.h"

#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace concerto::payment {
namespace {

using concerto::rules::Money;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(CONCERTO_PAYMENT_STATEMENT_TESTDATA) + "/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

constexpr char kHeader[] =
    "entry_reference,booking_date,value_date,amount,currency,credit_debit,structured_reference,"
    "remittance_info,payer_name,payer_iban,debtor_id\n";

TEST(StatementCsvParserTest, SampleFile) {
  const ParsedStatement statement = ParseStatementCsv(ReadTestdata("statement.csv"));
  EXPECT_THAT(statement.file_errors, IsEmpty());
  EXPECT_THAT(statement.entry_errors, IsEmpty());
  EXPECT_EQ(statement.currency, "EUR");
  EXPECT_EQ(statement.account_iban, "");
  EXPECT_EQ(statement.statement_id.size(), 32u);
  ASSERT_EQ(statement.entries.size(), 5u);

  const StatementEntry& first = statement.entries[0];
  EXPECT_EQ(first.line, 2);
  EXPECT_EQ(first.entry_reference, "BNK-20240305-0001");
  EXPECT_EQ(first.amount, (Money{41250, "EUR"}));
  EXPECT_TRUE(first.credit);
  EXPECT_EQ(first.booking_date, absl::CivilDay(2024, 3, 5));
  EXPECT_EQ(first.structured_reference, "RF18539007547034");
  EXPECT_EQ(first.payer_name, "Müller Haustechnik GmbH");
  EXPECT_EQ(first.payer_iban, "DE89370400440532013000");
  EXPECT_EQ(first.debtor_id, "D-1001");

  EXPECT_EQ(statement.entries[1].remittance_info, "Rechnung INV-2024-0042, Kundennr. 7781");
  EXPECT_EQ(statement.entries[1].value_date, absl::CivilDay(2024, 3, 4));
  EXPECT_EQ(statement.entries[2].remittance_info, "Teilzahlung \"März\"");
  EXPECT_TRUE(statement.entries[2].credit);  // "C"
  EXPECT_EQ(statement.entries[2].debtor_id, "");
  EXPECT_FALSE(statement.entries[3].credit);
  EXPECT_EQ(statement.entries[4].remittance_info, "Facture INV-2024-0063\nmerci");
  EXPECT_EQ(statement.entries[4].payer_name, "Jean Dupont & Fils, SARL");
  EXPECT_EQ(statement.entries[4].line, 6);
}

TEST(StatementCsvParserTest, ColumnsInAnyOrderAndOptionalOnesAbsent) {
  const ParsedStatement statement = ParseStatementCsv(
      "Currency,amount,credit_debit,booking_date,value_date,structured_reference,"
      "entry_reference\r\n"
      "jpy,1200,D,2024-01-31,2024-02-01,,R-1\r\n");
  EXPECT_THAT(statement.file_errors, IsEmpty());
  EXPECT_THAT(statement.entry_errors, IsEmpty());
  ASSERT_EQ(statement.entries.size(), 1u);
  EXPECT_EQ(statement.entries[0].entry_reference, "R-1");
  EXPECT_EQ(statement.entries[0].amount, (Money{1200, "JPY"}));
  EXPECT_FALSE(statement.entries[0].credit);
  EXPECT_EQ(statement.entries[0].value_date, absl::CivilDay(2024, 2, 1));
  EXPECT_EQ(statement.entries[0].payer_name, "");
}

TEST(StatementCsvParserTest, BadRowsNameLineColumnAndProblemWhileGoodRowsParse) {
  const std::string csv = std::string(kHeader) +
                          "OK-1,2024-03-05,2024-03-05,10.00,EUR,CRDT,,,,,\n"         // 2
                          "BAD-AMOUNT,2024-03-05,2024-03-05,10.001,EUR,CRDT,,,,,\n"  // 3
                          "BAD-DATE,2024-13-01,05.03.2024,10.00,EUR,CRDT,,,,,\n"     // 4
                          "BAD-CCY,2024-03-05,2024-03-05,10.00,EURO,CRDT,,,,,\n"     // 5
                          "BAD-DIR,2024-03-05,2024-03-05,10.00,EUR,X,,,,,\n"         // 6
                          ",2024-03-05,2024-03-05,-1,EUR,CRDT,,,,,\n"                // 7
                          "SHORT,2024-03-05\n"                                       // 8
                          "\"OK-2\",2024-03-05,2024-03-05,\"1,5\",EUR,CRDT,,,,,\n"   // 9
                          "OK-1,2024-03-05,2024-03-05,10.00,EUR,CRDT,,,,,\n"         // 10
                          "BAD\"QUOTE,2024-03-05,2024-03-05,10.00,EUR,CRDT,,,,,\n"   // 11
                          ",,,,,,,,,,\n"                                             // 12
                          "OK-3,2024-03-05,2024-03-05,0.5,EUR,crdt,,,,,\n";          // 13
  const ParsedStatement statement = ParseStatementCsv(csv);
  EXPECT_THAT(statement.file_errors, IsEmpty());
  ASSERT_EQ(statement.entries.size(), 2u);
  EXPECT_EQ(statement.entries[0].entry_reference, "OK-1");
  EXPECT_EQ(statement.entries[1].entry_reference, "OK-3");
  EXPECT_EQ(statement.entries[1].amount, (Money{50, "EUR"}));

  const auto& errors = statement.entry_errors;
  ASSERT_EQ(errors.size(), 11u);
  const auto expect_error = [&](size_t i, int64_t line, const std::string& column,
                                const std::string& problem) {
    SCOPED_TRACE(i);
    EXPECT_EQ(errors[i].line, line);
    EXPECT_EQ(errors[i].field, column);
    EXPECT_THAT(errors[i].problem, HasSubstr(problem));
  };
  expect_error(0, 3, "amount", "more than 2 decimals");
  EXPECT_EQ(errors[0].entry_reference, "BAD-AMOUNT");
  expect_error(1, 4, "booking_date", "not a calendar date");
  expect_error(2, 4, "value_date", "'05.03.2024'");
  expect_error(3, 5, "currency", "unknown currency 'EURO'");
  expect_error(4, 6, "credit_debit", "got 'X'");
  expect_error(5, 7, "entry_reference", "is empty");
  expect_error(6, 7, "amount", "negative");
  expect_error(7, 8, "row", "row has 2 fields, the header has 11");
  expect_error(8, 9, "amount", "not a decimal number");
  expect_error(9, 10, "entry_reference", "appears twice in this file (first on line 2)");
  expect_error(10, 11, "row", "quote inside an unquoted field");
}

TEST(StatementCsvParserTest, HeaderProblemsAreFileErrors) {
  ParsedStatement statement = ParseStatementCsv("");
  ASSERT_EQ(statement.file_errors.size(), 1u);
  EXPECT_THAT(statement.file_errors[0].problem, HasSubstr("no header row"));

  statement = ParseStatementCsv("entry_reference,amount,currency\nR-1,1.00,EUR\n");
  ASSERT_EQ(statement.file_errors.size(), 1u);
  EXPECT_EQ(statement.file_errors[0].line, 1);
  EXPECT_THAT(statement.file_errors[0].problem,
              HasSubstr("booking_date, value_date, credit_debit, structured_reference"));
  EXPECT_THAT(statement.entries, IsEmpty());

  statement = ParseStatementCsv("\"entry_reference,amount\n");
  ASSERT_EQ(statement.file_errors.size(), 1u);
  EXPECT_THAT(statement.file_errors[0].problem, HasSubstr("header row cannot be read"));
}

TEST(StatementCsvParserTest, UnknownAndDuplicateColumnsAreReportedRowsStillParse) {
  const ParsedStatement statement = ParseStatementCsv(
      "entry_reference,booking_date,value_date,amount,currency,credit_debit,"
      "structured_reference,payer_nam,currency, \n"
      "R-1,2024-03-05,2024-03-05,1.00,EUR,CRDT,,Jane,EUR,\n");
  ASSERT_EQ(statement.file_errors.size(), 3u);
  EXPECT_EQ(statement.file_errors[0].field, "payer_nam");
  EXPECT_THAT(statement.file_errors[0].problem, HasSubstr("unknown column"));
  EXPECT_THAT(statement.file_errors[1].problem, HasSubstr("'currency' appears twice"));
  EXPECT_EQ(statement.file_errors[2].field, "header");
  EXPECT_THAT(statement.file_errors[2].problem, HasSubstr("column 10 has no name"));
  EXPECT_EQ(statement.entries.size(), 1u);
}

}  // namespace
}  // namespace concerto::payment
