// The process shell of a Concerto service: the gRPC server (with health checking and
// reflection), the /metrics endpoint, the port file for launchers, and orderly shutdown.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/server.h"
#include "libs/platform/runtime/config.h"
#include "libs/platform/runtime/metrics.h"
#include "libs/platform/runtime/shutdown_signal.h"

namespace concerto::platform {

/// ServiceHostOptions say where a service listens.
struct ServiceHostOptions {
  std::string service;   // e.g. "dunning"
  std::string instance;  // e.g. "dunning-0"
  int grpc_port = 0;     // 0 = ephemeral
  std::string grpc_bind = "0.0.0.0";
  int metrics_port = -1;  // -1 = disabled, 0 = ephemeral
  std::string metrics_bind = "0.0.0.0";
  // If set, "grpc=PORT\nmetrics=PORT\n" is written there atomically (tmp file + rename) once
  // listening; metrics=-1 when the metrics endpoint is disabled.
  std::string port_file;
  // Registry served on /metrics; null = MetricsRegistry::Default().
  MetricsRegistry* metrics_registry = nullptr;
};

/// ServiceHost runs the gRPC server and the metrics endpoint of one service process. A main()
/// follows this sequence:
///   InstallShutdownSignalHandlers();                  // before any thread exists
///   auto config = Config::Load(argc, argv, {...});
///   auto options = HostOptionsFromConfig(*config, "dunning");
///   InitLogging(options->service, options->instance);
///   ... build adapters and the app, AdminServiceImpl admin(...) ...
///   auto host = ServiceHost::Start(*options, {&api, &admin});
///   ... start consumers ...
///   host->SetServing(true);
///   WaitForShutdownSignal();
///   host->SetServing(false);  // load balancers drain
///   ... stop intake (consumers), finish in-flight units, flush the outbox ...
///   host->Shutdown(absl::Seconds(10));  // in-flight RPCs finish within the deadline
class ServiceHost {
 public:
  /// Start builds and starts the gRPC server with the given services (not owned; they must
  /// outlive the host), the default health service (NOT_SERVING until SetServing(true)) and
  /// reflection, then the metrics endpoint if enabled, then writes the port file.
  /// UNAVAILABLE if a port cannot be bound; INVALID_ARGUMENT for bad options.
  static absl::StatusOr<std::unique_ptr<ServiceHost>> Start(const ServiceHostOptions& options,
                                                            std::vector<grpc::Service*> services);
  /// The destructor shuts down with a zero deadline if Shutdown was not called.
  ~ServiceHost();
  ServiceHost(const ServiceHost&) = delete;
  ServiceHost& operator=(const ServiceHost&) = delete;

  /// grpc_port returns the port the gRPC server listens on.
  int grpc_port() const { return grpc_port_; }
  /// metrics_port returns the metrics port, or -1 when disabled.
  int metrics_port() const { return metrics_ == nullptr ? -1 : metrics_->port(); }
  /// options returns the options the host was started with.
  const ServiceHostOptions& options() const { return options_; }
  /// server returns the gRPC server (e.g. for InProcessChannel in tests).
  grpc::Server* server() { return server_.get(); }

  /// SetServing sets the health status of the server (service "") and of every service name
  /// known to the health service: SERVING or NOT_SERVING. Ignored after Shutdown.
  void SetServing(bool serving);

  /// Shutdown sets health to NOT_SERVING, stops accepting RPCs, lets in-flight RPCs finish until
  /// `deadline` (then cancels them), and stops the metrics endpoint. Idempotent.
  void Shutdown(absl::Duration deadline);

 private:
  ServiceHost(ServiceHostOptions options, std::unique_ptr<grpc::Server> server, int grpc_port,
              std::unique_ptr<MetricsHttpServer> metrics);

  const ServiceHostOptions options_;
  std::unique_ptr<grpc::Server> server_;
  const int grpc_port_;
  std::unique_ptr<MetricsHttpServer> metrics_;
  std::mutex mu_;
  bool shut_down_ = false;
};

/// HostOptionsFromConfig reads `instance` (default "<hostname>-<pid>"), `grpc-port` (0),
/// `grpc-bind` ("0.0.0.0"), `metrics-port` (-1), `metrics-bind` ("0.0.0.0") and `port-file`.
/// INVALID_ARGUMENT naming the key for a bad or out-of-range value.
absl::StatusOr<ServiceHostOptions> HostOptionsFromConfig(const Config& config, std::string service);

/// WritePortFile writes "grpc=G\nmetrics=M\n" to `path` atomically (tmp file + rename).
absl::Status WritePortFile(const std::string& path, int grpc_port, int metrics_port);

}  // namespace concerto::platform
