// The legal case aggregate: case events feed the facts, an escalation opens a legal case or is
// rejected with reasons, stages move forward only, costs add up, settle / close / recall emit
// their events, and every invalid transition is an explicit error.
#include "services/legal_escalation/domain/legal_account.h"

#include <string>
#include <vector>

#include "concerto/legal/v1/legal_events.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/testing/status_matchers.h"
#include "services/legal_escalation/domain/test_util.h"

namespace concerto::legal {
namespace {

using ::concerto::testing::IsOk;
using ::concerto::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace ::concerto::legal::testing;  // NOLINT: test builders

const TenantLegalConfig& Cfg() {
  static const TenantLegalConfig* config = new TenantLegalConfig(Config());
  return *config;
}

template <typename T>
T As(const LegalDecision& d, size_t i) {
  T out;
  EXPECT_LT(i, d.events.size());
  if (i < d.events.size()) {
    EXPECT_EQ(d.events[i]->GetDescriptor()->full_name(), T::descriptor()->full_name());
    out.ParseFromString(d.events[i]->SerializeAsString());
  }
  return out;
}

class LegalAccountTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto a = NewAccount("acme/d1");
    ASSERT_THAT(a, IsOk());
    account_ = *a;
  }

  // Event applies a case event at `now` (occurred at the same time) and keeps the new state.
  LegalDecision Event(const google::protobuf::Message& m, const std::string& id, absl::Time now) {
    auto d = ApplyCaseEvent(account_, m.GetDescriptor()->full_name(), m.SerializeAsString(), id,
                            now, now, Cfg());
    EXPECT_THAT(d, IsOk());
    if (!d.ok()) return LegalDecision{};
    account_ = d->state;
    return *std::move(d);
  }

  // History runs a dunning cycle up to the final notice (sent 2026-02-01, 7-day expiry) and the
  // LEGAL transition of step 7.
  void History(int sequence = 1, int month = 2) {
    dunning::v1::CaseOpened opened;
    *opened.mutable_assignment() = Assignment();
    opened.set_debtor_id("d1");
    opened.set_sequence(sequence);
    Event(opened, absl::StrCat("opened-", sequence), At(2026, month - 1, 5));
    dunning::v1::CaseTransitioned dunning;
    *dunning.mutable_assignment() = Assignment();
    dunning.set_to(dunning::v1::CASE_STATE_DUNNING);
    dunning.set_step(1);
    Event(dunning, absl::StrCat("tr-", sequence), At(2026, month - 1, 6));
    dunning::v1::FinalNoticeRequested notice;
    *notice.mutable_assignment() = Assignment();
    notice.set_debtor_id("d1");
    notice.set_step(6);
    *notice.mutable_expires() = Date(2026, month, 8);
    Event(notice, absl::StrCat("fn-", sequence), At(2026, month, 1));
    dunning::v1::CaseTransitioned legal;
    *legal.mutable_assignment() = Assignment();
    legal.set_from(dunning::v1::CASE_STATE_DUNNING);
    legal.set_to(dunning::v1::CASE_STATE_LEGAL);
    legal.set_step(7);
    Event(legal, absl::StrCat("tl-", sequence), At(2026, month + 1, 5));
  }

  // Open escalates (step 7) on 2026-03-06 and returns the new legal case id.
  std::string Open(const std::string& event_id = "esc-1") {
    History();
    LegalDecision d = Event(Request(), event_id, At(2026, 3, 6));
    EXPECT_EQ(d.opened_legal_case_id, LegalCaseIdFor(event_id));
    return d.opened_legal_case_id;
  }

  v1::RecordStageRequest Stage(const std::string& id, v1::LegalStage stage) {
    v1::RecordStageRequest r;
    r.set_legal_case_id(id);
    r.set_stage(stage);
    return r;
  }

  absl::StatusOr<LegalDecision> Apply(absl::StatusOr<LegalDecision> d) {
    if (d.ok()) account_ = d->state;
    return d;
  }

