#include "libs/rules/kpi.h"

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "libs/rules/money.h"

namespace concerto::rules {
namespace {

absl::Status Known(const Money& m, std::string_view field) {
  if (!MinorUnitExponent(m.currency).has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(field), ".currency: unknown currency \"", m.currency, "\""));
  }
  return absl::OkStatus();
}

absl::Status NonNegative(const Money& m, std::string_view field) {
  if (absl::Status s = Known(m, field); !s.ok()) return s;
  if (m.minor_units < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(field), ": must not be negative, got ", m.minor_units));
  }
  return absl::OkStatus();
}

absl::Status Positive(const Money& m, std::string_view field) {
  if (absl::Status s = Known(m, field); !s.ok()) return s;
  if (m.minor_units <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(field), ": must be positive, got ", m.minor_units));
  }
  return absl::OkStatus();
}

absl::Status SameCurrency(const Money& m, const Money& reference, std::string_view field) {
  if (m.currency != reference.currency) {
    return absl::InvalidArgumentError(absl::StrCat(std::string(field), ".currency: expected ",
                                                   reference.currency, ", got ", m.currency));
  }
  return absl::OkStatus();
}

absl::Status PositiveDays(int days, std::string_view field) {
  if (days <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(field), ": must be positive, got ", days));
  }
  return absl::OkStatus();
}

double Quotient(Int128 numerator, Int128 denominator) {
  return static_cast<double>(numerator) / static_cast<double>(denominator);
}

// AmountDaysOverSales = amount / sales x days for the DSO family.
absl::StatusOr<double> AmountDaysOverSales(const Money& amount, std::string_view amount_field,
                                           const Money& sales, int days) {
  if (absl::Status s = NonNegative(amount, amount_field); !s.ok()) return s;
  if (absl::Status s = Positive(sales, "credit_sales"); !s.ok()) return s;
  if (absl::Status s = SameCurrency(sales, amount, "credit_sales"); !s.ok()) return s;
  if (absl::Status s = PositiveDays(days, "period_days"); !s.ok()) return s;
  return Quotient(Int128{amount.minor_units} * days, Int128{sales.minor_units});
}

Int128 Gcd(Int128 a, Int128 b) {
  while (b != 0) {
    const Int128 t = a % b;
    a = b;
    b = t;
  }
  return a;
}

constexpr Int128 kMaxDenominator = Int128{1'000'000'000'000'000'000};  // 1e18
const Int128 kInt128Max = ~(Int128{1} << 127);

}  // namespace

absl::StatusOr<double> SimpleDso(const Money& ar, const Money& credit_sales, int period_days) {
  return AmountDaysOverSales(ar, "ar", credit_sales, period_days);
}

absl::StatusOr<double> CountBackDso(const Money& ar,
                                    const std::vector<MonthSales>& months_newest_first) {
  if (absl::Status s = NonNegative(ar, "ar"); !s.ok()) return s;
  if (ar.minor_units == 0) return 0.0;
  int64_t remaining = ar.minor_units;
  int64_t whole_days = 0;
  for (size_t i = 0; i < months_newest_first.size(); ++i) {
    const MonthSales& m = months_newest_first[i];
    const std::string field = absl::StrCat("months[", i, "]");
    if (absl::Status s = Positive(m.sales, absl::StrCat(std::string(field), ".sales")); !s.ok())
      return s;
    if (absl::Status s = SameCurrency(m.sales, ar, absl::StrCat(std::string(field), ".sales"));
        !s.ok()) {
      return s;
    }
    if (absl::Status s = PositiveDays(m.days, absl::StrCat(std::string(field), ".days")); !s.ok())
      return s;
    if (remaining > m.sales.minor_units) {
      remaining -= m.sales.minor_units;
      whole_days += m.days;
      continue;
    }
    // Last month: whole_days + remaining / sales x days, as one exact fraction.
    const Int128 numerator = Int128{whole_days} * m.sales.minor_units + Int128{remaining} * m.days;
    return Quotient(numerator, Int128{m.sales.minor_units});
  }
  return absl::OutOfRangeError(absl::StrCat("months: the ", months_newest_first.size(),
                                            " months given do not cover the AR (", remaining,
                                            " minor units left); supply more months"));
}

absl::StatusOr<double> CeiPercent(const Money& begin_ar, const Money& credit_sales, int months,
                                  const Money& end_total_ar, const Money& end_current_ar) {
  if (absl::Status s = NonNegative(begin_ar, "begin_ar"); !s.ok()) return s;
  if (absl::Status s = NonNegative(credit_sales, "credit_sales"); !s.ok()) return s;
  if (absl::Status s = NonNegative(end_total_ar, "end_total_ar"); !s.ok()) return s;
  if (absl::Status s = NonNegative(end_current_ar, "end_current_ar"); !s.ok()) return s;
  if (absl::Status s = SameCurrency(credit_sales, begin_ar, "credit_sales"); !s.ok()) return s;
  if (absl::Status s = SameCurrency(end_total_ar, begin_ar, "end_total_ar"); !s.ok()) return s;
  if (absl::Status s = SameCurrency(end_current_ar, begin_ar, "end_current_ar"); !s.ok()) {
    return s;
  }
  if (months < 1) {
    return absl::InvalidArgumentError(absl::StrCat("months: must be >= 1, got ", months));
  }
  const Int128 base = Int128{months} * begin_ar.minor_units + credit_sales.minor_units;
  const Int128 numerator = base - Int128{months} * end_total_ar.minor_units;
  const Int128 denominator = base - Int128{months} * end_current_ar.minor_units;
  if (denominator == 0) {
    return absl::InvalidArgumentError(
        "end_current_ar: begin AR + sales/N - end current AR is zero, CEI undefined");
  }
  return Quotient(numerator * 100, denominator);
}

