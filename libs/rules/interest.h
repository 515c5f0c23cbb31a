// Statutory late-payment interest (EU Directive 2011/7/EU, Italy D.Lgs. 231/2002, Finland
// Interest Act 633/1982, UK Late Payment Act 1998) as pure functions over dated reference-rate
// tables. Policy (RULEBOOK "fixed policy choices"): simple interest, actual days / 365, from the
// day after the due date up to and including the payment day, a rate change inside the period
// splits it into slices at their own rates (UK: one rate), exact until a single final rounding
// half away from zero to the minor unit.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "libs/rules/money.h"

namespace concerto::rules {

// RateEntry says that from `effective_from` on, the reference rate is `reference`.
struct RateEntry {
  absl::CivilDay effective_from;
  Rate reference;
};

// RateTable is a dated reference-rate table (data, not code): entries in strictly increasing
// `effective_from` order, each valid until the next one, the last one until `valid_through`.
// A day before the first entry or after `valid_through` has no rate.
struct RateTable {
  std::string name;
  std::vector<RateEntry> entries;
  absl::CivilDay valid_through;
};

// ParseRateTable reads a table from text, one "YYYY-MM-DD <percent>" line per entry plus one
// "valid_through YYYY-MM-DD" line; blank lines and lines starting with '#' are ignored.
absl::StatusOr<RateTable> ParseRateTable(std::string_view name, std::string_view text);

// ReferenceRateOn returns the table's rate in force on `day`; INVALID_ARGUMENT naming
// `rate_table` when the table has no rate for that day or is malformed.
absl::StatusOr<Rate> ReferenceRateOn(const RateTable& table, absl::CivilDay day);

// Jurisdiction selects a statutory late-interest rule.
enum class Jurisdiction {
  kEu,            // Directive 2011/7/EU minimum: ECB half-year reference + 8 pp.
  kItaly,         // D.Lgs. 231/2002 art. 5: half-year reference + 8 pp.
  kFiConsumer,    // Interest Act 633/1982: reference rounded up to 0.5 pp + 7 pp.
  kFiCommercial,  // Interest Act 633/1982: reference rounded up to 0.5 pp + 8 pp.
  kUk,            // Late Payment Act 1998: BoE rate on 30 Jun / 31 Dec + 8 pp, one rate.
};

// InterestRule is the parameterisation of a statutory rule, so that a member state's variant
// (e.g. Germany + 9 pp) is data too.
struct InterestRule {
  // Currency the rule applies to; empty = any known currency.
  std::string currency;
  // Added to the reference rate.
  Rate margin;
  // When > 0 the reference is first rounded UP to a multiple of this (Finland: 0.5 pp).
  Rate reference_round_up_to;
  // UK: one rate for the whole period, read from the table on 30 Jun (interest starting in
  // Jul-Dec) or 31 Dec of the previous year (starting in Jan-Jun). Otherwise the table is read
  // per day and the rate of each day applies to it.
  bool uk_fixed_reference_day = false;
};

// RuleFor returns the statutory rule of a jurisdiction.
InterestRule RuleFor(Jurisdiction jurisdiction);

// StatutoryRate returns reference (rounded per the rule) + margin.
Rate StatutoryRate(const InterestRule& rule, Rate reference);

// InterestSlice is a run of consecutive days at one annual rate (both ends inclusive).
struct InterestSlice {
  absl::CivilDay first_day;
  absl::CivilDay last_day;
  int64_t days = 0;
  Rate annual_rate;
};

// InterestCalculation is the itemised result: the slices and the once-rounded total.
struct InterestCalculation {
  std::vector<InterestSlice> slices;
  int64_t total_days = 0;
  Money interest;
};

// ComputeLateInterest computes interest on `principal` for the days due+1 .. paid (inclusive).
// INVALID_ARGUMENT naming the field: "principal" (negative or unknown currency or a currency the
// rule does not cover), "paid" (before `due`), "rate_table" (no rate for a needed day).
// paid == due gives zero interest and no slices.
absl::StatusOr<InterestCalculation> ComputeLateInterest(const InterestRule& rule,
                                                        const Money& principal,
                                                        absl::CivilDay due, absl::CivilDay paid,
                                                        const RateTable& reference_rates);

// LateInterest is ComputeLateInterest(RuleFor(jurisdiction), ...).interest.
absl::StatusOr<Money> LateInterest(Jurisdiction jurisdiction, const Money& principal,
                                   absl::CivilDay due, absl::CivilDay paid,
                                   const RateTable& reference_rates);

// EcbHalfYearReferenceRates: ECB main refinancing rate in force on 1 Jan / 1 Jul, the
// reference for the EU directive and for Italy (MEF publishes the same figure) [P]/[S].
// Covers 2025-01-01 .. 2026-06-30; extend with ParseRateTable for later half-years.
RateTable EcbHalfYearReferenceRates();

// FinlandReferenceRates: ECB rate in force on the last day before each half-year, unrounded
// (the rule rounds it up to 0.5 pp) [S]. Covers 2025-01-01 .. 2026-06-30.
RateTable FinlandReferenceRates();

}  // namespace concerto::rules
