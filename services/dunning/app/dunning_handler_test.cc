// The handler's command path (pure): CaseService commands map onto engine inputs, act only on
// existing cases of the caller's tenant, and store their reply as the command's result.
#include "services/dunning/app/dunning_handler.h"

#include "absl/strings/cord.h"
#include "concerto/invoice/v1/invoice_events.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/testing/status_matchers.h"
#include "services/dunning/app/command.pb.h"
#include "services/dunning/app/default_strategy.h"
#include "services/dunning/domain/strategy_yaml.h"

namespace concerto::dunning {
namespace {

using ::concerto::testing::IsOk;
using ::concerto::testing::StatusIs;

common::v1::RequestContext Ctx(const std::string& tenant = "t1") {
  common::v1::RequestContext c;
  c.set_tenant(tenant);
  c.set_idempotency_key("k1");
  c.mutable_actor()->set_id("alice");
  return c;
}

platform::Input Command(const app::CaseCommand& cmd, const std::string& tenant = "t1") {
  platform::Input in;
  in.kind = platform::Input::Kind::kCommand;
  in.id = tenant + "/k1";
  in.aggregate_key = tenant + "/d1";
  in.tenant = tenant;
  in.command = cmd.SerializeAsString();
  return in;
}

v1::Case CaseWithInvoice() {
  v1::Case c;
  c.set_tenant("t1");
  c.set_debtor_id("d1");
  auto* inv = c.add_invoices();
  inv->set_invoice_id("i1");
  inv->mutable_open_balance()->set_minor_units(41250);
  inv->mutable_open_balance()->set_currency("EUR");
  return c;
}

TEST(DunningCommandMappingTest, OperatorActionsBecomeAgentActions) {
  struct Case {
    app::CaseCommand cmd;
    AgentAction::Kind kind;
    std::string text;
  };
  std::vector<Case> cases(5);
  auto* pause = cases[0].cmd.mutable_pause();
  *pause->mutable_context() = Ctx();
  pause->set_reason("customer called");
  cases[0].kind = AgentAction::Kind::kPause;
  cases[0].text = "customer called";
  *cases[1].cmd.mutable_resume()->mutable_context() = Ctx();
  cases[1].kind = AgentAction::Kind::kResume;
  auto* note = cases[2].cmd.mutable_add_note();
  *note->mutable_context() = Ctx();
  note->set_text("left a voicemail");
  cases[2].kind = AgentAction::Kind::kNote;
  cases[2].text = "left a voicemail";
  auto* assign = cases[3].cmd.mutable_assign_agent();
  *assign->mutable_context() = Ctx();
  assign->set_agent("bob");
  cases[3].kind = AgentAction::Kind::kAssign;
  cases[3].text = "bob";
  auto* escalate = cases[4].cmd.mutable_request_escalation();
  *escalate->mutable_context() = Ctx();
  escalate->set_reason("ignores us");
  cases[4].kind = AgentAction::Kind::kRequestEscalation;
  cases[4].text = "ignores us";
  for (const auto& c : cases) {
    auto inputs = DunningHandler::ToCaseInputs(CaseWithInvoice(), Command(c.cmd));
    ASSERT_THAT(inputs, IsOk());
    ASSERT_EQ(inputs->size(), 1u);
    EXPECT_EQ((*inputs)[0].cause_id, "t1/k1");
    const auto* a = std::get_if<AgentAction>(&(*inputs)[0].event);
    ASSERT_NE(a, nullptr) << c.cmd.ShortDebugString();
    EXPECT_EQ(a->kind, c.kind);
    EXPECT_EQ(a->actor, "alice");
    EXPECT_EQ(a->text, c.text);
  }
}

TEST(DunningCommandMappingTest, DisputesAndPromisesMapOntoTheirEngineInputs) {
  app::CaseCommand raise;
  *raise.mutable_record_dispute()->mutable_context() = Ctx();
  raise.mutable_record_dispute()->set_invoice_id("i1");
  auto in = DunningHandler::ToCaseInputs(CaseWithInvoice(), Command(raise));
  ASSERT_THAT(in, IsOk());
  const auto* d = std::get_if<DisputeRaised>(&(*in)[0].event);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->invoice_id, "i1");
  EXPECT_EQ(d->reason, "recorded by alice");

