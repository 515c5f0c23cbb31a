// Tests of promises to pay and repayment plans: kept / broken on the clock, schedules, fees,
// instalments paid, missed, plans broken and completed.
#include "services/payment/domain/account.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/testing/status_matchers.h"
#include "services/payment/domain/test_util.h"

namespace concerto::payment {
namespace {

using ::concerto::testing::IsOk;
using ::testing::ElementsAre;
using ::testing::StartsWith;
using testing::At;
using testing::Date;
using testing::Harness;
using testing::Money;
using testing::PayReq;

void ExpectField(const absl::Status& s, absl::StatusCode code, const std::string& field) {
  EXPECT_EQ(s.code(), code) << s;
  EXPECT_THAT(std::string(s.message()), StartsWith(field + ": ")) << s;
}

absl::Time Midnight(int y, int m, int d) { return At(y, m, d, 0); }

std::string DayOf(const common::v1::Date& d) {
  return absl::StrCat(d.year(), "-", d.month(), "-", d.day());
}

// ---- promises ----

v1::MakePromiseRequest Promise(int64_t minor, common::v1::Date due, int grace = 2) {
  v1::MakePromiseRequest r;
  r.set_debtor_id("d1");
  r.set_case_id("c1");
  *r.mutable_amount() = Money(minor);
  *r.mutable_due_date() = due;
  r.set_grace_days(grace);
  r.set_source(v1::PROMISE_SOURCE_OPERATOR);
  return r;
}

absl::Status Promise(Harness& h, const std::string& id, const v1::MakePromiseRequest& r) {
  return h.Take(MakePromise(h.account, id, r, h.now, h.config));
}

TEST(Promise, KeptByPaymentsBeforeTheDeadlineRemovesTheTimer) {
  Harness h;
  ASSERT_THAT(h.Issue({"i1", 10000, Date(2025, 12, 1)}), IsOk());
  ASSERT_THAT(Promise(h, "pr1", Promise(6000, Date(2026, 1, 20))), IsOk());
  EXPECT_THAT(h.Types(), ElementsAre("PromiseMade"));
  EXPECT_EQ(h.Event<v1::PromiseMade>(0).amount().minor_units(), 6000);
  ASSERT_EQ(h.last.timers_add.size(), 1u);
  EXPECT_EQ(h.last.timers_add[0].kind, "promise/pr1");
  EXPECT_EQ(h.last.timers_add[0].due, Midnight(2026, 1, 23));  // end of 20 Jan + 2 days
  EXPECT_EQ(h.Reply<v1::MakePromiseResponse>().promise().status(), v1::Promise::STATUS_OPEN);

  h.now = At(2026, 1, 15);
  ASSERT_THAT(h.Pay("p1", 4000), IsOk());
  EXPECT_THAT(h.Types(), ElementsAre("PaymentReceived", "PaymentAllocated"));
  ASSERT_THAT(h.Pay("p2", 2000), IsOk());
  EXPECT_THAT(h.Types(), ElementsAre("PaymentReceived", "PaymentAllocated", "PromiseKept"));
  const auto& kept = h.Event<v1::PromiseKept>(2);
  EXPECT_EQ(kept.paid().minor_units(), 6000);
  EXPECT_EQ(kept.case_id(), "c1");
  EXPECT_EQ(DayOf(kept.kept_on()), "2026-1-15");
  ASSERT_EQ(h.last.timers_remove.size(), 1u);
  EXPECT_EQ(h.last.timers_remove[0].kind, "promise/pr1");
  EXPECT_EQ(h.last.timers_remove[0].due, Midnight(2026, 1, 23));

  h.now = Midnight(2026, 1, 23);  // a late timer is a hint: nothing left to decide
  ASSERT_THAT(h.Timer("promise/pr1"), IsOk());
  EXPECT_FALSE(h.last.changed);
  EXPECT_TRUE(h.last.events.empty());
}

TEST(Promise, BrokenWhenTheTimerFindsTooLittlePaid) {
  Harness h;
  ASSERT_THAT(h.Issue({"i1", 10000, Date(2025, 12, 1)}), IsOk());
  ASSERT_THAT(Promise(h, "pr1", Promise(6000, Date(2026, 1, 20))), IsOk());
  h.now = At(2026, 1, 22);  // within grace
  ASSERT_THAT(h.Pay("p1", 1000), IsOk());
  h.now = Midnight(2026, 1, 23);
  ASSERT_THAT(h.Timer("promise/pr1"), IsOk());
  EXPECT_THAT(h.Types(), ElementsAre("PromiseBroken"));
  const auto& broken = h.Event<v1::PromiseBroken>(0);
  EXPECT_EQ(broken.promised().minor_units(), 6000);
  EXPECT_EQ(broken.paid().minor_units(), 1000);
  EXPECT_EQ(DayOf(broken.due_date()), "2026-1-20");
  ASSERT_THAT(h.Pay("p2", 5000), IsOk());  // too late: no PromiseKept
  EXPECT_THAT(h.Types(), ElementsAre("PaymentReceived", "PaymentAllocated"));
}

TEST(Promise, PaymentValuedOnTheLastDayOfGraceCountsOneDayLaterDoesNot) {
  Harness h;
  ASSERT_THAT(h.Issue({"i1", 100000, Date(2025, 12, 1)}), IsOk());
  ASSERT_THAT(Promise(h, "pr1", Promise(1000, Date(2026, 1, 20))), IsOk());
  ASSERT_THAT(Promise(h, "pr2", Promise(1000, Date(2026, 1, 19))), IsOk());
  h.now = At(2026, 1, 24);  // imported late, valued earlier
  auto r = PayReq(1000);
  *r.mutable_value_date() = Date(2026, 1, 22);
  ASSERT_THAT(h.Pay("p1", r), IsOk());
  ASSERT_THAT(h.Types(), ElementsAre("PaymentReceived", "PaymentAllocated", "PromiseKept"));
  EXPECT_EQ(h.Event<v1::PromiseKept>(2).promise_id(), "pr1");  // pr2's grace ended on the 21st
}

TEST(Promise, ForSomeInvoicesOnlyTheirAllocationsCount) {
  Harness h;
  ASSERT_THAT(h.Issue({"i1", 5000, Date(2025, 11, 1)}), IsOk());
  ASSERT_THAT(h.Issue({"i2", 3000, Date(2025, 12, 1)}), IsOk());
  auto req = Promise(3000, Date(2026, 1, 20));
  req.add_invoice_ids("i2");
  ASSERT_THAT(Promise(h, "pr1", req), IsOk());
  ASSERT_THAT(h.Pay("p1", 5000), IsOk());  // oldest first: all on i1
  EXPECT_EQ(h.account.promises(0).promise().paid().minor_units(), 0);
  ASSERT_THAT(h.Pay("p2", 4000), IsOk());  // 3000 on i2, 1000 credit
  EXPECT_THAT(h.Types(), ElementsAre("PaymentReceived", "PaymentAllocated", "PromiseKept"));
  EXPECT_EQ(h.Event<v1::PromiseKept>(2).paid().minor_units(), 3000);
}

TEST(Promise, ReversalTakesBackWhatThePaymentCounted) {
  Harness h;
  ASSERT_THAT(h.Issue({"i1", 10000, Date(2025, 12, 1)}), IsOk());
  ASSERT_THAT(Promise(h, "pr1", Promise(6000, Date(2026, 1, 20))), IsOk());
  ASSERT_THAT(h.Pay("p1", 4000), IsOk());
  ASSERT_THAT(h.Reverse("r1", "p1", 1500), IsOk());
  EXPECT_EQ(h.account.promises(0).promise().paid().minor_units(), 2500);
  h.now = Midnight(2026, 1, 23);
  ASSERT_THAT(h.Timer("promise/pr1"), IsOk());
  EXPECT_EQ(h.Event<v1::PromiseBroken>(0).paid().minor_units(), 2500);
}

TEST(Promise, DefaultGraceDuplicateIdAndInvalidInputs) {
  Harness h;
  ASSERT_THAT(h.Issue({"i1", 10000, Date(2025, 12, 1)}), IsOk());
  h.config.promise_grace_days = 4;
  ASSERT_THAT(Promise(h, "pr1", Promise(6000, Date(2026, 1, 20), -1)), IsOk());
  EXPECT_EQ(h.Event<v1::PromiseMade>(0).grace_days(), 4);
  EXPECT_EQ(h.last.timers_add[0].due, Midnight(2026, 1, 25));
  ASSERT_THAT(Promise(h, "pr1", Promise(6000, Date(2026, 1, 20), -1)), IsOk());
  EXPECT_FALSE(h.last.changed);
  EXPECT_EQ(h.Reply<v1::MakePromiseResponse>().promise().promise_id(), "pr1");

  auto bad = [&](v1::MakePromiseRequest r, const std::string& field) {
    ExpectField(MakePromise(h.account, "pr2", r, h.now, h.config).status(),
                absl::StatusCode::kInvalidArgument, field);
  };
  EXPECT_EQ(MakePromise(h.account, "pr2", Promise(0, Date(2026, 1, 20)), h.now).status().message(),
            "amount.minor_units: must be > 0");
  bad(Promise(-1, Date(2026, 1, 20)), "amount.minor_units");
  auto r = Promise(100, Date(2026, 1, 20));
  r.mutable_amount()->set_currency("SEK");
  bad(r, "amount.currency");
  bad(Promise(100, Date(2026, 1, 9)), "due_date");  // yesterday
  r = Promise(100, Date(2026, 1, 20));
  r.clear_due_date();
  bad(r, "due_date");
  bad(Promise(100, Date(2026, 1, 20), 99), "grace_days");
  r = Promise(100, Date(2026, 1, 20));
  r.add_invoice_ids("nope");
  bad(r, "invoice_ids[0]");
  r = Promise(100, Date(2026, 1, 20));
  r.set_debtor_id("d2");
  bad(r, "debtor_id");
  ExpectField(MakePromise(h.account, "", Promise(100, Date(2026, 1, 20)), h.now).status(),
              absl::StatusCode::kInvalidArgument, "promise_id");
  // Due today is allowed.
  EXPECT_THAT(MakePromise(h.account, "pr3", Promise(100, Date(2026, 1, 10)), h.now), IsOk());
}

// ---- plans ----

v1::ProposePlanRequest PlanReq(int count, v1::PlanFrequency f, common::v1::Date first) {
  v1::ProposePlanRequest r;
  r.set_debtor_id("d1");
  r.set_case_id("c1");
  r.set_instalment_count(count);
  r.set_frequency(f);
  *r.mutable_first_due_date() = first;
  r.set_proposed_by(v1::PLAN_PARTY_DEBTOR);
  return r;
}

absl::Status Propose(Harness& h, const std::string& id, const v1::ProposePlanRequest& r) {
  return h.Take(ProposePlan(h.account, id, r, h.now, h.config));
}

absl::Status Accept(Harness& h, const std::string& id) {
  v1::AcceptPlanRequest r;
  r.set_plan_id(id);
  r.set_accepted_by(v1::PLAN_PARTY_OPERATOR);
  return h.Take(AcceptPlan(h.account, r, h.now));
}

std::vector<std::string> Schedule(const v1::Plan& plan) {
  std::vector<std::string> out;
  for (const auto& i : plan.instalments()) {
    out.push_back(absl::StrCat(DayOf(i.due_date()), " ", i.amount().minor_units()));
  }
  return out;
}

const v1::Plan& PlanOf(const Harness& h) { return h.Reply<v1::PlanResponse>().plan(); }

TEST(Plan, MonthlyByCountKeepsTheDayClampedToMonthEnd) {
  Harness h;
  ASSERT_THAT(h.Issue({"i1", 100000, Date(2025, 12, 1)}), IsOk());
  ASSERT_THAT(Propose(h, "pl1", PlanReq(4, v1::PLAN_FREQUENCY_MONTHLY, Date(2026, 1, 31))), IsOk());
  EXPECT_TRUE(h.last.events.empty());
  const v1::Plan& plan = PlanOf(h);
  EXPECT_EQ(plan.status(), v1::Plan::STATUS_PROPOSED);
  EXPECT_THAT(Schedule(plan), ElementsAre("2026-1-31 25000", "2026-2-28 25000", "2026-3-31 25000",
                                          "2026-4-30 25000"));
  EXPECT_EQ(plan.fee().minor_units(), 0);  // IT: no plan fee rule
  EXPECT_EQ(plan.total().minor_units(), 100000);
  EXPECT_EQ(plan.jurisdiction(), "IT");
  EXPECT_THAT(plan.invoice_ids(), ElementsAre("i1"));
}

TEST(Plan, ByAmountTheLastInstalmentTakesTheRest) {
  Harness h;
  ASSERT_THAT(h.Issue({"i1", 100000, Date(2025, 12, 1)}), IsOk());
  auto r = PlanReq(0, v1::PLAN_FREQUENCY_WEEKLY, Date(2026, 1, 12));
  *r.mutable_instalment_amount() = Money(30000);
  ASSERT_THAT(Propose(h, "pl1", r), IsOk());
  EXPECT_THAT(Schedule(PlanOf(h)), ElementsAre("2026-1-12 30000", "2026-1-19 30000",
                                                "2026-1-26 30000", "2026-2-2 10000"));
}

TEST(Plan, FortnightlyWithADownPaymentFirst) {
  Harness h;
  ASSERT_THAT(h.Issue({"i1", 100000, Date(2025, 12, 1)}), IsOk());
  auto r = PlanReq(3, v1::PLAN_FREQUENCY_FORTNIGHTLY, Date(2026, 1, 15));
  *r.mutable_down_payment() = Money(10000);
  ASSERT_THAT(Propose(h, "pl1", r), IsOk());
  EXPECT_THAT(Schedule(PlanOf(h)), ElementsAre("2026-1-15 10000", "2026-1-29 30000",
                                                "2026-2-12 30000", "2026-2-26 30000"));
}

TEST(Plan, EvenSplitGivesTheOddCentsToTheFirstInstalments) {
  Harness h;
  ASSERT_THAT(h.Issue({"i1", 10000, Date(2025, 12, 1)}), IsOk());
  ASSERT_THAT(Propose(h, "pl1", PlanReq(3, v1::PLAN_FREQUENCY_WEEKLY, Date(2026, 1, 12))), IsOk());
  EXPECT_THAT(Schedule(PlanOf(h)),
              ElementsAre("2026-1-12 3334", "2026-1-19 3333", "2026-1-26 3333"));
}

TEST(Plan, CoversCostsAndInterestOfEveryOpenInvoice) {
  Harness h;
  ASSERT_THAT(h.Issue({"i1", 10000, Date(2025, 11, 1)}), IsOk());
  ASSERT_THAT(h.Issue({"i2", 20000, Date(2025, 12, 1)}), IsOk());
  ASSERT_THAT(h.Fees({{"i1", "EU_FLAT_40", 4000}, {"i1", "INTEREST_IT", 100}}), IsOk());
  ASSERT_THAT(Propose(h, "pl1", PlanReq(2, v1::PLAN_FREQUENCY_MONTHLY, Date(2026, 2, 1))), IsOk());
  EXPECT_EQ(PlanOf(h).principal().minor_units(), 34100);
  EXPECT_THAT(PlanOf(h).invoice_ids(), ElementsAre("i1", "i2"));
}

// Accepted plan of 4 x EUR 250 monthly from 31 Jan; grace 5 days.
void Accepted(Harness& h) {
  ASSERT_THAT(h.Issue({"i1", 100000, Date(2025, 12, 1)}), IsOk());
  ASSERT_THAT(Propose(h, "pl1", PlanReq(4, v1::PLAN_FREQUENCY_MONTHLY, Date(2026, 1, 31))), IsOk());
  ASSERT_THAT(Accept(h, "pl1"), IsOk());
}

TEST(Plan, AcceptEmitsPlanCreatedAndArmsDueAndGraceTimers) {
  Harness h;
  Accepted(h);
  ASSERT_THAT(h.Types(), ElementsAre("PlanCreated"));
  const auto& created = h.Event<v1::PlanCreated>(0);
  EXPECT_EQ(created.instalment_count(), 4);
  EXPECT_EQ(created.total().minor_units(), 100000);
  EXPECT_EQ(created.case_id(), "c1");
  EXPECT_EQ(DayOf(created.first_due_date()), "2026-1-31");
  EXPECT_EQ(DayOf(created.last_due_date()), "2026-4-30");
  ASSERT_EQ(h.last.timers_add.size(), 8u);
  EXPECT_EQ(h.last.timers_add[0].kind, "plan/pl1/due/1");
  EXPECT_EQ(h.last.timers_add[0].due, Midnight(2026, 1, 31));
  EXPECT_EQ(h.last.timers_add[1].kind, "plan/pl1/grace/1");
  EXPECT_EQ(h.last.timers_add[1].due, Midnight(2026, 2, 6));  // end of 31 Jan + 5 days
  EXPECT_EQ(h.last.timers_add[7].kind, "plan/pl1/grace/4");
  EXPECT_EQ(PlanOf(h).status(), v1::Plan::STATUS_ACTIVE);
  ASSERT_THAT(Accept(h, "pl1"), IsOk());  // again: the same plan, nothing new
  EXPECT_FALSE(h.last.changed);
  EXPECT_TRUE(h.last.timers_add.empty());
}

TEST(Plan, PaymentsPayInstalmentsInOrderAndTheLastCompletesThePlan) {
  Harness h;
  Accepted(h);
  h.now = At(2026, 1, 30);
  ASSERT_THAT(h.Pay("p1", 30000), IsOk());
  ASSERT_THAT(h.Types(), ElementsAre("PaymentReceived", "PaymentAllocated", "InstalmentPaid"));
  EXPECT_EQ(h.Event<v1::InstalmentPaid>(2).seq(), 1);
  EXPECT_EQ(h.Event<v1::InstalmentPaid>(2).payment_id(), "p1");
  EXPECT_EQ(h.account.plans(0).plan().instalments(1).status(),
            v1::Instalment::STATUS_PARTIALLY_PAID);
  ASSERT_THAT(h.Pay("p2", 20000), IsOk());
  ASSERT_THAT(h.Types(), ElementsAre("PaymentReceived", "PaymentAllocated", "InstalmentPaid"));
  EXPECT_EQ(h.Event<v1::InstalmentPaid>(2).seq(), 2);
  h.now = At(2026, 2, 10);
  ASSERT_THAT(h.Pay("p3", 50000), IsOk());
  ASSERT_THAT(h.Types(), ElementsAre("PaymentReceived", "PaymentAllocated", "InstalmentPaid",
                                     "InstalmentPaid", "PlanCompleted"));
  EXPECT_EQ(h.Event<v1::PlanCompleted>(4).total_paid().minor_units(), 100000);
  EXPECT_EQ(DayOf(h.Event<v1::PlanCompleted>(4).completed_on()), "2026-2-10");
  EXPECT_EQ(h.account.plans(0).plan().status(), v1::Plan::STATUS_COMPLETED);
  // The timers still to come are removed (those of instalment 1 have fired).
  std::vector<std::string> removed;
  for (const auto& t : h.last.timers_remove) removed.push_back(t.kind);
  EXPECT_THAT(removed, ElementsAre("plan/pl1/due/2", "plan/pl1/grace/2", "plan/pl1/due/3",
                                   "plan/pl1/grace/3", "plan/pl1/due/4", "plan/pl1/grace/4"));
  h.now = Midnight(2026, 2, 28);
  ASSERT_THAT(h.Timer("plan/pl1/due/3"), IsOk());
  EXPECT_FALSE(h.last.changed);
}

TEST(Plan, DueThenMissedAndBrokenAfterMaxMissed) {
  Harness h;
  h.config.plan_max_missed = 2;
  Accepted(h);
  h.now = Midnight(2026, 1, 31);
  ASSERT_THAT(h.Timer("plan/pl1/due/1"), IsOk());
  ASSERT_THAT(h.Types(), ElementsAre("InstalmentDue"));
  EXPECT_EQ(h.Event<v1::InstalmentDue>(0).amount().minor_units(), 25000);
  h.now = At(2026, 2, 3);
  ASSERT_THAT(h.Pay("p1", 10000), IsOk());  // part of it
  h.now = Midnight(2026, 2, 6);
  ASSERT_THAT(h.Timer("plan/pl1/grace/1"), IsOk());
  ASSERT_THAT(h.Types(), ElementsAre("InstalmentMissed"));
  const auto& missed = h.Event<v1::InstalmentMissed>(0);
  EXPECT_EQ(missed.seq(), 1);
  EXPECT_EQ(missed.paid().minor_units(), 10000);
  EXPECT_EQ(missed.amount_due().minor_units(), 25000);
  EXPECT_EQ(missed.missed_count(), 1);
  h.now = Midnight(2026, 2, 28);
  ASSERT_THAT(h.Timer("plan/pl1/due/2"), IsOk());
  h.now = Midnight(2026, 3, 6);
  ASSERT_THAT(h.Timer("plan/pl1/grace/2"), IsOk());
  ASSERT_THAT(h.Types(), ElementsAre("InstalmentMissed", "PlanBroken"));
  EXPECT_EQ(h.Event<v1::InstalmentMissed>(0).missed_count(), 2);
  const auto& broken = h.Event<v1::PlanBroken>(1);
  EXPECT_EQ(broken.missed_count(), 2);
  EXPECT_EQ(broken.remaining().minor_units(), 90000);
  EXPECT_EQ(broken.rule(), "2 missed instalments");
  EXPECT_EQ(h.last.timers_remove.size(), 4u);  // due/grace of instalments 3 and 4
  h.now = Midnight(2026, 3, 31);
  ASSERT_THAT(h.Timer("plan/pl1/due/3"), IsOk());
  EXPECT_FALSE(h.last.changed);
}

TEST(Plan, MissedInstalmentPaidLateIsStillPaid) {
  Harness h;
  Accepted(h);
  h.now = Midnight(2026, 2, 6);
  ASSERT_THAT(h.Timer("plan/pl1/grace/1"), IsOk());
  h.now = At(2026, 2, 7);
  ASSERT_THAT(h.Pay("p1", 25000), IsOk());
  ASSERT_THAT(h.Types(), ElementsAre("PaymentReceived", "PaymentAllocated", "InstalmentPaid"));
  EXPECT_EQ(h.account.plans(0).missed_count(), 1);
}

TEST(Plan, ReversalAfterTheGraceMissesTheInstalmentItHadPaid) {
  Harness h;
  Accepted(h);
  ASSERT_THAT(h.Pay("p1", 25000), IsOk());
  h.now = Midnight(2026, 2, 6);
  ASSERT_THAT(h.Timer("plan/pl1/grace/1"), IsOk());
  EXPECT_FALSE(h.last.changed);  // paid: nothing to do
  h.now = At(2026, 2, 9);
  ASSERT_THAT(h.Reverse("r1", "p1"), IsOk());
  ASSERT_THAT(h.Types(), ElementsAre("PaymentReversed", "InstalmentMissed"));
  EXPECT_EQ(h.Event<v1::InstalmentMissed>(1).seq(), 1);
  EXPECT_EQ(h.account.plans(0).paid_total(), 0);
}

// RULEBOOK example 4: a EUR 80 Finnish consumer debt; 2 reminders (10) + demand (14) + repeated
// demand (7) + plan with <= 4 instalments (20) = EUR 51, under the EUR 60 cap.
TEST(Plan, FinnishConsumerPlanFeeWithinTheCap) {
  Harness h;
  ASSERT_THAT(h.Issue({"i1", 8000, Date(2025, 12, 15), "FI", "", "EUR",
                       invoice::v1::DEBTOR_TYPE_CONSUMER}),
              IsOk());
  ASSERT_THAT(h.Fees({{"i1", "FI_REMINDER", 500}}, 1), IsOk());
  ASSERT_THAT(h.Fees({{"i1", "FI_REMINDER", 500}}, 2), IsOk());
  ASSERT_THAT(h.Fees({{"i1", "FI_DEMAND", 1400}, {"i1", "FI_REPEATED_DEMAND", 700}}, 3), IsOk());
  ASSERT_THAT(Propose(h, "pl1", PlanReq(3, v1::PLAN_FREQUENCY_MONTHLY, Date(2026, 2, 15))), IsOk());
  EXPECT_EQ(PlanOf(h).fee().minor_units(), 2000);
  EXPECT_EQ(PlanOf(h).principal().minor_units(), 11100);
  EXPECT_EQ(PlanOf(h).total().minor_units(), 13100);
  EXPECT_EQ(PlanOf(h).jurisdiction(), "FI");
  ASSERT_THAT(Accept(h, "pl1"), IsOk());
  EXPECT_EQ(h.Event<v1::PlanCreated>(0).fee().minor_units(), 2000);
  EXPECT_EQ(h.Inv("i1").costs_claimed(), 5100);  // EUR 51 of costs in all
  EXPECT_EQ(OpenClaim(h.Inv("i1")), 13100);
  // Paying the plan pays the fee too.
  ASSERT_THAT(h.Pay("p1", 13100), IsOk());
  EXPECT_EQ(h.Types().back(), "PlanCompleted");
}

TEST(Plan, FinnishPlanFeeIsCutToTheCostCap) {
  Harness h;
  ASSERT_THAT(h.Issue({"i1", 8000, Date(2025, 12, 15), "FI", "", "EUR",
                       invoice::v1::DEBTOR_TYPE_CONSUMER}),
              IsOk());
  ASSERT_THAT(h.Fees({{"i1", "FI_DEMAND", 5000}}), IsOk());
  ASSERT_THAT(Propose(h, "pl1", PlanReq(3, v1::PLAN_FREQUENCY_MONTHLY, Date(2026, 2, 15))), IsOk());
  EXPECT_EQ(PlanOf(h).fee().minor_units(), 1000);  // 60 - 50 already claimed
  EXPECT_THAT(h.account.plans(0).fee_rule(), ::testing::HasSubstr("reduced to EUR 10.00"));
}

TEST(Plan, FinnishPlanFeeBandsAndOtherJurisdictions) {
  auto fee = [](const std::string& country, invoice::v1::DebtorType type, int64_t amount,
                int count) {
    Harness h;
    EXPECT_THAT(h.Issue({"i1", amount, Date(2026, 1, 15), country, "", "EUR", type}), IsOk());
    EXPECT_THAT(Propose(h, "pl1", PlanReq(count, v1::PLAN_FREQUENCY_WEEKLY, Date(2026, 2, 1))),
                IsOk());
    return PlanOf(h).fee().minor_units();
  };
  const auto consumer = invoice::v1::DEBTOR_TYPE_CONSUMER;
  const auto business = invoice::v1::DEBTOR_TYPE_BUSINESS;
  EXPECT_EQ(fee("FI", consumer, 50000, 4), 2000);    // <= 4 instalments
  EXPECT_EQ(fee("FI", consumer, 50000, 6), 3000);    // 100 < principal <= 1,000
  EXPECT_EQ(fee("FI", consumer, 150000, 6), 5000);   // > 1,000
  EXPECT_EQ(fee("FI", consumer, 9000, 12), 2000);    // <= 100
  EXPECT_EQ(fee("FI", business, 150000, 6), 0);      // no B2B plan fee rule
  EXPECT_EQ(fee("IT", consumer, 150000, 6), 0);
  EXPECT_EQ(fee("NL", consumer, 150000, 6), 0);
}

TEST(Plan, FinnishFeeByAmountSettlesTheInstalmentCount) {
  Harness h;
  ASSERT_THAT(h.Issue({"i1", 150000, Date(2026, 1, 15), "FI", "", "EUR",
                       invoice::v1::DEBTOR_TYPE_CONSUMER}),
              IsOk());
  auto r = PlanReq(0, v1::PLAN_FREQUENCY_MONTHLY, Date(2026, 2, 1));
  *r.mutable_instalment_amount() = Money(30000);
  ASSERT_THAT(Propose(h, "pl1", r), IsOk());
  // 1,500 / 300 = 5 instalments -> fee 50 -> 1,550 needs 6 -> fee still 50.
  EXPECT_EQ(PlanOf(h).fee().minor_units(), 5000);
  EXPECT_EQ(PlanOf(h).instalments_size(), 6);
  EXPECT_EQ(PlanOf(h).instalments(5).amount().minor_units(), 5000);
}

TEST(Plan, InvalidInputsNameTheField) {
  Harness h;
  ASSERT_THAT(h.Issue({"i1", 100000, Date(2025, 12, 1)}), IsOk());
  auto bad = [&](const v1::ProposePlanRequest& r, const std::string& field) {
    ExpectField(ProposePlan(h.account, "pl1", r, h.now, h.config).status(),
                absl::StatusCode::kInvalidArgument, field);
  };
  auto r = PlanReq(4, v1::PLAN_FREQUENCY_MONTHLY, Date(2026, 2, 1));
  *r.mutable_instalment_amount() = Money(1000);
  bad(r, "instalment_count");  // both
  bad(PlanReq(0, v1::PLAN_FREQUENCY_MONTHLY, Date(2026, 2, 1)), "instalment_count");  // neither
  bad(PlanReq(-2, v1::PLAN_FREQUENCY_MONTHLY, Date(2026, 2, 1)), "instalment_count");
  bad(PlanReq(61, v1::PLAN_FREQUENCY_MONTHLY, Date(2026, 2, 1)), "instalment_count");
  bad(PlanReq(4, v1::PLAN_FREQUENCY_UNSPECIFIED, Date(2026, 2, 1)), "frequency");
  bad(PlanReq(4, v1::PLAN_FREQUENCY_MONTHLY, Date(2026, 1, 9)), "first_due_date");
  bad(PlanReq(4, v1::PLAN_FREQUENCY_MONTHLY, Date(2026, 13, 1)), "first_due_date");
  r = PlanReq(0, v1::PLAN_FREQUENCY_MONTHLY, Date(2026, 2, 1));
  *r.mutable_instalment_amount() = Money(1000, "SEK");
  bad(r, "instalment_amount.currency");
  *r.mutable_instalment_amount() = Money(0);
  bad(r, "instalment_amount.minor_units");
  *r.mutable_instalment_amount() = Money(100);
  bad(r, "instalment_amount.minor_units");  // 1,000 instalments
  r = PlanReq(4, v1::PLAN_FREQUENCY_MONTHLY, Date(2026, 2, 1));
  *r.mutable_down_payment() = Money(100000);
  bad(r, "down_payment.minor_units");
  *r.mutable_down_payment() = Money(-1);
  bad(r, "down_payment.minor_units");
  r = PlanReq(4, v1::PLAN_FREQUENCY_MONTHLY, Date(2026, 2, 1));
  r.add_invoice_ids("nope");
  bad(r, "invoice_ids[0]");
  ExpectField(ProposePlan(h.account, "", PlanReq(4, v1::PLAN_FREQUENCY_MONTHLY, Date(2026, 2, 1)),
                          h.now)
                  .status(),
              absl::StatusCode::kInvalidArgument, "plan_id");

  v1::AcceptPlanRequest accept;
  accept.set_plan_id("nope");
  const absl::Status s = AcceptPlan(h.account, accept, h.now).status();
  ExpectField(s, absl::StatusCode::kFailedPrecondition, "plan_id");
  EXPECT_TRUE(s.GetPayload(kNotFoundPayload).has_value());
}

TEST(Plan, AcceptRefusesAStaleProposalAndASecondActivePlan) {
  Harness h;
  ASSERT_THAT(h.Issue({"i1", 100000, Date(2025, 12, 1)}), IsOk());
  ASSERT_THAT(Propose(h, "pl1", PlanReq(4, v1::PLAN_FREQUENCY_MONTHLY, Date(2026, 2, 1))), IsOk());
  ASSERT_THAT(Propose(h, "pl2", PlanReq(2, v1::PLAN_FREQUENCY_MONTHLY, Date(2026, 2, 1))), IsOk());
  ASSERT_THAT(h.Pay("p1", 1000), IsOk());
  ExpectField(Accept(h, "pl1"), absl::StatusCode::kFailedPrecondition, "plan_id");
  ASSERT_THAT(Propose(h, "pl3", PlanReq(4, v1::PLAN_FREQUENCY_MONTHLY, Date(2026, 2, 1))), IsOk());
  ASSERT_THAT(Propose(h, "pl4", PlanReq(2, v1::PLAN_FREQUENCY_MONTHLY, Date(2026, 2, 1))), IsOk());
  ASSERT_THAT(Accept(h, "pl3"), IsOk());
  ExpectField(Accept(h, "pl4"), absl::StatusCode::kFailedPrecondition, "plan_id");
  // Proposing with an id used before returns that plan unchanged.
  ASSERT_THAT(Propose(h, "pl3", PlanReq(9, v1::PLAN_FREQUENCY_WEEKLY, Date(2026, 2, 1))), IsOk());
  EXPECT_FALSE(h.last.changed);
  EXPECT_EQ(PlanOf(h).instalments_size(), 4);
  ASSERT_NE(FindPlan(h.account, "pl3"), nullptr);
  EXPECT_EQ(FindPlan(h.account, "pl3")->plan().status(), v1::Plan::STATUS_ACTIVE);
  h.now = At(2026, 2, 2);
  ExpectField(Accept(h, "pl4"), absl::StatusCode::kFailedPrecondition, "plan_id");
}

}  // namespace
}  // namespace concerto::payment
