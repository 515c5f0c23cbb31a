#include "services/payment/statement/camt053_parser.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
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

// LineOf returns the 1-based line of the first occurrence of `marker` in `text`.
int64_t LineOf(const std::string& text, const std::string& marker) {
  const size_t pos = text.find(marker);
  EXPECT_NE(pos, std::string::npos) << marker;
  return 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(pos), '\n');
}

// Statement wraps entries into a camt.053.001.08 document for account DE02120300000000202051.
std::string Statement(const std::string& entries) {
  return absl::StrCat(R"(<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
<BkToCstmrStmt>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2024-03-06T06:00:00</CreDtTm></GrpHdr>
<Stmt>
<Id>S1</Id>
<Acct><Id><IBAN>DE02120300000000202051</IBAN></Id><Ccy>EUR</Ccy></Acct>
)",
                      entries, R"(</Stmt>
</BkToCstmrStmt>
</Document>
)");
}

// Entry is one single-transaction credit entry with the given reference and amount element.
std::string Entry(const std::string& reference, const std::string& amount,
                  const std::string& extra = "") {
  return absl::StrCat("<Ntry>\n", amount, "\n<CdtDbtInd>CRDT</CdtDbtInd>\n",
                      "<Sts><Cd>BOOK</Cd></Sts>\n", "<BookgDt><Dt>2024-03-05</Dt></BookgDt>\n",
                      "<ValDt><Dt>2024-03-05</Dt></ValDt>\n", extra, "<AcctSvcrRef>", reference,
                      "</AcctSvcrRef>\n</Ntry>\n");
}

TEST(Camt053ParserTest, SampleFile) {
  const std::string xml = ReadTestdata("camt053_001_08.xml");
  const ParsedStatement statement = ParseCamt053(xml);
  EXPECT_THAT(statement.file_errors, IsEmpty());
  EXPECT_THAT(statement.entry_errors, IsEmpty());
  EXPECT_EQ(statement.account_iban, "DE02120300000000202051");
  EXPECT_EQ(statement.currency, "EUR");
  EXPECT_EQ(statement.statement_id.size(), 32u);
  ASSERT_EQ(statement.entries.size(), 6u);

  const StatementEntry& scor = statement.entries[0];
  EXPECT_EQ(scor.line, 67);
  EXPECT_EQ(scor.entry_reference, "2024030512345001");
  EXPECT_EQ(scor.amount, (Money{41250, "EUR"}));
  EXPECT_TRUE(scor.credit);
  EXPECT_EQ(scor.booking_date, absl::CivilDay(2024, 3, 5));
  EXPECT_EQ(scor.value_date, absl::CivilDay(2024, 3, 5));
  EXPECT_EQ(scor.structured_reference, "RF18539007547034");
  EXPECT_EQ(scor.remittance_info, "");
  EXPECT_EQ(scor.payer_name, "Müller Haustechnik GmbH");
  EXPECT_EQ(scor.payer_iban, "DE89370400440532013000");
  EXPECT_EQ(scor.debtor_id, "");

  const StatementEntry& unstructured = statement.entries[1];
  EXPECT_EQ(unstructured.entry_reference, "2024030512345002");
  EXPECT_EQ(unstructured.amount, (Money{12000, "EUR"}));
  EXPECT_EQ(unstructured.value_date, absl::CivilDay(2024, 3, 4));
  EXPECT_EQ(unstructured.structured_reference, "");
  EXPECT_EQ(unstructured.remittance_info, "Rechnung INV-2024-0042, Kundennr. 7781 vielen Dank");
  EXPECT_EQ(unstructured.payer_name, "Anna Schmidt");

  // The batch entry: one StatementEntry per TxDtls, each with its own amount and reference.
  const StatementEntry& batch1 = statement.entries[2];
  const StatementEntry& batch2 = statement.entries[3];
  EXPECT_EQ(batch1.line, 186);
  EXPECT_EQ(batch2.line, 218);
  EXPECT_EQ(batch1.entry_reference, "2024030512345003-01");
  EXPECT_EQ(batch2.entry_reference, "2024030512345003-02");
  EXPECT_EQ(batch1.amount, (Money{10000, "EUR"}));
  EXPECT_EQ(batch2.amount, (Money{20000, "EUR"}));
  EXPECT_EQ(batch1.structured_reference, "INV-2024-0051");  // RfrdDocInf/Nb
  EXPECT_EQ(batch1.payer_name, "Bäckerei Sonnenschein e.K.");
  EXPECT_EQ(batch2.remittance_info, "Zahlung RF18 5390 0754 7034 Teilbetrag");
  EXPECT_EQ(batch2.payer_iban, "FR1420041010050500013M02606");

  // Debits are kept, flagged; the payment service skips them.
  const StatementEntry& fee = statement.entries[4];
  EXPECT_FALSE(fee.credit);
  EXPECT_EQ(fee.amount, (Money{5520, "EUR"}));
  EXPECT_EQ(fee.payer_name, "");

  const StatementEntry& instant = statement.entries[5];
  EXPECT_EQ(instant.booking_date, absl::CivilDay(2024, 3, 5));  // from BookgDt/DtTm
  EXPECT_EQ(instant.payer_name, "Jean Dupont & Fils SARL");
  EXPECT_EQ(instant.amount, (Money{7480, "EUR"}));
}

