#include "services/payment/domain/schedule.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "libs/rules/fees.h"
#include "libs/rules/money.h"

namespace concerto::payment {
namespace {

// DaysInMonth is the length of `month` (the day before the first of the next month).
int DaysInMonth(absl::CivilMonth month) {
  return static_cast<int>(absl::CivilDay(month + 1) - absl::CivilDay(month));
}

std::string Amount(int64_t minor, const std::string& currency) {
  auto text = rules::FormatMoney(rules::Money{minor, currency});
  return text.ok() ? *text : absl::StrCat(currency, " ", minor);
}

}  // namespace

absl::CivilDay InstalmentDueDate(absl::CivilDay first, v1::PlanFrequency frequency, int periods) {
  switch (frequency) {
    case v1::PLAN_FREQUENCY_WEEKLY:
      return first + 7 * periods;
    case v1::PLAN_FREQUENCY_FORTNIGHTLY:
      return first + 14 * periods;
    case v1::PLAN_FREQUENCY_MONTHLY: {
      // Month arithmetic from `first` each time (never from the previous, clamped, date), so
      // 31 Jan, 28 Feb is followed by 31 Mar and not by 28 Mar.
      const absl::CivilMonth month = absl::CivilMonth(first) + periods;
      const int day = std::min(first.day(), DaysInMonth(month));
      return absl::CivilDay(month.year(), month.month(), day);
    }
    default:
      return first;
  }
}

int RegularInstalmentCount(const ScheduleTerms& terms) {
  if (terms.instalment_count > 0) return terms.instalment_count;
  const int64_t rest = terms.total - terms.down_payment;
  if (terms.instalment_amount <= 0 || rest <= 0) return 0;
  return static_cast<int>((rest + terms.instalment_amount - 1) / terms.instalment_amount);
}

std::vector<ScheduledInstalment> BuildSchedule(const ScheduleTerms& terms) {
  std::vector<ScheduledInstalment> out;
  int offset = 0;  // periods after first_due of the first regular instalment
  if (terms.down_payment > 0) {
    out.push_back({terms.first_due, terms.down_payment});
    offset = 1;
  }
  const int64_t rest = terms.total - terms.down_payment;
  const int n = RegularInstalmentCount(terms);
  if (n <= 0 || rest <= 0) return out;
  for (int i = 0; i < n; ++i) {
    int64_t amount = 0;
    if (terms.instalment_count > 0) {
      amount = rest / n + (i < rest % n ? 1 : 0);
    } else {
      amount = i + 1 < n ? terms.instalment_amount : rest - terms.instalment_amount * (n - 1);
    }
    out.push_back({InstalmentDueDate(terms.first_due, terms.frequency, offset + i), amount});
  }
  return out;
}

absl::StatusOr<PlanFee> PlanFeeFor(const PlanFeeInput& input) {
  PlanFee fee;
  const bool finnish_consumer =
      input.country == "FI" && input.debtor_type == invoice::v1::DEBTOR_TYPE_CONSUMER;
  if (!finnish_consumer) {
    fee.rule = absl::StrCat("no plan fee rule for ",
                            input.country.empty() ? std::string("mixed or unknown jurisdictions")
                                                  : input.country,
                            input.country == "FI" ? " business debts" : "");
    return fee;
  }
  if (input.currency != "EUR") {
    // The Finnish amounts are in euro; a debt in another currency gets no fee rather than a
    // converted one (no exchange rates in the rules).
    fee.rule = absl::StrCat("FI 513/1999: fees are in EUR, the debt is in ", input.currency);
    return fee;
  }
  const rules::Money principal{input.principal, "EUR"};
  auto base = rules::FiConsumerActionFee(rules::FiConsumerAction::kPaymentPlan, principal,
                                         std::max(1, input.regular_instalments));
  if (!base.ok()) return base.status();
  auto cap = rules::FiConsumerCostCap(principal);
  if (!cap.ok()) return cap.status();
  const int64_t headroom = std::max<int64_t>(0, cap->minor_units - input.costs_claimed);
  fee.amount = std::min(base->minor_units, headroom);
  fee.rule = absl::StrCat("FI 513/1999 §10 a payment plan ", Amount(base->minor_units, "EUR"));
  if (fee.amount < base->minor_units) {
    absl::StrAppend(&fee.rule, ", reduced to ", Amount(fee.amount, "EUR"), " by the §10 d cap of ",
                    Amount(cap->minor_units, "EUR"), " (", Amount(input.costs_claimed, "EUR"),
                    " already claimed)");
  }
  return fee;
}

}  // namespace concerto::payment
