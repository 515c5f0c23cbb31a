#include "services/contact_channel/app/contact_service.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/time_util.h"
#include "libs/core/calendar.h"
#include "libs/core/stable_hash.h"
#include "libs/platform/runtime/field_errors.h"
#include "libs/platform/runtime/logging.h"
#include "libs/rules/creditor_reference.h"
#include "services/contact_channel/app/contact_handler.h"
#include "services/contact_channel/app/facts.h"
#include "services/contact_channel/domain/breathing_space.h"
#include "services/contact_channel/domain/reply_classifier.h"
#include "services/contact_channel/templates/letter.h"

namespace concerto::contact {
namespace {

using google::protobuf::util::TimeUtil;
using platform::FieldErrors;
using platform::ToGrpc;

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;
constexpr size_t kMaxTextBytes = 64 * 1024;

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(t));
}
google::protobuf::Timestamp ToProto(absl::Time t) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

std::string CommandId(const common::v1::RequestContext& ctx) {
  return absl::StrCat(ctx.tenant(), "/", ctx.idempotency_key());
}

// CheckContext adds the context's problems; "person" and "policy" are reserved (they name the
// service's own aggregates).
void CheckContext(const common::v1::RequestContext& ctx, bool write, FieldErrors* errors) {
  platform::CheckRequestContext(ctx, write, errors);
  if (ctx.tenant() == "person" || ctx.tenant() == "policy") {
    errors->push_back({"context.tenant", "reserved name"});
  }
}

void CheckDebtorId(const std::string& debtor_id, FieldErrors* errors) {
  platform::CheckRequired(debtor_id, "debtor_id", errors);
  if (debtor_id.find('/') != std::string::npos) errors->push_back({"debtor_id", "must not contain '/'"});
}

bool IsSendChannel(v1::Channel c) {
  return c != v1::CHANNEL_UNSPECIFIED && v1::Channel_IsValid(c);
}

common::v1::Date ToDate(absl::CivilDay d) {
  common::v1::Date out;
  out.set_year(static_cast<int32_t>(d.year()));
  out.set_month(d.month());
  out.set_day(d.day());
  return out;
}

// ToClassification maps the classifier's answer onto the API's Classification.
v1::Classification ToClassification(const ReplyClassification& r, const std::string& currency,
                                    absl::TimeZone zone) {
  v1::Classification c;
  c.set_kind(ToProto(r.kind));
  c.set_rule_id(r.rule_id);
  c.set_explanation(r.explanation);
  auto money = [&](common::v1::Money* m) {
    m->set_minor_units(*r.amount_minor);
    m->set_currency(r.currency.empty() ? currency : r.currency);
  };
  switch (r.kind) {
    case ReplyKind::kPromise: {
      v1::PromiseDetail* p = c.mutable_promise();
      if (r.amount_minor.has_value()) money(p->mutable_amount());
      if (r.date.has_value()) *p->mutable_date() = ToDate(*r.date);
      break;
    }
    case ReplyKind::kPaidAlready: {
      v1::PaidAlreadyDetail* p = c.mutable_paid_already();
      if (r.amount_minor.has_value()) money(p->mutable_amount());
      if (r.date.has_value()) *p->mutable_paid_on() = ToDate(*r.date);
      break;
    }
    case ReplyKind::kDispute:
      c.mutable_dispute()->set_reason(r.dispute_reason);
      break;
    case ReplyKind::kCallbackRequest:
      if (r.date.has_value()) {
        // The preferred day, at 09:00 local time (the classifier reads days, not hours).
        *c.mutable_callback()->mutable_preferred_time() =
            ToProto(absl::FromCivil(absl::CivilSecond(r.date->year(), r.date->month(),
                                                      r.date->day(), 9, 0, 0),
                                    zone));
      } else {
        c.mutable_callback();
      }
      break;
    case ReplyKind::kHardship:
      c.set_hardship(r.hardship);
      break;
    default:
      break;
  }
  return c;
}

