// concerto-probe: a minimal service on the platform for crash, outage and poison tests.
//   --role=ledger      consumes probe.commands, emits probe.events (Redis namespace "probe")
//   --role=downstream  consumes probe.events, counts them (Redis namespace "probe-downstream")
// Flags: --kafka-brokers, --redis, --reject-poison, --fsync-horizon=2500ms, --shards=8.
// Prints "ready" once started; exits 0 on SIGTERM after a graceful stop.
#include <cstdio>

#include "libs/platform/event_processor.h"
#include "libs/platform/runtime/config.h"
#include "libs/platform/runtime/logging.h"
#include "libs/platform/runtime/shutdown_signal.h"
#include "tests/integration/probe/probe_handler.h"

using namespace concerto;

int main(int argc, char** argv) {
  platform::InstallShutdownSignalHandlers();
  auto config = platform::Config::Load(argc, argv);
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", config.status().ToString().c_str());
    return 2;
  }
  const std::string role = config->GetString("role", "ledger");
  platform::InitLogging("probe-" + role, role);
  auto reject = config->GetBool("reject-poison", false);
  auto horizon = config->GetDuration("fsync-horizon", absl::ZeroDuration());
  auto shards = config->GetInt("shards", 8);
  if (!reject.ok() || !horizon.ok() || !shards.ok()) {
    std::fprintf(stderr, "bad flag\n");
    return 2;
  }
  testing::LedgerHandler ledger(*reject);
  testing::DownstreamHandler downstream;
  platform::SystemClock clock;

  platform::ProcessorOptions options;
  options.service = role == "ledger" ? "probe" : "probe-downstream";
  options.input_topics = {role == "ledger" ? testing::kProbeCommandsTopic
                                           : testing::kProbeEventsTopic};
  options.shards = static_cast<int>(*shards);
  options.fsync_horizon = *horizon;
  options.session_timeout = absl::Seconds(3);
  options.heartbeat_interval = absl::Milliseconds(300);
  platform::kafka::KafkaOptions kafka;
  kafka.brokers = config->GetString("kafka-brokers", "127.0.0.1:9092");
  kafka.client_id = options.service;
  platform::Handler* handler = role == "ledger" ? static_cast<platform::Handler*>(&ledger)
                                                : static_cast<platform::Handler*>(&downstream);
  auto processor = platform::EventProcessor::Create(
      options, kafka, config->GetString("redis", "127.0.0.1:6379"), handler, &clock);
  if (!processor.ok()) {
    platform::LogError("start failed", {{"error", processor.status().ToString()}});
    return 1;
  }
  if (auto s = (*processor)->Start(); !s.ok()) {
    platform::LogError("start failed", {{"error", s.ToString()}});
    return 1;
  }
  std::printf("ready\n");
  std::fflush(stdout);
  platform::WaitForShutdownSignal();
  (*processor)->Stop();
  return 0;
}
