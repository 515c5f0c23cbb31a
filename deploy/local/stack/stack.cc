// The local stack supervisor (see stack.h).
#include "deploy/local/stack/stack.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/core/status_macros.h"
#include "libs/testing/subprocess.h"

#ifndef CONCERTO_STACK_SOURCE_DIR
#define CONCERTO_STACK_SOURCE_DIR "deploy/local/stack"
#endif

namespace concerto::local {
namespace {

using concerto::testing::Subprocess;
using concerto::testing::SubprocessOptions;

constexpr absl::Duration kInitialBackoff = absl::Milliseconds(500);
constexpr absl::Duration kMaxBackoff = absl::Seconds(10);
constexpr absl::Duration kHealthyReset = absl::Seconds(60);
constexpr absl::Duration kTick = absl::Milliseconds(100);
constexpr absl::Duration kProbeTimeout = absl::Milliseconds(500);
constexpr absl::Duration kInfraGrace = absl::Seconds(10);
constexpr char kBrokerName[] = "kafka";
constexpr char kRedisName[] = "redis";
constexpr char kTopicsFileName[] = "concerto-stack-topics.txt";

// ---- JSON-lines logging to stderr -------------------------------------------------------------

std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppendFormat(&out, "\\u%04x", static_cast<int>(c));
        } else {
          out += c;
        }
    }
  }
  out += "\"";
  return out;
}

// LogField is one key of a log line with its value already encoded as JSON.
struct LogField {
  LogField(std::string k, absl::string_view v) : key(std::move(k)), json(JsonString(v)) {}
  LogField(std::string k, const char* v) : key(std::move(k)), json(JsonString(v)) {}
  LogField(std::string k, const std::string& v) : key(std::move(k)), json(JsonString(v)) {}
  LogField(std::string k, int64_t v) : key(std::move(k)), json(absl::StrCat(v)) {}
  LogField(std::string k, int v) : key(std::move(k)), json(absl::StrCat(v)) {}
  std::string key;
  std::string json;
};

void Log(absl::string_view level, absl::string_view msg, std::initializer_list<LogField> fields) {
  std::string line = absl::StrCat(
      "{\"ts\":",
      JsonString(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone())),
      ",\"level\":", JsonString(level), ",\"msg\":", JsonString(msg));
  for (const LogField& f : fields) absl::StrAppend(&line, ",", JsonString(f.key), ":", f.json);
  line += "}\n";
  // One write per line, so lines from several threads do not interleave.
  const ssize_t ignored = write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

// ---- files and binaries ---------------------------------------------------------------------

bool IsExecutable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

std::string FindInPath(const std::string& name) {
  if (name.find('/') != std::string::npos) return IsExecutable(name) ? name : "";
  const char* path = std::getenv("PATH");
  for (absl::string_view dir : absl::StrSplit(path != nullptr ? path : "/usr/bin:/bin", ':')) {
    if (dir.empty()) continue;
    std::string candidate = absl::StrCat(dir, "/", name);
    if (IsExecutable(candidate)) return candidate;
  }
  return "";
}

std::string ExecutableDir() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "";
  std::string path(buf, static_cast<size_t>(n));
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

// LogTail returns the last `lines` lines of a log file joined with " | " (for error messages).
std::string LogTail(const std::string& path, size_t lines) {
  std::ifstream in(path);
  std::deque<std::string> tail;
  std::string line;
  while (std::getline(in, line)) {
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    tail.push_back(line);
    if (tail.size() > lines) tail.pop_front();
  }
  if (tail.empty()) return "";
  return absl::StrCat(": ", absl::StrJoin(tail, " | "));
}

// TopicsFlag reads a topic list ("name partitions" per line) into "name:partitions,...".
absl::StatusOr<std::string> TopicsFlag(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  std::vector<std::string> topics;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<absl::string_view> parts =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    int partitions = 0;
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[1], &partitions) || partitions <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", line_number, ": want 'name partitions', got '", line, "'"));
    }
    topics.push_back(absl::StrCat(parts[0], ":", partitions));
  }
  if (topics.empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": no topics"));
  return absl::StrJoin(topics, ",");
}

