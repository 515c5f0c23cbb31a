// The payment service as a separate process on a real redis-server and the embedded broker:
// 3,000 invoices, then bank statements paying all of them, imported in three files; the service
// is killed (SIGKILL) in the middle of the second import and restarted, and the client retries
// the file it was sending. Every payment must be counted exactly once: one allocation per
// invoice, every invoice fully paid, no payment twice in any account, no allocation event twice.
#include <csignal>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "concerto/common/v1/envelope.pb.h"
#include "concerto/invoice/v1/invoice_events.pb.h"
#include "concerto/payment/v1/payment_api.grpc.pb.h"
#include "concerto/payment/v1/payment_events.pb.h"
#include "concerto/platform/v1/admin.grpc.pb.h"
#include "deploy/local/stack/probes.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/platform/kafka/kafka.h"
#include "libs/platform/redis/redis_client.h"
#include "libs/platform/redis/unit_of_work_store.h"
#include "libs/rules/creditor_reference.h"
#include "libs/testing/embedded_kafka.h"
#include "libs/testing/redis_server.h"
#include "libs/testing/status_matchers.h"
#include "libs/testing/subprocess.h"
#include "services/payment/domain/payment_state.pb.h"
#include "services/payment/statement/camt053_writer.h"

namespace concerto::testing {
namespace {

constexpr int kDebtors = 1000;
constexpr int kInvoicesPerDebtor = 3;
constexpr int kFiles = 3;

int64_t Amount(int d, int k) { return 5000 + (d % 97) * 100 + k; }
std::string Reference(int d, int k) {
  return *rules::MakeCreditorReference(absl::StrCat(7000000 + d * 10 + k));
}

class PaymentImportCrash {
 public:
  void Start() {
    auto redis = RedisServer::Start();
    ASSERT_THAT(redis, IsOk());
    redis_ = std::move(*redis);
    EmbeddedKafka::Options ko;
    for (const char* t : {"invoice.events", "case.events", "payment.events", "payment.dlq"}) {
      ko.topics.push_back({t, 8});
    }
    auto kafka = EmbeddedKafka::Start(ko);
    ASSERT_THAT(kafka, IsOk());
    kafka_ = std::move(*kafka);
    kafka_options_.brokers = kafka_->bootstrap();
    kafka_options_.extra["max.in.flight.requests.per.connection"] = "1";
    port_ = FreePort();
    // The first file commits in two batches of entries; the second file's first batch is the
    // third commit: the process dies right after it, before answering.
    StartPayment("command_after_commit:3");
  }

  // StartPayment starts the service; `fault` (CONCERTO_FAULT) makes it kill itself there.
  void StartPayment(const std::string& fault = "") {
    SubprocessOptions o;
    if (!fault.empty()) o.env["CONCERTO_FAULT"] = fault;
    o.argv = {BinaryPath("bin/concerto-payment"), "--kafka-brokers=" + kafka_->bootstrap(),
              "--redis=" + redis_->address(), absl::StrCat("--grpc-port=", port_),
              "--session-timeout=3s", "--clock=simulated", "--clock-start=2026-03-06T08:00:00Z",
              "--kafka.max.in.flight.requests.per.connection=1"};
    o.capture_stdout = false;
    o.stderr_path = absl::StrCat(::testing::TempDir(), "/payment-crash-", starts_++, ".log");
    auto p = Subprocess::Start(o);
    ASSERT_THAT(p, IsOk());
    payment_ = std::move(*p);
    ASSERT_THAT(local::WaitForHealth(Address(), absl::Seconds(30)), IsOk());
  }

  std::string Address() const { return absl::StrCat("127.0.0.1:", port_); }

