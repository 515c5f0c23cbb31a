// Private helpers of the payment domain (not for use outside services/payment/domain): value
// conversions, field validation with "<field>: <problem>" errors, the decision builder shared by
// every decide function, and the hooks through which payments reach promises and plans.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "concerto/common/v1/types.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "services/payment/domain/account.h"
#include "services/payment/domain/payment_state.pb.h"

namespace concerto::payment::internal {

// kMaxMinorUnits bounds every input amount, so sums of a debtor's amounts never overflow.
inline constexpr int64_t kMaxMinorUnits = 1'000'000'000'000'000;  // 10^15

// ---- conversions ----

// Money builds a common.v1.Money.
common::v1::Money Money(int64_t minor_units, const std::string& currency);
// FormatAmount renders "EUR 12.50" for messages.
std::string FormatAmount(int64_t minor_units, const std::string& currency);
// SetDate / ToDay convert between absl::CivilDay and common.v1.Date.
void SetDate(absl::CivilDay day, common::v1::Date* out);
absl::CivilDay ToDay(const common::v1::Date& date);
// SetTimestamp / FromTimestamp convert between absl::Time and google.protobuf.Timestamp.
void SetTimestamp(absl::Time t, google::protobuf::Timestamp* out);
absl::Time FromTimestamp(const google::protobuf::Timestamp& ts);
// UtcDay is the UTC calendar day of `t`; StartOfDay the instant 00:00 UTC of `day`.
absl::CivilDay UtcDay(absl::Time t);
absl::Time StartOfDay(absl::CivilDay day);
// FormatDay renders "2026-01-31".
std::string FormatDay(absl::CivilDay day);

// ---- validation ----

// Invalid is INVALID_ARGUMENT "<field>: <problem>".
absl::Status Invalid(const std::string& field, const std::string& problem);
// NotFound is FAILED_PRECONDITION "<field>: <problem>" carrying kNotFoundPayload.
absl::Status NotFound(const std::string& field, const std::string& problem);
// CheckAmount validates a Money input named `field`: a known currency and minor units in
// (0, kMaxMinorUnits] (or [0, ...] when `allow_zero`).
absl::Status CheckAmount(const common::v1::Money& money, const std::string& field,
                         bool allow_zero = false);
// CheckDate validates a Date input named `field` (set, a real calendar day).
absl::StatusOr<absl::CivilDay> CheckDate(const common::v1::Date& date, bool is_set,
                                         const std::string& field);
// CheckDebtor refuses a request or event naming another debtor than the account's.
absl::Status CheckDebtor(const state::v1::PaymentAccount& account, const std::string& debtor_id,
                         const std::string& field);

// ---- account queries ----

// FindInvoice returns the invoice `invoice_id` of the account, or null.
state::v1::InvoiceMirror* FindInvoice(state::v1::PaymentAccount* account,
                                      const std::string& invoice_id);
// FindPayment returns the payment `payment_id` of the account, or null.
state::v1::PaymentRecord* FindPayment(state::v1::PaymentAccount* account,
                                      const std::string& payment_id);
// RecomputeOpen derives open_principal from the invoice's amounts and status.
void RecomputeOpen(state::v1::InvoiceMirror* invoice);
// AddCredit changes the credit held in `currency` by `delta` (never below zero); returns the
// change actually made.
int64_t AddCredit(state::v1::PaymentAccount* account, const std::string& currency, int64_t delta);
// DueOrder is true when `a` falls due before `b` (then issued before, then by id): the
// oldest-first order, deterministic.
bool DueOrder(const state::v1::InvoiceMirror& a, const state::v1::InvoiceMirror& b);

// ---- decisions ----

// Builder accumulates one decision over a copy of the account.
class Builder {
 public:
  Builder(const state::v1::PaymentAccount& account, absl::Time now);

  state::v1::PaymentAccount& account() { return decision_.state; }
  absl::Time now() const { return now_; }
  absl::CivilDay today() const { return UtcDay(now_); }

  // Emit appends an output event of type M and returns it to be filled.
  template <typename M>
  M* Emit() {
    auto message = std::make_unique<M>();
    M* raw = message.get();
    decision_.events.push_back({M::descriptor()->name(), std::move(message)});
    return raw;
  }
  // Arm / Disarm add a timer to arm or to remove.
  void Arm(std::string kind, absl::Time due, std::string payload);
  void Disarm(std::string kind, absl::Time due);

  // Finish returns the decision; `changed` says whether the state is to be committed.
  AccountDecision Finish(bool changed, std::unique_ptr<google::protobuf::Message> reply = nullptr);
  // FinishIfChanged is Finish with `changed` = the state differs from the loaded one.
  AccountDecision FinishIfChanged(std::unique_ptr<google::protobuf::Message> reply = nullptr);

 private:
  AccountDecision decision_;
  std::string original_;  // serialized account as loaded
  absl::Time now_;
};

// ---- payments meet promises and plans (commitments.cc) ----

// OnPaymentApplied counts a just-recorded payment towards the open promises and the active
// plan of its currency (PromiseKept, InstalmentPaid, PlanCompleted).
void OnPaymentApplied(Builder& b, const state::v1::PaymentRecord& payment);

// OnPaymentReversed takes back from promises and plans what a reversal reopened:
// `reopened` are the undone allocation parts, `credit_removed` the credit taken back. An
// instalment that is no longer paid and whose grace has passed is missed again.
void OnPaymentReversed(Builder& b, const state::v1::PaymentRecord& payment,
                       const std::vector<state::v1::AllocationPart>& reopened,
                       int64_t credit_removed);

// FireCommitmentTimer handles "promise/..." and "plan/..." timers.
absl::StatusOr<AccountDecision> FireCommitmentTimer(const state::v1::PaymentAccount& account,
                                                    const std::string& kind, absl::Time now);

}  // namespace concerto::payment::internal
