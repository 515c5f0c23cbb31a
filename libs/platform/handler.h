// The contract between the platform and a service's pure domain logic: every input (a Kafka
// event, a fired timer, a gRPC command) reaches a Handler as one Input, and the handler answers
// with the Effects to commit atomically. No I/O inside a handler.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "concerto/common/v1/envelope.pb.h"
#include "concerto/platform/v1/store.pb.h"

namespace concerto::platform {

// Input is one thing that happened to one aggregate.
struct Input {
  enum class Kind { kEvent, kTimer, kCommand };
  Kind kind = Kind::kEvent;
  // Event id, timer id, or the command's idempotency key: the processed-id of the unit of work.
  std::string id;
  std::string aggregate_key;
  std::string tenant;
  std::string correlation_id;
  concerto::common::v1::Envelope event;      // kEvent
  concerto::platform::v1::TimerRecord timer;  // kTimer
  std::string command;                        // kCommand: serialized request, service-defined
};

// OutputEvent is an event the handler emits; the platform wraps it in an Envelope with a
// deterministic id (derived from the input id and the event's position).
struct OutputEvent {
  std::string topic;
  std::string aggregate_key;  // Kafka key; empty: the input's aggregate
  std::string tenant;         // empty: the input's tenant
  std::string type;           // payload message name
  std::string payload;        // serialized payload
  uint32_t schema_version = 1;
};

// TimerRequest arms a durable timer; its id is TimerId(aggregate, kind, due).
struct TimerRequest {
  std::string kind;
  absl::Time due;
  std::string payload;
};

// Effects is everything one input changes.
struct Effects {
  std::optional<std::string> new_state;  // nullopt: state unchanged
  std::vector<OutputEvent> events;
  std::vector<TimerRequest> timers_add;
  std::vector<std::string> timers_remove;  // timer ids
  std::string result;                      // stored for idempotent command replies
  // Secondary index entries (field -> value), committed with the state into the shard's index
  // hash; fields are global to the service (e.g. "<tenant>/ref/<RF...>" -> aggregate key).
  std::vector<std::pair<std::string, std::string>> index_put;
};

// TimerId is the deterministic id of the timer of `kind` for `aggregate` due at `due`.
std::string TimerId(std::string_view aggregate, std::string_view kind, absl::Time due);

// Handler applies inputs to state. Status codes decide what the platform does:
//   INVALID_ARGUMENT / FAILED_PRECONDITION: rejected for good -> dead-letter topic, move on.
//   UNIMPLEMENTED: unknown event type -> skipped with a log line.
//   UNAVAILABLE (and any other code): transient -> retried with backoff, never skipped.
class Handler {
 public:
  virtual ~Handler() = default;
  virtual absl::StatusOr<Effects> Apply(const std::optional<std::string>& state,
                                        const Input& input, absl::Time now) = 0;
};

}  // namespace concerto::platform
