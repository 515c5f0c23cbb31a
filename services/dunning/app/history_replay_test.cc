#include "services/dunning/app/history_replay.h"

#include "concerto/invoice/v1/invoice_events.pb.h"
#include "gtest/gtest.h"
#include "libs/testing/status_matchers.h"
#include "services/dunning/app/strategy_files.h"

namespace concerto::dunning {
namespace {

using ::concerto::testing::IsOk;

const absl::TimeZone kUtc = absl::UTCTimeZone();

absl::Time Day(int day) { return absl::FromCivil(absl::CivilDay(2026, 1, day), kUtc); }

// Issued: an InvoiceIssued of debtor d1 in tenant t1, due on January `due_day`, as the invoice
// service publishes it.
common::v1::Envelope Issued(const std::string& id, int due_day, int64_t cents, absl::Time at) {
  invoice::v1::InvoiceIssued m;
  m.set_invoice_id(id);
  m.set_debtor_id("d1");
  m.mutable_due_date()->set_year(2026);
  m.mutable_due_date()->set_month(1);
  m.mutable_due_date()->set_day(due_day);
  m.mutable_amount()->set_minor_units(cents);
  m.mutable_amount()->set_currency("EUR");
  *m.mutable_open_balance() = m.amount();
  common::v1::Envelope env;
  env.set_event_id("ev-" + id);
  env.set_tenant("t1");
  env.set_aggregate_key("t1/d1");
  env.set_type(invoice::v1::InvoiceIssued::descriptor()->full_name());
  env.set_producer("invoice");
  env.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(at));
  env.set_payload(m.SerializeAsString());
  return env;
}

std::vector<v1::CaseTransitioned> Steps(const ReplayResult& r) {
  std::vector<v1::CaseTransitioned> out;
  for (const auto& env : r.case_events) {
    v1::CaseTransitioned m;
    if (env.type() == v1::CaseTransitioned::descriptor()->full_name() &&
        m.ParseFromString(env.payload()) && m.step() > 0) {
      out.push_back(m);
    }
  }
  return out;
}

class HistoryReplayTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_THAT(LoadStrategyFiles("", &book_), IsOk()); }
  StrategyBook book_;
};

TEST_F(HistoryReplayTest, AStepTimerFiresWhenTheClockMovesPastItsDueTimeAndNotBefore) {
  // Due January 9; the first step is 3 days after due: January 12, in the night of the 11th.
  std::vector<HistoryRound> history = {{Day(10), {Issued("i1", 9, 41250, Day(10))}},
                                       {Day(11), {}},
                                       {Day(12) + absl::Hours(10), {}}};
  auto replay = ReplayHistory(book_, {history[0], history[1]});
  ASSERT_THAT(replay, IsOk());
  EXPECT_TRUE(Steps(*replay).empty());

  replay = ReplayHistory(book_, history);
  ASSERT_THAT(replay, IsOk());
  ASSERT_EQ(Steps(*replay).size(), 1u);
  EXPECT_EQ(Steps(*replay)[0].step(), 1);
  // It happened when the clock got there, as in the live service.
  const auto& step_event = replay->case_events[replay->case_events.size() - 2];
  EXPECT_EQ(step_event.occurred_at().seconds(), absl::ToUnixSeconds(Day(12) + absl::Hours(10)));
}

TEST_F(HistoryReplayTest, AStepDueAtOnceWaitsForTheRestOfTheImportBeforeItDecides) {
  // Two long-overdue invoices of one debtor arrive at the same moment in two batches. The
  // service lets an overdue step settle (a minute by default), so the step sees both; without
  // it, the step would fire between the batches with only the first.
  const std::vector<HistoryRound> history = {{Day(20), {Issued("i1", 2, 10000, Day(20))}},
                                             {Day(20), {Issued("i2", 3, 5000, Day(20))}},
                                             {Day(20) + absl::Hours(10), {}}};
  auto settled = ReplayHistory(book_, history);
  ASSERT_THAT(settled, IsOk());
  ASSERT_FALSE(Steps(*settled).empty());
  EXPECT_EQ(Steps(*settled)[0].balance().minor_units(), 15000);

  DunningOptions at_once;
  at_once.step_settle = absl::ZeroDuration();
  auto immediate = ReplayHistory(book_, history, at_once);
  ASSERT_THAT(immediate, IsOk());
  ASSERT_FALSE(Steps(*immediate).empty());
  EXPECT_EQ(Steps(*immediate)[0].balance().minor_units(), 10000);
}

TEST_F(HistoryReplayTest, TheSameHistoryGivesTheSameEventsAndTheComparisonFindsAChangedOne) {
  const std::vector<HistoryRound> history = {{Day(20), {Issued("i1", 2, 10000, Day(20))}},
                                             {Day(25), {Issued("i2", 24, 5000, Day(25))}},
                                             {Day(31), {}}};
  auto a = ReplayHistory(book_, history);
  auto b = ReplayHistory(book_, history);
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  ReplayComparison same = CompareCaseEvents(a->case_events, b->case_events);
  EXPECT_EQ(same.cases, 1);
  EXPECT_EQ(same.case_events, static_cast<int64_t>(a->case_events.size()));
  EXPECT_TRUE(same.differing_cases.empty());

  std::vector<common::v1::Envelope> changed = b->case_events;
  changed.back().set_payload(changed.front().payload());
  EXPECT_EQ(CompareCaseEvents(a->case_events, changed).differing_cases,
            std::vector<std::string>{"t1/d1"});
  changed = b->case_events;
  changed.pop_back();
  EXPECT_EQ(CompareCaseEvents(a->case_events, changed).differing_cases,
            std::vector<std::string>{"t1/d1"});
  EXPECT_EQ(CaseOutcomes(a->case_events).at("t1/d1"), v1::CASE_STATE_DUNNING);
}

TEST_F(HistoryReplayTest, EventsTheServiceItselfPublishedAreNotInputs) {
  common::v1::Envelope own = Issued("i1", 2, 10000, Day(20));
  own.set_producer("dunning");
  auto replay = ReplayHistory(book_, {{Day(20), {own}}});
  ASSERT_THAT(replay, IsOk());
  EXPECT_TRUE(replay->case_events.empty());
  EXPECT_EQ(replay->units_committed, 0);
}

}  // namespace
}  // namespace concerto::dunning
