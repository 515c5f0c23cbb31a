#include "libs/core/stable_hash.h"

#include <map>

#include "gtest/gtest.h"

namespace concerto::core {
namespace {

// Vectors from Kafka's own UtilsTest: our shard must equal the partition a Java producer picks.
TEST(Murmur2Kafka, MatchesKafkaJavaClientVectors) {
  const std::map<std::string, int32_t> cases = {
      {"21", -973932308},
      {"foobar", -790332482},
      {"a-little-bit-long-string", -985981536},
      {"a-little-bit-longer-string", -1486304829},
      {"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971},
      {"abc", 479470107},
  };
  for (const auto& [key, expected] : cases) {
    EXPECT_EQ(static_cast<int32_t>(Murmur2Kafka(key)), expected) << key;
  }
}

TEST(KafkaPartitionOf, IsInRangeAndStable) {
  for (int i = 0; i < 1000; ++i) {
    const std::string key = "debtor-" + std::to_string(i);
    const int p = KafkaPartitionOf(key, 8);
    EXPECT_GE(p, 0);
    EXPECT_LT(p, 8);
    EXPECT_EQ(p, KafkaPartitionOf(key, 8));
  }
}

TEST(Murmur3x64_128, MatchesReferenceVector) {
  const Hash128 h = Murmur3x64_128("The quick brown fox jumps over the lazy dog");
  EXPECT_EQ(h.hi, 0xe34bbc7bbc071b6cULL);
  EXPECT_EQ(h.lo, 0x7a433ca9c49a9347ULL);
}

TEST(DeterministicId, SameInputsSameIdDifferentPositionDifferentId) {
  EXPECT_EQ(DeterministicId("e-17", "out/0"), DeterministicId("e-17", "out/0"));
  EXPECT_NE(DeterministicId("e-17", "out/0"), DeterministicId("e-17", "out/1"));
  EXPECT_NE(DeterministicId("e-1", "7out/0"), DeterministicId("e-17", "out/0"));
  EXPECT_EQ(DeterministicId("e-17", "out/0").size(), 32u);
}

TEST(StableBucket, SplitsCloseToUniform) {
  int in_first_half = 0;
  for (int i = 0; i < 10000; ++i) {
    if (StableBucket("debtor-" + std::to_string(i), 100) < 50) ++in_first_half;
  }
  EXPECT_NEAR(in_first_half, 5000, 250);
}

}  // namespace
}  // namespace concerto::core
