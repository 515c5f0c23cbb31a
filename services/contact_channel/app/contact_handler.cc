#include "services/contact_channel/app/contact_handler.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "concerto/dunning/v1/case.pb.h"
#include "concerto/invoice/v1/invoice_events.pb.h"
#include "google/protobuf/util/time_util.h"
#include "libs/core/stable_hash.h"
#include "services/contact_channel/app/facts.h"
#include "services/contact_channel/domain/attempt_request.h"
#include "services/contact_channel/domain/breathing_space.h"
#include "services/contact_channel/domain/contact_policy.h"

namespace concerto::contact {
namespace {

using app::Attempt;
using app::DebtorRecord;
using app::Phase;
using google::protobuf::Timestamp;
using google::protobuf::util::TimeUtil;
using platform::Effects;
using platform::Input;

// Ledger entries older than the longest window a policy may use (366 days) plus a margin.
constexpr absl::Duration kLedgerRetention = absl::Hours(24 * 370);

Timestamp ToProto(absl::Time t) { return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t)); }
absl::Time FromProto(const Timestamp& t) {
  return absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(t));
}

common::v1::Date ToDate(absl::CivilDay d) {
  common::v1::Date out;
  out.set_year(static_cast<int32_t>(d.year()));
  out.set_month(d.month());
  out.set_day(d.day());
  return out;
}

absl::Status NotFound(const std::string& what) {
  absl::Status s = absl::FailedPreconditionError(what);
  s.SetPayload(kNotFoundPayload, absl::Cord("1"));
  return s;
}

absl::Status Aborted(const std::string& what) {
  absl::Status s = absl::FailedPreconditionError(what);
  s.SetPayload(kAbortedPayload, absl::Cord("1"));
  return s;
}

template <typename M>
absl::StatusOr<M> Payload(const Input& input) {
  M m;
  if (!m.ParseFromString(input.event.payload())) {
    return absl::InvalidArgumentError(absl::StrCat("payload: does not decode as ", input.event.type()));
  }
  return m;
}

template <typename M>
bool Is(const Input& input) {
  return input.event.type() == M::descriptor()->full_name();
}

void Emit(Effects* fx, const google::protobuf::Message& m, const std::string& tenant) {
  fx->events.push_back({kContactEventsTopic, "", tenant, m.GetDescriptor()->full_name(),
                        m.SerializeAsString(), 1});
}

void SetReply(Effects* fx, const Input& input, const google::protobuf::Message& reply) {
  app::StoredReply stored;
  stored.set_command(input.command);
  stored.set_reply(reply.SerializeAsString());
  fx->result = stored.SerializeAsString();
}

Attempt* FindAttempt(DebtorRecord* r, const std::string& attempt_id) {
  for (Attempt& a : *r->mutable_attempts()) {
    if (a.ref().attempt_id() == attempt_id) return &a;
  }
  return nullptr;
}

v1::PolicyOutcome OutcomeOf(app::Verdict v) {
  switch (v) {
    case app::VERDICT_ALLOW:
      return v1::POLICY_OUTCOME_ALLOW;
    case app::VERDICT_DEFER:
      return v1::POLICY_OUTCOME_DEFER;
    case app::VERDICT_SUPPRESS:
      return v1::POLICY_OUTCOME_SUPPRESS;
    case app::VERDICT_HAND_TO_HUMAN:
      return v1::POLICY_OUTCOME_ROUTE_TO_HUMAN;
    default:
      return v1::POLICY_OUTCOME_UNSPECIFIED;
  }
}

app::Verdict ToVerdictProto(Verdict v) {
  switch (v) {
    case Verdict::kAllow:
      return app::VERDICT_ALLOW;
    case Verdict::kDefer:
      return app::VERDICT_DEFER;
    case Verdict::kSuppress:
      return app::VERDICT_SUPPRESS;
    case Verdict::kHandToHuman:
      return app::VERDICT_HAND_TO_HUMAN;
  }
  return app::VERDICT_UNSPECIFIED;
}

bool Finite(absl::Time t) { return t != absl::InfinitePast() && t != absl::InfiniteFuture(); }

// ---- the watchdog timer of an attempt ----

// ArmTimer makes `due` the attempt's one pending watchdog, removing the previous one. An
// unchanged due time is left alone: the commit script adds timers before it removes them, so
// adding and removing the same timer id in one unit of work would lose it.
void ArmTimer(const std::string& key, Attempt* a, absl::Time due, Effects* fx) {
  const std::string kind = SendTimerKind(a->ref().attempt_id());
  if (a->has_timer_due()) {
    if (FromProto(a->timer_due()) == due) return;
    fx->timers_remove.push_back(platform::TimerId(key, kind, FromProto(a->timer_due())));
  }
  fx->timers_add.push_back({kind, due, a->ref().attempt_id()});
  *a->mutable_timer_due() = ToProto(due);
}

// DisarmTimer removes the attempt's pending watchdog, if any.
void DisarmTimer(const std::string& key, Attempt* a, Effects* fx) {
  if (!a->has_timer_due()) return;
  fx->timers_remove.push_back(
      platform::TimerId(key, SendTimerKind(a->ref().attempt_id()), FromProto(a->timer_due())));
  a->clear_timer_due();
}

// ---- events ----

v1::ContactAttemptSuppressed SuppressedEvent(const Attempt& a, v1::SuppressionReason reason,
                                             const std::string& explanation,
                                             const std::string& rule_id) {
  v1::ContactAttemptSuppressed e;
  *e.mutable_attempt() = a.ref();
  e.set_reason(reason);
  e.set_explanation(explanation);
  e.set_rule_id(rule_id);
  e.set_routed_to_human(a.routed_to_human());
  return e;
}

v1::PolicyDecision Decision(const std::string& rule_id, v1::PolicyOutcome outcome,
                            v1::SuppressionReason reason, const std::string& explanation,
                            absl::Time now) {
  v1::PolicyDecision d;
  d.set_rule_id(rule_id);
  d.set_outcome(outcome);
  d.set_reason(reason);
  d.set_explanation(explanation);
  *d.mutable_decided_at() = ToProto(now);
  return d;
}

// The debtor record's handler state for one input.
class RecordApplier {
 public:
  RecordApplier(const HandlerOptions& options, const std::string& key, DebtorRecord* record,
                absl::Time now, Effects* fx)
      : options_(options), key_(key), r_(record), now_(now), fx_(fx) {}

  // ---- attempt life-cycle ----

  // Suppress ends an active attempt without contact.
  void Suppress(Attempt* a, v1::SuppressionReason reason, const std::string& explanation,
                const std::string& rule_id, bool record_decision = true) {
    StopTimer(a);
    a->set_phase(app::PHASE_SUPPRESSED);
    if (record_decision) {
      *a->add_decisions() = Decision(rule_id, v1::POLICY_OUTCOME_SUPPRESS, reason, explanation, now_);
    }
    Emit(fx_, SuppressedEvent(*a, reason, explanation, rule_id), r_->tenant());
  }

  // HandToHuman ends an automated attempt and queues a task for the specialist queue instead.
  void HandToHuman(Attempt* a, v1::SuppressionReason reason, const std::string& explanation,
                   const std::string& rule_id, bool record_decision = true) {
    StopTimer(a);
    a->set_phase(app::PHASE_SUPPRESSED);
    a->set_routed_to_human(true);
    if (record_decision) {
      *a->add_decisions() =
          Decision(rule_id, v1::POLICY_OUTCOME_ROUTE_TO_HUMAN, reason, explanation, now_);
    }
    Emit(fx_, SuppressedEvent(*a, reason, explanation, rule_id), r_->tenant());
    const std::string source = a->ref().attempt_id();
    v1::AttemptRef ref = a->ref();
    AddHumanTask(source, kSpecialistQueue, explanation, ref, rule_id, reason);
  }

