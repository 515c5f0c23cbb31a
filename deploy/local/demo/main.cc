// concerto-demo: the main job. Brings the local stack up on the embedded default (embedded
// Kafka, redis-server with AOF, every service on the shared simulated clock), proves every
// service answers (smoke flow), then runs a synthetic portfolio of three clients through the
// live services day by day (PortfolioRun), prints the KPI table and writes the HTML report, and
// replays the run's history through the in-process engine to show it decides the same.
//   concerto-demo [--seed=42] [--debtors=300] [--days=120] [--out=DIR] [--keep-running]
//                 [--strategies=FILE] [--invoices=CSV] [--state-dir=DIR] [--bin-dir=BUILD]
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "deploy/local/demo/portfolio_run.h"
#include "deploy/local/demo/smoke_flow.h"
#include "deploy/local/stack/stack.h"
#include "services/dunning/app/history_replay.h"
#include "services/dunning/app/strategy_files.h"
#include "libs/platform/runtime/config.h"
#include "libs/platform/runtime/shutdown_signal.h"

using namespace concerto;

namespace {

// StrategyFiles: the demo clients' own strategies (the utility's with its challenger), or the
// user's file for every client.
std::string StrategyFiles(const std::string& user_file) {
  if (!user_file.empty()) return user_file;
  const std::string dir = CONCERTO_DEMO_STRATEGIES;
  // The B2B strategy (any debtor type) is also the shared one: a client's own CSV runs on it.
  return absl::StrCat(dir, "/vigna-rossa.yaml,",                           //
                      "aurora-energia=", dir, "/aurora-energia-v2.yaml,",  //
                      "aurora-energia=", dir, "/aurora-energia.yaml,",     //
                      "vigna-rossa=", dir, "/vigna-rossa.yaml,",           //
                      "lumo-huolto=", dir, "/lumo-huolto.yaml");
}

// CheckInProcessEngine replays the run's history through the dunning service's handler in this
// process (no Kafka, no Redis) and says whether it decided what the live service decided.
// Returns false when it did not.
bool CheckInProcessEngine(const std::string& strategy_files, const demo::RunResult& result,
                          bool verbose) {
  dunning::StrategyBook book;
  if (absl::Status s = dunning::LoadStrategyFiles(strategy_files, &book); !s.ok()) {
    std::printf("In-process engine: strategies not loaded: %s\n", s.ToString().c_str());
    return false;
  }
  const absl::Time t0 = absl::Now();
  auto replay = dunning::ReplayHistory(book, result.history);
  if (!replay.ok()) {
    std::printf("In-process engine: replay failed: %s\n", replay.status().ToString().c_str());
    return false;
  }
  const std::vector<common::v1::Envelope> live = dunning::PublishedCaseEvents(result.history);
  const dunning::ReplayComparison c = dunning::CompareCaseEvents(live, replay->case_events);
  std::printf("In-process engine (the dunning handler without Kafka or Redis) replayed the run in "
              "%s: %lld cases, %lld case events; ",
              absl::FormatDuration(absl::Trunc(absl::Now() - t0, absl::Milliseconds(1))).c_str(),
              static_cast<long long>(c.cases), static_cast<long long>(c.case_events));
  if (c.differing_cases.empty()) {
    std::printf("every decision the same as the live service's.\n");
    return true;
  }
  std::printf("%zu cases decided differently, e.g. %s.\n", c.differing_cases.size(),
              c.differing_cases.front().c_str());
  if (verbose) {
    for (const std::string& key : c.differing_cases) {
      using Side = std::pair<const char*, const std::vector<common::v1::Envelope>*>;
      for (const auto& [label, events] :
           {Side("live", &live), Side("in-process", &replay->case_events)}) {
        std::printf("  %s, %s:\n", key.c_str(), label);
        for (const common::v1::Envelope& env : *events) {
          if (env.aggregate_key() == key) std::printf("    %s\n", dunning::DescribeEvent(env).c_str());
        }
      }
    }
  }
  return false;
}

int Fail(const std::string& what, const absl::Status& s) {
  std::fprintf(stderr, "concerto-demo: %s: %s\n", what.c_str(), s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  platform::InstallShutdownSignalHandlers();
  auto config = platform::Config::Load(argc, argv);
  if (!config.ok()) {
    std::fprintf(stderr, "concerto-demo: %s\n", config.status().ToString().c_str());
    return 2;
  }
  demo::RunOptions run;
  auto keep = config->GetBool("keep-running", false);
  auto seed = config->GetInt("seed", 42);
  auto debtors = config->GetInt("debtors", run.debtors);
  auto days = config->GetInt("days", run.days);
  for (const absl::Status& s : {keep.status(), seed.status(), debtors.status(), days.status()}) {
    if (!s.ok()) {
      std::fprintf(stderr, "concerto-demo: %s\n", s.ToString().c_str());
      return 2;
    }
  }
  if (*debtors < 3 || *days < 1) {
    std::fprintf(stderr, "concerto-demo: --debtors must be >= 3 and --days >= 1\n");
    return 2;
  }
  run.seed = static_cast<uint64_t>(*seed);
  run.debtors = static_cast<int>(*debtors);
  run.days = static_cast<int>(*days);
  run.invoices_csv = config->GetString("invoices", "");
  run.verbose = config->GetBool("verbose", false).value_or(false);
  const std::string out_dir = config->GetString("out", "build/demo-report");

  local::StackOptions options;
  options.state_dir = config->GetString("state-dir", "build/stack");
  options.bin_dir = config->GetString("bin-dir", "build");
  options.kafka_brokers = config->GetString("kafka-brokers", "");
  options.redis = config->GetString("redis", "");
  options.extra_service_flags = {
      "--clock=simulated",
      absl::StrCat("--clock-start=", absl::FormatCivilTime(run.start), "T00:00:00Z")};
  const std::string strategy_files = StrategyFiles(config->GetString("strategies", ""));
  options.service_flags["dunning"] = {absl::StrCat("--strategy-files=", strategy_files)};

  // A fresh run: the stack's Redis keeps nothing of an earlier run.
  std::error_code ec;
  std::filesystem::remove_all(options.state_dir, ec);
  std::printf("Starting the local stack (embedded Kafka, redis-server with AOF, services)...\n");
  std::fflush(stdout);
  const absl::Time t0 = absl::Now();
  auto stack = local::Stack::Start(options);
  if (!stack.ok()) return Fail("stack did not start", stack.status());
  const local::StackAddresses addresses = (*stack)->addresses();
  std::printf("Stack healthy in %s: kafka=%s redis=%s\n",
              absl::FormatDuration(absl::Trunc(absl::Now() - t0, absl::Milliseconds(1))).c_str(),
              addresses.kafka_brokers.c_str(), addresses.redis.c_str());
  for (const auto& [service, address] : addresses.grpc) {
    std::printf("  %-18s grpc=%s\n", service.c_str(), address.c_str());
  }

  if (run.invoices_csv.empty()) {
    std::printf("\nPortfolio: seed %llu, %d debtors over three clients, %d days from %s\n",
                static_cast<unsigned long long>(run.seed), run.debtors, run.days,
                absl::FormatCivilTime(run.start).c_str());
  } else {
    std::printf("\nPortfolio: your invoices from %s (client \"your-company\"), %d days from %s\n",
                run.invoices_csv.c_str(), run.days, absl::FormatCivilTime(run.start).c_str());
  }
  std::fflush(stdout);
  const absl::Time r0 = absl::Now();
  auto result = demo::RunPortfolio(addresses, run);
  if (!result.ok()) {
    (*stack)->Stop();
    return Fail("portfolio run failed", result.status());
  }
  std::printf("Ran %d simulated days in %s: ", run.days,
              absl::FormatDuration(absl::Trunc(absl::Now() - r0, absl::Seconds(1))).c_str());
  for (const auto& [what, n] : result->counts) std::printf("%s %lld; ", what.c_str(), static_cast<long long>(n));
  std::printf("\n\n%s\n", reporting::FormatReportTable(result->report).c_str());
  const bool engine_agrees = CheckInProcessEngine(strategy_files, *result, run.verbose);

  reporting::HtmlReportOptions html;
  html.title = "Concerto demo: collections KPIs";
  html.subtitle = "Three clients, a synthetic portfolio, the live services on a simulated clock";
  html.run_facts = {{"seed", absl::StrCat(run.seed)},
                    {"debtors", absl::StrCat(run.debtors)},
                    {"days", absl::StrCat(run.days)},
                    {"first day", absl::FormatCivilTime(run.start)}};
  std::filesystem::create_directories(out_dir, ec);
  for (const reporting::ReportFile& f : reporting::RenderHtmlReport(result->report, result->series, html)) {
    std::ofstream(std::filesystem::path(out_dir) / f.name, std::ios::binary) << f.content;
  }
  std::printf("HTML report: %s/index.html\n", out_dir.c_str());

  if (*keep) {
    std::printf("\nStack keeps running (state in %s); Ctrl-C stops it.\n", options.state_dir.c_str());
    for (const auto& [service, address] : addresses.grpc) {
      std::printf("  %-18s grpc=%s\n", service.c_str(), address.c_str());
    }
    std::fflush(stdout);
    platform::WaitForShutdownSignal();
  }
  (*stack)->Stop();
  std::printf("Stack stopped cleanly.\n");
  return engine_agrees ? 0 : 1;
}
