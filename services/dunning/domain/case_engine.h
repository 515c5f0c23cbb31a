// The pure collection-case engine: one transition table and one function,
//   Decide(case, input, now, context) -> new case + events + timer change,
// with no I/O, used unchanged by the dunning service (wrapped in a platform::Handler) and by the
// in-process simulator. Every transition records a human-readable reason, e.g.
//   "step 3 of strategy gentle-v3: 20 days past due, balance EUR 412.50; contact email"
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "concerto/dunning/v1/case.pb.h"
#include "concerto/dunning/v1/strategy.pb.h"
#include "libs/rules/interest.h"
#include "libs/rules/money.h"
#include "services/dunning/domain/business_calendar.h"

namespace concerto::dunning {

// ---- states and the transition table ----

// StateName returns "DUNNING" for CASE_STATE_DUNNING, "NONE" for UNSPECIFIED.
const char* StateName(v1::CaseState state);

// IsClosed is true for PAID, SETTLED, WRITTEN_OFF, CANCELLED, RECALLED.
bool IsClosed(v1::CaseState state);

// IsOpen is true for the eight open states (not UNSPECIFIED, not closed).
bool IsOpen(v1::CaseState state);

// TransitionRule: `to` may be entered from any of `from`.
struct TransitionRule {
  v1::CaseState to;
  std::vector<v1::CaseState> from;
};

// TransitionTable lists every allowed transition, by destination (UNSPECIFIED as a source
// means "no case yet": opening).
const std::vector<TransitionRule>& TransitionTable();

// IsAllowedTransition reads the table.
bool IsAllowedTransition(v1::CaseState from, v1::CaseState to);

// CheckTransition is OK for an allowed transition, else FAILED_PRECONDITION
// "invalid transition DISPUTED -> LEGAL".
absl::Status CheckTransition(v1::CaseState from, v1::CaseState to);

// ---- inputs ----

// InvoiceIssued: a new invoice of the debtor (not yet due: pre-due nudges may run).
struct InvoiceIssued {
  std::string invoice_id;
  rules::Money amount;  // open balance
  absl::CivilDay due;
  v1::DebtorProfile debtor;  // used when the input opens the case
};
// InvoiceOverdue: an invoice passed its due date unpaid (added if unknown).
struct InvoiceOverdue {
  std::string invoice_id;
  rules::Money amount;
  absl::CivilDay due;
  v1::DebtorProfile debtor;
};
// PaymentAllocated: `amount_minor` of a payment was allocated to an invoice.
struct PaymentAllocated {
  std::string invoice_id;
  int64_t amount_minor = 0;
};
struct InvoiceCancelled {
  std::string invoice_id;
};
struct InvoiceWrittenOff {
  std::string invoice_id;
};
// DisputeRaised: one invoice is disputed; only that invoice pauses.
struct DisputeRaised {
  std::string invoice_id;
  std::string reason;
};
// DisputeResolved: upheld = the debtor was right and the invoice leaves the case.
struct DisputeResolved {
  std::string invoice_id;
  bool upheld = false;
  std::string reason;
};
struct HardshipReported {
  std::optional<absl::CivilDay> until;  // e.g. the end of a 60-day breathing space
  std::string reason;
};
struct HardshipEnded {
  std::string reason;
};
struct PromiseMade {
  int64_t amount_minor = 0;
  absl::CivilDay date;
};
struct PromiseKept {};
struct PromiseBroken {};
struct PlanCreated {
  int instalments = 0;
};
struct PlanBroken {};
struct PlanCompleted {};
// StepTimerFired: the timer armed for `step_index` (or kHardshipTimerStep) fired. A timer that
// is no longer the armed one is ignored (timers are hints).
struct StepTimerFired {
  int step_index = 0;
};
inline constexpr int kHardshipTimerStep = -1;
// AgentAction: an operator's command.
struct AgentAction {
  enum class Kind { kPause, kResume, kNote, kAssign, kRequestEscalation, kSettle, kWriteOff };
  Kind kind = Kind::kNote;
  std::string actor;
  std::string text;  // reason, note text or the assigned agent
};
// LegalOutcome: what the legal partner reports.
struct LegalOutcome {
  enum class Kind { kOpened, kRejected, kSettled, kPaid, kUncollectable };
  Kind kind = Kind::kOpened;
  std::string detail;  // e.g. the rejection reasons
};
// Recalled: the client takes the account back.
struct Recalled {
  std::string reason;
};

// CaseInput is one thing that happened to a case; `cause_id` (event id, timer id or command
// key) is recorded on the timeline.
struct CaseInput {
  std::string cause_id;
  std::variant<InvoiceIssued, InvoiceOverdue, PaymentAllocated, InvoiceCancelled, InvoiceWrittenOff,
               DisputeRaised, DisputeResolved, HardshipReported, HardshipEnded, PromiseMade,
               PromiseKept, PromiseBroken, PlanCreated, PlanBroken, PlanCompleted, StepTimerFired,
               AgentAction, LegalOutcome, Recalled>
      event;
};

// ---- context and results ----

// LegalTotals: the tenant's value placed in collection and escalated to legal (minor units of
// the strategy currency), for the legal-ratio guardrail.
struct LegalTotals {
  int64_t placed_minor = 0;
  int64_t escalated_minor = 0;
};

// EngineContext is the configuration a decision reads (no I/O behind it).
struct EngineContext {
  const v1::Strategy* champion = nullptr;      // the active version (required)
  const v1::Strategy* challenger = nullptr;    // the challenger version when split, else null
  const BusinessCalendar* calendar = nullptr;  // null: weekends only (HolidayCalendar: holidays)
  absl::TimeZone time_zone = absl::UTCTimeZone();
  absl::Duration send_time = absl::Hours(9);  // local time of day at which steps fire
  LegalTotals legal;
  // True in the service: the tenant's totals live in another aggregate, so an escalation that
  // passes every case-level condition parks in AGENT_REVIEW and asks the tenant's legal ledger
  // for a slot (Outcome::legal_slot_requested) instead of checking `legal` here.
  bool defer_legal_ratio_check = false;
  const rules::RateTable* interest_rates = nullptr;  // null: built-in ECB / Finnish tables
  const rules::RateTable* uk_rates = nullptr;        // Bank of England; null: no UK interest
  // A step that is already due when an input makes it due waits this long, so the rest of a
  // batch (a debtor's other invoices in one import) is on the case before the step decides.
  // Zero: at once.
  absl::Duration step_settle = absl::ZeroDuration();
};

// TimerChange: cancel the previously armed step timer and/or arm a new one. The timer that
// just fired is consumed, never cancelled.
struct TimerChange {
  bool cancel = false;
  absl::Time cancel_due;
  int cancel_step = 0;
  bool arm = false;
  absl::Time due;
  int step = 0;  // 0-based step index, kHardshipTimerStep for the hardship expiry
};

// Outcome is everything a decision produces except the new state.
struct Outcome {
  bool changed = false;  // false: input ignored (stale timer, late event on a closed case)
  std::vector<v1::CaseEvent> events;
  TimerChange timer;
  int transitions = 0;
  int64_t placed_delta_minor = 0;  // add to the tenant's LegalTotals
  int64_t escalated_delta_minor = 0;
  // Set when an escalation waits for the tenant's legal-ratio check (defer_legal_ratio_check).
  struct LegalSlotRequest {
    int64_t balance_minor = 0;
    int64_t placed_minor = 0;  // the case's own placed value
    std::string currency;
    int step = 0;  // 1-based step that asked; 0 when an agent asked
    int32_t max_legal_ratio_bp = 500;
  };
  std::optional<LegalSlotRequest> legal_slot_requested;

