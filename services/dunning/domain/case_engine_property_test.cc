// Property test: thousands of seeded random input sequences never produce a contact while a
// case is disputed or in hardship (nor list a disputed invoice), never an escalation with zero
// balance, never a closed case with an open balance; every timeline step obeys the table and a
// refused input changes nothing.
#include <random>
#include <string>

#include "gtest/gtest.h"
#include "services/dunning/domain/case_engine.h"
#include "services/dunning/domain/engine_test_util.h"

namespace concerto::dunning {
namespace {

bool Paused(v1::CaseState s) {
  return s == v1::CASE_STATE_DISPUTED || s == v1::CASE_STATE_HARDSHIP;
}

TEST(CaseEngineProperty, RandomSequencesKeepTheInvariants) {
  const v1::Strategy strategy = testing::MustParse(testing::kTestStrategyYaml);
  constexpr int kSequences = 3000;
  constexpr int kSteps = 60;
  int64_t contacts = 0, escalations = 0, closed = 0, refused = 0;
  for (int seq = 0; seq < kSequences; ++seq) {
    std::mt19937_64 rng(seq);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
    EngineContext ctx;
    ctx.champion = &strategy;
    ctx.legal = LegalTotals{1'000'000 + pick(10'000'000), pick(100'000)};
    v1::Case c;
    c.set_tenant("t");
    c.set_debtor_id("d-" + std::to_string(seq));
    absl::Time now = absl::FromCivil(absl::CivilSecond(2025, 3, 1, 10, 0, 0), absl::UTCTimeZone());
    Outcome out;
    for (int step = 0; step < kSteps; ++step) {
      now += absl::Hours(pick(5 * 24));
      const absl::CivilDay today = absl::ToCivilDay(now, absl::UTCTimeZone());
      const std::string inv = "inv-" + std::to_string(pick(4));
      CaseInput in;
      in.cause_id = "e-" + std::to_string(step);
      switch (pick(20)) {
        case 0:
          in.event = InvoiceIssued{inv, testing::Eur(1 + pick(100000)), today + pick(30), {}};
          break;
        case 1:
          in.event = InvoiceOverdue{inv, testing::Eur(1 + pick(100000)), today - pick(60), {}};
          break;
        case 2:
          in.event = PaymentAllocated{inv, 1 + pick(60000)};
          break;
        case 3:
          in.event = pick(2) ? CaseInput{"", InvoiceCancelled{inv}}.event
                             : CaseInput{"", InvoiceWrittenOff{inv}}.event;
          break;
        case 4:
          in.event = DisputeRaised{inv, "r"};
          break;
        case 5:
          in.event = DisputeResolved{inv, pick(3) == 0, "r"};
          break;
        case 6:
          in.event =
              HardshipReported{pick(2) ? std::optional(today + pick(60)) : std::nullopt, "h"};
          break;
        case 7:
          in.event = HardshipEnded{"h"};
          break;
        case 8:
          in.event = PromiseMade{100, today + 7};
          break;
        case 9:
          in.event =
              pick(2) ? CaseInput{"", PromiseKept{}}.event : CaseInput{"", PromiseBroken{}}.event;
          break;
        case 10:
          in.event = PlanCreated{1 + pick(6)};
          break;
        case 11:
          in.event =
              pick(2) ? CaseInput{"", PlanBroken{}}.event : CaseInput{"", PlanCompleted{}}.event;
          break;
        case 12:
          in.event = AgentAction{static_cast<AgentAction::Kind>(pick(7)), "ann", "x"};
          break;
        case 13:
          in.event = LegalOutcome{static_cast<LegalOutcome::Kind>(pick(5)), "x"};
          break;
        case 14:
          if (pick(8) == 0) {
            in.event = Recalled{"x"};
            break;
          }
          [[fallthrough]];
        default:  // fire the armed timer (most inputs: the steps must run)
          if (c.has_timer_due()) {
            now = std::max(now, absl::FromUnixSeconds(c.timer_due().seconds()));
            in.event = StepTimerFired{c.timer_step()};
          } else {
            in.event = StepTimerFired{pick(5)};
          }
      }
      const v1::Case before = c;
      const int timeline_before = c.timeline_size();
      const absl::Status s = DecideInPlace(&c, in, now, ctx, &out);
      if (!s.ok()) {
        ++refused;
        ASSERT_TRUE(s.code() == absl::StatusCode::kFailedPrecondition ||
                    s.code() == absl::StatusCode::kInvalidArgument)
            << s;
        ASSERT_EQ(before.SerializeAsString(), c.SerializeAsString()) << s;
        continue;
      }
      ctx.legal.placed_minor += out.placed_delta_minor;
      ctx.legal.escalated_minor += out.escalated_delta_minor;
      for (const v1::CaseEvent& e : out.events) {
        const bool contact = e.has_contact_requested() || e.has_call_task_requested() ||
                             e.has_plan_offered() || e.has_final_notice_requested();
        if (contact) {
          ++contacts;
          ASSERT_FALSE(Paused(before.state())) << c.DebugString();
          ASSERT_FALSE(Paused(c.state())) << c.DebugString();
          ASSERT_FALSE(IsClosed(c.state()));
        }
        if (e.has_contact_requested()) {
          ASSERT_GT(e.contact_requested().invoices_size(), 0);
          for (const auto& r : e.contact_requested().invoices()) {
            for (const auto& i : c.invoices()) {
              if (i.invoice_id() == r.invoice_id()) {
                ASSERT_FALSE(i.disputed());
              }
            }
          }
        }
        if (e.has_escalation_requested()) {
          ++escalations;
          ASSERT_GT(e.escalation_requested().balance().minor_units(), 0);
          ASSERT_GT(OpenBalance(c), 0);
          ASSERT_EQ(c.state(), v1::CASE_STATE_LEGAL);
        }
      }
      if (IsClosed(c.state())) {
        ASSERT_EQ(OpenBalance(c), 0) << c.DebugString();
        ASSERT_FALSE(c.has_timer_due());
      }
      if (c.has_timer_due()) {
        ASSERT_TRUE(c.state() == v1::CASE_STATE_CURRENT || c.state() == v1::CASE_STATE_DUNNING ||
                    c.state() == v1::CASE_STATE_HARDSHIP)
            << c.DebugString();
      }
      for (int i = std::max(timeline_before, 1); i < c.timeline_size(); ++i) {
        ASSERT_EQ(c.timeline(i - 1).to(), c.timeline(i).from());
      }
      for (int i = timeline_before; i < c.timeline_size(); ++i) {
        ASSERT_TRUE(IsAllowedTransition(c.timeline(i).from(), c.timeline(i).to()));
        if (IsClosed(c.timeline(i).to())) ++closed;
      }
    }
  }
  // The sequences really exercised the paths.
  EXPECT_GT(contacts, 5000);
  EXPECT_GT(escalations, 100);
  EXPECT_GT(closed, 1000);
  EXPECT_GT(refused, 0);
}

}  // namespace
}  // namespace concerto::dunning