std::string FindTopicsFile(const StackOptions& options) {
  if (!options.topics_file.empty()) return options.topics_file;
  std::vector<std::string> candidates;
  if (const std::string dir = ExecutableDir(); !dir.empty()) {
    candidates.push_back(absl::StrCat(dir, "/", kTopicsFileName));
  }
  if (!options.bin_dir.empty()) {
    candidates.push_back(absl::StrCat(options.bin_dir, "/bin/", kTopicsFileName));
  }
  candidates.push_back(absl::StrCat(CONCERTO_STACK_SOURCE_DIR, "/topics.txt"));
  for (const std::string& c : candidates) {
    if (access(c.c_str(), R_OK) == 0) return c;
  }
  return candidates.back();
}

std::string Loopback(int port) { return absl::StrCat("127.0.0.1:", port); }

// UniquePort returns a free loopback port not yet handed out to this stack.
int UniquePort(std::set<int>& used) {
  for (int i = 0; i < 100; ++i) {
    const int port = concerto::testing::FreePort();
    if (port > 0 && used.insert(port).second) return port;
  }
  return 0;
}

}  // namespace

const std::vector<std::string>& KnownServices() {
  static const auto* const kServices = new std::vector<std::string>{
      "invoice", "dunning", "contact-channel", "payment", "legal-escalation"};
  return *kServices;
}

// Child is one supervised process. Fields other threads read (process, restarts,
// restart_pending) change only under mu_; everything else belongs to the supervisor thread.
struct Stack::Child {
  enum class Kind { kBroker, kRedis, kService };

  ~Child() {
    if (log_fd >= 0) close(log_fd);
  }

  // Drain moves what the child printed on stdout into its log file (the pipe must not fill).
  void Drain() {
    if (process == nullptr) return;
    for (int i = 0; i < 1000; ++i) {
      // 2 ms: ReadLine rounds the wait down to whole milliseconds and does not poll on 0.
      std::optional<std::string> line = process->ReadLine(absl::Milliseconds(2));
      if (!line.has_value()) return;
      if (log_fd >= 0) {
        line->push_back('\n');
        const ssize_t ignored = write(log_fd, line->data(), line->size());
        (void)ignored;
      }
    }
  }

  std::string name;
  Kind kind = Kind::kService;
  std::string binary;
  std::string log_path;
  std::vector<std::string> argv;  // broker and redis; services build theirs from the addresses
  int grpc_port = 0;
  int metrics_port = 0;
  int log_fd = -1;
  std::unique_ptr<Subprocess> process;
  int restarts = 0;
  int attempt = 0;  // unexpected exits since the backoff was last reset
  absl::Duration backoff = kInitialBackoff;
  absl::Time healthy_since = absl::InfiniteFuture();
  bool awaiting_health = false;
  bool restart_pending = false;
  absl::Time restart_at;
};

Stack::Stack(StackOptions options) : options_(std::move(options)) {}

Stack::~Stack() { Stop(); }

absl::StatusOr<std::unique_ptr<Stack>> Stack::Start(const StackOptions& options) {
  if (options.state_dir.empty()) return absl::InvalidArgumentError("state_dir: empty");
  if (options.bin_dir.empty() && (options.kafka_brokers.empty() || options.services.empty())) {
    return absl::InvalidArgumentError("bin_dir: empty (binaries are looked up in <bin_dir>/bin)");
  }
  if (options.health_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("health_timeout: must be positive");
  }
  std::unique_ptr<Stack> stack(new Stack(options));
  // Every child is forked by the supervisor thread, which lives as long as the stack: children
  // get PR_SET_PDEATHSIG, which fires when the forking thread ends.
  stack->thread_ = std::thread([s = stack.get()] { s->Run(); });
  absl::Status status;
  {
    absl::MutexLock lock(&stack->mu_);
    stack->mu_.Await(absl::Condition(&stack->startup_done_));
    status = stack->startup_status_;
  }
  if (!status.ok()) {
    stack->Stop();  // joins the supervisor thread, which has already stopped what it started
    return status;
  }
  return stack;
}

