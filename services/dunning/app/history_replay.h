// ReplayHistory: the dunning service in-process over a recorded history — no Kafka, no Redis.
// It runs the service's own DunningHandler (the case engine, the tenant strategies, the tenant
// legal ledger) through the platform's InMemoryRuntime. The history is a list of rounds: what
// the other services published between two moments the whole system was quiet, with the clock
// reading of the round. When the clock moves the timers due fire first, as the live processor
// fires them on the clock's move; then each round's events apply in recorded order, with the
// timers they make due firing after them (the processor checks timers between batches). A
// reply to the service's own request (a legal escalation accepted or rejected) waits until the
// replay has made that request. The ledger's own messages are fed back to it.
//
// Given the run's history, the replay decides what the live service decided: the same case
// events, with the same ids, at the same moments. With other strategies it answers "what would
// these strategies have done with this portfolio's history" (the strategy simulation on real
// data; the debtors' answers stay those of the recorded run).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "concerto/common/v1/envelope.pb.h"
#include "concerto/dunning/v1/case.pb.h"
#include "services/dunning/app/dunning_handler.h"

namespace concerto::dunning {

// HistoryRound: the events published between two quiet moments, at one clock reading (a round
// without events marks a move of the clock).
struct HistoryRound {
  absl::Time clock;
  std::vector<common::v1::Envelope> events;
};

struct ReplayResult {
  std::vector<common::v1::Envelope> case_events;  // what the service published on case.events
  int64_t units_committed = 0;
  int64_t dead_letters = 0;
};

// ReplayHistory replays `history` (events the dunning service published itself are ignored, so
// a tap over every domain topic can be passed as is).
// `options` must be those the live service ran with.
absl::StatusOr<ReplayResult> ReplayHistory(const StrategyBook& strategies,
                                           const std::vector<HistoryRound>& history,
                                           const DunningOptions& options = {});

// PublishedCaseEvents: the case events the live service published, as recorded in `history`.
std::vector<common::v1::Envelope> PublishedCaseEvents(const std::vector<HistoryRound>& history);

// ReplayComparison: a replay's case events against the live ones, case by case (same ids,
// types, moments and payloads).
struct ReplayComparison {
  int64_t cases = 0;
  int64_t case_events = 0;                  // live
  std::vector<std::string> differing_cases;  // aggregate keys, sorted
};
ReplayComparison CompareCaseEvents(const std::vector<common::v1::Envelope>& live,
                                   const std::vector<common::v1::Envelope>& replayed);

// DescribeEvent: "<time> <id> <Type> {fields}", one line, for showing where two histories part.
std::string DescribeEvent(const common::v1::Envelope& env);

// CaseOutcomes: every case's last state ("tenant/debtor" -> state) from case events.
std::map<std::string, v1::CaseState> CaseOutcomes(
    const std::vector<common::v1::Envelope>& case_events);

}  // namespace concerto::dunning