  state::v1::LegalAccount account_;
  CommandActor actor_{"legal-7"};
};

TEST_F(LegalAccountTest, AnEligibleEscalationOpensALegalCase) {
  History();
  LegalDecision d = Event(Request(), "esc-1", At(2026, 3, 6));
  ASSERT_EQ(d.events.size(), 1u);
  const auto accepted = As<v1::EscalationAccepted>(d, 0);
  EXPECT_EQ(accepted.legal_case_id(), LegalCaseIdFor("esc-1"));
  EXPECT_EQ(accepted.case_id(), "d1#1");
  EXPECT_EQ(accepted.debtor_id(), "d1");
  EXPECT_EQ(accepted.escalation_request_id(), "esc-1");
  EXPECT_EQ(accepted.partner_id(), "studio-rossi");
  EXPECT_THAT(accepted.invoice_ids(), ElementsAre("inv-1", "inv-2"));
  EXPECT_EQ(accepted.claimed().minor_units(), 50000);
  EXPECT_EQ(accepted.jurisdiction(), "IT");
  ASSERT_EQ(account_.cases_size(), 1);
  const v1::LegalCase& lc = account_.cases(0).legal_case();
  EXPECT_EQ(lc.status(), v1::LEGAL_CASE_STATUS_OPEN);
  EXPECT_EQ(lc.stage(), v1::LEGAL_STAGE_ACCEPTED);
  EXPECT_EQ(lc.costs_total().currency(), "EUR");
  EXPECT_EQ(account_.cases(0).eligibility_size(), 10);
  EXPECT_EQ(account_.facts().final_notice_step(), 6);
  EXPECT_EQ(account_.facts().final_notice_sent_on().day(), 1);
}

TEST_F(LegalAccountTest, AnIneligibleEscalationIsRejectedWithReasons) {
  History();
  LegalDecision d = Event(Request(9000), "esc-1", At(2026, 2, 10));
  ASSERT_EQ(d.events.size(), 1u);
  const auto rejected = As<v1::EscalationRejected>(d, 0);
  EXPECT_EQ(rejected.escalation_request_id(), "esc-1");
  EXPECT_EQ(rejected.case_id(), "d1#1");
  ASSERT_EQ(rejected.reasons_size(), 2);
  EXPECT_EQ(rejected.reasons(0).code(), v1::REJECTION_CODE_BELOW_MIN_BALANCE);
  EXPECT_EQ(rejected.reasons(1).code(), v1::REJECTION_CODE_FINAL_NOTICE_TERM_RUNNING);
  EXPECT_TRUE(d.opened_legal_case_id.empty());
  EXPECT_EQ(account_.cases_size(), 0);
  ASSERT_EQ(account_.rejections_size(), 1);
  // A second escalation while a case is open: rejected, nothing changes on the open one.
  const std::string id = [&] {
    LegalDecision ok = Event(Request(), "esc-2", At(2026, 3, 6));
    return ok.opened_legal_case_id;
  }();
  ASSERT_FALSE(id.empty());
  d = Event(Request(), "esc-3", At(2026, 3, 7));
  EXPECT_EQ(As<v1::EscalationRejected>(d, 0).reasons(0).code(), v1::REJECTION_CODE_OTHER);
  EXPECT_EQ(account_.cases_size(), 1);
}

