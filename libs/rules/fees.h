// Statutory collection costs and fixed compensation: Dutch WIK (Stb. 2012/141), EU / Italian
// EUR 40 per late invoice, UK fixed sums (Late Payment Act 1998), Finnish consumer cost caps and
// the 14-day reminder rule (Debt Collection Act 513/1999 §10 a, §10 d). Exact arithmetic,
// rounded once, half away from zero.
#pragma once

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "libs/rules/money.h"

namespace concerto::rules {

// WikCollectionCosts returns the Dutch statutory collection costs for a EUR principal: 15% of
// the first 2,500; 10% of the next 2,500; 5% of the next 5,000; 1% of the next 190,000; 0.5%
// above; at least EUR 40, at most EUR 6,775; times 1.21 when `add_vat` (creditor cannot deduct
// VAT). INVALID_ARGUMENT naming "principal" (negative, not EUR).
absl::StatusOr<Money> WikCollectionCosts(const Money& principal, bool add_vat);

// LatePaymentCompensationEu returns EUR 40 per late invoice (Directive 2011/7/EU art. 6,
// Italy D.Lgs. 231/2002 art. 6; owed per invoice even when claimed together, CJEU C-585/20).
// INVALID_ARGUMENT naming "late_invoices" when negative.
absl::StatusOr<Money> LatePaymentCompensationEu(int late_invoices);

// UkFixedSum returns the UK fixed compensation per debt: GBP 40 (< 1,000), 70 (1,000 to
// < 10,000), 100 (>= 10,000). INVALID_ARGUMENT naming "debt" (negative, not GBP).
absl::StatusOr<Money> UkFixedSum(const Money& debt);

// FiConsumerAction is a chargeable voluntary collection action on a Finnish consumer debt.
enum class FiConsumerAction {
  kReminder,         // written reminder: EUR 5
  kDemand,           // payment demand: 14 / 24 / 50
  kRepeatedDemand,   // repeated demand: half of the demand fee
  kPaymentPlan,      // payment plan: 20 / 30 / 50
};

// FiConsumerActionFee returns the maximum fee for one action on a debt of `principal`. Bands:
// <= 100, > 100 and <= 1,000, > 1,000. A payment plan with at most 4 instalments costs EUR 20
// whatever the principal. INVALID_ARGUMENT naming "principal" or "plan_instalments" (< 1 for a
// plan).
absl::StatusOr<Money> FiConsumerActionFee(FiConsumerAction action, const Money& principal,
                                          int plan_instalments = 0);

// FiConsumerCostCap returns the total voluntary-collection cost cap per debt (§10 d): EUR 60
// (<= 100), 120 (<= 1,000), 210 (> 1,000).
absl::StatusOr<Money> FiConsumerCostCap(const Money& principal);

// FiConsumerCosts itemises the actions' fees and applies the per-debt cap.
struct FiConsumerCosts {
  std::vector<Money> fees;  // one per action, in order
  Money requested;          // sum of fees
  Money cap;                // §10 d cap for the principal
  Money chargeable;         // min(requested, cap)
  bool capped = false;      // requested > cap
};
absl::StatusOr<FiConsumerCosts> ComputeFiConsumerCosts(
    const Money& principal, const std::vector<FiConsumerAction>& actions,
    int plan_instalments = 0);

// FiEarliestChargeableReminder returns the first day on which a reminder fee may be charged:
// at least 14 days after the due date and 14 days after the previous chargeable reminder.
// FAILED_PRECONDITION when the invoice was sent less than 14 days before the due date (no
// reminder fee is ever chargeable); INVALID_ARGUMENT naming "invoice_sent" (after due) or
// "previous_chargeable_reminder" (earlier than a chargeable reminder could have been).
absl::StatusOr<absl::CivilDay> FiEarliestChargeableReminder(
    absl::CivilDay invoice_sent, absl::CivilDay due,
    std::optional<absl::CivilDay> previous_chargeable_reminder = std::nullopt);

}  // namespace concerto::rules
