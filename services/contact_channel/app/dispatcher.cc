#include "services/contact_channel/app/dispatcher.h"

#include <unistd.h>

#include <random>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/time_util.h"
#include "libs/core/stable_hash.h"
#include "libs/platform/fault_points.h"
#include "libs/platform/runtime/logging.h"
#include "services/contact_channel/app/contact_handler.h"
#include "services/contact_channel/app/facts.h"
#include "services/contact_channel/domain/contact_policy.h"
#include "services/contact_channel/templates/letter.h"

namespace concerto::contact {
namespace {

using google::protobuf::util::TimeUtil;

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(t));
}

const app::Attempt* FindAttempt(const app::DebtorRecord& r, const std::string& attempt_id) {
  for (const app::Attempt& a : r.attempts()) {
    if (a.ref().attempt_id() == attempt_id) return &a;
  }
  return nullptr;
}

bool Due(const app::Attempt& a, absl::Time now) {
  return !a.has_due_at() || FromProto(a.due_at()) <= now;
}

invoice::v1::ContactPurpose PurposeOf(const app::Attempt& a) {
  return a.ref().channel() == v1::CHANNEL_PHONE || a.spec().kind() == app::REQUEST_KIND_CALL_TASK
             ? invoice::v1::CONTACT_PURPOSE_CALL_TASK
             : invoice::v1::CONTACT_PURPOSE_CONTACT_ATTEMPT;
}

// A decision made without the ledger (nothing to count): erased data, no usable channel, or a
// policy that cannot decide.
app::DecisionRecord LocalSuppression(v1::SuppressionReason code, const std::string& rule,
                                     const std::string& reason, absl::Time now) {
  Decision d;
  d.verdict = Verdict::kSuppress;
  d.reason_code = code;
  d.rule_id = rule;
  d.reason = reason;
  d.until = absl::InfiniteFuture();
  d.trail.push_back(RuleVerdict{rule, Verdict::kSuppress, code, v1::CHANNEL_UNSPECIFIED, reason,
                                absl::InfiniteFuture()});
  return ToDecisionRecord(d, now);
}

}  // namespace

std::string NewIncarnation() {
  std::random_device rd;
  return absl::StrCat("inc-", getpid(), "-", absl::ToUnixMicros(absl::Now()), "-", rd() % 100000);
}

Dispatcher::Dispatcher(DispatcherOptions options, AggregateBus* bus, DebtorDirectory* directory,
                       const MessageRenderer* renderer,
                       std::map<v1::Channel, ChannelAdapter*> adapters,
                       const platform::Clock* clock)
    : options_(std::move(options)),
      bus_(bus),
      directory_(directory),
      renderer_(renderer),
      adapters_(std::move(adapters)),
      clock_(clock),
      hasher_(options_.person_key_secret) {}

Dispatcher::~Dispatcher() { Stop(); }

void Dispatcher::Start() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = false;
  }
  for (int i = 0; i < std::max(1, options_.workers); ++i) {
    threads_.emplace_back([this] { WorkerLoop(); });
  }
  threads_.emplace_back([this] { SweepLoop(); });
}

void Dispatcher::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void Dispatcher::Hint(const std::string& aggregate_key, const std::string& attempt_id) {
  Work w{aggregate_key, attempt_id};
  absl::MutexLock lock(&mu_);
  if (busy_.count(w) > 0) {
    again_.insert(w);  // processed again once the worker on it is done
    return;
  }
  if (queued_.insert(w).second) queue_.push_back(std::move(w));
}

void Dispatcher::WorkerLoop() {
  while (true) {
    Work w;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_ || !queue_.empty(); };
      mu_.Await(absl::Condition(&ready));
      if (stop_) return;
      w = queue_.front();
      queue_.pop_front();
      queued_.erase(w);
      busy_.insert(w);
    }
    absl::Status s = Process(w.first, w.second);
    if (!s.ok()) {
      // The attempt stays as it is; its watchdog timer hints again later.
      platform::LogWarn("contact attempt not dispatched; will retry",
                        {{"attempt_id", w.second}, {"error", s.ToString()}});
    }
    absl::MutexLock lock(&mu_);
    busy_.erase(w);
    if (again_.erase(w) > 0 && queued_.insert(w).second) queue_.push_back(w);
  }
}