TEST_F(LegalAccountTest, DisputeAndHardshipFactsFollowTheCaseStates) {
  History();
  dunning::v1::CaseTransitioned t;
  t.set_to(dunning::v1::CASE_STATE_DISPUTED);
  Event(t, "t1", At(2026, 3, 1));
  EXPECT_TRUE(account_.facts().disputed());
  t.set_to(dunning::v1::CASE_STATE_AGENT_REVIEW);  // paused by an agent: still disputed
  Event(t, "t2", At(2026, 3, 2));
  EXPECT_TRUE(account_.facts().disputed());
  LegalDecision d = Event(Request(50000, 0), "esc-1", At(2026, 3, 6));
  EXPECT_EQ(As<v1::EscalationRejected>(d, 0).reasons(0).code(), v1::REJECTION_CODE_DISPUTED);
  t.set_to(dunning::v1::CASE_STATE_DUNNING);  // resolved
  Event(t, "t3", At(2026, 3, 7));
  EXPECT_FALSE(account_.facts().disputed());
  t.set_to(dunning::v1::CASE_STATE_HARDSHIP);
  Event(t, "t4", At(2026, 3, 8));
  EXPECT_TRUE(account_.facts().hardship());
  EXPECT_EQ(account_.facts().hardship_since().day(), 8);
}

TEST_F(LegalAccountTest, StagesMoveForwardWithTheirTerms) {
  const std::string id = Open();
  v1::RecordStageRequest r = Stage(id, v1::LEGAL_STAGE_FORMAL_NOTICE);
  auto d = Apply(RecordStage(account_, r, "cmd-1", actor_, At(2026, 3, 10), Cfg()));
  ASSERT_THAT(d, IsOk());
  auto changed = As<v1::LegalStageChanged>(*d, 0);
  EXPECT_EQ(changed.from_stage(), v1::LEGAL_STAGE_ACCEPTED);
  EXPECT_EQ(changed.to_stage(), v1::LEGAL_STAGE_FORMAL_NOTICE);
  EXPECT_EQ(changed.effective_on().day(), 10);
  EXPECT_EQ(changed.term_ends_on().day(), 25);  // IT: 15 days
  EXPECT_EQ(d->reply->legal_case().stage(), v1::LEGAL_STAGE_FORMAL_NOTICE);
  // The injunction: 40 days to pay or oppose, from the given effective date.
  r = Stage(id, v1::LEGAL_STAGE_INJUNCTION);
  *r.mutable_effective_on() = Date(2026, 4, 1);
  r.set_court_reference("RG 1234/2026");
  d = Apply(RecordStage(account_, r, "cmd-2", actor_, At(2026, 4, 2), Cfg()));
  ASSERT_THAT(d, IsOk());
  changed = As<v1::LegalStageChanged>(*d, 0);
  EXPECT_EQ(changed.term_ends_on().month(), 5);
  EXPECT_EQ(changed.term_ends_on().day(), 11);
  // An explicit term wins.
  r = Stage(id, v1::LEGAL_STAGE_ENFORCEMENT);
  *r.mutable_effective_on() = Date(2026, 5, 20);
  *r.mutable_term_ends_on() = Date(2026, 6, 30);
  d = Apply(RecordStage(account_, r, "cmd-3", actor_, At(2026, 5, 20), Cfg()));
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(As<v1::LegalStageChanged>(*d, 0).term_ends_on().month(), 6);
  const v1::LegalCase& lc = account_.cases(0).legal_case();
  ASSERT_EQ(lc.stages_size(), 4);
  EXPECT_EQ(lc.stages(2).court_reference(), "RG 1234/2026");
  EXPECT_EQ(lc.stages(3).recorded_by(), "legal-7");
}

