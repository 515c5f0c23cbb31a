// engine_bench: in-process case-engine transitions per second on one core (no I/O, no
// serialization). Cases cycle: opened overdue with 3 invoices -> every step fires (contacts,
// call task, final notice, escalation) -> paid -> reopened. Last line: transitions_per_s=N.
// Rates are per second of this thread's CPU time (CLOCK_THREAD_CPUTIME_ID): "on one core",
// and stable on a shared machine; wall time is printed too.
// Flags: --seconds=S (default 3); --bin-dir=... is accepted and ignored.
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "services/dunning/domain/case_engine.h"
#include "services/dunning/domain/strategy_yaml.h"

namespace dunning = concerto::dunning;
namespace v1 = concerto::dunning::v1;

namespace {

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 3.0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--seconds=", 0) == 0) seconds = std::atof(a.c_str() + 10);
  }
  auto strategy = dunning::ParseStrategyYaml(R"(id: bench
version: 1
currency: EUR
segments:
  - name: all
    steps:
      - {offset_days: -3, contact: {channels: [email], template: nudge}}
      - {offset_days: 3, contact: {channels: [sms, email], template: reminder-1}}
      - {offset_days: 10, contact: {channels: [email], template: reminder-2}}
      - {offset_days: 14, call_task: {queue: collectors}}
      - {offset_days: 20, final_notice: {template: final, term_days: 14, channels: [letter]}}
      - {offset_days: 40, escalate: {require_final_notice_expired: true}}
)");
  if (!strategy.ok()) {
    std::fprintf(stderr, "strategy: %s\n", std::string(strategy.status().message()).c_str());
    return 1;
  }
  dunning::EngineContext ctx;
  ctx.champion = &*strategy;
  ctx.legal = dunning::LegalTotals{1'000'000'000'000, 0};

  constexpr int kCases = 1024;
  std::vector<v1::Case> cases(kCases);
  for (int i = 0; i < kCases; ++i) {
    cases[i].set_tenant("t");
    cases[i].set_debtor_id("debtor-" + std::to_string(i));
  }
  dunning::Outcome out;
  const absl::Time t0 =
      absl::FromCivil(absl::CivilSecond(2025, 3, 1, 10, 0, 0), absl::UTCTimeZone());
  const absl::CivilDay d0(2025, 3, 1);
  const std::vector<std::string> ids = {"inv-1", "inv-2", "inv-3"};
  int64_t transitions = 0, decisions = 0, events = 0, errors = 0;
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = ThreadCpuSeconds();
  double cpu = 0;
  double elapsed = 0;
  int round = 0;
  dunning::CaseInput in;
  while (elapsed < seconds) {
    for (int i = 0; i < kCases; ++i) {
      v1::Case& c = cases[i];
      absl::Time now = t0;
      auto apply = [&](absl::Time at) {
        if (!dunning::DecideInPlace(&c, in, at, ctx, &out).ok()) ++errors;
        transitions += out.transitions;
        events += static_cast<int64_t>(out.events.size());
        ++decisions;
      };
      for (const std::string& id : ids) {
        in.event = dunning::InvoiceIssued{id, concerto::rules::Money{14000, "EUR"}, d0 + 10, {}};
        apply(now);
      }
      // Every step: pre-due nudge, reminders, call, final notice, escalation or payment.
      for (int guard = 0; guard < 8 && c.has_timer_due(); ++guard) {
        now = std::max(now, absl::FromUnixSeconds(c.timer_due().seconds()));
        in.event = dunning::StepTimerFired{c.timer_step()};
        apply(now);
        if (c.state() == v1::CASE_STATE_DUNNING && c.next_step() == 5 && (i + round) % 2 == 0) {
          for (const std::string& id : ids) {
            in.event = dunning::PaymentAllocated{id, 14000};
            apply(now);
          }
          break;
        }
      }
      if (c.state() == v1::CASE_STATE_LEGAL) {
        in.event = dunning::LegalOutcome{dunning::LegalOutcome::Kind::kPaid, ""};
        apply(now);
      }
    }
    ++round;
    cpu = ThreadCpuSeconds() - cpu_start;
    elapsed = cpu;
  }
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double tps = static_cast<double>(transitions) / cpu;
  std::printf(
      "cases=%d rounds=%d decisions=%lld transitions=%lld events=%lld errors=%lld "
      "cpu_seconds=%.2f wall_seconds=%.2f\n",
      kCases, round, static_cast<long long>(decisions), static_cast<long long>(transitions),
      static_cast<long long>(events), static_cast<long long>(errors), cpu, wall);
  std::printf("decisions_per_s=%.0f events_per_s=%.0f wall_transitions_per_s=%.0f\n",
              static_cast<double>(decisions) / cpu, static_cast<double>(events) / cpu,
              static_cast<double>(transitions) / wall);
  std::printf("transitions_per_s=%.0f\n", tps);
  return errors == 0 ? 0 : 1;
}
