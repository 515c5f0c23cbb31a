// InMemoryRuntime: one service's handler under the unit-of-work rules, in memory — no Kafka, no
// Redis. An input already processed is skipped; a fired timer must still be pending; state,
// events, timers and the processed id change together; permanent rejections are dead-lettered
// and unknown event types skipped, as the EventProcessor does. Simulations and replays run the
// service's own handler through it, so in-process results are those of the live service.
// Single-threaded; the caller decides the clock and the order of inputs.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "concerto/common/v1/envelope.pb.h"
#include "libs/platform/handler.h"

namespace concerto::platform {

// Published is an event a unit of work emitted, with the topic it goes to.
struct Published {
  std::string topic;
  concerto::common::v1::Envelope envelope;
};

class InMemoryRuntime {
 public:
  InMemoryRuntime(std::string service, Handler* handler)
      : service_(std::move(service)), handler_(handler) {}

  // Apply runs one input as a unit of work at `now` and returns what it published (nothing for
  // a duplicate, a timer no longer pending, a dead-lettered or skipped input). A transient
  // handler error is returned as is and changes nothing.
  absl::StatusOr<std::vector<Published>> Apply(const Input& input, absl::Time now);

  // EventInput is the input an envelope read from a topic becomes.
  static Input EventInput(const concerto::common::v1::Envelope& envelope);

  // DueTimers: the pending timers due at or before `now`, as inputs, in (due, id) order.
  std::vector<Input> DueTimers(absl::Time now) const;

  const std::map<std::string, std::string>& aggregates() const { return aggregates_; }
  int64_t units_committed() const { return units_committed_; }
  int64_t dead_letters() const { return dead_letters_; }

 private:
  struct PendingTimer {
    absl::Time due;
    concerto::platform::v1::TimerRecord record;
  };

  const std::string service_;
  Handler* handler_;
  std::map<std::string, std::string> aggregates_;  // aggregate key -> state
  std::map<std::string, PendingTimer> timers_;     // timer id -> pending timer
  std::set<std::pair<absl::Time, std::string>> timers_by_due_;
  std::set<std::string> processed_;
  std::map<std::string, std::string> index_;
  int64_t units_committed_ = 0;
  int64_t dead_letters_ = 0;
};

}  // namespace concerto::platform
