// KPI fold: turns the Kafka event streams of every service (invoice, payment, case, contact and
// legal events, each inside a concerto.common.v1.Envelope) into the portfolio KPIs of the
// RULEBOOK, per tenant and per tenant x strategy arm (strategy id + champion/challenger variant).
// The main demo and the reporting service both use it, so every figure has ONE definition.
//
// Pure: no I/O, no clock. The fold keeps a compact per-invoice and per-debtor history (dated
// balance deltas, due dates, dated facts), so a snapshot can be taken for any period after the
// events were applied, and the result does not depend on how the topics were interleaved.
// Every formula that libs/rules/kpi.h has is computed there (count-back / simple / best
// possible DSO, ADD, CEI, ageing buckets, expected credit loss, legal ratio, relationship
// saved); the ratios it owns are exact integer ratios rounded once (see services/reporting/
// README.md for each KPI's definition and source events).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/rules/kpi.h"

namespace concerto::common::v1 {
class Envelope;
}  // namespace concerto::common::v1

namespace concerto::reporting {

// kAgeingBucketCount is the number of rules::AgeingBucket values (current, 1-30, 31-60, 61-90,
// 90+); ageing arrays are indexed by static_cast<int>(rules::AgeingBucket).
inline constexpr int kAgeingBucketCount = 5;

// AgeingAmounts holds one amount in minor units per ageing bucket.
using AgeingAmounts = std::array<int64_t, kAgeingBucketCount>;

// Figure is a KPI computed by a libs/rules/kpi.h formula, which returns a double made by ONE
// division of exact integers: its value, or why it is undefined (e.g. no sales in the period).
struct Figure {
  std::optional<double> value;
  std::string undefined_reason;  // set when !value
};

// CurrencyKpis are the money figures of one group (tenant or arm) in one ISO 4217 currency.
// Amounts are integer minor units; ratios owned by this library are basis points
// (10000 = 100%) rounded once, half away from zero.
struct CurrencyKpis {
  // Invoices placed in collection in the period: past their due date with an open balance;
  // value = open balance at the end of the due date.
  int64_t invoices_placed = 0;
  int64_t placed = 0;
  // Payments allocated to invoices in the period (principal + interest + costs), net of
  // reversals. Overpayments held as credit are not collected.
  int64_t collected = 0;
  // Principal collected, by the period end and on or after placement, on the invoices placed
  // in the period (the numerator of the collection rate).
  int64_t collected_on_placed = 0;
  // collected_on_placed / placed; unset when nothing was placed.
  std::optional<int64_t> collection_rate_bp;

  // Net credit sales of the period: invoices issued (by issue date) plus credit/debit note
  // deltas, minus cancelled balances.
  int64_t credit_sales = 0;
  // Receivables at the end of the day before the period starts, and at the period end.
  int64_t opening_receivables = 0;
  int64_t closing_receivables = 0;
  // Receivables not yet past due at the period end.
  int64_t closing_current_receivables = 0;
  AgeingAmounts ageing_opening{};
  AgeingAmounts ageing_closing{};

  Figure count_back_dso_days;     // rules::CountBackDso at the period end
  Figure simple_dso_days;         // rules::SimpleDso over the period
  Figure best_possible_dso_days;  // rules::BestPossibleDso over the period
  Figure add_days;                // rules::AverageDaysDelinquent(simple DSO, best possible DSO)
  Figure cei_percent;             // rules::CeiPercent with the period as one unit (N = 1)

  // Value escalated to legal in the period (requests not rejected by the legal service).
  int64_t escalated = 0;
  Figure legal_ratio_percent;  // rules::LegalRatioPercent(escalated, placed)

  // rules::ExpectedCreditLoss of the closing ageing; only with FoldOptions::loss_rates.
  std::optional<int64_t> expected_credit_loss;
  std::string expected_credit_loss_note;  // why it is unset

  // Contacts sent to debtors whose invoices are in this currency, per 1,000 major units of the
  // currency collected, in hundredths (215 = 2.15 contacts per EUR 1,000); unset when nothing
  // was collected.
  int64_t contacts_sent = 0;
  std::optional<int64_t> contacts_per_1000_collected_centi;
};

// GroupKpis are the figures of one tenant, or of one strategy arm of a tenant, over a period.
struct GroupKpis {
  std::map<std::string, CurrencyKpis> by_currency;  // ISO 4217 code -> figures

  int64_t promises_made = 0;
  int64_t promises_kept = 0;
  int64_t promises_broken = 0;
  std::optional<int64_t> promises_kept_bp;  // kept / (kept + broken)

  int64_t plans_created = 0;
  int64_t plans_completed = 0;
  int64_t plans_broken = 0;