  // Clear resets for reuse, keeping the event messages for the next decision
  // (allocation-light loops).
  void Clear();

  // AddEvent appends an event whose oneof is `kind`, reusing a pooled message when one is
  // available (the caller clears and fills the sub-message).
  v1::CaseEvent& AddEvent(v1::CaseEvent::EventCase kind);

  // RecycleCaseParts moves the timeline entries and invoices of a case that starts a new cycle
  // into reuse pools; AddTimelineEntry / AddInvoice append one to `c`, reused when possible
  // (every field is then overwritten by the engine).
  void RecycleCaseParts(v1::Case* c);
  // ReasonBuffer and DetailBuffer are scratch space for building reasons (and the details
  // they embed) without reallocating.
  std::string& ReasonBuffer() { return reason_buffer_; }
  std::string& DetailBuffer() { return detail_buffer_; }
  v1::TimelineEntry* AddTimelineEntry(v1::Case* c);
  v1::CaseInvoice* AddInvoice(v1::Case* c);

 private:
  std::vector<std::vector<v1::CaseEvent>> pool_;
  std::vector<std::unique_ptr<v1::TimelineEntry>> timeline_pool_;
  std::vector<std::unique_ptr<v1::CaseInvoice>> invoice_pool_;
  std::string reason_buffer_;
  std::string detail_buffer_;
};

// Decision is the new case plus its outcome.
struct Decision : Outcome {
  v1::Case state;
};

// Decide applies `input` to `state` at `now`. A case that does not exist yet is a Case with
// only tenant and debtor_id set. Errors: INVALID_ARGUMENT naming the field (bad input),
// FAILED_PRECONDITION (invalid transition, strategy version not loaded, no segment matches).
absl::StatusOr<Decision> Decide(const v1::Case& state, const CaseInput& input, absl::Time now,
                                const EngineContext& ctx);

// DecideInPlace is Decide mutating `*state` and filling `*out` (cleared first); on error
// `*state` is left unchanged. The simulator and the bench use it to avoid copying the case.
absl::Status DecideInPlace(v1::Case* state, const CaseInput& input, absl::Time now,
                           const EngineContext& ctx, Outcome* out);

// ---- helpers shared with the service and the simulator ----

// OpenBalance is the sum of the open balances of the case's invoices.
int64_t OpenBalance(const v1::Case& c);

// StrategyLabel is "gentle-v3" for id "gentle" version 3.
std::string StrategyLabel(std::string_view id, int version);

// ToDate / ToCivilDay convert between common.v1.Date and absl::CivilDay.
void ToDate(absl::CivilDay day, common::v1::Date* out);
absl::CivilDay ToCivilDay(const common::v1::Date& date);

}  // namespace concerto::dunning
