#include "deploy/local/demo/model/random.h"

#include <array>
#include <string>

#include "absl/strings/str_cat.h"
#include "libs/core/stable_hash.h"

namespace concerto::demo::model {
namespace {

__extension__ typedef __int128 Int128;

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

constexpr int kExpRange = 400;
constexpr int64_t kExpOne = 1'000'000'000'000;  // 10^12
// e^(+0.01) and e^(-0.01) times 10^18 (exact to the last digit shown).
constexpr int64_t kExpUp = 1'010'050'167'084'168'058;
constexpr int64_t kExpDown = 990'049'833'749'168'054;
constexpr int64_t kExpDen = 1'000'000'000'000'000'000;

const std::array<int64_t, 2 * kExpRange + 1>& ExpTable() {
  static const std::array<int64_t, 2 * kExpRange + 1> table = [] {
    std::array<int64_t, 2 * kExpRange + 1> t{};
    // Carry the product at 10^12 x 10^6 precision so rounding errors do not accumulate.
    constexpr Int128 kScale = 1'000'000;
    Int128 up = static_cast<Int128>(kExpOne) * kScale;
    Int128 down = up;
    t[kExpRange] = kExpOne;
    for (int i = 1; i <= kExpRange; ++i) {
      up = up * kExpUp / kExpDen;
      down = down * kExpDown / kExpDen;
      t[static_cast<size_t>(kExpRange + i)] = static_cast<int64_t>((up + kScale / 2) / kScale);
      t[static_cast<size_t>(kExpRange - i)] = static_cast<int64_t>((down + kScale / 2) / kScale);
    }
    return t;
  }();
  return table;
}

}  // namespace

Rng::Rng(uint64_t seed) {
  uint64_t state = seed;
  for (uint64_t& word : s_) word = SplitMix64(state);
}

Rng::Rng(uint64_t a, uint64_t b) {
  uint64_t state = a;
  s_[0] = SplitMix64(state);
  s_[1] = SplitMix64(state);
  state ^= b;
  s_[2] = SplitMix64(state);
  s_[3] = SplitMix64(state);
}

uint64_t Rng::Next() {
  const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

uint64_t Rng::Below(uint64_t n) {
  if (n <= 1) return 0;
  // Reject the top partial block so every residue is equally likely.
  const uint64_t limit = UINT64_MAX - (UINT64_MAX % n);
  uint64_t x = Next();
  while (x >= limit) x = Next();
  return x % n;
}

int64_t Rng::Between(int64_t lo, int64_t hi) {
  if (hi <= lo) return lo;
  return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
}

bool Rng::Chance(int per_10000) {
  if (per_10000 <= 0) return false;
  if (per_10000 >= kPer10000) return true;
  return Below(kPer10000) < static_cast<uint64_t>(per_10000);
}

size_t Rng::PickWeighted(const std::vector<int>& weights) {
  int64_t total = 0;
  for (int w : weights) total += w > 0 ? w : 0;
  if (total <= 0) return 0;
  int64_t x = static_cast<int64_t>(Below(static_cast<uint64_t>(total)));
  for (size_t i = 0; i < weights.size(); ++i) {
    const int64_t w = weights[i] > 0 ? weights[i] : 0;
    if (x < w) return i;
    x -= w;
  }
  return weights.size() - 1;
}

int64_t Rng::NormalMilli() {
  int64_t sum = 0;
  for (int i = 0; i < 12; ++i) sum += static_cast<int64_t>(Below(1001));
  return sum - 6000;
}

int64_t Rng::LogNormal(int64_t median, int64_t sigma_milli, int64_t min, int64_t max) {
  int64_t value = median;
  for (int attempt = 0; attempt < 32; ++attempt) {
    const int64_t micro = NormalMilli() * sigma_milli;  // ln(factor) x 10^6
    const int64_t centi = (micro >= 0 ? micro + 5'000 : micro - 5'000) / 10'000;
    const int c = static_cast<int>(centi < -kExpRange ? -kExpRange
                                   : centi > kExpRange ? kExpRange
                                                       : centi);
    const Int128 scaled = static_cast<Int128>(median) * ExpScaled(c);
    value = static_cast<int64_t>((scaled + kExpOne / 2) / kExpOne);
    if (value >= min && value <= max) return value;
  }
  return value < min ? min : value > max ? max : value;
}

Rng DecisionRng(uint64_t seed, std::string_view debtor_id, std::string_view key) {
  // absl::string_view is not std::string_view in this Abseil: append the views directly.
  std::string material = absl::StrCat(seed, "/");
  material.append(debtor_id);
  material.push_back('/');
  material.append(key);
  const core::Hash128 h = core::Murmur3x64_128(material);
  return Rng(h.hi, h.lo);
}

int64_t ExpScaled(int centi) {
  if (centi < -kExpRange) centi = -kExpRange;
  if (centi > kExpRange) centi = kExpRange;
  return ExpTable()[static_cast<size_t>(centi + kExpRange)];
}

int64_t ScalePer10000(int64_t value, int64_t per_10000) {
  const Int128 product = static_cast<Int128>(value) * per_10000;
  const Int128 half = kPer10000 / 2;
  return static_cast<int64_t>(product >= 0 ? (product + half) / kPer10000
                                           : (product - half) / kPer10000);
}

}  // namespace concerto::demo::model
