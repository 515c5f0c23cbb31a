// The contact-channel service as a separate process on a real redis-server, the embedded broker
// and a real SMTP server (aiosmtpd, writing every message it accepts into a folder), with a fake
// invoice service answering GetDebtorContact / GetInvoice in this process:
//   1. a ContactRequested on case.events becomes one e-mail (subject, amount, RF reference,
//      Message-ID from the attempt id) and a ContactAttemptSent on contact.events;
//   2. the service kills itself (SIGKILL, CONCERTO_FAULT) right after the SMTP server accepted
//      the second request's e-mail, before SENT is committed; restarted, it finds the attempt
//      SENDING and marks it UNKNOWN (ContactAttemptUnknown, listed by ListAttempts) — the SMTP
//      server has that e-mail exactly once;
//   3. the same with the kill between "SENDING committed" and the SMTP call: no e-mail, UNKNOWN;
//   4. a request that arrives while the service is down is sent normally after the restart.
// Never twice: every attempt's Message-ID appears at most once in the SMTP server's folder.
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "concerto/common/v1/envelope.pb.h"
#include "concerto/contact/v1/contact_api.grpc.pb.h"
#include "concerto/contact/v1/contact_events.pb.h"
#include "concerto/dunning/v1/case.pb.h"
#include "concerto/invoice/v1/invoice_api.grpc.pb.h"
#include "deploy/local/stack/probes.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/core/stable_hash.h"
#include "libs/platform/kafka/kafka.h"
#include "libs/rules/creditor_reference.h"
#include "libs/testing/embedded_kafka.h"
#include "libs/testing/redis_server.h"
#include "libs/testing/status_matchers.h"
#include "libs/testing/subprocess.h"

#ifndef CONTACT_TESTDATA_DIR
#error "CONTACT_TESTDATA_DIR must name services/contact_channel/app/testdata"
#endif

namespace concerto::testing {
namespace {

constexpr char kTenant[] = "acme";
constexpr char kDebtor[] = "d1";
constexpr char kFaultAfterSend[] = "contact_after_send";
constexpr char kFaultAfterSendingCommitted[] = "contact_after_sending_committed";
constexpr char kSentType[] = "concerto.contact.v1.ContactAttemptSent";
constexpr char kUnknownType[] = "concerto.contact.v1.ContactAttemptUnknown";

std::string Reference() { return *rules::MakeCreditorReference("2026000042"); }

// The attempt id the service derives from a request's event id (contact_handler.cc).
std::string AttemptIdFor(const std::string& event_id) {
  return absl::StrCat("att-", core::DeterministicId(event_id, "attempt"));
}

// FakeInvoiceService is the invoice service as the contact service sees it.
class FakeInvoiceService final : public invoice::v1::InvoiceService::Service {
 public:
  grpc::Status GetDebtorContact(grpc::ServerContext*, const invoice::v1::GetDebtorContactRequest* req,
                                invoice::v1::GetDebtorContactResponse* resp) override {
    ++contact_reads_;
    if (req->context().tenant() != kTenant || req->debtor_id() != kDebtor) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "debtor_id: not found");
    }
    invoice::v1::Debtor* d = resp->mutable_debtor();
    d->set_debtor_id(kDebtor);
    d->set_given_name("Maria");
    d->set_family_name("Rossi");
    d->set_country("IT");
    d->set_preferred_language("it");
    d->set_time_zone("Europe/Rome");
    d->set_preferred_channel(contact::v1::CHANNEL_EMAIL);
    auto* cp = d->add_contact_points();
    cp->set_contact_point_id("cp-email");
    cp->set_role(invoice::v1::CONTACT_ROLE_BILLING);
    cp->set_email("maria.rossi@example.org");
    cp->set_primary(true);
    return grpc::Status::OK;
  }
  grpc::Status GetInvoice(grpc::ServerContext*, const invoice::v1::GetInvoiceRequest* req,
                          invoice::v1::GetInvoiceResponse* resp) override {
    resp->mutable_invoice()->set_invoice_id(req->invoice().invoice_id());
    resp->mutable_invoice()->set_invoice_number("2026-0042");
    resp->mutable_invoice()->set_payment_reference(Reference());
    return grpc::Status::OK;
  }
  std::atomic<int> contact_reads_{0};
};