void Dispatcher::SweepLoop() {
  bool swept = false;
  absl::Time last = absl::Now();
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      auto stopped = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_; };
      if (mu_.AwaitWithTimeout(absl::Condition(&stopped), absl::Milliseconds(200))) return;
    }
    // The first sweep runs as soon as this instance owns shards (after a restart it finds the
    // attempts a crash left behind), then every sweep_interval.
    if (!swept || absl::Now() - last >= options_.sweep_interval) {
      if (!bus_->Ready()) continue;
      absl::Status s = Sweep();
      if (!s.ok()) {
        platform::LogWarn("contact sweep failed; will retry", {{"error", s.ToString()}});
        continue;
      }
      swept = true;
      last = absl::Now();
    }
  }
}

absl::Status Dispatcher::Sweep() {
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> all = bus_->Scan("");
  if (!all.ok()) return all.status();
  int hinted = 0;
  for (const auto& [key, state] : *all) {
    if (absl::StartsWith(key, kPersonPrefix) || absl::StartsWith(key, kPolicyPrefix)) continue;
    if (!bus_->Owns(key)) continue;
    app::DebtorRecord record;
    if (!record.ParseFromString(state)) continue;
    for (const app::Attempt& a : record.attempts()) {
      if (!IsActive(a.phase())) continue;
      Hint(key, a.ref().attempt_id());
      ++hinted;
    }
  }
  if (hinted > 0) platform::LogInfo("contact sweep", {{"active_attempts", absl::StrCat(hinted)}});
  return absl::OkStatus();
}

absl::Status Dispatcher::Process(const std::string& key, const std::string& attempt_id) {
  // A provider's answer this process could not commit yet goes first.
  std::optional<app::ContactCommand> pending;
  {
    absl::MutexLock lock(&mu_);
    auto it = uncommitted_.find(attempt_id);
    if (it != uncommitted_.end()) pending = it->second;
  }
  for (int step = 0; step < 4; ++step) {
    absl::StatusOr<std::optional<std::string>> state = bus_->Read(key);
    if (!state.ok()) return state.status();
    if (!state->has_value()) return absl::OkStatus();
    app::DebtorRecord record;
    if (!record.ParseFromString(**state)) return absl::DataLossError("contact record does not decode");
    const app::Attempt* a = FindAttempt(record, attempt_id);
    if (a == nullptr) return absl::OkStatus();
    const absl::Time now = clock_->Now();
    if (pending.has_value()) {
      const bool complete = pending->has_complete_send();
      const std::string id = complete ? absl::StrCat(attempt_id, "/complete/",
                                                     pending->complete_send().send_try())
                                      : absl::StrCat(attempt_id, "/unknown");
      absl::Status s = Commit(key, record.tenant(), id, *pending, nullptr, absl::Seconds(10));
      if (!s.ok() && s.code() != absl::StatusCode::kFailedPrecondition) return s;
      absl::MutexLock lock(&mu_);
      uncommitted_.erase(attempt_id);
      pending.reset();
      continue;
    }
    switch (a->phase()) {
      case app::PHASE_PENDING_DECISION:
        if (absl::Status s = Decide(record, *a); !s.ok()) return s;
        continue;
      case app::PHASE_DEFERRED:
        if (!Due(*a, now)) return absl::OkStatus();
        if (absl::Status s = Decide(record, *a); !s.ok()) return s;
        continue;
      case app::PHASE_READY:
        if (!Due(*a, now)) return absl::OkStatus();
        return Send(record, *a, /*resend=*/false);
      case app::PHASE_SENDING:
        return Resolve(record, *a);
      default:
        return absl::OkStatus();
    }
  }
  return absl::OkStatus();
}

absl::Status Dispatcher::Commit(const std::string& key, const std::string& tenant,
                                const std::string& id, const app::ContactCommand& command,
                                app::AttemptReply* reply, absl::Duration deadline) {
  const absl::Time until = absl::Now() + deadline;
  while (true) {
    absl::Status s = RunCommand(bus_, CommandInput(tenant, id, key, command), reply,
                                /*same_command=*/false);
    if (s.ok() || s.code() != absl::StatusCode::kUnavailable || absl::Now() >= until) return s;
    absl::SleepFor(absl::Milliseconds(200));
  }
}

