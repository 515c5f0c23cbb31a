#include "services/dunning/domain/simulation.h"

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/dunning/domain/case_engine.h"

namespace concerto::dunning {
namespace {

// Persona: how one simulated debtor behaves.
enum class Persona { kNeverPays, kPaysBeforeDue, kResponsive };

struct Debtor {
  v1::Case state;
  v1::DebtorProfile profile;
  Persona persona = Persona::kResponsive;
  bool payment_scheduled = false;
  bool promise_pending = false;
  int transitions = 0;
  std::vector<std::pair<std::string, int64_t>> invoices;  // id, amount
  std::set<std::string> settled;  // invoices paid or cancelled: the ERP reports no overdue
};

struct Action {
  int debtor = 0;
  CaseInput input;
};

absl::Status CheckPercent(int v, const char* field) {
  if (v < 0 || v > 100) {
    return absl::InvalidArgumentError(
        absl::StrCat("portfolio.behaviour.", field, ": must be 0..100"));
  }
  return absl::OkStatus();
}

absl::Status Validate(const SimulationOptions& o) {
  if (o.champion == nullptr) return absl::InvalidArgumentError("strategy: required");
  const v1::PortfolioSpec& p = o.portfolio;
  if (p.debtors() < 1 || p.debtors() > 200000) {
    return absl::InvalidArgumentError("portfolio.debtors: must be 1..200000");
  }
  const int min_inv = std::max(1, p.min_invoices());
  if (p.max_invoices() != 0 && (p.max_invoices() < min_inv || p.max_invoices() > 50)) {
    return absl::InvalidArgumentError("portfolio.max_invoices: must be min_invoices..50");
  }
  if (p.min_amount().currency() != o.champion->currency()) {
    return absl::InvalidArgumentError(
        absl::StrCat("portfolio.min_amount.currency: must be ", o.champion->currency()));
  }
  if (p.max_amount().currency() != o.champion->currency()) {
    return absl::InvalidArgumentError(
        absl::StrCat("portfolio.max_amount.currency: must be ", o.champion->currency()));
  }
  if (p.min_amount().minor_units() <= 0 ||
      p.max_amount().minor_units() < p.min_amount().minor_units()) {
    return absl::InvalidArgumentError("portfolio.max_amount: must be >= min_amount > 0");
  }
  if (p.first_due().year() < 1970 || p.first_due().month() < 1 || p.first_due().month() > 12 ||
      p.first_due().day() < 1 || p.first_due().day() > 31) {
    return absl::InvalidArgumentError("portfolio.first_due: a valid date is required");
  }
  if (p.due_spread_days() < 0 || p.due_spread_days() > 365) {
    return absl::InvalidArgumentError("portfolio.due_spread_days: must be 0..365");
  }
  if (p.consumer_percent() < 0 || p.consumer_percent() > 100) {
    return absl::InvalidArgumentError("portfolio.consumer_percent: must be 0..100");
  }
  const v1::PaymentBehaviour& b = p.behaviour();
  for (auto [v, f] : std::vector<std::pair<int, const char*>>{
           {b.pays_before_due_percent(), "pays_before_due_percent"},
           {b.pays_per_contact_percent(), "pays_per_contact_percent"},
           {b.disputes_percent(), "disputes_percent"},
           {b.dispute_upheld_percent(), "dispute_upheld_percent"},
           {b.hardship_percent(), "hardship_percent"},
           {b.promises_percent(), "promises_percent"},
           {b.promise_kept_percent(), "promise_kept_percent"},
           {b.never_pays_percent(), "never_pays_percent"},
           {b.legal_recovers_percent(), "legal_recovers_percent"}}) {
    if (absl::Status s = CheckPercent(v, f); !s.ok()) return s;
  }
  if (b.pays_before_due_percent() + b.never_pays_percent() > 100) {
    return absl::InvalidArgumentError(
        "portfolio.behaviour.never_pays_percent: with pays_before_due_percent at most 100");
  }
  if (o.days < 1 || o.days > 3650) return absl::InvalidArgumentError("days: must be 1..3650");
  return absl::OkStatus();
}

class Simulator {
 public:
  explicit Simulator(const SimulationOptions& o) : o_(o), rng_(o.seed) {
    ctx_.champion = o.champion;
    ctx_.challenger = o.challenger;
  }

