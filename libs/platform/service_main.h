// RunService: the whole process shell of a Concerto service, so each services/<name>/main.cc is
// wiring only. Config (flags/env/YAML), JSON logs, the clock (system, or the stack's shared
// simulated clock), the event processor, the gRPC server (health, reflection, admin, the
// service's own APIs), /metrics, and the graceful SIGTERM sequence: stop intake, finish in-flight
// work, drain the outbox, flush the producer.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "grpcpp/grpcpp.h"
#include "libs/platform/clock.h"
#include "libs/platform/event_processor.h"
#include "libs/platform/handler.h"

namespace concerto::platform {

// ServiceContext is what a service's wiring gets once the platform is up.
struct ServiceContext {
  const Clock* clock = nullptr;
  EventProcessor* processor = nullptr;
};

struct ServiceDefinition {
  std::string name;                       // "dunning": Redis namespace, group id, "<name>.dlq"
  std::vector<std::string> input_topics;  // consumed, co-partitioned
  std::string output_topic;               // where the service's events go
  // Domain handler (owned by main); null while the service has only the platform smoke flow.
  Handler* domain = nullptr;
  // Builds the service's own gRPC APIs once the processor exists (may return none).
  std::function<std::vector<std::unique_ptr<grpc::Service>>(const ServiceContext&)> apis;
};

// RunService runs until SIGTERM/SIGINT; returns the process exit code.
int RunService(int argc, char** argv, const ServiceDefinition& definition);

// SmokeHandler answers a Ping addressed to this service (Ping.note == name, or empty) with a
// Pong on the output topic, ignores Pongs, and hands everything else to `domain` (UNIMPLEMENTED
// without one). It is how `./concerto demo` proves every service runs the full unit-of-work path.
class SmokeHandler final : public Handler {
 public:
  SmokeHandler(std::string service, std::string output_topic, Handler* domain)
      : service_(std::move(service)), output_topic_(std::move(output_topic)), domain_(domain) {}
  absl::StatusOr<Effects> Apply(const std::optional<std::string>& state, const Input& input,
                                absl::Time now) override;

 private:
  const std::string service_;
  const std::string output_topic_;
  Handler* domain_;
};

}  // namespace concerto::platform