void Stack::Run() {
  absl::Status status = StartAll();
  if (!status.ok()) {
    Log("error", "stack start failed", {{"error", status.ToString()}});
    StopAll();
  }
  {
    absl::MutexLock lock(&mu_);
    startup_status_ = status;
    startup_done_ = true;
  }
  if (!status.ok()) return;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(absl::Condition(&stop_requested_), kTick)) break;
    }
    Supervise();
  }
  StopAll();
}

std::vector<std::string> Stack::ServiceArgv(const Child& service) const {
  std::vector<std::string> argv = {
      service.binary,
      absl::StrCat("--kafka-brokers=", addresses_.kafka_brokers),
      absl::StrCat("--redis=", addresses_.redis),
      absl::StrCat("--grpc-port=", service.grpc_port),
      absl::StrCat("--metrics-port=", service.metrics_port),
      absl::StrCat("--instance=", service.name, "-1"),
      "--clock=simulated",
      absl::StrCat("--port-file=", options_.state_dir, "/", service.name, ".ports"),
  };
  if (options_.kafka_brokers.empty()) {
    // The embedded broker answers pipelined produce requests about 40 ms late (delayed ACK);
    // one request in flight per connection avoids the stall (docs/benchmarks.md).
    argv.push_back("--kafka.max.in.flight.requests.per.connection=1");
  }
  // The local topology: the contact service reads debtors' contact data from the invoice service
  // and drops letters into the stack's print outbox.
  if (service.name == "contact-channel") {
    argv.push_back("--invoice-target={grpc:invoice}");
    argv.push_back(absl::StrCat("--print-outbox=", options_.state_dir, "/print-outbox"));
    // No mail relay or SMS provider locally: e-mails and SMS become files to read.
    argv.push_back(absl::StrCat("--message-outbox=", options_.state_dir, "/message-outbox"));
  }
  for (const std::string& flag : options_.extra_service_flags) argv.push_back(flag);
  if (auto it = options_.service_flags.find(service.name); it != options_.service_flags.end()) {
    for (const std::string& flag : it->second) argv.push_back(flag);
  }
  // "{grpc:<service>}" in a flag is that service's gRPC address.
  for (std::string& arg : argv) {
    for (const auto& [name, address] : addresses_.grpc) {
      arg = absl::StrReplaceAll(arg, {{absl::StrCat("{grpc:", name, "}"), address}});
    }
  }
  return argv;
}

absl::Status Stack::StartChild(Child& child) {
  SubprocessOptions options;
  options.argv = child.kind == Child::Kind::kService ? ServiceArgv(child) : child.argv;
  options.capture_stdout = true;
  options.stderr_path = child.log_path;
  absl::StatusOr<std::unique_ptr<Subprocess>> process = Subprocess::Start(options);
  if (!process.ok()) {
    return absl::Status(process.status().code(),
                        absl::StrCat("start ", child.name, ": ", process.status().message()));
  }
  absl::MutexLock lock(&mu_);
  child.process = std::move(*process);
  return absl::OkStatus();
}

