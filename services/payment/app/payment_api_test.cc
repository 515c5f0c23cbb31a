// PaymentService against a real redis-server and the embedded broker (processor in-process):
// a camt.053 statement paying a third of the invoices allocates exactly those, events included;
// importing it again changes nothing; unmatched entries queue with a reason and can be assigned.
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "concerto/invoice/v1/invoice_events.pb.h"
#include "concerto/payment/v1/payment_events.pb.h"
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
#include "services/payment/app/payment_handler.h"
#include "services/payment/app/payment_service.h"
#include "services/payment/statement/camt053_writer.h"
#include "libs/rules/creditor_reference.h"

namespace concerto::payment {
namespace {

using ::concerto::testing::EmbeddedKafka;
using ::concerto::testing::IsOk;
using ::concerto::testing::RedisServer;

constexpr int kDebtors = 40;
constexpr int kInvoicesPerDebtor = 3;

common::v1::RequestContext Ctx(const std::string& tenant, const std::string& key) {
  common::v1::RequestContext c;
  c.set_tenant(tenant);
  c.set_idempotency_key(key);
  c.mutable_actor()->set_id("ops-1");
  return c;
}

std::string InvoiceNumber(int debtor, int k) { return absl::StrCat("2026-", debtor * 10 + k); }
int64_t InvoiceAmount(int debtor, int k) { return 10000 + debtor * 100 + k; }

class PaymentApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { env_ = new Env(); }
  static void TearDownTestSuite() {
    delete env_;
    env_ = nullptr;
  }

  struct Env {
    Env() : clock(absl::FromCivil(absl::CivilSecond(2026, 3, 6, 10, 0, 0), absl::UTCTimeZone())) {
      auto r = RedisServer::Start();
      EXPECT_THAT(r, IsOk());
      if (!r.ok()) return;
      redis = std::move(*r);
      EmbeddedKafka::Options ko;
      for (const char* t : {"invoice.events", "case.events", "payment.events", "payment.dlq"}) {
        ko.topics.push_back({t, 8});
      }
      auto k = EmbeddedKafka::Start(ko);
      EXPECT_THAT(k, IsOk());
      if (!k.ok()) return;
      kafka = std::move(*k);
      kafka_options.brokers = kafka->bootstrap();
      platform::ProcessorOptions o;
      o.service = "payment";
      o.input_topics = {"invoice.events", "case.events"};
      o.shards = 8;
      o.session_timeout = absl::Seconds(3);
      auto p = platform::EventProcessor::Create(o, kafka_options, redis->address(), &handler,
                                                &clock);
      EXPECT_THAT(p, IsOk());
      if (!p.ok()) return;
      processor = std::move(*p);
      EXPECT_THAT(processor->Start(), IsOk());
      service = std::make_unique<PaymentServiceImpl>(processor.get(), &clock);
      grpc::ServerBuilder builder;
      builder.RegisterService(service.get());
      server = builder.BuildAndStart();
      stub = v1::PaymentService::NewStub(server->InProcessChannel(grpc::ChannelArguments()));
      auto producer = platform::kafka::Producer::Create(kafka_options);
      EXPECT_THAT(producer, IsOk());
      if (producer.ok()) this->producer = std::move(*producer);
    }
    ~Env() {
      if (server) server->Shutdown();
      if (processor) processor->Stop();
    }
    platform::SimulatedClock clock;
    PaymentHandler handler;
    std::unique_ptr<RedisServer> redis;
    std::unique_ptr<EmbeddedKafka> kafka;
    platform::kafka::KafkaOptions kafka_options;
    std::unique_ptr<platform::EventProcessor> processor;
    std::unique_ptr<PaymentServiceImpl> service;
    std::unique_ptr<grpc::Server> server;
    std::unique_ptr<v1::PaymentService::Stub> stub;
    std::unique_ptr<platform::kafka::Producer> producer;
  };

  void SetUp() override { ASSERT_NE(env_->producer, nullptr) << "fixtures did not start"; }

