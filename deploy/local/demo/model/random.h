// Deterministic randomness for the demo model: a small seeded generator (xoshiro256**, seeded by
// SplitMix64) and integer-only distributions written here, so the same seed gives the same
// portfolio and the same debtor actions with every compiler, standard library and machine (the
// std::*_distribution classes differ between standard libraries; floating point is not used).
//
// Per-decision randomness is derived by hashing (seed, debtor id, decision key) with
// Murmur3x64_128 (libs/core/stable_hash.h): a decision never depends on how many other decisions
// were drawn before it, so events can be processed in any order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace concerto::demo::model {

// kPer10000 is the denominator of every probability in the model (integers per 10,000).
inline constexpr int kPer10000 = 10'000;

// Rng is xoshiro256** (Blackman & Vigna) seeded from one 64-bit value through SplitMix64.
class Rng {
 public:
  explicit Rng(uint64_t seed);
  // Seeds from two words (a 128-bit hash).
  Rng(uint64_t a, uint64_t b);

  // The next 64 random bits.
  uint64_t Next();
  // A uniform integer in [0, n); n must be > 0 (unbiased: rejection sampling).
  uint64_t Below(uint64_t n);
  // A uniform integer in [lo, hi] (inclusive); hi >= lo.
  int64_t Between(int64_t lo, int64_t hi);
  // True with probability per_10000 / 10,000 (<= 0 never, >= 10,000 always).
  bool Chance(int per_10000);
  // An index into `weights` picked with probability weight / sum (non-negative integer weights,
  // sum > 0).
  size_t PickWeighted(const std::vector<int>& weights);
  // One element of a non-empty list, uniformly.
  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[static_cast<size_t>(Below(items.size()))];
  }
  template <typename T, size_t N>
  const T& Pick(const T (&items)[N]) {
    return items[static_cast<size_t>(Below(N))];
  }
  // A standard-normal-like value in thousandths (Irwin-Hall: sum of 12 uniforms), in
  // [-6000, 6000], mean 0, standard deviation ~1000.
  int64_t NormalMilli();
  // A log-normal amount in minor units: median * e^(sigma * z), z standard normal, sigma in
  // thousandths; redrawn until inside [min, max] (clamped after 32 tries). Integer arithmetic.
  int64_t LogNormal(int64_t median, int64_t sigma_milli, int64_t min, int64_t max);

 private:
  uint64_t s_[4];
};

// DecisionRng is the generator of one decision: seeded by the Murmur3x64_128 hash of
// "<seed>/<debtor_id>/<key>".
Rng DecisionRng(uint64_t seed, std::string_view debtor_id, std::string_view key);

// ExpScaled returns e^(centi / 100) * 10^12, for centi in [-400, 400] (clamped), computed with
// integers only (a table built by exact repeated multiplication).
int64_t ExpScaled(int centi);

// ScalePer10000 returns value * per_10000 / 10,000 rounded half away from zero (no overflow for
// money amounts).
int64_t ScalePer10000(int64_t value, int64_t per_10000);

}  // namespace concerto::demo::model
