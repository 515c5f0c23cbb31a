// EventTap: the demo's window on the event streams. One consumer (its own group) over every
// domain topic from the beginning; Drain, called once the stack is quiescent (everything is in
// Kafka then), returns what was published since the last call, reading up to the end offsets
// the broker reports, so each call's events are exactly those of one quiet-to-quiet round. The
// demo feeds what it reads to the KPI fold, to the debtor behaviour model and to the history
// the in-process engine replays.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "concerto/common/v1/envelope.pb.h"
#include "libs/platform/kafka/kafka.h"

namespace concerto::demo {

class EventTap {
 public:
  // Create subscribes `group` to `topics` (read from the earliest offset).
  static absl::StatusOr<std::unique_ptr<EventTap>> Create(const std::string& brokers,
                                                          const std::string& group,
                                                          const std::vector<std::string>& topics);

  // Drain returns every envelope published since the previous call (duplicates by event id
  // dropped), up to the end of every partition; DEADLINE_EXCEEDED after `timeout`.
  absl::StatusOr<std::vector<common::v1::Envelope>> Drain(absl::Duration timeout = absl::Seconds(60));

 private:
  explicit EventTap(std::unique_ptr<platform::kafka::Consumer> consumer)
      : consumer_(std::move(consumer)) {}
  std::unique_ptr<platform::kafka::Consumer> consumer_;
  absl::flat_hash_set<std::string> seen_;
};

}  // namespace concerto::demo
