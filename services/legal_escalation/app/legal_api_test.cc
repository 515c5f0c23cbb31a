// LegalService against a real redis-server and the embedded broker (processor in-process):
// EscalationRequested envelopes on case.events open a legal case (EscalationAccepted on
// legal.events) or are rejected with reasons (EscalationRejected); stages, costs, settlement,
// closing and recall over gRPC emit their events; another tenant sees nothing; bad input names
// the field; a retried write returns the first reply.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "concerto/dunning/v1/case.pb.h"
#include "concerto/legal/v1/legal_events.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/platform/clock.h"
#include "libs/platform/event_processor.h"
#include "libs/platform/kafka/kafka.h"
#include "libs/platform/runtime/field_errors.h"
#include "libs/testing/embedded_kafka.h"
#include "libs/testing/redis_server.h"
#include "libs/testing/status_matchers.h"
#include "services/legal_escalation/app/legal_handler.h"
#include "services/legal_escalation/app/legal_service.h"
#include "services/legal_escalation/domain/legal_account.h"

namespace concerto::legal {
namespace {

using ::concerto::testing::EmbeddedKafka;
using ::concerto::testing::IsOk;
using ::concerto::testing::RedisServer;
using ::testing::Contains;
using ::testing::HasSubstr;

common::v1::RequestContext Ctx(const std::string& tenant, const std::string& key) {
  common::v1::RequestContext c;
  c.set_tenant(tenant);
  c.set_idempotency_key(key);
  c.mutable_actor()->set_id("legal-7");
  c.mutable_actor()->set_role(common::v1::Actor::ROLE_LEGAL);
  return c;
}

common::v1::Date Date(int y, int m, int d) {
  common::v1::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

common::v1::Money Eur(int64_t minor) {
  common::v1::Money m;
  m.set_minor_units(minor);
  m.set_currency("EUR");
  return m;
}

absl::Time At(int y, int m, int d) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, 10, 0, 0), absl::UTCTimeZone());
}

std::vector<std::string> Fields(const grpc::Status& s) {
  std::vector<std::string> out;
  for (const auto& fe : platform::BadRequestOf(s)) out.push_back(fe.field);
  return out;
}

LegalConfig TestConfig() {
  LegalConfig c;
  TenantLegalConfig acme;
  acme.segments["it-b2b"] = {"IT", dunning::v1::DEBTOR_TYPE_BUSINESS};
  acme.partners = {{"studio-rossi", {"IT"}}};
  c.tenants["acme"] = acme;
  return c;
}

class LegalApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { env_ = new Env(); }
  static void TearDownTestSuite() {
    delete env_;
    env_ = nullptr;
  }

  struct Env {
    Env() : clock(At(2026, 3, 6)), config(TestConfig()), handler(&config) {
      auto r = RedisServer::Start();
      EXPECT_THAT(r, IsOk());
      if (!r.ok()) return;
      redis = std::move(*r);
      EmbeddedKafka::Options ko;
      for (const char* t : {"case.events", "legal.events", "legal-escalation.dlq"}) {
        ko.topics.push_back({t, 8});
      }
      auto k = EmbeddedKafka::Start(ko);
      EXPECT_THAT(k, IsOk());
      if (!k.ok()) return;
      kafka = std::move(*k);
      kafka_options.brokers = kafka->bootstrap();
      platform::ProcessorOptions o;
      o.service = "legal-escalation";
      o.input_topics = {"case.events"};
      o.shards = 8;
      o.session_timeout = absl::Seconds(3);
      auto p =
          platform::EventProcessor::Create(o, kafka_options, redis->address(), &handler, &clock);
      EXPECT_THAT(p, IsOk());
      if (!p.ok()) return;
      processor = std::move(*p);
      EXPECT_THAT(processor->Start(), IsOk());
      service = std::make_unique<LegalServiceImpl>(processor.get(), &clock);
      grpc::ServerBuilder builder;
      builder.RegisterService(service.get());
      server = builder.BuildAndStart();
      stub = v1::LegalService::NewStub(server->InProcessChannel(grpc::ChannelArguments()));
      auto producer = platform::kafka::Producer::Create(kafka_options);
      EXPECT_THAT(producer, IsOk());
      if (producer.ok()) this->producer = std::move(*producer);
    }
    ~Env() {
      if (server) server->Shutdown();
      if (processor) processor->Stop();
    }
    platform::SimulatedClock clock;
    LegalConfig config;
    LegalHandler handler;
    std::unique_ptr<RedisServer> redis;
    std::unique_ptr<EmbeddedKafka> kafka;
    platform::kafka::KafkaOptions kafka_options;
    std::unique_ptr<platform::EventProcessor> processor;
    std::unique_ptr<LegalServiceImpl> service;
    std::unique_ptr<grpc::Server> server;
    std::unique_ptr<v1::LegalService::Stub> stub;
    std::unique_ptr<platform::kafka::Producer> producer;
  };

  void SetUp() override { ASSERT_NE(env_->producer, nullptr) << "fixtures did not start"; }

  // Record wraps a dunning event for `debtor` of tenant acme in an envelope on case.events.
  static platform::kafka::Record Record(const std::string& debtor, const std::string& event_id,
                                        const google::protobuf::Message& m, absl::Time at) {
    common::v1::Envelope env;
    env.set_event_id(event_id);
    env.set_tenant("acme");
    env.set_aggregate_key(absl::StrCat("acme/", debtor));
    env.set_type(m.GetDescriptor()->full_name());
    env.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(at));
    env.set_schema_version(1);
    env.set_producer("dunning");
    env.set_payload(m.SerializeAsString());
    return {"case.events", env.aggregate_key(), env.SerializeAsString(), {}};
  }

  static dunning::v1::StrategyAssignment Assignment() {
    dunning::v1::StrategyAssignment a;
    a.set_strategy_id("standard");
    a.set_version(1);
    a.set_segment("it-b2b");
    return a;
  }

  // History is a dunning cycle of `debtor` up to its LEGAL transition; with_notice adds the
  // final notice sent on 2026-02-01 (expiring 2026-02-08).
  static void AddHistory(const std::string& debtor, bool with_notice,
                         std::vector<platform::kafka::Record>* out) {
    dunning::v1::CaseOpened opened;
    *opened.mutable_assignment() = Assignment();
    opened.set_debtor_id(debtor);
    opened.set_sequence(1);
    out->push_back(Record(debtor, absl::StrCat("opened-", debtor), opened, At(2026, 1, 5)));
    if (with_notice) {
      dunning::v1::FinalNoticeRequested notice;
      *notice.mutable_assignment() = Assignment();
      notice.set_debtor_id(debtor);
      notice.set_step(6);
      *notice.mutable_expires() = Date(2026, 2, 8);
      out->push_back(Record(debtor, absl::StrCat("notice-", debtor), notice, At(2026, 2, 1)));
    }
    dunning::v1::CaseTransitioned legal;
    *legal.mutable_assignment() = Assignment();
    legal.set_debtor_id(debtor);
    legal.set_from(dunning::v1::CASE_STATE_DUNNING);
    legal.set_to(dunning::v1::CASE_STATE_LEGAL);
    legal.set_step(7);
    out->push_back(Record(debtor, absl::StrCat("to-legal-", debtor), legal, At(2026, 3, 5)));
  }

  static dunning::v1::EscalationRequested Escalation(const std::string& debtor, int64_t minor) {
    dunning::v1::EscalationRequested e;
    *e.mutable_assignment() = Assignment();
    e.set_debtor_id(debtor);
    e.set_step(7);
    auto* inv = e.add_invoices();
    inv->set_invoice_id(absl::StrCat("inv-", debtor));
    *inv->mutable_open_balance() = Eur(minor);
    *inv->mutable_due_date() = Date(2025, 12, 31);
    *e.mutable_balance() = Eur(minor);
    e.set_reason("escalate to legal");
    return e;
  }

  // WaitForCase polls GetLegalCase(case_id) until the case exists.
  static v1::LegalCase WaitForCase(const std::string& case_id) {
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (absl::Now() < deadline) {
      grpc::ClientContext ctx;
      v1::GetLegalCaseRequest get;
      *get.mutable_context() = Ctx("acme", "");
      get.set_case_id(case_id);
      v1::LegalCaseResponse got;
      if (env_->stub->GetLegalCase(&ctx, get, &got).ok()) return got.legal_case();
      absl::SleepFor(absl::Milliseconds(50));
    }
    ADD_FAILURE() << "no legal case for " << case_id;
    return {};
  }

  static bool WaitQuiescent() {
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    absl::SleepFor(absl::Milliseconds(200));
    while (absl::Now() < deadline) {
      if (env_->processor->GetStatus().quiescent()) return true;
      absl::SleepFor(absl::Milliseconds(50));
    }
    return false;
  }

  // LegalEvents reads legal.events about `debtors` of acme: payloads by type (distinct ids).
  static std::map<std::string, std::vector<std::string>> LegalEvents(
      size_t at_least, const std::set<std::string>& debtors) {
    platform::kafka::ConsumerOptions co;
    co.kafka = env_->kafka_options;
    co.group_id = absl::StrCat("reader-", absl::ToUnixNanos(absl::Now()));
    co.topics = {"legal.events"};
    auto consumer = platform::kafka::Consumer::Create(co);
    EXPECT_THAT(consumer, IsOk());
    std::map<std::string, std::vector<std::string>> out;
    if (!consumer.ok()) return out;
    std::set<std::string> ids;
    absl::Time idle_since = absl::Now();
    while (absl::Now() - idle_since < absl::Seconds(ids.size() >= at_least ? 2 : 15)) {
      auto msgs = (*consumer)->Poll(500, absl::Milliseconds(100));
      if (!msgs.ok()) break;
      for (const auto& m : *msgs) {
        common::v1::Envelope env;
        if (!env.ParseFromString(m.value) || !ids.insert(env.event_id()).second) continue;
        if (debtors.count(env.aggregate_key().substr(env.aggregate_key().find('/') + 1)) == 0) {
          continue;
        }
        EXPECT_EQ(env.tenant(), "acme");
        EXPECT_EQ(env.producer(), "legal-escalation");
        idle_since = absl::Now();
        out[env.type()].push_back(env.payload());
      }
    }
    return out;
  }

  static Env* env_;
};