// AttemptIdOf reads an attempt id out of an In-Reply-To value ("<att-...@domain>" or the id).
std::string AttemptIdOf(absl::string_view in_reply_to) {
  absl::string_view v = absl::StripAsciiWhitespace(in_reply_to);
  absl::ConsumePrefix(&v, "<");
  const size_t at = v.find('@');
  if (at != absl::string_view::npos) v = v.substr(0, at);
  absl::ConsumeSuffix(&v, ">");
  return std::string(v);
}

const app::Attempt* Find(const app::DebtorRecord& r, const std::string& attempt_id) {
  for (const app::Attempt& a : r.attempts()) {
    if (a.ref().attempt_id() == attempt_id) return &a;
  }
  return nullptr;
}

// LatestWithInvoices is the newest attempt that asked about invoices (previews of a case).
const app::Attempt* LatestWithInvoices(const app::DebtorRecord& r) {
  for (int i = r.attempts_size() - 1; i >= 0; --i) {
    if (r.attempts(i).spec().invoices_size() > 0) return &r.attempts(i);
  }
  return nullptr;
}

}  // namespace

v1::ContactAttempt ToApiAttempt(const app::Attempt& a) {
  v1::ContactAttempt out;
  *out.mutable_ref() = a.ref();
  out.set_status(AttemptStatusOf(a.phase()));
  out.set_language(a.language());
  *out.mutable_decisions() = a.decisions();
  if (a.has_intended_at()) *out.mutable_intended_at() = a.intended_at();
  if (a.has_sent_at()) *out.mutable_sent_at() = a.sent_at();
  if (a.has_delivered_at()) *out.mutable_delivered_at() = a.delivered_at();
  out.set_provider_message_id(a.provider_message_id());
  if (a.phase() == app::PHASE_UNKNOWN || a.phase() == app::PHASE_FAILED ||
      a.phase() == app::PHASE_BOUNCED) {
    // The operator sees why, as the attempt's last decision.
    v1::PolicyDecision* d = out.add_decisions();
    d->set_rule_id(a.phase() == app::PHASE_UNKNOWN ? "dispatch:unknown" : "dispatch:failure");
    d->set_outcome(v1::POLICY_OUTCOME_UNSPECIFIED);
    d->set_explanation(a.failure());
  }
  return out;
}

ContactServiceImpl::ContactServiceImpl(AggregateBus* bus, DebtorDirectory* directory,
                                       const MessageRenderer* renderer,
                                       const platform::Clock* clock, MessageSettings settings,
                                       const std::string& person_key_secret)
    : bus_(bus),
      directory_(directory),
      renderer_(renderer),
      clock_(clock),
      settings_(std::move(settings)),
      hasher_(person_key_secret) {}

absl::StatusOr<std::optional<app::DebtorRecord>> ContactServiceImpl::ReadRecord(
    const std::string& tenant, const std::string& debtor_id) {
  absl::StatusOr<std::optional<std::string>> state = bus_->Read(DebtorKey(tenant, debtor_id));
  if (!state.ok()) return state.status();
  if (!state->has_value()) return std::optional<app::DebtorRecord>();
  app::DebtorRecord r;
  if (!r.ParseFromString(**state)) return absl::DataLossError("contact record does not decode");
  return std::optional<app::DebtorRecord>(std::move(r));
}

absl::StatusOr<app::TenantPolicies> ContactServiceImpl::ReadPolicies(const std::string& tenant) {
  absl::StatusOr<std::optional<std::string>> state = bus_->Read(PolicyKey(tenant));
  if (!state.ok()) return state.status();
  app::TenantPolicies p;
  if (state->has_value() && !p.ParseFromString(**state)) {
    return absl::DataLossError("tenant policies do not decode");
  }
  return p;
}

// ---- RecordCallOutcome ----