TEST_F(LegalAccountTest, InvalidTransitionsAreExplicitErrors) {
  const std::string id = Open();
  ASSERT_THAT(Apply(RecordStage(account_, Stage(id, v1::LEGAL_STAGE_INJUNCTION), "c1", actor_,
                                At(2026, 3, 10), Cfg())),
              IsOk());
  // Backwards.
  auto s = RecordStage(account_, Stage(id, v1::LEGAL_STAGE_FORMAL_NOTICE), "c2", actor_,
                       At(2026, 3, 11), Cfg());
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(s.status().message()),
              HasSubstr("invalid transition INJUNCTION -> FORMAL_NOTICE"));
  // The same stage again.
  s = RecordStage(account_, Stage(id, v1::LEGAL_STAGE_INJUNCTION), "c3", actor_, At(2026, 3, 11),
                  Cfg());
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("already at this stage"));
  // Stages that RecordStage cannot set.
  for (v1::LegalStage bad :
       {v1::LEGAL_STAGE_UNSPECIFIED, v1::LEGAL_STAGE_ACCEPTED, v1::LEGAL_STAGE_CLOSED}) {
    s = RecordStage(account_, Stage(id, bad), "c4", actor_, At(2026, 3, 11), Cfg());
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(std::string(s.status().message()), HasSubstr("stage: "));
  }
  // An effective date before the current stage's.
  v1::RecordStageRequest early = Stage(id, v1::LEGAL_STAGE_PROCEEDINGS);
  *early.mutable_effective_on() = Date(2026, 3, 1);
  s = RecordStage(account_, early, "c5", actor_, At(2026, 3, 11), Cfg());
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("effective_on: "));
  // An unknown legal case.
  s = RecordStage(account_, Stage("lc-nope", v1::LEGAL_STAGE_PROCEEDINGS), "c6", actor_,
                  At(2026, 3, 11), Cfg());
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_TRUE(s.status().GetPayload(kNotFoundPayload).has_value());
}

TEST_F(LegalAccountTest, StageTable) {
  using S = v1::LegalStage;
  EXPECT_TRUE(StageAllowed(S::LEGAL_STAGE_ACCEPTED, S::LEGAL_STAGE_FORMAL_NOTICE));
  EXPECT_TRUE(StageAllowed(S::LEGAL_STAGE_ACCEPTED, S::LEGAL_STAGE_PROCEEDINGS));  // skip
  EXPECT_TRUE(StageAllowed(S::LEGAL_STAGE_INJUNCTION, S::LEGAL_STAGE_ENFORCEMENT));
  EXPECT_TRUE(StageAllowed(S::LEGAL_STAGE_ENFORCEMENT, S::LEGAL_STAGE_SETTLEMENT));
  EXPECT_TRUE(StageAllowed(S::LEGAL_STAGE_SETTLEMENT, S::LEGAL_STAGE_PROCEEDINGS));
  EXPECT_FALSE(StageAllowed(S::LEGAL_STAGE_PROCEEDINGS, S::LEGAL_STAGE_INJUNCTION));
  EXPECT_FALSE(StageAllowed(S::LEGAL_STAGE_SETTLEMENT, S::LEGAL_STAGE_SETTLEMENT));
  EXPECT_FALSE(StageAllowed(S::LEGAL_STAGE_CLOSED, S::LEGAL_STAGE_ENFORCEMENT));
  EXPECT_FALSE(StageAllowed(S::LEGAL_STAGE_FORMAL_NOTICE, S::LEGAL_STAGE_CLOSED));
  EXPECT_FALSE(StageAllowed(S::LEGAL_STAGE_FORMAL_NOTICE, S::LEGAL_STAGE_ACCEPTED));
}

