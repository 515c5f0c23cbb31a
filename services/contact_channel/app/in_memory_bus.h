// InMemoryBus: an AggregateBus for unit tests that runs the service's handler on in-memory
// state with the platform's rules — processed ids (a retried command returns its stored
// result), rejections not committed, durable timers fired on demand, emitted events kept in
// order — so the handler and the dispatcher are tested together without Redis or Kafka.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "concerto/common/v1/envelope.pb.h"
#include "libs/platform/clock.h"
#include "libs/platform/handler.h"
#include "services/contact_channel/app/aggregate_bus.h"

namespace concerto::contact {

// InMemoryBus applies inputs with `handler` at `clock`'s time.
class InMemoryBus final : public AggregateBus {
 public:
  // EmittedEvent is one committed output event.
  struct EmittedEvent {
    std::string input_id;
    std::string aggregate_key;
    std::string type;
    std::string payload;
  };

  InMemoryBus(platform::Handler* handler, const platform::Clock* clock)
      : handler_(handler), clock_(clock) {}

  absl::StatusOr<platform::ItemOutcome> Execute(platform::Input input) override;
  absl::StatusOr<std::optional<std::string>> Read(const std::string& key) override;
  absl::StatusOr<std::optional<std::string>> LookupIndex(const std::string& field) override;
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Scan(
      const std::string& prefix) override;
  bool Owns(const std::string&) override { return true; }
  bool Ready() override { return true; }

  // Deliver applies an event (its envelope's id, key and tenant).
  absl::StatusOr<platform::ItemOutcome> Deliver(const common::v1::Envelope& event);
  // FireDueTimers fires every pending timer due by now, earliest first; returns how many.
  int FireDueTimers();
  // PendingTimers lists (kind, due) of the pending timers.
  std::vector<std::pair<std::string, absl::Time>> PendingTimers();
  // Events returns the committed events so far; EventsOfType only those of one payload type.
  std::vector<EmittedEvent> Events();
  std::vector<EmittedEvent> EventsOfType(const std::string& type);

 private:
  absl::StatusOr<platform::ItemOutcome> Run(platform::Input input) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  platform::Handler* handler_;
  const platform::Clock* clock_;
  absl::Mutex mu_;
  std::map<std::string, std::string> state_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> processed_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> index_ ABSL_GUARDED_BY(mu_);
  // timer id -> (aggregate key, timer)
  std::map<std::string, std::pair<std::string, platform::TimerRequest>> timers_ ABSL_GUARDED_BY(mu_);
  std::vector<EmittedEvent> events_ ABSL_GUARDED_BY(mu_);
};

}  // namespace concerto::contact
