#include "libs/rules/interest.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/rules/fees.h"
#include "libs/testing/status_matchers.h"

namespace concerto::rules {
namespace {

using ::absl::CivilDay;
using ::concerto::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

std::string MessageOf(const absl::Status& s) { return std::string(s.message()); }

// A supplied Bank Rate table (change dates) for the UK tests.
RateTable TestBoeTable() {
  return ParseRateTable("boe_test",
                        "# Bank Rate changes\n"
                        "2024-08-01 5.00\n"
                        "2024-11-07 4.75\n"
                        "2025-02-06 4.50\n"
                        "2025-05-08 4.25\n"
                        "2025-08-07 4.00\n"
                        "valid_through 2025-12-31\n")
      .value();
}

// RULEBOOK worked example 2(a): 45 days at 10.15% -> EUR 125.14; with EUR 40 -> 10,165.14.
TEST(LateInterestItaly, WorkedExample2aSingleHalfYear) {
  const Money principal = Major(10'000, "EUR");
  absl::StatusOr<InterestCalculation> calc =
      ComputeLateInterest(RuleFor(Jurisdiction::kItaly), principal, CivilDay(2025, 9, 30),
                          CivilDay(2025, 11, 14), EcbHalfYearReferenceRates());
  ASSERT_TRUE(calc.ok()) << calc.status();
  EXPECT_EQ(calc->total_days, 45);
  ASSERT_EQ(calc->slices.size(), 1u);
  EXPECT_EQ(calc->slices[0].annual_rate, Rate::BasisPoints(1015));
  EXPECT_EQ(calc->slices[0].first_day, CivilDay(2025, 10, 1));
  EXPECT_EQ(calc->slices[0].last_day, CivilDay(2025, 11, 14));
  EXPECT_EQ(FormatMoney(calc->interest).value(), "EUR 125.14");

  Money claim = AddMoney(principal, calc->interest).value();
  claim = AddMoney(claim, LatePaymentCompensationEu(1).value()).value();
  EXPECT_EQ(FormatMoney(claim).value(), "EUR 10165.14");
}

// RULEBOOK worked example 2(b): 15 days at 11.15% + 30 days at 10.15% = 129.2466 -> 129.25.
// Rounding each slice (45.82 + 83.42 = 129.24) would be wrong: the total is rounded once.
TEST(LateInterestItaly, WorkedExample2bSplitsAtHalfYearAndRoundsOnce) {
  absl::StatusOr<InterestCalculation> calc = ComputeLateInterest(
      RuleFor(Jurisdiction::kItaly), Major(10'000, "EUR"), CivilDay(2025, 6, 15),
      CivilDay(2025, 7, 30), EcbHalfYearReferenceRates());
  ASSERT_TRUE(calc.ok()) << calc.status();
  ASSERT_EQ(calc->slices.size(), 2u);
  EXPECT_EQ(calc->slices[0].first_day, CivilDay(2025, 6, 16));
  EXPECT_EQ(calc->slices[0].last_day, CivilDay(2025, 6, 30));
  EXPECT_EQ(calc->slices[0].days, 15);
  EXPECT_EQ(calc->slices[0].annual_rate, Rate::BasisPoints(1115));
  EXPECT_EQ(calc->slices[1].first_day, CivilDay(2025, 7, 1));
  EXPECT_EQ(calc->slices[1].last_day, CivilDay(2025, 7, 30));
  EXPECT_EQ(calc->slices[1].days, 30);
  EXPECT_EQ(calc->slices[1].annual_rate, Rate::BasisPoints(1015));
  EXPECT_EQ(calc->interest, (Money{12925, "EUR"}));
  EXPECT_EQ(LateInterest(Jurisdiction::kItaly, Major(10'000, "EUR"), CivilDay(2025, 6, 15),
                         CivilDay(2025, 7, 30), EcbHalfYearReferenceRates())
                .value(),
            (Money{12925, "EUR"}));
}

TEST(LateInterestItaly, RateH1_2026IsReferencePlusEight) {
  // 2026-01-01 .. 2026-01-10 at 10.15%: 10,000 x 0.1015 x 10 / 365 = 27.808.. -> 27.81.
  EXPECT_EQ(LateInterest(Jurisdiction::kItaly, Major(10'000, "EUR"), CivilDay(2025, 12, 31),
                         CivilDay(2026, 1, 10), EcbHalfYearReferenceRates())
                .value(),
            (Money{2781, "EUR"}));
}

TEST(LateInterestEu, IsReferencePlusEightForAnyKnownCurrency) {
  // Same as Italy for EUR (example 2(a)); the EU rule does not restrict the currency.
  EXPECT_EQ(LateInterest(Jurisdiction::kEu, Major(10'000, "EUR"), CivilDay(2025, 9, 30),
                         CivilDay(2025, 11, 14), EcbHalfYearReferenceRates())
                .value(),
            (Money{12514, "EUR"}));
  EXPECT_EQ(LateInterest(Jurisdiction::kEu, Major(10'000, "SEK"), CivilDay(2025, 9, 30),
                         CivilDay(2025, 11, 14), EcbHalfYearReferenceRates())
                .value(),
            (Money{12514, "SEK"}));
}

// RULEBOOK worked example 4: EUR 80, due 2026-01-15, paid 2026-03-16: 60 days at 9.5% = 1.25.
TEST(LateInterestFinland, WorkedExample4ConsumerPenaltyInterest) {
  absl::StatusOr<InterestCalculation> calc = ComputeLateInterest(
      RuleFor(Jurisdiction::kFiConsumer), Major(80, "EUR"), CivilDay(2026, 1, 15),
      CivilDay(2026, 3, 16), FinlandReferenceRates());
  ASSERT_TRUE(calc.ok()) << calc.status();
  EXPECT_EQ(calc->total_days, 60);
  ASSERT_EQ(calc->slices.size(), 1u);
  EXPECT_EQ(calc->slices[0].annual_rate, Rate::BasisPoints(950));
  EXPECT_EQ(FormatMoney(calc->interest).value(), "EUR 1.25");
}

TEST(LateInterestFinland, H1_2026RatesAre9_5ConsumerAnd10_5Commercial) {
  const Rate reference = ReferenceRateOn(FinlandReferenceRates(), CivilDay(2026, 2, 1)).value();
  EXPECT_EQ(reference, Rate::BasisPoints(215));  // unrounded ECB rate is the data
  EXPECT_EQ(StatutoryRate(RuleFor(Jurisdiction::kFiConsumer), reference),
            Rate::BasisPoints(950));
  EXPECT_EQ(StatutoryRate(RuleFor(Jurisdiction::kFiCommercial), reference),
            Rate::BasisPoints(1050));
}

TEST(LateInterestFinland, ReferenceRoundsUpToHalfPointButKeepsExactMultiples) {
  const InterestRule fi = RuleFor(Jurisdiction::kFiConsumer);
  EXPECT_EQ(StatutoryRate(fi, Rate::BasisPoints(201)), Rate::BasisPoints(950));
  EXPECT_EQ(StatutoryRate(fi, Rate::BasisPoints(200)), Rate::BasisPoints(900));
  EXPECT_EQ(StatutoryRate(fi, Rate::BasisPoints(250)), Rate::BasisPoints(950));
  EXPECT_EQ(StatutoryRate(fi, Rate{0}), Rate::BasisPoints(700));
  EXPECT_EQ(StatutoryRate(fi, Rate::BasisPoints(-30)), Rate::BasisPoints(700));
  EXPECT_EQ(StatutoryRate(fi, Rate::BasisPoints(-50)), Rate::BasisPoints(650));
}

TEST(LateInterestUk, OneRateFromBoeOn31DecForInterestStartingJanToJun) {
  // Starts 2025-06-21 -> BoE on 2024-12-31 = 4.75% -> 12.75% for all 60 days, even across
  // 1 Jul and the Bank Rate cuts inside the period.
  absl::StatusOr<InterestCalculation> calc =
      ComputeLateInterest(RuleFor(Jurisdiction::kUk), Major(10'000, "GBP"),
                          CivilDay(2025, 6, 20), CivilDay(2025, 8, 19), TestBoeTable());
  ASSERT_TRUE(calc.ok()) << calc.status();
  ASSERT_EQ(calc->slices.size(), 1u);
  EXPECT_EQ(calc->slices[0].days, 60);
  EXPECT_EQ(calc->slices[0].annual_rate, Rate::BasisPoints(1275));
  // 10,000 x 0.1275 x 60 / 365 = 209.589.. -> 209.59
  EXPECT_EQ(FormatMoney(calc->interest).value(), "GBP 209.59");
}

TEST(LateInterestUk, OneRateFromBoeOn30JunForInterestStartingJulToDec) {
  // Due 2025-06-30 -> starts 2025-07-01 -> BoE on 2025-06-30 = 4.25% -> 12.25%, 30 days:
  // 10,000 x 0.1225 x 30 / 365 = 100.684.. -> 100.68
  EXPECT_EQ(LateInterest(Jurisdiction::kUk, Major(10'000, "GBP"), CivilDay(2025, 6, 30),
                         CivilDay(2025, 7, 30), TestBoeTable())
                .value(),
            (Money{10068, "GBP"}));
}

TEST(LateInterestUk, MissingBoeRateOnReferenceDayNamesRateTable) {
  // Starts 2024-07-01 -> needs BoE on 2024-06-30, before the supplied table.
  absl::StatusOr<Money> m = LateInterest(Jurisdiction::kUk, Major(100, "GBP"),
                                         CivilDay(2024, 6, 30), CivilDay(2024, 7, 5),
                                         TestBoeTable());
  EXPECT_THAT(m, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(MessageOf(m.status()), AllOf(HasSubstr("rate_table"), HasSubstr("2024-06-30")));
}

TEST(LateInterestRounding, HalfCentRoundsUpJustBelowHalfRoundsDown) {
  // 10% on 0.73 for d days = d / 50 cents exactly.
  const RateTable two_percent =
      ParseRateTable("flat", "2025-01-01 2\nvalid_through 2025-12-31\n").value();
  const Money p{73, "EUR"};
  EXPECT_EQ(LateInterest(Jurisdiction::kEu, p, CivilDay(2025, 1, 1), CivilDay(2025, 1, 26),
                         two_percent)
                ->minor_units,
            1);  // 25 days -> 0.50 cent -> 1
  EXPECT_EQ(LateInterest(Jurisdiction::kEu, p, CivilDay(2025, 1, 1), CivilDay(2025, 1, 25),
                         two_percent)
                ->minor_units,
            0);  // 24 days -> 0.48 cent -> 0
  EXPECT_EQ(LateInterest(Jurisdiction::kEu, p, CivilDay(2025, 1, 1), CivilDay(2025, 3, 17),
                         two_percent)
                ->minor_units,
            2);  // 75 days -> 1.50 cents -> 2
}

TEST(LateInterestRounding, ExactForLargePrincipalWithoutOverflow) {
  // EUR 90,000,000,000,000,000.00 for 365 days at 10.15% = exactly 10.15% of it.
  const Money p{9'000'000'000'000'000'000, "EUR"};
  const RateTable t = ParseRateTable("flat", "2025-01-01 2.15\nvalid_through 2025-12-31").value();
  EXPECT_EQ(LateInterest(Jurisdiction::kEu, p, CivilDay(2024, 12, 31), CivilDay(2025, 12, 31), t)
                ->minor_units,
            913'500'000'000'000'000);
}

TEST(LateInterestInput, PaidOnDueDayIsZero) {
  absl::StatusOr<InterestCalculation> calc = ComputeLateInterest(
      RuleFor(Jurisdiction::kItaly), Major(10'000, "EUR"), CivilDay(2025, 9, 30),
      CivilDay(2025, 9, 30), EcbHalfYearReferenceRates());
  ASSERT_TRUE(calc.ok());
  EXPECT_EQ(calc->interest, (Money{0, "EUR"}));
  EXPECT_TRUE(calc->slices.empty());
}

TEST(LateInterestInput, NegativePrincipalIsInvalidArgumentNamingPrincipal) {
  absl::StatusOr<Money> m = LateInterest(Jurisdiction::kItaly, Money{-1, "EUR"},
                                         CivilDay(2025, 9, 30), CivilDay(2025, 11, 14),
                                         EcbHalfYearReferenceRates());
  EXPECT_THAT(m, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(MessageOf(m.status()), HasSubstr("principal"));
}

TEST(LateInterestInput, PaidBeforeDueIsInvalidArgumentNamingPaid) {
  absl::StatusOr<Money> m = LateInterest(Jurisdiction::kItaly, Major(1, "EUR"),
                                         CivilDay(2025, 9, 30), CivilDay(2025, 9, 29),
                                         EcbHalfYearReferenceRates());
  EXPECT_THAT(m, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(MessageOf(m.status()), HasSubstr("paid:"));
}

TEST(LateInterestInput, WrongOrUnknownCurrencyNamesPrincipalCurrency) {
  absl::StatusOr<Money> gbp = LateInterest(Jurisdiction::kItaly, Major(1, "GBP"),
                                           CivilDay(2025, 9, 30), CivilDay(2025, 10, 30),
                                           EcbHalfYearReferenceRates());
  EXPECT_THAT(gbp, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(MessageOf(gbp.status()), HasSubstr("principal.currency"));
  absl::StatusOr<Money> xyz = LateInterest(Jurisdiction::kEu, Money{100, "XYZ"},
                                           CivilDay(2025, 9, 30), CivilDay(2025, 10, 30),
                                           EcbHalfYearReferenceRates());
  EXPECT_THAT(MessageOf(xyz.status()), HasSubstr("principal.currency"));
}

TEST(LateInterestInput, DayAfterTableIsInvalidArgumentNamingRateTableAndDay) {
  absl::StatusOr<Money> m = LateInterest(Jurisdiction::kItaly, Major(1'000, "EUR"),
                                         CivilDay(2026, 6, 15), CivilDay(2026, 7, 2),
                                         EcbHalfYearReferenceRates());
  EXPECT_THAT(m, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(MessageOf(m.status()), AllOf(HasSubstr("rate_table"), HasSubstr("2026-07-01")));
}

TEST(LateInterestInput, DayBeforeTableIsInvalidArgumentNamingRateTable) {
  absl::StatusOr<Money> m = LateInterest(Jurisdiction::kItaly, Major(1'000, "EUR"),
                                         CivilDay(2024, 12, 20), CivilDay(2025, 1, 10),
                                         EcbHalfYearReferenceRates());
  EXPECT_THAT(m, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(MessageOf(m.status()), AllOf(HasSubstr("rate_table"), HasSubstr("2024-12-21")));
}

TEST(LateInterestInput, UnorderedTableIsInvalidArgumentNamingRateTable) {
  RateTable t = EcbHalfYearReferenceRates();
  std::swap(t.entries[0], t.entries[1]);
  absl::StatusOr<Money> m = LateInterest(Jurisdiction::kItaly, Major(1'000, "EUR"),
                                         CivilDay(2025, 9, 30), CivilDay(2025, 10, 30), t);
  EXPECT_THAT(m, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(MessageOf(m.status()), HasSubstr("rate_table"));
}

TEST(ParseRateTable, RejectsMalformedText) {
  EXPECT_THAT(ParseRateTable("t", "2025-01-01 3.15\n"),  // no valid_through
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseRateTable("t", "valid_through 2025-12-31\n"),  // no entries
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseRateTable("t", "2025-02-30 3.15\nvalid_through 2025-12-31\n"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseRateTable("t", "2025-01-01 x\nvalid_through 2025-12-31\n"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(
      ParseRateTable("t", "2025-07-01 2.15\n2025-01-01 3.15\nvalid_through 2025-12-31\n"),
      StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ReferenceRateOn, EachEntryHoldsUntilTheNextAndTheLastUntilValidThrough) {
  const RateTable t = EcbHalfYearReferenceRates();
  EXPECT_EQ(ReferenceRateOn(t, CivilDay(2025, 6, 30)).value(), Rate::BasisPoints(315));
  EXPECT_EQ(ReferenceRateOn(t, CivilDay(2025, 7, 1)).value(), Rate::BasisPoints(215));
  EXPECT_EQ(ReferenceRateOn(t, CivilDay(2026, 6, 30)).value(), Rate::BasisPoints(215));
  EXPECT_THAT(ReferenceRateOn(t, CivilDay(2026, 7, 1)),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace concerto::rules
