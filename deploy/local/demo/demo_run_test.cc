// The main job's properties on a small portfolio through the live stack (separate processes):
//  - deterministic: the same seed and options give the same KPIs and the same money ledgers;
//  - fault-proof: SIGKILL each service and Redis on different days of a run (the supervisor
//    restarts them) and the KPIs and every debtor's ledger equal those of an undisturbed run.
#include <csignal>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "deploy/local/demo/portfolio_run.h"
#include "deploy/local/stack/stack.h"
#include "gtest/gtest.h"
#include "libs/testing/status_matchers.h"
#include "libs/testing/subprocess.h"

namespace concerto::demo {
namespace {

using ::concerto::testing::IsOk;

constexpr int kDebtors = 24;
constexpr int kDays = 21;

struct RunFigures {
  std::string table;
  std::map<std::string, std::vector<std::string>> ledgers;
  std::map<std::string, int64_t> counts;
};

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
  const std::string dir = CONCERTO_DEMO_STRATEGIES;
  options.service_flags["dunning"] = {absl::StrCat(
      "--strategy-files=aurora-energia=", dir, "/aurora-energia-v2.yaml,aurora-energia=", dir,
      "/aurora-energia.yaml,vigna-rossa=", dir, "/vigna-rossa.yaml,lumo-huolto=", dir,
      "/lumo-huolto.yaml")};
  auto stack = local::Stack::Start(options);
  EXPECT_THAT(stack, IsOk());
  if (!stack.ok()) return {};
  local::Stack* s = stack->get();
  if (faults) run.before_day = [&](int day) { return faults(s, day); };
  auto result = RunPortfolio((*stack)->addresses(), run);
  EXPECT_THAT(result, IsOk());
  (*stack)->Stop();
  if (!result.ok()) return {};
  return {reporting::FormatReportTable(result->report), result->ledgers, result->counts};
}

TEST(DemoRunTest, SameSeedSameKpisAndKillingAnyProcessChangesNothing) {
  const RunFigures calm = RunOnce("calm", nullptr);
  ASSERT_FALSE(calm.table.empty());
  EXPECT_GT(calm.counts.at("invoices"), 0);
  EXPECT_GT(calm.counts.count("payments") ? calm.counts.at("payments") : 0, 0) << calm.table;
  EXPECT_FALSE(calm.ledgers.empty());

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
}

}  // namespace
}  // namespace concerto::demo
