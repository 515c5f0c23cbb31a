// concerto-stack: starts, stops and inspects the local stack (embedded Kafka, redis-server and
// the Concerto services) under one supervisor process. See README.md.
//
//   concerto-stack --state-dir=DIR --bin-dir=BUILD_DIR up|down|status
//                  [--kafka-brokers=H:P] [--redis=H:P] [--foreground]
//                  [--services=a,b] [--service-bin=name=path,...] [--health-timeout=60s]
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "deploy/local/stack/probes.h"
#include "deploy/local/stack/stack.h"
#include "deploy/local/stack/stack_env.h"

namespace concerto::local {
namespace {

constexpr char kUsage[] =
    "usage: concerto-stack --state-dir=DIR --bin-dir=BUILD_DIR up|down|status\n"
    "         [--kafka-brokers=HOST:PORT] [--redis=HOST:PORT] [--foreground]\n"
    "         [--services=NAME,...] [--service-bin=NAME=PATH,...] [--health-timeout=60s]\n"
    "  up      start the stack under a supervisor (a daemon unless --foreground); prints\n"
    "          the addresses (also in DIR/stack.env) once every service is healthy\n"
    "  down    stop the supervisor and everything it runs\n"
    "  status  print the addresses and each service's health and admin status\n";

constexpr absl::Duration kDownTimeout = absl::Seconds(60);

// CommandLine is the parsed command line.
struct CommandLine {
  std::string command;
  StackOptions options;
  bool foreground = false;
};

std::string Absolute(const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  char cwd[4096];
  if (getcwd(cwd, sizeof cwd) == nullptr) return path;
  return absl::StrCat(cwd, "/", path);
}

absl::StatusOr<CommandLine> Parse(int argc, char** argv) {
  CommandLine cl;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (!absl::StartsWith(arg, "--")) {
      if (!cl.command.empty()) {
        return absl::InvalidArgumentError(absl::StrCat("unexpected argument '", arg, "'"));
      }
      cl.command = arg;
      continue;
    }
    const auto eq = arg.find('=');
    const std::string key = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    const std::string value = eq == std::string::npos ? "" : arg.substr(eq + 1);
    auto need_value = [&]() -> absl::Status {
      if (eq == std::string::npos) {
        return absl::InvalidArgumentError(
            absl::StrCat("--", key, " needs a value (--", key, "=...)"));
      }
      return absl::OkStatus();
    };
    if (key == "foreground") {
      cl.foreground = eq == std::string::npos || value == "true" || value == "1";
      continue;
    }
    if (key == "help") return absl::InvalidArgumentError("help");
    if (absl::Status s = need_value(); !s.ok()) return s;
    if (key == "state-dir") {
      cl.options.state_dir = value;
    } else if (key == "bin-dir") {
      cl.options.bin_dir = value;
    } else if (key == "kafka-brokers") {
      cl.options.kafka_brokers = value;
    } else if (key == "redis") {
      cl.options.redis = value;
    } else if (key == "services") {
      cl.options.services = absl::StrSplit(value, ',', absl::SkipEmpty());
    } else if (key == "service-bin") {
      for (absl::string_view entry : absl::StrSplit(value, ',', absl::SkipEmpty())) {
        std::vector<std::string> kv = absl::StrSplit(entry, absl::MaxSplits('=', 1));
        if (kv.size() != 2 || kv[0].empty() || kv[1].empty()) {
          return absl::InvalidArgumentError(
              absl::StrCat("--service-bin: want NAME=PATH, got '", entry, "'"));
        }
        cl.options.service_binaries[kv[0]] = kv[1];
      }
    } else if (key == "health-timeout") {
      if (!absl::ParseDuration(value, &cl.options.health_timeout) ||
          cl.options.health_timeout <= absl::ZeroDuration()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--health-timeout: want a positive duration like 60s, got '", value, "'"));
      }
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", key));
    }
  }
  if (cl.command.empty()) return absl::InvalidArgumentError("missing command: up, down or status");
  if (cl.command != "up" && cl.command != "down" && cl.command != "status") {
    return absl::InvalidArgumentError(absl::StrCat("unknown command '", cl.command, "'"));
  }
  if (cl.options.state_dir.empty()) return absl::InvalidArgumentError("--state-dir is required");
  if (cl.command == "up" && cl.options.bin_dir.empty()) {
    return absl::InvalidArgumentError("--bin-dir is required for up");
  }
  // Absolute paths: the supervisor outlives the shell, and logs and errors read better.
  cl.options.state_dir = Absolute(cl.options.state_dir);
  if (!cl.options.bin_dir.empty()) cl.options.bin_dir = Absolute(cl.options.bin_dir);
  return cl;
}

std::string PidPath(const StackOptions& o) { return absl::StrCat(o.state_dir, "/stack.pid"); }
std::string EnvPath(const StackOptions& o) { return absl::StrCat(o.state_dir, "/stack.env"); }
std::string LogPath(const StackOptions& o) { return absl::StrCat(o.state_dir, "/logs/stack.log"); }

// ProcessAlive tells whether `pid` exists and is not a zombie.
bool ProcessAlive(pid_t pid) {
  if (pid <= 0 || (kill(pid, 0) != 0 && errno == ESRCH)) return false;
  absl::StatusOr<std::string> stat = ReadFile(absl::StrCat("/proc/", pid, "/stat"));
  if (!stat.ok()) return false;
  const auto paren = stat->rfind(')');
  return paren == std::string::npos || paren + 2 >= stat->size() || (*stat)[paren + 2] != 'Z';
}

// RunningSupervisor returns the pid in stack.pid if that process is a live concerto-stack.
std::optional<pid_t> RunningSupervisor(const StackOptions& options) {
  absl::StatusOr<std::string> text = ReadFile(PidPath(options));
  if (!text.ok()) return std::nullopt;
  int pid = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(*text), &pid) || !ProcessAlive(pid)) {
    return std::nullopt;
  }
  absl::StatusOr<std::string> cmdline = ReadFile(absl::StrCat("/proc/", pid, "/cmdline"));
  if (!cmdline.ok() || !absl::StrContains(*cmdline, "concerto-stack")) return std::nullopt;
  return pid;
}