  // AddHumanTask queues a task for an operator, listed as a PHONE attempt of its own.
  void AddHumanTask(const std::string& cause_id, const std::string& queue,
                    const std::string& reason, const v1::AttemptRef& about,
                    const std::string& rule_id, v1::SuppressionReason code) {
    const std::string id = absl::StrCat("att-", core::DeterministicId(cause_id, "human/" + queue));
    if (FindAttempt(r_, id) != nullptr) return;
    Attempt* t = r_->add_attempts();
    t->mutable_ref()->set_attempt_id(id);
    t->mutable_ref()->set_case_id(about.case_id().empty() ? r_->debtor_id() : about.case_id());
    t->mutable_ref()->set_debtor_id(r_->debtor_id());
    t->mutable_ref()->set_channel(v1::CHANNEL_PHONE);
    t->mutable_ref()->set_template_id(queue);
    t->mutable_ref()->set_step(about.step());
    *t->mutable_ref()->mutable_invoice_ids() = about.invoice_ids();
    t->mutable_spec()->set_kind(app::REQUEST_KIND_HUMAN);
    t->mutable_spec()->add_channels(v1::CHANNEL_PHONE);
    t->mutable_spec()->set_queue(queue);
    *t->mutable_spec()->mutable_requested_at() = ToProto(now_);
    *t->add_decisions() = Decision(rule_id, v1::POLICY_OUTCOME_ROUTE_TO_HUMAN, code, reason, now_);
    *t->mutable_intended_at() = ToProto(now_);
    QueueCallTask(t, queue, "", reason);
  }

  // QueueCallTask puts the attempt's call task in `queue` and marks it SENT (queued).
  void QueueCallTask(Attempt* a, const std::string& queue, const std::string& script,
                     const std::string& reason) {
    app::CallTask* task = r_->add_call_tasks();
    task->set_task_id(absl::StrCat("task-", core::DeterministicId(a->ref().attempt_id(), "task")));
    task->set_attempt_id(a->ref().attempt_id());
    task->set_queue(queue);
    task->set_script(script);
    task->set_reason(reason);
    *task->mutable_created_at() = ToProto(now_);
    a->set_phase(app::PHASE_SENT);
    a->set_provider("call-queue");
    a->set_provider_message_id(absl::StrCat(queue, "/", task->task_id()));
    *a->mutable_sent_at() = ToProto(now_);
    v1::ContactAttemptSent sent;
    *sent.mutable_attempt() = a->ref();
    sent.set_provider(a->provider());
    sent.set_provider_message_id(a->provider_message_id());
    *sent.mutable_sent_at() = ToProto(now_);
    Emit(fx_, sent, r_->tenant());
  }

  // StopTimer removes the attempt's pending watchdog.
  void StopTimer(Attempt* a) { DisarmTimer(key_, a, fx_); }

  // Reschedule makes the attempt due at `due`, its watchdog with it.
  void Reschedule(Attempt* a, absl::Time due) {
    *a->mutable_due_at() = ToProto(due);
    ArmTimer(key_, a, due, fx_);
  }

  // NewAttempt records a requested attempt: suppressed or handed to a human at once when the
  // record already says so, else INTENDED (pending the policy) with its watchdog due now.
  void NewAttempt(Attempt a) {
    const std::string id = a.ref().attempt_id();
    if (FindAttempt(r_, id) != nullptr) return;  // the same request again
    fx_->index_put.emplace_back(AttemptIndex(r_->tenant(), id), key_);
    *a.mutable_intended_at() = ToProto(now_);
    *a.mutable_spec()->mutable_requested_at() = ToProto(now_);
    Attempt* added = r_->add_attempts();
    *added = std::move(a);
    added->set_phase(app::PHASE_PENDING_DECISION);
    if (r_->erased()) {
      Suppress(added, v1::SUPPRESSION_REASON_ERASED, "suppressed: personal data erased or restricted",
               "erased");
      return;
    }
    if (r_->vulnerable()) {
      HandToHuman(added, v1::SUPPRESSION_REASON_VULNERABLE,
                  "handed to a human: vulnerable debtor, no automated contact",
                  "vulnerable_to_human");
      return;
    }
    if (InBreathingSpace() || r_->hardship()) {
      std::string reason = "handed to a human: hardship reported";
      if (r_->has_breathing_space_until()) {
        absl::StrAppend(&reason, ", breathing space until ", DateText(r_->breathing_space_until()));
      }
      absl::StrAppend(&reason, "; no automated contact");
      HandToHuman(added, v1::SUPPRESSION_REASON_HARDSHIP, reason, "vulnerable_to_human");
      return;
    }
    Reschedule(added, now_);
  }

  bool InBreathingSpace() const {
    if (!r_->has_breathing_space_until()) return false;
    const auto& d = r_->breathing_space_until();
    return absl::ToCivilDay(now_, absl::UTCTimeZone()) <= absl::CivilDay(d.year(), d.month(), d.day());
  }

  static std::string DateText(const common::v1::Date& d) {
    return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
  }

  // SuppressPending ends every active automated attempt that has not reached a provider.
  void SuppressPending(v1::SuppressionReason reason, const std::string& explanation,
                       const std::string& rule_id, bool to_human) {
    const int n = r_->attempts_size();
    for (int i = 0; i < n; ++i) {
      Attempt* a = r_->mutable_attempts(i);
      if (a->spec().kind() == app::REQUEST_KIND_HUMAN) continue;
      if (a->phase() != app::PHASE_PENDING_DECISION && a->phase() != app::PHASE_READY &&
          a->phase() != app::PHASE_DEFERRED) {
        continue;
      }
      if (a->spec().kind() == app::REQUEST_KIND_REISSUE && !to_human &&
          reason == v1::SUPPRESSION_REASON_OTHER) {
        continue;  // a re-issued invoice is sent whatever the case does
      }
      if (to_human) {
        HandToHuman(a, reason, explanation, rule_id);
        a = r_->mutable_attempts(i);  // HandToHuman may have grown the list
      } else {
        Suppress(a, reason, explanation, rule_id);
      }
    }
  }

  bool ChannelOptedOut(v1::Channel channel, const std::string& point) const {
    bool channel_out = false, point_out = false;
    for (const auto& c : r_->consents()) {
      if (c.channel() != channel) continue;
      if (c.contact_point_id().empty()) channel_out = c.opted_out();
      if (!point.empty() && c.contact_point_id() == point) point_out = c.opted_out();
    }
    return channel_out || point_out;
  }

  void SetConsent(v1::Channel channel, const std::string& point, bool opted_out,
                  const std::string& source) {
    for (auto& c : *r_->mutable_consents()) {
      if (c.channel() == channel && c.contact_point_id() == point) {
        c.set_opted_out(opted_out);
        *c.mutable_changed_at() = ToProto(now_);
        c.set_source(source);
        return;
      }
    }
    v1::ChannelConsentState* c = r_->add_consents();
    c->set_channel(channel);
    c->set_contact_point_id(point);
    c->set_opted_out(opted_out);
    *c->mutable_changed_at() = ToProto(now_);
    c->set_source(source);
  }

