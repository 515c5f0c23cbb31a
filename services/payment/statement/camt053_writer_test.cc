// The writer renders what the parser reads back: entries survive a round trip exactly.
#include "services/payment/statement/camt053_writer.h"

#include "gtest/gtest.h"
#include "services/payment/statement/camt053_parser.h"

namespace concerto::payment {
namespace {

TEST(Camt053WriterTest, ParserReadsBackEveryEntryExactly) {
  std::vector<StatementEntry> entries(3);
  entries[0].entry_reference = "E-1";
  entries[0].amount = {41250, "EUR"};
  entries[0].booking_date = entries[0].value_date = absl::CivilDay(2026, 3, 5);
  entries[0].structured_reference = "RF18539007547034";
  entries[0].payer_name = "Rossi & Figli <srl>";
  entries[0].payer_iban = "IT60X0542811101000000123456";
  entries[1].entry_reference = "E-2";
  entries[1].amount = {5, "EUR"};
  entries[1].booking_date = absl::CivilDay(2026, 3, 5);
  entries[1].value_date = absl::CivilDay(2026, 3, 6);
  entries[1].remittance_info = "fattura 2026-17 e 2026-18";
  entries[2].entry_reference = "E-3";
  entries[2].amount = {120000, "EUR"};
  entries[2].credit = false;
  entries[2].booking_date = entries[2].value_date = absl::CivilDay(2026, 3, 5);
  const std::string xml = WriteCamt053("S-1", "IT02A0301503200000003517230", "EUR", entries);
  const ParsedStatement parsed = ParseCamt053(xml);
  ASSERT_TRUE(parsed.file_errors.empty()) << parsed.file_errors[0].problem;
  ASSERT_TRUE(parsed.entry_errors.empty()) << parsed.entry_errors[0].problem;
  ASSERT_EQ(parsed.entries.size(), 3u);
  for (size_t i = 0; i < entries.size(); ++i) {
    StatementEntry got = parsed.entries[i];
    got.line = 0;
    EXPECT_EQ(got, entries[i]) << i;
  }
  EXPECT_EQ(parsed.account_iban, "IT02A0301503200000003517230");
}

}  // namespace
}  // namespace concerto::payment
