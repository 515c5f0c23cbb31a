// ContactHandler on its own (through the in-memory bus, no I/O): attempts recorded as INTENDED
// with their watchdog, the decision, SENDING and outcome transitions and their events, the
// person ledger's reservations across tenants, hand-offs to a human, case closure, policies.
#include "services/contact_channel/app/contact_handler.h"

#include "absl/strings/str_cat.h"
#include "concerto/contact/v1/contact_events.pb.h"
#include "concerto/invoice/v1/invoice_events.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "libs/testing/status_matchers.h"
#include "services/contact_channel/app/aggregate_bus.h"
#include "services/contact_channel/app/facts.h"
#include "services/contact_channel/app/in_memory_bus.h"
#include "services/contact_channel/app/test_support.h"

namespace concerto::contact {
namespace {

using ::concerto::testing::IsOk;
using ::concerto::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::SizeIs;
using google::protobuf::util::TimeUtil;

constexpr char kTenant[] = "acme";

absl::Time T0() { return absl::FromCivil(absl::CivilSecond(2026, 3, 10, 10, 0, 0), absl::UTCTimeZone()); }

class HandlerTest : public ::testing::Test {
 protected:
  HandlerTest() : clock_(T0()), handler_(Options()), bus_(&handler_, &clock_) {}

  static HandlerOptions Options() {
    HandlerOptions o;
    o.recheck = absl::Seconds(30);
    o.retry_backoff = absl::Seconds(10);
    o.max_send_tries = 3;
    return o;
  }

  std::string Request(const std::string& event_id, const std::string& debtor = "d1") {
    auto r = bus_.Deliver(testing::Envelope(event_id, kTenant, debtor,
                                            testing::ContactRequest(debtor, {dunning::v1::CHANNEL_EMAIL})));
    EXPECT_THAT(r, IsOk());
    return AttemptIdFor(event_id);
  }

  app::DebtorRecord Record(const std::string& debtor = "d1") {
    auto s = bus_.Read(DebtorKey(kTenant, debtor));
    EXPECT_TRUE(s.ok() && s->has_value());
    app::DebtorRecord r;
    if (s.ok() && s->has_value()) r.ParseFromString(**s);
    return r;
  }

  app::Attempt AttemptOf(const std::string& id, const std::string& debtor = "d1") {
    const app::DebtorRecord record = Record(debtor);
    for (const auto& a : record.attempts()) {
      if (a.ref().attempt_id() == id) return a;
    }
    ADD_FAILURE() << "no attempt " << id;
    return {};
  }

  absl::Status Command(const std::string& key, const std::string& id, const app::ContactCommand& c,
                       google::protobuf::Message* reply = nullptr) {
    // As the dispatcher runs its steps: a repeated step id answers with the stored reply.
    return RunCommand(&bus_, CommandInput(kTenant, id, key, c), reply, /*same_command=*/false);
  }

  absl::Status Decide(const std::string& attempt_id, app::Verdict verdict, int round = 0,
                      absl::Time until = absl::InfinitePast()) {
    app::ContactCommand c;
    auto* d = c.mutable_apply_decision();
    d->set_attempt_id(attempt_id);
    d->set_round(round);
    d->set_language("it");
    d->set_person_key("pkey");
    d->mutable_decision()->set_verdict(verdict);
    d->mutable_decision()->set_channel(v1::CHANNEL_EMAIL);
    d->mutable_decision()->set_contact_point_id("cp-email");
    d->mutable_decision()->set_reason("because");
    d->mutable_decision()->set_rule_id("policy");
    if (until != absl::InfinitePast()) {
      *d->mutable_decision()->mutable_until() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(until));
    }
    return Command(DebtorKey(kTenant, "d1"), absl::StrCat(attempt_id, "/decide/", round), c);
  }

  absl::Status Begin(const std::string& attempt_id, int send_try = 0,
                     const std::string& incarnation = "inc-1") {
    app::ContactCommand c;
    c.mutable_begin_send()->set_attempt_id(attempt_id);
    c.mutable_begin_send()->set_send_try(send_try);
    c.mutable_begin_send()->set_incarnation(incarnation);
    return Command(DebtorKey(kTenant, "d1"), absl::StrCat(attempt_id, "/begin/", send_try), c);
  }

