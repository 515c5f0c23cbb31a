#include "services/dunning/app/dunning_handler.h"

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "concerto/contact/v1/contact_events.pb.h"
#include "concerto/invoice/v1/invoice_events.pb.h"
#include "concerto/legal/v1/legal_events.pb.h"
#include "concerto/payment/v1/payment_events.pb.h"
#include "google/protobuf/descriptor.h"
#include "services/dunning/app/command.pb.h"
#include "services/dunning/app/ledger.pb.h"
#include "services/dunning/app/legal_ledger.h"

namespace concerto::dunning {
namespace {

rules::Money ToMoney(const common::v1::Money& m) { return rules::Money{m.minor_units(), m.currency()}; }

template <typename T>
absl::StatusOr<T> Payload(const platform::Input& input) {
  T msg;
  if (!msg.ParseFromString(input.event.payload())) {
    return absl::InvalidArgumentError(
        absl::StrCat("payload: does not decode as ", T::descriptor()->full_name()));
  }
  return msg;
}

template <typename T>
bool Is(const platform::Input& input) {
  return input.event.type() == T::descriptor()->full_name();
}

v1::DebtorProfile Profile(const invoice::v1::InvoiceIssued& issued) {
  v1::DebtorProfile p;
  // The two DebtorType enums share their numbers (unspecified, consumer, business).
  p.set_type(static_cast<v1::DebtorType>(issued.debtor_type()));
  p.set_jurisdiction(issued.country());
  return p;
}

std::string StepPayload(int step) { return absl::StrCat(step); }

std::string ActorName(const common::v1::RequestContext& ctx) {
  return ctx.actor().id().empty() ? std::string("operator") : ctx.actor().id();
}

// CaseCurrency is the currency of the case's invoices (empty for a case without invoices).
std::string CaseCurrency(const v1::Case& c) {
  for (const auto& inv : c.invoices()) {
    if (!inv.open_balance().currency().empty()) return inv.open_balance().currency();
  }
  return "";
}

absl::StatusOr<std::vector<CaseInput>> CommandInputs(const v1::Case& current,
                                                     const platform::Input& input) {
  app::CaseCommand cmd;
  if (!cmd.ParseFromString(input.command)) {
    return absl::InvalidArgumentError("command: does not decode as concerto.dunning.app.CaseCommand");
  }
  using K = AgentAction::Kind;
  auto agent = [](K kind, const common::v1::RequestContext& ctx, const std::string& text) {
    return AgentAction{kind, ActorName(ctx), text};
  };
  CaseInput in;
  in.cause_id = input.id;
  switch (cmd.command_case()) {
    case app::CaseCommand::kPause:
      in.event = agent(K::kPause, cmd.pause().context(), cmd.pause().reason());
      break;
    case app::CaseCommand::kResume:
      in.event = agent(K::kResume, cmd.resume().context(), cmd.resume().reason());
      break;
    case app::CaseCommand::kAddNote:
      in.event = agent(K::kNote, cmd.add_note().context(), cmd.add_note().text());
      break;
    case app::CaseCommand::kAssignAgent:
      in.event = agent(K::kAssign, cmd.assign_agent().context(), cmd.assign_agent().agent());
      break;
    case app::CaseCommand::kRequestEscalation:
      in.event = agent(K::kRequestEscalation, cmd.request_escalation().context(),
                       cmd.request_escalation().reason());
      break;
    case app::CaseCommand::kRecordDispute: {
      const auto& r = cmd.record_dispute();
      in.event = DisputeRaised{
          r.invoice_id(),
          r.reason().empty() ? absl::StrCat("recorded by ", ActorName(r.context())) : r.reason()};
      break;
    }
    case app::CaseCommand::kResolveDispute: {
      const auto& r = cmd.resolve_dispute();
      in.event = DisputeResolved{
          r.invoice_id(), r.upheld(),
          r.reason().empty() ? absl::StrCat("resolved by ", ActorName(r.context())) : r.reason()};
      break;
    }
    case app::CaseCommand::kRecordPromise: {
      const auto& r = cmd.record_promise();
      const std::string currency = CaseCurrency(current);
      if (!currency.empty() && r.amount().currency() != currency) {
        return absl::InvalidArgumentError(absl::StrCat(
            "amount.currency: the case is in ", currency, ", not ", r.amount().currency()));
      }
      in.event = PromiseMade{r.amount().minor_units(), ToCivilDay(r.promised_date())};
      break;
    }
    default:
      return absl::InvalidArgumentError("command: no command set");
  }
  std::vector<CaseInput> out;
  out.push_back(std::move(in));
  return out;
}

// CommandContext returns the request context of a command (for the tenant check).
const common::v1::RequestContext* CommandContext(const app::CaseCommand& cmd) {
  switch (cmd.command_case()) {
    case app::CaseCommand::kPause: return &cmd.pause().context();
    case app::CaseCommand::kResume: return &cmd.resume().context();
    case app::CaseCommand::kRecordDispute: return &cmd.record_dispute().context();
    case app::CaseCommand::kResolveDispute: return &cmd.resolve_dispute().context();
    case app::CaseCommand::kRecordPromise: return &cmd.record_promise().context();
    case app::CaseCommand::kAddNote: return &cmd.add_note().context();
    case app::CaseCommand::kAssignAgent: return &cmd.assign_agent().context();
    case app::CaseCommand::kRequestEscalation: return &cmd.request_escalation().context();
    default: return nullptr;
  }
}

absl::Status CaseNotFound(const std::string& aggregate_key) {
  absl::Status s =
      absl::FailedPreconditionError(absl::StrCat("case ", aggregate_key, ": does not exist"));
  s.SetPayload(kCaseNotFoundPayload, absl::Cord("1"));
  return s;
}

}  // namespace

std::string CaseKey(const std::string& tenant, const std::string& debtor_id) {
  return absl::StrCat(tenant, "/", debtor_id);
}

absl::Status StrategyBook::Put(const std::string& tenant, v1::Strategy strategy) {
  absl::MutexLock lock(&mu_);
  TenantBook& book = tenants_[tenant];
  const Key key = std::make_pair(strategy.id(), strategy.version());
  if (auto it = book.versions.find(key); it != book.versions.end()) {
    if (it->second->SerializeAsString() == strategy.SerializeAsString()) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat("version: ", StrategyLabel(key.first, key.second),
                                                   " exists with other content"));
  }
  // Shared strategies (files) run from the first one; a tenant's own runs once activated.
  if (book.versions.empty() && tenant.empty()) book.active = key;
  book.versions[key] = std::make_shared<const v1::Strategy>(std::move(strategy));
  return absl::OkStatus();
}