TEST(Camt053ParserTest, StatementIdDependsOnlyOnTheBytes) {
  const std::string xml = ReadTestdata("camt053_001_08.xml");
  const ParsedStatement first = ParseCamt053(xml);
  EXPECT_EQ(ParseCamt053(xml), first);
  std::string changed = xml;
  changed.replace(changed.find("412.50"), 6, "412.51");
  EXPECT_NE(ParseCamt053(changed).statement_id, first.statement_id);
}

TEST(Camt053ParserTest, Version02WithPrefixAndOlderElementShapes) {
  const std::string xml = R"(<?xml version="1.0"?>
<ns2:Document xmlns:ns2="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
 <ns2:BkToCstmrStmt>
  <ns2:Stmt>
   <ns2:Acct><ns2:Id><ns2:IBAN>DE02 1203 0000 0000 2020 51</ns2:IBAN></ns2:Id></ns2:Acct>
   <ns2:Ntry>
    <ns2:Amt Ccy="JPY">1200</ns2:Amt>
    <ns2:CdtDbtInd>CRDT</ns2:CdtDbtInd>
    <ns2:Sts>BOOK</ns2:Sts>
    <ns2:BookgDt><ns2:Dt>2024-02-29</ns2:Dt></ns2:BookgDt>
    <ns2:ValDt><ns2:Dt>2024-02-29</ns2:Dt></ns2:ValDt>
    <ns2:NtryRef>N-1</ns2:NtryRef>
    <ns2:NtryDtls><ns2:TxDtls>
     <ns2:AmtDtls><ns2:TxAmt><ns2:Amt Ccy="JPY">1200.00</ns2:Amt></ns2:TxAmt></ns2:AmtDtls>
     <ns2:RltdPties><ns2:Dbtr><ns2:Nm>Tanaka Taro</ns2:Nm></ns2:Dbtr></ns2:RltdPties>
     <ns2:RmtInf><ns2:Strd><ns2:CdtrRefInf><ns2:Ref> RF71 2348 231 </ns2:Ref></ns2:CdtrRefInf></ns2:Strd></ns2:RmtInf>
    </ns2:TxDtls></ns2:NtryDtls>
   </ns2:Ntry>
  </ns2:Stmt>
 </ns2:BkToCstmrStmt>
</ns2:Document>
)";
  const ParsedStatement statement = ParseCamt053(xml);
  EXPECT_THAT(statement.file_errors, IsEmpty());
  EXPECT_THAT(statement.entry_errors, IsEmpty());
  EXPECT_EQ(statement.account_iban, "DE02120300000000202051");
  EXPECT_EQ(statement.currency, "JPY");  // no Acct/Ccy: the entries' common currency
  ASSERT_EQ(statement.entries.size(), 1u);
  EXPECT_EQ(statement.entries[0].entry_reference, "N-1");
  EXPECT_EQ(statement.entries[0].amount, (Money{1200, "JPY"}));
  EXPECT_EQ(statement.entries[0].payer_name, "Tanaka Taro");
  EXPECT_EQ(statement.entries[0].structured_reference, "RF71 2348 231");
  EXPECT_EQ(statement.entries[0].line, 6);
}

