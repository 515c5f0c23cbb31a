// CaseService and StrategyService end to end, in-process, on a real redis-server and the
// embedded broker: an InvoiceIssued produced onto invoice.events opens a case through the event
// processor running the DunningHandler; the gRPC services (on an in-process grpc::Server) read
// it, act on it through the same unit of work, and keep tenants apart.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "concerto/common/v1/envelope.pb.h"
#include "concerto/dunning/v1/dunning_api.grpc.pb.h"
#include "concerto/invoice/v1/invoice_events.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/platform/event_processor.h"
#include "libs/platform/kafka/kafka.h"
#include "libs/platform/redis/redis_client.h"
#include "libs/testing/embedded_kafka.h"
#include "libs/testing/redis_server.h"
#include "libs/testing/status_matchers.h"
#include "services/dunning/app/api_validation.h"
#include "services/dunning/app/case_reader.h"
#include "services/dunning/app/case_service.h"
#include "services/dunning/app/default_strategy.h"
#include "services/dunning/app/dunning_handler.h"
#include "services/dunning/app/strategy_service.h"
#include "services/dunning/app/strategy_store.h"
#include "services/dunning/domain/strategy_yaml.h"

namespace concerto::dunning {
namespace {

using ::concerto::testing::EmbeddedKafka;
using ::concerto::testing::IsOk;
using ::concerto::testing::RedisServer;
using ::testing::Contains;
using ::testing::HasSubstr;

constexpr char kGentleV1[] = R"yaml(
id: gentle
version: 1
description: first try
currency: EUR
segments:
  - name: everyone
    steps:
      - offset_days: 3
        contact: {channels: [email], template: reminder-1}
)yaml";

constexpr char kBroken[] = R"yaml(
id: gentle
version: 2
currency: EUR
segments:
  - name: everyone
    steps:
      - offset_days: soon
        contact: {channels: [email], template: reminder-1}
      - offset_days: 9
)yaml";

std::vector<std::string> Fields(const grpc::Status& s) {
  std::vector<std::string> out;
  for (const FieldError& e : BadRequestOf(s)) out.push_back(e.field);
  return out;
}

common::v1::RequestContext Ctx(const std::string& tenant, const std::string& key = "") {
  common::v1::RequestContext c;
  c.set_tenant(tenant);
  c.set_idempotency_key(key);
  c.mutable_actor()->set_id("alice");
  c.mutable_actor()->set_role(common::v1::Actor::ROLE_COLLECTOR);
  return c;
}

class DunningApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { env_ = new Env(); }
  static void TearDownTestSuite() {
    delete env_;
    env_ = nullptr;
  }

  struct Env {
    Env() : clock(absl::FromCivil(absl::CivilSecond(2026, 1, 10, 12, 0, 0), absl::UTCTimeZone())) {
      auto s = ParseStrategyYaml(kDefaultStrategyYaml);
      EXPECT_THAT(s, IsOk());
      EXPECT_THAT(book.Put(*s), IsOk());
      auto r = RedisServer::Start();
      EXPECT_THAT(r, IsOk());
      if (!r.ok()) return;
      redis = std::move(*r);
      EmbeddedKafka::Options ko;
      for (const char* t : {"invoice.events", "payment.events", "contact.events", "legal.events",
                            "case.events", "dunning.dlq"}) {
        ko.topics.push_back({t, 8});
      }
      auto k = EmbeddedKafka::Start(ko);
      EXPECT_THAT(k, IsOk());
      if (!k.ok()) return;
      kafka = std::move(*k);
      kafka_options.brokers = kafka->bootstrap();
      platform::ProcessorOptions o;
      o.service = "dunning";
      o.input_topics = {"invoice.events", "payment.events", "contact.events", "legal.events"};
      o.shards = 8;
      o.session_timeout = absl::Seconds(3);
      auto p = platform::EventProcessor::Create(o, kafka_options, redis->address(), &handler,
                                                &clock);
      EXPECT_THAT(p, IsOk());
      if (!p.ok()) return;
      processor = std::move(*p);
      EXPECT_THAT(processor->Start(), IsOk());
      auto client = platform::redis::RedisClient::Connect(redis->address());
      EXPECT_THAT(client, IsOk());
      if (!client.ok()) return;
      cases = std::make_unique<CaseServiceImpl>(
          processor.get(), std::make_unique<CaseReader>(*std::move(client), 8), &clock);
      auto store_client = platform::redis::RedisClient::Connect(redis->address());
      EXPECT_THAT(store_client, IsOk());
      if (!store_client.ok()) return;
      store = std::make_unique<StrategyStore>(*std::move(store_client));
      strategies = std::make_unique<StrategyServiceImpl>(&book, &clock, store.get());
      grpc::ServerBuilder builder;
      builder.RegisterService(cases.get());
      builder.RegisterService(strategies.get());
      server = builder.BuildAndStart();
      auto channel = server->InProcessChannel(grpc::ChannelArguments());
      case_stub = v1::CaseService::NewStub(channel);
      strategy_stub = v1::StrategyService::NewStub(channel);
      auto producer = platform::kafka::Producer::Create(kafka_options);
      EXPECT_THAT(producer, IsOk());
      if (producer.ok()) this->producer = std::move(*producer);
    }
    ~Env() {
      if (server) server->Shutdown();
      if (processor) processor->Stop();
    }

    platform::SimulatedClock clock;
    StrategyBook book;
    DunningHandler handler{&book};
    std::unique_ptr<RedisServer> redis;
    std::unique_ptr<EmbeddedKafka> kafka;
    platform::kafka::KafkaOptions kafka_options;
    std::unique_ptr<platform::EventProcessor> processor;
    std::unique_ptr<CaseServiceImpl> cases;
    std::unique_ptr<StrategyStore> store;
    std::unique_ptr<StrategyServiceImpl> strategies;
    std::unique_ptr<grpc::Server> server;
    std::unique_ptr<v1::CaseService::Stub> case_stub;
    std::unique_ptr<v1::StrategyService::Stub> strategy_stub;
    std::unique_ptr<platform::kafka::Producer> producer;
  };

  void SetUp() override {
    ASSERT_NE(env_->server, nullptr) << "fixtures did not start";
    ASSERT_NE(env_->producer, nullptr);
  }

  // Issue produces an InvoiceIssued for t1/<debtor> and waits until its case can be read.
  static void Issue(const std::string& debtor, const std::string& invoice, int64_t minor) {
    invoice::v1::InvoiceIssued inv;
    inv.set_invoice_id(invoice);
    inv.set_invoice_number(invoice);
    inv.set_debtor_id(debtor);
    inv.mutable_due_date()->set_year(2026);
    inv.mutable_due_date()->set_month(1);
    inv.mutable_due_date()->set_day(5);
    inv.mutable_amount()->set_minor_units(minor);
    inv.mutable_amount()->set_currency("EUR");
    *inv.mutable_open_balance() = inv.amount();
    inv.set_debtor_type(invoice::v1::DEBTOR_TYPE_CONSUMER);
    inv.set_country("IT");
    common::v1::Envelope env;
    env.set_event_id("issued-" + invoice);
    env.set_tenant("t1");
    env.set_aggregate_key("t1/" + debtor);
    env.set_type("concerto.invoice.v1.InvoiceIssued");
    env.set_schema_version(1);
    env.set_payload(inv.SerializeAsString());
    ASSERT_THAT(env_->producer->ProduceAll(
                    {{"invoice.events", env.aggregate_key(), env.SerializeAsString(), {}}},
                    absl::Seconds(30)),
                IsOk());
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (absl::Now() < deadline) {
      v1::GetCaseResponse r;
      if (GetCase("t1", debtor, &r).ok()) return;
      absl::SleepFor(absl::Milliseconds(50));
    }
    FAIL() << "case t1/" << debtor << " never appeared";
  }

  static grpc::Status GetCase(const std::string& tenant, const std::string& debtor,
                              v1::GetCaseResponse* out) {
    grpc::ClientContext ctx;
    v1::GetCaseRequest req;
    *req.mutable_context() = Ctx(tenant);
    req.set_debtor_id(debtor);
    return env_->case_stub->GetCase(&ctx, req, out);
  }

  static grpc::Status Dispute(const v1::RecordDisputeRequest& req, v1::CaseCommandResponse* out) {
    grpc::ClientContext ctx;
    return env_->case_stub->RecordDispute(&ctx, req, out);
  }

  static Env* env_;
};

DunningApiTest::Env* DunningApiTest::env_ = nullptr;

