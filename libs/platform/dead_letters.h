// Re-driving dead letters: after the fix for a rejected input ships, its original record is
// published again to its original topic, where the fixed handler applies it once (its event id
// was never marked processed; a second re-drive is deduplicated).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/platform/kafka/kafka.h"

namespace concerto::platform {

// RedriveDeadLetters republishes every record of "<service>.dlq" not re-driven before (the
// consumer group "<service>.redrive" remembers the position) and returns how many it sent. It
// stops after `idle` without a new dead letter.
absl::StatusOr<int> RedriveDeadLetters(const kafka::KafkaOptions& kafka, const std::string& service,
                                       absl::Duration idle = absl::Seconds(3));

}  // namespace concerto::platform