absl::Status Dispatcher::Decide(const app::DebtorRecord& record, const app::Attempt& attempt) {
  const absl::Time now = clock_->Now();
  const std::string key = DebtorKey(record.tenant(), record.debtor_id());
  const std::string& attempt_id = attempt.ref().attempt_id();
  app::ApplyDecisionCommand apply;
  apply.set_attempt_id(attempt_id);
  apply.set_round(attempt.round());

  // The facts: master data read now (never stored), merged with the record.
  invoice::v1::Debtor debtor;
  app::FactsSnapshot facts;
  bool erased = record.erased();
  if (!erased) {
    absl::StatusOr<invoice::v1::Debtor> d = directory_->GetDebtorContact(
        record.tenant(), record.debtor_id(), PurposeOf(attempt), attempt.ref().case_id());
    if (d.ok()) {
      debtor = *std::move(d);
    } else if (d.status().code() == absl::StatusCode::kFailedPrecondition) {
      erased = true;
    } else if (d.status().code() == absl::StatusCode::kNotFound) {
      debtor.set_debtor_id(record.debtor_id());  // no master data: no contact point
    } else {
      return d.status();
    }
  }
  std::vector<v1::Channel> channels;
  for (int c : attempt.spec().channels()) {
    if (Supports(static_cast<v1::Channel>(c))) channels.push_back(static_cast<v1::Channel>(c));
  }
  std::optional<app::DecisionRecord> local;
  if (erased) {
    facts = ErasedFacts();
    local = LocalSuppression(v1::SUPPRESSION_REASON_ERASED, "erased",
                             "suppressed: personal data erased or restricted", now);
  } else if (channels.empty()) {
    std::vector<std::string> names;
    for (int c : attempt.spec().channels()) names.push_back(v1::Channel_Name(c));
    local = LocalSuppression(v1::SUPPRESSION_REASON_NO_CONTACT_POINT, "channels",
                             absl::StrCat("suppressed: no adapter for ", absl::StrJoin(names, ", ")),
                             now);
  }
  if (!erased) {
    facts = BuildFacts(debtor, record);
    apply.set_language(LanguageOf(debtor));
    apply.set_jurisdiction(JurisdictionOf(debtor));
    apply.set_time_zone(ZoneOf(debtor));
  }

  if (!local.has_value()) {
    absl::StatusOr<std::optional<std::string>> stored = bus_->Read(PolicyKey(record.tenant()));
    if (!stored.ok()) return stored.status();
    app::TenantPolicies policies;
    if (stored->has_value()) policies.ParseFromString(**stored);
    app::ContactCommand reserve;
    app::ReserveCommand* r = reserve.mutable_reserve();
    r->set_attempt_id(attempt_id);
    r->set_tenant(record.tenant());
    *r->mutable_policy() = PolicyFor(policies, apply.jurisdiction());
    *r->mutable_facts() = facts;
    for (v1::Channel c : channels) r->add_channels(c);
    const std::string person_key = PersonKeyOf(debtor, record.tenant(), hasher_);
    apply.set_person_key(person_key);
    app::DecisionRecord decision;
    absl::Status s = RunCommand(
        bus_,
        CommandInput(record.tenant(), absl::StrCat(attempt_id, "/reserve/", attempt.round()),
                     PersonLedgerKey(person_key), reserve),
        &decision, /*same_command=*/false);
    if (s.code() == absl::StatusCode::kInvalidArgument) {
      local = LocalSuppression(v1::SUPPRESSION_REASON_OTHER, "policy",
                               absl::StrCat("suppressed: the policy cannot decide: ", s.message()),
                               now);
    } else if (!s.ok()) {
      return s;
    } else {
      local = std::move(decision);
    }
  }
  *apply.mutable_decision() = *local;
  app::ContactCommand cmd;
  *cmd.mutable_apply_decision() = apply;
  app::AttemptReply reply;
  absl::Status s = Commit(key, record.tenant(), absl::StrCat(attempt_id, "/decide/", attempt.round()),
                          cmd, &reply, absl::Seconds(10));
  if (s.code() == absl::StatusCode::kFailedPrecondition) return absl::OkStatus();  // moved on
  return s;
}

absl::Status Dispatcher::CompleteWith(const app::DebtorRecord& record, const app::Attempt& attempt,
                                      app::SendOutcome outcome, const std::string& provider,
                                      const std::string& provider_message_id,
                                      const std::string& code) {
  app::ContactCommand cmd;
  app::CompleteSendCommand* c = cmd.mutable_complete_send();
  c->set_attempt_id(attempt.ref().attempt_id());
  c->set_send_try(attempt.send_try());
  c->set_outcome(outcome);
  c->set_provider(provider);
  c->set_provider_message_id(provider_message_id);
  c->set_code(code);
  const std::string key = DebtorKey(record.tenant(), record.debtor_id());
  absl::Status s = Commit(key, record.tenant(),
                          absl::StrCat(attempt.ref().attempt_id(), "/complete/", attempt.send_try()),
                          cmd, nullptr, options_.outcome_commit_deadline);
  if (s.ok() || s.code() == absl::StatusCode::kFailedPrecondition) return absl::OkStatus();
  absl::MutexLock lock(&mu_);
  uncommitted_[attempt.ref().attempt_id()] = cmd;
  return s;
}