absl::Status Stack::StartBroker(Child& broker, absl::Duration timeout) {
  CONCERTO_RETURN_IF_ERROR(StartChild(broker));
  // The broker announces itself on stdout: bootstrap=HOST:PORT, control=HOST:PORT, ready.
  const absl::Time deadline = absl::Now() + timeout;
  std::string bootstrap, control;
  while (true) {
    const absl::Duration left = deadline - absl::Now();
    std::optional<std::string> line;
    if (left > absl::ZeroDuration()) line = broker.process->ReadLine(left);
    if (!line.has_value()) {
      std::optional<int> code;
      {
        absl::MutexLock lock(&mu_);
        code = broker.process->Wait(absl::Milliseconds(200));
        if (!code.has_value()) {
          broker.process->Signal(SIGKILL);
          broker.process->Wait(absl::Seconds(5));
        }
      }
      const std::string why =
          code.has_value()
              ? absl::StrCat("exited with code ", *code, " before 'ready'")
              : absl::StrCat("did not print 'ready' within ", absl::FormatDuration(timeout));
      return absl::UnavailableError(absl::StrCat("kafka broker ", broker.binary, " ", why,
                                                 "; log: ", broker.log_path,
                                                 LogTail(broker.log_path, 5)));
    }
    const std::string text(absl::StripAsciiWhitespace(*line));
    if (absl::StartsWith(text, "bootstrap=")) {
      bootstrap = text.substr(10);
    } else if (absl::StartsWith(text, "control=")) {
      control = text.substr(8);
    } else if (text == "ready") {
      break;
    } else if (broker.log_fd >= 0) {
      const std::string copy = absl::StrCat(*line, "\n");
      const ssize_t ignored = write(broker.log_fd, copy.data(), copy.size());
      (void)ignored;
    }
  }
  if (bootstrap.empty()) {
    return absl::UnavailableError(
        absl::StrCat("kafka broker printed 'ready' without 'bootstrap=HOST:PORT'"));
  }
  absl::MutexLock lock(&mu_);
  addresses_.kafka_brokers = bootstrap;
  addresses_.kafka_control = control;
  return absl::OkStatus();
}

