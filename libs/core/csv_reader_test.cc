#include "libs/core/csv_reader.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace concerto::core {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

using Fields = std::vector<std::string>;

TEST(CsvReaderTest, PlainRowsWithLfCrlfOrBareCr) {
  for (const std::string newline : {"\n", "\r\n", "\r"}) {
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

TEST(CsvReaderTest, LineNumbersCountQuotedLineBreaksAndTrailingEmptyFields) {
  const CsvTable table = ReadCsv("a,\"b,1\",\"say \"\"hi\"\"\"\r\n\"multi\nline\",x,\r\nlast,,z");
  EXPECT_THAT(table.errors, IsEmpty());
  ASSERT_EQ(table.rows.size(), 3u);
  EXPECT_EQ(table.rows[0].line, 1);
  EXPECT_THAT(table.rows[0].fields, ElementsAre("a", "b,1", "say \"hi\""));
  EXPECT_EQ(table.rows[1].line, 2);
  EXPECT_THAT(table.rows[1].fields, ElementsAre("multi\nline", "x", ""));
  EXPECT_EQ(table.rows[2].line, 4);  // last record without a line end
  EXPECT_THAT(table.rows[2].fields, ElementsAre("last", "", "z"));
}

TEST(CsvReaderTest, BareCrInsideQuotesCountsAsALineAndCrlfOnce) {
  const CsvTable table = ReadCsv("\"a\rb\",\"c\r\nd\"\rnext,1\r\n");
  EXPECT_THAT(table.errors, IsEmpty());
  ASSERT_EQ(table.rows.size(), 2u);
  EXPECT_EQ(table.rows[0].fields, (Fields{"a\rb", "c\r\nd"}));
  EXPECT_EQ(table.rows[1].line, 4);
  EXPECT_EQ(table.rows[1].fields, (Fields{"next", "1"}));
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

TEST(CsvReaderTest, OnlyOneByteOrderMarkIsSkipped) {
  const std::string bom = "\xEF\xBB\xBF";
  const CsvTable table = ReadCsv(bom + bom + "a");
  ASSERT_EQ(table.rows.size(), 1u);
  EXPECT_EQ(table.rows[0].fields, (Fields{bom + "a"}));
}

TEST(CsvReaderTest, MalformedRecordsAreReportedAndReadingContinues) {
  const CsvTable table = ReadCsv("x\"y,1\n\"ok\",2\n\"bad\"z,3\r\nlast,4\n\"open");
  ASSERT_EQ(table.errors.size(), 3u);
  EXPECT_EQ(table.errors[0].line, 1);
  EXPECT_THAT(table.errors[0].problem, HasSubstr("quote inside an unquoted field"));
  EXPECT_EQ(table.errors[1].line, 3);
  EXPECT_THAT(table.errors[1].problem, HasSubstr("after a closing quote"));
  EXPECT_EQ(table.errors[2].line, 5);
  EXPECT_THAT(table.errors[2].problem, HasSubstr("never closed"));
  ASSERT_EQ(table.rows.size(), 2u);
  EXPECT_EQ(table.rows[0].line, 2);
  EXPECT_EQ(table.rows[0].fields, (Fields{"ok", "2"}));
  EXPECT_EQ(table.rows[1].line, 4);
  EXPECT_EQ(table.rows[1].fields, (Fields{"last", "4"}));
}

TEST(CsvReaderTest, UnterminatedQuoteEndsTheFile) {
  const CsvTable table = ReadCsv("a,b\n1,\"open\n2,3\n");
  ASSERT_EQ(table.errors.size(), 1u);
  EXPECT_EQ(table.errors[0].line, 2);
  EXPECT_THAT(table.errors[0].problem, HasSubstr("never closed"));
  ASSERT_EQ(table.rows.size(), 1u);
}

TEST(CsvReaderTest, UnterminatedQuoteNamesTheLineItOpenedOn) {
  const CsvTable table = ReadCsv("h\n\"two\nlines\",\"open\nrest");
  ASSERT_EQ(table.errors.size(), 1u);
  EXPECT_EQ(table.errors[0].line, 2);  // the record's first line
  EXPECT_EQ(table.errors[0].problem,
            "a quoted field opened on line 3 is never closed (the file ends inside it)");
}

TEST(CsvReaderTest, OtherDelimiter) {
  const CsvTable table = ReadCsv("a;b\n\"1;5\";2\n", CsvOptions{.delimiter = ';'});
  EXPECT_THAT(table.errors, IsEmpty());
  ASSERT_EQ(table.rows.size(), 2u);
  EXPECT_THAT(table.rows[1].fields, ElementsAre("1;5", "2"));
}

TEST(CsvReaderTest, EmptyInput) {
  EXPECT_THAT(ReadCsv("").rows, IsEmpty());
  EXPECT_THAT(ReadCsv("\r\n\n\r").rows, IsEmpty());
  EXPECT_THAT(ReadCsv("\xEF\xBB\xBF").rows, IsEmpty());
}

}  // namespace
}  // namespace concerto::core
