// UnitOfWorkRunner: the one code path for every input (event, fired timer, command): load the
// aggregates, apply the pure handler, commit state + outbox + timers + processed ids in one
// pipelined round trip, and retry version conflicts by reloading.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/platform/clock.h"
#include "libs/platform/handler.h"
#include "libs/platform/redis/unit_of_work_store.h"

namespace concerto::platform {

// RawRecord is the Kafka record an input came from (kept for the dead-letter topic).
struct RawRecord {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;
};

// WorkItem is one input routed to its shard. `decode_error` non-empty marks a record that could
// not be decoded: it goes to the dead-letter topic without reaching the handler.
struct WorkItem {
  int shard = 0;
  Input input;
  std::string traceparent;
  std::optional<RawRecord> raw;
  std::string decode_error;
};

// ItemOutcome says what became of one item.
struct ItemOutcome {
  enum class Kind { kApplied, kDuplicate, kTimerNotPending, kDeadLettered, kSkipped, kRejected };
  Kind kind = Kind::kApplied;
  absl::Status handler_status;  // the rejection (kDeadLettered, kSkipped, kRejected)
  std::string result;           // handler result (kApplied) or the stored one (kDuplicate)
};

// RunResult: items [0, settled) are done (committed, deduplicated, dead-lettered or skipped);
// if settled < items.size(), `transient` says why the rest must be retried later.
struct RunResult {
  std::vector<ItemOutcome> outcomes;
  size_t settled = 0;
  absl::Status transient;
  int64_t units_committed = 0;
};

class UnitOfWorkRunner {
 public:
  UnitOfWorkRunner(std::string service, redis::UnitOfWorkStore* store, Handler* handler,
                   const Clock* clock);

  // Run applies `items` in order. UNAVAILABLE when Redis cannot be reached: nothing may be
  // assumed committed, and calling Run again with the same items is safe.
  absl::StatusOr<RunResult> Run(const std::vector<WorkItem>& items);

  const std::string& dead_letter_topic() const { return dead_letter_topic_; }

 private:
  const std::string service_;
  const std::string dead_letter_topic_;
  redis::UnitOfWorkStore* store_;
  Handler* handler_;
  const Clock* clock_;
};

// EnvelopeOf wraps the `position`-th event a unit of work of `producer` emitted: its id derives
// from the producer, the input's id and the position, so a replayed input yields the same
// envelope and two services reacting to one input never share an id.
concerto::common::v1::Envelope EnvelopeOf(const Input& in, OutputEvent event, size_t position,
                                          absl::Time now, const std::string& producer);

// ReplyOfCommand turns a command's outcome into the reply bytes its unit of work stored (a
// platform::v1::StoredReply): a retry with the same idempotency key but another command is
// INVALID_ARGUMENT, a rejection carrying `not_found_payload` is NOT_FOUND, other rejections
// come back as they are.
absl::StatusOr<std::string> ReplyOfCommand(const ItemOutcome& outcome, const std::string& command,
                                           absl::string_view not_found_payload);

// IsPermanentRejection: the input is wrong for good (dead-letter it, never retry).
bool IsPermanentRejection(const absl::Status& status);

}  // namespace concerto::platform
