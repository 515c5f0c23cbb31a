// The debtor behaviour model of the demo: every debtor carries a hidden profile (an archetype
// drawn with per-segment probabilities, plus its parameters), and pure functions say what the
// debtor does when contacted (React), whether a promise or a plan instalment is kept, when an
// invoice would be paid without any contact, and how the debtor answers a satisfaction survey.
//
// Pure and deterministic: no I/O, no clock, no floating point (money is integer minor units,
// probabilities are integers per 10,000). Every decision draws from its own generator seeded by
// hashing (seed, debtor id, decision key), so the same seed gives the same actions whatever the
// order in which events are processed. docs/behaviour-model.md explains the model and its table.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/time/civil_time.h"
#include "libs/rules/money.h"

namespace concerto::demo::model {

// DebtorType: a person or an organisation (numbers as concerto.invoice.v1.DebtorType).
enum class DebtorType { kConsumer = 1, kBusiness = 2 };

// RiskBand: the client's grading of the debtor (numbers as concerto.invoice.v1.RiskBand).
enum class RiskBand { kLow = 1, kMedium = 2, kHigh = 3 };

// Channel: how a contact reaches the debtor (numbers as concerto.contact.v1.Channel).
enum class Channel { kEmail = 1, kSms = 2, kLetter = 3, kPhone = 4, kPortal = 6 };

// CustomerStatus: still the client's customer or not (numbers as
// concerto.invoice.v1.CustomerStatus).
enum class CustomerStatus { kActive = 1, kChurned = 2 };

// Archetype is the hidden behaviour of a debtor.
enum class Archetype {
  kOnTime,         // pays by the due date; a reminder crosses with the payment at most
  kAfterReminder,  // pays after the k-th reminder (sooner on the preferred channel)
  kPromiser,       // answers with a promise to pay, kept or broken
  kPlanSeeker,     // asks for a repayment plan, then keeps or misses instalments
  kDisputer,       // disputes an invoice; some disputes are valid (the invoice is credited)
  kHardship,       // reports hardship (job loss, illness), then needs a long plan
  kIgnorer,        // ignores everything until the final or legal notice, often even then
  kChurner,        // pays late or not and leaves the client (customer status changes)
};

// kArchetypeCount is the number of archetypes (the columns of the mix table).
inline constexpr int kArchetypeCount = 8;

// DisputeReason is why a debtor disputes (a subset of concerto.contact.v1.DisputeReason).
enum class DisputeReason { kNotReceived = 1, kQuality = 2, kWrongAmount = 3, kCancelledContract = 6 };

// ReplyIntent is what a reply says (the ground truth a classifier should find).
enum class ReplyIntent { kPromise, kDispute, kHardship, kPlanRequest, kPaidAlready };

// Names: "consumer", "business"; "low", "medium", "high"; "email", "sms", "letter", "phone",
// "portal"; "active", "churned"; "on_time", "after_reminder", "promiser", "plan_seeker",
// "disputer", "hardship", "ignorer", "churner"; "not_received", "quality", "wrong_amount",
// "cancelled_contract"; "promise", "dispute", "hardship", "plan_request", "paid_already".
const char* DebtorTypeName(DebtorType type);
const char* RiskBandName(RiskBand band);
const char* ChannelName(Channel channel);
const char* CustomerStatusName(CustomerStatus status);
const char* ArchetypeName(Archetype archetype);
const char* DisputeReasonName(DisputeReason reason);
const char* ReplyIntentName(ReplyIntent intent);

// SegmentKey selects a row of the behaviour mix table.
struct SegmentKey {
  std::string tenant_id;  // "aurora-energia", "vigna-rossa", "lumo-huolto" (others: defaults)
  DebtorType type = DebtorType::kConsumer;
  RiskBand band = RiskBand::kMedium;
};

// BehaviourMix is the probability of each archetype (indexed by Archetype), per 10,000; the
// entries sum to 10,000.
struct BehaviourMix {
  std::array<int, kArchetypeCount> per_10000{};
};

// MixFor returns the configured mix of a segment (docs/behaviour-model.md, table 1). A tenant
// without its own rows uses the "default" rows; a vigna-rossa consumer uses the business rows.
BehaviourMix MixFor(const SegmentKey& segment);

// DebtorProfile is a debtor's hidden behaviour: its archetype and the parameters drawn for it.
struct DebtorProfile {
  std::string debtor_id;  // the key of all per-decision randomness
  std::string tenant_id;
  DebtorType type = DebtorType::kConsumer;
  RiskBand band = RiskBand::kMedium;
  std::string language;  // ISO 639-1 of the debtor: replies are written in it
  Channel preferred_channel = Channel::kEmail;
  Archetype archetype = Archetype::kOnTime;
  // kAfterReminder: the reminder step (1..4) from which the debtor pays.
  int reminders_needed = 1;
  // Probability of paying when a reminder at or after `reminders_needed` arrives on the preferred
  // channel, and on another channel.
  int pay_when_preferred_per_10000 = 9000;
  int pay_when_other_per_10000 = 5000;
  // Probability that a promise is kept (paid in full by its date).
  int keep_promise_per_10000 = 8500;
  // kPlanSeeker, kHardship: instalments asked for, and the probability of paying each one.
  int plan_instalments = 3;
  int keep_instalment_per_10000 = 8000;
  // kDisputer: the reason, and whether the dispute is valid (the client then credits the invoice).
  DisputeReason dispute_reason = DisputeReason::kWrongAmount;
  bool dispute_valid = false;
  // kHardship: illness or bereavement rather than money only (a human must take over).
  bool hardship_vulnerable = false;
  // Probability of leaving the client when pressed (final or legal notice, or a third reminder on
  // a channel the debtor did not choose). kChurner leaves anyway.
  int churn_on_pressure_per_10000 = 1000;
  // Days between deciding to pay and the value date of the transfer.
  int payment_lag_min_days = 0;
  int payment_lag_max_days = 2;
  // Probability that a transfer names the invoice(s) (structured RF reference for one invoice).
  int names_invoices_per_10000 = 7000;
  // -1 (hard to please), 0, +1 (easy): shifts the survey answers.
  int satisfaction_bias = 0;

