// The pure domain of the payment service: one aggregate per debtor account
// ("<tenant>/<debtor_id>"), a state::v1::PaymentAccount, and one decide function per input:
//
//   (account, input, now[, config]) -> AccountDecision {account', events, timers, reply}
//
// with no I/O and no clock reads, so the service's app layer can wrap it in a
// platform::Handler exactly like the dunning engine (services/dunning/app/dunning_handler.cc):
// load the account, decide, commit the new state, the events (topic "payment.events") and the
// timer changes in one unit of work. Every id created here is derived from the inputs (the
// caller passes payment_id / promise_id / plan_id / reversal_id), so a replayed input yields the
// same decision.
//
// Allocation (RecordPayment): explicit invoice_ids in the given order; else the invoice whose
// payment_reference or invoice_number equals the structured reference; else the open invoices
// oldest due first. Within an invoice: costs -> interest -> principal (Italy art. 1194 c.c.,
// Netherlands art. 6:44 BW; the same order everywhere else, since RULEBOOK.md sets no other).
// What is left once the targeted invoices are paid is held as credit on the account.
//
// Errors: INVALID_ARGUMENT "<field>: <problem>" for bad input; FAILED_PRECONDITION for an input
// that the account's state refuses (with kNotFoundPayload when the named payment / plan does not
// exist, so an API can answer NOT_FOUND); UNIMPLEMENTED for event types this service ignores.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "concerto/payment/v1/payment_api.pb.h"
#include "google/protobuf/message.h"
#include "services/payment/domain/payment_state.pb.h"