  absl::StatusOr<v1::SimulateResponse> Run() {
    const v1::PortfolioSpec& p = o_.portfolio;
    const absl::CivilDay first_due = ToCivilDay(p.first_due());
    start_ = first_due - 30;
    Build(first_due);
    for (int d = 0; d < o_.days; ++d) {
      const absl::CivilDay day = start_ + d;
      const absl::Time morning = absl::FromCivil(day, ctx_.time_zone);
      // 1. what debtors and partners do today (at noon)
      auto it = agenda_.find(day);
      if (it != agenda_.end()) {
        std::vector<Action> actions = std::move(it->second);
        agenda_.erase(it);
        for (Action& a : actions) Apply(a.debtor, a.input, morning + absl::Hours(12), day);
      }
      // 2. step timers due today
      const absl::Time end = morning + absl::Hours(24);
      for (int i = 0; i < static_cast<int>(debtors_.size()); ++i) {
        for (int guard = 0; guard < 16; ++guard) {
          const v1::Case& c = debtors_[i].state;
          if (!c.has_timer_due()) break;
          const absl::Time due = absl::FromUnixSeconds(c.timer_due().seconds());
          if (due >= end) break;
          CaseInput in{absl::StrCat("timer-", i, "-", d, "-", guard),
                       StepTimerFired{c.timer_step()}};
          Apply(i, in, std::max(due, morning), day);
        }
      }
    }
    return Report();
  }

 private:
  int Pick(int n) { return n <= 0 ? 0 : static_cast<int>(rng_() % static_cast<uint64_t>(n)); }
  bool Chance(int percent) { return Pick(100) < percent; }
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(rng_() % static_cast<uint64_t>(hi - lo + 1));
  }

  void Schedule(absl::CivilDay day, int debtor, decltype(CaseInput::event) event) {
    agenda_[day].push_back(
        Action{debtor, CaseInput{absl::StrCat("sim-", ++ids_), std::move(event)}});
  }

  void Build(absl::CivilDay first_due) {
    const v1::PortfolioSpec& p = o_.portfolio;
    const v1::PaymentBehaviour& b = p.behaviour();
    const int min_inv = std::max(1, p.min_invoices());
    const int max_inv = std::max(min_inv, p.max_invoices());
    debtors_.resize(p.debtors());
    for (int i = 0; i < p.debtors(); ++i) {
      Debtor& d = debtors_[i];
      d.state.set_tenant("simulation");
      d.state.set_debtor_id(absl::StrCat("sim-debtor-", i));
      d.profile.set_type(Chance(p.consumer_percent()) ? v1::DEBTOR_TYPE_CONSUMER
                                                      : v1::DEBTOR_TYPE_BUSINESS);
      if (!p.risk_bands().empty()) d.profile.set_risk_band(p.risk_bands(Pick(p.risk_bands_size())));
      d.profile.set_jurisdiction(p.jurisdiction());
      const int roll = Pick(100);
      d.persona = roll < b.never_pays_percent() ? Persona::kNeverPays
                  : roll < b.never_pays_percent() + b.pays_before_due_percent()
                      ? Persona::kPaysBeforeDue
                      : Persona::kResponsive;
      const int n = static_cast<int>(Between(min_inv, max_inv));
      const absl::CivilDay due = first_due + Pick(p.due_spread_days() + 1);
      for (int k = 0; k < n; ++k) {
        const std::string id = absl::StrCat("inv-", i, "-", k);
        const int64_t amount = Between(p.min_amount().minor_units(), p.max_amount().minor_units());
        d.invoices.emplace_back(id, amount);
        const absl::CivilDay inv_due = due + k * 7;
        const rules::Money money{amount, o_.champion->currency()};
        Schedule(std::max(start_, inv_due - 30), i, InvoiceIssued{id, money, inv_due, d.profile});
        Schedule(inv_due + 1, i, InvoiceOverdue{id, money, inv_due, d.profile});
        if (d.persona == Persona::kPaysBeforeDue) {
          Schedule(std::max(start_, inv_due - Pick(5)), i, PaymentAllocated{id, amount});
        }
      }
      if (d.persona == Persona::kResponsive) {
        if (Chance(b.disputes_percent())) {
          Schedule(due + 1 + Pick(10), i, DisputeRaised{d.invoices[0].first, "simulated"});
          Schedule(due + 20 + Pick(20), i,
                   DisputeResolved{d.invoices[0].first, Chance(b.dispute_upheld_percent()),
                                   "simulated"});
        }
        if (Chance(b.hardship_percent())) {
          const absl::CivilDay from = due + 5 + Pick(25);
          Schedule(from, i, HardshipReported{from + 60, "simulated breathing space"});
        }
      }
    }
  }

