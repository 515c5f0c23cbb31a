#include "services/payment/statement/matching.h"

#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace concerto::payment {
namespace {

StatementEntry WithReferences(std::string structured, std::string remittance) {
  StatementEntry entry;
  entry.structured_reference = std::move(structured);
  entry.remittance_info = std::move(remittance);
  return entry;
}

const IsKnownInvoiceNumber kKnown = [](absl::string_view candidate) {
  static const std::set<std::string, std::less<>> known = {"INV-2024-0042", "INV-2024-0051"};
  return known.count(std::string(candidate)) > 0;
};

TEST(ClassifyReferenceTest, StructuredCreditorReference) {
  EXPECT_EQ(ClassifyReference(WithReferences("rf18 5390 0754 7034", "INV-2024-0042"), kKnown),
            (MatchKey{MatchKind::kCreditorReference, "RF18539007547034"}));
}

TEST(ClassifyReferenceTest, CreditorReferenceInFreeText) {
  EXPECT_EQ(ClassifyReference(WithReferences("", "Zahlung RF18539007547034."), kKnown),
            (MatchKey{MatchKind::kCreditorReference, "RF18539007547034"}));
  EXPECT_EQ(ClassifyReference(WithReferences("", "Zahlung RF18 5390 0754 7034 Teilbetrag"), kKnown),
            (MatchKey{MatchKind::kCreditorReference, "RF18539007547034"}));
  EXPECT_EQ(ClassifyReference(WithReferences("", "ref: RF71 2348 231, thanks"), kKnown),
            (MatchKey{MatchKind::kCreditorReference, "RF712348231"}));
}

TEST(ClassifyReferenceTest, InvalidCreditorReferenceFallsBackToInvoiceNumbers) {
  EXPECT_EQ(ClassifyReference(WithReferences("RF19539007547034", "INV-2024-0051"), kKnown),
            (MatchKey{MatchKind::kInvoiceNumber, "INV-2024-0051"}));
}

TEST(ClassifyReferenceTest, InvoiceNumberStructuredFirstThenFreeText) {
  EXPECT_EQ(ClassifyReference(WithReferences(" INV-2024-0051 ", "INV-2024-0042"), kKnown),
            (MatchKey{MatchKind::kInvoiceNumber, "INV-2024-0051"}));
  EXPECT_EQ(ClassifyReference(
                WithReferences("", "Rechnung INV-2024-0042, Kundennr. 7781 vielen Dank"), kKnown),
            (MatchKey{MatchKind::kInvoiceNumber, "INV-2024-0042"}));
  EXPECT_EQ(ClassifyReference(WithReferences("", "(Invoice:INV-2024-0042)."), kKnown),
            (MatchKey{MatchKind::kInvoiceNumber, "INV-2024-0042"}));
}

TEST(ClassifyReferenceTest, NothingUsable) {
  EXPECT_EQ(ClassifyReference(WithReferences("", "Danke"), kKnown), MatchKey{});
  EXPECT_EQ(ClassifyReference(WithReferences("INV-9", "INV-2024-0042"), nullptr), MatchKey{});
  EXPECT_EQ(ClassifyReference(WithReferences("", ""), kKnown), MatchKey{});
  EXPECT_EQ(ClassifyReference(WithReferences("", "RF18 5390 0754"), kKnown), MatchKey{});
}

}  // namespace
}  // namespace concerto::payment
