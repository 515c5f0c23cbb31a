#include "libs/platform/service_main.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "concerto/platform/v1/events.pb.h"
#include "libs/platform/kafka/kafka.h"
#include "libs/platform/redis/shared_clock.h"
#include "libs/platform/runtime/admin_service.h"
#include "libs/platform/runtime/config.h"
#include "libs/platform/runtime/logging.h"
#include "libs/platform/runtime/metrics.h"
#include "libs/platform/runtime/service_host.h"
#include "libs/platform/runtime/shutdown_signal.h"

namespace concerto::platform {
namespace {

constexpr char kPingType[] = "concerto.platform.v1.Ping";
constexpr char kPongType[] = "concerto.platform.v1.Pong";

int Fail(const std::string& what, const absl::Status& s) {
  LogError(what, {{"error", s.ToString()}});
  return 1;
}

}  // namespace

absl::StatusOr<Effects> SmokeHandler::Apply(const std::optional<std::string>& state,
                                            const Input& input, absl::Time now) {
  if (input.kind == Input::Kind::kEvent && input.event.type() == kPingType) {
    v1::Ping ping;
    if (!ping.ParseFromString(input.event.payload())) {
      return absl::InvalidArgumentError("payload: does not decode as Ping");
    }
    Effects fx;
    if (!ping.note().empty() && ping.note() != service_) return fx;  // not addressed to us
    v1::Pong seen;
    if (state.has_value()) seen.ParseFromString(*state);
    seen.set_service(service_);
    seen.set_note(ping.note());
    seen.set_pings_seen(seen.pings_seen() + 1);
    fx.new_state = seen.SerializeAsString();
    fx.events.push_back({output_topic_, "", "", kPongType, seen.SerializeAsString(), 1});
    return fx;
  }
  if (input.kind == Input::Kind::kEvent && input.event.type() == kPongType) return Effects{};
  if (domain_ != nullptr) return domain_->Apply(state, input, now);
  return absl::UnimplementedError(absl::StrCat(service_, ": no handler for ", input.event.type()));
}

int RunService(int argc, char** argv, const ServiceDefinition& def) {
  InstallShutdownSignalHandlers();
  absl::StatusOr<Config> config = Config::Load(argc, argv);
  if (!config.ok()) {
    std::fprintf(stderr, "%s: %s\n", def.name.c_str(), config.status().ToString().c_str());
    return 2;
  }
  absl::StatusOr<ServiceHostOptions> host_options = HostOptionsFromConfig(*config, def.name);
  if (!host_options.ok()) return Fail("bad config", host_options.status());
  InitLogging(def.name, host_options->instance);

  const std::string redis_address = config->GetString("redis", "127.0.0.1:6379");
  kafka::KafkaOptions kafka;
  kafka.brokers = config->GetString("kafka-brokers", "127.0.0.1:9092");
  kafka.client_id = host_options->instance;
  // "kafka.<property>" keys pass librdkafka properties through (e.g. security settings).
  for (const auto& [key, value] : config->values()) {
    if (key.rfind("kafka.", 0) == 0) kafka.extra[key.substr(6)] = value;
  }

  // Clock: the system clock, or the stack's shared simulated clock.
  SystemClock system_clock;
  std::unique_ptr<redis::SharedClock> shared_clock;
  const Clock* clock = &system_clock;
  std::function<absl::Status(absl::Time)> set_clock;
  if (config->GetString("clock", "system") == "simulated") {
    absl::Time start;
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, config->GetString("clock-start", "2026-01-01T00:00:00Z"),
                         &start, &error)) {
      return Fail("bad config", absl::InvalidArgumentError("clock-start: " + error));
    }
    auto sc = redis::SharedClock::Start(redis_address, start);
    if (!sc.ok()) return Fail("shared clock unavailable", sc.status());
    shared_clock = std::move(*sc);
    clock = shared_clock->clock();
    set_clock = [c = shared_clock.get()](absl::Time t) { return c->Set(t); };
  }

  ProcessorOptions options;
  options.service = def.name;
  options.input_topics = def.input_topics;
  auto shards = config->GetInt("shards", 8);
  auto horizon = config->GetDuration("fsync-horizon", absl::ZeroDuration());
  auto batch = config->GetInt("max-batch", 512);
  if (!shards.ok()) return Fail("bad config", shards.status());
  if (!horizon.ok()) return Fail("bad config", horizon.status());
  if (!batch.ok()) return Fail("bad config", batch.status());
  options.shards = static_cast<int>(*shards);
  options.fsync_horizon = *horizon;
  options.max_batch = static_cast<int>(*batch);
  // How fast the group notices a dead member and hands its shards to the others.
  auto session = config->GetDuration("session-timeout", options.session_timeout);
  if (!session.ok()) return Fail("bad config", session.status());
  options.session_timeout = *session;
  options.heartbeat_interval = std::min(options.heartbeat_interval, *session / 6);

  std::vector<kafka::TopicSpec> topics;
  for (const auto& t : def.input_topics) topics.push_back({t, options.shards, 1});
  if (!def.output_topic.empty()) topics.push_back({def.output_topic, options.shards, 1});
  topics.push_back({def.name + ".dlq", options.shards, 1});
  if (absl::Status s = kafka::CreateTopics(kafka, topics, absl::Seconds(10)); !s.ok()) {
    LogWarn("creating topics failed; assuming they exist", {{"error", s.ToString()}});
  }

  SmokeHandler handler(def.name, def.output_topic, def.domain);
  auto processor = EventProcessor::Create(options, kafka, redis_address, &handler, clock);
  if (!processor.ok()) return Fail("processor unavailable", processor.status());

  ServiceContext ctx{clock, processor->get()};
  std::vector<std::unique_ptr<grpc::Service>> apis;
  if (def.apis) apis = def.apis(ctx);
  const std::string instance = host_options->instance;
  AdminServiceImpl admin(clock, set_clock, [p = processor->get(), instance] {
    v1::Status st = p->GetStatus();
    st.set_instance(instance);
    return st;
  });
  std::vector<grpc::Service*> services = {&admin};
  for (auto& a : apis) services.push_back(a.get());

  MetricsRegistry& metrics = MetricsRegistry::Default();
  EventProcessor* p = processor->get();
  metrics.AddCallbackGauge("concerto_units_committed_total", "Units of work committed",
                           {{"service", def.name}},
                           [p] { return static_cast<double>(p->units_committed()); });
  metrics.AddCallbackGauge("concerto_dead_letters_total", "Inputs sent to the dead-letter topic",
                           {{"service", def.name}},
                           [p] { return static_cast<double>(p->dead_letters()); });

  auto host = ServiceHost::Start(*host_options, services);
  if (!host.ok()) return Fail("gRPC server failed", host.status());
  if (absl::Status s = p->Start(); !s.ok()) return Fail("processor failed", s);
  (*host)->SetServing(true);
  LogInfo("serving", {{"grpc_port", absl::StrCat((*host)->grpc_port())},
                      {"metrics_port", absl::StrCat((*host)->metrics_port())}});

  WaitForShutdownSignal();
  LogInfo("shutting down: stopping intake");
  (*host)->SetServing(false);
  p->Stop();
  metrics.RemoveCallbackGauge("concerto_units_committed_total", {{"service", def.name}});
  metrics.RemoveCallbackGauge("concerto_dead_letters_total", {{"service", def.name}});
  (*host)->Shutdown(absl::Seconds(5));
  LogInfo("stopped");
  return 0;
}

}  // namespace concerto::platform