const v1::Strategy* StrategyBook::FindLocked(const std::string& tenant, const Key& key) const {
  for (const std::string* t : {&tenant, &kSharedTenant}) {
    auto book = tenants_.find(*t);
    if (book == tenants_.end()) continue;
    if (auto it = book->second.versions.find(key); it != book->second.versions.end()) {
      return it->second.get();
    }
  }
  return nullptr;
}

std::shared_ptr<const v1::Strategy> StrategyBook::Get(const std::string& tenant,
                                                      const std::string& id, int version) const {
  absl::MutexLock lock(&mu_);
  Key key{id, version};
  if (version == 0) {
    auto own = tenants_.find(tenant);
    const bool has_own = own != tenants_.end() && !own->second.active.first.empty();
    auto book = has_own ? own : tenants_.find(kSharedTenant);
    if (book == tenants_.end() || book->second.active.first != id) return nullptr;
    key = book->second.active;
  }
  for (const std::string* t : {&tenant, &kSharedTenant}) {
    auto book = tenants_.find(*t);
    if (book == tenants_.end()) continue;
    if (auto it = book->second.versions.find(key); it != book->second.versions.end()) {
      return it->second;
    }
  }
  return nullptr;
}

absl::Status StrategyBook::Activate(const std::string& tenant, const std::string& id,
                                    int version) {
  absl::MutexLock lock(&mu_);
  if (FindLocked(tenant, {id, version}) == nullptr) {
    return absl::NotFoundError(absl::StrCat("strategy ", StrategyLabel(id, version), " is not loaded"));
  }
  tenants_[tenant].active = {id, version};
  return absl::OkStatus();
}

std::pair<std::string, int> StrategyBook::Active(const std::string& tenant) const {
  absl::MutexLock lock(&mu_);
  auto own = tenants_.find(tenant);
  if (own != tenants_.end() && !own->second.active.first.empty()) return own->second.active;
  auto shared = tenants_.find(kSharedTenant);
  return shared == tenants_.end() ? Key{} : shared->second.active;
}

void StrategyBook::FillFromLocked(const std::string& tenant, const v1::Strategy* champion,
                                  EngineContext* ctx) const {
  ctx->champion = champion;
  ctx->challenger = nullptr;
  if (champion->has_champion_challenger()) {
    ctx->challenger = FindLocked(
        tenant, {champion->id(), champion->champion_challenger().challenger_version()});
  }
}

