// Repayment-plan arithmetic for the payment domain: instalment due dates (weekly, fortnightly,
// monthly with end-of-month clamping), the split of an amount into instalments, and the plan
// fee per jurisdiction. Pure, integer minor units only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "concerto/invoice/v1/invoice_events.pb.h"
#include "concerto/payment/v1/payment_events.pb.h"

namespace concerto::payment {

// InstalmentDueDate is `first` moved on by `periods` periods of `frequency`. Monthly keeps the
// day of month of `first`, clamped to the end of shorter months (31 Jan -> 28/29 Feb -> 31 Mar).
// Precondition: frequency is not UNSPECIFIED.
absl::CivilDay InstalmentDueDate(absl::CivilDay first, v1::PlanFrequency frequency, int periods);

// ScheduleTerms are the inputs of a schedule. Exactly one of instalment_count (> 0) and
// instalment_amount (> 0) is set.
struct ScheduleTerms {
  int64_t total = 0;         // principal + fee, minor units
  int64_t down_payment = 0;  // 0: none
  int instalment_count = 0;
  int64_t instalment_amount = 0;
  v1::PlanFrequency frequency = v1::PLAN_FREQUENCY_UNSPECIFIED;
  absl::CivilDay first_due;
};

// ScheduledInstalment is one payment of a schedule.
struct ScheduledInstalment {
  absl::CivilDay due;
  int64_t amount = 0;

  friend bool operator==(const ScheduledInstalment&, const ScheduledInstalment&) = default;
};

// RegularInstalmentCount is how many instalments (down payment excluded) `terms` yields.
int RegularInstalmentCount(const ScheduleTerms& terms);

// BuildSchedule lays out the instalments: the down payment (when > 0) due on first_due, then
// the regular instalments from first_due (no down payment) or one period after it. By count:
// equal parts, the first ones taking one extra minor unit each until the rest is spent. By
// amount: instalment_amount each, the last one the rest. Preconditions: total > down_payment
// >= 0, one of count / amount set, frequency set.
std::vector<ScheduledInstalment> BuildSchedule(const ScheduleTerms& terms);

// PlanFeeInput describes the debt a plan pays off.
struct PlanFeeInput {
  int64_t principal = 0;       // open principal of the plan's invoices (minor units)
  std::string currency;
  std::string country;         // ISO 3166-1 alpha-2 of the invoices ("" when they differ)
  invoice::v1::DebtorType debtor_type = invoice::v1::DEBTOR_TYPE_UNSPECIFIED;
  int regular_instalments = 0;  // down payment excluded
  int64_t costs_claimed = 0;    // collection costs already claimed on the plan's invoices
};

// PlanFee is the fee a plan adds and why.
struct PlanFee {
  int64_t amount = 0;
  std::string rule;  // e.g. "FI 513/1999 §10 a payment plan EUR 20.00", "no plan fee rule for IT"
};

// PlanFeeFor returns the plan fee. Finnish consumer debts in EUR: the §10 a payment-plan fee
// (20 for <= 100 or <= 4 instalments, else 30 / 50 by principal), reduced so that the costs
// already claimed plus the fee stay within the §10 d cap of the principal. The plan's invoices
// are taken as one debt for both bands (one plan, one fee). Every other case: zero, because
// RULEBOOK.md gives no plan fee rule for them (Finnish B2B fees cover reminders and demands
// only).
absl::StatusOr<PlanFee> PlanFeeFor(const PlanFeeInput& input);

}  // namespace concerto::payment
