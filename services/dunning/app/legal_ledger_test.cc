// The tenant legal ledger (pure): the legal-ratio guardrail over the whole tenant portfolio.
// Requests are decided once a day in debtor order, so the decisions do not depend on the order
// the requests arrived in; a case learns the decision through its own aggregate.
#include "services/dunning/app/legal_ledger.h"

#include <algorithm>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/testing/status_matchers.h"
#include "concerto/invoice/v1/invoice_events.pb.h"
#include "services/dunning/app/command.pb.h"
#include "services/dunning/app/default_strategy.h"
#include "services/dunning/app/dunning_handler.h"
#include "services/dunning/app/ledger.pb.h"
#include "services/dunning/domain/strategy_yaml.h"

namespace concerto::dunning {
namespace {

using ::concerto::testing::IsOk;
using ::testing::HasSubstr;
namespace lv1 = ledger::v1;

const absl::Time kNoon =
    absl::FromCivil(absl::CivilSecond(2026, 3, 10, 12, 0, 0), absl::UTCTimeZone());

platform::Input Event(const std::string& id, const std::string& key,
                      const google::protobuf::Message& m) {
  platform::Input in;
  in.id = id;
  in.aggregate_key = key;
  in.tenant = "t1";
  in.event.set_type(m.GetDescriptor()->full_name());
  in.event.set_payload(m.SerializeAsString());
  return in;
}

platform::Input DecisionTimer() {
  platform::Input in;
  in.kind = platform::Input::Kind::kTimer;
  in.id = "timer";
  in.aggregate_key = "t1";
  in.tenant = "t1";
  return in;
}

lv1::LegalSlotRequested Request(const std::string& debtor, int64_t balance) {
  lv1::LegalSlotRequested r;
  r.set_debtor_id(debtor);
  r.set_currency("EUR");
  r.set_balance_minor(balance);
  r.set_max_legal_ratio_bp(500);
  r.set_case_sequence(1);
  return r;
}

// Runs inputs through the ledger, returning the final state and every effect.
struct LedgerRun {
  std::optional<std::string> state;
  std::vector<platform::Effects> effects;
};
LedgerRun RunLedger(const std::vector<platform::Input>& inputs, absl::Time now) {
  LedgerRun run;
  for (const auto& in : inputs) {
    auto fx = ApplyLedger(run.state, in, now);
    EXPECT_THAT(fx, IsOk());
    if (!fx.ok()) break;
    if (fx->new_state) run.state = fx->new_state;
    run.effects.push_back(*fx);
  }
  return run;
}

std::vector<lv1::LegalSlotDecided> Decisions(const platform::Effects& fx) {
  std::vector<lv1::LegalSlotDecided> out;
  for (const auto& e : fx.events) {
    EXPECT_EQ(e.topic, kLedgerTopic);
    lv1::LegalSlotDecided d;
    if (e.type == lv1::LegalSlotDecided::descriptor()->full_name() && d.ParseFromString(e.payload)) {
      EXPECT_EQ(e.aggregate_key, "t1/" + d.debtor_id());
      out.push_back(d);
    }
  }
  return out;
}

TEST(LegalLedgerTest, GrantsInDebtorOrderWhileEscalatedStaysWithinTheTarget) {
  lv1::PlacementRecorded placed;
  placed.set_debtor_id("x");
  placed.set_currency("EUR");
  placed.set_delta_minor(1'000'000);  // EUR 10,000 placed: 5% = EUR 500
  // Same requests, two arrival orders: the same decisions.
  const std::vector<platform::Input> order1 = {
      Event("p", "t1", placed), Event("rb", "t1", Request("b", 30'000)),
      Event("ra", "t1", Request("a", 40'000)), Event("rc", "t1", Request("c", 10'000)),
      DecisionTimer()};
  std::vector<platform::Input> order2 = {order1[0], order1[3], order1[2], order1[1], order1[4]};
  for (const auto& order : {order1, order2}) {
    LedgerRun run = RunLedger(order, kNoon);
    ASSERT_EQ(run.effects.size(), 5u);
    // The first request arms the daily decision at the next midnight; the others do not.
    ASSERT_EQ(run.effects[1].timers_add.size(), 1u);
    EXPECT_EQ(run.effects[1].timers_add[0].kind, kLedgerTimerKind);
    EXPECT_EQ(run.effects[1].timers_add[0].due,
              absl::FromCivil(absl::CivilDay(2026, 3, 11), absl::UTCTimeZone()));
    EXPECT_TRUE(run.effects[2].timers_add.empty());
    auto d = Decisions(run.effects[4]);
    ASSERT_EQ(d.size(), 3u);
    // a: 400 of 10,000 = 4% -> granted; b: 700 = 7% -> held; c: 500 = 5% -> granted (at target).
    EXPECT_EQ(d[0].debtor_id(), "a");
    EXPECT_TRUE(d[0].granted());
    EXPECT_EQ(d[1].debtor_id(), "b");
    EXPECT_FALSE(d[1].granted());
    EXPECT_THAT(d[1].reason(), HasSubstr("7.00%"));
    EXPECT_EQ(d[2].debtor_id(), "c");
    EXPECT_TRUE(d[2].granted());
    EXPECT_EQ(d[2].escalated_before_minor(), 40'000);
    lv1::TenantLedger ledger;
    ASSERT_TRUE(ledger.ParseFromString(*run.state));
    EXPECT_EQ(ledger.totals().at("EUR").escalated_minor(), 50'000);
    EXPECT_EQ(ledger.pending_size(), 0);
  }
}

TEST(LegalLedgerTest, ReleasedValueFreesRoomAndNothingPlacedMeansNoLegal) {
  LedgerRun none = RunLedger({Event("r", "t1", Request("a", 100)), DecisionTimer()}, kNoon);
  auto d = Decisions(none.effects[1]);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_FALSE(d[0].granted());

  lv1::PlacementRecorded placed;
  placed.set_currency("EUR");
  placed.set_delta_minor(1'000'000);
  lv1::EscalationReleased release;
  release.set_currency("EUR");
  release.set_amount_minor(40'000);
  LedgerRun run = RunLedger({Event("p", "t1", placed), Event("r1", "t1", Request("a", 50'000)),
                       DecisionTimer(), Event("rel", "t1", release),
                       Event("r2", "t1", Request("b", 40'000)), DecisionTimer()},
                      kNoon);
  ASSERT_EQ(Decisions(run.effects[2]).size(), 1u);
  EXPECT_TRUE(Decisions(run.effects[2])[0].granted());
  auto later = Decisions(run.effects[5]);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_TRUE(later[0].granted()) << later[0].reason();  // 100 + 400 of 10,000
}

// The case side: an escalation parks in AGENT_REVIEW and asks the ledger; the answer moves it.
class CaseLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = ParseStrategyYaml(kDefaultStrategyYaml);
    ASSERT_THAT(s, IsOk());
    ASSERT_THAT(book_.Put(*s), IsOk());
    invoice::v1::InvoiceIssued issued;
    issued.set_invoice_id("i1");
    issued.set_debtor_id("d1");
    issued.mutable_due_date()->set_year(2026);
    issued.mutable_due_date()->set_month(4);
    issued.mutable_due_date()->set_day(20);
    issued.mutable_open_balance()->set_minor_units(41'250);
    issued.mutable_open_balance()->set_currency("EUR");
    Apply(Event("e1", "t1/d1", issued));
    Apply(Command(1));  // paused: AGENT_REVIEW
    ASSERT_EQ(Case().state(), v1::CASE_STATE_AGENT_REVIEW);
  }

  platform::Input Command(int n) {
    app::CaseCommand cmd;
    common::v1::RequestContext* ctx =
        n == 1 ? cmd.mutable_pause()->mutable_context()
               : cmd.mutable_request_escalation()->mutable_context();
    ctx->set_tenant("t1");
    ctx->mutable_actor()->set_id("alice");
    platform::Input in;
    in.kind = platform::Input::Kind::kCommand;
    in.id = absl::StrCat("t1/k", n);
    in.aggregate_key = "t1/d1";
    in.tenant = "t1";
    in.command = cmd.SerializeAsString();
    return in;
  }

  platform::Effects Apply(const platform::Input& in) {
    auto fx = handler_.Apply(state_, in, kNoon);
    EXPECT_THAT(fx, IsOk());
    if (!fx.ok()) return {};
    if (fx->new_state) state_ = fx->new_state;
    return *fx;
  }

  v1::Case Case() const {
    v1::Case c;
    EXPECT_TRUE(c.ParseFromString(state_.value_or("")));
    return c;
  }

  lv1::LegalSlotDecided Decision(bool granted) {
    lv1::LegalSlotDecided d;
    d.set_debtor_id("d1");
    d.set_granted(granted);
    d.set_reason(granted ? "legal-ratio guardrail: slot granted"
                         : "legal-ratio guardrail: escalation held for an agent, 7.00%");
    d.set_currency("EUR");
    d.set_balance_minor(41'250);
    d.set_placed_minor(10'000'000);
    d.set_escalated_before_minor(0);
    d.set_case_sequence(Case().sequence());
    return d;
  }

  StrategyBook book_;
  DunningHandler handler_{&book_};
  std::optional<std::string> state_;
};

TEST_F(CaseLedgerTest, EscalationAsksTheLedgerAndAGrantMovesTheCaseToLegal) {
  platform::Effects asked = Apply(Command(2));
  EXPECT_EQ(Case().state(), v1::CASE_STATE_AGENT_REVIEW);
  auto request = std::find_if(asked.events.begin(), asked.events.end(), [](const auto& e) {
    return e.type == lv1::LegalSlotRequested::descriptor()->full_name();
  });
  ASSERT_NE(request, asked.events.end());
  EXPECT_EQ(request->topic, kLedgerTopic);
  EXPECT_EQ(request->aggregate_key, "t1");  // the tenant's ledger
  lv1::LegalSlotRequested r;
  ASSERT_TRUE(r.ParseFromString(request->payload));
  EXPECT_EQ(r.balance_minor(), 41'250);

  platform::Effects granted = Apply(Event("g", "t1/d1", Decision(true)));
  EXPECT_EQ(Case().state(), v1::CASE_STATE_LEGAL);
  EXPECT_TRUE(std::any_of(granted.events.begin(), granted.events.end(), [](const auto& e) {
    return e.type == v1::EscalationRequested::descriptor()->full_name();
  }));
  // The slot was used in full: nothing released.
  EXPECT_FALSE(std::any_of(granted.events.begin(), granted.events.end(), [](const auto& e) {
    return e.type == lv1::EscalationReleased::descriptor()->full_name();
  }));
}

TEST_F(CaseLedgerTest, ADenialStaysWithTheAgentWithTheReason) {
  Apply(Command(2));
  Apply(Event("d", "t1/d1", Decision(false)));
  const v1::Case c = Case();
  EXPECT_EQ(c.state(), v1::CASE_STATE_AGENT_REVIEW);
  ASSERT_GT(c.notes_size(), 0);
  EXPECT_THAT(c.notes(c.notes_size() - 1).text(), HasSubstr("7.00%"));
}

TEST_F(CaseLedgerTest, AGrantForACaseThatMovedOnIsGivenBack) {
  Apply(Command(2));
  lv1::LegalSlotDecided d = Decision(true);
  d.set_case_sequence(d.case_sequence() + 1);  // a later cycle of the case
  platform::Effects fx = Apply(Event("g", "t1/d1", d));
  EXPECT_EQ(Case().state(), v1::CASE_STATE_AGENT_REVIEW);
  ASSERT_EQ(fx.events.size(), 1u);
  EXPECT_EQ(fx.events[0].type, lv1::EscalationReleased::descriptor()->full_name());
  lv1::EscalationReleased rel;
  ASSERT_TRUE(rel.ParseFromString(fx.events[0].payload));
  EXPECT_EQ(rel.amount_minor(), 41'250);
}

}  // namespace
}  // namespace concerto::dunning