TEST_F(DunningApiTest, GetCaseShowsTheCaseWithItsTimeline) {
  Issue("d1", "inv-1", 41250);
  v1::GetCaseResponse r;
  ASSERT_TRUE(GetCase("t1", "d1", &r).ok());
  const v1::Case& c = r.case_();
  EXPECT_EQ(c.tenant(), "t1");
  EXPECT_EQ(c.debtor_id(), "d1");
  ASSERT_EQ(c.invoices_size(), 1);
  EXPECT_EQ(c.invoices(0).invoice_id(), "inv-1");
  EXPECT_EQ(c.assignment().strategy_id(), "default");
  ASSERT_GT(c.timeline_size(), 0);
  for (const auto& t : c.timeline()) EXPECT_FALSE(t.reason().empty()) << t.ShortDebugString();

  grpc::ClientContext ctx;
  v1::ListCasesRequest list;
  *list.mutable_context() = Ctx("t1");
  v1::ListCasesResponse rows;
  ASSERT_TRUE(env_->case_stub->ListCases(&ctx, list, &rows).ok());
  ASSERT_GE(rows.cases_size(), 1);
  bool found = false;
  for (const auto& row : rows.cases()) {
    if (row.debtor_id() != "d1") continue;
    found = true;
    EXPECT_EQ(row.balance().minor_units(), 41250);
    EXPECT_EQ(row.days_past_due(), 5);
    EXPECT_EQ(row.state(), c.state());
  }
  EXPECT_TRUE(found);
}

