// The main job's properties on a small portfolio through the live stack (separate processes):
//  - deterministic: the same seed and options give the same KPIs and the same money ledgers;
//  - the in-process engine agrees: the dunning service's handler replayed without Kafka or
//    Redis over the run's history makes the same case decisions as the live service;
//  - fault-proof: SIGKILL each service and Redis on different days of a run (the supervisor
//    restarts them) and the KPIs and every debtor's ledger equal those of an undisturbed run.
#include <csignal>
#include <filesystem>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "deploy/local/demo/portfolio_run.h"
#include "deploy/local/stack/stack.h"
#include "gtest/gtest.h"
#include "libs/testing/status_matchers.h"
#include "libs/testing/subprocess.h"
#include "services/dunning/app/history_replay.h"
#include "services/dunning/app/strategy_files.h"

namespace concerto::demo {
namespace {

using ::concerto::testing::IsOk;

constexpr int kDebtors = 24;
constexpr int kDays = 21;

struct RunFigures {
  std::vector<dunning::HistoryRound> history;
  std::string table;
  std::map<std::string, std::vector<std::string>> ledgers;
  std::map<std::string, int64_t> counts;
};

std::string DemoStrategyFiles() {
  const std::string dir = CONCERTO_DEMO_STRATEGIES;
  return absl::StrCat("aurora-energia=", dir, "/aurora-energia-v2.yaml,aurora-energia=", dir,
                      "/aurora-energia.yaml,vigna-rossa=", dir, "/vigna-rossa.yaml,lumo-huolto=",
                      dir, "/lumo-huolto.yaml");
}

RunFigures RunOnce(const std::string& name, std::function<absl::Status(local::Stack*, int)> faults) {
  local::StackOptions options;
  options.state_dir = absl::StrCat(::testing::TempDir(), "/demo-", name);
  std::error_code ec;
  std::filesystem::remove_all(options.state_dir, ec);
  options.bin_dir = std::getenv("CONCERTO_BIN_DIR");
  RunOptions run;
  run.seed = 7;
  run.debtors = kDebtors;
  run.days = kDays;
  options.extra_service_flags = {
      "--clock=simulated",
      absl::StrCat("--clock-start=", absl::FormatCivilTime(run.start), "T00:00:00Z")};
  options.service_flags["dunning"] = {absl::StrCat("--strategy-files=", DemoStrategyFiles())};
  auto stack = local::Stack::Start(options);
  EXPECT_THAT(stack, IsOk());
  if (!stack.ok()) return {};
  local::Stack* s = stack->get();
  if (faults) run.before_day = [&](int day) { return faults(s, day); };
  auto result = RunPortfolio((*stack)->addresses(), run);
  EXPECT_THAT(result, IsOk());
  (*stack)->Stop();
  if (!result.ok()) return {};
  return {result->history, reporting::FormatReportTable(result->report),
          result->ledgers, result->counts};
}

// ByCase: each case's events as "time id payload" lines, in time order (the order
// within one instant is the id's, as the tap reads topics in parallel).
std::map<std::string, std::vector<std::string>> ByCase(
    const std::vector<common::v1::Envelope>& events) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& env : events) {
    out[env.aggregate_key()].push_back(dunning::DescribeEvent(env));
  }
  for (auto& [key, lines] : out) std::sort(lines.begin(), lines.end());
  return out;
}

std::string Describe(const std::map<std::string, dunning::v1::CaseState>& outcomes) {
  std::string out;
  for (const auto& [key, state] : outcomes) {
    absl::StrAppend(&out, key, " ", dunning::v1::CaseState_Name(state), "\n");
  }
  return out;
}

// The in-process engine (the dunning service's handler without Kafka or Redis), given the
// events the service consumed and the clock of the run, decides exactly what the live service
// decided: the same case events, ids and moments, so the same outcome for every case.
void ExpectInProcessEngineAgrees(const RunFigures& run) {
  dunning::StrategyBook book;
  ASSERT_THAT(dunning::LoadStrategyFiles(DemoStrategyFiles(), &book), IsOk());
  auto replay = dunning::ReplayHistory(book, run.history);
  ASSERT_THAT(replay, IsOk());
  const std::vector<common::v1::Envelope> live_cases = dunning::PublishedCaseEvents(run.history);
  const std::map<std::string, dunning::v1::CaseState> live = dunning::CaseOutcomes(live_cases);
  EXPECT_GE(live.size(), static_cast<size_t>(kDebtors / 2));
  std::set<dunning::v1::CaseState> states;
  for (const auto& [key, state] : live) states.insert(state);
  EXPECT_GE(states.size(), 2u) << "a portfolio where every case ends alike proves little";
  EXPECT_EQ(Describe(dunning::CaseOutcomes(replay->case_events)), Describe(live));
  const dunning::ReplayComparison same = dunning::CompareCaseEvents(live_cases, replay->case_events);
  EXPECT_EQ(same.cases, static_cast<int64_t>(live.size()));
  auto live_history = ByCase(live_cases);
  auto replayed_history = ByCase(replay->case_events);
  for (const std::string& key : same.differing_cases) {
    ADD_FAILURE() << "case " << key << "\nlive:\n" << absl::StrJoin(live_history[key], "\n")
                  << "\nin-process:\n" << absl::StrJoin(replayed_history[key], "\n");
  }
}

TEST(DemoRunTest, SameSeedSameKpisKillingAnyProcessChangesNothingAndTheInProcessEngineAgrees) {
  const RunFigures calm = RunOnce("calm", nullptr);
  ASSERT_FALSE(calm.table.empty());
  EXPECT_GT(calm.counts.at("invoices"), 0);
  EXPECT_GT(calm.counts.count("payments") ? calm.counts.at("payments") : 0, 0) << calm.table;
  EXPECT_FALSE(calm.ledgers.empty());

  ExpectInProcessEngineAgrees(calm);

  const RunFigures again = RunOnce("again", nullptr);
  EXPECT_EQ(again.table, calm.table);
  EXPECT_EQ(again.ledgers, calm.ledgers);

  // Each process killed once, on its own day, in the middle of the run.
  const std::vector<std::string> victims = {"invoice", "dunning", "contact-channel", "payment",
                                            "legal-escalation", "redis"};
  const RunFigures faulted = RunOnce("faulted", [&](local::Stack* stack, int day) -> absl::Status {
    const int i = day - 3;
    if (i < 0 || i % 3 != 0 || i / 3 >= static_cast<int>(victims.size())) return absl::OkStatus();
    const std::string& victim = victims[i / 3];
    absl::Status s = victim == "redis" ? stack->KillRedis(SIGKILL) : stack->KillService(victim, SIGKILL);
    if (!s.ok()) return s;
    absl::SleepFor(absl::Milliseconds(300));
    return stack->WaitHealthy(absl::Seconds(60));
  });
  EXPECT_EQ(faulted.table, calm.table);
  EXPECT_EQ(faulted.ledgers, calm.ledgers);
  ExpectInProcessEngineAgrees(faulted);
}

}  // namespace
}  // namespace concerto::demo
