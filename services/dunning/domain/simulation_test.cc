#include "services/dunning/domain/simulation.h"

#include <cstdio>

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "services/dunning/domain/case_engine.h"
#include "services/dunning/domain/engine_test_util.h"

namespace concerto::dunning {
namespace {

v1::PortfolioSpec Portfolio(int debtors) {
  v1::PortfolioSpec p;
  p.set_debtors(debtors);
  p.set_min_invoices(1);
  p.set_max_invoices(3);
  p.mutable_min_amount()->set_minor_units(5000);
  p.mutable_min_amount()->set_currency("EUR");
  p.mutable_max_amount()->set_minor_units(300000);
  p.mutable_max_amount()->set_currency("EUR");
  p.set_consumer_percent(80);
  p.add_risk_bands("low");
  p.add_risk_bands("high");
  p.set_jurisdiction("IT");
  p.mutable_first_due()->set_year(2025);
  p.mutable_first_due()->set_month(3);
  p.mutable_first_due()->set_day(1);
  p.set_due_spread_days(30);
  v1::PaymentBehaviour* b = p.mutable_behaviour();
  b->set_pays_before_due_percent(50);
  b->set_pays_per_contact_percent(35);
  b->set_disputes_percent(5);
  b->set_dispute_upheld_percent(40);
  b->set_hardship_percent(3);
  b->set_promises_percent(30);
  b->set_promise_kept_percent(70);
  b->set_never_pays_percent(8);
  b->set_legal_recovers_percent(50);
  return p;
}

TEST(Simulation, RunsAPortfolioToOutcomesAndIsDeterministicPerSeed) {
  const v1::Strategy s = testing::MustParse(testing::kTestStrategyYaml);
  SimulationOptions o;
  o.champion = &s;
  o.portfolio = Portfolio(2000);
  o.days = 150;
  o.seed = 42;
  auto r = Simulate(o);
  ASSERT_TRUE(r.ok()) << r.status();
  int total = 0, paid = 0, open_cases = 0;
  for (const auto& c : r->counts()) {
    total += c.cases();
    if (c.state() == v1::CASE_STATE_PAID) paid = c.cases();
    if (IsOpen(c.state())) open_cases += c.cases();
  }
  EXPECT_EQ(total, 2000);
  for (const auto& c : r->counts()) std::printf("%s=%d ", StateName(c.state()), c.cases());
  std::printf("rejected=%lld transitions=%lld\n", static_cast<long long>(r->rejected_inputs()),
              static_cast<long long>(r->transitions()));
  EXPECT_GT(paid, 1000);
  EXPECT_GT(r->contacts(), 1000);
  EXPECT_GT(r->transitions(), 4000);
  EXPECT_GT(r->placed().minor_units(), 0);
  EXPECT_LE(r->legal_ratio_bp(), 500 + 100);  // guardrail keeps legal near the 5% target
  EXPECT_EQ(r->cases_size(), 2000);
  for (const auto& c : r->cases()) {
    EXPECT_GE(c.days_open(), 0);
  }
  auto again = Simulate(o);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*r, *again));
  o.seed = 43;
  auto other = Simulate(o);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(google::protobuf::util::MessageDifferencer::Equals(*r, *other));
}

TEST(Simulation, BadPortfolioNamesTheField) {
  const v1::Strategy s = testing::MustParse(testing::kTestStrategyYaml);
  SimulationOptions o;
  o.champion = &s;
  o.portfolio = Portfolio(0);
  EXPECT_THAT(std::string(Simulate(o).status().message()),
              ::testing::StartsWith("portfolio.debtors"));
  o.portfolio = Portfolio(10);
  o.portfolio.mutable_max_amount()->set_currency("GBP");
  EXPECT_THAT(std::string(Simulate(o).status().message()),
              ::testing::StartsWith("portfolio.max_amount.currency"));
  o.portfolio = Portfolio(10);
  o.portfolio.mutable_behaviour()->set_promises_percent(120);
  EXPECT_THAT(std::string(Simulate(o).status().message()),
              ::testing::StartsWith("portfolio.behaviour.promises_percent"));
}

}  // namespace
}  // namespace concerto::dunning