  void Apply(int i, const CaseInput& in, absl::Time now, absl::CivilDay day) {
    Debtor& d = debtors_[i];
    if (const auto* o = std::get_if<InvoiceOverdue>(&in.event);
        o && d.settled.count(o->invoice_id)) {
      return;  // paid before it fell due: the invoice service sends no overdue event
    }
    absl::Status s = DecideInPlace(&d.state, in, now, ctx_, &out_);
    if (!s.ok()) {
      ++rejected_;
      return;
    }
    if (const auto* p = std::get_if<PaymentAllocated>(&in.event)) d.settled.insert(p->invoice_id);
    if (const auto* r = std::get_if<DisputeResolved>(&in.event); r && r->upheld) {
      d.settled.insert(r->invoice_id);
    }
    ctx_.legal.placed_minor += out_.placed_delta_minor;
    ctx_.legal.escalated_minor += out_.escalated_delta_minor;
    d.transitions += out_.transitions;
    transitions_ += out_.transitions;
    const v1::PaymentBehaviour& b = o_.portfolio.behaviour();
    for (const v1::CaseEvent& e : out_.events) {
      const bool contact = e.has_contact_requested() || e.has_call_task_requested() ||
                           e.has_plan_offered() || e.has_final_notice_requested();
      if (contact) ++contacts_;
      if (e.has_escalation_requested()) {
        const bool recovers = Chance(b.legal_recovers_percent());
        Schedule(
            day + 30 + Pick(60), i,
            LegalOutcome{recovers ? LegalOutcome::Kind::kPaid : LegalOutcome::Kind::kUncollectable,
                         "simulated"});
      }
      if (!contact || d.persona != Persona::kResponsive || d.payment_scheduled ||
          d.promise_pending) {
        continue;
      }
      if (Chance(b.pays_per_contact_percent())) {
        d.payment_scheduled = true;
        const absl::CivilDay pay = day + 1 + Pick(7);
        for (const auto& [id, amount] : d.invoices) Schedule(pay, i, PaymentAllocated{id, amount});
      } else if (Chance(b.promises_percent())) {
        d.promise_pending = true;
        const absl::CivilDay promised = day + 7 + Pick(7);
        Schedule(day + 1, i, PromiseMade{OpenBalance(d.state), promised});
        if (Chance(b.promise_kept_percent())) {
          d.payment_scheduled = true;
          for (const auto& [id, amount] : d.invoices) {
            Schedule(promised, i, PaymentAllocated{id, amount});
          }
          Schedule(promised, i, PromiseKept{});
        } else {
          Schedule(promised + 1, i, PromiseBroken{});
        }
      }
    }
    if (std::holds_alternative<PromiseBroken>(in.event) ||
        std::holds_alternative<PromiseKept>(in.event)) {
      d.promise_pending = false;
    }
  }

  v1::SimulateResponse Report() {
    v1::SimulateResponse r;
    std::map<int, int> counts;
    int64_t collected = 0;
    const std::string& cur = o_.champion->currency();
    for (const Debtor& d : debtors_) {
      const v1::Case& c = d.state;
      counts[c.state()]++;
      collected += c.collected().minor_units();
      if (!o_.include_cases) continue;
      v1::SimulatedCase* sc = r.add_cases();
      sc->set_debtor_id(c.debtor_id());
      *sc->mutable_assignment() = c.assignment();
      sc->set_final_state(c.state());
      sc->set_contacts(c.contacts());
      const absl::Time opened = absl::FromUnixSeconds(c.opened_at().seconds());
      const absl::Time until = c.has_closed_at()
                                   ? absl::FromUnixSeconds(c.closed_at().seconds())
                                   : absl::FromCivil(start_ + o_.days, ctx_.time_zone);
      sc->set_days_open(c.has_opened_at() ? static_cast<int>((until - opened) / absl::Hours(24))
                                          : 0);
      *sc->mutable_placed() = c.placed_value();
      sc->mutable_collected()->set_minor_units(c.collected().minor_units());
      sc->mutable_collected()->set_currency(cur);
      sc->set_transitions(d.transitions);
    }
    for (const auto& [state, n] : counts) {
      v1::StateCount* sc = r.add_counts();
      sc->set_state(static_cast<v1::CaseState>(state));
      sc->set_cases(n);
    }
    r.mutable_placed()->set_minor_units(ctx_.legal.placed_minor);
    r.mutable_placed()->set_currency(cur);
    r.mutable_escalated()->set_minor_units(ctx_.legal.escalated_minor);
    r.mutable_escalated()->set_currency(cur);
    r.mutable_collected()->set_minor_units(collected);
    r.mutable_collected()->set_currency(cur);
    r.set_legal_ratio_bp(
        ctx_.legal.placed_minor > 0
            ? static_cast<int32_t>(ctx_.legal.escalated_minor * 10000 / ctx_.legal.placed_minor)
            : 0);
    r.set_transitions(transitions_);
    r.set_contacts(contacts_);
    r.set_rejected_inputs(rejected_);
    return r;
  }

  const SimulationOptions& o_;
  std::mt19937_64 rng_;
  EngineContext ctx_;
  Outcome out_;
  absl::CivilDay start_;
  std::vector<Debtor> debtors_;
  std::map<absl::CivilDay, std::vector<Action>> agenda_;
  int64_t ids_ = 0;
  int64_t transitions_ = 0;
  int64_t contacts_ = 0;
  int64_t rejected_ = 0;
};

}  // namespace

absl::StatusOr<v1::SimulateResponse> Simulate(const SimulationOptions& options) {
  if (absl::Status s = Validate(options); !s.ok()) return s;
  Simulator sim(options);
  return sim.Run();
}

}  // namespace concerto::dunning
