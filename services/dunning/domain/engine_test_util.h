// Test helpers for the case engine: a test strategy and a harness with a simulated clock.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "services/dunning/domain/case_engine.h"
#include "services/dunning/domain/strategy_yaml.h"

namespace concerto::dunning::testing {

// kTestStrategyYaml: strategy "gentle" v1, one segment, every kind of step.
inline constexpr char kTestStrategyYaml[] = R"(id: gentle
version: 1
currency: EUR
segments:
  - name: all
    steps:
      - offset_days: -3
        contact: {channels: [email], template: nudge}
      - offset_days: 3
        contact: {channels: [sms, email], template: reminder-1}
      - offset_days: 10
        call_task: {queue: collectors}
      - offset_days: 20
        final_notice: {template: final, term_days: 14, channels: [letter]}
      - offset_days: 40
        escalate: {min_balance: "EUR 50.00", require_final_notice_expired: true}
)";

inline v1::Strategy MustParse(const std::string& yaml) {
  auto s = ParseStrategyYaml(yaml);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : v1::Strategy();
}

inline rules::Money Eur(int64_t cents) { return rules::Money{cents, "EUR"}; }

inline absl::CivilDay Day(int y, int m, int d) { return absl::CivilDay(y, m, d); }

// Harness drives one case through the engine on a simulated clock.
struct Harness {
  v1::Strategy strategy = MustParse(kTestStrategyYaml);
  EngineContext ctx;
  v1::Case c;
  absl::Time now = absl::FromCivil(absl::CivilSecond(2025, 3, 1, 12, 0, 0), absl::UTCTimeZone());
  Decision last;
  int seq = 0;

  Harness() {
    ctx.champion = &strategy;
    ctx.legal = LegalTotals{100'000'000, 0};  // EUR 1M placed, nothing escalated
    c.set_tenant("t1");
    c.set_debtor_id("debtor-1");
  }

  absl::Status Apply(decltype(CaseInput::event) event) {
    CaseInput in{"in-" + std::to_string(++seq), std::move(event)};
    absl::StatusOr<Decision> d = Decide(c, in, now, ctx);
    if (!d.ok()) return d.status();
    last = std::move(*d);
    c = last.state;
    return absl::OkStatus();
  }

  absl::CivilDay Today() const { return absl::ToCivilDay(now, absl::UTCTimeZone()); }
  void AdvanceDays(int days) { now += absl::Hours(24 * days); }

  // FireTimer moves the clock to the armed timer and fires it.
  absl::Status FireTimer() {
    EXPECT_TRUE(c.has_timer_due()) << "no timer armed";
    const absl::Time due = absl::FromUnixSeconds(c.timer_due().seconds());
    if (due > now) now = due;
    return Apply(StepTimerFired{c.timer_step()});
  }

  absl::Status Overdue(const std::string& id, int64_t cents, absl::CivilDay due) {
    return Apply(InvoiceOverdue{id, Eur(cents), due, {}});
  }

  template <typename T>
  std::vector<const T*> Events(const T& (v1::CaseEvent::*get)() const,
                               bool (v1::CaseEvent::*has)() const) const {
    std::vector<const T*> out;
    for (const auto& e : last.events) {
      if ((e.*has)()) out.push_back(&(e.*get)());
    }
    return out;
  }

  std::string LastReason() const {
    return c.timeline().empty() ? "" : c.timeline(c.timeline_size() - 1).reason();
  }
};

}  // namespace concerto::dunning::testing