TEST_F(LegalAccountTest, CostsAddUpPerKind) {
  const std::string id = Open();
  v1::RecordCostRequest r;
  r.set_legal_case_id(id);
  r.mutable_cost()->set_kind(v1::COST_KIND_COURT_FEE);
  *r.mutable_cost()->mutable_amount() = Eur(12000);
  r.mutable_cost()->set_recoverable(true);
  auto d = Apply(RecordCost(account_, r, "cost-cmd-1", actor_, At(2026, 3, 10), Cfg()));
  ASSERT_THAT(d, IsOk());
  auto cost = As<v1::LegalCostRecorded>(*d, 0);
  EXPECT_EQ(cost.kind(), v1::COST_KIND_COURT_FEE);
  EXPECT_EQ(cost.total_costs().minor_units(), 12000);
  EXPECT_EQ(cost.incurred_on().day(), 10);
  EXPECT_TRUE(cost.recoverable());
  const std::string first_id = cost.cost_id();
  r.mutable_cost()->set_kind(v1::COST_KIND_LAWYER_FEE);
  *r.mutable_cost()->mutable_amount() = Eur(30000);
  r.mutable_cost()->set_recoverable(false);
  d = Apply(RecordCost(account_, r, "cost-cmd-2", actor_, At(2026, 3, 11), Cfg()));
  ASSERT_THAT(d, IsOk());
  cost = As<v1::LegalCostRecorded>(*d, 0);
  EXPECT_EQ(cost.total_costs().minor_units(), 42000);
  EXPECT_NE(cost.cost_id(), first_id);
  EXPECT_EQ(d->reply->legal_case().costs_size(), 2);
  // Deterministic: the same command id gives the same cost id.
  auto again = RecordCost(account_, r, "cost-cmd-2", actor_, At(2026, 3, 11), Cfg());
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(As<v1::LegalCostRecorded>(*again, 0).cost_id(), cost.cost_id());
  // Bad input names the field.
  r.mutable_cost()->mutable_amount()->set_currency("USD");
  EXPECT_THAT(
      std::string(RecordCost(account_, r, "c", actor_, At(2026, 3, 11), Cfg()).status().message()),
      HasSubstr("cost.amount.currency: the claim is in EUR"));
  r.mutable_cost()->set_kind(v1::COST_KIND_UNSPECIFIED);
  EXPECT_THAT(
      std::string(RecordCost(account_, r, "c", actor_, At(2026, 3, 11), Cfg()).status().message()),
      HasSubstr("cost.kind: "));
}

TEST_F(LegalAccountTest, SettleThenCloseAsSettled) {
  const std::string id = Open();
  v1::RecordCostRequest cost;
  cost.set_legal_case_id(id);
  cost.mutable_cost()->set_kind(v1::COST_KIND_COURT_FEE);
  *cost.mutable_cost()->mutable_amount() = Eur(10000);
  cost.mutable_cost()->set_recoverable(true);
  ASSERT_THAT(Apply(RecordCost(account_, cost, "k1", actor_, At(2026, 3, 10), Cfg())), IsOk());
  v1::SettleRequest settle;
  settle.set_legal_case_id(id);
  *settle.mutable_settlement_amount() = Eur(60001);  // claim 500.00 + costs 100.00, plus a cent
  EXPECT_THAT(Settle(account_, settle, "s0", actor_, At(2026, 3, 12), Cfg()),
              StatusIs(absl::StatusCode::kInvalidArgument));
  *settle.mutable_settlement_amount() = Eur(40000);
  *settle.mutable_agreed_on() = Date(2026, 3, 13);  // tomorrow
  EXPECT_THAT(
      std::string(
          Settle(account_, settle, "s0", actor_, At(2026, 3, 12), Cfg()).status().message()),
      HasSubstr("agreed_on: in the future"));
  *settle.mutable_agreed_on() = Date(2026, 3, 12);
  settle.set_plan_id("plan-9");
  settle.set_note("agreed on the phone");
  auto d = Apply(Settle(account_, settle, "s1", actor_, At(2026, 3, 12), Cfg()));
  ASSERT_THAT(d, IsOk());
  const auto settled = As<v1::LegalCaseSettled>(*d, 0);
  EXPECT_EQ(settled.settlement_amount().minor_units(), 40000);
  EXPECT_EQ(settled.claimed().minor_units(), 50000);
  EXPECT_EQ(settled.plan_id(), "plan-9");
  EXPECT_EQ(d->reply->legal_case().status(), v1::LEGAL_CASE_STATUS_SETTLED);
  EXPECT_EQ(d->reply->legal_case().stage(), v1::LEGAL_STAGE_SETTLEMENT);
  // Settling twice is an invalid transition.
  auto twice = Settle(account_, settle, "s2", actor_, At(2026, 3, 13), Cfg());
  EXPECT_THAT(twice, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(twice.status().message()), HasSubstr("invalid transition SETTLED"));
  // Close SETTLED: recovered defaults to the settlement; the rest is written off.
  v1::CloseRequest close;
  close.set_legal_case_id(id);
  close.set_outcome(v1::LEGAL_OUTCOME_SETTLED);
  d = Apply(Close(account_, close, "x1", actor_, At(2026, 6, 1), Cfg()));
  ASSERT_THAT(d, IsOk());
  const auto closed = As<v1::LegalCaseClosed>(*d, 0);
  EXPECT_EQ(closed.outcome(), v1::LEGAL_OUTCOME_SETTLED);
  EXPECT_EQ(closed.recovered().minor_units(), 40000);
  EXPECT_EQ(closed.written_off().minor_units(), 10000);
  EXPECT_EQ(closed.costs_total().minor_units(), 10000);
  EXPECT_EQ(closed.closed_on().month(), 6);
  EXPECT_EQ(d->reply->legal_case().status(), v1::LEGAL_CASE_STATUS_CLOSED);
  EXPECT_EQ(d->reply->legal_case().stage(), v1::LEGAL_STAGE_CLOSED);
}