  absl::Status Complete(const std::string& attempt_id, app::SendOutcome outcome, int send_try = 0) {
    app::ContactCommand c;
    c.mutable_complete_send()->set_attempt_id(attempt_id);
    c.mutable_complete_send()->set_send_try(send_try);
    c.mutable_complete_send()->set_outcome(outcome);
    c.mutable_complete_send()->set_provider("smtp");
    c.mutable_complete_send()->set_provider_message_id("<m@x>");
    c.mutable_complete_send()->set_code("smtp 550");
    return Command(DebtorKey(kTenant, "d1"), absl::StrCat(attempt_id, "/complete/", send_try), c);
  }

  size_t Count(const std::string& type) { return bus_.EventsOfType(type).size(); }

  platform::SimulatedClock clock_;
  ContactHandler handler_;
  InMemoryBus bus_;
};

TEST_F(HandlerTest, RequestIsRecordedIntendedWithAWatchdogDueNow) {
  const std::string id = Request("ev-1");
  app::Attempt a = AttemptOf(id);
  EXPECT_EQ(a.phase(), app::PHASE_PENDING_DECISION);
  EXPECT_EQ(AttemptStatusOf(a.phase()), v1::ATTEMPT_STATUS_INTENDED);
  EXPECT_EQ(a.ref().debtor_id(), "d1");
  EXPECT_EQ(a.ref().step(), 1);
  EXPECT_EQ(a.ref().template_id(), "reminder-1");
  EXPECT_THAT(a.ref().invoice_ids(), ::testing::ElementsAre("inv-1"));
  auto timers = bus_.PendingTimers();
  ASSERT_THAT(timers, SizeIs(1));
  EXPECT_EQ(timers[0].first, SendTimerKind(id));
  EXPECT_EQ(timers[0].second, T0());
  auto indexed = bus_.LookupIndex(AttemptIndex(kTenant, id));
  ASSERT_THAT(indexed, IsOk());
  EXPECT_EQ(indexed->value_or(""), DebtorKey(kTenant, "d1"));

  // The same event again (redelivery) changes nothing.
  Request("ev-1");
  EXPECT_THAT(Record().attempts(), SizeIs(1));
}

TEST_F(HandlerTest, WatchdogRearmsWhileActiveAndStopsWhenDone) {
  const std::string id = Request("ev-1");
  EXPECT_EQ(bus_.FireDueTimers(), 1);
  auto timers = bus_.PendingTimers();
  ASSERT_THAT(timers, SizeIs(1));
  EXPECT_EQ(timers[0].second, T0() + absl::Seconds(30));
  ASSERT_THAT(Decide(id, app::VERDICT_ALLOW), IsOk());
  ASSERT_THAT(Begin(id), IsOk());
  ASSERT_THAT(Complete(id, app::SEND_OUTCOME_ACCEPTED), IsOk());
  EXPECT_THAT(bus_.PendingTimers(), SizeIs(0));
}

TEST_F(HandlerTest, AllowedThenSentEmitsIntendedAndSent) {
  const std::string id = Request("ev-1");
  ASSERT_THAT(Decide(id, app::VERDICT_ALLOW), IsOk());
  app::Attempt a = AttemptOf(id);
  EXPECT_EQ(a.phase(), app::PHASE_READY);
  EXPECT_EQ(a.ref().channel(), v1::CHANNEL_EMAIL);
  EXPECT_EQ(a.ref().contact_point_id(), "cp-email");
  EXPECT_EQ(Count("concerto.contact.v1.ContactAttemptIntended"), 1u);

  // The decision's command is deduplicated: the second one is the stored answer.
  ASSERT_THAT(Decide(id, app::VERDICT_ALLOW), IsOk());
  EXPECT_EQ(Count("concerto.contact.v1.ContactAttemptIntended"), 1u);

  ASSERT_THAT(Begin(id), IsOk());
  EXPECT_EQ(AttemptOf(id).phase(), app::PHASE_SENDING);
  EXPECT_EQ(AttemptOf(id).sending_by(), "inc-1");
  EXPECT_EQ(AttemptStatusOf(app::PHASE_SENDING), v1::ATTEMPT_STATUS_INTENDED);
  ASSERT_THAT(Complete(id, app::SEND_OUTCOME_ACCEPTED), IsOk());
  a = AttemptOf(id);
  EXPECT_EQ(a.phase(), app::PHASE_SENT);
  EXPECT_EQ(a.provider_message_id(), "<m@x>");
  auto sent = bus_.EventsOfType("concerto.contact.v1.ContactAttemptSent");
  ASSERT_THAT(sent, SizeIs(1));
  v1::ContactAttemptSent e;
  ASSERT_TRUE(e.ParseFromString(sent[0].payload));
  EXPECT_EQ(e.attempt().attempt_id(), id);
  EXPECT_EQ(e.provider(), "smtp");
  // Nothing can be sent again.
  EXPECT_THAT(Begin(id, 0, "inc-2"), IsOk());  // the stored answer of the first BeginSend
  EXPECT_EQ(AttemptOf(id).phase(), app::PHASE_SENT);
  EXPECT_THAT(Begin(id, 1, "inc-2"), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(HandlerTest, DeferralRecordsTheReasonAndMovesTheWatchdog) {
  const std::string id = Request("ev-1");
  const absl::Time until = T0() + absl::Hours(10);
  ASSERT_THAT(Decide(id, app::VERDICT_DEFER, 0, until), IsOk());
  app::Attempt a = AttemptOf(id);
  EXPECT_EQ(a.phase(), app::PHASE_DEFERRED);
  EXPECT_EQ(a.round(), 1);
  auto timers = bus_.PendingTimers();
  ASSERT_THAT(timers, SizeIs(1));
  EXPECT_EQ(timers[0].second, until);
  auto ev = bus_.EventsOfType("concerto.contact.v1.ContactAttemptSuppressed");
  ASSERT_THAT(ev, SizeIs(1));
  v1::ContactAttemptSuppressed s;
  ASSERT_TRUE(s.ParseFromString(ev[0].payload));
  EXPECT_EQ(s.explanation(), "because");
  EXPECT_TRUE(s.has_deferred_until());
  // A decision for the old round is refused; the next round decides.
  EXPECT_THAT(Decide(id, app::VERDICT_ALLOW, 0), IsOk());  // stored answer, no change
  EXPECT_EQ(AttemptOf(id).phase(), app::PHASE_DEFERRED);
  ASSERT_THAT(Decide(id, app::VERDICT_ALLOW, 1), IsOk());
  EXPECT_EQ(AttemptOf(id).phase(), app::PHASE_READY);
}

TEST_F(HandlerTest, TransientFailuresRetryWithBackoffThenFail) {
  const std::string id = Request("ev-1");
  ASSERT_THAT(Decide(id, app::VERDICT_ALLOW), IsOk());
  ASSERT_THAT(Begin(id, 0), IsOk());
  ASSERT_THAT(Complete(id, app::SEND_OUTCOME_RETRY, 0), IsOk());
  app::Attempt a = AttemptOf(id);
  EXPECT_EQ(a.phase(), app::PHASE_READY);
  EXPECT_EQ(a.send_try(), 1);
  EXPECT_EQ(TimeUtil::TimestampToMicroseconds(a.due_at()),
            absl::ToUnixMicros(T0() + absl::Seconds(10)));
  EXPECT_THAT(Begin(id, 1), StatusIs(absl::StatusCode::kFailedPrecondition));  // not due yet
  clock_.Advance(absl::Seconds(10));
  ASSERT_THAT(Begin(id, 1), IsOk());
  ASSERT_THAT(Complete(id, app::SEND_OUTCOME_RETRY, 1), IsOk());
  clock_.Advance(absl::Seconds(20));
  ASSERT_THAT(Begin(id, 2), IsOk());
  ASSERT_THAT(Complete(id, app::SEND_OUTCOME_RETRY, 2), IsOk());
  EXPECT_EQ(AttemptOf(id).phase(), app::PHASE_FAILED);
  EXPECT_THAT(bus_.PendingTimers(), SizeIs(0));
}

TEST_F(HandlerTest, HardBounceOptsTheAddressOut) {
  const std::string id = Request("ev-1");
  ASSERT_THAT(Decide(id, app::VERDICT_ALLOW), IsOk());
  ASSERT_THAT(Begin(id), IsOk());
  ASSERT_THAT(Complete(id, app::SEND_OUTCOME_BOUNCED), IsOk());
  EXPECT_EQ(AttemptOf(id).phase(), app::PHASE_BOUNCED);
  EXPECT_EQ(Count("concerto.contact.v1.ContactAttemptBounced"), 1u);
  app::DebtorRecord r = Record();
  ASSERT_THAT(r.consents(), SizeIs(1));
  EXPECT_EQ(r.consents(0).contact_point_id(), "cp-email");
  EXPECT_TRUE(r.consents(0).opted_out());
  EXPECT_EQ(r.consents(0).source(), "hard-bounce");
}

TEST_F(HandlerTest, UnknownIsAnEventAndALateAnswerResolvesIt) {
  const std::string id = Request("ev-1");
  ASSERT_THAT(Decide(id, app::VERDICT_ALLOW), IsOk());
  ASSERT_THAT(Begin(id), IsOk());
  app::ContactCommand c;
  c.mutable_mark_unknown()->set_attempt_id(id);
  c.mutable_mark_unknown()->set_explanation("crashed while sending");
  ASSERT_THAT(Command(DebtorKey(kTenant, "d1"), id + "/unknown", c), IsOk());
  EXPECT_EQ(AttemptOf(id).phase(), app::PHASE_UNKNOWN);
  EXPECT_EQ(AttemptStatusOf(app::PHASE_UNKNOWN), v1::ATTEMPT_STATUS_UNKNOWN);
  EXPECT_EQ(Count("concerto.contact.v1.ContactAttemptUnknown"), 1u);
  EXPECT_THAT(bus_.PendingTimers(), SizeIs(0));
  ASSERT_THAT(Complete(id, app::SEND_OUTCOME_ACCEPTED), IsOk());
  EXPECT_EQ(AttemptOf(id).phase(), app::PHASE_SENT);
}

TEST_F(HandlerTest, OptOutAfterTheDecisionSuppressesBeforeSending) {
  const std::string id = Request("ev-1");
  ASSERT_THAT(Decide(id, app::VERDICT_ALLOW), IsOk());
  app::ContactCommand c;
  c.mutable_consent()->set_opt_out(true);
  c.mutable_consent()->set_channel(v1::CHANNEL_EMAIL);
  c.mutable_consent()->set_source("operator");
  ASSERT_THAT(Command(DebtorKey(kTenant, "d1"), "acme/optout-1", c), IsOk());
  app::AttemptReply reply;
  ASSERT_THAT(RunCommand(&bus_, CommandInput(kTenant, id + "/begin/0", DebtorKey(kTenant, "d1"), [&] {
                app::ContactCommand b;
                b.mutable_begin_send()->set_attempt_id(id);
                b.mutable_begin_send()->set_incarnation("inc-1");
                return b;
              }()),
                         &reply),
              IsOk());
  EXPECT_EQ(reply.attempt().phase(), app::PHASE_SUPPRESSED);
  auto ev = bus_.EventsOfType("concerto.contact.v1.ContactAttemptSuppressed");
  ASSERT_THAT(ev, SizeIs(1));
  v1::ContactAttemptSuppressed s;
  ASSERT_TRUE(s.ParseFromString(ev[0].payload));
  EXPECT_EQ(s.reason(), v1::SUPPRESSION_REASON_OPTED_OUT);
}

TEST_F(HandlerTest, HandToHumanQueuesASpecialistTask) {
  const std::string id = Request("ev-1");
  ASSERT_THAT(Decide(id, app::VERDICT_HAND_TO_HUMAN), IsOk());
  app::DebtorRecord r = Record();
  ASSERT_THAT(r.attempts(), SizeIs(2));
  EXPECT_EQ(r.attempts(0).phase(), app::PHASE_SUPPRESSED);
  EXPECT_TRUE(r.attempts(0).routed_to_human());
  const app::Attempt& task = r.attempts(1);
  EXPECT_EQ(task.ref().channel(), v1::CHANNEL_PHONE);
  EXPECT_EQ(task.ref().template_id(), kSpecialistQueue);
  EXPECT_EQ(task.phase(), app::PHASE_SENT);
  ASSERT_THAT(r.call_tasks(), SizeIs(1));
  EXPECT_EQ(r.call_tasks(0).queue(), kSpecialistQueue);
  auto ev = bus_.EventsOfType("concerto.contact.v1.ContactAttemptSuppressed");
  ASSERT_THAT(ev, SizeIs(1));
  v1::ContactAttemptSuppressed s;
  ASSERT_TRUE(s.ParseFromString(ev[0].payload));
  EXPECT_TRUE(s.routed_to_human());
}

TEST_F(HandlerTest, CaseClosedSuppressesWhatIsStillPending) {
  const std::string pending = Request("ev-1");
  const std::string ready = Request("ev-2");
  ASSERT_THAT(Decide(ready, app::VERDICT_ALLOW), IsOk());
  dunning::v1::CaseClosed closed;
  closed.set_debtor_id("d1");
  closed.set_final_state(dunning::v1::CASE_STATE_PAID);
  ASSERT_THAT(bus_.Deliver(testing::Envelope("ev-3", kTenant, "d1", closed)), IsOk());
  EXPECT_EQ(AttemptOf(pending).phase(), app::PHASE_SUPPRESSED);
  EXPECT_EQ(AttemptOf(ready).phase(), app::PHASE_SUPPRESSED);
  const app::Attempt r = AttemptOf(ready);
  ASSERT_GT(r.decisions_size(), 0);
  EXPECT_THAT(r.decisions(r.decisions_size() - 1).explanation(), HasSubstr("CASE_STATE_PAID"));
  EXPECT_THAT(bus_.PendingTimers(), SizeIs(0));
}

TEST_F(HandlerTest, ErasedDebtorIsNeverContacted) {
  invoice::v1::DebtorErased erased;
  erased.set_debtor_id("d1");
  const std::string before = Request("ev-1");
  ASSERT_THAT(bus_.Deliver(testing::Envelope("ev-e", kTenant, "d1", erased)), IsOk());
  EXPECT_EQ(AttemptOf(before).phase(), app::PHASE_SUPPRESSED);
  const std::string after = Request("ev-2");
  EXPECT_EQ(AttemptOf(after).phase(), app::PHASE_SUPPRESSED);
  EXPECT_EQ(Count("concerto.contact.v1.ContactAttemptSuppressed"), 2u);
}

TEST_F(HandlerTest, CallTaskGoesToItsQueueWhenSent) {
  auto r = bus_.Deliver(testing::Envelope("ev-c", kTenant, "d1", testing::CallTask("d1")));
  ASSERT_THAT(r, IsOk());
  const std::string id = AttemptIdFor("ev-c");
  app::ContactCommand c;
  auto* d = c.mutable_apply_decision();
  d->set_attempt_id(id);
  d->mutable_decision()->set_verdict(app::VERDICT_ALLOW);
  d->mutable_decision()->set_channel(v1::CHANNEL_PHONE);
  d->mutable_decision()->set_contact_point_id("cp-phone");
  ASSERT_THAT(Command(DebtorKey(kTenant, "d1"), id + "/decide/0", c), IsOk());
  ASSERT_THAT(Begin(id), IsOk());
  ASSERT_THAT(Complete(id, app::SEND_OUTCOME_ACCEPTED), IsOk());
  app::DebtorRecord rec = Record();
  ASSERT_THAT(rec.call_tasks(), SizeIs(1));
  EXPECT_EQ(rec.call_tasks(0).queue(), "collections");
  EXPECT_EQ(rec.call_tasks(0).attempt_id(), id);
  EXPECT_EQ(AttemptOf(id).provider(), "call-queue");
}

TEST_F(HandlerTest, ReissuedInvoiceIsOneAttemptPerReissueId) {
  invoice::v1::InvoiceReissued r;
  r.set_invoice_id("inv-9");
  r.set_invoice_number("2026-0009");
  r.set_debtor_id("d1");
  r.set_reissue_id("reissue-1");
  r.mutable_open_balance()->set_minor_units(9900);
  r.mutable_open_balance()->set_currency("EUR");
  ASSERT_THAT(bus_.Deliver(testing::Envelope("inv-ev-1", kTenant, "d1", r)), IsOk());
  ASSERT_THAT(bus_.Deliver(testing::Envelope("inv-ev-2", kTenant, "d1", r)), IsOk());  // again
  app::DebtorRecord rec = Record();
  ASSERT_THAT(rec.attempts(), SizeIs(1));
  const app::Attempt& a = rec.attempts(0);
  EXPECT_EQ(a.ref().attempt_id(), AttemptIdFor("reissue/reissue-1"));
  EXPECT_EQ(a.spec().kind(), app::REQUEST_KIND_REISSUE);
  EXPECT_THAT(a.spec().channels(), ::testing::ElementsAre(v1::CHANNEL_EMAIL, v1::CHANNEL_LETTER));
  EXPECT_EQ(a.spec().invoice_numbers().at("inv-9"), "2026-0009");
  EXPECT_EQ(a.ref().template_id(), "invoice-reissue");
}

// ---- the person ledger ----

app::ContactCommand Reserve(const std::string& tenant, const std::string& attempt_id,
                            const v1::ContactPolicy& policy) {
  app::ContactCommand c;
  auto* r = c.mutable_reserve();
  r->set_attempt_id(attempt_id);
  r->set_tenant(tenant);
  *r->mutable_policy() = policy;
  r->add_channels(v1::CHANNEL_PHONE);
  invoice::v1::Debtor debtor = testing::Debtor("d1", "+39061234567");
  *r->mutable_facts() = BuildFacts(debtor, app::DebtorRecord());
  return c;
}

TEST_F(HandlerTest, LedgerSuppressesTheEighthCallInSevenDaysAcrossTwoTenants) {
  v1::ContactPolicy policy = DefaultPolicy("IT");
  policy.clear_quiet_hours();
  policy.clear_allowed_weekdays();
  policy.set_skip_public_holidays(false);
  policy.clear_min_gap();
  const std::string ledger = PersonLedgerKey("pperson");
  for (int i = 0; i < 7; ++i) {
    const std::string tenant = i % 2 == 0 ? "acme" : "globex";
    app::DecisionRecord d;
    ASSERT_THAT(RunCommand(&bus_, CommandInput(tenant, absl::StrCat("r", i), ledger,
                                               Reserve(tenant, absl::StrCat("a", i), policy)),
                           &d),
                IsOk());
    EXPECT_EQ(d.verdict(), app::VERDICT_ALLOW) << i << ": " << d.reason();
    clock_.Advance(absl::Hours(20));
  }
  app::DecisionRecord eighth;
  ASSERT_THAT(RunCommand(&bus_, CommandInput("acme", "r7", ledger, Reserve("acme", "a7", policy)),
                         &eighth),
              IsOk());
  EXPECT_EQ(eighth.verdict(), app::VERDICT_SUPPRESS);
  EXPECT_EQ(eighth.reason_code(), v1::SUPPRESSION_REASON_FREQUENCY_CAP);
  EXPECT_THAT(eighth.reason(), HasSubstr("7"));
  // The suppressed attempt reserved nothing.
  auto state = bus_.Read(ledger);
  app::PersonLedger l;
  ASSERT_TRUE(state.ok() && state->has_value() && l.ParseFromString(**state));
  EXPECT_THAT(l.entries(), SizeIs(7));
}

// ---- tenant policies ----

TEST_F(HandlerTest, PoliciesAreVersionedAndChecked) {
  app::ContactCommand c;
  *c.mutable_put_policy()->mutable_policy() = DefaultPolicy("NL");
  v1::PutPolicyResponse resp;
  ASSERT_THAT(Command(PolicyKey(kTenant), "acme/p1", c, &resp), IsOk());
  EXPECT_EQ(resp.version(), 1);
  c.mutable_put_policy()->set_expected_version(1);
  ASSERT_THAT(Command(PolicyKey(kTenant), "acme/p2", c, &resp), IsOk());
  EXPECT_EQ(resp.version(), 2);
  c.mutable_put_policy()->set_expected_version(1);
  EXPECT_THAT(Command(PolicyKey(kTenant), "acme/p3", c, &resp), StatusIs(absl::StatusCode::kAborted));
  c.mutable_put_policy()->mutable_policy()->add_caps()->set_max_attempts(0);
  c.mutable_put_policy()->set_expected_version(0);
  EXPECT_THAT(Command(PolicyKey(kTenant), "acme/p4", c, &resp),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace concerto::contact
