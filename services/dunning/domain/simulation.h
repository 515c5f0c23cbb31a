// Strategy simulation: the same pure engine run in-process over a described portfolio with a
// simulated clock, day by day, so a strategy can be tried before it goes live
// (StrategyService.Simulate and the demo use it). Deterministic for a given seed.
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "concerto/dunning/v1/dunning_api.pb.h"
#include "concerto/dunning/v1/strategy.pb.h"

namespace concerto::dunning {

// SimulationOptions: what to run.
struct SimulationOptions {
  const v1::Strategy* champion = nullptr;    // required
  const v1::Strategy* challenger = nullptr;  // required when champion splits to a challenger
  v1::PortfolioSpec portfolio;
  int days = 120;  // simulated days, starting 30 days before portfolio.first_due
  uint64_t seed = 1;
  bool include_cases = true;  // fill SimulateResponse.cases (one row per debtor)
};

// Simulate runs the portfolio through the engine. INVALID_ARGUMENT names the field of a bad
// portfolio ("portfolio.debtors", "portfolio.min_amount.currency", ...).
absl::StatusOr<v1::SimulateResponse> Simulate(const SimulationOptions& options);

}  // namespace concerto::dunning
