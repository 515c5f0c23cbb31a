// PortfolioRun: the main job's scenario. A synthetic portfolio (three tenants modelled on the
// seed businesses) goes into the running stack through the real APIs — debtors and invoices
// through InvoiceService's bulk import, money through camt.053 statements into PaymentService,
// replies through ContactService, plans through PaymentService — and the simulated clock moves
// day by day, each day only once the whole stack is quiescent. The debtor behaviour model
// answers every contact the services actually made (read from contact.events). At the end the
// KPI fold turns every event of the run into the report.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "deploy/local/stack/stack_env.h"
#include "services/dunning/app/history_replay.h"
#include "services/reporting/domain/kpi_fold.h"
#include "services/reporting/report/html_report.h"

namespace concerto::demo {

struct RunOptions {
  uint64_t seed = 42;
  int debtors = 300;
  int days = 120;
  absl::CivilDay start = absl::CivilDay(2026, 1, 5);  // the simulated clock's first day
  // A client's own invoices (the invoice service's CSV layout) instead of the synthetic ones;
  // debtors then come from the CSV's debtor columns and behave by the model's default segment.
  std::string invoices_csv;
  bool verbose = false;
  // Called at the start of every simulated day (0-based) before anything happens that day;
  // fault tests kill processes here. An error stops the run.
  std::function<absl::Status(int day)> before_day;
};

struct RunResult {
  reporting::Report report;
  std::vector<reporting::DailyPoint> series;
  std::map<std::string, int64_t> counts;  // what the driver did: "payments", "replies", ...
  // Every debtor's money ledger: "<tenant>/<debtor>" -> its allocations and reversals, in
  // order of payment id ("PaymentAllocated pay-… EUR 412.50 -> inv-…").
  std::map<std::string, std::vector<std::string>> ledgers;
  // Every event the services published, round by round as the driver read them whenever the
  // stack was quiet, with the clock: the run's history, which the in-process engine replays.
  std::vector<dunning::HistoryRound> history;
};

// RunPortfolio drives the scenario against a running stack (which must be on the simulated
// clock set to `options.start`).
absl::StatusOr<RunResult> RunPortfolio(const local::StackAddresses& stack,
                                       const RunOptions& options);

}  // namespace concerto::demo
