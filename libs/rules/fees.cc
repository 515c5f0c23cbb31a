#include "libs/rules/fees.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace concerto::rules {
namespace {

constexpr int64_t kCent = 1;
constexpr int64_t kEuro = 100 * kCent;

std::string Day(absl::CivilDay d) { return absl::FormatCivilTime(d); }

absl::Status CheckAmount(const Money& m, std::string_view field, std::string_view currency) {
  if (m.currency != currency) {
    return absl::InvalidArgumentError(absl::StrCat(std::string(field), ".currency: expected ",
                                                   std::string(currency), ", got ", m.currency));
  }
  if (m.minor_units < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(field), ": must not be negative, got ", m.minor_units));
  }
  return absl::OkStatus();
}

// Finnish consumer bands: 0 = <= 100, 1 = > 100 and <= 1,000, 2 = > 1,000.
int FiBand(const Money& principal) {
  if (principal.minor_units <= 100 * kEuro) return 0;
  if (principal.minor_units <= 1'000 * kEuro) return 1;
  return 2;
}

}  // namespace

absl::StatusOr<Money> WikCollectionCosts(const Money& principal, bool add_vat) {
  if (absl::Status s = CheckAmount(principal, "principal", "EUR"); !s.ok()) return s;
  struct Band {
    int64_t width_cents;  // 0 = unbounded
    int64_t per_mille;
  };
  constexpr std::array<Band, 5> kBands = {{
      {2'500 * kEuro, 150},
      {2'500 * kEuro, 100},
      {5'000 * kEuro, 50},
      {190'000 * kEuro, 10},
      {0, 5},
  }};
  // Exact value in cents x 1000.
  Int128 costs = 0;
  int64_t remaining = principal.minor_units;
  for (const Band& band : kBands) {
    const int64_t part =
        band.width_cents == 0 ? remaining : std::min(remaining, band.width_cents);
    costs += Int128{part} * band.per_mille;
    remaining -= part;
    if (remaining == 0) break;
  }
  const Int128 kMin = Int128{40 * kEuro} * 1000;
  const Int128 kMax = Int128{6'775 * kEuro} * 1000;
  costs = std::clamp(costs, kMin, kMax);
  Int128 denominator = 1000;
  if (add_vat) {
    costs *= 121;
    denominator *= 100;
  }
  return Money{static_cast<int64_t>(RoundHalfAwayFromZero(costs, denominator)), "EUR"};
}

absl::StatusOr<Money> LatePaymentCompensationEu(int late_invoices) {
  if (late_invoices < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("late_invoices: must not be negative, got ", late_invoices));
  }
  return Money{int64_t{late_invoices} * 40 * kEuro, "EUR"};
}

absl::StatusOr<Money> UkFixedSum(const Money& debt) {
  if (absl::Status s = CheckAmount(debt, "debt", "GBP"); !s.ok()) return s;
  constexpr int64_t kPound = 100;
  if (debt.minor_units < 1'000 * kPound) return Money{40 * kPound, "GBP"};
  if (debt.minor_units < 10'000 * kPound) return Money{70 * kPound, "GBP"};
  return Money{100 * kPound, "GBP"};
}

absl::StatusOr<Money> FiConsumerActionFee(FiConsumerAction action, const Money& principal,
                                          int plan_instalments) {
  if (absl::Status s = CheckAmount(principal, "principal", "EUR"); !s.ok()) return s;
  constexpr std::array<int64_t, 3> kDemand = {14 * kEuro, 24 * kEuro, 50 * kEuro};
  constexpr std::array<int64_t, 3> kPlan = {20 * kEuro, 30 * kEuro, 50 * kEuro};
  const size_t band = static_cast<size_t>(FiBand(principal));
  switch (action) {
    case FiConsumerAction::kReminder:
      return Money{5 * kEuro, "EUR"};
    case FiConsumerAction::kDemand:
      return Money{kDemand[band], "EUR"};
    case FiConsumerAction::kRepeatedDemand:
      return Money{kDemand[band] / 2, "EUR"};  // 7 / 12 / 25: all exact
    case FiConsumerAction::kPaymentPlan:
      if (plan_instalments < 1) {
        return absl::InvalidArgumentError(absl::StrCat(
            "plan_instalments: a payment plan needs at least 1, got ", plan_instalments));
      }
      return Money{plan_instalments <= 4 ? kPlan[0] : kPlan[band], "EUR"};
  }
  return absl::InvalidArgumentError("action: unknown");
}

absl::StatusOr<Money> FiConsumerCostCap(const Money& principal) {
  if (absl::Status s = CheckAmount(principal, "principal", "EUR"); !s.ok()) return s;
  constexpr std::array<int64_t, 3> kCap = {60 * kEuro, 120 * kEuro, 210 * kEuro};
  return Money{kCap[static_cast<size_t>(FiBand(principal))], "EUR"};
}

absl::StatusOr<FiConsumerCosts> ComputeFiConsumerCosts(
    const Money& principal, const std::vector<FiConsumerAction>& actions,
    int plan_instalments) {
  absl::StatusOr<Money> cap = FiConsumerCostCap(principal);
  if (!cap.ok()) return cap.status();
  FiConsumerCosts out;
  out.cap = *cap;
  out.requested = Money{0, "EUR"};
  for (FiConsumerAction action : actions) {
    absl::StatusOr<Money> fee = FiConsumerActionFee(action, principal, plan_instalments);
    if (!fee.ok()) return fee.status();
    out.requested.minor_units += fee->minor_units;
    out.fees.push_back(*std::move(fee));
  }
  out.capped = out.requested.minor_units > out.cap.minor_units;
  out.chargeable = out.capped ? out.cap : out.requested;
  return out;
}

absl::StatusOr<absl::CivilDay> FiEarliestChargeableReminder(
    absl::CivilDay invoice_sent, absl::CivilDay due,
    std::optional<absl::CivilDay> previous_chargeable_reminder) {
  constexpr int kGapDays = 14;
  if (invoice_sent > due) {
    return absl::InvalidArgumentError(absl::StrCat("invoice_sent: ", Day(invoice_sent),
                                                   " is after due ", Day(due)));
  }
  if (due - invoice_sent < kGapDays) {
    return absl::FailedPreconditionError(
        absl::StrCat("invoice_sent: ", Day(invoice_sent), " is less than ", kGapDays,
                     " days before due ", Day(due), "; no reminder fee is chargeable"));
  }
  absl::CivilDay earliest = due + kGapDays;
  if (previous_chargeable_reminder.has_value()) {
    if (*previous_chargeable_reminder < earliest) {
      return absl::InvalidArgumentError(absl::StrCat(
          "previous_chargeable_reminder: ", Day(*previous_chargeable_reminder),
          " is before the earliest chargeable day ", Day(earliest)));
    }
    earliest = *previous_chargeable_reminder + kGapDays;
  }
  return earliest;
}

}  // namespace concerto::rules