  friend bool operator==(const DebtorProfile&, const DebtorProfile&) = default;
};

// DrawProfile draws the hidden profile of one debtor from its segment's mix, deterministically
// from (seed, debtor_id).
DebtorProfile DrawProfile(const SegmentKey& segment, std::string_view debtor_id,
                          std::string_view language, Channel preferred_channel, uint64_t seed);

// ---- contacts and actions ----

// ContactPurpose is what a contact is for.
enum class ContactPurpose {
  kPreDueNudge,       // friendly note before the due date (step 0)
  kReminder,          // the strategy's reminder number `step`
  kFinalNotice,       // last notice before legal escalation
  kPhoneCall,         // an operator's call (a conversation: more replies)
  kLegalNotice,       // the legal partner's letter
  kPlanConfirmation,  // the plan agreed: `plan` says its terms
  kDisputeResolved,   // the outcome of a dispute: `dispute_upheld`
};

// CaseStage is the state of the debtor's case when the contact is made.
enum class CaseStage { kDunning, kPromised, kOnPlan, kDisputed, kHardship };

// PlanTerms are the terms of an agreed repayment plan.
struct PlanTerms {
  int instalments = 0;
  rules::Money instalment_amount;  // the last instalment may be smaller: see PlanPayments
  rules::Money total;
  absl::CivilDay first_due;
  int interval_days = 30;