  app::CaseCommand resolve;
  *resolve.mutable_resolve_dispute()->mutable_context() = Ctx();
  resolve.mutable_resolve_dispute()->set_invoice_id("i1");
  resolve.mutable_resolve_dispute()->set_upheld(true);
  resolve.mutable_resolve_dispute()->set_reason("credit note");
  in = DunningHandler::ToCaseInputs(CaseWithInvoice(), Command(resolve));
  ASSERT_THAT(in, IsOk());
  const auto* r = std::get_if<DisputeResolved>(&(*in)[0].event);
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(r->upheld);
  EXPECT_EQ(r->reason, "credit note");

  app::CaseCommand promise;
  auto* p = promise.mutable_record_promise();
  *p->mutable_context() = Ctx();
  p->mutable_amount()->set_minor_units(20000);
  p->mutable_amount()->set_currency("EUR");
  p->mutable_promised_date()->set_year(2026);
  p->mutable_promised_date()->set_month(4);
  p->mutable_promised_date()->set_day(1);
  in = DunningHandler::ToCaseInputs(CaseWithInvoice(), Command(promise));
  ASSERT_THAT(in, IsOk());
  const auto* pm = std::get_if<PromiseMade>(&(*in)[0].event);
  ASSERT_NE(pm, nullptr);
  EXPECT_EQ(pm->amount_minor, 20000);
  EXPECT_EQ(pm->date, absl::CivilDay(2026, 4, 1));