  // Prune drops the oldest finished attempts, done tasks and replies beyond the limit.
  void Prune() {
    const int limit = options_.max_kept;
    auto* attempts = r_->mutable_attempts();
    while (attempts->size() > limit) {
      auto it = std::find_if(attempts->begin(), attempts->end(),
                             [](const Attempt& a) { return !IsActive(a.phase()); });
      if (it == attempts->end()) break;
      attempts->erase(it);
    }
    auto* tasks = r_->mutable_call_tasks();
    while (tasks->size() > limit) {
      auto it = std::find_if(tasks->begin(), tasks->end(),
                             [](const app::CallTask& t) { return t.done(); });
      if (it == tasks->end()) break;
      tasks->erase(it);
    }
    auto* replies = r_->mutable_replies();
    if (replies->size() > limit) replies->DeleteSubrange(0, replies->size() - limit);
  }

  // ---- classified replies ----

  // Derive records what a classified reply means and emits its events; returns their types.
  void Derive(const std::string& reply_id, const std::string& case_id, const Attempt* about,
              v1::ReplySource source, v1::Channel channel,
              const v1::Classification& c, int breathing_days,
              std::vector<std::string>* types, bool* opt_out) {
    auto emit = [&](const google::protobuf::Message& m) {
      Emit(fx_, m, r_->tenant());
      types->push_back(m.GetDescriptor()->full_name());
    };
    const std::string point = about != nullptr ? about->ref().contact_point_id() : "";
    v1::AttemptRef about_ref;
    if (about != nullptr) about_ref = about->ref();
    switch (c.kind()) {
      case v1::REPLY_KIND_HARDSHIP: {
        r_->set_hardship(true);
        v1::HardshipKind kind = c.hardship() == v1::HARDSHIP_KIND_UNSPECIFIED
                                    ? v1::HARDSHIP_KIND_FINANCIAL
                                    : c.hardship();
        r_->set_hardship_kind(kind);
        if (kind == v1::HARDSHIP_KIND_VULNERABILITY) r_->set_vulnerable(true);
        const absl::CivilDay until = BreathingSpaceUntil(
            absl::ToCivilDay(now_, absl::UTCTimeZone()),
            breathing_days > 0 ? breathing_days : kDefaultBreathingSpaceDays);
        *r_->mutable_breathing_space_until() = ToDate(until);
        v1::HardshipReported h;
        h.set_case_id(case_id);
        h.set_debtor_id(r_->debtor_id());
        h.set_kind(kind);
        h.set_source(source);
        *h.mutable_breathing_space_until() = ToDate(until);
        h.set_reply_id(reply_id);
        emit(h);
        const std::string reason = absl::StrCat("hardship reported; breathing space until ",
                                                DateText(ToDate(until)));
        SuppressPending(v1::SUPPRESSION_REASON_HARDSHIP,
                        absl::StrCat("suppressed: ", reason, "; no automated contact"),
                        "vulnerable_to_human", /*to_human=*/false);
        about_ref.set_case_id(case_id);
        AddHumanTask(reply_id, kSpecialistQueue, reason, about_ref, "vulnerable_to_human",
                     v1::SUPPRESSION_REASON_HARDSHIP);
        break;
      }
      case v1::REPLY_KIND_DISPUTE: {
        v1::DisputeRaised d;
        d.set_dispute_id(absl::StrCat("dsp-", core::DeterministicId(reply_id, "dispute")));
        d.set_case_id(case_id);
        d.set_debtor_id(r_->debtor_id());
        d.set_reason(c.has_dispute() && c.dispute().reason() != v1::DISPUTE_REASON_UNSPECIFIED
                         ? c.dispute().reason()
                         : v1::DISPUTE_REASON_OTHER);
        if (c.has_dispute()) *d.mutable_invoice_ids() = c.dispute().invoice_ids();
        d.set_source(source);
        d.set_reply_id(reply_id);
        emit(d);
        break;
      }
      case v1::REPLY_KIND_OPT_OUT:
        SetConsent(channel, point, true,
                   source == v1::REPLY_SOURCE_INBOUND_SMS ? "sms-stop" : "reply-opt-out");
        *opt_out = true;
        break;
      case v1::REPLY_KIND_WRONG_PERSON:
        if (!point.empty()) SetConsent(channel, point, true, "wrong-person");
        about_ref.set_case_id(case_id);
        AddHumanTask(reply_id, "replies", "wrong person at this contact point", about_ref,
                     "reply", v1::SUPPRESSION_REASON_OTHER);
        break;
      case v1::REPLY_KIND_CALLBACK:
        about_ref.set_case_id(case_id);
        AddHumanTask(reply_id, "callback", "the debtor asked to be called back", about_ref,
                     "reply", v1::SUPPRESSION_REASON_UNSPECIFIED);
        break;
      case v1::REPLY_KIND_OTHER:
      case v1::REPLY_KIND_UNSPECIFIED:
        if (source != v1::REPLY_SOURCE_CALL_OUTCOME) {
          about_ref.set_case_id(case_id);
          AddHumanTask(reply_id, "replies", "reply not understood: an operator reads it",
                       about_ref, "reply", v1::SUPPRESSION_REASON_UNSPECIFIED);
        }
        break;
      default:
        break;  // promise, paid already, plan request: ReplyClassified carries the detail
    }
  }

  DebtorRecord* record() { return r_; }
  const std::string& key() const { return key_; }
  absl::Time now() const { return now_; }
  Effects* fx() { return fx_; }

 private:
  const HandlerOptions& options_;
  const std::string& key_;
  DebtorRecord* r_;
  const absl::Time now_;
  Effects* fx_;
};

v1::ReplyClassified ReplyEvent(const std::string& reply_id, const std::string& case_id,
                               const std::string& debtor_id, const std::string& attempt_id,
                               v1::ReplySource source, v1::Channel channel,
                               const v1::Classification& c, const std::string& language,
                               const Timestamp& received_at) {
  v1::ReplyClassified e;
  e.set_reply_id(reply_id);
  e.set_case_id(case_id);
  e.set_debtor_id(debtor_id);
  e.set_attempt_id(attempt_id);
  e.set_source(source);
  e.set_channel(channel);
  e.set_kind(c.kind());
  switch (c.detail_case()) {
    case v1::Classification::kPromise:
      *e.mutable_promise() = c.promise();
      break;
    case v1::Classification::kDispute:
      *e.mutable_dispute() = c.dispute();
      break;
    case v1::Classification::kCallback:
      *e.mutable_callback() = c.callback();
      break;
    case v1::Classification::kPaidAlready:
      *e.mutable_paid_already() = c.paid_already();
      break;
    default:
      break;
  }
  e.set_rule_id(c.rule_id().empty() ? "operator" : c.rule_id());
  e.set_language(language);
  *e.mutable_received_at() = received_at;
  return e;
}

// ---- events on a debtor record ----

// AttemptFrom builds a requested attempt; its id derives from `anchor_id` (the request's event
// id, or a re-issue id).
Attempt AttemptFrom(const std::string& debtor_id, const std::string& anchor_id,
                    app::RequestKind kind, int step,
                    const std::string& template_id,
                    const google::protobuf::RepeatedPtrField<dunning::v1::InvoiceRef>& invoices,
                    const common::v1::Money& total) {
  Attempt a;
  a.mutable_ref()->set_attempt_id(AttemptIdFor(anchor_id));
  a.mutable_ref()->set_case_id(debtor_id);
  a.mutable_ref()->set_debtor_id(debtor_id);
  a.mutable_ref()->set_template_id(template_id);
  a.mutable_ref()->set_step(step);
  for (const auto& inv : invoices) a.mutable_ref()->add_invoice_ids(inv.invoice_id());
  a.mutable_spec()->set_kind(kind);
  *a.mutable_spec()->mutable_invoices() = invoices;
  *a.mutable_spec()->mutable_total() = total;
  a.mutable_spec()->set_request_event_id(anchor_id);
  return a;
}