namespace concerto::payment {

// kPaymentEventsTopic is the topic of every AccountEvent.
inline constexpr char kPaymentEventsTopic[] = "payment.events";

// kNotFoundPayload marks a FAILED_PRECONDITION whose cause is an unknown payment or plan id
// (status payload key; the API maps it to NOT_FOUND, the unit of work rejects it for good).
inline constexpr char kNotFoundPayload[] = "concerto.payment/not-found";

// Allocation rule names, as in PaymentAllocated.rule.
inline constexpr char kRuleExplicit[] = "explicit";
inline constexpr char kRuleReferenced[] = "referenced";
inline constexpr char kRuleOldestFirst[] = "oldest-first";

// PaymentConfig is the tenant configuration a decision reads.
struct PaymentConfig {
  int promise_grace_days = 3;  // used when MakePromiseRequest.grace_days < 0
  int max_grace_days = 30;     // longer grace is refused (grace_days)
  int plan_grace_days = 5;     // days after an instalment's due date before it is missed
  int plan_max_missed = 2;     // missed instalments that break a plan (0: never broken)
  int max_instalments = 60;    // longest schedule accepted
};

// AccountEvent is one output event: `type` is the message's short name ("PaymentAllocated");
// message->GetDescriptor()->full_name() is the envelope type.
struct AccountEvent {
  std::string type;
  std::unique_ptr<google::protobuf::Message> message;
};

// AccountTimer asks for a durable timer of `kind` at `due` (platform::TimerRequest); the
// payload is the promise or plan id, for operators: ApplyTimer decides from the kind alone.
struct AccountTimer {
  std::string kind;
  absl::Time due;
  std::string payload;
};

// AccountTimerRef names an armed timer to remove: the platform's timer id is
// TimerId(aggregate_key, kind, due).
struct AccountTimerRef {
  std::string kind;
  absl::Time due;
};

// AccountDecision is the outcome of one input.
struct AccountDecision {
  state::v1::PaymentAccount state;  // the account after the input
  bool changed = false;             // false: nothing to commit but the processed id
  std::vector<AccountEvent> events;
  std::vector<AccountTimer> timers_add;
  std::vector<AccountTimerRef> timers_remove;
  // Commands only: RecordPaymentResponse, ReversePaymentResponse, MakePromiseResponse or
  // PlanResponse (store it as the command's result).
  std::unique_ptr<google::protobuf::Message> reply;
};

// AccountKey is the aggregate key "<tenant>/<debtor_id>".
std::string AccountKey(const std::string& tenant, const std::string& debtor_id);

// NewAccount is the empty account named by an aggregate key "<tenant>/<debtor_id>";
// INVALID_ARGUMENT naming "aggregate_key" otherwise.
absl::StatusOr<state::v1::PaymentAccount> NewAccount(const std::string& aggregate_key);

// PromiseTimerKind is "promise/<promise_id>": fires at the end of due_date + grace_days.
std::string PromiseTimerKind(const std::string& promise_id);
// PlanDueTimerKind is "plan/<plan_id>/due/<seq>": fires at the start of the due date.
std::string PlanDueTimerKind(const std::string& plan_id, int seq);
// PlanGraceTimerKind is "plan/<plan_id>/grace/<seq>": fires at the end of due + grace_days.
std::string PlanGraceTimerKind(const std::string& plan_id, int seq);

// OpenClaim is what is still owed on an invoice: open principal + unpaid interest + unpaid
// costs (0 once the invoice is closed).
int64_t OpenClaim(const state::v1::InvoiceMirror& invoice);

// FindPlan returns the plan `plan_id` of the account, or null (GetPlan reads it).
const state::v1::PlanRecord* FindPlan(const state::v1::PaymentAccount& account,
                                      const std::string& plan_id);

// ApplyInvoiceEvent mirrors an invoice event: InvoiceIssued, InvoiceAdjusted, InvoiceCancelled,
// InvoiceWrittenOff, InvoiceSettled, InvoiceReissued. `type` is the message name, short or
// full ("concerto.invoice.v1.InvoiceIssued"). Applying the same event twice changes nothing.
// No events are emitted. UNIMPLEMENTED for other types.
absl::StatusOr<AccountDecision> ApplyInvoiceEvent(const state::v1::PaymentAccount& account,
                                                  const std::string& type,
                                                  const std::string& payload, absl::Time now);

// ApplyCaseEvent applies a dunning FeesApplied: fee lines add to an invoice's costs, INTEREST_*
// lines set the interest accrued to date (dunning recomputes it from the due date each time).
// A line without an invoice (e.g. NL_WIK for the whole debt) is spread over the open invoices
// of its currency in proportion to their open principal. Applying the same event twice
// changes nothing. UNIMPLEMENTED for other case events.
absl::StatusOr<AccountDecision> ApplyCaseEvent(const state::v1::PaymentAccount& account,
                                               const std::string& type,
                                               const std::string& payload, absl::Time now);

// RecordPayment records payment `payment_id` (request.context is ignored: the caller resolved
// tenant and debtor; request.debtor_id, when set, must be the account's). Emits PaymentReceived
// then PaymentAllocated (credit_held = overpayment) or PaymentUnmatched (reason
// CURRENCY_MISMATCH when no open invoice is in the payment's currency, INVOICE_CLOSED when the
// referenced or explicit invoices are closed, AMBIGUOUS when the reference names several
// invoices); then PromiseKept, InstalmentPaid and
// PlanCompleted as the payment earns them. A payment_id or external_id recorded before changes
// nothing and replies with the first RecordPaymentResponse. `statement_id`: the imported
// statement the payment came from, if any.
absl::StatusOr<AccountDecision> RecordPayment(const state::v1::PaymentAccount& account,
                                              const std::string& payment_id,
                                              const v1::RecordPaymentRequest& request,
                                              absl::Time now,
                                              const std::string& statement_id = "");

// ReversePayment reverses request.amount (unset: all that is left) of a payment: the unmatched
// part first, then credit held, then the allocations from the last backwards (within one
// invoice principal, then interest, then costs), reopening exactly what the payment paid.
// Emits PaymentReversed. A reversal_id seen before changes nothing and replies with the first
// ReversePaymentResponse.
absl::StatusOr<AccountDecision> ReversePayment(const state::v1::PaymentAccount& account,
                                               const std::string& reversal_id,
                                               const v1::ReversePaymentRequest& request,
                                               absl::Time now);

// MakePromise records promise `promise_id` (amount > 0 in the currency of the open invoices,
// due date not before today in UTC), emits PromiseMade and arms PromiseTimerKind at the end of
// due_date + grace_days (UTC). Payments recorded while it is open and valued by then count
// towards it: once they reach the amount, PromiseKept is emitted and the timer removed.
absl::StatusOr<AccountDecision> MakePromise(const state::v1::PaymentAccount& account,
                                            const std::string& promise_id,
                                            const v1::MakePromiseRequest& request,
                                            absl::Time now, const PaymentConfig& config = {});

// ProposePlan stores plan `plan_id` as PROPOSED with its schedule and fee (no event): the
// open claim of the invoices (empty: every open invoice) plus the plan fee, minus the down
// payment (instalment 1, due on first_due_date, when set), split into instalment_count equal
// instalments (the first ones take the odd minor units) or into instalments of
// instalment_amount (the last one takes the rest), weekly, fortnightly or monthly (monthly
// keeps the day of month of first_due_date, clamped to the month's end).
// Plan fee: Finnish consumer debts only (Debt Collection Act 513/1999 §10 a, capped by §10 d
// with the costs already claimed); no other jurisdiction in RULEBOOK.md has a plan fee rule.
absl::StatusOr<AccountDecision> ProposePlan(const state::v1::PaymentAccount& account,
                                            const std::string& plan_id,
                                            const v1::ProposePlanRequest& request,
                                            absl::Time now, const PaymentConfig& config = {});

// AcceptPlan activates a proposed plan (one active plan per account): adds the plan fee to the
// costs of the plan's oldest invoice, emits PlanCreated and arms PlanDueTimerKind /
// PlanGraceTimerKind for every instalment. Payments then pay the instalments in order
// (InstalmentPaid; PlanCompleted after the last). Accepting an active plan again replies with
// it and changes nothing.
absl::StatusOr<AccountDecision> AcceptPlan(const state::v1::PaymentAccount& account,
                                           const v1::AcceptPlanRequest& request, absl::Time now);

// ApplyTimer handles a fired timer: "promise/<id>" (PromiseBroken unless kept),
// "plan/<id>/due/<seq>" (InstalmentDue unless paid), "plan/<id>/grace/<seq>" (InstalmentMissed
// unless paid; PlanBroken at PaymentConfig.plan_max_missed as stored on the plan). A timer
// whose promise or plan is no longer open, or whose instalment is paid, changes nothing
// (timers are hints). `payload` is not read. INVALID_ARGUMENT naming "timer.kind" for a kind
// this service never arms.
absl::StatusOr<AccountDecision> ApplyTimer(const state::v1::PaymentAccount& account,
                                           const std::string& kind, const std::string& payload,
                                           absl::Time now);

}  // namespace concerto::payment
