#include "libs/rules/fees.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/testing/status_matchers.h"

namespace concerto::rules {
namespace {

using ::absl::CivilDay;
using ::concerto::testing::StatusIs;
using ::testing::HasSubstr;

std::string MessageOf(const absl::Status& s) { return std::string(s.message()); }

std::string Wik(int64_t cents, bool vat) {
  return FormatMoney(WikCollectionCosts(Money{cents, "EUR"}, vat).value()).value();
}

// RULEBOOK worked example 1.
TEST(WikCollectionCosts, WorkedExample1Principal3000Is425And514_25WithVat) {
  EXPECT_EQ(Wik(300'000, false), "EUR 425.00");
  EXPECT_EQ(Wik(300'000, true), "EUR 514.25");
}

TEST(WikCollectionCosts, WorkedExample1Principal200HitsMinimum40) {
  EXPECT_EQ(Wik(20'000, false), "EUR 40.00");
  EXPECT_EQ(Wik(0, false), "EUR 40.00");
  EXPECT_EQ(Wik(20'000, true), "EUR 48.40");  // VAT on top of the minimum
}

TEST(WikCollectionCosts, WorkedExample1Principal10000Is875) {
  EXPECT_EQ(Wik(1'000'000, false), "EUR 875.00");
}

TEST(WikCollectionCosts, WorkedExample1MillionReachesCapExactlyAndTwoMillionIsCapped) {
  EXPECT_EQ(Wik(100'000'000, false), "EUR 6775.00");
  EXPECT_EQ(Wik(200'000'000, false), "EUR 6775.00");
  EXPECT_EQ(Wik(99'999'800, false), "EUR 6774.99");  // 2 euro below: 6,775 - 0.01
  EXPECT_EQ(Wik(99'999'900, false), "EUR 6775.00");  // 6,774.995: the tie rounds up
}

TEST(WikCollectionCosts, BandEdgesAndMinimumThreshold) {
  EXPECT_EQ(Wik(250'000, false), "EUR 375.00");
  EXPECT_EQ(Wik(500'000, false), "EUR 625.00");
  EXPECT_EQ(Wik(20'000'000, false), "EUR 2775.00");
  EXPECT_EQ(Wik(26'667, false), "EUR 40.00");  // 15% of 266.67 = 40.0005 -> 40.00
  EXPECT_EQ(Wik(26'700, false), "EUR 40.05");
}

TEST(WikCollectionCosts, RoundsOnceHalfAwayFromZero) {
  // 15% of 0.03 = 0.0045 per step: 15% of 300.03 = 45.0045 -> 45.00;
  // 15% of 300.10 = 45.015 -> 45.02 (tie away from zero).
  EXPECT_EQ(Wik(30'003, false), "EUR 45.00");
  EXPECT_EQ(Wik(30'010, false), "EUR 45.02");
  // With VAT the exact product is rounded, not the pre-VAT amount: 45.015 x 1.21 = 54.46815.
  EXPECT_EQ(Wik(30'010, true), "EUR 54.47");
}

TEST(WikCollectionCosts, BadInputNamesPrincipal) {
  absl::StatusOr<Money> neg = WikCollectionCosts(Money{-1, "EUR"}, false);
  EXPECT_THAT(neg, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(MessageOf(neg.status()), HasSubstr("principal"));
  absl::StatusOr<Money> gbp = WikCollectionCosts(Money{100, "GBP"}, false);
  EXPECT_THAT(gbp, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(MessageOf(gbp.status()), HasSubstr("principal.currency"));
}

TEST(LatePaymentCompensationEu, Is40PerLateInvoice) {
  EXPECT_EQ(LatePaymentCompensationEu(1).value(), (Money{4'000, "EUR"}));
  EXPECT_EQ(LatePaymentCompensationEu(3).value(), (Money{12'000, "EUR"}));
  EXPECT_EQ(LatePaymentCompensationEu(0).value(), (Money{0, "EUR"}));
  absl::StatusOr<Money> neg = LatePaymentCompensationEu(-1);
  EXPECT_THAT(neg, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(MessageOf(neg.status()), HasSubstr("late_invoices"));
}

TEST(UkFixedSum, BandBoundariesAt1000And10000) {
  EXPECT_EQ(UkFixedSum(Money{99'999, "GBP"}).value(), (Money{4'000, "GBP"}));
  EXPECT_EQ(UkFixedSum(Money{100'000, "GBP"}).value(), (Money{7'000, "GBP"}));
  EXPECT_EQ(UkFixedSum(Money{999'999, "GBP"}).value(), (Money{7'000, "GBP"}));
  EXPECT_EQ(UkFixedSum(Money{1'000'000, "GBP"}).value(), (Money{10'000, "GBP"}));
  absl::StatusOr<Money> eur = UkFixedSum(Money{1, "EUR"});
  EXPECT_THAT(MessageOf(eur.status()), HasSubstr("debt.currency"));
  absl::StatusOr<Money> neg = UkFixedSum(Money{-1, "GBP"});
  EXPECT_THAT(neg, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(MessageOf(neg.status()), HasSubstr("debt"));
}

// RULEBOOK worked example 4: EUR 80, 2 reminders + demand + repeated demand + plan (<= 4
// instalments) = 5 + 5 + 14 + 7 + 20 = EUR 51, under the EUR 60 cap.
TEST(FiConsumerCosts, WorkedExample4CostsAre51UnderCap60) {
  using A = FiConsumerAction;
  absl::StatusOr<FiConsumerCosts> costs = ComputeFiConsumerCosts(
      Major(80, "EUR"), {A::kReminder, A::kReminder, A::kDemand, A::kRepeatedDemand,
                         A::kPaymentPlan},
      /*plan_instalments=*/4);
  ASSERT_TRUE(costs.ok()) << costs.status();
  EXPECT_EQ(costs->fees, (std::vector<Money>{Major(5, "EUR"), Major(5, "EUR"), Major(14, "EUR"),
                                             Major(7, "EUR"), Major(20, "EUR")}));
  EXPECT_EQ(costs->requested, Major(51, "EUR"));
  EXPECT_EQ(costs->cap, Major(60, "EUR"));
  EXPECT_EQ(costs->chargeable, Major(51, "EUR"));
  EXPECT_FALSE(costs->capped);
}

TEST(FiConsumerCosts, TotalIsCappedPerDebt) {
  using A = FiConsumerAction;
  absl::StatusOr<FiConsumerCosts> costs = ComputeFiConsumerCosts(
      Major(80, "EUR"), {A::kDemand, A::kDemand, A::kDemand, A::kDemand, A::kDemand});
  ASSERT_TRUE(costs.ok());
  EXPECT_EQ(costs->requested, Major(70, "EUR"));
  EXPECT_EQ(costs->chargeable, Major(60, "EUR"));
  EXPECT_TRUE(costs->capped);
}

TEST(FiConsumerActionFee, BandsAt100And1000) {
  using A = FiConsumerAction;
  const auto fee = [](A a, int64_t cents, int instalments = 0) {
    return FiConsumerActionFee(a, Money{cents, "EUR"}, instalments).value().minor_units / 100;
  };
  EXPECT_EQ(fee(A::kReminder, 500'000), 5);
  EXPECT_EQ(fee(A::kDemand, 10'000), 14);
  EXPECT_EQ(fee(A::kDemand, 10'001), 24);
  EXPECT_EQ(fee(A::kDemand, 100'000), 24);
  EXPECT_EQ(fee(A::kDemand, 100'001), 50);
  EXPECT_EQ(fee(A::kRepeatedDemand, 10'000), 7);
  EXPECT_EQ(fee(A::kRepeatedDemand, 50'000), 12);
  EXPECT_EQ(fee(A::kRepeatedDemand, 200'000), 25);
  EXPECT_EQ(fee(A::kPaymentPlan, 50'000, 4), 20);  // <= 4 instalments
  EXPECT_EQ(fee(A::kPaymentPlan, 50'000, 5), 30);
  EXPECT_EQ(fee(A::kPaymentPlan, 200'000, 12), 50);
  EXPECT_EQ(fee(A::kPaymentPlan, 9'000, 12), 20);  // <= 100
  EXPECT_EQ(FiConsumerCostCap(Money{10'000, "EUR"})->minor_units, 6'000);
  EXPECT_EQ(FiConsumerCostCap(Money{100'000, "EUR"})->minor_units, 12'000);
  EXPECT_EQ(FiConsumerCostCap(Money{100'001, "EUR"})->minor_units, 21'000);
}

TEST(FiConsumerActionFee, BadInputNamesField) {
  absl::StatusOr<Money> plan =
      FiConsumerActionFee(FiConsumerAction::kPaymentPlan, Major(80, "EUR"), 0);
  EXPECT_THAT(plan, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(MessageOf(plan.status()), HasSubstr("plan_instalments"));
  absl::StatusOr<Money> neg =
      FiConsumerActionFee(FiConsumerAction::kReminder, Money{-1, "EUR"});
  EXPECT_THAT(MessageOf(neg.status()), HasSubstr("principal"));
  absl::StatusOr<FiConsumerCosts> sek =
      ComputeFiConsumerCosts(Major(80, "SEK"), {FiConsumerAction::kReminder});
  EXPECT_THAT(sek, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(MessageOf(sek.status()), HasSubstr("principal.currency"));
}

// RULEBOOK worked example 4: due 2026-01-15 -> earliest chargeable reminder 2026-01-29, the
// next one from 2026-02-12.
TEST(FiEarliestChargeableReminder, WorkedExample4FirstAndNextReminderDays) {
  const CivilDay sent(2025, 12, 15);
  const CivilDay due(2026, 1, 15);
  absl::StatusOr<CivilDay> first = FiEarliestChargeableReminder(sent, due);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, CivilDay(2026, 1, 29));
  absl::StatusOr<CivilDay> next = FiEarliestChargeableReminder(sent, due, *first);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(*next, CivilDay(2026, 2, 12));
  // A later first reminder pushes the next one accordingly.
  EXPECT_EQ(FiEarliestChargeableReminder(sent, due, CivilDay(2026, 2, 3)).value(),
            CivilDay(2026, 2, 17));
}

TEST(FiEarliestChargeableReminder, InvoiceSentExactly14DaysBeforeDueQualifies) {
  EXPECT_EQ(FiEarliestChargeableReminder(CivilDay(2026, 1, 1), CivilDay(2026, 1, 15)).value(),
            CivilDay(2026, 1, 29));
}

TEST(FiEarliestChargeableReminder, InvoiceSentTooLateMeansNoChargeableReminder) {
  absl::StatusOr<CivilDay> r =
      FiEarliestChargeableReminder(CivilDay(2026, 1, 2), CivilDay(2026, 1, 15));
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(MessageOf(r.status()), HasSubstr("invoice_sent"));
}

TEST(FiEarliestChargeableReminder, BadInputNamesField) {
  absl::StatusOr<CivilDay> after =
      FiEarliestChargeableReminder(CivilDay(2026, 1, 16), CivilDay(2026, 1, 15));
  EXPECT_THAT(after, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(MessageOf(after.status()), HasSubstr("invoice_sent"));
  absl::StatusOr<CivilDay> prev = FiEarliestChargeableReminder(
      CivilDay(2025, 12, 15), CivilDay(2026, 1, 15), CivilDay(2026, 1, 28));
  EXPECT_THAT(prev, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(MessageOf(prev.status()), HasSubstr("previous_chargeable_reminder"));
}

}  // namespace
}  // namespace concerto::rules