// Mail is one message the SMTP server accepted (its decoded summary).
struct Mail {
  std::string message_id;
  std::string subject;
  std::string to;
  std::string text;
};

class ContactSmtpDelivery : public ::testing::Test {
 protected:
  void SetUp() override {
    auto redis = RedisServer::Start();
    ASSERT_THAT(redis, IsOk());
    redis_ = std::move(*redis);
    EmbeddedKafka::Options ko;
    for (const char* t : {"case.events", "invoice.events", "contact.events", "contact-channel.dlq"}) {
      ko.topics.push_back({t, 8});
    }
    auto kafka = EmbeddedKafka::Start(ko);
    ASSERT_THAT(kafka, IsOk());
    kafka_ = std::move(*kafka);
    kafka_options_.brokers = kafka_->bootstrap();

    // The SMTP server: Debian's python3 with aiosmtpd and the folder-writing handler.
    mail_dir_ = absl::StrCat(::testing::TempDir(), "/contact-smtp-", getpid());
    std::filesystem::remove_all(mail_dir_);
    std::filesystem::create_directories(mail_dir_);
    smtp_port_ = FreePort();
    SubprocessOptions so;
    const std::string python =
        std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    so.argv = {python, "-m", "aiosmtpd", "-n", "-l", absl::StrCat("127.0.0.1:", smtp_port_),
               "-c", "smtp_sink.FolderSink", mail_dir_};
    so.env["PYTHONPATH"] = CONTACT_TESTDATA_DIR;
    so.env["PYTHONDONTWRITEBYTECODE"] = "1";  // keep the source folder clean
    so.capture_stdout = false;
    so.stderr_path = absl::StrCat(::testing::TempDir(), "/contact-smtp-server.log");
    auto smtp = Subprocess::Start(so);
    ASSERT_THAT(smtp, IsOk());
    smtp_ = std::move(*smtp);
    ASSERT_TRUE(WaitForPort(smtp_port_)) << "aiosmtpd did not start; see " << so.stderr_path;

    // The invoice service.
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &invoice_port_);
    builder.RegisterService(&invoice_);
    invoice_server_ = builder.BuildAndStart();
    ASSERT_NE(invoice_server_, nullptr);