grpc::Status ContactServiceImpl::RecordCallOutcome(grpc::ServerContext*,
                                                   const v1::RecordCallOutcomeRequest* req,
                                                   v1::RecordCallOutcomeResponse* resp) {
  FieldErrors errors;
  CheckContext(req->context(), true, &errors);
  CheckDebtorId(req->debtor_id(), &errors);
  if (req->result() == v1::CALL_RESULT_UNSPECIFIED || !v1::CallResult_IsValid(req->result())) {
    errors.push_back({"result", "required"});
  }
  if (req->note().size() > kMaxTextBytes) errors.push_back({"note", "at most 64 KiB"});
  for (int i = 0; i < req->outcomes_size(); ++i) {
    const v1::ReplyKind k = req->outcomes(i).kind();
    if (k == v1::REPLY_KIND_UNSPECIFIED || !v1::ReplyKind_IsValid(k)) {
      errors.push_back({absl::StrCat("outcomes[", i, "].kind"), "required"});
    }
  }
  if (!errors.empty()) return ToGrpc(platform::InvalidArgument(errors));
  const std::string& tenant = req->context().tenant();
  const std::string reply_id =
      absl::StrCat("call-", core::DeterministicId(tenant, req->context().idempotency_key()));
  app::ContactCommand cmd;
  cmd.mutable_call_outcome()->set_reply_id(reply_id);
  v1::RecordCallOutcomeRequest stored = *req;
  stored.clear_note();  // personal data: not kept
  stored.clear_context();
  *cmd.mutable_call_outcome()->mutable_request() = std::move(stored);
  absl::Status s = RunCommand(
      bus_, CommandInput(tenant, CommandId(req->context()), DebtorKey(tenant, req->debtor_id()), cmd),
      resp);
  if (!s.ok()) return ToGrpc(s);
  RecordCallInLedger(tenant, req->debtor_id(), *req, reply_id);
  return grpc::Status::OK;
}

void ContactServiceImpl::RecordCallInLedger(const std::string& tenant, const std::string& debtor_id,
                                            const v1::RecordCallOutcomeRequest& req,
                                            const std::string& reply_id) {
  std::string person_key;
  auto record = ReadRecord(tenant, debtor_id);
  if (record.ok() && record->has_value() && !req.attempt_id().empty()) {
    if (const app::Attempt* a = Find(**record, req.attempt_id())) person_key = a->person_key();
  }
  if (person_key.empty()) {
    auto debtor = directory_->GetDebtorContact(tenant, debtor_id,
                                               invoice::v1::CONTACT_PURPOSE_CALL_TASK,
                                               req.case_id());
    if (!debtor.ok()) {
      platform::LogWarn("call not counted in the person ledger: no master data",
                        {{"reply_id", reply_id}, {"error", debtor.status().ToString()}});
      return;
    }
    person_key = PersonKeyOf(*debtor, tenant, hasher_);
  }
  app::ContactCommand cmd;
  app::RecordCallCommand* c = cmd.mutable_record_call();
  c->set_attempt_id(req.attempt_id().empty() ? reply_id : req.attempt_id());
  c->set_tenant(tenant);
  *c->mutable_at() = req.has_started_at() ? req.started_at() : ToProto(clock_->Now());
  c->set_conversation(req.result() == v1::CALL_RESULT_RIGHT_PARTY);
  absl::Status s = RunCommand(
      bus_, CommandInput(tenant, absl::StrCat(reply_id, "/ledger"), PersonLedgerKey(person_key), cmd),
      nullptr);
  if (!s.ok()) {
    platform::LogWarn("call not counted in the person ledger",
                      {{"reply_id", reply_id}, {"error", s.ToString()}});
  }
}

// ---- RecordInboundMessage ----

