// ContactService on the in-memory bus (no gRPC server: the methods are called directly):
// validation naming fields, replies classified into events, opt-out by STOP, hardship to a
// specialist, call outcomes counted in the person ledger, attempts listed with their reasons,
// policies, previews, consents, surveys and idempotent retries.
#include "services/contact_channel/app/contact_service.h"

#include "absl/strings/str_cat.h"
#include "concerto/contact/v1/contact_events.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/platform/runtime/field_errors.h"
#include "libs/testing/status_matchers.h"
#include "services/contact_channel/app/contact_handler.h"
#include "services/contact_channel/app/dispatcher.h"
#include "services/contact_channel/app/facts.h"
#include "services/contact_channel/app/in_memory_bus.h"
#include "services/contact_channel/app/test_support.h"

namespace concerto::contact {
namespace {

using ::concerto::testing::IsOk;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::SizeIs;

common::v1::RequestContext Ctx(const std::string& key = "") {
  common::v1::RequestContext c;
  c.set_tenant("acme");
  c.set_idempotency_key(key);
  c.mutable_actor()->set_id("ops-1");
  return c;
}

class ContactServiceTest : public ::testing::Test {
 protected:
  ContactServiceTest()
      : clock_(absl::FromCivil(absl::CivilSecond(2026, 3, 10, 9, 0, 0), absl::UTCTimeZone())),
        bus_(&handler_, &clock_),
        email_("smtp", false) {
    auto r = MessageRenderer::BuiltIn();
    EXPECT_THAT(r, IsOk());
    renderer_ = std::make_unique<MessageRenderer>(*std::move(r));
    service_ = std::make_unique<ContactServiceImpl>(&bus_, &directory_, renderer_.get(), &clock_,
                                                    MessageSettings{}, "secret");
    directory_.Put("acme", testing::Debtor("d1", "+39061234567"));
    DispatcherOptions o;
    o.incarnation = "inc-1";
    o.person_key_secret = "secret";
    dispatcher_ = std::make_unique<Dispatcher>(
        o, &bus_, &directory_, renderer_.get(),
        std::map<v1::Channel, ChannelAdapter*>{{v1::CHANNEL_EMAIL, &email_},
                                               {v1::CHANNEL_PHONE, &calls_}},
        &clock_);
  }

  // SentAttempt runs one e-mail attempt to SENT and returns its id.
  std::string SentAttempt(const std::string& event = "ev-1") {
    EXPECT_THAT(bus_.Deliver(testing::Envelope(event, "acme", "d1",
                                               testing::ContactRequest("d1", {dunning::v1::CHANNEL_EMAIL}))),
                IsOk());
    const std::string id = AttemptIdFor(event);
    EXPECT_THAT(dispatcher_->Process(DebtorKey("acme", "d1"), id), IsOk());
    return id;
  }