TEST_F(DunningApiTest, AnotherTenantNeverSeesTheCase) {
  Issue("d1", "inv-1", 41250);
  v1::GetCaseResponse r;
  EXPECT_EQ(GetCase("t2", "d1", &r).error_code(), grpc::StatusCode::NOT_FOUND);

  grpc::ClientContext ctx;
  v1::ListCasesRequest list;
  *list.mutable_context() = Ctx("t2");
  list.add_states(v1::CASE_STATE_CURRENT);  // every state, open or closed
  for (int s = v1::CASE_STATE_DUNNING; s <= v1::CASE_STATE_RECALLED; ++s) {
    list.add_states(static_cast<v1::CaseState>(s));
  }
  v1::ListCasesResponse rows;
  ASSERT_TRUE(env_->case_stub->ListCases(&ctx, list, &rows).ok());
  EXPECT_EQ(rows.cases_size(), 0);

  // A write of t2 for the same debtor id: there is no such case in t2.
  v1::RecordDisputeRequest req;
  *req.mutable_context() = Ctx("t2", "t2-dispute-1");
  req.set_debtor_id("d1");
  req.set_invoice_id("inv-1");
  v1::CaseCommandResponse out;
  EXPECT_EQ(Dispute(req, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(GetCase("t1", "d1", &r).ok());
  EXPECT_FALSE(r.case_().invoices(0).disputed());
}

TEST_F(DunningApiTest, RecordDisputeIsOnTheTimelineAndARetryReturnsTheSameAnswer) {
  Issue("d2", "inv-2", 9900);
  v1::GetCaseResponse before;
  ASSERT_TRUE(GetCase("t1", "d2", &before).ok());

  v1::RecordDisputeRequest req;
  *req.mutable_context() = Ctx("t1", "dispute-inv-2");
  req.set_debtor_id("d2");
  req.set_invoice_id("inv-2");
  req.set_reason("goods not received");
  v1::CaseCommandResponse first;
  grpc::Status s = Dispute(req, &first);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(first.case_().invoices(0).disputed());
  EXPECT_THAT(first.reason(), HasSubstr("inv-2"));
  ASSERT_GT(first.case_().timeline_size(), before.case_().timeline_size());
  const v1::TimelineEntry& last = first.case_().timeline(first.case_().timeline_size() - 1);
  EXPECT_EQ(last.to(), v1::CASE_STATE_DISPUTED);
  EXPECT_THAT(last.reason(), HasSubstr("inv-2"));
  EXPECT_EQ(last.cause_id(), "t1/dispute-inv-2");

  v1::GetCaseResponse after;
  ASSERT_TRUE(GetCase("t1", "d2", &after).ok());
  EXPECT_EQ(after.case_().SerializeAsString(), first.case_().SerializeAsString());

  // The retry: same answer, nothing added.
  v1::CaseCommandResponse retry;
  ASSERT_TRUE(Dispute(req, &retry).ok());
  EXPECT_EQ(retry.SerializeAsString(), first.SerializeAsString());
  v1::GetCaseResponse again;
  ASSERT_TRUE(GetCase("t1", "d2", &again).ok());
  EXPECT_EQ(again.case_().timeline_size(), after.case_().timeline_size());
  EXPECT_EQ(again.case_().notes_size(), after.case_().notes_size());

  // The same key for a different request is refused.
  req.set_reason("something else");
  v1::CaseCommandResponse other;
  s = Dispute(req, &other);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Fields(s), Contains("context.idempotency_key"));

  // Resolving it (rejected dispute) brings the case back to dunning.
  grpc::ClientContext ctx;
  v1::ResolveDisputeRequest resolve;
  *resolve.mutable_context() = Ctx("t1", "resolve-inv-2");
  resolve.set_debtor_id("d2");
  resolve.set_invoice_id("inv-2");
  resolve.set_reason("delivery confirmed");
  v1::CaseCommandResponse resolved;
  s = env_->case_stub->ResolveDispute(&ctx, resolve, &resolved);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(resolved.case_().invoices(0).disputed());
  EXPECT_NE(resolved.case_().state(), v1::CASE_STATE_DISPUTED);
}

TEST_F(DunningApiTest, BadRequestsAndRejectedCommandsReturnTheirCodes) {
  Issue("d3", "inv-3", 5000);
  // Missing fields: INVALID_ARGUMENT naming each.
  v1::RecordDisputeRequest req;
  req.mutable_context()->set_tenant("t1");
  v1::CaseCommandResponse out;
  grpc::Status s = Dispute(req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Fields(s), Contains("debtor_id"));
  EXPECT_THAT(Fields(s), Contains("context.idempotency_key"));
  EXPECT_THAT(Fields(s), Contains("invoice_id"));
  EXPECT_THAT(s.error_message(), HasSubstr("debtor_id: required"));

  // A bad promise date.
  {
    grpc::ClientContext ctx;
    v1::RecordPromiseRequest p;
    *p.mutable_context() = Ctx("t1", "promise-bad");
    p.set_debtor_id("d3");
    p.mutable_amount()->set_minor_units(100);
    p.mutable_amount()->set_currency("EUR");
    p.mutable_promised_date()->set_year(2026);
    p.mutable_promised_date()->set_month(2);
    p.mutable_promised_date()->set_day(30);
    s = env_->case_stub->RecordPromise(&ctx, p, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(Fields(s), Contains("promised_date"));
  }
  // The engine's own INVALID_ARGUMENT: an invoice the case does not have.
  *req.mutable_context() = Ctx("t1", "dispute-unknown");
  req.set_debtor_id("d3");
  req.set_invoice_id("inv-404");
  s = Dispute(req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Fields(s), Contains("invoice_id"));
  // No case for the debtor: NOT_FOUND.
  req.set_debtor_id("ghost");
  *req.mutable_context() = Ctx("t1", "dispute-ghost");
  EXPECT_EQ(Dispute(req, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  // An invalid transition: resume a case nobody paused.
  {
    grpc::ClientContext ctx;
    v1::ResumeCaseRequest resume;
    *resume.mutable_context() = Ctx("t1", "resume-d3");
    resume.set_debtor_id("d3");
    s = env_->case_stub->ResumeCase(&ctx, resume, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
  }
  // Pause, then resume: AGENT_REVIEW and back, each with its reason.
  {
    grpc::ClientContext ctx;
    v1::PauseCaseRequest pause;
    *pause.mutable_context() = Ctx("t1", "pause-d3");
    pause.set_debtor_id("d3");
    pause.set_reason("debtor on the phone");
    s = env_->case_stub->PauseCase(&ctx, pause, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(out.case_().state(), v1::CASE_STATE_AGENT_REVIEW);
    EXPECT_THAT(out.reason(), HasSubstr("paused by alice: debtor on the phone"));
  }
  {
    grpc::ClientContext ctx;
    v1::ResumeCaseRequest resume;
    *resume.mutable_context() = Ctx("t1", "resume-d3-2");
    resume.set_debtor_id("d3");
    s = env_->case_stub->ResumeCase(&ctx, resume, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_NE(out.case_().state(), v1::CASE_STATE_AGENT_REVIEW);
  }
  // Note and assignment; the worklist filters by agent.
  {
    grpc::ClientContext ctx;
    v1::AssignAgentRequest assign;
    *assign.mutable_context() = Ctx("t1", "assign-d3");
    assign.set_debtor_id("d3");
    assign.set_agent("bob");
    s = env_->case_stub->AssignAgent(&ctx, assign, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(out.case_().agent(), "bob");
  }
  {
    grpc::ClientContext ctx;
    v1::ListCasesRequest list;
    *list.mutable_context() = Ctx("t1");
    list.set_agent("bob");
    v1::ListCasesResponse rows;
    ASSERT_TRUE(env_->case_stub->ListCases(&ctx, list, &rows).ok());
    ASSERT_EQ(rows.cases_size(), 1);
    EXPECT_EQ(rows.cases(0).debtor_id(), "d3");
  }
}

TEST_F(DunningApiTest, StrategiesArePutValidatedActivatedAndSimulated) {
  // A broken YAML: every error with its field and line.
  v1::PutStrategyRequest put;
  *put.mutable_context() = Ctx("t1");
  put.set_yaml(kBroken);
  v1::PutStrategyResponse putted;
  grpc::Status s;
  {
    grpc::ClientContext ctx;
    s = env_->strategy_stub->PutStrategy(&ctx, put, &putted);
  }
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  const FieldErrors errors = BadRequestOf(s);
  ASSERT_GE(errors.size(), 2u) << s.error_message();
  bool offset = false, action = false;
  for (const FieldError& e : errors) {
    EXPECT_THAT(e.description, ::testing::StartsWith("line ")) << e.field;
    if (e.field == "yaml.segments[0].steps[0].offset_days") offset = true;
    if (e.field == "yaml.segments[0].steps[1]") action = true;
  }
  EXPECT_TRUE(offset) << s.error_message();
  EXPECT_TRUE(action) << s.error_message();

  // Without a tenant: INVALID_ARGUMENT naming context.tenant.
  {
    grpc::ClientContext ctx;
    v1::PutStrategyRequest no_tenant;
    no_tenant.set_yaml(kGentleV1);
    s = env_->strategy_stub->PutStrategy(&ctx, no_tenant, &putted);
    EXPECT_THAT(Fields(s), Contains("context.tenant"));
  }
  // A good one, then the versions, activation and a simulation of it.
  put.set_yaml(kGentleV1);
  {
    grpc::ClientContext ctx;
    s = env_->strategy_stub->PutStrategy(&ctx, put, &putted);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(putted.strategy().id(), "gentle");
    EXPECT_EQ(putted.strategy().version(), 1);
  }
  {
    grpc::ClientContext ctx;
    v1::ListVersionsRequest lv;
    *lv.mutable_context() = Ctx("t1");
    lv.set_strategy_id("gentle");
    v1::ListVersionsResponse versions;
    ASSERT_TRUE(env_->strategy_stub->ListVersions(&ctx, lv, &versions).ok());
    ASSERT_EQ(versions.versions_size(), 1);
    EXPECT_FALSE(versions.versions(0).active());
    EXPECT_EQ(versions.versions(0).created_by().id(), "alice");
    EXPECT_EQ(versions.versions(0).description(), "first try");
  }
  {
    grpc::ClientContext ctx;
    v1::SimulateRequest sim;
    *sim.mutable_context() = Ctx("t1");
    sim.set_strategy_id("gentle");
    sim.set_stored_version(1);
    auto* p = sim.mutable_portfolio();
    p->set_debtors(50);
    p->mutable_min_amount()->set_minor_units(10000);
    p->mutable_min_amount()->set_currency("EUR");
    p->mutable_max_amount()->set_minor_units(50000);
    p->mutable_max_amount()->set_currency("EUR");
    p->set_consumer_percent(50);
    p->set_jurisdiction("IT");
    p->mutable_first_due()->set_year(2026);
    p->mutable_first_due()->set_month(2);
    p->mutable_first_due()->set_day(1);
    p->mutable_behaviour()->set_pays_per_contact_percent(30);
    sim.set_days(90);
    v1::SimulateResponse result;
    s = env_->strategy_stub->Simulate(&ctx, sim, &result);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(result.cases_size(), 50);
    EXPECT_EQ(result.rejected_inputs(), 0);
  }
  {
    grpc::ClientContext ctx;
    v1::ActivateStrategyRequest act;
    *act.mutable_context() = Ctx("t1");
    act.set_strategy_id("gentle");
    act.set_version(1);
    v1::ActivateStrategyResponse activated;
    ASSERT_TRUE(env_->strategy_stub->ActivateStrategy(&ctx, act, &activated).ok());
  }
  {
    grpc::ClientContext ctx;
    v1::GetStrategyRequest get;
    *get.mutable_context() = Ctx("t1");
    get.set_strategy_id("gentle");  // version 0: the active one
    v1::GetStrategyResponse got;
    ASSERT_TRUE(env_->strategy_stub->GetStrategy(&ctx, get, &got).ok());
    EXPECT_TRUE(got.active());
    EXPECT_EQ(got.strategy().version(), 1);
    EXPECT_EQ(got.yaml(), kGentleV1);
  }
  // Cases opened under the previous champion keep running on it.
  Issue("d1", "inv-1", 41250);
  {
    grpc::ClientContext ctx;
    v1::AddNoteRequest note;
    *note.mutable_context() = Ctx("t1", "note-after-activation");
    note.set_debtor_id("d1");
    note.set_text("called, no answer");
    v1::CaseCommandResponse out;
    s = env_->case_stub->AddNote(&ctx, note, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(out.case_().assignment().strategy_id(), "default");
    ASSERT_GT(out.case_().notes_size(), 0);
    EXPECT_EQ(out.case_().notes(out.case_().notes_size() - 1).text(), "called, no answer");
  }
}

TEST_F(DunningApiTest, StrategiesArePerTenantAndSurviveARestartThroughTheStore) {
  v1::PutStrategyRequest put;
  *put.mutable_context() = Ctx("t2");
  put.set_yaml(kGentleV1);
  v1::PutStrategyResponse putted;
  {
    grpc::ClientContext ctx;
    grpc::Status s = env_->strategy_stub->PutStrategy(&ctx, put, &putted);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  {
    grpc::ClientContext ctx;
    v1::ActivateStrategyRequest act;
    *act.mutable_context() = Ctx("t2");
    act.set_strategy_id("gentle");
    act.set_version(1);
    v1::ActivateStrategyResponse activated;
    ASSERT_TRUE(env_->strategy_stub->ActivateStrategy(&ctx, act, &activated).ok());
  }
  // Another tenant never sees t2's strategy and keeps running the shared default.
  {
    grpc::ClientContext ctx;
    v1::ListVersionsRequest lv;
    *lv.mutable_context() = Ctx("t3");
    lv.set_strategy_id("gentle");
    v1::ListVersionsResponse versions;
    EXPECT_EQ(env_->strategy_stub->ListVersions(&ctx, lv, &versions).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  {
    grpc::ClientContext ctx;
    v1::GetStrategyRequest get;
    *get.mutable_context() = Ctx("t3");
    get.set_strategy_id("gentle");
    get.set_version(1);
    v1::GetStrategyResponse got;
    EXPECT_EQ(env_->strategy_stub->GetStrategy(&ctx, get, &got).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  EXPECT_EQ(env_->book.Active("t2"), std::make_pair(std::string("gentle"), 1));
  EXPECT_EQ(env_->book.Active("t3"), std::make_pair(std::string("default"), 1));

  // A restarted (or second) instance: a fresh book with only the shared files, then the store.
  StrategyBook restarted;
  auto shared = ParseStrategyYaml(kDefaultStrategyYaml);
  ASSERT_THAT(shared, IsOk());
  ASSERT_THAT(restarted.Put(*shared), IsOk());
  auto client = platform::redis::RedisClient::Connect(env_->redis->address());
  ASSERT_THAT(client, IsOk());
  StrategyStore store(*std::move(client));
  StrategyServiceImpl service(&restarted, &env_->clock, &store);
  ASSERT_THAT(service.Refresh(), IsOk());
  EXPECT_EQ(restarted.Active("t2"), std::make_pair(std::string("gentle"), 1));
  EXPECT_EQ(restarted.Active("t3"), std::make_pair(std::string("default"), 1));
  ASSERT_NE(restarted.Get("t2", "gentle", 1), nullptr);
  EXPECT_EQ(restarted.Get("t3", "gentle", 1), nullptr);
  EngineContext ctx;
  ASSERT_THAT(restarted.Fill("t2", &ctx), IsOk());
  EXPECT_EQ(ctx.champion->id(), "gentle");
}

}  // namespace
}  // namespace concerto::dunning
