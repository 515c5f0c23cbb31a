#include "libs/rules/kpi.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/testing/status_matchers.h"

namespace concerto::rules {
namespace {

using ::concerto::testing::StatusIs;
using ::testing::HasSubstr;

// ExpectError checks the code and that the message names `field`.
void ExpectError(const absl::Status& status, absl::StatusCode code, const char* field) {
  EXPECT_THAT(status, StatusIs(code));
  EXPECT_THAT(std::string(status.message()), HasSubstr(field));
}

// Amounts in the examples are whole euros.
Money Eur(int64_t euros) { return Major(euros, "EUR"); }

// Round2 renders a ratio to 2 decimals, as reports show it.
std::string Round2(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// RULEBOOK worked example 5.
TEST(CeiPercent, WorkedExample5OneMonthIs57_14) {
  const double cei = CeiPercent(Eur(500'000), Eur(300'000), 1, Eur(520'000), Eur(310'000)).value();
  EXPECT_EQ(Round2(cei), "57.14");
  EXPECT_DOUBLE_EQ(cei, 28'000.0 / 490.0);
}

TEST(CeiPercent, SalesAreDividedByTheNumberOfMonths) {
  // 3 months: (500 + 900/3 - 520) / (500 + 300 - 310) = 280/490, same as one month of 300.
  const double cei = CeiPercent(Eur(500'000), Eur(900'000), 3, Eur(520'000), Eur(310'000)).value();
  EXPECT_EQ(Round2(cei), "57.14");
}

TEST(CeiPercent, BadInputsNameTheirField) {
  ExpectError(CeiPercent(Eur(1), Eur(1), 0, Eur(1), Eur(1)).status(),
              absl::StatusCode::kInvalidArgument, "months");
  ExpectError(CeiPercent(Eur(100), Eur(0), 1, Eur(50), Eur(100)).status(),
              absl::StatusCode::kInvalidArgument, "end_current_ar");
  ExpectError(CeiPercent(Eur(1), Major(1, "USD"), 1, Eur(1), Eur(0)).status(),
              absl::StatusCode::kInvalidArgument, "credit_sales.currency");
}

// RULEBOOK worked example 6.
std::vector<MonthSales> Q1Sales() {
  return {{Eur(100'000), 31}, {Eur(80'000), 28}, {Eur(70'000), 31}};
}

TEST(CountBackDso, WorkedExample6Is73_17Days) {
  const double dso = CountBackDso(Eur(212'000), Q1Sales()).value();
  EXPECT_EQ(Round2(dso), "73.17");
  EXPECT_DOUBLE_EQ(dso, 59.0 + 32'000.0 / 70'000.0 * 31.0);
}

TEST(CountBackDso, ArEqualToWholeMonthsGivesTheirDays) {
  EXPECT_DOUBLE_EQ(CountBackDso(Eur(180'000), Q1Sales()).value(), 59.0);
  EXPECT_DOUBLE_EQ(CountBackDso(Eur(100'000), Q1Sales()).value(), 31.0);
  EXPECT_DOUBLE_EQ(CountBackDso(Eur(0), Q1Sales()).value(), 0.0);
}

TEST(CountBackDso, ArBeyondTheMonthsGivenIsOutOfRange) {
  ExpectError(CountBackDso(Eur(250'001), Q1Sales()).status(), absl::StatusCode::kOutOfRange,
              "months");
  ExpectError(CountBackDso(Eur(1), {{Eur(0), 31}}).status(), absl::StatusCode::kInvalidArgument,
              "months[0].sales");
  ExpectError(CountBackDso(Eur(1), {{Eur(10), 0}}).status(), absl::StatusCode::kInvalidArgument,
              "months[0].days");
}

TEST(SimpleDso, WorkedExample6Over90DaysIs76_32) {
  const double dso = SimpleDso(Eur(212'000), Eur(250'000), 90).value();
  EXPECT_EQ(Round2(dso), "76.32");
}

TEST(BestPossibleDso, WorkedExample6Is32_40AndAddIs43_92) {
  const double dso = SimpleDso(Eur(212'000), Eur(250'000), 90).value();
  const double best = BestPossibleDso(Eur(90'000), Eur(250'000), 90).value();
  EXPECT_EQ(Round2(best), "32.40");
  EXPECT_EQ(Round2(AverageDaysDelinquent(dso, best)), "43.92");
}

TEST(SimpleDso, BadInputsNameTheirField) {
  ExpectError(SimpleDso(Eur(1), Eur(0), 90).status(), absl::StatusCode::kInvalidArgument,
              "credit_sales");
  ExpectError(SimpleDso(Eur(1), Eur(1), 0).status(), absl::StatusCode::kInvalidArgument,
              "period_days");
  ExpectError(SimpleDso(Eur(-1), Eur(1), 90).status(), absl::StatusCode::kInvalidArgument, "ar");
}

TEST(AgeingBucketFor, EdgesOfEachBucket) {
  EXPECT_EQ(AgeingBucketFor(-5), AgeingBucket::kCurrent);
  EXPECT_EQ(AgeingBucketFor(0), AgeingBucket::kCurrent);
  EXPECT_EQ(AgeingBucketFor(1), AgeingBucket::kDays1To30);
  EXPECT_EQ(AgeingBucketFor(30), AgeingBucket::kDays1To30);
  EXPECT_EQ(AgeingBucketFor(31), AgeingBucket::kDays31To60);
  EXPECT_EQ(AgeingBucketFor(60), AgeingBucket::kDays31To60);
  EXPECT_EQ(AgeingBucketFor(61), AgeingBucket::kDays61To90);
  EXPECT_EQ(AgeingBucketFor(90), AgeingBucket::kDays61To90);
  EXPECT_EQ(AgeingBucketFor(91), AgeingBucket::kOver90);
  EXPECT_EQ(AgeingBucketName(AgeingBucket::kOver90), "90+");
  EXPECT_EQ(AgeingBucketName(AgeingBucket::kCurrent), "current");
}

// RULEBOOK worked example 7.
TEST(ExpectedCreditLoss, WorkedExample7ProvisionMatrixIsEur32000) {
  const std::vector<ProvisionRow> rows = {
      {Eur(600'000), LossRate::BasisPoints(50)},   // current 0.5%
      {Eur(200'000), LossRate::BasisPoints(200)},  // 1-30 2%
      {Eur(80'000), LossRate::BasisPoints(500)},   // 31-60 5%
      {Eur(40'000), LossRate::BasisPoints(1500)},  // 61-90 15%
      {Eur(30'000), LossRate{1, 2}},               // 90+ 50%
  };
  const Money ecl = ExpectedCreditLoss(rows).value();
  EXPECT_EQ(ecl, Eur(32'000));
  EXPECT_EQ(FormatMoney(ecl).value(), "EUR 32000.00");
}

TEST(ExpectedCreditLoss, RoundsOnceHalfAwayFromZero) {
  // 1 cent x 1/3 three times = exactly 1 cent; per-row rounding would give 0.
  EXPECT_EQ(ExpectedCreditLoss({{Money{1, "EUR"}, LossRate{1, 3}},
                                {Money{1, "EUR"}, LossRate{1, 3}},
                                {Money{1, "EUR"}, LossRate{1, 3}}})
                .value(),
            (Money{1, "EUR"}));
  // 1 cent x 50% = 0.5 -> 1; -1 cent x 50% = -0.5 -> -1 (credit balance).
  EXPECT_EQ(ExpectedCreditLoss({{Money{1, "EUR"}, LossRate{1, 2}}}).value(), (Money{1, "EUR"}));
  EXPECT_EQ(ExpectedCreditLoss({{Money{-1, "EUR"}, LossRate{1, 2}}}).value(), (Money{-1, "EUR"}));
}

TEST(ExpectedCreditLoss, BadInputsNameTheirField) {
  ExpectError(ExpectedCreditLoss({}).status(), absl::StatusCode::kInvalidArgument, "rows");
  ExpectError(ExpectedCreditLoss({{Eur(1), LossRate{1, 0}}}).status(),
              absl::StatusCode::kInvalidArgument, "rows[0].loss_rate");
  ExpectError(ExpectedCreditLoss({{Eur(1), LossRate{3, 2}}}).status(),
              absl::StatusCode::kInvalidArgument, "rows[0].loss_rate");
  ExpectError(
      ExpectedCreditLoss({{Eur(1), LossRate{1, 2}}, {Major(1, "USD"), LossRate{1, 2}}}).status(),
      absl::StatusCode::kInvalidArgument, "rows[1].balance.currency");
}

TEST(LegalRatioPercent, EscalatedOverPlaced) {
  EXPECT_EQ(Round2(LegalRatioPercent(Eur(45'000), Eur(1'000'000)).value()), "4.50");
  ExpectError(LegalRatioPercent(Eur(1), Eur(0)).status(), absl::StatusCode::kInvalidArgument,
              "placed_in_collection");
}

TEST(RelationshipSavedPercent, SavedOverClosed) {
  EXPECT_EQ(Round2(RelationshipSavedPercent(2, 3).value()), "66.67");
  ExpectError(RelationshipSavedPercent(1, 0).status(), absl::StatusCode::kInvalidArgument,
              "closed_cases");
  ExpectError(RelationshipSavedPercent(4, 3).status(), absl::StatusCode::kInvalidArgument,
              "saved_cases");
}

}  // namespace
}  // namespace concerto::rules