  v1::RecordInboundMessageResponse Inbound(const std::string& provider_id, const std::string& body,
                                           v1::Channel channel = v1::CHANNEL_EMAIL,
                                           const std::string& in_reply_to = "",
                                           grpc::StatusCode expect = grpc::StatusCode::OK) {
    v1::RecordInboundMessageRequest req;
    *req.mutable_context() = Ctx(provider_id);
    req.set_channel(channel);
    req.set_provider_message_id(provider_id);
    req.set_from_address("maria@example.org");
    if (in_reply_to.empty()) req.set_debtor_id("d1");
    req.set_in_reply_to(in_reply_to);
    req.set_body(body);
    v1::RecordInboundMessageResponse resp;
    grpc::Status s = service_->RecordInboundMessage(nullptr, &req, &resp);
    EXPECT_EQ(s.error_code(), expect) << s.error_message();
    return resp;
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

  v1::ListAttemptsResponse List() {
    v1::ListAttemptsRequest req;
    *req.mutable_context() = Ctx();
    req.set_debtor_id("d1");
    v1::ListAttemptsResponse resp;
    EXPECT_TRUE(service_->ListAttempts(nullptr, &req, &resp).ok());
    return resp;
  }

  platform::SimulatedClock clock_;
  ContactHandler handler_;
  InMemoryBus bus_;
  testing::FakeDirectory directory_;
  testing::FakeAdapter email_;
  CallQueueAdapter calls_;
  std::unique_ptr<MessageRenderer> renderer_;
  std::unique_ptr<ContactServiceImpl> service_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

TEST_F(ContactServiceTest, BadRequestsNameTheirFields) {
  v1::RecordInboundMessageRequest req;
  req.mutable_context()->set_tenant("acme");
  v1::RecordInboundMessageResponse resp;
  grpc::Status s = service_->RecordInboundMessage(nullptr, &req, &resp);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  std::vector<std::string> fields;
  for (const auto& e : platform::BadRequestOf(s)) fields.push_back(e.field);
  EXPECT_THAT(fields, Contains("context.idempotency_key"));
  EXPECT_THAT(fields, Contains("channel"));
  EXPECT_THAT(fields, Contains("provider_message_id"));
  EXPECT_THAT(fields, Contains("body"));
  EXPECT_THAT(fields, Contains("debtor_id"));

  v1::PutPolicyRequest put;
  *put.mutable_context() = Ctx("p1");
  *put.mutable_policy() = DefaultPolicy("IT");
  put.mutable_policy()->mutable_caps(0)->mutable_window()->set_seconds(0);
  v1::PutPolicyResponse put_resp;
  s = service_->PutPolicy(nullptr, &put, &put_resp);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_THAT(platform::BadRequestOf(s), SizeIs(1));
  EXPECT_EQ(platform::BadRequestOf(s)[0].field, "policy.caps[0].window");

  v1::ListAttemptsRequest list;
  list.mutable_context()->set_tenant("policy");
  v1::ListAttemptsResponse list_resp;
  EXPECT_EQ(service_->ListAttempts(nullptr, &list, &list_resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ContactServiceTest, PromiseInAReplyBecomesReplyClassifiedWithAmountAndDate) {
  const std::string id = SentAttempt();
  v1::RecordInboundMessageResponse resp =
      Inbound("prov-1", "Buongiorno, paghero 150 euro il 20/03. Saluti", v1::CHANNEL_EMAIL,
              absl::StrCat("<", id, "@contact.concerto>"));
  EXPECT_EQ(resp.debtor_id(), "d1");
  EXPECT_EQ(resp.classification().kind(), v1::REPLY_KIND_PROMISE);
  auto replies = Events<v1::ReplyClassified>();
  ASSERT_THAT(replies, SizeIs(1));
  EXPECT_EQ(replies[0].attempt_id(), id);
  EXPECT_EQ(replies[0].source(), v1::REPLY_SOURCE_INBOUND_EMAIL);
  ASSERT_TRUE(replies[0].has_promise());
  EXPECT_EQ(replies[0].promise().amount().minor_units(), 15000);
  EXPECT_EQ(replies[0].promise().amount().currency(), "EUR");
  EXPECT_EQ(replies[0].promise().date().month(), 3);
  EXPECT_EQ(replies[0].promise().date().day(), 20);
  // The provider's id deduplicates a webhook delivered twice.
  v1::RecordInboundMessageResponse again =
      Inbound("prov-1", "Buongiorno, paghero 150 euro il 20/03. Saluti", v1::CHANNEL_EMAIL,
              absl::StrCat("<", id, "@contact.concerto>"));
  EXPECT_EQ(again.reply_id(), resp.reply_id());
  EXPECT_THAT(Events<v1::ReplyClassified>(), SizeIs(1));
}

TEST_F(ContactServiceTest, StopOptsOutAndTheNextEmailIsSuppressed) {
  SentAttempt("ev-1");
  v1::RecordInboundMessageResponse resp = Inbound("prov-stop", "STOP");
  EXPECT_TRUE(resp.opt_out_recorded());
  EXPECT_EQ(resp.classification().kind(), v1::REPLY_KIND_OPT_OUT);
  const std::string next = SentAttempt("ev-2");
  EXPECT_THAT(email_.sent(), SizeIs(1));
  v1::ListAttemptsResponse list = List();
  ASSERT_GE(list.attempts_size(), 2);
  EXPECT_EQ(list.attempts(0).ref().attempt_id(), next);
  EXPECT_EQ(list.attempts(0).status(), v1::ATTEMPT_STATUS_SUPPRESSED);
  bool opted_out_reason = false;
  for (const auto& d : list.attempts(0).decisions()) {
    opted_out_reason |= d.reason() == v1::SUPPRESSION_REASON_OPTED_OUT;
  }
  EXPECT_TRUE(opted_out_reason);
  // Opt back in: the consent state says so.
  v1::OptInRequest in;
  *in.mutable_context() = Ctx("optin-1");
  in.set_debtor_id("d1");
  in.set_channel(v1::CHANNEL_EMAIL);
  v1::ConsentState state;
  ASSERT_TRUE(service_->OptIn(nullptr, &in, &state).ok());
  ASSERT_THAT(state.channels(), SizeIs(1));
  EXPECT_FALSE(state.channels(0).opted_out());
}

TEST_F(ContactServiceTest, HardshipStartsABreathingSpaceAndQueuesASpecialist) {
  SentAttempt();
  v1::RecordInboundMessageResponse resp =
      Inbound("prov-h", "I lost my job and cannot pay anything at the moment");
  EXPECT_EQ(resp.classification().kind(), v1::REPLY_KIND_HARDSHIP);
  auto hardship = Events<v1::HardshipReported>();
  ASSERT_THAT(hardship, SizeIs(1));
  EXPECT_EQ(hardship[0].debtor_id(), "d1");
  EXPECT_EQ(hardship[0].breathing_space_until().year(), 2026);
  EXPECT_EQ(hardship[0].breathing_space_until().month(), 4);  // 30 days (IT) after 10 March
  // The next automated contact is handed to a person.
  SentAttempt("ev-2");
  EXPECT_THAT(email_.sent(), SizeIs(1));
  v1::ListAttemptsResponse list = List();
  int specialist = 0;
  for (const auto& a : list.attempts()) specialist += a.ref().template_id() == kSpecialistQueue;
  EXPECT_GE(specialist, 1);
}

TEST_F(ContactServiceTest, DisputeByReplyAndByCallRaiseDisputes) {
  SentAttempt();
  Inbound("prov-d", "La fattura non e corretta, l'importo e sbagliato");
  ASSERT_THAT(Events<v1::DisputeRaised>(), SizeIs(1));
  v1::RecordCallOutcomeRequest call;
  *call.mutable_context() = Ctx("call-1");
  call.set_debtor_id("d1");
  call.set_agent_id("agent-7");
  call.set_result(v1::CALL_RESULT_RIGHT_PARTY);
  call.set_note("the debtor said something personal");
  v1::Classification* c = call.add_outcomes();
  c->set_kind(v1::REPLY_KIND_DISPUTE);
  c->mutable_dispute()->set_reason(v1::DISPUTE_REASON_NOT_RECEIVED);
  v1::RecordCallOutcomeResponse resp;
  ASSERT_TRUE(service_->RecordCallOutcome(nullptr, &call, &resp).ok());
  EXPECT_THAT(resp.emitted_event_types(), Contains("concerto.contact.v1.ReplyClassified"));
  EXPECT_THAT(resp.emitted_event_types(), Contains("concerto.contact.v1.DisputeRaised"));
  auto disputes = Events<v1::DisputeRaised>();
  ASSERT_THAT(disputes, SizeIs(2));
  EXPECT_EQ(disputes[1].reason(), v1::DISPUTE_REASON_NOT_RECEIVED);
  EXPECT_EQ(disputes[1].source(), v1::REPLY_SOURCE_CALL_OUTCOME);
  // A retry returns the same answer; the same key for another request is refused.
  v1::RecordCallOutcomeResponse retry;
  ASSERT_TRUE(service_->RecordCallOutcome(nullptr, &call, &retry).ok());
  EXPECT_EQ(retry.reply_id(), resp.reply_id());
  EXPECT_THAT(Events<v1::DisputeRaised>(), SizeIs(2));
  call.set_result(v1::CALL_RESULT_NO_ANSWER);
  EXPECT_EQ(service_->RecordCallOutcome(nullptr, &call, &retry).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // The conversation is in the person ledger (Reg F and the after-conversation pause).
  auto ledgers = bus_.Scan(kPersonPrefix);
  ASSERT_TRUE(ledgers.ok());
  bool conversation = false;
  for (const auto& [key, state] : *ledgers) {
    app::PersonLedger l;
    l.ParseFromString(state);
    for (const auto& e : l.entries()) conversation |= e.conversation();
  }
  EXPECT_TRUE(conversation);
}

TEST_F(ContactServiceTest, ListAttemptsShowsReasonsNewestFirstAndPages) {
  const std::string first = SentAttempt("ev-1");
  clock_.Advance(absl::Hours(25));  // the default policy's minimum gap is 24 hours
  const std::string second = SentAttempt("ev-2");
  v1::ListAttemptsRequest req;
  *req.mutable_context() = Ctx();
  req.set_case_id("d1");
  req.set_page_size(1);
  v1::ListAttemptsResponse page1, page2;
  ASSERT_TRUE(service_->ListAttempts(nullptr, &req, &page1).ok());
  ASSERT_THAT(page1.attempts(), SizeIs(1));
  EXPECT_EQ(page1.attempts(0).ref().attempt_id(), second);
  EXPECT_EQ(page1.attempts(0).status(), v1::ATTEMPT_STATUS_SENT);
  ASSERT_GT(page1.attempts(0).decisions_size(), 0);
  EXPECT_THAT(page1.attempts(0).decisions(0).explanation(), HasSubstr("allowed"));
  req.set_page_token(page1.next_page_token());
  ASSERT_TRUE(service_->ListAttempts(nullptr, &req, &page2).ok());
  ASSERT_THAT(page2.attempts(), SizeIs(1));
  EXPECT_EQ(page2.attempts(0).ref().attempt_id(), first);
  EXPECT_TRUE(page2.next_page_token().empty());
}

TEST_F(ContactServiceTest, PoliciesDefaultThenVersioned) {
  v1::GetPolicyRequest get;
  *get.mutable_context() = Ctx();
  get.set_jurisdiction("it");
  v1::GetPolicyResponse got;
  ASSERT_TRUE(service_->GetPolicy(nullptr, &get, &got).ok());
  EXPECT_EQ(got.policy().jurisdiction(), "IT");
  EXPECT_EQ(got.policy().version(), 0);
  v1::PutPolicyRequest put;
  *put.mutable_context() = Ctx("p1");
  *put.mutable_policy() = got.policy();
  put.mutable_policy()->add_opt_out_keywords("BASTA");
  v1::PutPolicyResponse put_resp;
  ASSERT_TRUE(service_->PutPolicy(nullptr, &put, &put_resp).ok());
  EXPECT_EQ(put_resp.version(), 1);
  ASSERT_TRUE(service_->GetPolicy(nullptr, &get, &got).ok());
  EXPECT_EQ(got.policy().version(), 1);
  EXPECT_THAT(got.policy().opt_out_keywords(), Contains("BASTA"));
  put.mutable_context()->set_idempotency_key("p2");
  put.set_expected_version(7);
  EXPECT_EQ(service_->PutPolicy(nullptr, &put, &put_resp).error_code(), grpc::StatusCode::ABORTED);
}

TEST_F(ContactServiceTest, PreviewRendersACaseOrSampleValuesWithoutSending) {
  SentAttempt();
  v1::PreviewTemplateRequest req;
  *req.mutable_context() = Ctx();
  req.set_template_id("final-notice");
  req.set_language("it");
  req.set_channel(v1::CHANNEL_EMAIL);
  req.set_case_id("d1");
  v1::PreviewTemplateResponse resp;
  grpc::Status s = service_->PreviewTemplate(nullptr, &req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(resp.subject().empty());
  EXPECT_THAT(resp.body_text(), HasSubstr("150,00"));
  EXPECT_EQ(resp.media_type(), "text/html");
  req.set_channel(v1::CHANNEL_LETTER);
  req.clear_case_id();
  (*req.mutable_variables())["debtor_display_name"] = "Giulia Bianchi";
  (*req.mutable_variables())["nonsense"] = "x";
  ASSERT_TRUE(service_->PreviewTemplate(nullptr, &req, &resp).ok());
  EXPECT_EQ(resp.media_type(), "application/pdf");
  EXPECT_EQ(resp.document().substr(0, 5), "%PDF-");
  EXPECT_THAT(resp.warnings(), Contains(HasSubstr("nonsense")));
  EXPECT_THAT(email_.sent(), SizeIs(1));  // only the attempt itself
}

TEST_F(ContactServiceTest, SurveyAnswerIsAnEventWithoutTheComment) {
  SentAttempt();
  v1::RecordSurveyAnswerRequest req;
  *req.mutable_context() = Ctx("survey-1");
  req.set_debtor_id("d1");
  req.set_trigger(v1::SURVEY_TRIGGER_AFTER_CALL);
  req.set_csat(5);
  req.set_comment("very kind operator, my phone is +39 333 1234567");
  v1::RecordSurveyAnswerResponse resp;
  ASSERT_TRUE(service_->RecordSurveyAnswer(nullptr, &req, &resp).ok());
  auto answered = Events<v1::SurveyAnswered>();
  ASSERT_THAT(answered, SizeIs(1));
  EXPECT_EQ(answered[0].survey_id(), resp.survey_id());
  EXPECT_EQ(answered[0].csat(), 5);
  EXPECT_FALSE(answered[0].has_nps());
  EXPECT_EQ(answered[0].strategy_id(), "standard");
  EXPECT_EQ(answered[0].strategy_version(), "3");
  for (const auto& e : bus_.Events()) EXPECT_THAT(e.payload, ::testing::Not(HasSubstr("1234567")));
  req.mutable_context()->set_idempotency_key("survey-2");
  req.set_csat(9);
  EXPECT_EQ(service_->RecordSurveyAnswer(nullptr, &req, &resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace concerto::contact