absl::Status StrategyBook::Fill(const std::string& tenant, EngineContext* ctx) const {
  const Key active = Active(tenant);
  absl::MutexLock lock(&mu_);
  const v1::Strategy* champion = FindLocked(tenant, active);
  if (champion == nullptr) return absl::FailedPreconditionError("strategy: none loaded");
  FillFromLocked(tenant, champion, ctx);
  return absl::OkStatus();
}

absl::Status StrategyBook::FillFor(const v1::Case& c, EngineContext* ctx) const {
  if (absl::Status s = Fill(c.tenant(), ctx); !s.ok()) return s;
  const v1::StrategyAssignment& a = c.assignment();
  if (a.strategy_id().empty()) return absl::OkStatus();
  auto is = [&a](const v1::Strategy* s) {
    return s != nullptr && s->id() == a.strategy_id() && s->version() == a.version();
  };
  if (is(ctx->champion) || is(ctx->challenger)) return absl::OkStatus();
  absl::MutexLock lock(&mu_);
  const v1::Strategy* assigned = FindLocked(c.tenant(), {a.strategy_id(), a.version()});
  if (assigned == nullptr) {
    return absl::UnavailableError(absl::StrCat("strategy ", StrategyLabel(a.strategy_id(), a.version()),
                                               " is not loaded in this process yet"));
  }
  FillFromLocked(c.tenant(), assigned, ctx);
  return absl::OkStatus();
}

std::vector<v1::Strategy> StrategyBook::All(const std::string& tenant) const {
  absl::MutexLock lock(&mu_);
  std::vector<v1::Strategy> out;
  for (const std::string* t : {&tenant, &kSharedTenant}) {
    auto book = tenants_.find(*t);
    if (book == tenants_.end()) continue;
    for (const auto& [key, s] : book->second.versions) out.push_back(*s);
    if (tenant.empty()) break;
  }
  return out;
}

absl::StatusOr<std::vector<CaseInput>> DunningHandler::ToCaseInputs(
    const v1::Case& current, const platform::Input& input) {
  if (input.kind == platform::Input::Kind::kCommand) return CommandInputs(current, input);
  std::vector<CaseInput> out;
  auto add = [&](auto event) {
    CaseInput in;
    in.cause_id = input.id;
    in.event = std::move(event);
    out.push_back(std::move(in));
  };
  if (input.kind == platform::Input::Kind::kTimer) {
    int step = 0;
    if (!absl::SimpleAtoi(input.timer.payload(), &step)) {
      return absl::InvalidArgumentError("timer.payload: not a step index");
    }
    add(StepTimerFired{step});
    return out;
  }
  if (Is<invoice::v1::InvoiceIssued>(input)) {
    auto m = Payload<invoice::v1::InvoiceIssued>(input);
    if (!m.ok()) return m.status();
    add(InvoiceIssued{m->invoice_id(), ToMoney(m->open_balance()), ToCivilDay(m->due_date()),
                      Profile(*m)});
  } else if (Is<invoice::v1::InvoiceCancelled>(input)) {
    auto m = Payload<invoice::v1::InvoiceCancelled>(input);
    if (!m.ok()) return m.status();
    add(InvoiceCancelled{m->invoice_id()});
  } else if (Is<invoice::v1::InvoiceWrittenOff>(input)) {
    auto m = Payload<invoice::v1::InvoiceWrittenOff>(input);
    if (!m.ok()) return m.status();
    add(InvoiceWrittenOff{m->invoice_id()});
  } else if (Is<payment::v1::PaymentAllocated>(input)) {
    auto m = Payload<payment::v1::PaymentAllocated>(input);
    if (!m.ok()) return m.status();
    for (const auto& a : m->allocations()) {
      add(PaymentAllocated{a.invoice_id(), a.principal().minor_units()});
    }
  } else if (Is<payment::v1::PromiseMade>(input)) {
    auto m = Payload<payment::v1::PromiseMade>(input);
    if (!m.ok()) return m.status();
    add(PromiseMade{m->amount().minor_units(), ToCivilDay(m->due_date())});
  } else if (Is<payment::v1::PromiseKept>(input)) {
    add(PromiseKept{});
  } else if (Is<payment::v1::PromiseBroken>(input)) {
    add(PromiseBroken{});
  } else if (Is<payment::v1::PlanCreated>(input)) {
    add(PlanCreated{});
  } else if (Is<payment::v1::PlanBroken>(input)) {
    add(PlanBroken{});
  } else if (Is<payment::v1::PlanCompleted>(input)) {
    add(PlanCompleted{});
  } else if (Is<contact::v1::DisputeRaised>(input)) {
    auto m = Payload<contact::v1::DisputeRaised>(input);
    if (!m.ok()) return m.status();
    const std::string reason = contact::v1::DisputeReason_Name(m->reason());
    if (m->invoice_ids().empty()) {
      for (const auto& inv : current.invoices()) add(DisputeRaised{inv.invoice_id(), reason});
    } else {
      for (const auto& id : m->invoice_ids()) add(DisputeRaised{id, reason});
    }
  } else if (Is<contact::v1::HardshipReported>(input)) {
    auto m = Payload<contact::v1::HardshipReported>(input);
    if (!m.ok()) return m.status();
    HardshipReported h;
    if (m->has_breathing_space_until()) h.until = ToCivilDay(m->breathing_space_until());
    h.reason = contact::v1::HardshipKind_Name(m->kind());
    add(h);
  } else if (Is<legal::v1::EscalationAccepted>(input)) {
    add(LegalOutcome{LegalOutcome::Kind::kOpened, ""});
  } else if (Is<legal::v1::EscalationRejected>(input)) {
    auto m = Payload<legal::v1::EscalationRejected>(input);
    if (!m.ok()) return m.status();
    add(LegalOutcome{LegalOutcome::Kind::kRejected, m->ShortDebugString()});
  } else if (Is<legal::v1::LegalCaseSettled>(input)) {
    add(LegalOutcome{LegalOutcome::Kind::kSettled, ""});
  } else if (Is<legal::v1::LegalCaseRecalled>(input)) {
    // The client or the partner took the claim back from court: an agent decides what next.
    auto m = Payload<legal::v1::LegalCaseRecalled>(input);
    if (!m.ok()) return m.status();
    add(LegalOutcome{LegalOutcome::Kind::kRejected,
                     absl::StrCat("recalled from legal (", legal::v1::RecallReason_Name(m->reason()), ")")});
  } else if (Is<legal::v1::LegalCaseClosed>(input)) {
    auto m = Payload<legal::v1::LegalCaseClosed>(input);
    if (!m.ok()) return m.status();
    switch (m->outcome()) {
      case legal::v1::LEGAL_OUTCOME_PAID:
        add(LegalOutcome{LegalOutcome::Kind::kPaid, ""});
        break;
      case legal::v1::LEGAL_OUTCOME_SETTLED:
        add(LegalOutcome{LegalOutcome::Kind::kSettled, ""});
        break;
      default:
        add(LegalOutcome{LegalOutcome::Kind::kUncollectable, ""});
    }
  } else {
    return absl::UnimplementedError(absl::StrCat("dunning: does not act on ", input.event.type()));
  }
  return out;
}