  void IssueInvoices() {
    auto producer = platform::kafka::Producer::Create(kafka_options_);
    ASSERT_THAT(producer, IsOk());
    std::vector<platform::kafka::Record> records;
    for (int d = 0; d < kDebtors; ++d) {
      for (int k = 0; k < kInvoicesPerDebtor; ++k) {
        invoice::v1::InvoiceIssued inv;
        inv.set_invoice_id(absl::StrCat("inv-", d, "-", k));
        inv.set_invoice_number(absl::StrCat("N", d * 10 + k));
        inv.set_debtor_id(absl::StrCat("d", d));
        inv.mutable_issue_date()->set_year(2026);
        inv.mutable_issue_date()->set_month(1);
        inv.mutable_issue_date()->set_day(1 + k);
        inv.mutable_due_date()->set_year(2026);
        inv.mutable_due_date()->set_month(2);
        inv.mutable_due_date()->set_day(1 + k);
        inv.mutable_amount()->set_minor_units(Amount(d, k));
        inv.mutable_amount()->set_currency("EUR");
        *inv.mutable_open_balance() = inv.amount();
        inv.set_country("IT");
        inv.set_payment_reference(Reference(d, k));
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
    ASSERT_THAT((*producer)->ProduceAll(records, absl::Seconds(60)), IsOk());
    // Wait until every account mirrors its invoices.
    auto client = platform::redis::RedisClient::Connect(redis_->address());
    ASSERT_THAT(client, IsOk());
    platform::redis::UnitOfWorkStore store(client->get(), "payment");
    const absl::Time deadline = absl::Now() + absl::Seconds(120);
    while (Accounts(&store, [](const payment::state::v1::PaymentAccount& a) {
             return a.invoices_size() == kInvoicesPerDebtor;
           }) < kDebtors) {
      ASSERT_LT(absl::Now(), deadline) << "accounts did not mirror their invoices";
      absl::SleepFor(absl::Milliseconds(100));
    }
  }

  // Accounts counts the accounts for which `ok` holds.
  template <typename Pred>
  int Accounts(platform::redis::UnitOfWorkStore* store, Pred ok) {
    auto all = store->ScanAggregates(8, "acme/d");
    if (!all.ok()) return -1;
    int n = 0;
    for (const auto& [key, state] : *all) {
      payment::state::v1::PaymentAccount a;
      if (a.ParseFromString(state) && ok(a)) ++n;
    }
    return n;
  }

  std::string StatementFile(int file) {
    std::vector<payment::StatementEntry> entries;
    for (int d = file; d < kDebtors; d += kFiles) {
      for (int k = 0; k < kInvoicesPerDebtor; ++k) {
        payment::StatementEntry e;
        e.entry_reference = absl::StrCat("BANK-", d, "-", k);
        e.amount = {Amount(d, k), "EUR"};
        e.booking_date = e.value_date = absl::CivilDay(2026, 3, 5);
        e.structured_reference = Reference(d, k);
        entries.push_back(e);
      }
    }
    return payment::WriteCamt053(absl::StrCat("S-", file), "IT02A0301503200000003517230", "EUR",
                                 entries);
  }

  // Import sends a file until an answer comes back (a killed service answers UNAVAILABLE, or
  // the call is cut: the client sends the same file again, as a bank integration would).
  payment::v1::ImportStatementResponse Import(int file, const std::string& content) {
    payment::v1::ImportStatementRequest req;
    req.mutable_context()->set_tenant("acme");
    req.mutable_context()->set_idempotency_key(absl::StrCat("file-", file));
    req.set_format(payment::v1::STATEMENT_FORMAT_CAMT053);
    req.set_content(content);
    const absl::Time deadline = absl::Now() + absl::Seconds(120);
    while (absl::Now() < deadline) {
      auto stub = payment::v1::PaymentService::NewStub(
          grpc::CreateChannel(Address(), grpc::InsecureChannelCredentials()));
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
      payment::v1::ImportStatementResponse resp;
      grpc::Status s = stub->ImportStatement(&ctx, req, &resp);
      if (s.ok()) return resp;
      ++retries_;
      absl::SleepFor(absl::Milliseconds(200));
    }
    ADD_FAILURE() << "file " << file << " was never accepted";
    return {};
  }

  void WaitQuiescent() {
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    int quiet = 0;
    while (absl::Now() < deadline && quiet < 3) {
      auto stub = platform::v1::Admin::NewStub(
          grpc::CreateChannel(Address(), grpc::InsecureChannelCredentials()));
      grpc::ClientContext ctx;
      platform::v1::Status st;
      const bool q = stub->GetStatus(&ctx, platform::v1::GetStatusRequest(), &st).ok() &&
                     st.quiescent() && st.shards_size() == 8;
      quiet = q ? quiet + 1 : 0;
      absl::SleepFor(absl::Milliseconds(50));
    }
    EXPECT_EQ(quiet, 3) << "payment did not become quiescent";
  }

  // Allocations on payment.events: event id -> (payment id, invoice id, amount).
  struct Allocated {
    std::set<std::string> event_ids;
    std::set<std::string> payment_ids;
    std::map<std::string, int64_t> paid_by_invoice;
  };
  Allocated ReadAllocations(size_t want) {
    platform::kafka::ConsumerOptions co;
    co.kafka = kafka_options_;
    co.group_id = "verifier";
    co.topics = {"payment.events"};
    auto consumer = platform::kafka::Consumer::Create(co);
    EXPECT_THAT(consumer, IsOk());
    Allocated out;
    absl::Time idle_since = absl::Now();
    while (absl::Now() - idle_since < absl::Seconds(out.event_ids.size() >= want ? 3 : 20)) {
      auto msgs = (*consumer)->Poll(1000, absl::Milliseconds(100));
      if (!msgs.ok()) break;
      for (const auto& m : *msgs) {
        common::v1::Envelope env;
        if (!env.ParseFromString(m.value) ||
            env.type() != payment::v1::PaymentAllocated::descriptor()->full_name() ||
            !out.event_ids.insert(env.event_id()).second) {
          continue;
        }
        idle_since = absl::Now();
        payment::v1::PaymentAllocated a;
        EXPECT_TRUE(a.ParseFromString(env.payload()));
        EXPECT_TRUE(out.payment_ids.insert(a.payment_id()).second)
            << "payment " << a.payment_id() << " allocated by two events";
        for (const auto& part : a.allocations()) {
          out.paid_by_invoice[part.invoice_id()] += part.total().minor_units();
        }
      }
    }
    return out;
  }

  std::unique_ptr<RedisServer> redis_;
  std::unique_ptr<EmbeddedKafka> kafka_;
  platform::kafka::KafkaOptions kafka_options_;
  std::unique_ptr<Subprocess> payment_;
  int port_ = 0;
  int starts_ = 0;
  int retries_ = 0;
};

TEST(PaymentImportCrashTest, KillMidImportThenRetryCountsEveryPaymentOnce) {
  PaymentImportCrash t;
  t.Start();
  t.IssueInvoices();
  std::vector<std::string> files;
  for (int f = 0; f < kFiles; ++f) files.push_back(t.StatementFile(f));

  auto first = t.Import(0, files[0]);
  EXPECT_EQ(first.matched(), first.entries());
  // The second file: the service dies (SIGKILL) after committing part of it; the launcher
  // restarts it and the client sends the same file again.
  std::thread importer([&] { t.Import(1, files[1]); });
  ASSERT_EQ(t.payment_->Wait(absl::Seconds(60)), 128 + SIGKILL) << "the fault point did not fire";
  t.payment_.reset();
  t.StartPayment();
  importer.join();
  EXPECT_GE(t.retries_, 1) << "the kill did not interrupt the import";
  auto third = t.Import(2, files[2]);
  EXPECT_EQ(third.matched(), third.entries());
  // Every file once more (a client unsure what landed): nothing new.
  for (int f = 0; f < kFiles; ++f) {
    auto again = t.Import(f, files[f]);
    EXPECT_EQ(again.duplicates(), again.entries()) << "file " << f;
  }
  t.WaitQuiescent();

  // Accounts: every invoice fully paid, exactly three payments each.
  auto client = platform::redis::RedisClient::Connect(t.redis_->address());
  ASSERT_THAT(client, IsOk());
  platform::redis::UnitOfWorkStore store(client->get(), "payment");
  EXPECT_EQ(t.Accounts(&store,
                       [](const payment::state::v1::PaymentAccount& a) {
                         if (a.payments_size() != kInvoicesPerDebtor) return false;
                         for (const auto& inv : a.invoices()) {
                           if (inv.open_principal() != 0) return false;
                         }
                         return true;
                       }),
            kDebtors);
  // Events: one allocation per payment, each invoice paid its amount exactly once.
  const auto allocated = t.ReadAllocations(kDebtors * kInvoicesPerDebtor);
  EXPECT_EQ(allocated.payment_ids.size(), static_cast<size_t>(kDebtors * kInvoicesPerDebtor));
  ASSERT_EQ(allocated.paid_by_invoice.size(), static_cast<size_t>(kDebtors * kInvoicesPerDebtor));
  for (int d = 0; d < kDebtors; ++d) {
    for (int k = 0; k < kInvoicesPerDebtor; ++k) {
      EXPECT_EQ(allocated.paid_by_invoice.at(absl::StrCat("inv-", d, "-", k)), Amount(d, k));
    }
  }
}

}  // namespace
}  // namespace concerto::testing