grpc::Status ContactServiceImpl::RecordInboundMessage(grpc::ServerContext*,
                                                      const v1::RecordInboundMessageRequest* req,
                                                      v1::RecordInboundMessageResponse* resp) {
  FieldErrors errors;
  CheckContext(req->context(), true, &errors);
  if (req->channel() != v1::CHANNEL_EMAIL && req->channel() != v1::CHANNEL_SMS) {
    errors.push_back({"channel", "must be CHANNEL_EMAIL or CHANNEL_SMS"});
  }
  platform::CheckRequired(req->provider_message_id(), "provider_message_id", &errors, 256);
  if (req->body().empty() && req->subject().empty()) errors.push_back({"body", "required"});
  if (req->body().size() > kMaxTextBytes) errors.push_back({"body", "at most 64 KiB"});
  if (req->debtor_id().empty() && req->in_reply_to().empty()) {
    errors.push_back({"debtor_id", "required when in_reply_to is empty"});
  }
  if (!req->debtor_id().empty()) CheckDebtorId(req->debtor_id(), &errors);
  if (!errors.empty()) return ToGrpc(platform::InvalidArgument(errors));
  const std::string& tenant = req->context().tenant();

  // Which debtor and attempt it answers.
  std::string debtor_id = req->debtor_id();
  const std::string attempt_id = req->in_reply_to().empty() ? "" : AttemptIdOf(req->in_reply_to());
  if (debtor_id.empty()) {
    auto key = bus_->LookupIndex(AttemptIndex(tenant, attempt_id));
    if (!key.ok()) return ToGrpc(key.status());
    if (!key->has_value()) {
      return ToGrpc(platform::InvalidArgument(
          {{"debtor_id", "required: in_reply_to names no attempt of this tenant"}}));
    }
    debtor_id = (*key)->substr(tenant.size() + 1);
  }
  auto record = ReadRecord(tenant, debtor_id);
  if (!record.ok()) return ToGrpc(record.status());
  const app::Attempt* about = nullptr;
  if (record->has_value()) {
    if (!attempt_id.empty()) about = Find(**record, attempt_id);
    if (about == nullptr) about = LatestWithInvoices(**record);
  }
  auto policies = ReadPolicies(tenant);
  if (!policies.ok()) return ToGrpc(policies.status());
  const std::string jurisdiction =
      about != nullptr && !about->jurisdiction().empty() ? about->jurisdiction() : "IT";
  const v1::ContactPolicy policy = PolicyFor(*policies, jurisdiction);
  absl::TimeZone zone = absl::UTCTimeZone();
  if (about != nullptr && !about->time_zone().empty()) {
    if (auto z = core::LoadZone(about->time_zone()); z.ok()) zone = *z;
  }
  const absl::Time received = req->has_received_at() ? FromProto(req->received_at()) : clock_->Now();
  ClassifyOptions options;
  options.language_hint = about != nullptr ? about->language() : "";
  options.reference_day = absl::ToCivilDay(received, zone);
  options.extra_opt_out_keywords.assign(policy.opt_out_keywords().begin(),
                                        policy.opt_out_keywords().end());
  const ReplyClassification r = Classify(req->body().empty() ? req->subject() : req->body(), options);
  std::string currency = "EUR";
  if (about != nullptr && !about->spec().total().currency().empty()) {
    currency = about->spec().total().currency();
  }

  app::ContactCommand cmd;
  app::InboundCommand* in = cmd.mutable_inbound();
  in->set_reply_id(absl::StrCat("msg-", core::DeterministicId(tenant, req->provider_message_id())));
  in->set_channel(req->channel());
  in->set_attempt_id(about != nullptr && about->ref().attempt_id() == attempt_id ? attempt_id : "");
  *in->mutable_classification() = ToClassification(r, currency, zone);
  in->set_language(r.language);
  *in->mutable_received_at() = ToProto(received);
  in->set_breathing_space_days(EffectiveBreathingSpaceDays(policy));
  // The provider's message id (with the tenant) is the dedupe key: a webhook delivered twice
  // records one reply, whatever idempotency key each delivery carries.
  absl::Status s = RunCommand(
      bus_,
      CommandInput(tenant, absl::StrCat(tenant, "/inbound/", req->provider_message_id()),
                   DebtorKey(tenant, debtor_id), cmd),
      resp);
  return s.ok() ? grpc::Status::OK : ToGrpc(s);
}

// ---- ListAttempts ----