  p->mutable_amount()->set_currency("GBP");  // the case is in EUR
  EXPECT_THAT(DunningHandler::ToCaseInputs(CaseWithInvoice(), Command(promise)),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(DunningCommandMappingTest, UndecodableOrEmptyCommandIsInvalid) {
  platform::Input in = Command(app::CaseCommand());
  EXPECT_THAT(DunningHandler::ToCaseInputs(CaseWithInvoice(), in),
              StatusIs(absl::StatusCode::kInvalidArgument));
  in.command = "\xff\xff";
  EXPECT_THAT(DunningHandler::ToCaseInputs(CaseWithInvoice(), in),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

class DunningHandlerCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = ParseStrategyYaml(kDefaultStrategyYaml);
    ASSERT_THAT(s, IsOk());
    ASSERT_THAT(book_.Put(*s), IsOk());
  }

  // A case opened by an invoice event.
  std::string OpenCase() {
    invoice::v1::InvoiceIssued issued;
    issued.set_invoice_id("i1");
    issued.set_debtor_id("d1");
    issued.mutable_due_date()->set_year(2026);
    issued.mutable_due_date()->set_month(1);
    issued.mutable_due_date()->set_day(20);
    issued.mutable_open_balance()->set_minor_units(41250);
    issued.mutable_open_balance()->set_currency("EUR");
    platform::Input in;
    in.id = "e1";
    in.aggregate_key = "t1/d1";
    in.tenant = "t1";
    in.event.set_type("concerto.invoice.v1.InvoiceIssued");
    in.event.set_payload(issued.SerializeAsString());
    auto fx = handler_.Apply(std::nullopt, in, now_);
    EXPECT_THAT(fx, IsOk());
    return fx.ok() && fx->new_state ? *fx->new_state : "";
  }

  StrategyBook book_;
  DunningHandler handler_{&book_};
  absl::Time now_ = absl::FromCivil(absl::CivilSecond(2026, 1, 10, 12, 0, 0), absl::UTCTimeZone());
};

TEST_F(DunningHandlerCommandTest, CommandOnAMissingCaseIsRejectedAsNotFound) {
  app::CaseCommand cmd;
  *cmd.mutable_add_note()->mutable_context() = Ctx();
  cmd.mutable_add_note()->set_text("hello");
  auto fx = handler_.Apply(std::nullopt, Command(cmd), now_);
  ASSERT_THAT(fx, StatusIs(absl::StatusCode::kFailedPrecondition));  // permanent for the runner
  EXPECT_TRUE(fx.status().GetPayload(kCaseNotFoundPayload).has_value());
}

TEST_F(DunningHandlerCommandTest, CommandOfAnotherTenantNeverReachesTheCase) {
  const std::string state = OpenCase();
  app::CaseCommand cmd;
  *cmd.mutable_add_note()->mutable_context() = Ctx("t2");
  cmd.mutable_add_note()->set_text("hello");
  platform::Input in = Command(cmd, "t2");
  in.aggregate_key = "t1/d1";  // even if a key of t1 were addressed
  auto fx = handler_.Apply(state, in, now_);
  ASSERT_THAT(fx, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_TRUE(fx.status().GetPayload(kCaseNotFoundPayload).has_value());
}

TEST_F(DunningHandlerCommandTest, AppliedCommandStoresTheReplyWithTheCase) {
  const std::string state = OpenCase();
  ASSERT_FALSE(state.empty());
  app::CaseCommand cmd;
  *cmd.mutable_record_dispute()->mutable_context() = Ctx();
  cmd.mutable_record_dispute()->set_invoice_id("i1");
  cmd.mutable_record_dispute()->set_reason("goods not received");
  auto fx = handler_.Apply(state, Command(cmd), now_);
  ASSERT_THAT(fx, IsOk());
  ASSERT_TRUE(fx->new_state.has_value());
  app::CommandResult result;
  ASSERT_TRUE(result.ParseFromString(fx->result));
  EXPECT_EQ(result.command(), cmd.SerializeAsString());
  const v1::Case& c = result.response().case_();
  ASSERT_EQ(c.invoices_size(), 1);
  EXPECT_TRUE(c.invoices(0).disputed());
  EXPECT_EQ(c.invoices(0).dispute_reason(), "goods not received");
  EXPECT_THAT(result.response().reason(), ::testing::HasSubstr("i1"));

  // Disputing an invoice the case does not have: INVALID_ARGUMENT naming invoice_id.
  cmd.mutable_record_dispute()->set_invoice_id("nope");
  auto bad = handler_.Apply(state, Command(cmd), now_);
  EXPECT_THAT(bad, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(bad.status().message()), ::testing::StartsWith("invoice_id:"));
}

TEST(StrategyBookTest, VersionsAreImmutableAndActivationSwitchesTheChampion) {
  auto s = ParseStrategyYaml(kDefaultStrategyYaml);
  ASSERT_THAT(s, IsOk());
  StrategyBook book;
  ASSERT_THAT(book.Put(*s), IsOk());
  EXPECT_THAT(book.Put(*s), IsOk());  // same content again
  v1::Strategy changed = *s;
  changed.set_description("other");
  EXPECT_THAT(book.Put(changed), StatusIs(absl::StatusCode::kInvalidArgument));
  changed.set_version(2);
  ASSERT_THAT(book.Put(changed), IsOk());
  EXPECT_EQ(book.Active(), std::make_pair(std::string("default"), 1));
  EXPECT_EQ(book.Get("default", 0)->version(), 1);
  ASSERT_THAT(book.Activate("default", 2), IsOk());
  EXPECT_EQ(book.Get("default", 0)->version(), 2);
  EXPECT_THAT(book.Activate("default", 9), StatusIs(absl::StatusCode::kNotFound));

  // A case on version 1 keeps running on it after version 2 became active.
  v1::Case c;
  c.mutable_assignment()->set_strategy_id("default");
  c.mutable_assignment()->set_version(1);
  EngineContext ctx;
  ASSERT_THAT(book.FillFor(c, &ctx), IsOk());
  EXPECT_EQ(ctx.champion->version(), 1);
  ASSERT_THAT(book.FillFor(v1::Case(), &ctx), IsOk());
  EXPECT_EQ(ctx.champion->version(), 2);
}

TEST(StrategyBookTest, TenantsRunTheirOwnActiveStrategyOrTheSharedOne) {
  auto shared = ParseStrategyYaml(kDefaultStrategyYaml);
  ASSERT_THAT(shared, IsOk());
  StrategyBook book;
  ASSERT_THAT(book.Put(*shared), IsOk());
  v1::Strategy own = *shared;
  own.set_id("winery");
  ASSERT_THAT(book.Put("t2", own), IsOk());
  EngineContext ctx;
  ASSERT_THAT(book.Fill("t2", &ctx), IsOk());
  EXPECT_EQ(ctx.champion->id(), "default");  // put, not yet activated
  ASSERT_THAT(book.Activate("t2", "winery", 1), IsOk());
  ASSERT_THAT(book.Fill("t2", &ctx), IsOk());
  EXPECT_EQ(ctx.champion->id(), "winery");
  ASSERT_THAT(book.Fill("t3", &ctx), IsOk());
  EXPECT_EQ(ctx.champion->id(), "default");
  EXPECT_THAT(book.Activate("t3", "winery", 1), StatusIs(absl::StatusCode::kNotFound));
  // A case assigned to a version this process has not loaded yet: retried, never dead-lettered.
  v1::Case c;
  c.set_tenant("t2");
  c.mutable_assignment()->set_strategy_id("winery");
  c.mutable_assignment()->set_version(7);
  EXPECT_THAT(book.FillFor(c, &ctx), StatusIs(absl::StatusCode::kUnavailable));
}

}  // namespace
}  // namespace concerto::dunning
