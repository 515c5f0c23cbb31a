#include "libs/platform/runtime/service_host.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "libs/platform/runtime/logging.h"

namespace concerto::platform {
namespace {

std::string HostPort(const std::string& host, int port) {
  if (host.find(':') != std::string::npos && host.front() != '[') {
    return absl::StrCat("[", host, "]:", port);  // IPv6 literal
  }
  return absl::StrCat(host, ":", port);
}

absl::StatusOr<int> PortFromConfig(const Config& config, const std::string& key, int fallback,
                                   int min) {
  absl::StatusOr<int64_t> v = config.GetInt(key, fallback);
  if (!v.ok()) return v.status();
  if (*v < min || *v > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("config key '", key, "': ", *v, " is not a port (", min, "..65535)"));
  }
  return static_cast<int>(*v);
}

}  // namespace

absl::Status WritePortFile(const std::string& path, int grpc_port, int metrics_port) {
  const std::string tmp = absl::StrCat(path, ".tmp.", ::getpid());
  const std::string content = absl::StrCat("grpc=", grpc_port, "\nmetrics=", metrics_port, "\n");
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("port file: cannot create '", tmp, "': ", std::strerror(errno)));
  }
  size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return absl::UnavailableError(
          absl::StrCat("port file: cannot write '", tmp, "': ", std::strerror(err)));
    }
    written += static_cast<size_t>(n);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return absl::UnavailableError(
        absl::StrCat("port file: cannot rename to '", path, "': ", std::strerror(err)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<ServiceHost>> ServiceHost::Start(
    const ServiceHostOptions& options, std::vector<grpc::Service*> services) {
  if (options.grpc_port < 0 || options.grpc_port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("grpc_port: ", options.grpc_port, " is not a port (0..65535)"));
  }
  if (options.metrics_port < -1 || options.metrics_port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics_port: ", options.metrics_port, " is not a port (-1..65535)"));
  }
  // Both must be called before the builder is created.
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  grpc::ServerBuilder builder;
  int selected_port = 0;
  const std::string address = HostPort(options.grpc_bind, options.grpc_port);
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &selected_port);
  for (grpc::Service* service : services) {
    if (service != nullptr) builder.RegisterService(service);
  }
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || selected_port == 0) {
    if (server != nullptr) server->Shutdown();
    return absl::UnavailableError(absl::StrCat("grpc: cannot listen on ", address));
  }
  // The default health service starts SERVING; hold it NOT_SERVING until the service says so.
  if (grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService()) {
    health->SetServingStatus(false);
  }

  std::unique_ptr<MetricsHttpServer> metrics;
  if (options.metrics_port >= 0) {
    MetricsRegistry* registry = options.metrics_registry != nullptr ? options.metrics_registry
                                                                    : &MetricsRegistry::Default();
    absl::StatusOr<std::unique_ptr<MetricsHttpServer>> started =
        MetricsHttpServer::Start(options.metrics_port, registry, options.metrics_bind);
    if (!started.ok()) {
      server->Shutdown();
      return started.status();
    }
    metrics = std::move(*started);
  }
  const int metrics_port = metrics == nullptr ? -1 : metrics->port();
  if (!options.port_file.empty()) {
    absl::Status s = WritePortFile(options.port_file, selected_port, metrics_port);
    if (!s.ok()) {
      if (metrics != nullptr) metrics->Stop();
      server->Shutdown();
      return s;
    }
  }
  LogInfo("service host listening", {{"grpc_port", absl::StrCat(selected_port)},
                                     {"metrics_port", absl::StrCat(metrics_port)}});
  return std::unique_ptr<ServiceHost>(
      new ServiceHost(options, std::move(server), selected_port, std::move(metrics)));
}

ServiceHost::ServiceHost(ServiceHostOptions options, std::unique_ptr<grpc::Server> server,
                         int grpc_port, std::unique_ptr<MetricsHttpServer> metrics)
    : options_(std::move(options)),
      server_(std::move(server)),
      grpc_port_(grpc_port),
      metrics_(std::move(metrics)) {}

ServiceHost::~ServiceHost() { Shutdown(absl::ZeroDuration()); }

void ServiceHost::SetServing(bool serving) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shut_down_) return;
  if (grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService()) {
    health->SetServingStatus(serving);
  }
}

void ServiceHost::Shutdown(absl::Duration deadline) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shut_down_) return;
    shut_down_ = true;
    if (grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService()) {
      health->SetServingStatus(false);
    }
  }
  if (deadline < absl::ZeroDuration()) deadline = absl::ZeroDuration();
  server_->Shutdown(absl::ToChronoTime(absl::Now() + deadline));
  server_->Wait();
  if (metrics_ != nullptr) metrics_->Stop();
  LogInfo("service host stopped");
}

absl::StatusOr<ServiceHostOptions> HostOptionsFromConfig(const Config& config,
                                                         std::string service) {
  ServiceHostOptions options;
  options.service = std::move(service);
  options.instance = config.GetString("instance");
  if (options.instance.empty()) {
    char host[256] = {};
    if (::gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0') {
      std::strcpy(host, "localhost");
    }
    options.instance = absl::StrCat(host, "-", ::getpid());
  }
  absl::StatusOr<int> grpc_port = PortFromConfig(config, "grpc-port", 0, 0);
  if (!grpc_port.ok()) return grpc_port.status();
  options.grpc_port = *grpc_port;
  absl::StatusOr<int> metrics_port = PortFromConfig(config, "metrics-port", -1, -1);
  if (!metrics_port.ok()) return metrics_port.status();
  options.metrics_port = *metrics_port;
  options.grpc_bind = config.GetString("grpc-bind", "0.0.0.0");
  options.metrics_bind = config.GetString("metrics-bind", "0.0.0.0");
  options.port_file = config.GetString("port-file");
  return options;
}

}  // namespace concerto::platform