absl::Status Stack::StartAll() {
  const std::string logs = absl::StrCat(options_.state_dir, "/logs");
  CONCERTO_RETURN_IF_ERROR(MakeDirs(options_.state_dir));
  CONCERTO_RETURN_IF_ERROR(MakeDirs(logs));
  unlink(absl::StrCat(options_.state_dir, "/stack.env").c_str());  // never show stale addresses

  auto make_child = [&](const std::string& name, Child::Kind kind, const std::string& binary) {
    auto child = std::make_unique<Child>();
    child->name = name;
    child->kind = kind;
    child->binary = binary;
    child->log_path = absl::StrCat(logs, "/", name, ".log");
    child->log_fd = open(child->log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    return child;
  };

  // Resolve everything before starting anything, so mistakes fail fast.
  std::vector<std::unique_ptr<Child>> services;
  std::set<int> ports;
  const bool all = options_.services.empty();
  for (const std::string& name : all ? KnownServices() : options_.services) {
    std::string binary;
    if (auto it = options_.service_binaries.find(name); it != options_.service_binaries.end()) {
      binary = it->second;
    } else {
      binary = absl::StrCat(options_.bin_dir, "/bin/concerto-", name);
    }
    if (!IsExecutable(binary)) {
      if (all) {
        Log("info", "service skipped: binary not found", {{"service", name}, {"binary", binary}});
        continue;
      }
      return absl::NotFoundError(absl::StrCat("service '", name, "': no executable at ", binary));
    }
    auto child = make_child(name, Child::Kind::kService, binary);
    child->grpc_port = UniquePort(ports);
    child->metrics_port = UniquePort(ports);
    if (child->grpc_port == 0 || child->metrics_port == 0) {
      return absl::ResourceExhaustedError("no free loopback port");
    }
    services.push_back(std::move(child));
  }

  std::unique_ptr<Child> broker;
  if (options_.kafka_brokers.empty()) {
    const std::string topics_file = FindTopicsFile(options_);
    absl::StatusOr<std::string> topics = TopicsFlag(topics_file);
    if (!topics.ok()) return topics.status();
    topics_flag_ = *topics;
    const std::string binary = absl::StrCat(options_.bin_dir, "/bin/concerto-kafka");
    if (!IsExecutable(binary)) {
      return absl::NotFoundError(
          absl::StrCat("embedded kafka broker not built (no executable at ", binary,
                       "); build target concerto-kafka or pass --kafka-brokers=HOST:PORT"));
    }
    broker = make_child(kBrokerName, Child::Kind::kBroker, binary);
    broker->argv = {binary, "--brokers=1", absl::StrCat("--topics=", topics_flag_)};
  } else {
    absl::MutexLock lock(&mu_);
    addresses_.kafka_brokers = options_.kafka_brokers;
  }

  std::unique_ptr<Child> redis;
  if (options_.redis.empty()) {
    const std::string binary = FindInPath("redis-server");
    if (binary.empty()) {
      return absl::NotFoundError(
          "redis-server not found in PATH (install it or pass --redis=HOST:PORT)");
    }
    const std::string dir = absl::StrCat(options_.state_dir, "/redis");
    CONCERTO_RETURN_IF_ERROR(MakeDirs(dir));
    redis = make_child(kRedisName, Child::Kind::kRedis, binary);
    redis->grpc_port = UniquePort(ports);  // the Redis port (kept across restarts)
    redis->argv = {binary,
                   "--port",
                   absl::StrCat(redis->grpc_port),
                   "--bind",
                   "127.0.0.1",
                   "--dir",
                   dir,
                   "--appendonly",
                   "yes",
                   "--appendfsync",
                   "always",
                   "--save",
                   "",
                   "--daemonize",
                   "no"};
    absl::MutexLock lock(&mu_);
    addresses_.redis = Loopback(redis->grpc_port);
  } else {
    absl::MutexLock lock(&mu_);
    addresses_.redis = options_.redis;
  }

  {
    absl::MutexLock lock(&mu_);
    if (broker != nullptr) children_.push_back(std::move(broker));
    if (redis != nullptr) children_.push_back(std::move(redis));
    for (auto& s : services) {
      addresses_.grpc[s->name] = Loopback(s->grpc_port);
      addresses_.metrics[s->name] = Loopback(s->metrics_port);
      children_.push_back(std::move(s));
    }
  }

  // Kafka first, then Redis, then the services.
  for (auto& child : children_) {
    if (child->kind != Child::Kind::kBroker) continue;
    Log("info", "starting kafka broker", {{"binary", child->binary}});
    CONCERTO_RETURN_IF_ERROR(StartBroker(*child, options_.health_timeout));
    child->healthy_since = absl::Now();
    Log("info", "kafka broker ready",
        {{"bootstrap", addresses_.kafka_brokers}, {"control", addresses_.kafka_control}});
  }
  for (auto& child : children_) {
    if (child->kind != Child::Kind::kRedis) continue;
    Log("info", "starting redis", {{"address", addresses_.redis}});
    CONCERTO_RETURN_IF_ERROR(StartChild(*child));
    const absl::Time deadline = absl::Now() + options_.health_timeout;
    absl::Status ping = absl::DeadlineExceededError("no PING sent");
    while (absl::Now() < deadline) {
      child->Drain();
      std::optional<int> code;
      {
        absl::MutexLock lock(&mu_);
        code = child->process->Wait(absl::ZeroDuration());
      }
      if (code.has_value()) {
        return absl::UnavailableError(absl::StrCat("redis-server exited with code ", *code,
                                                   "; log: ", child->log_path,
                                                   LogTail(child->log_path, 5)));
      }
      ping = PingRedis(addresses_.redis, kProbeTimeout);
      if (ping.ok()) break;
      absl::SleepFor(kTick);
    }
    if (!ping.ok()) {
      return absl::UnavailableError(
          absl::StrCat("redis-server at ", addresses_.redis, " did not answer PING within ",
                       absl::FormatDuration(options_.health_timeout), ": ", ping.message()));
    }
    child->healthy_since = absl::Now();
  }
  if (!options_.redis.empty()) {
    absl::Status ping =
        WaitForRedis(options_.redis, std::min(options_.health_timeout, absl::Seconds(10)));
    if (!ping.ok()) {
      return absl::UnavailableError(
          absl::StrCat("redis at ", options_.redis, " does not answer PING: ", ping.message()));
    }
  }

  std::vector<Child*> pending;
  for (auto& child : children_) {
    if (child->kind != Child::Kind::kService) continue;
    Log("info", "starting service",
        {{"service", child->name},
         {"grpc", Loopback(child->grpc_port)},
         {"metrics", Loopback(child->metrics_port)}});
    CONCERTO_RETURN_IF_ERROR(StartChild(*child));
    pending.push_back(child.get());
  }
  const absl::Time deadline = absl::Now() + options_.health_timeout;
  std::map<std::string, std::string> last_error;
  while (!pending.empty()) {
    for (auto it = pending.begin(); it != pending.end();) {
      Child& s = **it;
      s.Drain();
      std::optional<int> code;
      {
        absl::MutexLock lock(&mu_);
        code = s.process->Wait(absl::ZeroDuration());
      }
      if (code.has_value()) {
        return absl::UnavailableError(
            absl::StrCat("service '", s.name, "' exited with code ", *code,
                         " before becoming healthy; log: ", s.log_path, LogTail(s.log_path, 5)));
      }
      const absl::Duration left = std::max(deadline - absl::Now(), absl::Milliseconds(50));
      absl::Status health = CheckHealth(Loopback(s.grpc_port), std::min(left, kProbeTimeout));
      if (health.ok()) {
        s.healthy_since = absl::Now();
        Log("info", "service healthy", {{"service", s.name}});
        it = pending.erase(it);
      } else {
        last_error[s.name] = std::string(health.message());
        ++it;
      }
    }
    if (pending.empty()) break;
    if (absl::Now() >= deadline) {
      std::vector<std::string> reasons;
      for (Child* s : pending) {
        reasons.push_back(absl::StrCat("service '", s->name, "' did not become healthy within ",
                                       absl::FormatDuration(options_.health_timeout),
                                       " (last: ", last_error[s->name], "); log: ", s->log_path,
                                       LogTail(s->log_path, 3)));
      }
      return absl::DeadlineExceededError(absl::StrJoin(reasons, "; "));
    }
    absl::SleepFor(kTick);
  }

  const std::string env_path = absl::StrCat(options_.state_dir, "/stack.env");
  CONCERTO_RETURN_IF_ERROR(WriteFileAtomically(env_path, FormatStackEnv(addresses_)));
  Log("info", "stack up",
      {{"env", env_path},
       {"kafka", addresses_.kafka_brokers},
       {"redis", addresses_.redis},
       {"services", static_cast<int>(addresses_.grpc.size())}});
  return absl::OkStatus();
}

void Stack::Supervise() {
  const absl::Time now = absl::Now();
  std::vector<Child*> due, check;
  {
    absl::MutexLock lock(&mu_);
    for (auto& c : children_) {
      Child& child = *c;
      child.Drain();
      if (child.restart_pending) {
        if (now >= child.restart_at) due.push_back(&child);
        continue;
      }
      if (child.process == nullptr) continue;
      const std::optional<int> code = child.process->Wait(absl::ZeroDuration());
      if (!code.has_value()) {
        if (child.awaiting_health) check.push_back(&child);
        continue;
      }
      // Unexpected exit: schedule a restart with backoff, reset after a long healthy run.
      if (child.healthy_since != absl::InfiniteFuture() &&
          now - child.healthy_since >= kHealthyReset) {
        child.attempt = 0;
        child.backoff = kInitialBackoff;
      }
      ++child.attempt;
      const absl::Duration delay = child.backoff;
      child.backoff = std::min(child.backoff * 2, kMaxBackoff);
      child.healthy_since = absl::InfiniteFuture();
      child.awaiting_health = false;
      child.restart_pending = true;
      child.restart_at = now + delay;
      const char* msg = child.kind == Child::Kind::kService ? "restarting service"
                        : child.kind == Child::Kind::kRedis ? "restarting redis"
                                                            : "restarting kafka broker";
      Log("warn", msg,
          {{"service", child.name},
           {"exit", *code},
           {"attempt", child.attempt},
           {"delay_ms", static_cast<int64_t>(absl::ToInt64Milliseconds(delay))},
           {"log", child.log_path}});
    }
  }
  for (Child* child : due) Restart(*child);
  for (Child* child : check) {
    absl::Status health = child->kind == Child::Kind::kRedis
                              ? PingRedis(addresses_.redis, kProbeTimeout)
                              : CheckHealth(Loopback(child->grpc_port), kProbeTimeout);
    if (!health.ok()) continue;
    absl::MutexLock lock(&mu_);
    child->awaiting_health = false;
    child->healthy_since = absl::Now();
    if (child->kind == Child::Kind::kRedis) {
      Log("info", "redis recovered from its AOF",
          {{"address", addresses_.redis}, {"dir", absl::StrCat(options_.state_dir, "/redis")}});
    } else {
      Log("info", "service healthy again", {{"service", child->name}});
    }
  }
}

void Stack::Restart(Child& child) {
  {
    absl::MutexLock lock(&mu_);
    child.restart_pending = false;
  }
  const std::string old_bootstrap = addresses_.kafka_brokers;
  const absl::Status started = child.kind == Child::Kind::kBroker
                                   ? StartBroker(child, options_.health_timeout)
                                   : StartChild(child);
  if (!started.ok()) {
    // The old (or just killed) process is still recorded as exited: the next Supervise pass
    // sees that and schedules another attempt with a longer backoff.
    Log("error", "restart failed", {{"service", child.name}, {"error", started.ToString()}});
    return;
  }
  if (child.kind == Child::Kind::kBroker) {
    Log("info", "kafka broker restarted (empty: it keeps no data)",
        {{"bootstrap", addresses_.kafka_brokers}});
    // Re-point the services before the restart counts as done.
    if (addresses_.kafka_brokers != old_bootstrap) RestartServicesForNewBroker();
  }
  absl::MutexLock lock(&mu_);
  ++child.restarts;
  if (child.kind == Child::Kind::kBroker) {
    child.healthy_since = absl::Now();
  } else {
    child.awaiting_health = true;
  }
}

void Stack::RestartServicesForNewBroker() {
  Log("warn", "kafka broker address changed: restarting services",
      {{"kafka", addresses_.kafka_brokers}});
  const std::string env_path = absl::StrCat(options_.state_dir, "/stack.env");
  if (absl::Status s = WriteFileAtomically(env_path, FormatStackEnv(addresses_)); !s.ok()) {
    Log("error", "cannot rewrite stack.env", {{"error", s.ToString()}});
  }
  std::vector<Child*> services;
  for (auto& c : children_) {
    if (c->kind == Child::Kind::kService) services.push_back(c.get());
  }
  StopChildren(services, options_.stop_grace);
  for (Child* s : services) {
    if (absl::Status st = StartChild(*s); !st.ok()) {
      Log("error", "restart failed", {{"service", s->name}, {"error", st.ToString()}});
      continue;
    }
    absl::MutexLock lock(&mu_);
    s->awaiting_health = true;
    s->healthy_since = absl::InfiniteFuture();
  }
}

void Stack::StopChildren(const std::vector<Child*>& children, absl::Duration grace) {
  {
    absl::MutexLock lock(&mu_);
    for (Child* c : children) {
      c->restart_pending = false;
      c->awaiting_health = false;
      if (c->process != nullptr && c->process->Running()) c->process->Signal(SIGTERM);
    }
  }
  const absl::Time deadline = absl::Now() + grace;
  while (true) {
    bool running = false;
    {
      absl::MutexLock lock(&mu_);
      for (Child* c : children) {
        c->Drain();
        if (c->process != nullptr && c->process->Running()) running = true;
      }
    }
    if (!running || absl::Now() >= deadline) break;
    absl::SleepFor(absl::Milliseconds(20));
  }
  absl::MutexLock lock(&mu_);
  for (Child* c : children) {
    if (c->process == nullptr) continue;
    if (c->process->Running()) {
      Log("warn", "did not stop in time: killing",
          {{"service", c->name},
           {"grace_ms", static_cast<int64_t>(absl::ToInt64Milliseconds(grace))}});
      c->process->Signal(SIGKILL);
    }
    c->process->Wait(absl::Seconds(10));
    c->Drain();
  }
}

void Stack::StopAll() {
  std::vector<Child*> services, redis, broker;
  {
    absl::MutexLock lock(&mu_);
    for (auto& c : children_) {
      if (c->kind == Child::Kind::kService) services.push_back(c.get());
      if (c->kind == Child::Kind::kRedis) redis.push_back(c.get());
      if (c->kind == Child::Kind::kBroker) broker.push_back(c.get());
    }
  }
  if (children_.empty()) return;
  Log("info", "stopping stack", {});
  StopChildren(services, options_.stop_grace);
  StopChildren(redis, kInfraGrace);  // SIGTERM: Redis flushes its AOF and exits
  StopChildren(broker, kInfraGrace);
  unlink(absl::StrCat(options_.state_dir, "/stack.env").c_str());
  Log("info", "stack stopped", {});
}

void Stack::Stop() {
  std::call_once(stop_once_, [this] {
    {
      absl::MutexLock lock(&mu_);
      stop_requested_ = true;
    }
    if (thread_.joinable()) thread_.join();
  });
}

StackAddresses Stack::addresses() const {
  absl::MutexLock lock(&mu_);
  return addresses_;
}

Stack::Child* Stack::Find(const std::string& name) const {
  for (const auto& c : children_) {
    if (c->name == name) return c.get();
  }
  return nullptr;
}

absl::Status Stack::KillService(const std::string& name, int signal) {
  absl::MutexLock lock(&mu_);
  Child* child = Find(name);
  if (child == nullptr || child->kind != Child::Kind::kService) {
    return absl::NotFoundError(absl::StrCat("no service '", name, "' in this stack"));
  }
  return SignalLocked(*child, signal);
}

absl::Status Stack::KillRedis(int signal) {
  absl::MutexLock lock(&mu_);
  Child* child = Find(kRedisName);
  if (child == nullptr) return absl::FailedPreconditionError("redis is external to this stack");
  return SignalLocked(*child, signal);
}

absl::Status Stack::KillBroker(int signal) {
  absl::MutexLock lock(&mu_);
  Child* child = Find(kBrokerName);
  if (child == nullptr) return absl::FailedPreconditionError("kafka is external to this stack");
  return SignalLocked(*child, signal);
}

absl::Status Stack::SignalLocked(Child& child, int signal) {
  if (stop_requested_) return absl::FailedPreconditionError("stack is stopping");
  if (child.restart_pending || child.process == nullptr || !child.process->Running()) {
    return absl::FailedPreconditionError(
        absl::StrCat("'", child.name, "' is not running (waiting for its restart)"));
  }
  child.process->Signal(signal);
  return absl::OkStatus();
}

absl::Status Stack::WaitHealthy(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  const StackAddresses addresses = this->addresses();
  for (const auto& [name, address] : addresses.grpc) {
    absl::Status health =
        WaitForHealth(address, std::max(deadline - absl::Now(), absl::Milliseconds(1)));
    if (!health.ok()) {
      return absl::UnavailableError(absl::StrCat("service '", name, "' not healthy within ",
                                                 absl::FormatDuration(timeout), ": ",
                                                 health.message()));
    }
  }
  return absl::OkStatus();
}

int Stack::restarts(const std::string& name) const {
  absl::MutexLock lock(&mu_);
  const Child* child = Find(name);
  return child == nullptr ? -1 : child->restarts;
}

std::map<std::string, pid_t> Stack::pids() const {
  absl::MutexLock lock(&mu_);
  std::map<std::string, pid_t> out;
  for (const auto& c : children_) {
    if (c->process != nullptr && c->process->Running()) out[c->name] = c->process->pid();
  }
  return out;
}

}  // namespace concerto::local