  friend bool operator==(const PlanTerms&, const PlanTerms&) = default;
};

// ContactEvent is one contact with the debtor, as the simulation made it.
struct ContactEvent {
  absl::CivilDay day;
  Channel channel = Channel::kEmail;
  ContactPurpose purpose = ContactPurpose::kReminder;
  int step = 1;             // 0 = pre-due nudge, 1.. = reminders (the strategy's step number)
  std::string template_id;  // e.g. "reminder-1"; part of the decision key
  std::string attempt_id;   // optional; part of the decision key (two contacts on one day)
  rules::Money total_open;  // what the debtor owes now
  std::vector<std::string> open_invoice_numbers;  // oldest first; payments may name them
  bool preferred_channel_used = false;
  std::string language;  // of the message sent; a foreign language lowers the response
  CaseStage stage = CaseStage::kDunning;
  int replies_so_far = 0;         // replies the debtor already sent in this case
  std::optional<PlanTerms> plan;  // kPlanConfirmation
  bool dispute_upheld = false;    // kDisputeResolved

  friend bool operator==(const ContactEvent&, const ContactEvent&) = default;
};

// PayAt: a bank transfer with value date `day`.
struct PayAt {
  absl::CivilDay day;
  rules::Money amount;
  std::vector<std::string> invoice_numbers;  // the invoices the payer names; empty: none
  std::string method = "bank transfer";
  // The ISO 11649 RF reference of the one invoice named (empty when none or several).
  std::string reference;
  // Unstructured remittance information ("Fattura AE-2026-000123 AE-2026-000124", or a vague
  // "bolletta" when no invoice is named, or empty).
  std::string remittance;

  friend bool operator==(const PayAt&, const PayAt&) = default;
};

// Reply: a message from the debtor, in the debtor's language, plus the truth behind it.
struct Reply {
  absl::CivilDay day;
  Channel channel = Channel::kEmail;  // phone: an operator's note of what the debtor said
  std::string language;
  std::string text;
  ReplyIntent intent = ReplyIntent::kPromise;
  std::optional<rules::Money> amount;   // kPromise: the amount promised
  std::optional<absl::CivilDay> date;   // kPromise: pay-by date; kPaidAlready: paid on
  std::optional<DisputeReason> dispute_reason;  // kDispute
  bool dispute_valid = false;                   // kDispute: the client should credit
  std::string invoice_number;                   // kDispute: the invoice disputed
  bool vulnerable = false;                      // kHardship: illness / bereavement
  int instalments = 0;                          // kPlanRequest

  friend bool operator==(const Reply&, const Reply&) = default;
};

// RequestPlan: the debtor asks for a plan of `instalments` monthly instalments (e.g. on the
// portal, alongside the reply that says so).
struct RequestPlan {
  absl::CivilDay day;
  int instalments = 0;

  friend bool operator==(const RequestPlan&, const RequestPlan&) = default;
};

// PayInstalments: how the debtor will go through an agreed plan: the transfers (instalment by
// instalment, each decided as KeepInstalment decides it) and the 1-based numbers of the missed
// instalments.
struct PayInstalments {
  std::vector<PayAt> payments;
  std::vector<int> missed;

  friend bool operator==(const PayInstalments&, const PayInstalments&) = default;
};

// Churn: the debtor stops being the client's customer on `day`.
struct Churn {
  absl::CivilDay day;

  friend bool operator==(const Churn&, const Churn&) = default;
};

// Action is one thing a debtor does.
using Action = std::variant<PayAt, Reply, RequestPlan, PayInstalments, Churn>;

// React returns what the debtor does after `event` (nothing, or payments, replies, a plan
// request, plan payments, churn), deterministically from (seed, debtor id, the event's identity:
// day, purpose, step, channel, template and attempt id). Actions are dated on or after the
// event's day. A promise in a reply is paid (or not) as KeepPromise decides.
std::vector<Action> React(const DebtorProfile& profile, const ContactEvent& event, uint64_t seed);

// Promise is a promise to pay recorded from a reply.
struct Promise {
  absl::CivilDay made_on;
  absl::CivilDay pay_by;
  rules::Money amount;
  std::vector<std::string> invoice_numbers;