TEST(Camt053ParserTest, BadEntriesNameLineAndFieldWhileGoodOnesParse) {
  const std::string xml = Statement(absl::StrCat(
      Entry("GOOD-1", R"(<Amt Ccy="EUR">10.00</Amt>)"),
      Entry("TOO-PRECISE", R"(<Amt Ccy="EUR">12.345</Amt>)"),
      Entry("UNKNOWN-CCY", R"(<Amt Ccy="XXX">5.00</Amt>)"), Entry("NO-CCY", R"(<Amt>5.00</Amt>)"),
      Entry("NEGATIVE", R"(<Amt Ccy="EUR">-7.00</Amt>)"),
      Entry("EMPTY", R"(<Amt Ccy="EUR"></Amt>)"), Entry("WORDS", R"(<Amt Ccy="EUR">twelve</Amt>)"),
      "<Ntry>\n<Amt Ccy=\"EUR\">1.00</Amt>\n<CdtDbtInd>CRED</CdtDbtInd>\n"
      "<ValDt><Dt>2024-02-30</Dt></ValDt>\n<AcctSvcrRef>NO-DATES</AcctSvcrRef>\n</Ntry>\n",
      Entry("GOOD-1", R"(<Amt Ccy="EUR">11.00</Amt>)"),
      Entry("GOOD-2", R"(<Amt Ccy="EUR">3.00</Amt>)"),
      Entry("GOOD-3", R"(<Amt Ccy="EUR">20.5</Amt>)")));
  const ParsedStatement statement = ParseCamt053(xml);
  EXPECT_THAT(statement.file_errors, IsEmpty());
  ASSERT_EQ(statement.entries.size(), 3u);
  EXPECT_EQ(statement.entries[0].entry_reference, "GOOD-1");
  EXPECT_EQ(statement.entries[1].entry_reference, "GOOD-2");
  EXPECT_EQ(statement.entries[2].entry_reference, "GOOD-3");
  EXPECT_EQ(statement.entries[2].amount, (Money{2050, "EUR"}));

  const auto& errors = statement.entry_errors;
  ASSERT_EQ(errors.size(), 10u);
  const auto expect_error = [&](size_t i, const std::string& reference, const std::string& field,
                                int64_t line, const std::string& problem) {
    SCOPED_TRACE(reference);
    EXPECT_EQ(errors[i].entry_reference, reference);
    EXPECT_EQ(errors[i].field, field);
    EXPECT_EQ(errors[i].line, line);
    EXPECT_THAT(errors[i].problem, HasSubstr(problem));
  };
  expect_error(0, "TOO-PRECISE", "Amt", LineOf(xml, "12.345"), "more than 2 decimals");
  expect_error(1, "UNKNOWN-CCY", "Amt@Ccy", LineOf(xml, "XXX"), "unknown currency 'XXX'");
  expect_error(2, "NO-CCY", "Amt@Ccy", LineOf(xml, "<Amt>5.00"), "currency is missing");
  expect_error(3, "NEGATIVE", "Amt", LineOf(xml, "-7.00"), "negative");
  expect_error(4, "EMPTY", "Amt", LineOf(xml, "\"EUR\"></Amt>"), "empty");
  expect_error(5, "WORDS", "Amt", LineOf(xml, "twelve"), "not a decimal number");
  expect_error(6, "NO-DATES", "CdtDbtInd", LineOf(xml, "CRED"), "must be CRDT or DBIT");
  expect_error(7, "NO-DATES", "BookgDt", LineOf(xml, "<Ntry>\n<Amt Ccy=\"EUR\">1.00"), "missing");
  expect_error(8, "NO-DATES", "ValDt", LineOf(xml, "2024-02-30"), "not a calendar date");
  expect_error(9, "GOOD-1", "AcctSvcrRef", LineOf(xml, "<Ntry>\n<Amt Ccy=\"EUR\">11.00"),
               "appears twice");
}

TEST(Camt053ParserTest, PendingEntriesAreNotBooked) {
  std::string entry = Entry("PDNG-1", R"(<Amt Ccy="EUR">3.00</Amt>)");
  entry.replace(entry.find("BOOK"), 4, "PDNG");
  const ParsedStatement statement = ParseCamt053(Statement(entry));
  EXPECT_THAT(statement.entries, IsEmpty());
  ASSERT_EQ(statement.entry_errors.size(), 1u);
  EXPECT_EQ(statement.entry_errors[0].field, "Sts");
  EXPECT_THAT(statement.entry_errors[0].problem, HasSubstr("'PDNG' is not booked"));
}