absl::Status ApplyEvent(RecordApplier& ap, const Input& input) {
  DebtorRecord* r = ap.record();
  const std::string& id = input.id;
  auto set_assignment = [&](const dunning::v1::StrategyAssignment& s) {
    *r->mutable_assignment() = s;
  };
  if (Is<dunning::v1::ContactRequested>(input)) {
    auto m = Payload<dunning::v1::ContactRequested>(input);
    if (!m.ok()) return m.status();
    set_assignment(m->assignment());
    Attempt a = AttemptFrom(r->debtor_id(), id, app::REQUEST_KIND_CONTACT, m->step(),
                            m->template_(), m->invoices(), m->total());
    for (v1::Channel c : FromContactRequested(r->tenant(), *m).channels) a.mutable_spec()->add_channels(c);
    a.mutable_spec()->set_days_past_due(m->days_past_due());
    if (a.spec().channels().empty()) a.mutable_spec()->add_channels(v1::CHANNEL_EMAIL);
    ap.NewAttempt(std::move(a));
  } else if (Is<dunning::v1::CallTaskRequested>(input)) {
    auto m = Payload<dunning::v1::CallTaskRequested>(input);
    if (!m.ok()) return m.status();
    set_assignment(m->assignment());
    Attempt a = AttemptFrom(r->debtor_id(), id, app::REQUEST_KIND_CALL_TASK,
                            m->step(), m->script(), m->invoices(), m->total());
    for (v1::Channel c : FromCallTaskRequested(r->tenant(), *m).channels) a.mutable_spec()->add_channels(c);
    a.mutable_spec()->set_queue(m->queue().empty() ? kDefaultCallQueue : m->queue());
    a.mutable_spec()->set_script(m->script());
    ap.NewAttempt(std::move(a));
  } else if (Is<dunning::v1::FinalNoticeRequested>(input)) {
    auto m = Payload<dunning::v1::FinalNoticeRequested>(input);
    if (!m.ok()) return m.status();
    set_assignment(m->assignment());
    Attempt a = AttemptFrom(r->debtor_id(), id, app::REQUEST_KIND_FINAL_NOTICE,
                            m->step(), m->template_(), m->invoices(), m->total());
    for (v1::Channel c : FromFinalNoticeRequested(r->tenant(), *m).channels) {
      a.mutable_spec()->add_channels(c);
    }
    *a.mutable_spec()->mutable_expires() = m->expires();
    ap.NewAttempt(std::move(a));
  } else if (Is<dunning::v1::FeesApplied>(input)) {
    auto m = Payload<dunning::v1::FeesApplied>(input);
    if (!m.ok()) return m.status();
    set_assignment(m->assignment());
    if (r->fees().currency().empty() || r->fees().currency() == m->total().currency()) {
      r->mutable_fees()->set_currency(m->total().currency());
      r->mutable_fees()->set_minor_units(r->fees().minor_units() + m->total().minor_units());
    }
  } else if (Is<dunning::v1::CaseOpened>(input)) {
    auto m = Payload<dunning::v1::CaseOpened>(input);
    if (!m.ok()) return m.status();
    set_assignment(m->assignment());
    r->clear_fees();
    r->set_case_state(dunning::v1::CASE_STATE_CURRENT);
  } else if (Is<dunning::v1::CaseTransitioned>(input)) {
    auto m = Payload<dunning::v1::CaseTransitioned>(input);
    if (!m.ok()) return m.status();
    set_assignment(m->assignment());
    r->set_case_state(m->to());
    if (m->to() != dunning::v1::CASE_STATE_CURRENT && m->to() != dunning::v1::CASE_STATE_DUNNING &&
        m->to() != dunning::v1::CASE_STATE_AGENT_REVIEW) {
      ap.SuppressPending(v1::SUPPRESSION_REASON_OTHER,
                         absl::StrCat("suppressed: the case moved to ",
                                      dunning::v1::CaseState_Name(m->to())),
                         "case_state", /*to_human=*/false);
    }
  } else if (Is<dunning::v1::CaseClosed>(input)) {
    auto m = Payload<dunning::v1::CaseClosed>(input);
    if (!m.ok()) return m.status();
    set_assignment(m->assignment());
    r->set_case_state(m->final_state());
    r->clear_fees();
    ap.SuppressPending(v1::SUPPRESSION_REASON_OTHER,
                       absl::StrCat("suppressed: the case closed as ",
                                    dunning::v1::CaseState_Name(m->final_state())),
                       "case_state", /*to_human=*/false);
  } else if (Is<dunning::v1::PlanOffered>(input) || Is<dunning::v1::EscalationRequested>(input)) {
    // Nothing to send: the strategy asks for the message itself with ContactRequested.
  } else if (Is<invoice::v1::InvoiceReissued>(input)) {
    auto m = Payload<invoice::v1::InvoiceReissued>(input);
    if (!m.ok()) return m.status();
    google::protobuf::RepeatedPtrField<dunning::v1::InvoiceRef> invoices;
    dunning::v1::InvoiceRef* ref = invoices.Add();
    ref->set_invoice_id(m->invoice_id());
    *ref->mutable_open_balance() = m->open_balance();
    *ref->mutable_due_date() = m->due_date();
    // The re-issue id is the attempt's idempotency anchor (a re-issue published twice under two
    // event ids is still one letter or e-mail).
    Attempt a = AttemptFrom(r->debtor_id(),
                            m->reissue_id().empty() ? id : absl::StrCat("reissue/", m->reissue_id()),
                            app::REQUEST_KIND_REISSUE, 0, "invoice-reissue", invoices,
                            m->open_balance());
    a.mutable_spec()->set_request_event_id(id);
    if (m->requested_channel() != v1::CHANNEL_UNSPECIFIED) {
      a.mutable_spec()->add_channels(m->requested_channel());
    } else {
      a.mutable_spec()->add_channels(v1::CHANNEL_EMAIL);
      a.mutable_spec()->add_channels(v1::CHANNEL_LETTER);
    }
    (*a.mutable_spec()->mutable_invoice_numbers())[m->invoice_id()] = m->invoice_number();
    a.mutable_spec()->set_document_id(m->document_id());
    ap.NewAttempt(std::move(a));
  } else if (Is<invoice::v1::DebtorErased>(input)) {
    r->set_erased(true);
    ap.SuppressPending(v1::SUPPRESSION_REASON_ERASED,
                       "suppressed: personal data erased or restricted", "erased",
                       /*to_human=*/false);
  } else if (absl::StartsWith(input.event.type(), "concerto.invoice.v1.")) {
    // Other invoice events carry nothing the contact record keeps.
  } else {
    return absl::UnimplementedError(
        absl::StrCat("contact-channel: does not act on ", input.event.type()));
  }
  return absl::OkStatus();
}

// ---- timers ----

