// Court as the last resort, end to end with separate processes: the dunning and legal-escalation
// services on a real redis-server and the embedded broker. An invoice goes overdue on the
// simulated clock, the strategy's final notice expires, the escalation step asks the tenant's
// legal ledger, the case goes to LEGAL, the legal service opens a legal case; its settlement
// closes the dunning case as SETTLED.
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "concerto/common/v1/envelope.pb.h"
#include "concerto/dunning/v1/dunning_api.grpc.pb.h"
#include "concerto/invoice/v1/invoice_events.pb.h"
#include "concerto/legal/v1/legal_api.grpc.pb.h"
#include "concerto/platform/v1/admin.grpc.pb.h"
#include "deploy/local/stack/stack.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/platform/kafka/kafka.h"
#include "libs/testing/status_matchers.h"

namespace concerto::testing {
namespace {

using google::protobuf::util::TimeUtil;

constexpr char kStrategy[] = R"yaml(
id: to-court
version: 1
currency: EUR
pause_on: [dispute, hardship]
guardrail:
  max_legal_ratio_bp: 10000
segments:
  - name: everyone
    steps:
      - offset_days: 1
        final_notice: {template: final-notice, term_days: 15, channels: [letter]}
      - offset_days: 20
        escalate: {min_balance: "EUR 100.00", require_final_notice_expired: true}
)yaml";

common::v1::RequestContext Ctx(const std::string& key) {
  common::v1::RequestContext c;
  c.set_tenant("acme");
  c.set_idempotency_key(key);
  c.mutable_actor()->set_id("legal-desk");
  return c;
}

class LegalFlow {
 public:
  void Start() {
    const std::string dir = absl::StrCat(::testing::TempDir(), "/legal-flow");
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    std::filesystem::create_directories(dir, ec);
    std::ofstream(dir + "/strategy.yaml") << kStrategy;
    local::StackOptions o;
    o.state_dir = dir + "/stack";
    o.bin_dir = std::getenv("CONCERTO_BIN_DIR");
    o.services = {"dunning", "legal-escalation"};
    o.extra_service_flags = {"--clock=simulated", "--clock-start=2026-01-01T00:00:00Z"};
    o.service_flags["dunning"] = {absl::StrCat("--strategy-files=acme=", dir, "/strategy.yaml")};
    auto stack = local::Stack::Start(o);
    ASSERT_THAT(stack, IsOk());
    stack_ = *std::move(stack);
    addresses_ = stack_->addresses();
    auto channel = [&](const std::string& s) {
      return grpc::CreateChannel(addresses_.grpc.at(s), grpc::InsecureChannelCredentials());
    };
    cases_ = dunning::v1::CaseService::NewStub(channel("dunning"));
    legal_ = legal::v1::LegalService::NewStub(channel("legal-escalation"));
    admin_ = platform::v1::Admin::NewStub(channel("dunning"));
  }

  void IssueOverdueInvoice() {
    invoice::v1::InvoiceIssued inv;
    inv.set_invoice_id("inv-1");
    inv.set_invoice_number("2025-77");
    inv.set_debtor_id("d1");
    inv.mutable_issue_date()->set_year(2025);
    inv.mutable_issue_date()->set_month(12);
    inv.mutable_issue_date()->set_day(3);
    inv.mutable_due_date()->set_year(2026);
    inv.mutable_due_date()->set_month(1);
    inv.mutable_due_date()->set_day(2);
    inv.mutable_amount()->set_minor_units(50000);
    inv.mutable_amount()->set_currency("EUR");
    *inv.mutable_open_balance() = inv.amount();
    inv.set_debtor_type(invoice::v1::DEBTOR_TYPE_CONSUMER);
    inv.set_country("IT");
    common::v1::Envelope env;
    env.set_event_id("issued-1");
    env.set_tenant("acme");
    env.set_aggregate_key("acme/d1");
    env.set_type(inv.GetDescriptor()->full_name());
    env.set_schema_version(1);
    env.set_payload(inv.SerializeAsString());
    platform::kafka::KafkaOptions ko;
    ko.brokers = addresses_.kafka_brokers;
    auto producer = platform::kafka::Producer::Create(ko);
    ASSERT_THAT(producer, IsOk());
    ASSERT_THAT((*producer)->ProduceAll({{"invoice.events", env.aggregate_key(),
                                          env.SerializeAsString(), {}}},
                                        absl::Seconds(30)),
                IsOk());
  }