  // Contact actions the strategy requested (contact, call task, final notice, plan offer),
  // attempts the providers accepted, attempts the contact policy suppressed (dropped or handed
  // to a person) and attempts it deferred to the next allowed moment, per reason (lower-case
  // SuppressionReason without its prefix, e.g. "quiet_hours").
  int64_t contacts_requested = 0;
  int64_t contacts_sent = 0;
  int64_t contacts_suppressed = 0;
  std::map<std::string, int64_t> suppressed_by_reason;
  int64_t contacts_deferred = 0;
  std::map<std::string, int64_t> deferred_by_reason;

  int64_t escalations_requested = 0;  // including the rejected ones
  int64_t escalations_rejected = 0;

  int64_t cases_opened = 0;
  int64_t cases_closed = 0;
  // Closed cases paid or settled without legal whose debtor is an active customer at the
  // period end (DebtorUpserted.customer_status).
  int64_t relationships_saved = 0;
  Figure relationship_saved_percent;  // rules::RelationshipSavedPercent

  int64_t csat_responses = 0;
  int64_t csat_sum = 0;
  std::optional<int64_t> csat_average_centi;  // 1..5 in hundredths (367 = 3.67)
  int64_t nps_responses = 0;
  int64_t nps_promoters = 0;   // 9-10
  int64_t nps_passives = 0;    // 7-8
  int64_t nps_detractors = 0;  // 0-6
  std::optional<int64_t> nps_centi;  // % promoters - % detractors, in hundredths of a point
};

// ArmKey identifies a strategy arm: the strategy id and the variant ("champion" or
// "challenger") of the debtor's case assignment. Empty strategy id: the debtor has no case.
struct ArmKey {
  std::string strategy_id;
  std::string variant;

  friend auto operator<=>(const ArmKey&, const ArmKey&) = default;
  friend bool operator==(const ArmKey&, const ArmKey&) = default;
};

// ArmLabel renders an arm as "strategy/variant", or "unassigned" for debtors without a case.
std::string ArmLabel(const ArmKey& arm);

// TenantKpis are a tenant's figures overall and per arm; the arms add up to the total.
struct TenantKpis {
  GroupKpis total;
  std::map<ArmKey, GroupKpis> arms;
};

// Report is a snapshot of every tenant's KPIs over [period_start, period_end] (inclusive).
struct Report {
  absl::CivilDay period_start;
  absl::CivilDay period_end;
  int period_days = 0;
  std::map<std::string, TenantKpis> tenants;
};

// FoldOptions configure a PortfolioFold.
struct FoldOptions {
  // Time zone in which an Envelope.occurred_at becomes the day of the fact it records.
  absl::TimeZone time_zone = absl::UTCTimeZone();
  // Provision matrix loss rates per ageing bucket (current, 1-30, 31-60, 61-90, 90+); without
  // it the expected credit loss is not computed.
  std::optional<std::array<rules::LossRate, kAgeingBucketCount>> loss_rates;
};

// FoldStats count what Apply did with its envelopes.
struct FoldStats {
  int64_t applied = 0;     // known type, folded in
  int64_t duplicates = 0;  // event id seen before: dropped
  int64_t ignored = 0;     // type the fold does not use, or a newer schema version
  int64_t malformed = 0;   // known type whose payload does not parse: dropped
};

// PortfolioFold folds envelopes into per-tenant history and snapshots KPIs from it.
// Not thread-safe; movable, not copyable.
class PortfolioFold {
 public:
  // PortfolioFold starts empty.
  explicit PortfolioFold(FoldOptions options = {});
  ~PortfolioFold();
  PortfolioFold(PortfolioFold&&) noexcept;
  PortfolioFold& operator=(PortfolioFold&&) noexcept;
  PortfolioFold(const PortfolioFold&) = delete;
  PortfolioFold& operator=(const PortfolioFold&) = delete;

  // Apply folds one envelope in. An event id seen before is dropped (redelivery is harmless);
  // unknown types, newer schema versions and unparsable payloads are counted and skipped.
  // Facts are dated by occurred_at in the options' time zone (invoice sales by issue date).
  void Apply(const common::v1::Envelope& envelope);

  // Snapshot computes the report over [first day of any applied fact, as_of]; an empty fold
  // gives the one-day period [as_of, as_of].
  Report Snapshot(absl::CivilDay as_of) const;

  // Snapshot computes the report over [period_start, period_end], inclusive; a start after the
  // end is moved to the end.
  Report Snapshot(absl::CivilDay period_start, absl::CivilDay period_end) const;

  // stats counts the envelopes applied, duplicated, ignored and malformed so far.
  const FoldStats& stats() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// FormatReportTable renders a report as plain text for a terminal: a "period" line, then per
// tenant one line per KPI and group ("all", each "strategy/variant", then "unassigned"), each
// line starting with the KPI name in lower case ("invoices placed", "collection rate",
// "count-back dso", "cei", "add", "legal ratio", "promises kept", "contacts suppressed", ...),
// followed by the tenant, the group and the value (money as "EUR 412.50", per currency).
std::string FormatReportTable(const Report& report);

}  // namespace concerto::reporting