void ApplyTimer(RecordApplier& ap, const HandlerOptions& options, const Input& input) {
  const std::string attempt_id = input.timer.payload();
  Attempt* a = FindAttempt(ap.record(), attempt_id);
  if (a == nullptr || !a->has_timer_due() ||
      TimeUtil::TimestampToMicroseconds(a->timer_due()) != input.timer.due_unix_micros()) {
    return;  // a stale watchdog (the plan changed since): nothing to do
  }
  a->clear_timer_due();  // the platform retires the fired timer with this unit of work
  if (!IsActive(a->phase())) return;
  // Active: the watchdog fires again later (never before the attempt is due), so the dispatcher
  // is hinted again even if this hint is lost in a crash.
  absl::Time next = ap.now() + options.recheck;
  if (a->has_due_at() && FromProto(a->due_at()) > next) next = FromProto(a->due_at());
  ArmTimer(ap.key(), a, next, ap.fx());
}

// ---- commands on a debtor record ----

absl::Status AttemptNotFound(const std::string& attempt_id) {
  return NotFound(absl::StrCat("attempt_id: ", attempt_id, " is not an attempt of this debtor"));
}

std::string PhaseName(app::Phase p) { return app::Phase_Name(p); }

absl::Status ApplyDecision(RecordApplier& ap, const app::ApplyDecisionCommand& cmd) {
  Attempt* a = FindAttempt(ap.record(), cmd.attempt_id());
  if (a == nullptr) return AttemptNotFound(cmd.attempt_id());
  if ((a->phase() != app::PHASE_PENDING_DECISION && a->phase() != app::PHASE_DEFERRED) ||
      a->round() != cmd.round()) {
    return absl::FailedPreconditionError(
        absl::StrCat("attempt ", cmd.attempt_id(), ": not awaiting decision round ", cmd.round(),
                     " (", PhaseName(a->phase()), ", round ", a->round(), ")"));
  }
  const app::DecisionRecord& d = cmd.decision();
  const absl::Time now = ap.now();
  a->set_person_key(cmd.person_key());
  a->set_language(cmd.language());
  a->set_jurisdiction(cmd.jurisdiction());
  a->set_time_zone(cmd.time_zone());
  for (const v1::PolicyDecision& t : d.trail()) {
    v1::PolicyDecision* pd = a->add_decisions();
    *pd = t;
    *pd->mutable_decided_at() = ToProto(now);
  }
  if (d.trail().empty()) {
    v1::PolicyDecision pd =
        Decision(d.rule_id(), OutcomeOf(d.verdict()), d.reason_code(), d.reason(), now);
    if (d.verdict() == app::VERDICT_DEFER) *pd.mutable_deferred_until() = d.until();
    *a->add_decisions() = pd;
  }
  switch (d.verdict()) {
    case app::VERDICT_ALLOW: {
      if (ap.ChannelOptedOut(d.channel(), d.contact_point_id())) {
        a->mutable_ref()->set_channel(d.channel());
        ap.Suppress(a, v1::SUPPRESSION_REASON_OPTED_OUT,
                    absl::StrCat("suppressed: opted out of ", v1::Channel_Name(d.channel()),
                                 " since the policy decided"),
                    "consent");
        break;
      }
      a->mutable_ref()->set_channel(d.channel());
      a->mutable_ref()->set_contact_point_id(d.contact_point_id());
      a->set_phase(app::PHASE_READY);
      *a->mutable_due_at() = ToProto(now);
      v1::ContactAttemptIntended e;
      *e.mutable_attempt() = a->ref();
      e.set_request_event_id(a->spec().request_event_id());
      e.set_idempotency_key(a->ref().attempt_id());
      e.set_language(a->language());
      *e.mutable_intended_at() = ToProto(now);
      Emit(ap.fx(), e, ap.record()->tenant());
      break;
    }
    case app::VERDICT_DEFER: {
      a->mutable_ref()->set_channel(d.channel());
      a->set_phase(app::PHASE_DEFERRED);
      a->set_round(a->round() + 1);
      const absl::Time until = FromProto(d.until());
      ap.Reschedule(a, until);
      v1::ContactAttemptSuppressed e =
          SuppressedEvent(*a, d.reason_code(), d.reason(), d.rule_id());
      *e.mutable_deferred_until() = d.until();
      Emit(ap.fx(), e, ap.record()->tenant());
      break;
    }
    case app::VERDICT_SUPPRESS:
      a->mutable_ref()->set_channel(d.channel());
      ap.Suppress(a, d.reason_code(), d.reason(), d.rule_id(), /*record_decision=*/false);
      break;
    case app::VERDICT_HAND_TO_HUMAN:
      ap.HandToHuman(a, d.reason_code(), d.reason(), d.rule_id(), /*record_decision=*/false);
      break;
    default:
      return absl::InvalidArgumentError("decision.verdict: unspecified");
  }
  return absl::OkStatus();
}

absl::Status BeginSend(RecordApplier& ap, const app::BeginSendCommand& cmd) {
  Attempt* a = FindAttempt(ap.record(), cmd.attempt_id());
  if (a == nullptr) return AttemptNotFound(cmd.attempt_id());
  if (a->phase() != app::PHASE_READY || a->send_try() != cmd.send_try() ||
      (a->has_due_at() && FromProto(a->due_at()) > ap.now())) {
    return absl::FailedPreconditionError(absl::StrCat(
        "attempt ", cmd.attempt_id(), ": not ready to send (", PhaseName(a->phase()), ")"));
  }
  if (ap.record()->erased()) {
    ap.Suppress(a, v1::SUPPRESSION_REASON_ERASED, "suppressed: personal data erased or restricted",
                "erased");
    return absl::OkStatus();
  }
  if (ap.ChannelOptedOut(a->ref().channel(), a->ref().contact_point_id())) {
    ap.Suppress(a, v1::SUPPRESSION_REASON_OPTED_OUT,
                absl::StrCat("suppressed: opted out of ", v1::Channel_Name(a->ref().channel()),
                             " before sending"),
                "consent");
    return absl::OkStatus();
  }
  a->set_phase(app::PHASE_SENDING);
  a->set_sending_by(cmd.incarnation());
  *a->mutable_sending_at() = ToProto(ap.now());
  return absl::OkStatus();
}

absl::Status TakeOver(RecordApplier& ap, const app::TakeOverCommand& cmd) {
  Attempt* a = FindAttempt(ap.record(), cmd.attempt_id());
  if (a == nullptr) return AttemptNotFound(cmd.attempt_id());
  if (a->phase() != app::PHASE_SENDING || a->sending_by() == cmd.incarnation()) {
    return absl::FailedPreconditionError(
        absl::StrCat("attempt ", cmd.attempt_id(), ": not an orphaned SENDING attempt"));
  }
  a->set_sending_by(cmd.incarnation());
  *a->mutable_sending_at() = ToProto(ap.now());
  return absl::OkStatus();
}