LegalApiTest::Env* LegalApiTest::env_ = nullptr;

TEST_F(LegalApiTest, EscalationsOpenOrAreRejectedAndTheApiRunsTheCase) {
  // dA: eligible (EUR 800.00, final notice long expired); dB: EUR 50.00 and no final notice;
  // dC: eligible, recalled later.
  std::vector<platform::kafka::Record> records;
  AddHistory("dA", true, &records);
  AddHistory("dB", false, &records);
  AddHistory("dC", true, &records);
  records.push_back(Record("dA", "esc-dA", Escalation("dA", 80000), At(2026, 3, 5)));
  records.push_back(Record("dB", "esc-dB", Escalation("dB", 5000), At(2026, 3, 5)));
  records.push_back(Record("dC", "esc-dC", Escalation("dC", 30000), At(2026, 3, 5)));
  ASSERT_THAT(env_->producer->ProduceAll(records, absl::Seconds(30)), IsOk());

  const v1::LegalCase opened = WaitForCase("dA#1");
  EXPECT_EQ(opened.legal_case_id(), LegalCaseIdFor("esc-dA"));
  EXPECT_EQ(opened.status(), v1::LEGAL_CASE_STATUS_OPEN);
  EXPECT_EQ(opened.stage(), v1::LEGAL_STAGE_ACCEPTED);
  EXPECT_EQ(opened.partner_id(), "studio-rossi");
  EXPECT_EQ(opened.jurisdiction(), "IT");
  EXPECT_EQ(opened.claimed().minor_units(), 80000);
  EXPECT_EQ(opened.escalation_request_id(), "esc-dA");
  const std::string id = opened.legal_case_id();
  const v1::LegalCase recallable = WaitForCase("dC#1");

  // Stage, cost, settlement through the API.
  {
    grpc::ClientContext ctx;
    v1::RecordStageRequest r;
    *r.mutable_context() = Ctx("acme", "stage-1");
    r.set_legal_case_id(id);
    r.set_stage(v1::LEGAL_STAGE_INJUNCTION);
    *r.mutable_effective_on() = Date(2026, 3, 10);
    r.set_court_reference("RG 77/2026");
    v1::LegalCaseResponse out;
    auto s = env_->stub->RecordStage(&ctx, r, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(out.legal_case().stage(), v1::LEGAL_STAGE_INJUNCTION);
    ASSERT_EQ(out.legal_case().stages_size(), 2);
    EXPECT_EQ(out.legal_case().stages(1).term_ends_on().month(), 4);  // 40 days: 2026-04-19
    EXPECT_EQ(out.legal_case().stages(1).term_ends_on().day(), 19);
    // The same request again (a retry): the first reply, nothing applied twice.
    grpc::ClientContext retry_ctx;
    v1::LegalCaseResponse again;
    ASSERT_TRUE(env_->stub->RecordStage(&retry_ctx, r, &again).ok());
    EXPECT_EQ(again.legal_case().stages_size(), 2);
    // The key reused for another request: INVALID_ARGUMENT on the key.
    grpc::ClientContext reuse_ctx;
    r.set_stage(v1::LEGAL_STAGE_PROCEEDINGS);
    auto reused = env_->stub->RecordStage(&reuse_ctx, r, &again);
    EXPECT_EQ(reused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(Fields(reused), Contains("context.idempotency_key"));
    // Backwards: an explicit invalid transition.
    grpc::ClientContext back_ctx;
    *r.mutable_context() = Ctx("acme", "stage-back");
    r.set_stage(v1::LEGAL_STAGE_FORMAL_NOTICE);
    auto back = env_->stub->RecordStage(&back_ctx, r, &again);
    EXPECT_EQ(back.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_THAT(back.error_message(), HasSubstr("invalid transition INJUNCTION -> FORMAL_NOTICE"));
  }
  {
    grpc::ClientContext ctx;
    v1::RecordCostRequest r;
    *r.mutable_context() = Ctx("acme", "cost-1");
    r.set_legal_case_id(id);
    r.mutable_cost()->set_kind(v1::COST_KIND_COURT_FEE);
    *r.mutable_cost()->mutable_amount() = Eur(14500);
    r.mutable_cost()->set_recoverable(true);
    v1::LegalCaseResponse out;
    auto s = env_->stub->RecordCost(&ctx, r, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(out.legal_case().costs_total().minor_units(), 14500);
    ASSERT_EQ(out.legal_case().costs_size(), 1);
    EXPECT_FALSE(out.legal_case().costs(0).cost_id().empty());
  }
  {
    grpc::ClientContext ctx;
    v1::SettleRequest r;
    *r.mutable_context() = Ctx("acme", "settle-1");
    r.set_legal_case_id(id);
    *r.mutable_settlement_amount() = Eur(70000);
    *r.mutable_agreed_on() = Date(2026, 3, 5);
    v1::LegalCaseResponse out;
    auto s = env_->stub->Settle(&ctx, r, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(out.legal_case().status(), v1::LEGAL_CASE_STATUS_SETTLED);
  }
  // The dossier: JSON and PDF, digests over the bytes, no personal data.
  {
    grpc::ClientContext ctx;
    v1::ExportDossierRequest r;
    *r.mutable_context() = Ctx("acme", "");
    r.set_legal_case_id(id);
    r.set_format(v1::DOSSIER_FORMAT_JSON);
    v1::ExportDossierResponse out;
    auto s = env_->stub->ExportDossier(&ctx, r, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(out.media_type(), "application/json");
    EXPECT_EQ(out.sha256(), Sha256Hex(out.content()));
    EXPECT_EQ(out.sha256().size(), 64u);
    EXPECT_THAT(out.content(), HasSubstr("\"legal_case_id\": \"" + id + "\""));
    EXPECT_THAT(out.content(), HasSubstr("CONTACT_PURPOSE_LEGAL_DOSSIER"));
    EXPECT_THAT(out.content(), HasSubstr("RG 77/2026"));
    grpc::ClientContext pdf_ctx;
    r.set_format(v1::DOSSIER_FORMAT_PDF);
    ASSERT_TRUE(env_->stub->ExportDossier(&pdf_ctx, r, &out).ok());
    EXPECT_EQ(out.media_type(), "application/pdf");
    EXPECT_EQ(out.content().rfind("%PDF-1.4", 0), 0u);
    EXPECT_EQ(out.file_name(), id + "-dossier.pdf");
  }
  {
    grpc::ClientContext ctx;
    v1::CloseRequest r;
    *r.mutable_context() = Ctx("acme", "close-1");
    r.set_legal_case_id(id);
    r.set_outcome(v1::LEGAL_OUTCOME_SETTLED);
    v1::LegalCaseResponse out;
    auto s = env_->stub->Close(&ctx, r, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(out.legal_case().status(), v1::LEGAL_CASE_STATUS_CLOSED);
    EXPECT_EQ(out.legal_case().recovered().minor_units(), 70000);
  }
  {
    grpc::ClientContext ctx;
    v1::RecallRequest r;
    *r.mutable_context() = Ctx("acme", "recall-1");
    r.set_legal_case_id(recallable.legal_case_id());
    r.set_reason(v1::RECALL_REASON_PAID_TO_CLIENT);
    v1::LegalCaseResponse out;
    auto s = env_->stub->Recall(&ctx, r, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(out.legal_case().status(), v1::LEGAL_CASE_STATUS_RECALLED);
  }
  // Lists: everything of acme, filtered by status and by debtor.
  {
    grpc::ClientContext ctx;
    v1::ListLegalCasesRequest r;
    *r.mutable_context() = Ctx("acme", "");
    v1::ListLegalCasesResponse out;
    ASSERT_TRUE(env_->stub->ListLegalCases(&ctx, r, &out).ok());
    std::set<std::string> listed;
    for (const auto& lc : out.legal_cases()) listed.insert(lc.legal_case_id());
    EXPECT_TRUE(listed.count(id) == 1 && listed.count(recallable.legal_case_id()) == 1);
    EXPECT_EQ(out.total_count(), static_cast<int64_t>(listed.size()));
    grpc::ClientContext closed_ctx;
    r.add_statuses(v1::LEGAL_CASE_STATUS_CLOSED);
    ASSERT_TRUE(env_->stub->ListLegalCases(&closed_ctx, r, &out).ok());
    ASSERT_EQ(out.total_count(), 1);
    EXPECT_EQ(out.legal_cases(0).legal_case_id(), id);
    grpc::ClientContext page_ctx;
    r.clear_statuses();
    r.set_page_size(1);
    ASSERT_TRUE(env_->stub->ListLegalCases(&page_ctx, r, &out).ok());
    EXPECT_EQ(out.legal_cases_size(), 1);
    EXPECT_EQ(out.next_page_token(), "1");
  }
  ASSERT_TRUE(WaitQuiescent());

  // legal.events: two accepted, one rejected with both reasons, and one event per API write.
  auto events = LegalEvents(8, {"dA", "dB", "dC"});
  ASSERT_EQ(events["concerto.legal.v1.EscalationAccepted"].size(), 2u);
  ASSERT_EQ(events["concerto.legal.v1.EscalationRejected"].size(), 1u);
  v1::EscalationRejected rejected;
  ASSERT_TRUE(rejected.ParseFromString(events["concerto.legal.v1.EscalationRejected"][0]));
  EXPECT_EQ(rejected.debtor_id(), "dB");
  EXPECT_EQ(rejected.case_id(), "dB#1");
  EXPECT_EQ(rejected.escalation_request_id(), "esc-dB");
  std::vector<v1::RejectionCode> codes;
  for (const auto& reason : rejected.reasons()) {
    codes.push_back(reason.code());
    EXPECT_FALSE(reason.explanation().empty());
  }
  EXPECT_THAT(codes, ::testing::ElementsAre(v1::REJECTION_CODE_BELOW_MIN_BALANCE,
                                            v1::REJECTION_CODE_NO_FINAL_NOTICE));
  EXPECT_EQ(rejected.reasons(0).explanation(), "balance EUR 50.00 below minimum EUR 100.00");
  ASSERT_EQ(events["concerto.legal.v1.LegalStageChanged"].size(), 1u);
  v1::LegalStageChanged stage;
  ASSERT_TRUE(stage.ParseFromString(events["concerto.legal.v1.LegalStageChanged"][0]));
  EXPECT_EQ(stage.to_stage(), v1::LEGAL_STAGE_INJUNCTION);
  EXPECT_EQ(stage.case_id(), "dA#1");
  ASSERT_EQ(events["concerto.legal.v1.LegalCostRecorded"].size(), 1u);
  ASSERT_EQ(events["concerto.legal.v1.LegalCaseSettled"].size(), 1u);
  ASSERT_EQ(events["concerto.legal.v1.LegalCaseClosed"].size(), 1u);
  v1::LegalCaseClosed closed;
  ASSERT_TRUE(closed.ParseFromString(events["concerto.legal.v1.LegalCaseClosed"][0]));
  EXPECT_EQ(closed.outcome(), v1::LEGAL_OUTCOME_SETTLED);
  EXPECT_EQ(closed.written_off().minor_units(), 10000);
  EXPECT_EQ(closed.costs_total().minor_units(), 14500);
  ASSERT_EQ(events["concerto.legal.v1.LegalCaseRecalled"].size(), 1u);
}

TEST_F(LegalApiTest, AnotherTenantSeesNothingAndBadInputNamesTheField) {
  std::vector<platform::kafka::Record> records;
  AddHistory("dT", true, &records);
  records.push_back(Record("dT", "esc-dT", Escalation("dT", 20000), At(2026, 3, 5)));
  ASSERT_THAT(env_->producer->ProduceAll(records, absl::Seconds(30)), IsOk());
  const std::string id = WaitForCase("dT#1").legal_case_id();
  ASSERT_FALSE(id.empty());
  {
    grpc::ClientContext ctx;
    v1::GetLegalCaseRequest get;
    *get.mutable_context() = Ctx("other", "");
    get.set_legal_case_id(id);
    v1::LegalCaseResponse out;
    EXPECT_EQ(env_->stub->GetLegalCase(&ctx, get, &out).error_code(), grpc::StatusCode::NOT_FOUND);
    grpc::ClientContext by_case;
    get.set_case_id("dT#1");
    EXPECT_EQ(env_->stub->GetLegalCase(&by_case, get, &out).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  {
    grpc::ClientContext ctx;
    v1::RecordStageRequest r;
    *r.mutable_context() = Ctx("other", "other-stage");
    r.set_legal_case_id(id);
    r.set_stage(v1::LEGAL_STAGE_FORMAL_NOTICE);
    v1::LegalCaseResponse out;
    EXPECT_EQ(env_->stub->RecordStage(&ctx, r, &out).error_code(), grpc::StatusCode::NOT_FOUND);
    grpc::ClientContext dossier_ctx;
    v1::ExportDossierRequest d;
    *d.mutable_context() = Ctx("other", "");
    d.set_legal_case_id(id);
    d.set_format(v1::DOSSIER_FORMAT_JSON);
    v1::ExportDossierResponse file;
    EXPECT_EQ(env_->stub->ExportDossier(&dossier_ctx, d, &file).error_code(),
              grpc::StatusCode::NOT_FOUND);
    grpc::ClientContext list_ctx;
    v1::ListLegalCasesRequest list;
    *list.mutable_context() = Ctx("other", "");
    v1::ListLegalCasesResponse none;
    ASSERT_TRUE(env_->stub->ListLegalCases(&list_ctx, list, &none).ok());
    EXPECT_EQ(none.total_count(), 0);
  }
  // Bad input: every problem named by its field.
  {
    grpc::ClientContext ctx;
    v1::RecordCostRequest r;
    *r.mutable_context() = Ctx("acme", "");
    r.set_legal_case_id(id);
    r.mutable_cost()->mutable_amount()->set_minor_units(-5);
    r.mutable_cost()->mutable_amount()->set_currency("EUR");
    v1::LegalCaseResponse out;
    auto s = env_->stub->RecordCost(&ctx, r, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(Fields(s), Contains("context.idempotency_key"));
    EXPECT_THAT(Fields(s), Contains("cost.kind"));
    EXPECT_THAT(Fields(s), Contains("cost.amount.minor_units"));
  }
  {
    grpc::ClientContext ctx;
    v1::RecordCostRequest r;
    *r.mutable_context() = Ctx("acme", "usd-cost");
    r.set_legal_case_id(id);
    r.mutable_cost()->set_kind(v1::COST_KIND_BAILIFF);
    r.mutable_cost()->mutable_amount()->set_minor_units(500);
    r.mutable_cost()->mutable_amount()->set_currency("USD");
    v1::LegalCaseResponse out;
    auto s = env_->stub->RecordCost(&ctx, r, &out);  // the domain's check, through the unit of work
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(Fields(s), Contains("cost.amount.currency"));
  }
  {
    grpc::ClientContext ctx;
    v1::GetLegalCaseRequest get;
    *get.mutable_context() = Ctx("acme", "");
    v1::LegalCaseResponse out;
    auto s = env_->stub->GetLegalCase(&ctx, get, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(Fields(s), Contains("legal_case_id"));
  }
  {
    grpc::ClientContext ctx;
    v1::RecordStageRequest r;
    *r.mutable_context() = Ctx("acme", "bad-stage");
    r.set_legal_case_id(id);
    r.set_stage(v1::LEGAL_STAGE_CLOSED);
    *r.mutable_effective_on() = Date(2026, 2, 30);
    v1::LegalCaseResponse out;
    auto s = env_->stub->RecordStage(&ctx, r, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(Fields(s), Contains("stage"));
    EXPECT_THAT(Fields(s), Contains("effective_on"));
  }
  {
    grpc::ClientContext ctx;
    v1::CloseRequest r;
    *r.mutable_context() = Ctx("", "close-x");
    v1::LegalCaseResponse out;
    auto s = env_->stub->Close(&ctx, r, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(Fields(s), Contains("context.tenant"));
    EXPECT_THAT(Fields(s), Contains("legal_case_id"));
    EXPECT_THAT(Fields(s), Contains("outcome"));
  }
  {
    grpc::ClientContext ctx;
    v1::ExportDossierRequest r;
    *r.mutable_context() = Ctx("acme", "");
    r.set_legal_case_id(id);
    v1::ExportDossierResponse out;
    auto s = env_->stub->ExportDossier(&ctx, r, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(Fields(s), Contains("format"));
  }
  {
    grpc::ClientContext ctx;
    v1::RecallRequest r;
    *r.mutable_context() = Ctx("acme", "recall-unknown");
    r.set_legal_case_id("lc-does-not-exist");
    r.set_reason(v1::RECALL_REASON_ERROR);
    v1::LegalCaseResponse out;
    EXPECT_EQ(env_->stub->Recall(&ctx, r, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  }
}

}  // namespace
}  // namespace concerto::legal
