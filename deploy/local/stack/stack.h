// The local stack supervisor: starts the embedded Kafka broker (or uses a given Kafka),
// redis-server with AOF (or a given Redis) and the Concerto services on loopback ports, waits
// until every service answers the gRPC health check, writes <state-dir>/stack.env, and keeps
// everything running from a background thread: a child that dies is restarted with exponential
// backoff on the same ports. Used by the concerto-stack command, the demo and e2e tests.
//
//   concerto::local::StackOptions options;
//   options.state_dir = "/tmp/stack";
//   options.bin_dir = "build";
//   absl::StatusOr<std::unique_ptr<concerto::local::Stack>> stack =
//       concerto::local::Stack::Start(options);
//   if (!stack.ok()) return stack.status();
//   std::string dunning = (*stack)->addresses().grpc.at("dunning");
//   ...
//   (*stack)->Stop();  // or let it go out of scope
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "deploy/local/stack/probes.h"
#include "deploy/local/stack/stack_env.h"

namespace concerto::local {

/// KnownServices lists the Concerto services the stack runs by default, in start order. The
/// binary of service "dunning" is <bin_dir>/bin/concerto-dunning.
const std::vector<std::string>& KnownServices();

/// StackOptions says what to run and where.
struct StackOptions {
  /// state_dir holds stack.env, logs/, redis/ (the AOF) and the services' port files.
  std::string state_dir;
  /// bin_dir is the build folder: binaries are looked up in <bin_dir>/bin.
  std::string bin_dir;
  /// kafka_brokers: use this Kafka (host:port[,host:port]); empty starts the embedded broker.
  std::string kafka_brokers;
  /// redis: use this Redis (host:port); empty starts redis-server (from PATH) with AOF.
  std::string redis;
  /// services to run; empty runs every one of KnownServices() whose binary exists (missing ones
  /// are skipped with a log line). A service named here must have a binary.
  std::vector<std::string> services;
  /// health_timeout bounds the wait for the broker, Redis and each service to come up.
  absl::Duration health_timeout = absl::Seconds(60);
  /// extra_service_flags are appended to every service's command line.
  std::vector<std::string> extra_service_flags;
  /// service_flags are appended to one service's command line (after extra_service_flags).
  /// In any service flag, "{grpc:<service>}" stands for that service's gRPC address.
  std::map<std::string, std::vector<std::string>> service_flags;
  /// service_binaries overrides the binary of a service (tests run stand-ins this way).
  std::map<std::string, std::string> service_binaries;
  /// topics_file overrides the broker's topic list ("name partitions" per line); empty looks for
  /// concerto-stack-topics.txt next to the running binary, then in <bin_dir>/bin, then for
  /// topics.txt in the source folder.
  std::string topics_file;
  /// stop_grace is how long services get to exit after SIGTERM before SIGKILL.
  absl::Duration stop_grace = absl::Seconds(15);
};

/// Stack runs the supervisor in-process: a background thread watches the children and restarts
/// those that die. All children die with the process (PR_SET_PDEATHSIG), even on kill -9.
class Stack {
 public:
  /// Start brings the whole stack up and returns once every service is SERVING and stack.env is
  /// written. On failure everything started is stopped again and the error names the part that
  /// failed (e.g. "service 'dunning' did not become healthy within 60s ...; log: ...").
  static absl::StatusOr<std::unique_ptr<Stack>> Start(const StackOptions& options);

  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;
  /// The destructor stops the stack cleanly (see Stop).
  ~Stack();

  /// addresses returns where everything listens. A copy: the embedded broker's address can
  /// change when the broker itself is restarted (it is in memory and cannot keep its port).
  StackAddresses addresses() const;

  /// KillService sends `signal` to a service (SIGKILL for fault tests); the supervisor restarts
  /// it on the same ports. NOT_FOUND for an unknown service, FAILED_PRECONDITION when it is
  /// between a death and its restart.
  absl::Status KillService(const std::string& name, int signal);
  /// KillRedis sends `signal` to the stack's redis-server; it is restarted on the same port and
  /// folder, so it recovers from its AOF. FAILED_PRECONDITION when Redis is external.
  absl::Status KillRedis(int signal);
  /// KillBroker sends `signal` to the embedded broker; it is restarted empty, and if its address
  /// changed the services are restarted pointing at the new one (stack.env is rewritten).
  absl::Status KillBroker(int signal);

  /// WaitHealthy waits until every service answers SERVING; the error names the first that
  /// did not within `timeout`.
  absl::Status WaitHealthy(absl::Duration timeout);

  /// restarts returns how many times the supervisor restarted `name` (a service, "redis" or
  /// "kafka") after an unexpected exit; -1 for an unknown name.
  int restarts(const std::string& name) const;

  /// pids returns the pid of every running child by name (services, "redis", "kafka").
  std::map<std::string, pid_t> pids() const;

  /// Stop stops services (SIGTERM, stop_grace, then SIGKILL), then Redis, then the broker, and
  /// removes stack.env. Idempotent; also called by the destructor.
  void Stop();

 private:
  struct Child;
  explicit Stack(StackOptions options);

  void Run();               // the supervisor thread
  absl::Status StartAll();  // startup sequence (supervisor thread)
  void Supervise();         // one pass of the watch loop
  void StopAll();           // clean stop of every child, services first
  absl::Status StartBroker(Child& broker, absl::Duration timeout);
  absl::Status StartChild(Child& child);
  void Restart(Child& child);
  void RestartServicesForNewBroker();
  void StopChildren(const std::vector<Child*>& children, absl::Duration grace);
  absl::Status SignalLocked(Child& child, int signal);
  std::vector<std::string> ServiceArgv(const Child& service) const;
  Child* Find(const std::string& name) const;

  const StackOptions options_;
  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<Child>> children_;  // broker, redis, then services
  StackAddresses addresses_;
  std::string topics_flag_;
  bool stop_requested_ = false;
  bool startup_done_ = false;
  absl::Status startup_status_;
  std::thread thread_;
  std::once_flag stop_once_;
};

}  // namespace concerto::local