absl::Status CompleteSend(RecordApplier& ap, const HandlerOptions& options,
                          const app::CompleteSendCommand& cmd) {
  Attempt* a = FindAttempt(ap.record(), cmd.attempt_id());
  if (a == nullptr) return AttemptNotFound(cmd.attempt_id());
  const app::SendOutcome o = cmd.outcome();
  const bool from_sending = a->phase() == app::PHASE_SENDING && a->send_try() == cmd.send_try();
  // Before SENDING only "it never went out" makes sense; after UNKNOWN, a late answer of the
  // provider tells what really happened.
  const bool from_ready = a->phase() == app::PHASE_READY &&
                          (o == app::SEND_OUTCOME_FAILED || o == app::SEND_OUTCOME_RETRY);
  const bool from_unknown = a->phase() == app::PHASE_UNKNOWN &&
                            (o == app::SEND_OUTCOME_ACCEPTED || o == app::SEND_OUTCOME_BOUNCED);
  if (!from_sending && !from_ready && !from_unknown) {
    return absl::FailedPreconditionError(absl::StrCat(
        "attempt ", cmd.attempt_id(), ": no send in progress (", PhaseName(a->phase()), ")"));
  }
  const absl::Time now = ap.now();
  a->set_provider(cmd.provider());
  switch (o) {
    case app::SEND_OUTCOME_ACCEPTED: {
      ap.StopTimer(a);
      if (a->ref().channel() == v1::CHANNEL_PHONE) {
        ap.QueueCallTask(a, a->spec().queue().empty() ? kDefaultCallQueue : a->spec().queue(),
                         a->spec().script(), "call task of the strategy");
        break;
      }
      a->set_phase(app::PHASE_SENT);
      a->set_provider_message_id(cmd.provider_message_id());
      *a->mutable_sent_at() = ToProto(now);
      v1::ContactAttemptSent e;
      *e.mutable_attempt() = a->ref();
      e.set_provider(cmd.provider());
      e.set_provider_message_id(cmd.provider_message_id());
      *e.mutable_sent_at() = ToProto(now);
      Emit(ap.fx(), e, ap.record()->tenant());
      break;
    }
    case app::SEND_OUTCOME_BOUNCED: {
      ap.StopTimer(a);
      a->set_phase(app::PHASE_BOUNCED);
      a->set_failure(cmd.code());
      v1::ContactAttemptBounced e;
      *e.mutable_attempt() = a->ref();
      e.set_permanent(true);
      e.set_code(cmd.code());
      *e.mutable_bounced_at() = ToProto(now);
      Emit(ap.fx(), e, ap.record()->tenant());
      // A hard bounce: the address is not used again until someone opts it in.
      if (!a->ref().contact_point_id().empty()) {
        ap.SetConsent(a->ref().channel(), a->ref().contact_point_id(), true, "hard-bounce");
      }
      break;
    }
    case app::SEND_OUTCOME_FAILED:
      ap.StopTimer(a);
      a->set_phase(app::PHASE_FAILED);
      a->set_failure(cmd.code());
      break;
    case app::SEND_OUTCOME_RETRY: {
      a->set_failure(cmd.code());
      a->set_send_try(a->send_try() + 1);
      if (a->send_try() >= options.max_send_tries) {
        ap.StopTimer(a);
        a->set_phase(app::PHASE_FAILED);
        break;
      }
      a->set_phase(app::PHASE_READY);
      a->clear_sending_by();
      absl::Duration backoff = options.retry_backoff;
      for (int i = 1; i < a->send_try(); ++i) backoff *= 2;
      ap.Reschedule(a, now + backoff);
      break;
    }
    default:
      return absl::InvalidArgumentError("outcome: unspecified");
  }
  return absl::OkStatus();
}

absl::Status MarkUnknown(RecordApplier& ap, const app::MarkUnknownCommand& cmd) {
  Attempt* a = FindAttempt(ap.record(), cmd.attempt_id());
  if (a == nullptr) return AttemptNotFound(cmd.attempt_id());
  if (a->phase() != app::PHASE_SENDING) {
    return absl::FailedPreconditionError(
        absl::StrCat("attempt ", cmd.attempt_id(), ": not SENDING (", PhaseName(a->phase()), ")"));
  }
  ap.StopTimer(a);
  a->set_phase(app::PHASE_UNKNOWN);
  a->set_failure(cmd.explanation());
  v1::ContactAttemptUnknown e;
  *e.mutable_attempt() = a->ref();
  e.set_explanation(cmd.explanation());
  *e.mutable_detected_at() = ToProto(ap.now());
  Emit(ap.fx(), e, ap.record()->tenant());
  return absl::OkStatus();
}

absl::StatusOr<v1::RecordCallOutcomeResponse> CallOutcome(RecordApplier& ap,
                                                          const app::CallOutcomeCommand& cmd) {
  const v1::RecordCallOutcomeRequest& req = cmd.request();
  DebtorRecord* r = ap.record();
  Attempt* a = req.attempt_id().empty() ? nullptr : FindAttempt(r, req.attempt_id());
  if (!req.attempt_id().empty() && a == nullptr) return AttemptNotFound(req.attempt_id());
  for (app::CallTask& t : *r->mutable_call_tasks()) {
    if (a != nullptr && t.attempt_id() == a->ref().attempt_id() && !t.done()) {
      t.set_done(true);
      t.set_result(req.result());
      t.set_agent_id(req.agent_id());
    }
  }
  const std::string case_id = req.case_id().empty() ? r->debtor_id() : req.case_id();
  const Timestamp received = req.has_started_at() ? req.started_at() : ToProto(ap.now());
  v1::RecordCallOutcomeResponse resp;
  resp.set_reply_id(cmd.reply_id());
  std::vector<std::string> types;
  bool opt_out = false;
  const std::string attempt_id = a != nullptr ? a->ref().attempt_id() : "";
  const std::string language = a != nullptr ? a->language() : "";
  for (int i = 0; i < req.outcomes_size(); ++i) {
    const v1::Classification& c = req.outcomes(i);
    const std::string reply_id =
        req.outcomes_size() == 1 ? cmd.reply_id() : absl::StrCat(cmd.reply_id(), "/", i);
    v1::ReplyClassified e = ReplyEvent(reply_id, case_id, r->debtor_id(), attempt_id,
                                       v1::REPLY_SOURCE_CALL_OUTCOME, v1::CHANNEL_PHONE, c,
                                       language, received);
    Emit(ap.fx(), e, r->tenant());
    types.push_back(e.GetDescriptor()->full_name());
    app::ReplyRecord* rec = r->add_replies();
    rec->set_reply_id(reply_id);
    rec->set_kind(c.kind());
    rec->set_source(v1::REPLY_SOURCE_CALL_OUTCOME);
    rec->set_attempt_id(attempt_id);
    rec->set_rule_id(e.rule_id());
    *rec->mutable_received_at() = received;
    ap.Derive(reply_id, case_id, a, v1::REPLY_SOURCE_CALL_OUTCOME, v1::CHANNEL_PHONE, c, 0,
              &types, &opt_out);
    a = req.attempt_id().empty() ? nullptr : FindAttempt(r, req.attempt_id());
  }
  for (std::string& t : types) resp.add_emitted_event_types(std::move(t));
  return resp;
}

absl::StatusOr<v1::RecordInboundMessageResponse> Inbound(RecordApplier& ap,
                                                         const app::InboundCommand& cmd) {
  DebtorRecord* r = ap.record();
  Attempt* a = cmd.attempt_id().empty() ? nullptr : FindAttempt(r, cmd.attempt_id());
  const std::string case_id = a != nullptr ? a->ref().case_id() : r->debtor_id();
  const v1::ReplySource source = cmd.channel() == v1::CHANNEL_SMS ? v1::REPLY_SOURCE_INBOUND_SMS
                                                                  : v1::REPLY_SOURCE_INBOUND_EMAIL;
  const std::string attempt_id = a != nullptr ? a->ref().attempt_id() : "";
  v1::ReplyClassified e =
      ReplyEvent(cmd.reply_id(), case_id, r->debtor_id(), attempt_id, source, cmd.channel(),
                 cmd.classification(), cmd.language(), cmd.received_at());
  Emit(ap.fx(), e, r->tenant());
  app::ReplyRecord* rec = r->add_replies();
  rec->set_reply_id(cmd.reply_id());
  rec->set_kind(cmd.classification().kind());
  rec->set_source(source);
  rec->set_attempt_id(attempt_id);
  rec->set_rule_id(e.rule_id());
  *rec->mutable_received_at() = cmd.received_at();
  std::vector<std::string> types;
  bool opt_out = false;
  ap.Derive(cmd.reply_id(), case_id, a, source, cmd.channel(), cmd.classification(),
            cmd.breathing_space_days(), &types, &opt_out);
  v1::RecordInboundMessageResponse resp;
  resp.set_reply_id(cmd.reply_id());
  resp.set_case_id(case_id);
  resp.set_debtor_id(r->debtor_id());
  *resp.mutable_classification() = cmd.classification();
  resp.set_opt_out_recorded(opt_out);
  return resp;
}

