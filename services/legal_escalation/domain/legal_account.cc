#include "services/legal_escalation/domain/legal_account.h"

#include <algorithm>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "concerto/dunning/v1/case.pb.h"
#include "concerto/legal/v1/legal_events.pb.h"
#include "libs/core/stable_hash.h"
#include "services/legal_escalation/domain/eligibility.h"
#include "services/legal_escalation/domain/internal/convert.h"

namespace concerto::legal {
namespace {

using internal::AmountText;
using internal::DateText;
using internal::DayOf;
using internal::HasDate;
using internal::SetDate;
using internal::SetTimestamp;
using internal::StageName;
using internal::StatusName;
namespace dv1 = dunning::v1;

constexpr char kDunningPrefix[] = "concerto.dunning.v1.";
constexpr char kServiceActor[] = "legal-escalation";

absl::CivilDay Today(absl::Time now, const TenantLegalConfig& config) {
  return absl::ToCivilDay(now, config.zone);
}

std::string ActorName(const CommandActor& actor) {
  return actor.id.empty() ? std::string("operator") : actor.id;
}

absl::Status Invalid(const std::string& field, const std::string& problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

absl::Status NotFound(const std::string& legal_case_id) {
  absl::Status s = absl::FailedPreconditionError(
      absl::StrCat("legal_case_id: no legal case ", legal_case_id, " for this debtor"));
  s.SetPayload(kNotFoundPayload, absl::Cord("1"));
  return s;
}

bool IsLitigation(v1::LegalStage s) {
  return s >= v1::LEGAL_STAGE_FORMAL_NOTICE && s <= v1::LEGAL_STAGE_ENFORCEMENT;
}

bool IsOpenStatus(v1::LegalCaseStatus s) {
  return s == v1::LEGAL_CASE_STATUS_OPEN || s == v1::LEGAL_CASE_STATUS_SETTLED;
}

void AddTimeline(state::v1::LegalCaseRecord* rec, absl::Time now, std::string what,
                 const std::string& cause_id, const std::string& actor) {
  state::v1::TimelineItem* t = rec->add_timeline();
  SetTimestamp(now, t->mutable_at());
  t->set_what(std::move(what));
  t->set_cause_id(cause_id);
  t->set_actor(actor);
}

void AddNote(state::v1::LegalCaseRecord* rec, absl::Time now, const std::string& actor,
             const std::string& text, const std::string& command) {
  if (text.empty()) return;
  state::v1::OperatorNote* n = rec->add_notes();
  SetTimestamp(now, n->mutable_at());
  n->set_actor(actor);
  n->set_text(text);
  n->set_command(command);
}

void AddStageRecord(v1::LegalCase* lc, v1::LegalStage stage, absl::CivilDay effective_on,
                    std::optional<absl::CivilDay> term_ends_on, const std::string& court_reference,
                    const std::string& note, absl::Time now, const std::string& actor) {
  v1::StageRecord* s = lc->add_stages();
  s->set_stage(stage);
  SetDate(effective_on, s->mutable_effective_on());
  if (term_ends_on.has_value()) SetDate(*term_ends_on, s->mutable_term_ends_on());
  s->set_court_reference(court_reference);
  s->set_note(note);
  SetTimestamp(now, s->mutable_recorded_at());
  s->set_recorded_by(actor);
  lc->set_stage(stage);
}

// CurrentStageDay is the effective day of the case's latest stage record.
std::optional<absl::CivilDay> CurrentStageDay(const v1::LegalCase& lc) {
  if (lc.stages_size() == 0) return std::nullopt;
  return DayOf(lc.stages(lc.stages_size() - 1).effective_on());
}

// CommandScope locates the legal case a command names and prepares its decision.
struct CommandScope {
  LegalDecision decision;
  int index = -1;
  state::v1::LegalCaseRecord* record() { return decision.state.mutable_cases(index); }
  v1::LegalCase* lc() { return record()->mutable_legal_case(); }
};

absl::StatusOr<CommandScope> Locate(const state::v1::LegalAccount& account,
                                    const std::string& legal_case_id) {
  if (legal_case_id.empty()) return Invalid("legal_case_id", "required");
  CommandScope scope;
  scope.decision.state = account;
  for (int i = 0; i < account.cases_size(); ++i) {
    if (account.cases(i).legal_case().legal_case_id() == legal_case_id) {
      scope.index = i;
      return scope;
    }
  }
  return NotFound(legal_case_id);
}

// Finish marks the decision changed and sets the reply.
LegalDecision Finish(CommandScope scope) {
  scope.decision.changed = true;
  v1::LegalCaseResponse reply;
  *reply.mutable_legal_case() = *scope.lc();
  scope.decision.reply = std::move(reply);
  return std::move(scope.decision);
}

absl::Status NotOpen(const v1::LegalCase& lc, const std::string& to, const std::string& what) {
  return absl::FailedPreconditionError(absl::StrCat("invalid transition ", StatusName(lc.status()),
                                                    " -> ", to, ": legal case ", lc.legal_case_id(),
                                                    " is ", StatusName(lc.status()), ", ", what));
}

absl::Status CheckCurrency(const common::v1::Money& m, const v1::LegalCase& lc,
                           const std::string& field) {
  if (m.currency() != lc.claimed().currency()) {
    return Invalid(absl::StrCat(field, ".currency"),
                   absl::StrCat("the claim is in ", lc.claimed().currency(), ", not ",
                                m.currency().empty() ? "(empty)" : m.currency()));
  }
  return absl::OkStatus();
}

template <typename T>
void SetIds(const v1::LegalCase& lc, T* e) {
  e->set_legal_case_id(lc.legal_case_id());
  e->set_case_id(lc.case_id());
  e->set_debtor_id(lc.debtor_id());
}

// ---- case events -> facts ----

void NoteStep(int step, state::v1::CaseFacts* f) {
  if (step > f->max_step()) f->set_max_step(step);
}

void NoteAssignment(const dv1::StrategyAssignment& a, state::v1::CaseFacts* f) {
  if (!a.strategy_id().empty()) f->set_strategy_id(a.strategy_id());
  if (!a.segment().empty()) f->set_segment(a.segment());
}

void NoteState(dv1::CaseState to, absl::CivilDay today, state::v1::CaseFacts* f) {
  f->set_state(to);
  using S = dv1::CaseState;
  auto keeps = [to](std::initializer_list<S> states) {
    return std::find(states.begin(), states.end(), to) != states.end();
  };
  if (to == dv1::CASE_STATE_DISPUTED && !f->disputed()) {
    f->set_disputed(true);
    SetDate(today, f->mutable_disputed_since());
  } else if (!keeps({dv1::CASE_STATE_DISPUTED, dv1::CASE_STATE_AGENT_REVIEW,
                     dv1::CASE_STATE_HARDSHIP, dv1::CASE_STATE_LEGAL})) {
    f->set_disputed(false);
    f->clear_disputed_since();
  }
  if (to == dv1::CASE_STATE_HARDSHIP && !f->hardship()) {
    f->set_hardship(true);
    SetDate(today, f->mutable_hardship_since());
  } else if (!keeps({dv1::CASE_STATE_HARDSHIP, dv1::CASE_STATE_AGENT_REVIEW,
                     dv1::CASE_STATE_DISPUTED, dv1::CASE_STATE_LEGAL})) {
    f->set_hardship(false);
    f->clear_hardship_since();
  }
}

template <typename T>
absl::StatusOr<T> Decode(const std::string& payload) {
  T msg;
  if (!msg.ParseFromString(payload)) {
    return Invalid("payload", absl::StrCat("does not decode as ", T::descriptor()->full_name()));
  }
  return msg;
}

LegalDecision Escalate(const state::v1::LegalAccount& account,
                       const dv1::EscalationRequested& request, const std::string& event_id,
                       absl::Time now, const TenantLegalConfig& config) {
  LegalDecision d;
  d.state = account;
  const std::string legal_case_id = LegalCaseIdFor(event_id);
  if (FindCase(account, legal_case_id) != nullptr) return d;  // already decided: nothing new
  state::v1::LegalAccount& acct = d.state;
  state::v1::CaseFacts* facts = acct.mutable_facts();
  NoteAssignment(request.assignment(), facts);
  NoteStep(request.step(), facts);
  const absl::CivilDay today = Today(now, config);

  EligibilityInput in;
  in.request = &request;
  in.facts = facts;
  in.open_case = OpenCase(acct);
  for (const auto& rec : acct.cases()) {
    if (rec.legal_case().status() == v1::LEGAL_CASE_STATUS_RECALLED && facts->sequence() > 0 &&
        rec.case_sequence() == facts->sequence() &&
        rec.recall_reason() != v1::RECALL_REASON_ERROR) {
      in.recalled_case = &rec;
    }
  }
  in.today = today;
  Eligibility e = CheckEligibility(in, config);
  const std::string debtor_id =
      request.debtor_id().empty() ? acct.debtor_id() : request.debtor_id();
  const std::string case_id = CaseIdFor(debtor_id, facts->sequence());
  d.changed = true;

  if (!e.eligible) {
    state::v1::RejectedRequest* rej = acct.add_rejections();
    rej->set_escalation_request_id(event_id);
    SetTimestamp(now, rej->mutable_at());
    *rej->mutable_balance() = request.balance();
    for (const auto& r : e.rejections) *rej->add_reasons() = r;
    while (acct.rejections_size() > kMaxRejectionsKept) {
      acct.mutable_rejections()->erase(acct.mutable_rejections()->begin());
    }
    auto ev = std::make_unique<v1::EscalationRejected>();
    ev->set_case_id(case_id);
    ev->set_debtor_id(debtor_id);
    ev->set_escalation_request_id(event_id);
    for (const auto& r : e.rejections) *ev->add_reasons() = r;
    d.events.push_back(std::move(ev));
    return d;
  }

  state::v1::LegalCaseRecord* rec = acct.add_cases();
  v1::LegalCase* lc = rec->mutable_legal_case();
  lc->set_legal_case_id(legal_case_id);
  lc->set_case_id(case_id);
  lc->set_debtor_id(debtor_id);
  for (const auto& inv : request.invoices()) lc->add_invoice_ids(inv.invoice_id());
  *rec->mutable_invoices() = request.invoices();
  lc->set_partner_id(e.partner_id);
  lc->set_jurisdiction(e.jurisdiction);
  lc->set_status(v1::LEGAL_CASE_STATUS_OPEN);
  *lc->mutable_claimed() = request.balance();
  *lc->mutable_costs_total() = internal::MoneyOf(0, request.balance().currency());
  *lc->mutable_recovered() = internal::MoneyOf(0, request.balance().currency());
  SetTimestamp(now, lc->mutable_opened_at());
  lc->set_escalation_request_id(event_id);
  AddStageRecord(lc, v1::LEGAL_STAGE_ACCEPTED, today, std::nullopt, "", "", now, kServiceActor);
  for (auto& c : e.checks) *rec->add_eligibility() = std::move(c);
  rec->set_case_sequence(facts->sequence());
  rec->set_debtor_type(e.debtor_type);
  AddTimeline(
      rec, now,
      absl::StrCat(
          "escalation accepted: claim ", AmountText(lc->claimed()), " on ", lc->invoice_ids_size(),
          " invoice(s), partner ", lc->partner_id(),
          lc->jurisdiction().empty() ? "" : absl::StrCat(", jurisdiction ", lc->jurisdiction())),
      event_id, "dunning");
  d.opened_legal_case_id = legal_case_id;

  auto ev = std::make_unique<v1::EscalationAccepted>();
  ev->set_legal_case_id(legal_case_id);
  ev->set_case_id(case_id);
  ev->set_debtor_id(debtor_id);
  ev->set_escalation_request_id(event_id);
  ev->set_partner_id(lc->partner_id());
  *ev->mutable_invoice_ids() = lc->invoice_ids();
  *ev->mutable_claimed() = lc->claimed();
  ev->set_jurisdiction(lc->jurisdiction());
  d.events.push_back(std::move(ev));
  return d;
}

}  // namespace

std::string AccountKey(const std::string& tenant, const std::string& debtor_id) {
  return absl::StrCat(tenant, "/", debtor_id);
}

absl::StatusOr<state::v1::LegalAccount> NewAccount(const std::string& aggregate_key) {
  const size_t slash = aggregate_key.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == aggregate_key.size()) {
    return Invalid("aggregate_key", "must be <tenant>/<debtor_id>");
  }
  state::v1::LegalAccount a;
  a.set_tenant(aggregate_key.substr(0, slash));
  a.set_debtor_id(aggregate_key.substr(slash + 1));
  return a;
}

std::string LegalCaseIdFor(const std::string& event_id) {
  return absl::StrCat("lc-", core::DeterministicId(event_id, "legal-case"));
}

std::string CaseIdFor(const std::string& debtor_id, int sequence) {
  return sequence > 0 ? absl::StrCat(debtor_id, "#", sequence) : debtor_id;
}

const state::v1::LegalCaseRecord* FindCase(const state::v1::LegalAccount& account,
                                           const std::string& legal_case_id) {
  for (const auto& rec : account.cases()) {
    if (rec.legal_case().legal_case_id() == legal_case_id) return &rec;
  }
  return nullptr;
}

const state::v1::LegalCaseRecord* OpenCase(const state::v1::LegalAccount& account) {
  for (const auto& rec : account.cases()) {
    if (IsOpenStatus(rec.legal_case().status())) return &rec;
  }
  return nullptr;
}

bool StageAllowed(v1::LegalStage from, v1::LegalStage to) {
  if (from == v1::LEGAL_STAGE_CLOSED || to == v1::LEGAL_STAGE_ACCEPTED ||
      to == v1::LEGAL_STAGE_CLOSED || to == v1::LEGAL_STAGE_UNSPECIFIED) {
    return false;  // CLOSED is reached by Close / Recall only, ACCEPTED only by an escalation
  }
  if (to == v1::LEGAL_STAGE_SETTLEMENT)
    return from == v1::LEGAL_STAGE_ACCEPTED || IsLitigation(from);
  if (from == v1::LEGAL_STAGE_SETTLEMENT) return IsLitigation(to);  // talks failed: litigate on
  if (from == v1::LEGAL_STAGE_ACCEPTED) return IsLitigation(to);
  return IsLitigation(from) && IsLitigation(to) && to > from;  // forward only, skipping allowed
}

absl::StatusOr<LegalDecision> ApplyCaseEvent(const state::v1::LegalAccount& account,
                                             const std::string& type, const std::string& payload,
                                             const std::string& event_id, absl::Time occurred_at,
                                             absl::Time now, const TenantLegalConfig& config) {
  const std::string name =
      absl::StartsWith(type, kDunningPrefix) ? type.substr(sizeof(kDunningPrefix) - 1) : type;
  const absl::CivilDay today = Today(now, config);
  LegalDecision d;
  d.state = account;
  state::v1::CaseFacts* f = d.state.mutable_facts();
  if (name == "EscalationRequested") {
    auto m = Decode<dv1::EscalationRequested>(payload);
    if (!m.ok()) return m.status();
    if (!m->debtor_id().empty() && m->debtor_id() != account.debtor_id()) {
      return Invalid("debtor_id", absl::StrCat("event for ", m->debtor_id(), " on the account of ",
                                               account.debtor_id()));
    }
    LegalDecision out = Escalate(account, *m, event_id, now, config);
    out.state.mutable_facts()->set_events_seen(account.facts().events_seen() + 1);
    out.changed = true;
    return out;
  }
  if (name == "CaseOpened") {
    auto m = Decode<dv1::CaseOpened>(payload);
    if (!m.ok()) return m.status();
    const int64_t seen = f->events_seen();
    f->Clear();
    f->set_events_seen(seen);
    f->set_sequence(m->sequence());
    NoteAssignment(m->assignment(), f);
  } else if (name == "CaseTransitioned") {
    auto m = Decode<dv1::CaseTransitioned>(payload);
    if (!m.ok()) return m.status();
    NoteAssignment(m->assignment(), f);
    NoteStep(m->step(), f);
    NoteState(m->to(), today, f);
  } else if (name == "ContactRequested") {
    auto m = Decode<dv1::ContactRequested>(payload);
    if (!m.ok()) return m.status();
    NoteStep(m->step(), f);
  } else if (name == "CallTaskRequested") {
    auto m = Decode<dv1::CallTaskRequested>(payload);
    if (!m.ok()) return m.status();
    NoteStep(m->step(), f);
  } else if (name == "PlanOffered") {
    auto m = Decode<dv1::PlanOffered>(payload);
    if (!m.ok()) return m.status();
    NoteStep(m->step(), f);
  } else if (name == "FeesApplied") {
    auto m = Decode<dv1::FeesApplied>(payload);
    if (!m.ok()) return m.status();
    NoteStep(m->step(), f);
  } else if (name == "FinalNoticeRequested") {
    auto m = Decode<dv1::FinalNoticeRequested>(payload);
    if (!m.ok()) return m.status();
    NoteAssignment(m->assignment(), f);
    NoteStep(m->step(), f);
    f->set_final_notice_step(m->step() > 0 ? m->step() : std::max(1, f->max_step()));
    const absl::Time sent_at = occurred_at == absl::UnixEpoch() ? now : occurred_at;
    SetDate(absl::ToCivilDay(sent_at, config.zone), f->mutable_final_notice_sent_on());
    if (HasDate(m->expires())) {
      *f->mutable_final_notice_expires() = m->expires();
    } else {
      f->clear_final_notice_expires();
    }
  } else if (name == "CaseClosed") {
    auto m = Decode<dv1::CaseClosed>(payload);
    if (!m.ok()) return m.status();
    f->set_state(m->final_state());
    f->set_disputed(false);
    f->clear_disputed_since();
    f->set_hardship(false);
    f->clear_hardship_since();
    // An open legal case stays open: its partner closes it with the costs and the outcome.
    for (auto& rec : *d.state.mutable_cases()) {
      if (!IsOpenStatus(rec.legal_case().status())) continue;
      AddTimeline(
          &rec, now,
          absl::StrCat("dunning closed its case as ", internal::CaseStateName(m->final_state()),
                       " (closed balance ", AmountText(m->closed_balance()),
                       "): close the legal case with its outcome"),
          event_id, "dunning");
    }
  } else {
    return absl::UnimplementedError(absl::StrCat("legal-escalation: does not act on ", type));
  }
  f->set_events_seen(f->events_seen() + 1);
  d.changed = true;
  return d;
}

absl::StatusOr<LegalDecision> RecordStage(const state::v1::LegalAccount& account,
                                          const v1::RecordStageRequest& request,
                                          const std::string& cause_id, const CommandActor& actor,
                                          absl::Time now, const TenantLegalConfig& config) {
  const v1::LegalStage to = request.stage();
  if (to == v1::LEGAL_STAGE_UNSPECIFIED) return Invalid("stage", "required");
  if (to == v1::LEGAL_STAGE_ACCEPTED) {
    return Invalid("stage", "ACCEPTED is where a legal case starts; it cannot be recorded");
  }
  if (to == v1::LEGAL_STAGE_CLOSED) {
    return Invalid("stage", "CLOSED is recorded by Close (with an outcome) or Recall");
  }
  if (!v1::LegalStage_IsValid(to)) return Invalid("stage", "unknown stage");
  auto scope = Locate(account, request.legal_case_id());
  if (!scope.ok()) return scope.status();
  v1::LegalCase* lc = scope->lc();
  const v1::LegalStage from = lc->stage();
  const v1::LegalCaseStatus status = lc->status();
  if (!IsOpenStatus(status)) return NotOpen(*lc, StageName(to), "its stage cannot change");
  if (status == v1::LEGAL_CASE_STATUS_SETTLED && !IsLitigation(to)) {
    return absl::FailedPreconditionError(
        absl::StrCat("invalid transition ", StageName(from), " -> ", StageName(to), ": legal case ",
                     lc->legal_case_id(),
                     " is SETTLED; only a litigation stage (the settlement failed) can follow"));
  }
  if (!StageAllowed(from, to)) {
    return absl::FailedPreconditionError(
        absl::StrCat("invalid transition ", StageName(from), " -> ", StageName(to),
                     from == to ? ": the legal case is already at this stage"
                                : ": litigation stages move forward only (SETTLEMENT may "
                                  "interrupt any of them)"));
  }
  const absl::CivilDay today = Today(now, config);
  absl::CivilDay effective = today;
  if (HasDate(request.effective_on())) effective = *DayOf(request.effective_on());
  if (auto current = CurrentStageDay(*lc); current.has_value() && effective < *current) {
    return Invalid("effective_on",
                   absl::StrCat("before the current stage's effective date ",
                                DateText(lc->stages(lc->stages_size() - 1).effective_on())));
  }
  std::optional<absl::CivilDay> term_ends;
  if (HasDate(request.term_ends_on())) {
    term_ends = *DayOf(request.term_ends_on());
    if (*term_ends < effective) return Invalid("term_ends_on", "before effective_on");
  } else {
    for (const StageTerm& t : config.stage_terms) {
      if (t.stage == to && !lc->jurisdiction().empty() && t.jurisdiction == lc->jurisdiction()) {
        term_ends = effective + t.days;
      }
    }
  }
  const std::string who = ActorName(actor);
  AddStageRecord(lc, to, effective, term_ends, request.court_reference(), request.note(), now, who);
  if (status == v1::LEGAL_CASE_STATUS_SETTLED) lc->set_status(v1::LEGAL_CASE_STATUS_OPEN);
  AddTimeline(
      scope->record(), now,
      absl::StrCat("stage ", StageName(from), " -> ", StageName(to), " effective ",
                   DateText(lc->stages(lc->stages_size() - 1).effective_on()),
                   term_ends.has_value()
                       ? absl::StrCat(", term ends ",
                                      DateText(lc->stages(lc->stages_size() - 1).term_ends_on()))
                       : "",
                   status == v1::LEGAL_CASE_STATUS_SETTLED ? " (settlement failed)" : ""),
      cause_id, who);
  auto ev = std::make_unique<v1::LegalStageChanged>();
  SetIds(*lc, ev.get());
  ev->set_from_stage(from);
  ev->set_to_stage(to);
  *ev->mutable_effective_on() = lc->stages(lc->stages_size() - 1).effective_on();
  if (term_ends.has_value()) SetDate(*term_ends, ev->mutable_term_ends_on());
  scope->decision.events.push_back(std::move(ev));
  return Finish(*std::move(scope));
}

absl::StatusOr<LegalDecision> RecordCost(const state::v1::LegalAccount& account,
                                         const v1::RecordCostRequest& request,
                                         const std::string& cause_id, const CommandActor& actor,
                                         absl::Time now, const TenantLegalConfig& config) {
  const v1::CostEntry& cost = request.cost();
  if (cost.kind() == v1::COST_KIND_UNSPECIFIED || !v1::CostKind_IsValid(cost.kind())) {
    return Invalid("cost.kind",
                   "required: COURT_FEE, LAWYER_FEE, BAILIFF, PARTNER_COMMISSION or OTHER");
  }
  if (cost.amount().minor_units() <= 0) return Invalid("cost.amount.minor_units", "must be > 0");
  auto scope = Locate(account, request.legal_case_id());
  if (!scope.ok()) return scope.status();
  v1::LegalCase* lc = scope->lc();
  if (!IsOpenStatus(lc->status())) return NotOpen(*lc, "COST", "no cost can be booked");
  if (absl::Status s = CheckCurrency(cost.amount(), *lc, "cost.amount"); !s.ok()) return s;
  v1::CostEntry* entry = lc->add_costs();
  *entry = cost;
  entry->set_cost_id(absl::StrCat("cost-", core::DeterministicId(cause_id, "cost")));
  if (!HasDate(entry->incurred_on())) SetDate(Today(now, config), entry->mutable_incurred_on());
  lc->mutable_costs_total()->set_minor_units(lc->costs_total().minor_units() +
                                             cost.amount().minor_units());
  lc->mutable_costs_total()->set_currency(lc->claimed().currency());
  scope->record()->set_cost_count(scope->record()->cost_count() + 1);
  AddTimeline(scope->record(), now,
              absl::StrCat("cost ", entry->cost_id(), " ", internal::CostKindName(cost.kind()), " ",
                           AmountText(cost.amount()), cost.recoverable() ? " (recoverable)" : "",
                           ", total ", AmountText(lc->costs_total())),
              cause_id, ActorName(actor));
  auto ev = std::make_unique<v1::LegalCostRecorded>();
  SetIds(*lc, ev.get());
  ev->set_cost_id(entry->cost_id());
  ev->set_kind(entry->kind());
  *ev->mutable_amount() = entry->amount();
  ev->set_recoverable(entry->recoverable());
  *ev->mutable_total_costs() = lc->costs_total();
  *ev->mutable_incurred_on() = entry->incurred_on();
  scope->decision.events.push_back(std::move(ev));
  return Finish(*std::move(scope));
}

absl::StatusOr<LegalDecision> Settle(const state::v1::LegalAccount& account,
                                     const v1::SettleRequest& request, const std::string& cause_id,
                                     const CommandActor& actor, absl::Time now,
                                     const TenantLegalConfig& config) {
  if (request.settlement_amount().minor_units() <= 0) {
    return Invalid("settlement_amount.minor_units", "must be > 0");
  }
  auto scope = Locate(account, request.legal_case_id());
  if (!scope.ok()) return scope.status();
  v1::LegalCase* lc = scope->lc();
  if (lc->status() != v1::LEGAL_CASE_STATUS_OPEN) {
    return NotOpen(*lc, "SETTLED",
                   lc->status() == v1::LEGAL_CASE_STATUS_SETTLED ? "a settlement is already agreed"
                                                                 : "it cannot be settled");
  }
  if (absl::Status s = CheckCurrency(request.settlement_amount(), *lc, "settlement_amount");
      !s.ok()) {
    return s;
  }
  int64_t recoverable = 0;
  for (const auto& c : lc->costs()) recoverable += c.recoverable() ? c.amount().minor_units() : 0;
  const int64_t ceiling = lc->claimed().minor_units() + recoverable;
  if (request.settlement_amount().minor_units() > ceiling) {
    return Invalid("settlement_amount",
                   absl::StrCat(AmountText(request.settlement_amount()), " exceeds the claim ",
                                AmountText(lc->claimed()), " plus recoverable costs ",
                                AmountText(recoverable, lc->claimed().currency())));
  }
  const absl::CivilDay today = Today(now, config);
  const absl::CivilDay agreed = HasDate(request.agreed_on()) ? *DayOf(request.agreed_on()) : today;
  if (agreed > today) return Invalid("agreed_on", "in the future: record a settlement once agreed");
  const std::string who = ActorName(actor);
  const v1::LegalStage from = lc->stage();
  if (from != v1::LEGAL_STAGE_SETTLEMENT) {
    AddStageRecord(lc, v1::LEGAL_STAGE_SETTLEMENT,
                   std::max(agreed, CurrentStageDay(*lc).value_or(agreed)), std::nullopt, "", "",
                   now, who);
  }
  lc->set_status(v1::LEGAL_CASE_STATUS_SETTLED);
  state::v1::Settlement* s = scope->record()->mutable_settlement();
  *s->mutable_amount() = request.settlement_amount();
  SetDate(agreed, s->mutable_agreed_on());
  s->set_plan_id(request.plan_id());
  SetTimestamp(now, s->mutable_recorded_at());
  AddNote(scope->record(), now, who, request.note(), "settle");
  AddTimeline(
      scope->record(), now,
      absl::StrCat("settled for ", AmountText(request.settlement_amount()), " of ",
                   AmountText(lc->claimed()), " agreed on ", DateText(s->agreed_on()),
                   request.plan_id().empty() ? "" : absl::StrCat(", plan ", request.plan_id())),
      cause_id, who);
  auto ev = std::make_unique<v1::LegalCaseSettled>();
  SetIds(*lc, ev.get());
  *ev->mutable_settlement_amount() = s->amount();
  *ev->mutable_claimed() = lc->claimed();
  *ev->mutable_agreed_on() = s->agreed_on();
  ev->set_plan_id(s->plan_id());
  scope->decision.events.push_back(std::move(ev));
  return Finish(*std::move(scope));
}

absl::StatusOr<LegalDecision> Close(const state::v1::LegalAccount& account,
                                    const v1::CloseRequest& request, const std::string& cause_id,
                                    const CommandActor& actor, absl::Time now,
                                    const TenantLegalConfig& config) {
  const v1::LegalOutcome outcome = request.outcome();
  if (outcome == v1::LEGAL_OUTCOME_UNSPECIFIED || !v1::LegalOutcome_IsValid(outcome)) {
    return Invalid("outcome", "required: PAID, SETTLED or UNCOLLECTABLE");
  }
  if (request.has_recovered() && request.recovered().minor_units() < 0) {
    return Invalid("recovered.minor_units", "must be >= 0");
  }
  auto scope = Locate(account, request.legal_case_id());
  if (!scope.ok()) return scope.status();
  v1::LegalCase* lc = scope->lc();
  if (!IsOpenStatus(lc->status())) return NotOpen(*lc, "CLOSED", "it cannot be closed again");
  const std::string& currency = lc->claimed().currency();
  int64_t recovered = 0;
  if (request.has_recovered()) {
    if (absl::Status s = CheckCurrency(request.recovered(), *lc, "recovered"); !s.ok()) return s;
    recovered = request.recovered().minor_units();
  }
  switch (outcome) {
    case v1::LEGAL_OUTCOME_PAID:
      if (!request.has_recovered()) recovered = lc->claimed().minor_units();
      if (recovered < lc->claimed().minor_units()) {
        return Invalid("recovered",
                       absl::StrCat(AmountText(recovered, currency), " is less than the claim ",
                                    AmountText(lc->claimed()),
                                    ": close a partial recovery as SETTLED or UNCOLLECTABLE"));
      }
      break;
    case v1::LEGAL_OUTCOME_SETTLED:
      if (!request.has_recovered()) {
        if (!scope->record()->has_settlement()) {
          return Invalid("recovered", "required for SETTLED when no settlement was recorded");
        }
        recovered = scope->record()->settlement().amount().minor_units();
      }
      break;
    default:
      break;  // UNCOLLECTABLE: what was recovered, zero by default
  }
  // Default: today, or the current stage's effective date when a stage was dated ahead.
  const absl::CivilDay closed_on =
      HasDate(request.closed_on())
          ? *DayOf(request.closed_on())
          : std::max(Today(now, config), CurrentStageDay(*lc).value_or(Today(now, config)));
  if (auto current = CurrentStageDay(*lc); current.has_value() && closed_on < *current) {
    return Invalid("closed_on",
                   absl::StrCat("before the current stage's effective date ",
                                DateText(lc->stages(lc->stages_size() - 1).effective_on())));
  }
  const std::string who = ActorName(actor);
  const int64_t written_off = std::max<int64_t>(0, lc->claimed().minor_units() - recovered);
  AddStageRecord(lc, v1::LEGAL_STAGE_CLOSED, closed_on, std::nullopt, "", "", now, who);
  lc->set_status(v1::LEGAL_CASE_STATUS_CLOSED);
  lc->set_outcome(outcome);
  *lc->mutable_recovered() = internal::MoneyOf(recovered, currency);
  SetTimestamp(now, lc->mutable_closed_at());
  *scope->record()->mutable_written_off() = internal::MoneyOf(written_off, currency);
  AddNote(scope->record(), now, who, request.note(), "close");
  AddTimeline(
      scope->record(), now,
      absl::StrCat("closed ", internal::OutcomeName(outcome), ": recovered ",
                   AmountText(recovered, currency), ", written off ",
                   AmountText(written_off, currency), ", costs ", AmountText(lc->costs_total())),
      cause_id, who);
  auto ev = std::make_unique<v1::LegalCaseClosed>();
  SetIds(*lc, ev.get());
  ev->set_outcome(outcome);
  *ev->mutable_recovered() = lc->recovered();
  *ev->mutable_written_off() = scope->record()->written_off();
  *ev->mutable_costs_total() = lc->costs_total();
  SetDate(closed_on, ev->mutable_closed_on());
  scope->decision.events.push_back(std::move(ev));
  return Finish(*std::move(scope));
}

absl::StatusOr<LegalDecision> Recall(const state::v1::LegalAccount& account,
                                     const v1::RecallRequest& request, const std::string& cause_id,
                                     const CommandActor& actor, absl::Time now,
                                     const TenantLegalConfig& config) {
  if (request.reason() == v1::RECALL_REASON_UNSPECIFIED ||
      !v1::RecallReason_IsValid(request.reason())) {
    return Invalid("reason",
                   "required: CLIENT_DECISION, PAID_TO_CLIENT, COMMERCIAL_AGREEMENT or ERROR");
  }
  auto scope = Locate(account, request.legal_case_id());
  if (!scope.ok()) return scope.status();
  v1::LegalCase* lc = scope->lc();
  if (!IsOpenStatus(lc->status())) return NotOpen(*lc, "RECALLED", "it cannot be recalled");
  const std::string who = ActorName(actor);
  const absl::CivilDay today = Today(now, config);
  AddStageRecord(lc, v1::LEGAL_STAGE_CLOSED, std::max(today, CurrentStageDay(*lc).value_or(today)),
                 std::nullopt, "", "", now, who);
  lc->set_status(v1::LEGAL_CASE_STATUS_RECALLED);
  SetTimestamp(now, lc->mutable_closed_at());
  scope->record()->set_recall_reason(request.reason());
  SetTimestamp(now, scope->record()->mutable_recalled_at());
  AddNote(scope->record(), now, who, request.note(), "recall");
  AddTimeline(
      scope->record(), now,
      absl::StrCat("recalled by the client: ", internal::RecallReasonName(request.reason())),
      cause_id, who);
  auto ev = std::make_unique<v1::LegalCaseRecalled>();
  SetIds(*lc, ev.get());
  ev->set_reason(request.reason());
  SetTimestamp(now, ev->mutable_recalled_at());
  scope->decision.events.push_back(std::move(ev));
  return Finish(*std::move(scope));
}

}  // namespace concerto::legal