grpc::Status ContactServiceImpl::ListAttempts(grpc::ServerContext*,
                                              const v1::ListAttemptsRequest* req,
                                              v1::ListAttemptsResponse* resp) {
  FieldErrors errors;
  CheckContext(req->context(), false, &errors);
  if (req->debtor_id().empty() && req->case_id().empty()) {
    errors.push_back({"debtor_id", "one of debtor_id and case_id is required"});
  }
  if (req->page_size() < 0 || req->page_size() > kMaxPageSize) {
    errors.push_back({"page_size", absl::StrCat("must be in 0..", kMaxPageSize)});
  }
  int offset = 0;
  if (!req->page_token().empty() && (!absl::SimpleAtoi(req->page_token(), &offset) || offset < 0)) {
    errors.push_back({"page_token", "not a token of this API"});
  }
  if (!errors.empty()) return ToGrpc(platform::InvalidArgument(errors));
  // A dunning case is addressed by its debtor account: case_id is the debtor id.
  const std::string debtor_id = req->debtor_id().empty() ? req->case_id() : req->debtor_id();
  auto record = ReadRecord(req->context().tenant(), debtor_id);
  if (!record.ok()) return ToGrpc(record.status());
  if (!record->has_value()) return grpc::Status::OK;
  std::vector<const app::Attempt*> matching;
  for (int i = (*record)->attempts_size() - 1; i >= 0; --i) {
    const app::Attempt& a = (*record)->attempts(i);
    if (!req->case_id().empty() && a.ref().case_id() != req->case_id()) continue;
    matching.push_back(&a);
  }
  const int size = req->page_size() == 0 ? kDefaultPageSize : req->page_size();
  for (int i = offset; i < static_cast<int>(matching.size()) && i < offset + size; ++i) {
    *resp->add_attempts() = ToApiAttempt(*matching[i]);
  }
  if (offset + size < static_cast<int>(matching.size())) {
    resp->set_next_page_token(absl::StrCat(offset + size));
  }
  return grpc::Status::OK;
}

// ---- policies ----

grpc::Status ContactServiceImpl::GetPolicy(grpc::ServerContext*, const v1::GetPolicyRequest* req,
                                           v1::GetPolicyResponse* resp) {
  FieldErrors errors;
  CheckContext(req->context(), false, &errors);
  if (req->jurisdiction().size() != 2) {
    errors.push_back({"jurisdiction", "an ISO 3166-1 alpha-2 code is required"});
  }
  if (!errors.empty()) return ToGrpc(platform::InvalidArgument(errors));
  auto policies = ReadPolicies(req->context().tenant());
  if (!policies.ok()) return ToGrpc(policies.status());
  *resp->mutable_policy() = PolicyFor(*policies, req->jurisdiction());
  return grpc::Status::OK;
}

grpc::Status ContactServiceImpl::PutPolicy(grpc::ServerContext*, const v1::PutPolicyRequest* req,
                                           v1::PutPolicyResponse* resp) {
  FieldErrors errors;
  CheckContext(req->context(), true, &errors);
  if (!req->has_policy()) {
    errors.push_back({"policy", "required"});
  } else if (absl::Status s = ValidatePolicy(req->policy()); !s.ok()) {
    for (platform::FieldError& e : platform::FieldErrorsOf(s)) {
      errors.push_back({absl::StrCat("policy.", e.field), e.description});
    }
  }
  if (req->expected_version() < 0) errors.push_back({"expected_version", "must not be negative"});
  if (!errors.empty()) return ToGrpc(platform::InvalidArgument(errors));
  app::ContactCommand cmd;
  *cmd.mutable_put_policy()->mutable_policy() = req->policy();
  cmd.mutable_put_policy()->mutable_policy()->clear_version();
  cmd.mutable_put_policy()->set_expected_version(req->expected_version());
  const std::string& tenant = req->context().tenant();
  absl::Status s =
      RunCommand(bus_, CommandInput(tenant, CommandId(req->context()), PolicyKey(tenant), cmd), resp);
  return s.ok() ? grpc::Status::OK : ToGrpc(s);
}

// ---- PreviewTemplate ----