    grpc_port_ = FreePort();
    auto producer = platform::kafka::Producer::Create(kafka_options_);
    ASSERT_THAT(producer, IsOk());
    producer_ = std::move(*producer);
    platform::kafka::ConsumerOptions co;
    co.kafka = kafka_options_;
    co.group_id = absl::StrCat("contact-events-reader-", getpid());
    co.topics = {"contact.events"};
    auto consumer = platform::kafka::Consumer::Create(co);
    ASSERT_THAT(consumer, IsOk());
    consumer_ = std::move(*consumer);
  }

  void TearDown() override {
    if (service_ && service_->Running()) service_->Stop(absl::Seconds(10));
    if (invoice_server_) invoice_server_->Shutdown();
  }

  // WaitForPort waits until something listens on 127.0.0.1:port.
  static bool WaitForPort(int port) {
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    while (absl::Now() < deadline) {
      if (local::CanConnect(absl::StrCat("127.0.0.1:", port), absl::Seconds(1)).ok()) return true;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return false;
  }

  // StartService starts bin/concerto-contact-channel; `fault` makes it kill itself there.
  void StartService(const std::string& fault = "") {
    SubprocessOptions o;
    if (!fault.empty()) o.env["CONCERTO_FAULT"] = fault;
    o.argv = {BinaryPath("bin/concerto-contact-channel"),
              "--kafka-brokers=" + kafka_->bootstrap(),
              "--redis=" + redis_->address(),
              absl::StrCat("--grpc-port=", grpc_port_),
              "--metrics-port=0",
              "--session-timeout=3s",
              absl::StrCat("--invoice-target=127.0.0.1:", invoice_port_),
              absl::StrCat("--smtp-url=smtp://127.0.0.1:", smtp_port_),
              "--smtp-from=billing@aurora.example",
              "--creditor-name=Aurora Energia S.p.A.",
              "--dispatch-recheck=2s",
              "--person-key-secret=integration-test"};
    o.capture_stdout = false;
    o.stderr_path = absl::StrCat(::testing::TempDir(), "/contact-channel-", starts_++, ".log");
    auto p = Subprocess::Start(o);
    ASSERT_THAT(p, IsOk());
    service_ = std::move(*p);
    ASSERT_THAT(local::WaitForHealth(Address(), absl::Seconds(30)), IsOk())
        << "see " << o.stderr_path;
  }

  std::string Address() const { return absl::StrCat("127.0.0.1:", grpc_port_); }

  std::unique_ptr<contact::v1::ContactService::Stub> Stub() {
    return contact::v1::ContactService::NewStub(
        grpc::CreateChannel(Address(), grpc::InsecureChannelCredentials()));
  }

  // PutOpenPolicy lets every e-mail go at once (no quiet hours, days, gaps or e-mail caps), so
  // the test does not depend on the hour it runs at.
  void PutOpenPolicy() {
    contact::v1::PutPolicyRequest req;
    req.mutable_context()->set_tenant(kTenant);
    req.mutable_context()->set_idempotency_key("policy-1");
    req.mutable_context()->mutable_actor()->set_id("ops-1");
    req.mutable_policy()->set_jurisdiction("IT");
    req.mutable_policy()->set_vulnerable_to_human(true);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    contact::v1::PutPolicyResponse resp;
    grpc::Status s = Stub()->PutPolicy(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // Request publishes a ContactRequested (one invoice of EUR 150.00) on case.events.
  std::string Request(const std::string& event_id, int step) {
    dunning::v1::ContactRequested r;
    r.set_debtor_id(kDebtor);
    r.set_step(step);
    r.add_channels(dunning::v1::CHANNEL_EMAIL);
    r.set_template_("reminder-1");
    auto* inv = r.add_invoices();
    inv->set_invoice_id("inv-42");
    inv->mutable_open_balance()->set_minor_units(15000);
    inv->mutable_open_balance()->set_currency("EUR");
    inv->mutable_due_date()->set_year(2026);
    inv->mutable_due_date()->set_month(2);
    inv->mutable_due_date()->set_day(1);
    r.mutable_total()->set_minor_units(15000);
    r.mutable_total()->set_currency("EUR");
    r.set_days_past_due(20);
    common::v1::Envelope env;
    env.set_event_id(event_id);
    env.set_tenant(kTenant);
    env.set_aggregate_key(absl::StrCat(kTenant, "/", kDebtor));
    env.set_type(r.GetDescriptor()->full_name());
    env.set_schema_version(1);
    env.set_payload(r.SerializeAsString());
    EXPECT_THAT(producer_->ProduceAll({{"case.events", env.aggregate_key(), env.SerializeAsString(), {}}},
                                      absl::Seconds(20)),
                IsOk());
    return AttemptIdFor(event_id);
  }

  // Mails reads every message the SMTP server accepted so far.
  std::vector<Mail> Mails() {
    std::vector<Mail> out;
    for (const auto& e : std::filesystem::directory_iterator(mail_dir_)) {
      if (e.path().extension() != ".txt") continue;
      std::ifstream in(e.path());
      std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      Mail m;
      const size_t blank = content.find("\n\n");
      const std::string head = content.substr(0, blank);
      m.text = blank == std::string::npos ? "" : content.substr(blank + 2);
      for (absl::string_view line : absl::StrSplit(head, '\n')) {
        if (absl::ConsumePrefix(&line, "Message-ID: ")) m.message_id = std::string(line);
        if (absl::ConsumePrefix(&line, "Subject: ")) m.subject = std::string(line);
        if (absl::ConsumePrefix(&line, "To: ")) m.to = std::string(line);
      }
      out.push_back(std::move(m));
    }
    return out;
  }

  int MailsFor(const std::string& attempt_id) {
    int n = 0;
    for (const Mail& m : Mails()) n += m.message_id == absl::StrCat("<", attempt_id, "@contact.concerto>");
    return n;
  }

  // Drain reads what arrives on contact.events for about `d`.
  void Drain(absl::Duration d) {
    const absl::Time until = absl::Now() + d;
    do {
      auto msgs = consumer_->Poll(100, absl::Milliseconds(200));
      if (!msgs.ok()) continue;
      for (const auto& m : *msgs) {
        common::v1::Envelope env;
        if (!env.ParseFromString(m.value) || !event_ids_.insert(env.event_id()).second) continue;
        events_.emplace_back(env.type(), env.payload());
      }
    } while (absl::Now() < until);
  }

  // WaitForEvent reads contact.events until an event of `type` about `attempt_id` arrives.
  bool WaitForEvent(const std::string& type, const std::string& attempt_id, absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    while (!Seen(type, attempt_id)) {
      if (absl::Now() >= deadline) {
        Diagnose();
        return false;
      }
      Drain(absl::Milliseconds(200));
    }
    return true;
  }

  // Diagnose prints what the test saw and how the service is, for a failure message.
  void Diagnose() {
    std::fprintf(stderr, "contact.events so far (%zu):\n", events_.size());
    for (const auto& [t, payload] : events_) {
      std::fprintf(stderr, "  %s %s\n", t.c_str(), AttemptOf(t, payload).c_str());
    }
    if (service_ && !service_->Running()) {
      std::fprintf(stderr, "the service exited: %d\n", service_->Wait(absl::Seconds(1)).value_or(-1));
      return;
    }
    auto summary = local::GetAdminSummary(Address(), absl::Seconds(5));
    if (summary.ok()) {
      std::fprintf(stderr, "service: quiescent=%d lag=%ld outbox=%ld\n", summary->quiescent,
                   static_cast<long>(summary->consumer_lag),
                   static_cast<long>(summary->outbox_depth));
    } else {
      std::fprintf(stderr, "service status: %s\n", summary.status().ToString().c_str());
    }
  }

  // AttemptOf reads the attempt id of an attempt event.
  static std::string AttemptOf(const std::string& type, const std::string& payload) {
    if (type == kSentType) {
      contact::v1::ContactAttemptSent e;
      return e.ParseFromString(payload) ? e.attempt().attempt_id() : "";
    }
    if (type == kUnknownType) {
      contact::v1::ContactAttemptUnknown e;
      return e.ParseFromString(payload) ? e.attempt().attempt_id() : "";
    }
    return "";
  }

  bool Seen(const std::string& type, const std::string& attempt_id) {
    return CountEvents(type, attempt_id) > 0;
  }

  int CountEvents(const std::string& type, const std::string& attempt_id) {
    int n = 0;
    for (const auto& [t, payload] : events_) n += t == type && AttemptOf(t, payload) == attempt_id;
    return n;
  }

  // AttemptStatus asks ListAttempts, as an operator's console would.
  contact::v1::ContactAttempt ListedAttempt(const std::string& attempt_id) {
    contact::v1::ListAttemptsRequest req;
    req.mutable_context()->set_tenant(kTenant);
    req.set_debtor_id(kDebtor);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    contact::v1::ListAttemptsResponse resp;
    grpc::Status s = Stub()->ListAttempts(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    for (const auto& a : resp.attempts()) {
      if (a.ref().attempt_id() == attempt_id) return a;
    }
    return {};
  }

  // Crash waits for the service to kill itself at its fault point.
  void ExpectCrash() {
    std::optional<int> code = service_->Wait(absl::Seconds(60));
    ASSERT_TRUE(code.has_value()) << "the service did not reach its fault point";
    EXPECT_EQ(*code, 128 + SIGKILL);
  }

  std::unique_ptr<RedisServer> redis_;
  std::unique_ptr<EmbeddedKafka> kafka_;
  platform::kafka::KafkaOptions kafka_options_;
  std::unique_ptr<platform::kafka::Producer> producer_;
  std::unique_ptr<platform::kafka::Consumer> consumer_;
  std::unique_ptr<Subprocess> smtp_;
  std::unique_ptr<Subprocess> service_;
  std::unique_ptr<grpc::Server> invoice_server_;
  FakeInvoiceService invoice_;
  std::string mail_dir_;
  int smtp_port_ = 0;
  int invoice_port_ = 0;
  int grpc_port_ = 0;
  int starts_ = 0;
  std::set<std::string> event_ids_;
  std::vector<std::pair<std::string, std::string>> events_;
};

constexpr const char* kSent = kSentType;
constexpr const char* kUnknown = kUnknownType;

TEST_F(ContactSmtpDelivery, EmailOnceOrUnknownAcrossCrashes) {
  const absl::Time started = absl::Now();
  StartService();
  PutOpenPolicy();

  // 1. A contact request becomes one e-mail and ContactAttemptSent.
  const std::string first = Request("case-ev-1", 1);
  ASSERT_TRUE(WaitForEvent(kSent, first, absl::Seconds(60))) << "no ContactAttemptSent";
  ASSERT_EQ(MailsFor(first), 1);
  Mail mail;
  for (const Mail& m : Mails()) {
    if (absl::StrContains(m.message_id, first)) mail = m;
  }
  EXPECT_FALSE(mail.subject.empty());
  EXPECT_EQ(mail.to, "maria.rossi@example.org");
  EXPECT_TRUE(absl::StrContains(mail.text, "150,00")) << mail.text;
  EXPECT_TRUE(absl::StrContains(mail.text, Reference()) ||
              absl::StrContains(mail.text, rules::FormatPrintable(Reference())))
      << mail.text;
  EXPECT_TRUE(absl::StrContains(mail.text, "2026-0042")) << mail.text;
  EXPECT_EQ(ListedAttempt(first).status(), contact::v1::ATTEMPT_STATUS_SENT);
  EXPECT_EQ(service_->Stop(), 0);

  // 2. Killed after the SMTP server accepted the e-mail, before SENT was committed.
  StartService(kFaultAfterSend);
  const std::string second = Request("case-ev-2", 2);
  ExpectCrash();
  EXPECT_EQ(MailsFor(second), 1);
  StartService();
  ASSERT_TRUE(WaitForEvent(kUnknown, second, absl::Seconds(60))) << "no ContactAttemptUnknown";
  contact::v1::ContactAttempt listed = ListedAttempt(second);
  EXPECT_EQ(listed.status(), contact::v1::ATTEMPT_STATUS_UNKNOWN);
  ASSERT_GT(listed.decisions_size(), 0);
  EXPECT_TRUE(absl::StrContains(listed.decisions(listed.decisions_size() - 1).explanation(),
                                "cannot deduplicate"));
  EXPECT_EQ(MailsFor(second), 1);  // exactly once, and listed for an operator
  EXPECT_EQ(service_->Stop(), 0);

  // 3. Killed between "SENDING committed" and the SMTP call: nothing went out, UNKNOWN.
  StartService(kFaultAfterSendingCommitted);
  const std::string third = Request("case-ev-3", 3);
  ExpectCrash();
  StartService();
  ASSERT_TRUE(WaitForEvent(kUnknown, third, absl::Seconds(60))) << "no ContactAttemptUnknown";
  EXPECT_EQ(ListedAttempt(third).status(), contact::v1::ATTEMPT_STATUS_UNKNOWN);
  EXPECT_EQ(MailsFor(third), 0);
  EXPECT_EQ(service_->Stop(), 0);

  // 4. A request that arrives while the service is down is sent normally after the restart.
  const std::string fourth = Request("case-ev-4", 4);
  StartService();
  ASSERT_TRUE(WaitForEvent(kSent, fourth, absl::Seconds(60))) << "no ContactAttemptSent";
  EXPECT_EQ(MailsFor(fourth), 1);

  // Never twice: a few more watchdog periods change nothing.
  Drain(absl::Seconds(6));
  std::map<std::string, int> per_message;
  for (const Mail& m : Mails()) ++per_message[m.message_id];
  for (const auto& [id, n] : per_message) EXPECT_EQ(n, 1) << id;
  EXPECT_EQ(Mails().size(), 3u);
  for (const std::string& id : {first, fourth}) EXPECT_EQ(CountEvents(kSent, id), 1) << id;
  EXPECT_EQ(CountEvents(kSent, second) + CountEvents(kSent, third), 0);
  EXPECT_EQ(CountEvents(kUnknown, second), 1);
  EXPECT_EQ(CountEvents(kUnknown, third), 1);
  EXPECT_GT(invoice_.contact_reads_.load(), 0);
  std::printf("contact_smtp_delivery: 4 requests, 3 e-mails, 2 UNKNOWN, 5 service starts in %s\n",
              absl::FormatDuration(absl::Now() - started).c_str());
}

}  // namespace
}  // namespace concerto::testing