absl::Status Dispatcher::Resolve(const app::DebtorRecord& record, const app::Attempt& attempt) {
  // SENDING, and this process is not sending it (a worker owns an attempt while it runs, and
  // its own uncommitted outcomes were committed above): an earlier incarnation crashed between
  // SENDING and the outcome, or could not commit it.
  auto it = adapters_.find(attempt.ref().channel());
  const std::string key = DebtorKey(record.tenant(), record.debtor_id());
  if (it != adapters_.end() && it->second->deduplicates()) {
    app::ContactCommand cmd;
    cmd.mutable_take_over()->set_attempt_id(attempt.ref().attempt_id());
    cmd.mutable_take_over()->set_incarnation(options_.incarnation);
    app::AttemptReply reply;
    absl::Status s = Commit(key, record.tenant(),
                            absl::StrCat(attempt.ref().attempt_id(), "/takeover/", options_.incarnation),
                            cmd, &reply, absl::Seconds(10));
    if (s.code() == absl::StatusCode::kFailedPrecondition) return absl::OkStatus();
    if (!s.ok()) return s;
    platform::LogInfo("resending an interrupted attempt through a deduplicating provider",
                      {{"attempt_id", attempt.ref().attempt_id()}, {"provider", it->second->provider()}});
    return Send(record, reply.attempt(), /*resend=*/true);
  }
  app::ContactCommand cmd;
  cmd.mutable_mark_unknown()->set_attempt_id(attempt.ref().attempt_id());
  cmd.mutable_mark_unknown()->set_explanation(absl::StrCat(
      "interrupted after SENDING was committed (", attempt.sending_by(), "); ",
      it == adapters_.end() ? "no adapter" : it->second->provider(),
      " cannot deduplicate, so it is not sent again: an operator checks whether it arrived"));
  absl::Status s = Commit(key, record.tenant(), absl::StrCat(attempt.ref().attempt_id(), "/unknown"),
                          cmd, nullptr, absl::Seconds(10));
  if (s.code() == absl::StatusCode::kFailedPrecondition) return absl::OkStatus();
  if (s.ok()) {
    platform::LogWarn("contact attempt outcome unknown; listed for an operator",
                      {{"attempt_id", attempt.ref().attempt_id()}});
  }
  return s;
}