  friend bool operator==(const Promise&, const Promise&) = default;
};

// PromiseDecision: whether a promise is kept, and the payment (kept: the full amount on or before
// pay_by; broken: nothing, or sometimes a late or partial payment).
struct PromiseDecision {
  bool kept = false;
  std::optional<PayAt> payment;

  friend bool operator==(const PromiseDecision&, const PromiseDecision&) = default;
};

// KeepPromise decides a promise, deterministically from (seed, debtor id, made_on, pay_by,
// amount): asking again gives the same answer.
PromiseDecision KeepPromise(const DebtorProfile& profile, const Promise& promise, uint64_t seed);

// PromisePaymentOn is the daily form: the payment the debtor makes on `day` for `promise`, if any.
std::optional<PayAt> PromisePaymentOn(const DebtorProfile& profile, const Promise& promise,
                                      absl::CivilDay day, uint64_t seed);

// Instalment is one instalment of an agreed plan.
struct Instalment {
  int index = 1;  // 1-based
  absl::CivilDay due;
  rules::Money amount;
  std::vector<std::string> invoice_numbers;

  friend bool operator==(const Instalment&, const Instalment&) = default;
};

// KeepInstalment returns the transfer that pays `instalment` (on or a few days after its due
// day), or nullopt when the debtor misses it; deterministic from (seed, debtor id, due, index).
std::optional<PayAt> KeepInstalment(const DebtorProfile& profile, const Instalment& instalment,
                                    uint64_t seed);

// Instalments splits a plan into its instalments: `instalments` of instalment_amount, the last
// one adjusted so they add up to `total` (when total is set).
std::vector<Instalment> Instalments(const PlanTerms& plan,
                                    const std::vector<std::string>& invoice_numbers);

// PlanPayments runs KeepInstalment over every instalment of a plan.
PayInstalments PlanPayments(const DebtorProfile& profile, const PlanTerms& plan,
                            const std::vector<std::string>& invoice_numbers, uint64_t seed);

// InvoiceRef is what SpontaneousPayment needs to know of an invoice.
struct InvoiceRef {
  std::string invoice_number;
  absl::CivilDay issue_date;
  absl::CivilDay due_date;
  rules::Money amount;
};

// SpontaneousPayment is when the debtor pays `invoice` without being contacted at all (on or
// before the due date for kOnTime, late for others), or nullopt when the debtor would never pay
// unprompted. The portfolio's payment history is drawn with it.
std::optional<PayAt> SpontaneousPayment(const DebtorProfile& profile, const InvoiceRef& invoice,
                                        uint64_t seed);

// ---- customer satisfaction ----

// CaseClosure is how a collection case ended.
enum class CaseClosure {
  kPaidBeforeDue,   // a nudge was enough
  kPaid,            // paid after reminders
  kPromiseKept,
  kPlanCompleted,
  kDisputeUpheld,   // the invoice was credited
  kDisputeRejected, // paid after the dispute was rejected
  kLegal,           // went to the legal partner
  kWrittenOff,
};

// CaseExperience is how the case went, from the debtor's side.
struct CaseExperience {
  int contacts = 0;  // messages and calls received
  CaseClosure closed_how = CaseClosure::kPaid;
  int days_open = 0;  // from the first overdue day to closing
  bool preferred_channel_used = true;  // most contacts on the debtor's preferred channel
};

// SurveyResult: customer satisfaction 1..5 and Net Promoter answer 0..10.
struct SurveyResult {
  int csat = 3;
  int nps = 5;

  friend bool operator==(const SurveyResult&, const SurveyResult&) = default;
};

// SurveyAnswer is the debtor's answer to the survey offered when the case closes; deterministic
// from (seed, debtor id, the experience).
SurveyResult SurveyAnswer(const DebtorProfile& profile, const CaseExperience& experience,
                          uint64_t seed);

// AnswersSurvey says whether the debtor answers the survey at all (about one in four do; fewer
// after a legal case).
bool AnswersSurvey(const DebtorProfile& profile, const CaseExperience& experience, uint64_t seed);

}  // namespace concerto::demo::model