TEST(Camt053ParserTest, BatchTransactionsWithoutOwnReferenceOrAmount) {
  const std::string xml = Statement(Entry("B-7", R"(<Amt Ccy="EUR">30.00</Amt>)", R"(<NtryDtls>
<TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs><Amt Ccy="EUR">10.00</Amt></TxDtls>
<TxDtls><Amt Ccy="EUR">20.00</Amt><CdtDbtInd>DBIT</CdtDbtInd></TxDtls>
<TxDtls><RmtInf><Ustrd>no amount</Ustrd></RmtInf></TxDtls>
</NtryDtls>
)"));
  const ParsedStatement statement = ParseCamt053(xml);
  ASSERT_EQ(statement.entries.size(), 2u);
  EXPECT_EQ(statement.entries[0].entry_reference, "B-7/1");
  EXPECT_EQ(statement.entries[0].line, LineOf(xml, "NOTPROVIDED"));
  EXPECT_EQ(statement.entries[1].entry_reference, "B-7/2");
  EXPECT_FALSE(statement.entries[1].credit);  // TxDtls/CdtDbtInd wins
  ASSERT_EQ(statement.entry_errors.size(), 1u);
  EXPECT_EQ(statement.entry_errors[0].entry_reference, "B-7/3");
  EXPECT_EQ(statement.entry_errors[0].field, "TxDtls/Amt");
  EXPECT_EQ(statement.entry_errors[0].line, LineOf(xml, "no amount"));
}

TEST(Camt053ParserTest, EntryWithoutAnyReferenceIsAnError) {
  std::string entry = Entry("X", R"(<Amt Ccy="EUR">3.00</Amt>)");
  entry.erase(entry.find("<AcctSvcrRef>"), std::string("<AcctSvcrRef>X</AcctSvcrRef>").size());
  const ParsedStatement statement = ParseCamt053(Statement(entry));
  EXPECT_THAT(statement.entries, IsEmpty());
  ASSERT_EQ(statement.entry_errors.size(), 1u);
  EXPECT_EQ(statement.entry_errors[0].field, "AcctSvcrRef");
  EXPECT_THAT(statement.entry_errors[0].problem, HasSubstr("no entry reference"));
}

TEST(Camt053ParserTest, FileErrors) {
  const auto only_file_error = [](const std::string& bytes, const std::string& field,
                                  const std::string& problem) {
    SCOPED_TRACE(bytes);
    const ParsedStatement statement = ParseCamt053(bytes);
    EXPECT_THAT(statement.entries, IsEmpty());
    EXPECT_EQ(statement.statement_id.size(), 32u);
    ASSERT_EQ(statement.file_errors.size(), 1u);
    EXPECT_EQ(statement.file_errors[0].field, field);
    EXPECT_THAT(statement.file_errors[0].problem, HasSubstr(problem));
  };
  only_file_error("entry_reference,amount\nA,1.00\n", "xml", "not well-formed XML");
  only_file_error("<html><body>hello</body></html>", "Document", "not an ISO 20022 document");
  only_file_error("", "xml", "not well-formed XML");
  only_file_error("<Document><BkToCstmrStmt>\n<Stmt>\n</Document>", "xml", "not well-formed");
  only_file_error("<Document><BkToCstmrStmt><GrpHdr/></BkToCstmrStmt></Document>", "Stmt",
                  "no Stmt element");
  only_file_error(
      "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.08\">"
      "<BkToCstmrDbtCdtNtfctn/></Document>",
      "Document@xmlns", "is not a camt.053 statement");
  only_file_error("<Document><BkToCstmrAcctRpt/></Document>", "BkToCstmrStmt",
                  "found BkToCstmrAcctRpt");
  only_file_error("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><Document/>", "encoding",
                  "must be UTF-8");
  only_file_error(std::string("\xFF\xFE<\0D\0", 6), "encoding", "must be UTF-8");
}

TEST(Camt053ParserTest, MalformedXmlNamesTheLine) {
  const ParsedStatement statement =
      ParseCamt053("<Document>\n<BkToCstmrStmt>\n<Stmt>\n</Oops>\n</Document>\n");
  ASSERT_EQ(statement.file_errors.size(), 1u);
  EXPECT_EQ(statement.file_errors[0].line, 4);
}

TEST(Camt053ParserTest, SecondAccountInOneFileIsAFileError) {
  const std::string xml = Statement(Entry("A-1", R"(<Amt Ccy="EUR">1.00</Amt>)") +
                                    "</Stmt>\n<Stmt>\n<Acct><Id><IBAN>NL91ABNA0417164300"
                                    "</IBAN></Id></Acct>\n" +
                                    Entry("B-1", R"(<Amt Ccy="EUR">2.00</Amt>)"));
  const ParsedStatement statement = ParseCamt053(xml);
  ASSERT_EQ(statement.entries.size(), 1u);
  EXPECT_EQ(statement.entries[0].entry_reference, "A-1");
  ASSERT_EQ(statement.file_errors.size(), 1u);
  EXPECT_EQ(statement.file_errors[0].field, "Acct/Id/IBAN");
  EXPECT_EQ(statement.file_errors[0].line, LineOf(xml, "<Stmt>\n<Acct><Id><IBAN>NL91"));
}

}  // namespace
}  // namespace concerto::payment