v1::ConsentState ConsentStateOf(const DebtorRecord& r) {
  v1::ConsentState s;
  s.set_debtor_id(r.debtor_id());
  *s.mutable_channels() = r.consents();
  return s;
}

v1::SurveyAnswered Survey(RecordApplier& ap, const app::SurveyCommand& cmd) {
  const v1::RecordSurveyAnswerRequest& req = cmd.request();
  DebtorRecord* r = ap.record();
  r->add_survey_ids(cmd.survey_id());
  v1::SurveyAnswered e;
  e.set_survey_id(cmd.survey_id());
  e.set_case_id(req.case_id().empty() ? r->debtor_id() : req.case_id());
  e.set_debtor_id(r->debtor_id());
  e.set_trigger(req.trigger());
  if (req.has_csat()) e.set_csat(req.csat());
  if (req.has_nps()) e.set_nps(req.nps());
  e.set_strategy_id(r->assignment().strategy_id());
  if (r->assignment().version() > 0) e.set_strategy_version(absl::StrCat(r->assignment().version()));
  e.set_agent_id(req.agent_id());
  *e.mutable_answered_at() = ToProto(ap.now());
  return e;
}

absl::StatusOr<Effects> ApplyRecord(const HandlerOptions& options,
                                    const std::optional<std::string>& state, const Input& input,
                                    absl::Time now) {
  DebtorRecord record;
  if (state.has_value()) {
    if (!record.ParseFromString(*state)) return absl::DataLossError("contact record does not decode");
  } else {
    const size_t slash = input.aggregate_key.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == input.aggregate_key.size()) {
      return absl::InvalidArgumentError("aggregate_key: must be <tenant>/<debtor_id>");
    }
    record.set_tenant(input.aggregate_key.substr(0, slash));
    record.set_debtor_id(input.aggregate_key.substr(slash + 1));
  }
  Effects fx;
  RecordApplier ap(options, input.aggregate_key, &record, now, &fx);
  const std::string before = record.SerializeAsString();
  switch (input.kind) {
    case Input::Kind::kEvent:
      if (absl::Status s = ApplyEvent(ap, input); !s.ok()) return s;
      break;
    case Input::Kind::kTimer:
      if (!absl::StartsWith(input.timer.kind(), kSendTimerPrefix)) {
        return absl::InvalidArgumentError(absl::StrCat("timer kind ", input.timer.kind(), ": unknown"));
      }
      if (!state.has_value()) return fx;
      ApplyTimer(ap, options, input);
      break;
    case Input::Kind::kCommand: {
      app::ContactCommand cmd;
      if (!cmd.ParseFromString(input.command)) {
        return absl::InvalidArgumentError("command: does not decode");
      }
      const bool existed = state.has_value();
      auto attempt_reply = [&](const std::string& attempt_id) {
        app::AttemptReply reply;
        if (const Attempt* a = FindAttempt(&record, attempt_id)) *reply.mutable_attempt() = *a;
        reply.set_changed(true);
        SetReply(&fx, input, reply);
      };
      absl::Status s;
      switch (cmd.command_case()) {
        case app::ContactCommand::kApplyDecision:
          if (!existed) return AttemptNotFound(cmd.apply_decision().attempt_id());
          s = ApplyDecision(ap, cmd.apply_decision());
          if (s.ok()) attempt_reply(cmd.apply_decision().attempt_id());
          break;
        case app::ContactCommand::kBeginSend:
          if (!existed) return AttemptNotFound(cmd.begin_send().attempt_id());
          s = BeginSend(ap, cmd.begin_send());
          if (s.ok()) attempt_reply(cmd.begin_send().attempt_id());
          break;
        case app::ContactCommand::kTakeOver:
          if (!existed) return AttemptNotFound(cmd.take_over().attempt_id());
          s = TakeOver(ap, cmd.take_over());
          if (s.ok()) attempt_reply(cmd.take_over().attempt_id());
          break;
        case app::ContactCommand::kCompleteSend:
          if (!existed) return AttemptNotFound(cmd.complete_send().attempt_id());
          s = CompleteSend(ap, options, cmd.complete_send());
          if (s.ok()) attempt_reply(cmd.complete_send().attempt_id());
          break;
        case app::ContactCommand::kMarkUnknown:
          if (!existed) return AttemptNotFound(cmd.mark_unknown().attempt_id());
          s = MarkUnknown(ap, cmd.mark_unknown());
          if (s.ok()) attempt_reply(cmd.mark_unknown().attempt_id());
          break;
        case app::ContactCommand::kCallOutcome: {
          auto resp = CallOutcome(ap, cmd.call_outcome());
          if (!resp.ok()) return resp.status();
          SetReply(&fx, input, *resp);
          break;
        }
        case app::ContactCommand::kInbound: {
          auto resp = Inbound(ap, cmd.inbound());
          if (!resp.ok()) return resp.status();
          SetReply(&fx, input, *resp);
          break;
        }
        case app::ContactCommand::kConsent: {
          const app::ConsentCommand& c = cmd.consent();
          ap.SetConsent(c.channel(), c.contact_point_id(), c.opt_out(), c.source());
          SetReply(&fx, input, ConsentStateOf(record));
          break;
        }
        case app::ContactCommand::kSurvey: {
          v1::SurveyAnswered e = Survey(ap, cmd.survey());
          Emit(&fx, e, record.tenant());
          v1::RecordSurveyAnswerResponse resp;
          resp.set_survey_id(cmd.survey().survey_id());
          SetReply(&fx, input, resp);
          break;
        }
        default:
          return absl::InvalidArgumentError("command: not for a contact record");
      }
      if (!s.ok()) return s;
      break;
    }
  }
  ap.Prune();
  const std::string after = record.SerializeAsString();
  if (after != before) fx.new_state = after;
  return fx;
}

// ---- the person ledger ----

ContactLedger LedgerOf(const app::PersonLedger& p) {
  ContactLedger l;
  l.person_key = p.person_key();
  for (const app::LedgerEntry& e : p.entries()) {
    l.attempts.push_back(LedgerAttempt{absl::FromUnixMicros(e.at_unix_micros()), e.channel(),
                                       e.tenant(), e.attempt_id(), e.conversation()});
  }
  return l;
}

app::PersonLedger LedgerProto(const ContactLedger& l) {
  app::PersonLedger p;
  p.set_person_key(l.person_key);
  for (const LedgerAttempt& a : l.attempts) {
    app::LedgerEntry* e = p.add_entries();
    e->set_at_unix_micros(absl::ToUnixMicros(a.at));
    e->set_channel(a.channel);
    e->set_tenant(a.tenant);
    e->set_attempt_id(a.attempt_id);
    e->set_conversation(a.conversation);
  }
  return p;
}

