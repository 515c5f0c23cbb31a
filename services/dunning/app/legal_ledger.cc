#include "services/dunning/app/legal_ledger.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/dunning/app/ledger.pb.h"

namespace concerto::dunning {
namespace {

namespace lv1 = ledger::v1;

template <typename T>
bool Is(const platform::Input& input) {
  return input.event.type() == T::descriptor()->full_name();
}

template <typename T>
absl::StatusOr<T> Payload(const platform::Input& input) {
  T msg;
  if (!msg.ParseFromString(input.event.payload())) {
    return absl::InvalidArgumentError(
        absl::StrCat("payload: does not decode as ", T::descriptor()->full_name()));
  }
  return msg;
}

std::string Percent(int64_t bp) { return absl::StrFormat("%d.%02d%%", bp / 100, bp % 100); }

void Emit(const std::string& key, const std::string& tenant, const google::protobuf::Message& m,
          platform::Effects* fx) {
  fx->events.push_back({kLedgerTopic, key, tenant, m.GetDescriptor()->full_name(),
                        m.SerializeAsString(), 1});
}

// Decide grants requests in debtor order while escalated/placed stays within each request's
// target; the totals include every slot granted before it.
void Decide(lv1::TenantLedger* ledger, platform::Effects* fx) {
  std::vector<lv1::LegalSlotRequested> pending(ledger->pending().begin(), ledger->pending().end());
  std::sort(pending.begin(), pending.end(), [](const auto& a, const auto& b) {
    if (a.debtor_id() != b.debtor_id()) return a.debtor_id() < b.debtor_id();
    if (a.case_sequence() != b.case_sequence()) return a.case_sequence() < b.case_sequence();
    return a.request_id() < b.request_id();
  });
  ledger->clear_pending();
  ledger->clear_decision_due();
  for (const auto& r : pending) {
    lv1::Totals& t = (*ledger->mutable_totals())[r.currency()];
    const int64_t placed = std::max(t.placed_minor(), r.case_placed_minor());
    const rules::Int128 after = static_cast<rules::Int128>(t.escalated_minor()) + r.balance_minor();
    const bool granted =
        placed > 0 && after * 10000 <= static_cast<rules::Int128>(r.max_legal_ratio_bp()) * placed;
    lv1::LegalSlotDecided d;
    d.set_debtor_id(r.debtor_id());
    d.set_granted(granted);
    d.set_currency(r.currency());
    d.set_balance_minor(r.balance_minor());
    d.set_placed_minor(placed);
    d.set_escalated_before_minor(t.escalated_minor());
    d.set_case_sequence(r.case_sequence());
    const int64_t ratio_bp = placed <= 0 ? 10000 : static_cast<int64_t>(after * 10000 / placed);
    const std::string figures = absl::StrCat(
        "escalated/placed would be ", Percent(ratio_bp), " (target ", Percent(r.max_legal_ratio_bp()),
        ", ", r.currency(), " ", placed / 100, " placed)");
    if (granted) {
      t.set_escalated_minor(t.escalated_minor() + r.balance_minor());
      ledger->set_granted(ledger->granted() + 1);
      d.set_reason(absl::StrCat("legal-ratio guardrail: slot granted, ", figures));
    } else {
      ledger->set_denied(ledger->denied() + 1);
      d.set_reason(absl::StrCat("legal-ratio guardrail: escalation held for an agent, ", figures));
    }
    Emit(absl::StrCat(ledger->tenant(), "/", r.debtor_id()), ledger->tenant(), d, fx);
  }
}

}  // namespace

bool IsLedgerKey(const std::string& aggregate_key) {
  return aggregate_key.find('/') == std::string::npos;
}

absl::Time NextDecisionTime(absl::Time now) {
  const absl::CivilDay day = absl::ToCivilDay(now, absl::UTCTimeZone());
  return absl::FromCivil(day + 1, absl::UTCTimeZone());
}

absl::StatusOr<platform::Effects> ApplyLedger(const std::optional<std::string>& state,
                                              const platform::Input& input, absl::Time now) {
  lv1::TenantLedger ledger;
  if (state.has_value() && !ledger.ParseFromString(*state)) {
    return absl::DataLossError("ledger state does not decode");
  }
  ledger.set_tenant(input.aggregate_key);
  platform::Effects fx;
  if (input.kind == platform::Input::Kind::kTimer) {
    Decide(&ledger, &fx);
  } else if (input.kind == platform::Input::Kind::kCommand) {
    return absl::InvalidArgumentError("ledger: takes no commands");
  } else if (Is<lv1::PlacementRecorded>(input)) {
    auto m = Payload<lv1::PlacementRecorded>(input);
    if (!m.ok()) return m.status();
    lv1::Totals& t = (*ledger.mutable_totals())[m->currency()];
    t.set_placed_minor(t.placed_minor() + m->delta_minor());
  } else if (Is<lv1::EscalationReleased>(input)) {
    auto m = Payload<lv1::EscalationReleased>(input);
    if (!m.ok()) return m.status();
    lv1::Totals& t = (*ledger.mutable_totals())[m->currency()];
    t.set_escalated_minor(std::max<int64_t>(0, t.escalated_minor() - m->amount_minor()));
  } else if (Is<lv1::LegalSlotRequested>(input)) {
    auto m = Payload<lv1::LegalSlotRequested>(input);
    if (!m.ok()) return m.status();
    *ledger.add_pending() = *m;
    if (!ledger.has_decision_due()) {
      const absl::Time due = NextDecisionTime(now);
      ledger.mutable_decision_due()->set_seconds(absl::ToUnixSeconds(due));
      fx.timers_add.push_back({kLedgerTimerKind, due, ""});
    }
  } else {
    return absl::UnimplementedError(absl::StrCat("ledger: does not act on ", input.event.type()));
  }
  fx.new_state = ledger.SerializeAsString();
  return fx;
}

void AddSlotRelease(const v1::Case& c, const std::string& currency, int64_t amount_minor,
                    const std::string& reason, platform::Effects* fx) {
  if (amount_minor == 0) return;
  lv1::EscalationReleased m;
  m.set_debtor_id(c.debtor_id());
  m.set_currency(currency);
  m.set_amount_minor(amount_minor);
  m.set_reason(reason);
  Emit(c.tenant(), c.tenant(), m, fx);
}

void AddLedgerMessages(const v1::Case& c, const Outcome& outcome, const std::string& input_id,
                       bool escalation_granted, platform::Effects* fx) {
  const std::string& tenant = c.tenant();
  const std::string currency = c.placed_value().currency().empty()
                                   ? (outcome.legal_slot_requested ? outcome.legal_slot_requested->currency
                                                                   : std::string())
                                   : c.placed_value().currency();
  if (outcome.placed_delta_minor != 0) {
    lv1::PlacementRecorded m;
    m.set_debtor_id(c.debtor_id());
    m.set_currency(currency);
    m.set_delta_minor(outcome.placed_delta_minor);
    Emit(tenant, tenant, m, fx);
  }
  if (outcome.escalated_delta_minor < 0 ||
      (outcome.escalated_delta_minor > 0 && !escalation_granted)) {
    // Given back (the partner rejected the case), or taken outside a granted slot: the ledger's
    // total stays the sum of the cases' escalated value.
    lv1::EscalationReleased m;
    m.set_debtor_id(c.debtor_id());
    m.set_currency(currency);
    m.set_amount_minor(-outcome.escalated_delta_minor);
    m.set_reason(outcome.escalated_delta_minor < 0 ? "escalation undone" : "escalated directly");
    Emit(tenant, tenant, m, fx);
  }
  if (outcome.legal_slot_requested) {
    const auto& r = *outcome.legal_slot_requested;
    lv1::LegalSlotRequested m;
    m.set_debtor_id(c.debtor_id());
    m.set_currency(r.currency);
    m.set_balance_minor(r.balance_minor);
    m.set_case_placed_minor(r.placed_minor);
    m.set_step(r.step);
    m.set_max_legal_ratio_bp(r.max_legal_ratio_bp);
    m.set_case_sequence(c.sequence());
    m.set_request_id(input_id);
    Emit(tenant, tenant, m, fx);
  }
}

}  // namespace concerto::dunning