absl::StatusOr<double> BestPossibleDso(const Money& current_ar, const Money& credit_sales,
                                       int period_days) {
  return AmountDaysOverSales(current_ar, "current_ar", credit_sales, period_days);
}

double AverageDaysDelinquent(double dso_days, double best_possible_dso_days) {
  return dso_days - best_possible_dso_days;
}

AgeingBucket AgeingBucketFor(int64_t days_past_due) {
  if (days_past_due <= 0) return AgeingBucket::kCurrent;
  if (days_past_due <= 30) return AgeingBucket::kDays1To30;
  if (days_past_due <= 60) return AgeingBucket::kDays31To60;
  if (days_past_due <= 90) return AgeingBucket::kDays61To90;
  return AgeingBucket::kOver90;
}

std::string_view AgeingBucketName(AgeingBucket bucket) {
  switch (bucket) {
    case AgeingBucket::kCurrent:
      return "current";
    case AgeingBucket::kDays1To30:
      return "1-30";
    case AgeingBucket::kDays31To60:
      return "31-60";
    case AgeingBucket::kDays61To90:
      return "61-90";
    case AgeingBucket::kOver90:
      return "90+";
  }
  return "unknown";
}

absl::StatusOr<Money> ExpectedCreditLoss(const std::vector<ProvisionRow>& rows) {
  if (rows.empty()) return absl::InvalidArgumentError("rows: empty provision matrix");
  const std::string& currency = rows.front().balance.currency;
  // Common denominator of the loss rates.
  Int128 denominator = 1;
  for (size_t i = 0; i < rows.size(); ++i) {
    const std::string field = absl::StrCat("rows[", i, "]");
    if (absl::Status s = Known(rows[i].balance, absl::StrCat(std::string(field), ".balance"));
        !s.ok()) {
      return s;
    }
    if (absl::Status s = SameCurrency(rows[i].balance, rows.front().balance,
                                      absl::StrCat(std::string(field), ".balance"));
        !s.ok()) {
      return s;
    }
    const LossRate& r = rows[i].loss_rate;
    if (r.denominator <= 0 || r.numerator < 0 || r.numerator > r.denominator) {
      return absl::InvalidArgumentError(
          absl::StrCat(std::string(field),
                       ".loss_rate: must be a fraction in [0, 1] with a positive "
                       "denominator, got ",
                       r.numerator, "/", r.denominator));
    }
    denominator = denominator / Gcd(denominator, r.denominator) * r.denominator;
    if (denominator > kMaxDenominator) {
      return absl::OutOfRangeError("rows: loss-rate denominators too large to combine");
    }
  }
  // |balance x numerator x (denominator / r.denominator)| <= 9.3e18 x 1e18 per row.
  Int128 numerator = 0;
  for (const ProvisionRow& row : rows) {
    const Int128 scaled_rate =
        Int128{row.loss_rate.numerator} * (denominator / row.loss_rate.denominator);
    const Int128 term = Int128{row.balance.minor_units} * scaled_rate;
    if ((term > 0 && numerator > kInt128Max - term) ||
        (term < 0 && numerator < -kInt128Max - term)) {
      return absl::OutOfRangeError("rows: expected credit loss overflows");
    }
    numerator += term;
  }
  const Int128 rounded = RoundHalfAwayFromZero(numerator, denominator);
  if (rounded > std::numeric_limits<int64_t>::max() ||
      rounded < std::numeric_limits<int64_t>::min()) {
    return absl::OutOfRangeError("rows: expected credit loss overflows");
  }
  return Money{static_cast<int64_t>(rounded), currency};
}

absl::StatusOr<double> LegalRatioPercent(const Money& escalated_to_legal,
                                         const Money& placed_in_collection) {
  if (absl::Status s = NonNegative(escalated_to_legal, "escalated_to_legal"); !s.ok()) return s;
  if (absl::Status s = Positive(placed_in_collection, "placed_in_collection"); !s.ok()) return s;
  if (absl::Status s = SameCurrency(escalated_to_legal, placed_in_collection, "escalated_to_legal");
      !s.ok()) {
    return s;
  }
  return Quotient(Int128{escalated_to_legal.minor_units} * 100,
                  Int128{placed_in_collection.minor_units});
}

absl::StatusOr<double> RelationshipSavedPercent(int64_t saved_cases, int64_t closed_cases) {
  if (closed_cases <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("closed_cases: must be positive, got ", closed_cases));
  }
  if (saved_cases < 0 || saved_cases > closed_cases) {
    return absl::InvalidArgumentError(absl::StrCat(
        "saved_cases: must be in [0, closed_cases = ", closed_cases, "], got ", saved_cases));
  }
  return Quotient(Int128{saved_cases} * 100, Int128{closed_cases});
}

}  // namespace concerto::rules
