// The dispatcher with the real handler on the in-memory bus, a fake invoice service and fake
// providers: decide, commit SENDING, send once, commit the outcome; a crash between SENDING and
// the outcome is resolved without a second send (UNKNOWN for SMTP, a deduplicated resend for
// providers that can); quiet hours defer; the person ledger caps calls across two tenants;
// vulnerable and erased debtors are never contacted by automation.
#include "services/contact_channel/app/dispatcher.h"

#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "concerto/contact/v1/contact_events.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/testing/status_matchers.h"
#include "services/contact_channel/app/contact_handler.h"
#include "services/contact_channel/app/facts.h"
#include "services/contact_channel/app/in_memory_bus.h"
#include "services/contact_channel/app/print_outbox_adapter.h"
#include "services/contact_channel/app/test_support.h"

namespace concerto::contact {
namespace {

using ::concerto::testing::IsOk;
using ::testing::HasSubstr;
using ::testing::SizeIs;

// Tuesday 10 March 2026, 10:00 in Rome.
absl::Time Rome(int day, int hour, int minute = 0) {
  absl::TimeZone rome;
  absl::LoadTimeZone("Europe/Rome", &rome);
  return absl::FromCivil(absl::CivilSecond(2026, 3, day, hour, minute, 0), rome);
}

class DispatcherTest : public ::testing::Test {
 protected:
  DispatcherTest()
      : clock_(Rome(10, 10)),
        bus_(&hinting_, &clock_),
        email_("smtp", /*deduplicates=*/false),
        sms_("sms-http", /*deduplicates=*/true) {
    auto r = MessageRenderer::BuiltIn();
    EXPECT_THAT(r, IsOk());
    renderer_ = std::make_unique<MessageRenderer>(*std::move(r));
    outbox_ = absl::StrCat(::testing::TempDir(), "/outbox-",
                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(outbox_);
    print_ = std::make_unique<PrintOutboxAdapter>(outbox_);
    dispatcher_ = NewDispatcher("inc-1");
    directory_.Put("acme", testing::Debtor("d1", "+39 06 1234 567"));
    directory_.Put("globex", testing::Debtor("g7", "0039061234567", "other@example.org"));
    // No quiet hours, days or gaps unless a test sets them: caps only.
    for (const char* tenant : {"acme", "globex"}) PutPolicy(tenant, OpenPolicy());
  }

  std::unique_ptr<Dispatcher> NewDispatcher(const std::string& incarnation) {
    DispatcherOptions o;
    o.incarnation = incarnation;
    o.person_key_secret = "test-secret";
    return std::make_unique<Dispatcher>(
        o, &bus_, &directory_, renderer_.get(),
        std::map<v1::Channel, ChannelAdapter*>{{v1::CHANNEL_EMAIL, &email_},
                                               {v1::CHANNEL_SMS, &sms_},
                                               {v1::CHANNEL_LETTER, print_.get()},
                                               {v1::CHANNEL_PHONE, &calls_}},
        &clock_);
  }

  static v1::ContactPolicy OpenPolicy() {
    v1::ContactPolicy p = DefaultPolicy("IT");
    p.clear_quiet_hours();
    p.clear_allowed_weekdays();
    p.set_skip_public_holidays(false);
    p.clear_min_gap();
    return p;
  }

  void PutPolicy(const std::string& tenant, const v1::ContactPolicy& p) {
    app::ContactCommand c;
    *c.mutable_put_policy()->mutable_policy() = p;
    ASSERT_THAT(RunCommand(&bus_, CommandInput(tenant, absl::StrCat(tenant, "/policy-", ++puts_),
                                               PolicyKey(tenant), c),
                           nullptr),
                IsOk());
  }

  std::string Request(const std::string& tenant, const std::string& debtor, const std::string& event,
                      std::vector<dunning::v1::Channel> channels) {
    EXPECT_THAT(bus_.Deliver(testing::Envelope(event, tenant, debtor,
                                               testing::ContactRequest(debtor, channels))),
                IsOk());
    return AttemptIdFor(event);
  }

  std::string CallTask(const std::string& tenant, const std::string& debtor, const std::string& event) {
    EXPECT_THAT(bus_.Deliver(testing::Envelope(event, tenant, debtor, testing::CallTask(debtor))),
                IsOk());
    return AttemptIdFor(event);
  }

  app::Attempt AttemptOf(const std::string& tenant, const std::string& debtor, const std::string& id) {
    auto s = bus_.Read(DebtorKey(tenant, debtor));
    app::DebtorRecord r;
    if (s.ok() && s->has_value()) r.ParseFromString(**s);
    for (const auto& a : r.attempts()) {
      if (a.ref().attempt_id() == id) return a;
    }
    ADD_FAILURE() << "no attempt " << id;
    return {};
  }

  template <typename M>
  std::vector<M> Events() {
    std::vector<M> out;
    for (const auto& e : bus_.EventsOfType(M::descriptor()->full_name())) {
      M m;
      m.ParseFromString(e.payload);
      out.push_back(m);
    }
    return out;
  }

  platform::SimulatedClock clock_;
  ContactHandler handler_{HandlerOptions{}};
  HintingHandler hinting_{&handler_};
  InMemoryBus bus_;
  testing::FakeDirectory directory_;
  testing::FakeAdapter email_, sms_;
  CallQueueAdapter calls_;
  std::string outbox_;
  std::unique_ptr<PrintOutboxAdapter> print_;
  std::unique_ptr<MessageRenderer> renderer_;
  std::unique_ptr<Dispatcher> dispatcher_;
  int puts_ = 0;
};

TEST_F(DispatcherTest, DecidesSendsOnceAndCommitsTheOutcome) {
  const std::string id = Request("acme", "d1", "ev-1", {dunning::v1::CHANNEL_EMAIL});
  ASSERT_THAT(dispatcher_->Process(DebtorKey("acme", "d1"), id), IsOk());
  auto sent = email_.sent();
  ASSERT_THAT(sent, SizeIs(1));
  EXPECT_EQ(sent[0].attempt_id, id);
  EXPECT_EQ(sent[0].address, "maria@example.org");
  EXPECT_EQ(sent[0].recipient_name, "Maria Rossi");
  EXPECT_FALSE(sent[0].rendered.subject.empty());
  EXPECT_THAT(sent[0].rendered.text, HasSubstr("150,00"));
  EXPECT_THAT(sent[0].rendered.text, HasSubstr("https://pay.concerto.example/p/acme/"));
  app::Attempt a = AttemptOf("acme", "d1", id);
  EXPECT_EQ(a.phase(), app::PHASE_SENT);
  EXPECT_EQ(a.language(), "it");
  EXPECT_EQ(a.jurisdiction(), "IT");
  EXPECT_FALSE(a.person_key().empty());
  EXPECT_THAT(a.person_key(), ::testing::Not(HasSubstr("1234")));
  ASSERT_THAT(Events<v1::ContactAttemptIntended>(), SizeIs(1));
  EXPECT_EQ(Events<v1::ContactAttemptIntended>()[0].idempotency_key(), id);
  ASSERT_THAT(Events<v1::ContactAttemptSent>(), SizeIs(1));
  EXPECT_EQ(Events<v1::ContactAttemptSent>()[0].provider(), "smtp");

  // Hints, sweeps and redeliveries afterwards send nothing more.
  ASSERT_THAT(dispatcher_->Process(DebtorKey("acme", "d1"), id), IsOk());
  ASSERT_THAT(dispatcher_->Sweep(), IsOk());
  clock_.Advance(absl::Minutes(5));
  bus_.FireDueTimers();
  ASSERT_THAT(dispatcher_->Process(DebtorKey("acme", "d1"), id), IsOk());
  EXPECT_THAT(email_.sent(), SizeIs(1));
}

TEST_F(DispatcherTest, SendingLeftByACrashBecomesUnknownForSmtpAndIsNotResent) {
  const std::string id = Request("acme", "d1", "ev-1", {dunning::v1::CHANNEL_EMAIL});
  // The first incarnation decided and committed SENDING, then died before the outcome.
  app::ContactCommand begin;
  begin.mutable_begin_send()->set_attempt_id(id);
  begin.mutable_begin_send()->set_incarnation("inc-dead");
  app::ContactCommand decide;
  auto* d = decide.mutable_apply_decision();
  d->set_attempt_id(id);
  d->mutable_decision()->set_verdict(app::VERDICT_ALLOW);
  d->mutable_decision()->set_channel(v1::CHANNEL_EMAIL);
  d->mutable_decision()->set_contact_point_id("cp-email");
  ASSERT_THAT(RunCommand(&bus_, CommandInput("acme", id + "/decide/0", DebtorKey("acme", "d1"), decide),
                         nullptr, false),
              IsOk());
  ASSERT_THAT(RunCommand(&bus_, CommandInput("acme", id + "/begin/0", DebtorKey("acme", "d1"), begin),
                         nullptr, false),
              IsOk());
  ASSERT_EQ(AttemptOf("acme", "d1", id).phase(), app::PHASE_SENDING);

  // The new incarnation finds it (sweep or watchdog) and never sends it again.
  ASSERT_THAT(dispatcher_->Sweep(), IsOk());
  ASSERT_THAT(dispatcher_->Process(DebtorKey("acme", "d1"), id), IsOk());
  EXPECT_THAT(email_.sent(), SizeIs(0));
  app::Attempt a = AttemptOf("acme", "d1", id);
  EXPECT_EQ(a.phase(), app::PHASE_UNKNOWN);
  EXPECT_THAT(a.failure(), HasSubstr("cannot deduplicate"));
  ASSERT_THAT(Events<v1::ContactAttemptUnknown>(), SizeIs(1));
  EXPECT_EQ(Events<v1::ContactAttemptUnknown>()[0].attempt().attempt_id(), id);
  ASSERT_THAT(dispatcher_->Process(DebtorKey("acme", "d1"), id), IsOk());
  EXPECT_THAT(email_.sent(), SizeIs(0));
}

TEST_F(DispatcherTest, SendingLeftByACrashIsResentOnceThroughADeduplicatingProvider) {
  directory_.Put("acme", [] {
    invoice::v1::Debtor d = testing::Debtor("d1", "+39 06 1234 567", "");
    d.set_preferred_channel(v1::CHANNEL_SMS);
    return d;
  }());
  const std::string id = Request("acme", "d1", "ev-1", {dunning::v1::CHANNEL_SMS});
  app::ContactCommand decide;
  auto* d = decide.mutable_apply_decision();
  d->set_attempt_id(id);
  d->mutable_decision()->set_verdict(app::VERDICT_ALLOW);
  d->mutable_decision()->set_channel(v1::CHANNEL_SMS);
  d->mutable_decision()->set_contact_point_id("cp-phone");
  ASSERT_THAT(RunCommand(&bus_, CommandInput("acme", id + "/decide/0", DebtorKey("acme", "d1"), decide),
                         nullptr, false),
              IsOk());
  app::ContactCommand begin;
  begin.mutable_begin_send()->set_attempt_id(id);
  begin.mutable_begin_send()->set_incarnation("inc-dead");
  ASSERT_THAT(RunCommand(&bus_, CommandInput("acme", id + "/begin/0", DebtorKey("acme", "d1"), begin),
                         nullptr, false),
              IsOk());
  ASSERT_THAT(dispatcher_->Process(DebtorKey("acme", "d1"), id), IsOk());
  auto sent = sms_.sent();
  ASSERT_THAT(sent, SizeIs(1));
  EXPECT_EQ(sent[0].attempt_id, id);  // the provider's idempotency key
  EXPECT_EQ(sent[0].address, "+39 06 1234 567");
  EXPECT_FALSE(sent[0].rendered.sms.empty());
  EXPECT_EQ(AttemptOf("acme", "d1", id).phase(), app::PHASE_SENT);
}

TEST_F(DispatcherTest, AmbiguousSmtpAnswerBecomesUnknown) {
  email_.SetNext(SendResult::Kind::kAmbiguous, "curl 28");
  const std::string id = Request("acme", "d1", "ev-1", {dunning::v1::CHANNEL_EMAIL});
  ASSERT_THAT(dispatcher_->Process(DebtorKey("acme", "d1"), id), IsOk());
  EXPECT_THAT(email_.sent(), SizeIs(1));
  EXPECT_EQ(AttemptOf("acme", "d1", id).phase(), app::PHASE_UNKNOWN);
  ASSERT_THAT(dispatcher_->Process(DebtorKey("acme", "d1"), id), IsOk());
  EXPECT_THAT(email_.sent(), SizeIs(1));
}

TEST_F(DispatcherTest, TransientFailureIsRetriedLater) {
  email_.SetNext(SendResult::Kind::kTransient, "curl 7");
  const std::string id = Request("acme", "d1", "ev-1", {dunning::v1::CHANNEL_EMAIL});
  ASSERT_THAT(dispatcher_->Process(DebtorKey("acme", "d1"), id), IsOk());
  app::Attempt a = AttemptOf("acme", "d1", id);
  EXPECT_EQ(a.phase(), app::PHASE_READY);
  EXPECT_EQ(a.send_try(), 1);
  EXPECT_EQ(a.failure(), "curl 7");
  email_.SetNext(SendResult::Kind::kAccepted);
  ASSERT_THAT(dispatcher_->Process(DebtorKey("acme", "d1"), id), IsOk());
  EXPECT_THAT(email_.sent(), SizeIs(1));  // not due yet
  clock_.Advance(absl::Seconds(31));
  ASSERT_THAT(dispatcher_->Process(DebtorKey("acme", "d1"), id), IsOk());
  EXPECT_THAT(email_.sent(), SizeIs(2));
  EXPECT_EQ(AttemptOf("acme", "d1", id).phase(), app::PHASE_SENT);
}

TEST_F(DispatcherTest, QuietHoursDeferUntilMorningThenSend) {
  v1::ContactPolicy p = OpenPolicy();
  auto* q = p.add_quiet_hours();
  q->set_start_minute(21 * 60);
  q->set_end_minute(8 * 60);
  PutPolicy("acme", p);
  clock_.Set(Rome(10, 22, 30));
  const std::string id = Request("acme", "d1", "ev-1", {dunning::v1::CHANNEL_EMAIL});
  ASSERT_THAT(dispatcher_->Process(DebtorKey("acme", "d1"), id), IsOk());
  app::Attempt a = AttemptOf("acme", "d1", id);
  EXPECT_EQ(a.phase(), app::PHASE_DEFERRED);
  EXPECT_EQ(AttemptStatusOf(a.phase()), v1::ATTEMPT_STATUS_DEFERRED);
  auto suppressed = Events<v1::ContactAttemptSuppressed>();
  ASSERT_THAT(suppressed, SizeIs(1));
  EXPECT_EQ(suppressed[0].reason(), v1::SUPPRESSION_REASON_QUIET_HOURS);
  EXPECT_THAT(suppressed[0].explanation(), HasSubstr("deferred to 08:00"));
  EXPECT_EQ(suppressed[0].deferred_until().seconds(), absl::ToUnixSeconds(Rome(11, 8)));
  EXPECT_THAT(email_.sent(), SizeIs(0));
  // The watchdog moved to the end of the deferral; at 08:00 it fires and the hint sends it.
  dispatcher_->Start();
  hinting_.set_dispatcher(dispatcher_.get());
  clock_.Set(Rome(11, 8));
  bus_.FireDueTimers();
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (email_.sent().empty() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(10));
  dispatcher_->Stop();
  hinting_.set_dispatcher(nullptr);
  EXPECT_THAT(email_.sent(), SizeIs(1));
  EXPECT_EQ(AttemptOf("acme", "d1", id).phase(), app::PHASE_SENT);
}

TEST_F(DispatcherTest, EighthCallInSevenDaysAcrossTwoTenantsIsSuppressed) {
  // d1 at acme and g7 at globex are the same person: the same phone number, written two ways.
  std::vector<std::string> ids;
  for (int i = 0; i < 7; ++i) {
    const bool acme = i % 2 == 0;
    const std::string id = CallTask(acme ? "acme" : "globex", acme ? "d1" : "g7", absl::StrCat("call-", i));
    ASSERT_THAT(dispatcher_->Process(DebtorKey(acme ? "acme" : "globex", acme ? "d1" : "g7"), id),
                IsOk());
    app::Attempt a = AttemptOf(acme ? "acme" : "globex", acme ? "d1" : "g7", id);
    EXPECT_EQ(a.phase(), app::PHASE_SENT) << i;
    ids.push_back(id);
    clock_.Advance(absl::Hours(20));
  }
  const std::string eighth = CallTask("acme", "d1", "call-7");
  ASSERT_THAT(dispatcher_->Process(DebtorKey("acme", "d1"), eighth), IsOk());
  app::Attempt a = AttemptOf("acme", "d1", eighth);
  EXPECT_EQ(a.phase(), app::PHASE_SUPPRESSED);
  ASSERT_GT(a.decisions_size(), 0);
  auto suppressed = Events<v1::ContactAttemptSuppressed>();
  ASSERT_THAT(suppressed, SizeIs(1));
  EXPECT_EQ(suppressed[0].reason(), v1::SUPPRESSION_REASON_FREQUENCY_CAP);
  EXPECT_THAT(suppressed[0].explanation(), HasSubstr("7"));
  EXPECT_FALSE(suppressed[0].has_deferred_until());
  // Both tenants' records point to the same ledger.
  EXPECT_EQ(AttemptOf("acme", "d1", ids[0]).person_key(), AttemptOf("globex", "g7", ids[1]).person_key());
}

TEST_F(DispatcherTest, VulnerableDebtorGoesToASpecialistNeverToAutomation) {
  invoice::v1::Debtor d = testing::Debtor("d1", "+39061234567");
  d.set_vulnerable(true);
  directory_.Put("acme", d);
  const std::string id = Request("acme", "d1", "ev-1", {dunning::v1::CHANNEL_EMAIL});
  ASSERT_THAT(dispatcher_->Process(DebtorKey("acme", "d1"), id), IsOk());
  EXPECT_THAT(email_.sent(), SizeIs(0));
  app::Attempt a = AttemptOf("acme", "d1", id);
  EXPECT_EQ(a.phase(), app::PHASE_SUPPRESSED);
  EXPECT_TRUE(a.routed_to_human());
  auto suppressed = Events<v1::ContactAttemptSuppressed>();
  ASSERT_THAT(suppressed, SizeIs(1));
  EXPECT_TRUE(suppressed[0].routed_to_human());
  EXPECT_EQ(suppressed[0].reason(), v1::SUPPRESSION_REASON_VULNERABLE);
  auto s = bus_.Read(DebtorKey("acme", "d1"));
  app::DebtorRecord r;
  ASSERT_TRUE(s.ok() && s->has_value() && r.ParseFromString(**s));
  ASSERT_THAT(r.call_tasks(), SizeIs(1));
  EXPECT_EQ(r.call_tasks(0).queue(), kSpecialistQueue);
}

TEST_F(DispatcherTest, ErasedAndUnknownDebtorsAreSuppressed) {
  directory_.Erase("acme", "d1");
  const std::string id = Request("acme", "d1", "ev-1", {dunning::v1::CHANNEL_EMAIL});
  ASSERT_THAT(dispatcher_->Process(DebtorKey("acme", "d1"), id), IsOk());
  EXPECT_EQ(AttemptOf("acme", "d1", id).phase(), app::PHASE_SUPPRESSED);
  const std::string other = Request("acme", "nobody", "ev-2", {dunning::v1::CHANNEL_EMAIL});
  ASSERT_THAT(dispatcher_->Process(DebtorKey("acme", "nobody"), other), IsOk());
  EXPECT_EQ(AttemptOf("acme", "nobody", other).phase(), app::PHASE_SUPPRESSED);
  auto suppressed = Events<v1::ContactAttemptSuppressed>();
  ASSERT_THAT(suppressed, SizeIs(2));
  EXPECT_EQ(suppressed[0].reason(), v1::SUPPRESSION_REASON_ERASED);
  EXPECT_EQ(suppressed[1].reason(), v1::SUPPRESSION_REASON_NO_CONTACT_POINT);
  EXPECT_THAT(email_.sent(), SizeIs(0));
}

TEST_F(DispatcherTest, InvoiceServiceDownLeavesTheAttemptForLater) {
  directory_.SetUnavailable(true);
  const std::string id = Request("acme", "d1", "ev-1", {dunning::v1::CHANNEL_EMAIL});
  EXPECT_FALSE(dispatcher_->Process(DebtorKey("acme", "d1"), id).ok());
  EXPECT_EQ(AttemptOf("acme", "d1", id).phase(), app::PHASE_PENDING_DECISION);
  directory_.SetUnavailable(false);
  ASSERT_THAT(dispatcher_->Process(DebtorKey("acme", "d1"), id), IsOk());
  EXPECT_EQ(AttemptOf("acme", "d1", id).phase(), app::PHASE_SENT);
}

TEST_F(DispatcherTest, LetterIsWrittenToThePrintOutboxOnce) {
  const std::string id = Request("acme", "d1", "ev-1", {dunning::v1::CHANNEL_LETTER});
  ASSERT_THAT(dispatcher_->Process(DebtorKey("acme", "d1"), id), IsOk());
  EXPECT_EQ(AttemptOf("acme", "d1", id).phase(), app::PHASE_SENT);
  const std::string pdf = absl::StrCat(outbox_, "/", id, ".pdf");
  std::ifstream in(pdf, std::ios::binary);
  ASSERT_TRUE(in.good()) << pdf;
  std::string head(5, '\0');
  in.read(head.data(), 5);
  EXPECT_EQ(head, "%PDF-");
  std::ifstream address(absl::StrCat(outbox_, "/", id, ".address.txt"));
  std::string first;
  std::getline(address, first);
  EXPECT_EQ(first, "Maria Rossi");
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(outbox_)) {
    EXPECT_FALSE(absl::EndsWith(e.path().string(), ".tmp"));
    ++files;
  }
  EXPECT_EQ(files, 2);
}

}  // namespace
}  // namespace concerto::contact
