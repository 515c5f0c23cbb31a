// Tests of the plan arithmetic: due dates, splits, Finnish plan fees.
#include "services/payment/domain/schedule.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/testing/status_matchers.h"

namespace concerto::payment {
namespace {

using ::concerto::testing::IsOk;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using D = absl::CivilDay;

TEST(InstalmentDueDate, MonthlyKeepsTheDayAndClampsToMonthEnd) {
  const D first(2026, 1, 31);
  EXPECT_EQ(InstalmentDueDate(first, v1::PLAN_FREQUENCY_MONTHLY, 1), D(2026, 2, 28));
  EXPECT_EQ(InstalmentDueDate(first, v1::PLAN_FREQUENCY_MONTHLY, 2), D(2026, 3, 31));
  EXPECT_EQ(InstalmentDueDate(first, v1::PLAN_FREQUENCY_MONTHLY, 3), D(2026, 4, 30));
  EXPECT_EQ(InstalmentDueDate(first, v1::PLAN_FREQUENCY_MONTHLY, 12), D(2027, 1, 31));
  EXPECT_EQ(InstalmentDueDate(D(2027, 12, 30), v1::PLAN_FREQUENCY_MONTHLY, 2), D(2028, 2, 29));
  EXPECT_EQ(InstalmentDueDate(D(2026, 1, 15), v1::PLAN_FREQUENCY_MONTHLY, 1), D(2026, 2, 15));
}

TEST(InstalmentDueDate, WeeklyAndFortnightly) {
  EXPECT_EQ(InstalmentDueDate(D(2026, 12, 28), v1::PLAN_FREQUENCY_WEEKLY, 1), D(2027, 1, 4));
  EXPECT_EQ(InstalmentDueDate(D(2026, 2, 20), v1::PLAN_FREQUENCY_FORTNIGHTLY, 1), D(2026, 3, 6));
  EXPECT_EQ(InstalmentDueDate(D(2026, 2, 20), v1::PLAN_FREQUENCY_FORTNIGHTLY, 0), D(2026, 2, 20));
}

TEST(BuildSchedule, ByCountSplitsEvenlyAndSumsToTheTotal) {
  ScheduleTerms t;
  t.total = 100001;
  t.instalment_count = 4;
  t.frequency = v1::PLAN_FREQUENCY_WEEKLY;
  t.first_due = D(2026, 2, 2);
  EXPECT_THAT(BuildSchedule(t), ElementsAre(ScheduledInstalment{D(2026, 2, 2), 25001},
                                            ScheduledInstalment{D(2026, 2, 9), 25000},
                                            ScheduledInstalment{D(2026, 2, 16), 25000},
                                            ScheduledInstalment{D(2026, 2, 23), 25000}));
}

TEST(BuildSchedule, ByAmountWithDownPayment) {
  ScheduleTerms t;
  t.total = 100000;
  t.down_payment = 20000;
  t.instalment_amount = 30000;
  t.frequency = v1::PLAN_FREQUENCY_MONTHLY;
  t.first_due = D(2026, 1, 31);
  EXPECT_EQ(RegularInstalmentCount(t), 3);
  EXPECT_THAT(BuildSchedule(t), ElementsAre(ScheduledInstalment{D(2026, 1, 31), 20000},
                                            ScheduledInstalment{D(2026, 2, 28), 30000},
                                            ScheduledInstalment{D(2026, 3, 31), 30000},
                                            ScheduledInstalment{D(2026, 4, 30), 20000}));
  t.instalment_amount = 40000;  // an exact multiple: no short last instalment
  EXPECT_EQ(RegularInstalmentCount(t), 2);
  EXPECT_EQ(BuildSchedule(t).back().amount, 40000);
}

PlanFeeInput Fi(int64_t principal, int instalments, int64_t costs = 0) {
  PlanFeeInput in;
  in.principal = principal;
  in.currency = "EUR";
  in.country = "FI";
  in.debtor_type = invoice::v1::DEBTOR_TYPE_CONSUMER;
  in.regular_instalments = instalments;
  in.costs_claimed = costs;
  return in;
}

TEST(PlanFee, FinnishConsumerBandsAndCap) {
  auto fee = [](const PlanFeeInput& in) {
    auto f = PlanFeeFor(in);
    EXPECT_THAT(f, IsOk());
    return f.ok() ? f->amount : -1;
  };
  EXPECT_EQ(fee(Fi(8000, 3)), 2000);
  EXPECT_EQ(fee(Fi(8000, 3, 3100)), 2000);    // RULEBOOK example 4: 31 + 20 = 51 <= 60
  EXPECT_EQ(fee(Fi(8000, 3, 5000)), 1000);    // cut to the EUR 60 cap
  EXPECT_EQ(fee(Fi(8000, 3, 7000)), 0);       // already over the cap: no fee at all
  EXPECT_EQ(fee(Fi(10000, 5)), 2000);         // EUR 100 exactly is the lowest band
  EXPECT_EQ(fee(Fi(10001, 5)), 3000);
  EXPECT_EQ(fee(Fi(100000, 5)), 3000);
  EXPECT_EQ(fee(Fi(100001, 5)), 5000);
  EXPECT_EQ(fee(Fi(100001, 4)), 2000);        // <= 4 instalments, whatever the principal
  auto capped = PlanFeeFor(Fi(8000, 3, 5000));
  ASSERT_THAT(capped, IsOk());
  EXPECT_THAT(capped->rule, HasSubstr("§10 d cap of EUR 60.00"));
}

TEST(PlanFee, NoRuleElsewhere) {
  PlanFeeInput in = Fi(150000, 6);
  in.debtor_type = invoice::v1::DEBTOR_TYPE_BUSINESS;
  auto f = PlanFeeFor(in);
  ASSERT_THAT(f, IsOk());
  EXPECT_EQ(f->amount, 0);
  EXPECT_THAT(f->rule, HasSubstr("no plan fee rule for FI"));
  in = Fi(150000, 6);
  in.country = "IT";
  EXPECT_EQ(PlanFeeFor(in)->amount, 0);
  in = Fi(150000, 6);
  in.currency = "SEK";
  EXPECT_EQ(PlanFeeFor(in)->amount, 0);
}

}  // namespace
}  // namespace concerto::payment
