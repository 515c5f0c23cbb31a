// AggregateBus: how the contact-channel app reaches its aggregates outside a handler — commands
// through the unit of work, reads of committed state, index look-ups, scans and shard ownership.
// In the service it is the EventProcessor (ProcessorBus); unit tests use an in-memory bus that
// runs the same handler (in_memory_bus.h).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "libs/platform/event_processor.h"
#include "libs/platform/handler.h"
#include "libs/platform/unit_of_work.h"
#include "services/contact_channel/app/command.pb.h"

namespace concerto::contact {

// AggregateBus is the app's access to its aggregates.
class AggregateBus {
 public:
  virtual ~AggregateBus() = default;
  // Execute runs a command (id = its idempotency key) through the unit of work; a retried id
  // returns the stored result (kDuplicate).
  virtual absl::StatusOr<platform::ItemOutcome> Execute(platform::Input input) = 0;
  // Read returns an aggregate's committed state (nullopt: none).
  virtual absl::StatusOr<std::optional<std::string>> Read(const std::string& key) = 0;
  // LookupIndex reads an index entry a handler wrote.
  virtual absl::StatusOr<std::optional<std::string>> LookupIndex(const std::string& field) = 0;
  // Scan returns every aggregate whose key starts with `prefix` (sweeps, operator views).
  virtual absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Scan(
      const std::string& prefix) = 0;
  // Owns tells whether this instance owns the aggregate's shard now (and so dispatches it).
  virtual bool Owns(const std::string& key) = 0;
  // Ready tells whether this instance owns any shard yet (a consumer group has assigned it).
  virtual bool Ready() = 0;
};

// ProcessorBus is the AggregateBus of a running service.
class ProcessorBus final : public AggregateBus {
 public:
  explicit ProcessorBus(platform::EventProcessor* processor) : processor_(processor) {}
  absl::StatusOr<platform::ItemOutcome> Execute(platform::Input input) override;
  absl::StatusOr<std::optional<std::string>> Read(const std::string& key) override;
  absl::StatusOr<std::optional<std::string>> LookupIndex(const std::string& field) override;
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Scan(
      const std::string& prefix) override;
  bool Owns(const std::string& key) override;
  bool Ready() override;

 private:
  std::set<int> OwnedShards();

  platform::EventProcessor* processor_;
  absl::Mutex mu_;
  std::set<int> owned_ ABSL_GUARDED_BY(mu_);
  absl::Time owned_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

// CommandInput builds the Input of a command on `aggregate_key` with idempotency id `id`.
platform::Input CommandInput(const std::string& tenant, std::string id, std::string aggregate_key,
                             const app::ContactCommand& command);

// RunCommand executes a command and decodes its stored reply into `reply`. A rejection comes
// back as the handler's status (FAILED_PRECONDITION marked not-found / aborted becomes
// NOT_FOUND / ABORTED). With `same_command` (API requests), a retried id that carries a
// different command is INVALID_ARGUMENT naming context.idempotency_key; without it (the
// dispatcher's steps, whose ids name the step), the stored reply of the step is the answer.
absl::Status RunCommand(AggregateBus* bus, platform::Input input, google::protobuf::Message* reply,
                        bool same_command = true);

}  // namespace concerto::contact