  void WaitQuiescent() {
    int quiet = 0;
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (quiet < 3 && absl::Now() < deadline) {
      bool all = true;
      for (const auto& [name, address] : addresses_.grpc) {
        auto stub = platform::v1::Admin::NewStub(
            grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
        grpc::ClientContext ctx;
        platform::v1::Status st;
        all = all && stub->GetStatus(&ctx, platform::v1::GetStatusRequest(), &st).ok() &&
              st.quiescent();
      }
      quiet = all ? quiet + 1 : 0;
      absl::SleepFor(absl::Milliseconds(20));
    }
  }

  void NextDay() {
    grpc::ClientContext ctx;
    platform::v1::AdvanceClockRequest req;
    *req.mutable_by() = TimeUtil::SecondsToDuration(86400);
    platform::v1::ClockReply reply;
    ASSERT_TRUE(admin_->AdvanceClock(&ctx, req, &reply).ok());
    WaitQuiescent();
  }

  dunning::v1::CaseState State() {
    grpc::ClientContext ctx;
    dunning::v1::GetCaseRequest req;
    *req.mutable_context() = Ctx("");
    req.set_debtor_id("d1");
    dunning::v1::GetCaseResponse resp;
    if (!cases_->GetCase(&ctx, req, &resp).ok()) return dunning::v1::CASE_STATE_UNSPECIFIED;
    return resp.case_().state();
  }

  std::unique_ptr<local::Stack> stack_;
  local::StackAddresses addresses_;
  std::unique_ptr<dunning::v1::CaseService::Stub> cases_;
  std::unique_ptr<legal::v1::LegalService::Stub> legal_;
  std::unique_ptr<platform::v1::Admin::Stub> admin_;
};

TEST(LegalFlowTest, EscalationOpensALegalCaseAndItsSettlementClosesTheDunningCase) {
  LegalFlow f;
  f.Start();
  f.IssueOverdueInvoice();
  f.WaitQuiescent();
  int day = 0;
  while (f.State() != dunning::v1::CASE_STATE_LEGAL && day < 30) {
    f.NextDay();
    ++day;
  }
  ASSERT_EQ(f.State(), dunning::v1::CASE_STATE_LEGAL) << "after " << day << " days";
  // Escalation step on day 20 after the due date, granted by the ledger at the next midnight.
  EXPECT_GE(day, 21);

  // The legal service opened its case from the escalation request.
  std::string legal_case_id;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (legal_case_id.empty() && absl::Now() < deadline) {
    grpc::ClientContext ctx;
    legal::v1::ListLegalCasesRequest req;
    *req.mutable_context() = Ctx("");
    req.set_debtor_id("d1");
    legal::v1::ListLegalCasesResponse resp;
    if (f.legal_->ListLegalCases(&ctx, req, &resp).ok() && resp.legal_cases_size() > 0) {
      legal_case_id = resp.legal_cases(0).legal_case_id();
    } else {
      absl::SleepFor(absl::Milliseconds(100));
    }
  }
  ASSERT_FALSE(legal_case_id.empty()) << "no legal case was opened";

  {
    grpc::ClientContext ctx;
    legal::v1::SettleRequest req;
    *req.mutable_context() = Ctx("settle-1");
    req.set_legal_case_id(legal_case_id);
    req.mutable_settlement_amount()->set_minor_units(40000);
    req.mutable_settlement_amount()->set_currency("EUR");
    req.mutable_agreed_on()->set_year(2026);
    req.mutable_agreed_on()->set_month(1);
    req.mutable_agreed_on()->set_day(20);  // agreed before today (the clock is past day 21)
    legal::v1::LegalCaseResponse resp;
    grpc::Status s = f.legal_->Settle(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  f.WaitQuiescent();
  const absl::Time settle_deadline = absl::Now() + absl::Seconds(30);
  while (f.State() != dunning::v1::CASE_STATE_SETTLED && absl::Now() < settle_deadline) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(f.State(), dunning::v1::CASE_STATE_SETTLED);
}

}  // namespace
}  // namespace concerto::testing
