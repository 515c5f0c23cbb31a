#include "libs/rules/creditor_reference.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace concerto::rules {
namespace {

TEST(CreditorReferenceTest, KnownVectorIsValid) {
  EXPECT_TRUE(IsValidCreditorReference("RF18539007547034"));
  EXPECT_TRUE(IsValidCreditorReference("RF18 5390 0754 7034"));
  EXPECT_TRUE(IsValidCreditorReference("rf18 5390 0754 7034"));
  EXPECT_TRUE(IsValidCreditorReference("RF71 2348 231"));  // ISO 11649 example: RF712348231
}

TEST(CreditorReferenceTest, WrongCheckDigitsOrShapeAreInvalid) {
  EXPECT_FALSE(IsValidCreditorReference("RF19539007547034"));
  EXPECT_FALSE(IsValidCreditorReference("RF18539007547035"));
  EXPECT_FALSE(IsValidCreditorReference("RF18"));
  EXPECT_FALSE(IsValidCreditorReference(""));
  EXPECT_FALSE(IsValidCreditorReference("XX18539007547034"));
  EXPECT_FALSE(IsValidCreditorReference("RFAB539007547034"));
  EXPECT_FALSE(IsValidCreditorReference("RF18-5390-0754-7034"));
  EXPECT_FALSE(IsValidCreditorReference("RF18\t539007547034"));
  EXPECT_FALSE(IsValidCreditorReference("RF04" + std::string(22, '1')));  // payload > 21
}

TEST(CreditorReferenceTest, CheckDigitsOutside02To98AreInvalid) {
  // 00, 01 and 99 satisfy the remainder test as aliases of 97, 98 and 02, but ISO 7064 check
  // digits are 02..98; only the form MakeCreditorReference produces is valid.
  const std::map<std::string, std::string> alias_of = {{"97", "00"}, {"98", "01"}, {"02", "99"}};
  std::set<std::string> aliases_checked;
  for (int i = 1; i < 5000 && aliases_checked.size() < alias_of.size(); ++i) {
    const std::string payload = std::to_string(i);
    const std::string made = MakeCreditorReference(payload).value();
    const auto alias = alias_of.find(made.substr(2, 2));
    if (alias == alias_of.end() || !aliases_checked.insert(alias->second).second) continue;
    EXPECT_TRUE(IsValidCreditorReference(made));
    EXPECT_FALSE(IsValidCreditorReference("RF" + alias->second + payload)) << made;
  }
  EXPECT_EQ(aliases_checked.size(), 3u);
}

TEST(CreditorReferenceTest, MakeComputesCheckDigits) {
  EXPECT_EQ(MakeCreditorReference("539007547034").value(), "RF18539007547034");
  EXPECT_EQ(MakeCreditorReference("2348231").value(), "RF712348231");
  EXPECT_EQ(MakeCreditorReference("inv 2024 0042").value(), "RF74INV20240042");
  EXPECT_TRUE(IsValidCreditorReference("RF74INV20240042"));
}

TEST(CreditorReferenceTest, MadeReferencesValidateForManyPayloads) {
  for (int i = 1; i < 2000; i += 7) {
    const std::string payload = "C" + std::to_string(i * 7919) + "X";
    const std::string reference = MakeCreditorReference(payload).value();
    EXPECT_TRUE(IsValidCreditorReference(reference)) << reference;
    EXPECT_TRUE(IsValidCreditorReference(FormatPrintable(reference))) << reference;
  }
  // Check digits below 10 keep their leading zero ("RF09...").
  const std::string reference = MakeCreditorReference(std::string(21, 'Z')).value();
  EXPECT_EQ(reference, "RF09" + std::string(21, 'Z'));
  EXPECT_TRUE(IsValidCreditorReference(reference));
}

TEST(CreditorReferenceTest, MakeRejectsBadPayloads) {
  EXPECT_FALSE(MakeCreditorReference("").ok());
  EXPECT_FALSE(MakeCreditorReference("   ").ok());
  EXPECT_FALSE(MakeCreditorReference(std::string(22, '1')).ok());
  EXPECT_TRUE(MakeCreditorReference(std::string(21, '1')).ok());
  EXPECT_FALSE(MakeCreditorReference("INV-2024").ok());
  EXPECT_FALSE(MakeCreditorReference("Müller").ok());
}

TEST(CreditorReferenceTest, NormalizeAndFormat) {
  EXPECT_EQ(NormalizeReference(" rf18 5390 0754 7034 "), "RF18539007547034");
  EXPECT_EQ(FormatPrintable("RF18539007547034"), "RF18 5390 0754 7034");
  EXPECT_EQ(FormatPrintable("rf71 2348231"), "RF71 2348 231");
  EXPECT_EQ(FormatPrintable(""), "");
}

TEST(CreditorReferenceTest, Iso11649VectorAndNormalizedValidation) {
  EXPECT_EQ(MakeCreditorReference("539007547034").value(), "RF18539007547034");
  EXPECT_EQ(NormalizeReference("RF18 5390 0754 7034"), "RF18539007547034");
  EXPECT_EQ(NormalizeReference("rf18539007547034"), "RF18539007547034");
  EXPECT_FALSE(IsValidCreditorReference("RF18-5390"));
  EXPECT_FALSE(IsValidCreditorReference("RF00" + std::string(22, '1')));
  // Check digits below 10 keep their leading zero.
  EXPECT_EQ(MakeCreditorReference("A").value().size(), 5u);
  EXPECT_TRUE(IsValidCreditorReference(MakeCreditorReference("A").value()));
}

TEST(CreditorReferenceTest, LooksLikeCreditorReference) {
  EXPECT_TRUE(LooksLikeCreditorReference("RF18..."));
  EXPECT_TRUE(LooksLikeCreditorReference("rf00"));
  EXPECT_FALSE(LooksLikeCreditorReference("RFQ-1"));
  EXPECT_FALSE(LooksLikeCreditorReference("RF1"));
  EXPECT_FALSE(LooksLikeCreditorReference(" RF18"));
  EXPECT_FALSE(LooksLikeCreditorReference("+++090/9337/55493+++"));
}

TEST(CreditorReferenceForInvoiceNumberTest, DerivedFromTheInvoiceNumber) {
  EXPECT_EQ(CreditorReferenceForInvoiceNumber("539007547034"), "RF18539007547034");
  EXPECT_EQ(CreditorReferenceForInvoiceNumber("inv-2025/0042"),
            MakeCreditorReference("INV20250042").value());
  std::set<std::string> seen;
  const std::vector<std::string> numbers = {"INV-1",
                                            "INV-2",
                                            "2025-000123",
                                            "a",
                                            "Z-9",
                                            "----",
                                            "FATTURA 2025/000001/ROMA/SEDE-CENTRALE",
                                            "FATTURA 2025/000002/ROMA/SEDE-CENTRALE",
                                            std::string(64, 'x')};
  for (const std::string& number : numbers) {
    const std::string rf = CreditorReferenceForInvoiceNumber(number);
    EXPECT_TRUE(IsValidCreditorReference(rf)) << number << " -> " << rf;
    EXPECT_EQ(NormalizeReference(rf), rf) << number;
    EXPECT_LE(rf.size(), kMaxCreditorReferenceLength);
    EXPECT_EQ(rf, CreditorReferenceForInvoiceNumber(number)) << "stable";
    seen.insert(rf);
  }
  EXPECT_EQ(seen.size(), numbers.size());
  // A long number gets a 21-character hashed payload.
  EXPECT_EQ(CreditorReferenceForInvoiceNumber("FATTURA 2025/000001/ROMA/SEDE-CENTRALE").size(),
            25u);
}

TEST(CreditorReferenceForInvoiceNumberTest, IssuedReferencesNeverChange) {
  // Pinned outputs: invoices already issued carry these references, and the payment service
  // matches bank transfers on them.
  const std::map<std::string, std::string> pinned = {
      {"INV-1", "RF47INV1"},
      {"2025-000123", "RF962025000123"},
      {"inv-2025/0042", "RF25INV20250042"},
      {"a", "RF25A"},
      {"M\xC3\xBCller-7", "RF48MLLER7"},                        // non-ASCII letters are dropped
      {"123456789012345678901", "RF40123456789012345678901"},   // 21: kept as is
      {"1234567890123456789012", "RF09Y95AWVCUIBA09CAJ2IZVJ"},  // 22: hashed
      {"----", "RF71ANUUR6DGESVYWKUI9E54Y"},
      {"", "RF04000000000000000000000"},
      {"FATTURA 2025/000001/ROMA/SEDE-CENTRALE", "RF50EYU3LJSDVGWK4ZCOBF595"},
      {"FATTURA 2025/000002/ROMA/SEDE-CENTRALE", "RF67CGCX4V0E5NJHSRIYE8N26"},
      {std::string(64, 'x'), "RF74Y5HBDCDSHENJL3D2LRQ4W"},
  };
  for (const auto& [number, reference] : pinned) {
    EXPECT_EQ(CreditorReferenceForInvoiceNumber(number), reference) << number;
  }
}

}  // namespace
}  // namespace concerto::rules