grpc::Status ContactServiceImpl::PreviewTemplate(grpc::ServerContext*,
                                                 const v1::PreviewTemplateRequest* req,
                                                 v1::PreviewTemplateResponse* resp) {
  FieldErrors errors;
  CheckContext(req->context(), false, &errors);
  platform::CheckRequired(req->template_id(), "template_id", &errors);
  if (!v1::Channel_IsValid(req->channel())) errors.push_back({"channel", "unknown"});
  if (!req->case_id().empty()) CheckDebtorId(req->case_id(), &errors);
  if (!errors.empty()) return ToGrpc(platform::InvalidArgument(errors));
  const std::string& tenant = req->context().tenant();
  const absl::Time now = clock_->Now();

  MessageContext ctx;
  if (!req->case_id().empty()) {
    auto record = ReadRecord(tenant, req->case_id());
    if (!record.ok()) return ToGrpc(record.status());
    const app::Attempt* latest = record->has_value() ? LatestWithInvoices(**record) : nullptr;
    if (latest == nullptr) {
      return ToGrpc(absl::NotFoundError("case_id: no contact request with invoices for this case"));
    }
    invoice::v1::Debtor debtor;
    auto d = directory_->GetDebtorContact(tenant, req->case_id(),
                                          invoice::v1::CONTACT_PURPOSE_CONSOLE_VIEW, req->case_id());
    if (d.ok()) {
      debtor = *std::move(d);
    } else {
      debtor.set_debtor_id(req->case_id());
      resp->add_warnings("debtor master data not available: a placeholder name is shown");
    }
    app::Attempt attempt = *latest;
    attempt.mutable_ref()->set_template_id(req->template_id());
    attempt.set_language(req->language());
    auto built = BuildContext(**record, attempt, debtor, directory_, settings_, hasher_, now);
    if (!built.ok()) return ToGrpc(built.status());
    ctx = *std::move(built);
  } else {
    const CreditorProfile& creditor = settings_.CreditorFor(tenant);
    ctx.tenant = tenant;
    ctx.language = req->language().empty() ? "en" : req->language();
    ctx.template_name = req->template_id();
    ctx.debtor_display_name = "Alex Example";
    const absl::CivilDay today = absl::ToCivilDay(now, absl::UTCTimeZone());
    ctx.invoices.push_back(InvoiceLineView{"INV-0001", today - 30, rules::Money{12345, "EUR"}});
    ctx.total = rules::Money{12345, "EUR"};
    ctx.fees = rules::Money{0, "EUR"};
    ctx.pay_by = today + settings_.pay_by_days;
    ctx.creditor_name = creditor.name;
    ctx.creditor_iban = creditor.iban;
    ctx.creditor_bic = creditor.bic;
    ctx.rf_reference = rules::CreditorReferenceForInvoiceNumber("INV-0001");
    ctx.self_service_url = absl::StrCat(settings_.self_service_url, "/", tenant, "/sample");
    ctx.country = "IT";
    resp->add_missing_variables("case_id");
  }
  if (!req->language().empty()) ctx.language = req->language();
  ctx.template_name = req->template_id();
  for (const auto& [name, value] : req->variables()) {
    if (name == "debtor_display_name") {
      ctx.debtor_display_name = value;
    } else if (name == "creditor_name") {
      ctx.creditor_name = value;
    } else if (name == "creditor_iban") {
      ctx.creditor_iban = value;
    } else if (name == "creditor_bic") {
      ctx.creditor_bic = value;
    } else if (name == "rf_reference") {
      ctx.rf_reference = value;
    } else if (name == "self_service_url") {
      ctx.self_service_url = value;
    } else if (name == "country") {
      ctx.country = absl::AsciiStrToUpper(value);
    } else if (name == "pay_by") {
      absl::CivilDay day;
      if (!absl::ParseCivilTime(value, &day)) {
        return ToGrpc(platform::InvalidArgument({{"variables.pay_by", "must be YYYY-MM-DD"}}));
      }
      ctx.pay_by = day;
    } else if (name == "total" || name == "fees") {
      auto m = rules::ParseMoney(value);
      if (!m.ok()) {
        return ToGrpc(platform::InvalidArgument(
            {{absl::StrCat("variables.", name), "must look like \"EUR 123.45\""}}));
      }
      (name == "total" ? ctx.total : ctx.fees) = *m;
    } else {
      resp->add_warnings(absl::StrCat("variable ", name, " is not used by the templates"));
    }
  }
  absl::StatusOr<RenderedMessage> m = renderer_->Render(ctx);
  if (!m.ok()) return ToGrpc(m.status());
  resp->set_subject(m->subject);
  switch (req->channel()) {
    case v1::CHANNEL_SMS:
      resp->set_body_text(m->sms);
      resp->set_media_type("text/plain");
      break;
    case v1::CHANNEL_LETTER: {
      resp->set_body_text(m->text);
      auto pdf = RenderLetterPdf(ctx, *m);
      if (!pdf.ok()) return ToGrpc(pdf.status());
      resp->set_document(*std::move(pdf));
      resp->set_media_type("application/pdf");
      break;
    }
    default:
      resp->set_body_text(m->text);
      resp->set_body_html(m->html);
      resp->set_media_type("text/html");
      break;
  }
  return grpc::Status::OK;
}

