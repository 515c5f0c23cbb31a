// The worklist's pure part: filters, order, pages.
#include "services/dunning/app/case_reader.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/testing/status_matchers.h"
#include "services/dunning/domain/case_engine.h"

namespace concerto::dunning {
namespace {

using ::concerto::testing::IsOk;
using ::concerto::testing::StatusIs;

const absl::CivilDay kToday(2026, 3, 1);

v1::Case MakeCase(const std::string& debtor, v1::CaseState state, int64_t balance,
                  absl::CivilDay due, const std::string& agent = "") {
  v1::Case c;
  c.set_tenant("t1");
  c.set_debtor_id(debtor);
  c.set_state(state);
  c.set_agent(agent);
  c.mutable_assignment()->set_strategy_id("gentle");
  c.mutable_assignment()->set_segment("consumers");
  auto* inv = c.add_invoices();
  inv->set_invoice_id(debtor + "-i1");
  inv->mutable_open_balance()->set_minor_units(balance);
  inv->mutable_open_balance()->set_currency("EUR");
  ToDate(due, inv->mutable_due_date());
  c.add_timeline()->set_reason("last reason of " + debtor);
  return c;
}

TEST(WorklistTest, EmptyStatesMeansOpenCasesOnly) {
  v1::ListCasesRequest r;
  EXPECT_TRUE(Matches(MakeCase("a", v1::CASE_STATE_DUNNING, 100, kToday), r, kToday));
  EXPECT_FALSE(Matches(MakeCase("b", v1::CASE_STATE_PAID, 0, kToday), r, kToday));
  r.add_states(v1::CASE_STATE_PAID);
  EXPECT_TRUE(Matches(MakeCase("b", v1::CASE_STATE_PAID, 0, kToday), r, kToday));
  EXPECT_FALSE(Matches(MakeCase("a", v1::CASE_STATE_DUNNING, 100, kToday), r, kToday));
}

TEST(WorklistTest, FiltersByAgentStrategySegmentBalanceAndDaysPastDue) {
  const v1::Case c = MakeCase("a", v1::CASE_STATE_DUNNING, 5000, kToday - 20, "bob");
  v1::ListCasesRequest r;
  r.set_agent("bob");
  r.set_strategy_id("gentle");
  r.set_segment("consumers");
  r.mutable_min_balance()->set_minor_units(5000);
  r.mutable_min_balance()->set_currency("EUR");
  r.set_min_days_past_due(20);
  EXPECT_TRUE(Matches(c, r, kToday));
  auto miss = [&](auto mutate) {
    v1::ListCasesRequest m = r;
    mutate(m);
    return !Matches(c, m, kToday);
  };
  EXPECT_TRUE(miss([](auto& m) { m.set_agent("carol"); }));
  EXPECT_TRUE(miss([](auto& m) { m.set_strategy_id("strict"); }));
  EXPECT_TRUE(miss([](auto& m) { m.set_segment("business"); }));
  EXPECT_TRUE(miss([](auto& m) { m.mutable_min_balance()->set_minor_units(5001); }));
  EXPECT_TRUE(miss([](auto& m) { m.mutable_min_balance()->set_currency("GBP"); }));
  EXPECT_TRUE(miss([](auto& m) { m.set_min_days_past_due(21); }));
}

TEST(WorklistTest, DaysPastDueSkipsDisputedAndPaidInvoices) {
  v1::Case c = MakeCase("a", v1::CASE_STATE_DUNNING, 100, kToday - 30);
  EXPECT_EQ(DaysPastDue(c, kToday), 30);
  c.mutable_invoices(0)->set_disputed(true);
  EXPECT_EQ(DaysPastDue(c, kToday), 0);
  EXPECT_EQ(DaysPastDue(MakeCase("b", v1::CASE_STATE_CURRENT, 100, kToday + 5), kToday), 0);
}

TEST(WorklistTest, SortsByBalanceThenDebtorAndPagesWithoutGapsOrRepeats) {
  std::vector<v1::Case> cases;
  const int64_t balances[] = {300, 100, 300, 200, 500, 100, 400};
  for (int i = 0; i < 7; ++i) {
    cases.push_back(MakeCase("d" + std::to_string(i), v1::CASE_STATE_DUNNING, balances[i], kToday));
  }
  std::vector<std::string> seen;
  std::optional<WorklistKey> after;
  for (int page = 0; page < 10; ++page) {
    v1::ListCasesResponse r = Paginate(cases, after, 3, kToday);
    for (const auto& row : r.cases()) seen.push_back(row.debtor_id());
    if (r.next_page_token().empty()) break;
    auto key = DecodePageToken(r.next_page_token());
    ASSERT_THAT(key, IsOk());
    after = *key;
  }
  EXPECT_THAT(seen, ::testing::ElementsAre("d4", "d6", "d0", "d2", "d3", "d1", "d5"));
  const v1::CaseSummary row = Summarize(cases[4], kToday);
  EXPECT_EQ(row.balance().minor_units(), 500);
  EXPECT_EQ(row.balance().currency(), "EUR");
  EXPECT_EQ(row.last_reason(), "last reason of d4");
}

TEST(WorklistTest, PageSizeDefaultsTo50AndCapsAt500) {
  std::vector<v1::Case> cases;
  for (int i = 0; i < 600; ++i) {
    cases.push_back(MakeCase("d" + std::to_string(i), v1::CASE_STATE_DUNNING, 100, kToday));
  }
  EXPECT_EQ(Paginate(cases, std::nullopt, 0, kToday).cases_size(), 50);
  EXPECT_EQ(Paginate(cases, std::nullopt, 10000, kToday).cases_size(), 500);
}

TEST(WorklistTest, ForeignPageTokenIsInvalidArgument) {
  EXPECT_THAT(DecodePageToken("not a token!"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(DecodePageToken(EncodePageToken({42, "d/1"})), IsOk());
}

}  // namespace
}  // namespace concerto::dunning