absl::StatusOr<platform::Effects> DunningHandler::Apply(const std::optional<std::string>& state,
                                                        const platform::Input& input,
                                                        absl::Time now) {
  if (IsLedgerKey(input.aggregate_key)) return ApplyLedger(state, input, now);
  v1::Case current;
  if (state.has_value() && !current.ParseFromString(*state)) {
    return absl::DataLossError("case state does not decode");
  }
  if (input.kind == platform::Input::Kind::kCommand) {
    // Commands act on existing cases of the caller's tenant only.
    if (!state.has_value()) return CaseNotFound(input.aggregate_key);
    app::CaseCommand cmd;
    const common::v1::RequestContext* ctx =
        cmd.ParseFromString(input.command) ? CommandContext(cmd) : nullptr;
    if (ctx == nullptr) return absl::InvalidArgumentError("command: no command set");
    if (ctx->tenant() != current.tenant() || input.tenant != current.tenant()) {
      return CaseNotFound(input.aggregate_key);
    }
  }
  if (!state.has_value()) {
    // A new case: "tenant/debtor" names it.
    const auto slash = input.aggregate_key.find('/');
    if (slash == std::string::npos) {
      return absl::InvalidArgumentError("aggregate_key: must be <tenant>/<debtor_id>");
    }
    current.set_tenant(input.aggregate_key.substr(0, slash));
    current.set_debtor_id(input.aggregate_key.substr(slash + 1));
  }
  EngineContext ctx;
  if (absl::Status s = strategies_->FillFor(current, &ctx); !s.ok()) return s;
  // The tenant's totals live in the ledger aggregate: escalations ask it for a slot.
  ctx.defer_legal_ratio_check = true;
  ctx.step_settle = options_.step_settle;
  platform::Effects fx;
  std::optional<ledger::v1::LegalSlotDecided> slot;
  absl::StatusOr<std::vector<CaseInput>> inputs;
  if (input.kind == platform::Input::Kind::kEvent &&
      input.event.type() == ledger::v1::LegalSlotDecided::descriptor()->full_name()) {
    slot.emplace();
    if (!slot->ParseFromString(input.event.payload())) {
      return absl::InvalidArgumentError("payload: does not decode as LegalSlotDecided");
    }
    if (slot->case_sequence() != current.sequence() ||
        current.state() != v1::CASE_STATE_AGENT_REVIEW) {
      // The case moved on (paid, resumed, a new cycle) while the ledger decided.
      if (slot->granted()) {
        AddSlotRelease(current, slot->currency(), slot->balance_minor(),
                       "case moved on before the slot was used", &fx);
      }
      return fx;
    }
    CaseInput in;
    in.cause_id = input.id;
    if (slot->granted()) {
      in.event = AgentAction{AgentAction::Kind::kRequestEscalation, "legal-ratio guardrail",
                             slot->reason()};
      ctx.defer_legal_ratio_check = false;
      ctx.legal = LegalTotals{slot->placed_minor(), slot->escalated_before_minor()};
    } else {
      in.event = AgentAction{AgentAction::Kind::kNote, "legal-ratio guardrail", slot->reason()};
    }
    inputs = std::vector<CaseInput>{std::move(in)};
  } else {
    inputs = ToCaseInputs(current, input);
  }
  if (!inputs.ok()) return inputs.status();
  if (IsClosed(current.state()) && input.kind == platform::Input::Kind::kEvent &&
      absl::StartsWith(input.event.type(), "concerto.legal.v1.")) {
    // A legal outcome after the case closed (e.g. LegalCaseClosed after LegalCaseSettled):
    // nothing left to decide.
    return platform::Effects{};
  }
  const int timeline_before = current.timeline_size();
  const int notes_before = current.notes_size();

  bool changed = false;
  for (const CaseInput& in : *inputs) {
    absl::StatusOr<Decision> d = Decide(current, in, now, ctx);
    if (!d.ok() && slot.has_value() && slot->granted()) {
      // The escalation no longer holds (e.g. the balance grew past the slot): give it back; the
      // case stays with its agent.
      AddSlotRelease(current, slot->currency(), slot->balance_minor(),
                     absl::StrCat("slot not used: ", d.status().message()), &fx);
      return fx;
    }
    if (!d.ok()) return d.status();
    if (slot.has_value() && slot->granted()) {
      const int64_t used = d->escalated_delta_minor;
      AddSlotRelease(current, slot->currency(), slot->balance_minor() - used,
                     "escalated less than reserved", &fx);
    }
    AddLedgerMessages(d->state, *d, input.id, slot.has_value() && slot->granted(), &fx);
    if (!d->changed) continue;
    changed = true;
    current = std::move(d->state);
    for (const v1::CaseEvent& ev : d->events) {
      // Publish the inner message, so consumers subscribe to what they act on.
      const google::protobuf::FieldDescriptor* field =
          ev.GetReflection()->GetOneofFieldDescriptor(ev, v1::CaseEvent::descriptor()->oneof_decl(0));
      if (field == nullptr) continue;
      const google::protobuf::Message& inner = ev.GetReflection()->GetMessage(ev, field);
      fx.events.push_back({kCaseEventsTopic, "", current.tenant(),
                           inner.GetDescriptor()->full_name(), inner.SerializeAsString(), 1});
    }
    const TimerChange& t = d->timer;
    if (t.cancel) {
      fx.timers_remove.push_back(platform::TimerId(
          input.aggregate_key, absl::StrCat(kStepTimerKind, "/", t.cancel_step), t.cancel_due));
    }
    if (t.arm) {
      fx.timers_add.push_back(
          {absl::StrCat(kStepTimerKind, "/", t.step), t.due, StepPayload(t.step)});
    }
  }
  if (changed) fx.new_state = current.SerializeAsString();
  if (input.kind == platform::Input::Kind::kCommand) {
    // The reply, stored with the processed id so that a retry gets the same answer.
    app::CommandResult result;
    result.set_command(input.command);
    v1::CaseCommandResponse* response = result.mutable_response();
    *response->mutable_case_() = current;
    if (current.timeline_size() > timeline_before) {
      response->set_reason(current.timeline(current.timeline_size() - 1).reason());
    } else if (current.notes_size() > notes_before) {
      response->set_reason(current.notes(current.notes_size() - 1).text());
    } else {
      response->set_reason("no change");
    }
    fx.result = result.SerializeAsString();
  }
  return fx;
}

}  // namespace concerto::dunning
