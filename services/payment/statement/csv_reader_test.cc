#include "services/payment/statement/csv_reader.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace concerto::payment {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

using Fields = std::vector<std::string>;

TEST(CsvReaderTest, PlainRowsWithLfOrCrlf) {
  for (const std::string newline : {"\n", "\r\n"}) {
    const CsvTable table = ReadCsv("a,b,c" + newline + "1,2,3" + newline);
    EXPECT_THAT(table.errors, IsEmpty());
    ASSERT_EQ(table.rows.size(), 2u);
    EXPECT_EQ(table.rows[0].fields, (Fields{"a", "b", "c"}));
    EXPECT_EQ(table.rows[1].fields, (Fields{"1", "2", "3"}));
    EXPECT_EQ(table.rows[1].line, 2);
  }
}

TEST(CsvReaderTest, QuotedFieldsKeepDelimitersQuotesAndLineBreaks) {
  const CsvTable table =
      ReadCsv("name,note\r\n\"Dupont, Jean\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",x\r\nlast,\"\"");
  EXPECT_THAT(table.errors, IsEmpty());
  ASSERT_EQ(table.rows.size(), 4u);
  EXPECT_EQ(table.rows[1].fields, (Fields{"Dupont, Jean", "say \"hi\""}));
  EXPECT_EQ(table.rows[2].fields, (Fields{"two\nlines", "x"}));
  EXPECT_EQ(table.rows[2].line, 3);
  EXPECT_EQ(table.rows[3].fields, (Fields{"last", ""}));
  EXPECT_EQ(table.rows[3].line, 5);  // the quoted line break counts
}

TEST(CsvReaderTest, EmptyFieldsBlankLinesAndBom) {
  const CsvTable table = ReadCsv(
      "\xEF\xBB\xBF"
      "a,,c\n\n\n,\nx,y,");
  EXPECT_THAT(table.errors, IsEmpty());
  ASSERT_EQ(table.rows.size(), 3u);
  EXPECT_EQ(table.rows[0].fields, (Fields{"a", "", "c"}));
  EXPECT_EQ(table.rows[1].fields, (Fields{"", ""}));
  EXPECT_EQ(table.rows[1].line, 4);
  EXPECT_EQ(table.rows[2].fields, (Fields{"x", "y", ""}));
  EXPECT_EQ(table.rows[2].line, 5);
}

TEST(CsvReaderTest, BadRowsAreReportedAndReadingContinues) {
  const CsvTable table = ReadCsv("a,b\nx\"y,1\n\"ok\",2\n\"bad\"z,3\nlast,4\n");
  ASSERT_EQ(table.errors.size(), 2u);
  EXPECT_EQ(table.errors[0].line, 2);
  EXPECT_THAT(table.errors[0].problem, ::testing::HasSubstr("quote inside an unquoted field"));
  EXPECT_EQ(table.errors[1].line, 4);
  EXPECT_THAT(table.errors[1].problem, ::testing::HasSubstr("after a closing quote"));
  ASSERT_EQ(table.rows.size(), 3u);
  EXPECT_EQ(table.rows[1].fields, (Fields{"ok", "2"}));
  EXPECT_EQ(table.rows[2].fields, (Fields{"last", "4"}));
  EXPECT_EQ(table.rows[2].line, 5);
}

TEST(CsvReaderTest, UnterminatedQuoteEndsTheFile) {
  const CsvTable table = ReadCsv("a,b\n1,\"open\n2,3\n");
  ASSERT_EQ(table.errors.size(), 1u);
  EXPECT_EQ(table.errors[0].line, 2);
  EXPECT_THAT(table.errors[0].problem, ::testing::HasSubstr("never closed"));
  ASSERT_EQ(table.rows.size(), 1u);
}

TEST(CsvReaderTest, OtherDelimiter) {
  const CsvTable table = ReadCsv("a;b\n\"1;5\";2\n", CsvOptions{.delimiter = ';'});
  EXPECT_THAT(table.errors, IsEmpty());
  ASSERT_EQ(table.rows.size(), 2u);
  EXPECT_THAT(table.rows[1].fields, ElementsAre("1;5", "2"));
}

TEST(CsvReaderTest, EmptyInput) {
  EXPECT_THAT(ReadCsv("").rows, IsEmpty());
  EXPECT_THAT(ReadCsv("\r\n\n").rows, IsEmpty());
}

}  // namespace
}  // namespace concerto::payment
