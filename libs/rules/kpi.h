// Credit-management KPIs (RULEBOOK "KPIs"): simple and count-back DSO, CEI, best possible DSO,
// average days delinquent, ageing buckets, IFRS 9 simplified provision matrix, legal ratio and
// relationship-saved ratio. Pure functions.
//
// Arithmetic policy: money stays integer minor units (`Money`). Ratios (days, percentages) are
// returned as `double`, computed by ONE division of exact integer (`__int128`) numerator and
// denominator, so the only inexactness is the final binary rounding of that quotient; callers
// display them to 2 decimals. The expected credit loss is Money, accumulated exactly as a
// rational and rounded once, half away from zero, to the minor unit.
//
// Errors: INVALID_ARGUMENT whose message starts with the offending field (`ar`, `current_ar`,
// `credit_sales`, `period_days`, `months`, `months[i].sales`, `months[i].days`, `begin_ar`,
// `end_total_ar`, `end_current_ar`, `rows`, `rows[i].balance`, `rows[i].loss_rate`,
// `escalated_to_legal`, `placed_in_collection`, `closed_cases`, `saved_cases`), including
// unknown or mismatched currencies; OUT_OF_RANGE when the months given do not cover the AR
// (count-back) or on overflow.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/rules/money.h"

namespace concerto::rules {

// SimpleDso = AR / credit sales of the period x days of the period.
absl::StatusOr<double> SimpleDso(const Money& ar, const Money& credit_sales, int period_days);

// MonthSales is one month of credit sales and the number of days of that month.
struct MonthSales {
  Money sales;
  int days = 0;
};

// CountBackDso: from the period-end AR subtract whole months of sales, newest first, adding
// each month's days; the month that is not fully consumed adds remaining AR / its sales x its
// days. AR exactly equal to a run of whole months gives their days. OUT_OF_RANGE naming `months`
// when the months given do not cover the AR. AR 0 gives 0.
absl::StatusOr<double> CountBackDso(const Money& ar,
                                    const std::vector<MonthSales>& months_newest_first);

// CeiPercent = (begin AR + sales/N - end total AR) / (begin AR + sales/N - end current AR) x 100,
// N = months of the period (computed exactly as (N*begin + sales - N*end) / (N*begin + sales -
// N*current)). INVALID_ARGUMENT naming `months` (< 1) or `end_current_ar` (zero denominator).
absl::StatusOr<double> CeiPercent(const Money& begin_ar, const Money& credit_sales, int months,
                                  const Money& end_total_ar, const Money& end_current_ar);

// BestPossibleDso = current (not yet due) AR / credit sales x days.
absl::StatusOr<double> BestPossibleDso(const Money& current_ar, const Money& credit_sales,
                                       int period_days);

// AverageDaysDelinquent = DSO - best possible DSO, for any DSO flavour.
double AverageDaysDelinquent(double dso_days, double best_possible_dso_days);

// AgeingBucket of a receivable by days past due.
enum class AgeingBucket {
  kCurrent,  // not past due (days_past_due <= 0)
  kDays1To30,
  kDays31To60,
  kDays61To90,
  kOver90,  // 91 days and more
};

// AgeingBucketFor maps days past due to its bucket (<= 0 current; 1-30; 31-60; 61-90; 91+).
AgeingBucket AgeingBucketFor(int64_t days_past_due);

// AgeingBucketName: "current", "1-30", "31-60", "61-90", "90+".
std::string_view AgeingBucketName(AgeingBucket bucket);

// LossRate is an exact loss rate numerator / denominator, 0 <= rate <= 1.
struct LossRate {
  int64_t numerator = 0;
  int64_t denominator = 1;

  // LossRate::BasisPoints(50) == 0.5%.
  static constexpr LossRate BasisPoints(int64_t bp) { return LossRate{bp, 10'000}; }
};

// ProvisionRow is one line of a provision matrix: the balance of a bucket and its loss rate.
struct ProvisionRow {
  Money balance;
  LossRate loss_rate;
};

// ExpectedCreditLoss = sum of balance x loss rate (IFRS 9 simplified approach), exact, rounded
// once half away from zero to the minor unit. All balances share one currency (the result's).
// INVALID_ARGUMENT naming `rows` (empty, mixed currencies, unknown currency) or
// `rows[i].loss_rate` (denominator <= 0, rate outside [0, 1]).
absl::StatusOr<Money> ExpectedCreditLoss(const std::vector<ProvisionRow>& rows);

// LegalRatioPercent = value escalated to legal / value placed in collection x 100 (goal < 5%).
absl::StatusOr<double> LegalRatioPercent(const Money& escalated_to_legal,
                                         const Money& placed_in_collection);

// RelationshipSavedPercent = closed cases paid or settled without legal whose debtor stays an
// active customer / closed cases x 100. INVALID_ARGUMENT naming `closed_cases` (<= 0) or
// `saved_cases` (negative or more than closed).
absl::StatusOr<double> RelationshipSavedPercent(int64_t saved_cases, int64_t closed_cases);

}  // namespace concerto::rules