TEST_F(LegalAccountTest, AFailedSettlementGoesBackToLitigation) {
  const std::string id = Open();
  v1::SettleRequest settle;
  settle.set_legal_case_id(id);
  *settle.mutable_settlement_amount() = Eur(45000);
  ASSERT_THAT(Apply(Settle(account_, settle, "s1", actor_, At(2026, 3, 12), Cfg())), IsOk());
  auto d = Apply(RecordStage(account_, Stage(id, v1::LEGAL_STAGE_INJUNCTION), "c1", actor_,
                             At(2026, 4, 1), Cfg()));
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->reply->legal_case().status(), v1::LEGAL_CASE_STATUS_OPEN);
  EXPECT_EQ(As<v1::LegalStageChanged>(*d, 0).from_stage(), v1::LEGAL_STAGE_SETTLEMENT);
}

TEST_F(LegalAccountTest, CloseOutcomesComputeRecoveredAndWrittenOff) {
  {
    const std::string id = Open("esc-paid");
    v1::CloseRequest close;
    close.set_legal_case_id(id);
    close.set_outcome(v1::LEGAL_OUTCOME_PAID);
    *close.mutable_recovered() = Eur(49999);
    auto partial = Close(account_, close, "x0", actor_, At(2026, 4, 1), Cfg());
    EXPECT_THAT(partial, StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(std::string(partial.status().message()), HasSubstr("recovered: "));
    close.clear_recovered();
    auto d = Apply(Close(account_, close, "x1", actor_, At(2026, 4, 1), Cfg()));
    ASSERT_THAT(d, IsOk());
    const auto closed = As<v1::LegalCaseClosed>(*d, 0);
    EXPECT_EQ(closed.recovered().minor_units(), 50000);
    EXPECT_EQ(closed.written_off().minor_units(), 0);
    // Closed is final.
    EXPECT_THAT(Close(account_, close, "x2", actor_, At(2026, 4, 2), Cfg()),
                StatusIs(absl::StatusCode::kFailedPrecondition));
    EXPECT_THAT(RecordStage(account_, Stage(id, v1::LEGAL_STAGE_ENFORCEMENT), "x3", actor_,
                            At(2026, 4, 2), Cfg()),
                StatusIs(absl::StatusCode::kFailedPrecondition));
    v1::RecallRequest recall;
    recall.set_legal_case_id(id);
    recall.set_reason(v1::RECALL_REASON_CLIENT_DECISION);
    EXPECT_THAT(Recall(account_, recall, "x4", actor_, At(2026, 4, 2), Cfg()),
                StatusIs(absl::StatusCode::kFailedPrecondition));
  }
  SetUp();
  {
    const std::string id = Open("esc-lost");
    v1::CloseRequest close;
    close.set_legal_case_id(id);
    close.set_outcome(v1::LEGAL_OUTCOME_UNCOLLECTABLE);
    *close.mutable_recovered() = Eur(5000);
    auto d = Apply(Close(account_, close, "x1", actor_, At(2026, 4, 1), Cfg()));
    ASSERT_THAT(d, IsOk());
    EXPECT_EQ(As<v1::LegalCaseClosed>(*d, 0).written_off().minor_units(), 45000);
  }
  SetUp();
  {
    const std::string id = Open("esc-settled-no-settlement");
    v1::CloseRequest close;
    close.set_legal_case_id(id);
    close.set_outcome(v1::LEGAL_OUTCOME_SETTLED);
    EXPECT_THAT(
        std::string(Close(account_, close, "x1", actor_, At(2026, 4, 1), Cfg()).status().message()),
        HasSubstr("recovered: required for SETTLED"));
    close.set_outcome(v1::LEGAL_OUTCOME_UNSPECIFIED);
    EXPECT_THAT(
        std::string(Close(account_, close, "x1", actor_, At(2026, 4, 1), Cfg()).status().message()),
        HasSubstr("outcome: "));
  }
}

TEST_F(LegalAccountTest, RecallEndsTheCaseAndBlocksReEscalationInTheSameCycle) {
  const std::string id = Open();
  v1::RecallRequest recall;
  recall.set_legal_case_id(id);
  EXPECT_THAT(
      std::string(
          Recall(account_, recall, "r0", actor_, At(2026, 3, 20), Cfg()).status().message()),
      HasSubstr("reason: "));
  recall.set_reason(v1::RECALL_REASON_COMMERCIAL_AGREEMENT);
  auto d = Apply(Recall(account_, recall, "r1", actor_, At(2026, 3, 20), Cfg()));
  ASSERT_THAT(d, IsOk());
  const auto recalled = As<v1::LegalCaseRecalled>(*d, 0);
  EXPECT_EQ(recalled.reason(), v1::RECALL_REASON_COMMERCIAL_AGREEMENT);
  EXPECT_EQ(recalled.recalled_at().seconds(), absl::ToUnixSeconds(At(2026, 3, 20)));
  EXPECT_EQ(d->reply->legal_case().status(), v1::LEGAL_CASE_STATUS_RECALLED);
  // The same dunning cycle escalates again: RECALLED.
  LegalDecision again = Event(Request(), "esc-again", At(2026, 3, 25));
  EXPECT_EQ(As<v1::EscalationRejected>(again, 0).reasons(0).code(), v1::REJECTION_CODE_RECALLED);
  // A new cycle with its own final notice may go to legal again.
  History(2, 5);
  LegalDecision next = Event(Request(), "esc-next", At(2026, 6, 6));
  const auto accepted = As<v1::EscalationAccepted>(next, 0);
  EXPECT_EQ(accepted.case_id(), "d1#2");
  EXPECT_EQ(account_.cases_size(), 2);
}

TEST_F(LegalAccountTest, CaseClosedByDunningIsNotedAndOtherTypesAreNotActedOn) {
  const std::string id = Open();
  dunning::v1::CaseClosed closed;
  closed.set_final_state(dunning::v1::CASE_STATE_PAID);
  *closed.mutable_closed_balance() = Eur(50000);
  Event(closed, "closed-1", At(2026, 3, 30));
  const auto& rec = account_.cases(0);
  EXPECT_EQ(rec.legal_case().status(), v1::LEGAL_CASE_STATUS_OPEN);
  EXPECT_THAT(rec.timeline(rec.timeline_size() - 1).what(),
              HasSubstr("dunning closed its case as PAID"));
  EXPECT_THAT(ApplyCaseEvent(account_, "concerto.platform.v1.Ping", "", "p", At(2026, 3, 30),
                             At(2026, 3, 30), Cfg()),
              StatusIs(absl::StatusCode::kUnimplemented));
  EXPECT_THAT(NewAccount("no-slash"), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace concerto::legal