absl::StatusOr<Effects> ApplyLedger(const std::optional<std::string>& state, const Input& input,
                                    absl::Time now) {
  if (input.kind != Input::Kind::kCommand) {
    return absl::UnimplementedError("a person ledger takes commands only");
  }
  app::ContactCommand cmd;
  if (!cmd.ParseFromString(input.command)) return absl::InvalidArgumentError("command: does not decode");
  app::PersonLedger stored;
  if (state.has_value() && !stored.ParseFromString(*state)) {
    return absl::DataLossError("person ledger does not decode");
  }
  ContactLedger ledger = LedgerOf(stored);
  ledger.person_key = input.aggregate_key.substr(std::string(kPersonPrefix).size());
  ledger = PruneLedger(std::move(ledger), now - kLedgerRetention);
  Effects fx;
  if (cmd.has_reserve()) {
    const app::ReserveCommand& r = cmd.reserve();
    AttemptRequest request;
    request.tenant = r.tenant();
    for (int c : r.channels()) request.channels.push_back(static_cast<v1::Channel>(c));
    absl::StatusOr<contact::Decision> d =
        Evaluate(r.policy(), ledger, ToDebtorFacts(r.facts()), request, now);
    if (!d.ok()) {
      // The policy cannot decide (e.g. it leaves no allowed instant): a rejection, the
      // dispatcher records it as a suppression.
      return absl::InvalidArgumentError(std::string(d.status().message()));
    }
    if (d->verdict == Verdict::kAllow) {
      ledger = RecordAttempt(std::move(ledger),
                             LedgerAttempt{now, d->channel, r.tenant(), r.attempt_id(), false});
    }
    SetReply(&fx, input, ToDecisionRecord(*d, now));
  } else if (cmd.has_record_call()) {
    const app::RecordCallCommand& c = cmd.record_call();
    const absl::Time at = c.has_at() ? FromProto(c.at()) : now;
    ledger = RecordAttempt(std::move(ledger), LedgerAttempt{at, v1::CHANNEL_PHONE, c.tenant(),
                                                            c.attempt_id(), c.conversation()});
    if (c.conversation()) {
      ledger = RecordConversation(std::move(ledger), c.tenant(), c.attempt_id(), at);
    }
    SetReply(&fx, input, app::PersonLedger());
  } else {
    return absl::InvalidArgumentError("command: not for a person ledger");
  }
  fx.new_state = LedgerProto(ledger).SerializeAsString();
  return fx;
}

// ---- tenant policies ----

absl::StatusOr<Effects> ApplyPolicies(const std::optional<std::string>& state, const Input& input) {
  if (input.kind != Input::Kind::kCommand) {
    return absl::UnimplementedError("tenant policies take commands only");
  }
  app::ContactCommand cmd;
  if (!cmd.ParseFromString(input.command) || !cmd.has_put_policy()) {
    return absl::InvalidArgumentError("command: not for tenant policies");
  }
  app::TenantPolicies policies;
  if (state.has_value() && !policies.ParseFromString(*state)) {
    return absl::DataLossError("tenant policies do not decode");
  }
  policies.set_tenant(input.aggregate_key.substr(std::string(kPolicyPrefix).size()));
  v1::ContactPolicy p = cmd.put_policy().policy();
  if (absl::Status s = ValidatePolicy(p); !s.ok()) return s;
  p.set_jurisdiction(absl::AsciiStrToUpper(p.jurisdiction()));
  auto it = policies.by_jurisdiction().find(p.jurisdiction());
  const int64_t current = it == policies.by_jurisdiction().end() ? 0 : it->second.version();
  if (cmd.put_policy().expected_version() > 0 && cmd.put_policy().expected_version() != current) {
    return Aborted(absl::StrCat("expected_version: ", cmd.put_policy().expected_version(),
                                " but the current version is ", current));
  }
  p.set_version(current + 1);
  (*policies.mutable_by_jurisdiction())[p.jurisdiction()] = p;
  Effects fx;
  fx.new_state = policies.SerializeAsString();
  v1::PutPolicyResponse resp;
  resp.set_version(p.version());
  SetReply(&fx, input, resp);
  return fx;
}

}  // namespace

app::DecisionRecord ToDecisionRecord(const contact::Decision& d, absl::Time now) {
  app::DecisionRecord out;
  out.set_verdict(ToVerdictProto(d.verdict));
  out.set_channel(d.channel);
  out.set_contact_point_id(d.contact_point_id);
  if (Finite(d.until)) *out.mutable_until() = ToProto(d.until);
  out.set_reason_code(d.reason_code);
  out.set_rule_id(d.rule_id);
  out.set_reason(d.reason);
  for (const RuleVerdict& v : d.trail) {
    v1::PolicyDecision* pd = out.add_trail();
    pd->set_rule_id(v.rule_id);
    pd->set_outcome(OutcomeOf(ToVerdictProto(v.outcome)));
    pd->set_reason(v.reason);
    pd->set_explanation(v.explanation);
    if (v.outcome == Verdict::kDefer && Finite(v.until)) *pd->mutable_deferred_until() = ToProto(v.until);
    *pd->mutable_decided_at() = ToProto(now);
  }
  *out.mutable_decided_at() = ToProto(now);
  return out;
}

std::string DebtorKey(const std::string& tenant, const std::string& debtor_id) {
  return absl::StrCat(tenant, "/", debtor_id);
}
std::string PersonLedgerKey(const std::string& person_key) {
  return absl::StrCat(kPersonPrefix, person_key);
}
std::string PolicyKey(const std::string& tenant) { return absl::StrCat(kPolicyPrefix, tenant); }
std::string AttemptIndex(const std::string& tenant, const std::string& attempt_id) {
  return absl::StrCat(tenant, "/attempt/", attempt_id);
}
std::string AttemptIdFor(const std::string& event_id) {
  return absl::StrCat("att-", core::DeterministicId(event_id, "attempt"));
}
std::string SendTimerKind(const std::string& attempt_id) {
  return absl::StrCat(kSendTimerPrefix, attempt_id);
}

v1::AttemptStatus AttemptStatusOf(app::Phase phase) {
  switch (phase) {
    case app::PHASE_PENDING_DECISION:
    case app::PHASE_READY:
    case app::PHASE_SENDING:
      return v1::ATTEMPT_STATUS_INTENDED;
    case app::PHASE_DEFERRED:
      return v1::ATTEMPT_STATUS_DEFERRED;
    case app::PHASE_SENT:
      return v1::ATTEMPT_STATUS_SENT;
    case app::PHASE_DELIVERED:
      return v1::ATTEMPT_STATUS_DELIVERED;
    case app::PHASE_BOUNCED:
      return v1::ATTEMPT_STATUS_BOUNCED;
    case app::PHASE_FAILED:
      return v1::ATTEMPT_STATUS_FAILED;
    case app::PHASE_SUPPRESSED:
      return v1::ATTEMPT_STATUS_SUPPRESSED;
    case app::PHASE_UNKNOWN:
      return v1::ATTEMPT_STATUS_UNKNOWN;
    default:
      return v1::ATTEMPT_STATUS_UNSPECIFIED;
  }
}

absl::StatusOr<Effects> ContactHandler::Apply(const std::optional<std::string>& state,
                                              const Input& input, absl::Time now) {
  if (absl::StartsWith(input.aggregate_key, kPersonPrefix)) return ApplyLedger(state, input, now);
  if (absl::StartsWith(input.aggregate_key, kPolicyPrefix)) return ApplyPolicies(state, input);
  return ApplyRecord(options_, state, input, now);
}

bool IsActive(app::Phase phase) {
  return phase == app::PHASE_PENDING_DECISION || phase == app::PHASE_READY ||
         phase == app::PHASE_DEFERRED || phase == app::PHASE_SENDING;
}

}  // namespace concerto::contact
