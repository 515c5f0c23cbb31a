#include "deploy/local/demo/model/random.h"

#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace concerto::demo::model {
namespace {

TEST(RngTest, SameSeedSameSequenceDifferentSeedDifferent) {
  Rng a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    differs |= x != c.Next();
  }
  EXPECT_TRUE(differs);
}

TEST(RngTest, BelowAndBetweenStayInRangeAndCoverIt) {
  Rng r(7);
  std::vector<int> seen(10, 0);
  for (int i = 0; i < 10'000; ++i) {
    const uint64_t x = r.Below(10);
    ASSERT_LT(x, 10u);
    ++seen[x];
    const int64_t y = r.Between(-3, 3);
    ASSERT_GE(y, -3);
    ASSERT_LE(y, 3);
  }
  for (int count : seen) EXPECT_NEAR(count, 1000, 150);
  EXPECT_EQ(r.Between(5, 5), 5);
  EXPECT_EQ(r.Below(1), 0u);
}

TEST(RngTest, ChanceMatchesItsProbability) {
  Rng r(11);
  int hits = 0;
  for (int i = 0; i < 10'000; ++i) hits += r.Chance(2500) ? 1 : 0;
  EXPECT_NEAR(hits, 2500, 200);
  EXPECT_FALSE(r.Chance(0));
  EXPECT_TRUE(r.Chance(10'000));
}

TEST(RngTest, PickWeightedFollowsWeights) {
  Rng r(3);
  std::vector<int> counts(3, 0);
  for (int i = 0; i < 10'000; ++i) ++counts[r.PickWeighted({1000, 0, 9000})];
  EXPECT_NEAR(counts[0], 1000, 150);
  EXPECT_EQ(counts[1], 0);
  EXPECT_NEAR(counts[2], 9000, 150);
}

TEST(RngTest, NormalMilliHasMeanZeroAndUnitSpread) {
  Rng r(5);
  int64_t sum = 0;
  int within_one_sd = 0;
  for (int i = 0; i < 10'000; ++i) {
    const int64_t z = r.NormalMilli();
    ASSERT_GE(z, -6000);
    ASSERT_LE(z, 6000);
    sum += z;
    within_one_sd += (z >= -1000 && z <= 1000) ? 1 : 0;
  }
  EXPECT_NEAR(sum / 10'000, 0, 40);
  EXPECT_NEAR(within_one_sd, 6827, 250);  // 68.27% of a normal
}

TEST(RngTest, ExpScaledIsExactEnough) {
  EXPECT_EQ(ExpScaled(0), 1'000'000'000'000);
  EXPECT_NEAR(ExpScaled(100), 2'718'281'828'459, 2'000);   // e
  EXPECT_NEAR(ExpScaled(-100), 367'879'441'171, 2'000);    // 1/e
  EXPECT_NEAR(ExpScaled(400), 54'598'150'033'144, 50'000);  // e^4
  EXPECT_EQ(ExpScaled(1000), ExpScaled(400));
}

TEST(RngTest, LogNormalHasItsMedianAndBounds) {
  Rng r(9);
  int below_median = 0;
  for (int i = 0; i < 10'000; ++i) {
    const int64_t v = r.LogNormal(10'000, 500, 2'000, 80'000);
    ASSERT_GE(v, 2'000);
    ASSERT_LE(v, 80'000);
    below_median += v < 10'000 ? 1 : 0;
  }
  EXPECT_NEAR(below_median, 5000, 250);
}

TEST(RngTest, DecisionRngDependsOnlyOnSeedDebtorAndKey) {
  Rng a = DecisionRng(1, "AE-D00001", "react/x");
  Rng b = DecisionRng(1, "AE-D00001", "react/x");
  Rng c = DecisionRng(1, "AE-D00001", "react/y");
  Rng d = DecisionRng(2, "AE-D00001", "react/x");
  const uint64_t va = a.Next();
  EXPECT_EQ(va, b.Next());
  EXPECT_NE(va, c.Next());
  EXPECT_NE(va, d.Next());
}

TEST(RngTest, ScalePer10000RoundsHalfAwayFromZero) {
  EXPECT_EQ(ScalePer10000(10'000, 2'500), 2'500);
  EXPECT_EQ(ScalePer10000(3, 5'000), 2);    // 1.5 -> 2
  EXPECT_EQ(ScalePer10000(-3, 5'000), -2);  // -1.5 -> -2
}

}  // namespace
}  // namespace concerto::demo::model