absl::Status Dispatcher::Send(const app::DebtorRecord& record, const app::Attempt& attempt,
                              bool resend) {
  const std::string key = DebtorKey(record.tenant(), record.debtor_id());
  const std::string& attempt_id = attempt.ref().attempt_id();
  const v1::Channel channel = attempt.ref().channel();
  auto it = adapters_.find(channel);
  if (it == adapters_.end()) {
    return CompleteWith(record, attempt, app::SEND_OUTCOME_FAILED, "", "", "no adapter");
  }
  ChannelAdapter* adapter = it->second;

  // Build the message before SENDING: a message that cannot be built never goes out.
  OutboundMessage msg;
  msg.attempt_id = attempt_id;
  msg.tenant = record.tenant();
  msg.channel = channel;
  msg.queue = attempt.spec().queue().empty() ? kDefaultCallQueue : attempt.spec().queue();
  if (channel != v1::CHANNEL_PHONE) {
    absl::StatusOr<invoice::v1::Debtor> debtor = directory_->GetDebtorContact(
        record.tenant(), record.debtor_id(), PurposeOf(attempt), attempt.ref().case_id());
    if (!debtor.ok()) {
      const absl::StatusCode code = debtor.status().code();
      if (code == absl::StatusCode::kFailedPrecondition || code == absl::StatusCode::kNotFound) {
        if (resend) return absl::OkStatus();  // stays SENDING: a later incarnation marks it
        return CompleteWith(record, attempt, app::SEND_OUTCOME_FAILED, adapter->provider(), "",
                            code == absl::StatusCode::kNotFound ? "debtor not found"
                                                                : "personal data erased");
      }
      return debtor.status();
    }
    const MessageSettings& settings = options_.messages;
    absl::StatusOr<MessageContext> ctx = BuildContext(record, attempt, *debtor, directory_,
                                                      settings, hasher_, clock_->Now());
    if (!ctx.ok()) return ctx.status();
    absl::StatusOr<RenderedMessage> rendered =
        RenderAttempt(*renderer_, *ctx, attempt.spec().kind());
    if (!rendered.ok()) {
      if (resend) return rendered.status();
      return CompleteWith(record, attempt, app::SEND_OUTCOME_FAILED, adapter->provider(), "",
                          absl::StrCat("render: ", rendered.status().message()));
    }
    msg.rendered = *std::move(rendered);
    msg.recipient_name = ctx->debtor_display_name;
    msg.sender_name = ctx->creditor_name;
    if (channel == v1::CHANNEL_LETTER) {
      absl::StatusOr<std::string> pdf = RenderLetterPdf(*ctx, msg.rendered);
      if (!pdf.ok()) {
        if (resend) return pdf.status();
        return CompleteWith(record, attempt, app::SEND_OUTCOME_FAILED, adapter->provider(), "",
                            absl::StrCat("letter: ", pdf.status().message()));
      }
      msg.document = *std::move(pdf);
      msg.postal_address = PostalBlockOf(*debtor, attempt.ref().contact_point_id());
    } else {
      msg.address = AddressOf(*debtor, attempt.ref().contact_point_id());
    }
    if (msg.address.empty() && msg.postal_address.empty()) {
      if (resend) return absl::OkStatus();
      return CompleteWith(record, attempt, app::SEND_OUTCOME_FAILED, adapter->provider(), "",
                          "the contact point no longer exists");
    }
  }

  app::Attempt sending = attempt;
  if (!resend) {
    app::ContactCommand cmd;
    cmd.mutable_begin_send()->set_attempt_id(attempt_id);
    cmd.mutable_begin_send()->set_send_try(attempt.send_try());
    cmd.mutable_begin_send()->set_incarnation(options_.incarnation);
    app::AttemptReply reply;
    absl::Status s = Commit(key, record.tenant(),
                            absl::StrCat(attempt_id, "/begin/", attempt.send_try()), cmd, &reply,
                            absl::Seconds(10));
    if (s.code() == absl::StatusCode::kFailedPrecondition) return absl::OkStatus();
    if (!s.ok()) return s;
    if (reply.attempt().phase() != app::PHASE_SENDING ||
        reply.attempt().sending_by() != options_.incarnation) {
      return absl::OkStatus();  // suppressed at the last moment, or another incarnation's
    }
    sending = reply.attempt();
  }
  platform::FaultPoint(kFaultAfterSendingCommitted);
  const SendResult result = adapter->Send(msg);
  platform::FaultPoint(kFaultAfterSend);

  switch (result.kind) {
    case SendResult::Kind::kAccepted:
      return CompleteWith(record, sending, app::SEND_OUTCOME_ACCEPTED, adapter->provider(),
                          result.provider_message_id, result.code);
    case SendResult::Kind::kRejected:
      return CompleteWith(record, sending, app::SEND_OUTCOME_BOUNCED, adapter->provider(), "",
                          result.code);
    case SendResult::Kind::kTransient:
      return CompleteWith(record, sending, app::SEND_OUTCOME_RETRY, adapter->provider(), "",
                          result.code);
    case SendResult::Kind::kAmbiguous:
      break;
  }
  if (adapter->deduplicates()) {
    return CompleteWith(record, sending, app::SEND_OUTCOME_RETRY, adapter->provider(), "",
                        result.code);
  }
  app::ContactCommand cmd;
  cmd.mutable_mark_unknown()->set_attempt_id(attempt_id);
  cmd.mutable_mark_unknown()->set_explanation(
      absl::StrCat(adapter->provider(), " gave no final answer (", result.code,
                   ") and cannot deduplicate, so it is not sent again: an operator checks"));
  absl::Status s = Commit(key, record.tenant(), absl::StrCat(attempt_id, "/unknown"), cmd, nullptr,
                          options_.outcome_commit_deadline);
  if (s.ok() || s.code() == absl::StatusCode::kFailedPrecondition) return absl::OkStatus();
  absl::MutexLock lock(&mu_);
  uncommitted_[attempt_id] = cmd;
  return s;
}

absl::StatusOr<platform::Effects> HintingHandler::Apply(const std::optional<std::string>& state,
                                                        const platform::Input& input,
                                                        absl::Time now) {
  absl::StatusOr<platform::Effects> fx = inner_->Apply(state, input, now);
  if (fx.ok() && input.kind == platform::Input::Kind::kTimer &&
      absl::StartsWith(input.timer.kind(), kSendTimerPrefix)) {
    if (Dispatcher* d = dispatcher_.load()) d->Hint(input.aggregate_key, input.timer.payload());
  }
  return fx;
}

}  // namespace concerto::contact
