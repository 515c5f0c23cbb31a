// Segment selection and champion/challenger assignment of a debtor to a strategy version.
#pragma once

#include <cstdint>
#include <string_view>

#include "concerto/dunning/v1/case.pb.h"
#include "concerto/dunning/v1/strategy.pb.h"

namespace concerto::dunning {

// SegmentFacts is what segment matching looks at.
struct SegmentFacts {
  const v1::DebtorProfile* debtor = nullptr;  // required
  int64_t balance_minor = 0;                  // open balance in the strategy's currency
  int days_past_due = 0;                      // of the oldest open invoice (negative: not due)
};

// SegmentMatches is true when every set criterion of `match` holds for `facts`.
bool SegmentMatches(const v1::SegmentMatch& match, const SegmentFacts& facts);

// PickSegment returns the index of the first matching segment of `strategy`, or -1.
int PickSegment(const v1::Strategy& strategy, const SegmentFacts& facts);

// kChallengerBuckets is the resolution of the split: StableBucket(debtor id, 10000).
inline constexpr uint32_t kChallengerBuckets = 10000;

// IsChallenger says whether `debtor_id` falls in the challenger share of `champion` (its
// champion_challenger block): StableBucket(debtor_id) < percent x 100. Stable across processes.
bool IsChallenger(const v1::Strategy& champion, std::string_view debtor_id);

// VariantName returns "champion" or "challenger".
inline const char* VariantName(bool challenger) { return challenger ? "challenger" : "champion"; }

}  // namespace concerto::dunning
