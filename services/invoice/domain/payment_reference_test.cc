#include "services/invoice/domain/payment_reference.h"

#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace concerto::invoice {
namespace {

TEST(PaymentReference, Iso11649Vector) {
  EXPECT_EQ(RfReference("539007547034"), "RF18539007547034");
  EXPECT_EQ(NormalizeRf("RF18 5390 0754 7034"), "RF18539007547034");
  EXPECT_EQ(NormalizeRf("rf18539007547034"), "RF18539007547034");
  EXPECT_FALSE(NormalizeRf("RF19539007547034").has_value());
  EXPECT_FALSE(NormalizeRf("RF18539007547035").has_value());
  EXPECT_FALSE(NormalizeRf("RF18").has_value());
  EXPECT_FALSE(NormalizeRf("RF18-5390").has_value());
  EXPECT_FALSE(NormalizeRf(std::string("RF00") + std::string(22, '1')).has_value());
  // Check digits below 10 keep their leading zero.
  EXPECT_EQ(RfReference("A").size(), 5u);
  EXPECT_TRUE(NormalizeRf(RfReference("A")).has_value());
}

TEST(PaymentReference, DerivedFromTheInvoiceNumber) {
  EXPECT_EQ(RfForInvoiceNumber("539007547034"), "RF18539007547034");
  EXPECT_EQ(RfForInvoiceNumber("inv-2025/0042"), RfReference("INV20250042"));
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
    const std::string rf = RfForInvoiceNumber(number);
    EXPECT_TRUE(NormalizeRf(rf).has_value()) << number << " -> " << rf;
    EXPECT_LE(rf.size(), 25u);
    EXPECT_EQ(rf, RfForInvoiceNumber(number)) << "stable";
    seen.insert(rf);
  }
  EXPECT_EQ(seen.size(), 9u);
  // A long number gets a 21-character hashed payload.
  EXPECT_EQ(RfForInvoiceNumber("FATTURA 2025/000001/ROMA/SEDE-CENTRALE").size(), 25u);
}

TEST(PaymentReference, LooksLikeRf) {
  EXPECT_TRUE(LooksLikeRf("RF18..."));
  EXPECT_TRUE(LooksLikeRf("rf00"));
  EXPECT_FALSE(LooksLikeRf("RFQ-1"));
  EXPECT_FALSE(LooksLikeRf("+++090/9337/55493+++"));
}

}  // namespace
}  // namespace concerto::invoice
