#include "services/dunning/domain/assignment.h"

#include <algorithm>

#include "libs/core/stable_hash.h"

namespace concerto::dunning {
namespace {

bool Contains(const google::protobuf::RepeatedPtrField<std::string>& list, const std::string& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

}  // namespace

bool SegmentMatches(const v1::SegmentMatch& match, const SegmentFacts& facts) {
  const v1::DebtorProfile& debtor = *facts.debtor;
  if (match.debtor_type() != v1::DEBTOR_TYPE_UNSPECIFIED && match.debtor_type() != debtor.type()) {
    return false;
  }
  if (match.has_balance()) {
    if (match.balance().has_min() && facts.balance_minor < match.balance().min().minor_units()) {
      return false;
    }
    if (match.balance().has_max() && facts.balance_minor >= match.balance().max().minor_units()) {
      return false;
    }
  }
  if (match.has_days_past_due()) {
    const auto& r = match.days_past_due();
    if (r.has_min() && facts.days_past_due < r.min()) return false;
    if (r.has_max() && facts.days_past_due > r.max()) return false;
  }
  if (!match.risk_bands().empty() && !Contains(match.risk_bands(), debtor.risk_band())) {
    return false;
  }
  for (const std::string& tag : match.tags()) {
    if (!Contains(debtor.tags(), tag)) return false;
  }
  if (!match.jurisdictions().empty() && !Contains(match.jurisdictions(), debtor.jurisdiction())) {
    return false;
  }
  return true;
}

int PickSegment(const v1::Strategy& strategy, const SegmentFacts& facts) {
  for (int i = 0; i < strategy.segments_size(); ++i) {
    if (SegmentMatches(strategy.segments(i).match(), facts)) return i;
  }
  return -1;
}

bool IsChallenger(const v1::Strategy& champion, std::string_view debtor_id) {
  const auto& cc = champion.champion_challenger();
  if (cc.challenger_version() <= 0 || cc.challenger_percent() <= 0) return false;
  const uint32_t threshold = static_cast<uint32_t>(cc.challenger_percent()) * 100;
  return core::StableBucket(debtor_id, kChallengerBuckets) < threshold;
}

}  // namespace concerto::dunning
