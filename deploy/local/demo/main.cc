// concerto-demo: the main job. Brings the local stack up on the embedded default (embedded
// Kafka, redis-server with AOF, every service on the shared simulated clock), runs the smoke
// flow through every service, prints what happened, and stops everything cleanly.
//   concerto-demo --state-dir=DIR --bin-dir=BUILD [--keep-running]
#include <cstdio>

#include "absl/strings/str_format.h"
#include "deploy/local/demo/smoke_flow.h"
#include "deploy/local/stack/stack.h"
#include "libs/platform/runtime/config.h"
#include "libs/platform/runtime/shutdown_signal.h"

using namespace concerto;

int main(int argc, char** argv) {
  platform::InstallShutdownSignalHandlers();
  auto config = platform::Config::Load(argc, argv);
  if (!config.ok()) {
    std::fprintf(stderr, "concerto-demo: %s\n", config.status().ToString().c_str());
    return 2;
  }
  auto keep = config->GetBool("keep-running", false);
  if (!keep.ok()) {
    std::fprintf(stderr, "concerto-demo: %s\n", keep.status().ToString().c_str());
    return 2;
  }
  local::StackOptions options;
  options.state_dir = config->GetString("state-dir", "build/stack");
  options.bin_dir = config->GetString("bin-dir", "build");
  options.kafka_brokers = config->GetString("kafka-brokers", "");
  options.redis = config->GetString("redis", "");
  options.extra_service_flags = {"--clock=simulated"};

  std::printf("Starting the local stack (embedded Kafka, redis-server with AOF, services)...\n");
  std::fflush(stdout);
  const absl::Time t0 = absl::Now();
  auto stack = local::Stack::Start(options);
  if (!stack.ok()) {
    std::fprintf(stderr, "concerto-demo: stack did not start: %s\n",
                 stack.status().ToString().c_str());
    return 1;
  }
  const local::StackAddresses addresses = (*stack)->addresses();
  std::printf("Stack healthy in %s: kafka=%s redis=%s\n",
              absl::FormatDuration(absl::Trunc(absl::Now() - t0, absl::Milliseconds(1))).c_str(),
              addresses.kafka_brokers.c_str(), addresses.redis.c_str());
  for (const auto& [service, address] : addresses.grpc) {
    std::printf("  %-18s grpc=%s metrics=%s\n", service.c_str(), address.c_str(),
                addresses.metrics.count(service) ? addresses.metrics.at(service).c_str() : "-");
  }

  auto report = local::RunSmokeFlow(addresses);
  if (!report.ok()) {
    std::fprintf(stderr, "concerto-demo: smoke flow failed: %s\n",
                 report.status().ToString().c_str());
    (*stack)->Stop();
    return 1;
  }
  std::printf("\nSmoke flow: a Ping into each service's input topic, a Pong out of its output topic\n");
  std::printf("  %-18s %s\n", "service", "ping->pong");
  for (const auto& [service, after] : report->pong_after) {
    std::printf("  %-18s %.1f ms\n", service.c_str(), absl::ToDoubleMilliseconds(after));
  }
  std::printf("Shared simulated clock: %s -> %s, seen by every service, all quiescent\n",
              absl::FormatTime("%Y-%m-%d %H:%M", report->clock_before, absl::UTCTimeZone()).c_str(),
              absl::FormatTime("%Y-%m-%d %H:%M", report->clock_after, absl::UTCTimeZone()).c_str());

  if (*keep) {
    std::printf("\nStack keeps running (state in %s); Ctrl-C stops it.\n",
                options.state_dir.c_str());
    std::fflush(stdout);
    platform::WaitForShutdownSignal();
  }
  (*stack)->Stop();
  std::printf("Stack stopped cleanly.\n");
  return 0;
}