  static void IssueInvoices() {
    std::vector<platform::kafka::Record> records;
    for (int d = 0; d < kDebtors; ++d) {
      for (int k = 0; k < kInvoicesPerDebtor; ++k) {
        invoice::v1::InvoiceIssued inv;
        inv.set_invoice_id(absl::StrCat("inv-", d, "-", k));
        inv.set_invoice_number(InvoiceNumber(d, k));
        inv.set_debtor_id(absl::StrCat("d", d));
        inv.mutable_issue_date()->set_year(2026);
        inv.mutable_issue_date()->set_month(1);
        inv.mutable_issue_date()->set_day(10 + k);
        inv.mutable_due_date()->set_year(2026);
        inv.mutable_due_date()->set_month(2);
        inv.mutable_due_date()->set_day(10 + k);
        inv.mutable_amount()->set_minor_units(InvoiceAmount(d, k));
        inv.mutable_amount()->set_currency("EUR");
        *inv.mutable_open_balance() = inv.amount();
        inv.set_debtor_type(invoice::v1::DEBTOR_TYPE_BUSINESS);
        inv.set_country("IT");
        inv.set_payment_reference(*rules::MakeCreditorReference(absl::StrCat(20260000 + d * 10 + k)));
        common::v1::Envelope env;
        env.set_event_id(absl::StrCat("issued-", d, "-", k));
        env.set_tenant("acme");
        env.set_aggregate_key(absl::StrCat("acme/d", d));
        env.set_type(inv.GetDescriptor()->full_name());
        env.set_schema_version(1);
        env.set_payload(inv.SerializeAsString());
        records.push_back({"invoice.events", env.aggregate_key(), env.SerializeAsString(), {}});
      }
    }
    ASSERT_THAT(env_->producer->ProduceAll(records, absl::Seconds(30)), IsOk());
    // Every account mirrors its invoices before the bank statement arrives.
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    for (int d = 0; d < kDebtors; ++d) {
      while (true) {
        auto state = env_->processor->ReadAggregate(absl::StrCat("acme/d", d));
        state::v1::PaymentAccount account;
        if (state.ok() && state->has_value() && account.ParseFromString(**state) &&
            account.invoices_size() == kInvoicesPerDebtor) {
          break;
        }
        ASSERT_LT(absl::Now(), deadline) << "account d" << d << " did not mirror its invoices";
        absl::SleepFor(absl::Milliseconds(20));
      }
    }
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

  // Events of payment.events, by type (distinct event ids).
  static std::map<std::string, std::vector<std::string>> PaymentEvents(size_t at_least) {
    platform::kafka::ConsumerOptions co;
    co.kafka = env_->kafka_options;
    co.group_id = absl::StrCat("reader-", absl::ToUnixNanos(absl::Now()));
    co.topics = {"payment.events"};
    auto consumer = platform::kafka::Consumer::Create(co);
    EXPECT_THAT(consumer, IsOk());
    std::map<std::string, std::vector<std::string>> out;
    std::set<std::string> ids;
    absl::Time idle_since = absl::Now();
    while (absl::Now() - idle_since < absl::Seconds(ids.size() >= at_least ? 2 : 15)) {
      auto msgs = (*consumer)->Poll(500, absl::Milliseconds(100));
      if (!msgs.ok()) break;
      for (const auto& m : *msgs) {
        common::v1::Envelope env;
        if (!env.ParseFromString(m.value) || !ids.insert(env.event_id()).second) continue;
        idle_since = absl::Now();
        out[env.type()].push_back(env.payload());
      }
    }
    return out;
  }

  static Env* env_;
};

PaymentApiTest::Env* PaymentApiTest::env_ = nullptr;

TEST_F(PaymentApiTest, StatementPaysAThirdOnceAndUnmatchedEntriesWaitForAnOperator) {
  IssueInvoices();
  // The bank statement: every third invoice paid in full by its RF reference, two payments
  // nobody can place, and a debit (a bank fee).
  std::vector<StatementEntry> entries;
  int64_t paid_total = 0;
  for (int d = 0; d < kDebtors; ++d) {
    for (int k = 0; k < kInvoicesPerDebtor; ++k) {
      if ((d * kInvoicesPerDebtor + k) % 3 != 0) continue;
      StatementEntry e;
      e.entry_reference = absl::StrCat("BANK-", d, "-", k);
      e.amount = {InvoiceAmount(d, k), "EUR"};
      e.booking_date = e.value_date = absl::CivilDay(2026, 3, 5);
      e.structured_reference = *rules::MakeCreditorReference(absl::StrCat(20260000 + d * 10 + k));
      e.payer_name = "Payer";
      entries.push_back(e);
      paid_total += InvoiceAmount(d, k);
    }
  }
  const size_t paid = entries.size();
  StatementEntry unknown;
  unknown.entry_reference = "BANK-X1";
  unknown.amount = {777, "EUR"};
  unknown.booking_date = unknown.value_date = absl::CivilDay(2026, 3, 5);
  unknown.structured_reference = *rules::MakeCreditorReference("999999");
  entries.push_back(unknown);
  unknown.entry_reference = "BANK-X2";
  unknown.structured_reference.clear();
  unknown.remittance_info = "for the last delivery";
  entries.push_back(unknown);
  StatementEntry fee;
  fee.entry_reference = "BANK-FEE";
  fee.amount = {250, "EUR"};
  fee.credit = false;
  fee.booking_date = fee.value_date = absl::CivilDay(2026, 3, 5);
  entries.push_back(fee);

  v1::ImportStatementRequest import;
  *import.mutable_context() = Ctx("acme", "stmt-1");
  import.set_format(v1::STATEMENT_FORMAT_CAMT053);
  import.set_content(WriteCamt053("S-65", "IT02A0301503200000003517230", "EUR", entries));
  v1::ImportStatementResponse first;
  {
    grpc::ClientContext ctx;
    auto s = env_->stub->ImportStatement(&ctx, import, &first);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(first.entries(), static_cast<int64_t>(paid + 3));
  EXPECT_EQ(first.matched(), static_cast<int64_t>(paid));
  EXPECT_EQ(first.unmatched(), 2);
  EXPECT_EQ(first.rejected(), 0);
  EXPECT_FALSE(first.statement_id().empty());

  // The same file again: every entry a duplicate, nothing changes.
  v1::ImportStatementResponse again;
  {
    grpc::ClientContext ctx;
    import.mutable_context()->set_idempotency_key("stmt-1-again");
    ASSERT_TRUE(env_->stub->ImportStatement(&ctx, import, &again).ok());
  }
  EXPECT_EQ(again.duplicates(), static_cast<int64_t>(paid + 2));
  EXPECT_EQ(again.matched(), 0);
  EXPECT_EQ(again.statement_id(), first.statement_id());
  ASSERT_TRUE(WaitQuiescent());

  // Events: one PaymentAllocated per paid invoice, each for its full amount, and two unmatched.
  auto events = PaymentEvents(paid + 2);
  const auto& allocated = events["concerto.payment.v1.PaymentAllocated"];
  ASSERT_EQ(allocated.size(), paid);
  int64_t allocated_total = 0;
  std::set<std::string> paid_invoices;
  for (const std::string& payload : allocated) {
    v1::PaymentAllocated a;
    ASSERT_TRUE(a.ParseFromString(payload));
    ASSERT_EQ(a.allocations_size(), 1);
    EXPECT_EQ(a.allocations(0).open_balance_after().minor_units(), 0);
    allocated_total += a.allocations(0).total().minor_units();
    paid_invoices.insert(a.allocations(0).invoice_id());
  }
  EXPECT_EQ(allocated_total, paid_total);
  EXPECT_EQ(paid_invoices.size(), paid);
  EXPECT_EQ(events["concerto.payment.v1.PaymentUnmatched"].size(), 2u);

  // The queue shows both with their reason; an operator assigns one to d1's oldest invoice.
  v1::ListUnmatchedResponse queue;
  {
    grpc::ClientContext ctx;
    v1::ListUnmatchedRequest list;
    *list.mutable_context() = Ctx("acme", "");
    ASSERT_TRUE(env_->stub->ListUnmatched(&ctx, list, &queue).ok());
  }
  ASSERT_EQ(queue.total_count(), 2);
  std::set<v1::UnmatchedReason> reasons;
  for (const auto& p : queue.payments()) reasons.insert(p.reason());
  EXPECT_EQ(reasons, (std::set<v1::UnmatchedReason>{v1::UNMATCHED_REASON_UNKNOWN_REFERENCE,
                                                    v1::UNMATCHED_REASON_NO_REFERENCE}));
  {
    grpc::ClientContext ctx;
    v1::AssignUnmatchedRequest assign;
    *assign.mutable_context() = Ctx("acme", "assign-1");
    assign.set_payment_id(queue.payments(0).payment_id());
    assign.set_debtor_id("d1");
    v1::RecordPaymentResponse assigned;
    auto s = env_->stub->AssignUnmatched(&ctx, assign, &assigned);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(assigned.status(), v1::PAYMENT_STATUS_ALLOCATED);
    ASSERT_EQ(assigned.allocations_size(), 1);
    EXPECT_EQ(assigned.allocations(0).invoice_id(), "inv-1-1");  // inv-1-0 was paid: oldest open
  }
  {
    grpc::ClientContext ctx;
    v1::ListUnmatchedRequest list;
    *list.mutable_context() = Ctx("acme", "");
    ASSERT_TRUE(env_->stub->ListUnmatched(&ctx, list, &queue).ok());
    EXPECT_EQ(queue.total_count(), 1);
  }
  // Another tenant sees nothing of acme's queue.
  {
    grpc::ClientContext ctx;
    v1::ListUnmatchedRequest list;
    *list.mutable_context() = Ctx("other", "");
    v1::ListUnmatchedResponse none;
    ASSERT_TRUE(env_->stub->ListUnmatched(&ctx, list, &none).ok());
    EXPECT_EQ(none.total_count(), 0);
  }
}

TEST_F(PaymentApiTest, PromisesAndPlansGoThroughTheApiAndBadInputNamesTheField) {
  IssueInvoices();
  {
    grpc::ClientContext ctx;
    v1::MakePromiseRequest promise;
    *promise.mutable_context() = Ctx("acme", "promise-1");
    promise.set_debtor_id("d7");
    promise.mutable_amount()->set_minor_units(5000);
    promise.mutable_amount()->set_currency("EUR");
    promise.mutable_due_date()->set_year(2026);
    promise.mutable_due_date()->set_month(3);
    promise.mutable_due_date()->set_day(20);
    promise.set_grace_days(2);
    v1::MakePromiseResponse made;
    auto s = env_->stub->MakePromise(&ctx, promise, &made);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(made.promise().status(), v1::Promise::STATUS_OPEN);
  }
  std::string plan_id;
  {
    grpc::ClientContext ctx;
    v1::ProposePlanRequest propose;
    *propose.mutable_context() = Ctx("acme", "plan-1");
    propose.set_debtor_id("d8");
    propose.set_instalment_count(3);
    propose.set_frequency(v1::PLAN_FREQUENCY_MONTHLY);
    propose.mutable_first_due_date()->set_year(2026);
    propose.mutable_first_due_date()->set_month(3);
    propose.mutable_first_due_date()->set_day(31);
    propose.set_proposed_by(v1::PLAN_PARTY_DEBTOR);
    v1::PlanResponse proposed;
    auto s = env_->stub->ProposePlan(&ctx, propose, &proposed);
    ASSERT_TRUE(s.ok()) << s.error_message();
    plan_id = proposed.plan().plan_id();
    ASSERT_EQ(proposed.plan().instalments_size(), 3);
    EXPECT_EQ(proposed.plan().instalments(1).due_date().day(), 30);  // April 30: clamped
  }
  {
    grpc::ClientContext ctx;
    v1::AcceptPlanRequest accept;
    *accept.mutable_context() = Ctx("acme", "accept-1");
    accept.set_plan_id(plan_id);
    accept.set_accepted_by(v1::PLAN_PARTY_DEBTOR);
    v1::PlanResponse accepted;
    auto s = env_->stub->AcceptPlan(&ctx, accept, &accepted);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(accepted.plan().status(), v1::Plan::STATUS_ACTIVE);
  }
  {
    grpc::ClientContext ctx;
    v1::GetPlanRequest get;
    *get.mutable_context() = Ctx("acme", "");
    get.set_plan_id(plan_id);
    v1::PlanResponse got;
    ASSERT_TRUE(env_->stub->GetPlan(&ctx, get, &got).ok());
    EXPECT_EQ(got.plan().status(), v1::Plan::STATUS_ACTIVE);
    // Another tenant: not found.
    grpc::ClientContext ctx2;
    *get.mutable_context() = Ctx("other", "");
    EXPECT_EQ(env_->stub->GetPlan(&ctx2, get, &got).error_code(), grpc::StatusCode::NOT_FOUND);
  }
  {
    grpc::ClientContext ctx;
    v1::RecordPaymentRequest bad;
    *bad.mutable_context() = Ctx("acme", "bad-1");
    bad.mutable_amount()->set_minor_units(-5);
    bad.mutable_amount()->set_currency("EUR");
    v1::RecordPaymentResponse out;
    auto s = env_->stub->RecordPayment(&ctx, bad, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    std::vector<std::string> fields;
    for (const auto& fe : platform::BadRequestOf(s)) fields.push_back(fe.field);
    EXPECT_THAT(fields, ::testing::Contains("amount.minor_units"));
  }
}

}  // namespace
}  // namespace concerto::payment