// ---- consent ----

grpc::Status ContactServiceImpl::Consent(const common::v1::RequestContext& context,
                                         const std::string& debtor_id, v1::Channel channel,
                                         const std::string& contact_point_id,
                                         const std::string& source, bool opt_out,
                                         v1::ConsentState* response) {
  FieldErrors errors;
  CheckContext(context, true, &errors);
  CheckDebtorId(debtor_id, &errors);
  if (!IsSendChannel(channel)) errors.push_back({"channel", "required"});
  if (contact_point_id.size() > 128) errors.push_back({"contact_point_id", "at most 128 characters"});
  if (source.size() > 64) errors.push_back({"source", "at most 64 characters"});
  if (!errors.empty()) return ToGrpc(platform::InvalidArgument(errors));
  app::ContactCommand cmd;
  app::ConsentCommand* c = cmd.mutable_consent();
  c->set_opt_out(opt_out);
  c->set_channel(channel);
  c->set_contact_point_id(contact_point_id);
  c->set_source(source.empty() ? "operator" : source);
  absl::Status s = RunCommand(
      bus_,
      CommandInput(context.tenant(), CommandId(context), DebtorKey(context.tenant(), debtor_id), cmd),
      response);
  return s.ok() ? grpc::Status::OK : ToGrpc(s);
}

grpc::Status ContactServiceImpl::OptOut(grpc::ServerContext*, const v1::OptOutRequest* req,
                                        v1::ConsentState* resp) {
  return Consent(req->context(), req->debtor_id(), req->channel(), req->contact_point_id(),
                 req->source(), true, resp);
}

grpc::Status ContactServiceImpl::OptIn(grpc::ServerContext*, const v1::OptInRequest* req,
                                       v1::ConsentState* resp) {
  return Consent(req->context(), req->debtor_id(), req->channel(), req->contact_point_id(),
                 req->source(), false, resp);
}

// ---- surveys ----

grpc::Status ContactServiceImpl::RecordSurveyAnswer(grpc::ServerContext*,
                                                    const v1::RecordSurveyAnswerRequest* req,
                                                    v1::RecordSurveyAnswerResponse* resp) {
  FieldErrors errors;
  CheckContext(req->context(), true, &errors);
  CheckDebtorId(req->debtor_id(), &errors);
  if (req->has_csat() && (req->csat() < 1 || req->csat() > 5)) errors.push_back({"csat", "must be 1..5"});
  if (req->has_nps() && (req->nps() < 0 || req->nps() > 10)) errors.push_back({"nps", "must be 0..10"});
  if (!req->has_csat() && !req->has_nps()) errors.push_back({"csat", "csat or nps is required"});
  if (!v1::SurveyTrigger_IsValid(req->trigger())) errors.push_back({"trigger", "unknown"});
  if (req->comment().size() > kMaxTextBytes) errors.push_back({"comment", "at most 64 KiB"});
  if (!errors.empty()) return ToGrpc(platform::InvalidArgument(errors));
  const std::string& tenant = req->context().tenant();
  app::ContactCommand cmd;
  cmd.mutable_survey()->set_survey_id(
      absl::StrCat("srv-", core::DeterministicId(tenant, req->context().idempotency_key())));
  v1::RecordSurveyAnswerRequest stored = *req;
  stored.clear_comment();  // personal data: not kept
  stored.clear_context();
  *cmd.mutable_survey()->mutable_request() = std::move(stored);
  absl::Status s = RunCommand(
      bus_, CommandInput(tenant, CommandId(req->context()), DebtorKey(tenant, req->debtor_id()), cmd),
      resp);
  return s.ok() ? grpc::Status::OK : ToGrpc(s);
}

}  // namespace concerto::contact