// ---- up ---------------------------------------------------------------------------------------

int stop_pipe[2] = {-1, -1};

void OnStopSignal(int) {
  const char byte = 's';
  const ssize_t ignored = write(stop_pipe[1], &byte, 1);
  (void)ignored;
}

absl::Status InstallStopHandlers() {
  if (pipe2(stop_pipe, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaction(sig, &action, nullptr);
  return absl::OkStatus();
}

void WaitForStopSignal() {
  char byte = 0;
  while (read(stop_pipe[0], &byte, 1) < 0 && errno == EINTR) {
  }
}

void Report(int fd, const std::string& message) {
  if (fd < 0) return;
  const std::string line = absl::StrCat(message, "\n");
  const ssize_t ignored = write(fd, line.data(), line.size());
  (void)ignored;
  close(fd);
}

// RunSupervisor runs the stack until SIGTERM/SIGINT/SIGHUP. `report_fd` (daemon mode) receives
// "ok" once the stack is healthy, or "error <reason>".
int RunSupervisor(const StackOptions& options, int report_fd) {
  if (absl::Status s = InstallStopHandlers(); !s.ok()) {
    Report(report_fd, absl::StrCat("error ", s.message()));
    return 1;
  }
  if (absl::Status s = WriteFileAtomically(PidPath(options), absl::StrCat(getpid(), "\n"));
      !s.ok()) {
    Report(report_fd, absl::StrCat("error ", s.message()));
    return 1;
  }
  absl::StatusOr<std::unique_ptr<Stack>> stack = Stack::Start(options);
  if (!stack.ok()) {
    unlink(PidPath(options).c_str());
    std::cerr << "concerto-stack: up failed: " << stack.status().message() << std::endl;
    Report(report_fd, absl::StrCat("error ", stack.status().message()));
    return 1;
  }
  if (report_fd >= 0) {
    Report(report_fd, "ok");
  } else {
    std::cout << FormatStackEnv((*stack)->addresses()) << std::flush;
  }
  WaitForStopSignal();
  std::cerr << "concerto-stack: stop signal received, stopping the stack" << std::endl;
  (*stack)->Stop();
  stack->reset();
  unlink(PidPath(options).c_str());
  return 0;
}

int Up(const CommandLine& cl) {
  const StackOptions& options = cl.options;
  if (std::optional<pid_t> pid = RunningSupervisor(options)) {
    std::cerr << "concerto-stack: the stack is already running (supervisor pid " << *pid
              << ", state dir " << options.state_dir << "); run down first" << std::endl;
    return 1;
  }
  if (absl::Status s = MakeDirs(absl::StrCat(options.state_dir, "/logs")); !s.ok()) {
    std::cerr << "concerto-stack: " << s.message() << std::endl;
    return 1;
  }
  if (cl.foreground) return RunSupervisor(options, -1);

  // Daemon: fork before any thread exists; the child starts a session of its own and reports
  // back through a pipe once the stack is healthy (or why it is not).
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) {
    std::cerr << "concerto-stack: pipe: " << std::strerror(errno) << std::endl;
    return 1;
  }
  std::cout << std::flush;
  std::cerr << std::flush;
  const pid_t pid = fork();
  if (pid < 0) {
    std::cerr << "concerto-stack: fork: " << std::strerror(errno) << std::endl;
    return 1;
  }
  if (pid == 0) {
    close(report[0]);
    setsid();
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    const int log_fd = open(LogPath(options).c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log_fd >= 0) {
      dup2(log_fd, STDOUT_FILENO);
      dup2(log_fd, STDERR_FILENO);
    }
    if (null_fd > STDERR_FILENO) close(null_fd);
    if (log_fd > STDERR_FILENO) close(log_fd);
    _exit(RunSupervisor(options, report[1]));
  }
  close(report[1]);
  std::string reply;
  char buf[4096];
  while (true) {
    const ssize_t n = read(report[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    reply.append(buf, static_cast<size_t>(n));
  }
  close(report[0]);
  reply = std::string(absl::StripAsciiWhitespace(reply));
  if (reply != "ok") {
    const std::string reason = absl::StartsWith(reply, "error ")
                                   ? reply.substr(6)
                                   : "the supervisor exited during startup";
    std::cerr << "concerto-stack: up failed: " << reason
              << "\n  supervisor log: " << LogPath(options) << std::endl;
    return 1;
  }
  absl::StatusOr<std::string> env = ReadFile(EnvPath(options));
  if (!env.ok()) {
    std::cerr << "concerto-stack: stack is up but " << env.status().message() << std::endl;
    return 1;
  }
  std::cout << *env << std::flush;
  std::cerr << "concerto-stack: stack up (supervisor pid " << pid << "); env " << EnvPath(options)
            << ", logs " << options.state_dir << "/logs" << std::endl;
  return 0;
}

// ---- down -------------------------------------------------------------------------------------

int Down(const CommandLine& cl) {
  const StackOptions& options = cl.options;
  std::optional<pid_t> pid = RunningSupervisor(options);
  if (!pid.has_value()) {
    const bool stale = access(PidPath(options).c_str(), F_OK) == 0;
    unlink(PidPath(options).c_str());
    unlink(EnvPath(options).c_str());
    std::cout << "concerto-stack: the stack is not running"
              << (stale ? " (removed a stale stack.pid)" : "") << std::endl;
    return 0;
  }
  kill(*pid, SIGTERM);
  const absl::Time deadline = absl::Now() + kDownTimeout;
  while (ProcessAlive(*pid) && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(50));
  if (ProcessAlive(*pid)) {
    // The supervisor runs in a session of its own unless it was started in the foreground.
    const bool leader = getpgid(*pid) == *pid;
    kill(leader ? -*pid : *pid, SIGKILL);
    while (ProcessAlive(*pid) && absl::Now() < deadline + absl::Seconds(10)) {
      absl::SleepFor(absl::Milliseconds(50));
    }
    unlink(PidPath(options).c_str());
    unlink(EnvPath(options).c_str());
    std::cerr << "concerto-stack: the supervisor (pid " << *pid << ") did not stop within "
              << absl::FormatDuration(kDownTimeout) << "; killed it (its children die with it)"
              << std::endl;
    return 0;
  }
  std::cout << "concerto-stack: the stack is stopped" << std::endl;
  return 0;
}

// ---- status -----------------------------------------------------------------------------------

int Status(const CommandLine& cl) {
  const StackOptions& options = cl.options;
  const std::optional<pid_t> pid = RunningSupervisor(options);
  absl::StatusOr<std::string> env = ReadFile(EnvPath(options));
  if (!env.ok()) {
    if (pid.has_value()) {
      std::cout << "concerto-stack: the stack is starting (supervisor pid " << *pid << ")"
                << std::endl;
    } else {
      std::cout << "concerto-stack: the stack is not running" << std::endl;
    }
    return 3;
  }
  std::cout << *env;
  if (pid.has_value()) {
    std::cout << "supervisor: pid " << *pid << std::endl;
  } else {
    std::cout << "supervisor: not running (an in-process stack, or a stale stack.env)" << std::endl;
  }
  absl::StatusOr<StackAddresses> addresses = ParseStackEnv(*env);
  if (!addresses.ok()) {
    std::cerr << "concerto-stack: " << addresses.status().message() << std::endl;
    return 1;
  }
  bool all_ok = true;
  const absl::Duration timeout = absl::Seconds(2);
  if (!addresses->redis.empty()) {
    const absl::Status ping = PingRedis(addresses->redis, timeout);
    all_ok &= ping.ok();
    std::cout << "redis: " << (ping.ok() ? "PONG" : absl::StrCat("DOWN (", ping.message(), ")"))
              << std::endl;
  }
  if (!addresses->kafka_brokers.empty()) {
    const std::string first(*absl::StrSplit(addresses->kafka_brokers, ',').begin());
    const absl::Status open = CanConnect(first, timeout);
    all_ok &= open.ok();
    std::cout << "kafka: "
              << (open.ok() ? "reachable" : absl::StrCat("DOWN (", open.message(), ")"))
              << std::endl;
  }
  for (const auto& [name, address] : addresses->grpc) {
    const absl::Status health = CheckHealth(address, timeout);
    all_ok &= health.ok();
    std::string line = absl::StrCat(name, ": health=", health.ok() ? "SERVING" : "DOWN");
    absl::StatusOr<AdminSummary> admin = GetAdminSummary(address, timeout);
    if (admin.ok()) {
      absl::StrAppend(&line, " quiescent=", admin->quiescent ? "true" : "false",
                      " consumer_lag=", admin->consumer_lag, " outbox_depth=", admin->outbox_depth);
    } else {
      absl::StrAppend(&line, " admin: unavailable (",
                      absl::StatusCodeToString(admin.status().code()), ")");
    }
    if (!health.ok()) absl::StrAppend(&line, " [", health.message(), "]");
    std::cout << line << std::endl;
  }
  return all_ok ? 0 : 1;
}

}  // namespace
}  // namespace concerto::local

int main(int argc, char** argv) {
  absl::StatusOr<concerto::local::CommandLine> cl = concerto::local::Parse(argc, argv);
  if (!cl.ok()) {
    if (cl.status().message() == "help") {
      std::cout << concerto::local::kUsage;
      return 0;
    }
    std::cerr << "concerto-stack: " << cl.status().message() << "\n" << concerto::local::kUsage;
    return 2;
  }
  if (cl->command == "up") return concerto::local::Up(*cl);
  if (cl->command == "down") return concerto::local::Down(*cl);
  return concerto::local::Status(*cl);
}
