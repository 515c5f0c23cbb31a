// Test-only stand-in for a Concerto service, used by the stack launcher's tests: a gRPC server
// on 127.0.0.1:--grpc-port with only grpc.health.v1.Health/Check (service "" -> SERVING),
// exiting 0 on SIGTERM/SIGINT. (gRPC 1.51's built-in default health service cannot be a server's
// only service: BuildAndStart then fails, so the stand-in implements Check itself.)
// Other flags the launcher passes (--kafka-brokers, --redis, ...) are accepted and ignored.
//   --health=not_serving  answer NOT_SERVING forever (a service that never becomes healthy)
//   --exit-at-start=N     exit with code N at once (a service that crashes on start)
#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace {

// HealthService answers Check with a fixed status for every service name.
class HealthService final : public grpc::health::v1::Health::Service {
 public:
  explicit HealthService(bool serving) : serving_(serving) {}

  grpc::Status Check(grpc::ServerContext*, const grpc::health::v1::HealthCheckRequest*,
                     grpc::health::v1::HealthCheckResponse* response) override {
    response->set_status(serving_ ? grpc::health::v1::HealthCheckResponse::SERVING
                                  : grpc::health::v1::HealthCheckResponse::NOT_SERVING);
    return grpc::Status::OK;
  }

 private:
  const bool serving_;
};

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  int exit_at_start = -1;
  bool serving = true;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (absl::StartsWith(arg, "--grpc-port=")) {
      if (!absl::SimpleAtoi(arg.substr(12), &port)) return 2;
    } else if (arg == "--health=not_serving") {
      serving = false;
    } else if (absl::StartsWith(arg, "--exit-at-start=")) {
      if (!absl::SimpleAtoi(arg.substr(16), &exit_at_start)) return 2;
    }
  }
  if (exit_at_start >= 0) {
    std::fprintf(stderr, "stack_test_service: exiting with %d as asked\n", exit_at_start);
    return exit_at_start;
  }
  // Block the stop signals before gRPC starts its threads, then wait for them in main.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  HealthService health(serving);
  grpc::ServerBuilder builder;
  builder.RegisterService(&health);
  int selected_port = 0;
  builder.AddListeningPort(absl::StrCat("127.0.0.1:", port), grpc::InsecureServerCredentials(),
                           &selected_port);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || selected_port == 0) {
    std::fprintf(stderr, "stack_test_service: cannot listen on port %d\n", port);
    return 1;
  }
  std::fprintf(stderr, "stack_test_service: listening on 127.0.0.1:%d\n", selected_port);

  int signal = 0;
  sigwait(&stop_signals, &signal);
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  return 0;
}
