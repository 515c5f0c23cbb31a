// End-to-end tests of the local stack supervisor and the concerto-stack command, with
// stack_test_service standing in for the Concerto services and a real redis-server.
#include "deploy/local/stack/stack.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "deploy/local/stack/probes.h"
#include "deploy/local/stack/stack_env.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/testing/subprocess.h"

namespace concerto::local {
namespace {

using ::concerto::testing::BinaryPath;
using ::concerto::testing::Subprocess;
using ::concerto::testing::SubprocessOptions;
using ::testing::HasSubstr;

// A Kafka address the stand-in services never use (they ignore --kafka-brokers).
constexpr char kUnusedKafka[] = "127.0.0.1:9";

std::string BinDir() {
  const char* dir = std::getenv("CONCERTO_BIN_DIR");
  return dir != nullptr ? dir : ".";
}

bool FileExists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

// ChildrenOfThisProcess lists the pids whose parent is this test process.
std::vector<pid_t> ChildrenOfThisProcess() {
  std::vector<pid_t> children;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return children;
  while (dirent* entry = readdir(proc)) {
    int pid = 0;
    if (!absl::SimpleAtoi(entry->d_name, &pid)) continue;
    absl::StatusOr<std::string> stat = ReadFile(absl::StrCat("/proc/", pid, "/stat"));
    if (!stat.ok()) continue;
    const auto paren = stat->rfind(')');
    if (paren == std::string::npos) continue;
    std::vector<std::string> fields = absl::StrSplit(stat->substr(paren + 2), ' ');
    int ppid = 0;
    if (fields.size() > 1 && absl::SimpleAtoi(fields[1], &ppid) && ppid == getpid()) {
      children.push_back(pid);
    }
  }
  closedir(proc);
  return children;
}

// Alive is true while `pid` exists and is not a zombie.
bool Alive(pid_t pid) {
  absl::StatusOr<std::string> stat = ReadFile(absl::StrCat("/proc/", pid, "/stat"));
  if (!stat.ok()) return false;
  const auto paren = stat->rfind(')');
  return paren == std::string::npos || (*stat)[paren + 2] != 'Z';
}

template <typename Predicate>
bool Eventually(Predicate predicate, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (predicate()) return true;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return predicate();
}

class StackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TMPDIR");
    std::string dir_template = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/stack_test.XXXXXX");
    ASSERT_NE(mkdtemp(dir_template.data()), nullptr);
    state_dir_ = dir_template;
  }

  void TearDown() override {
    // Whatever a test left running is stopped with this process; remove the state dir.
    const int ignored = std::system(absl::StrCat("rm -rf '", state_dir_, "'").c_str());
    (void)ignored;
  }

  // Options for a stack of stand-in services (named as given), a real redis-server and no
  // Kafka at all.
  StackOptions TestOptions(const std::vector<std::string>& services) const {
    StackOptions options;
    options.state_dir = state_dir_;
    options.bin_dir = BinDir();
    options.kafka_brokers = kUnusedKafka;
    options.services = services;
    for (const std::string& name : services) {
      options.service_binaries[name] = BinaryPath("bin/stack_test_service");
    }
    options.health_timeout = absl::Seconds(20);
    options.stop_grace = absl::Seconds(5);
    return options;
  }

  std::string state_dir_;
};

TEST_F(StackTest, StartsHealthyAndWritesReachableStackEnv) {
  absl::StatusOr<std::unique_ptr<Stack>> stack = Stack::Start(TestOptions({"alpha", "beta"}));
  ASSERT_TRUE(stack.ok()) << stack.status();
  const StackAddresses addresses = (*stack)->addresses();
  ASSERT_EQ(addresses.grpc.size(), 2u);
  ASSERT_EQ(addresses.metrics.size(), 2u);
  EXPECT_EQ(addresses.kafka_brokers, kUnusedKafka);

  absl::StatusOr<std::string> text = ReadFile(absl::StrCat(state_dir_, "/stack.env"));
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_THAT(*text, HasSubstr(absl::StrCat("ALPHA_GRPC=", addresses.grpc.at("alpha"), "\n")));
  EXPECT_THAT(*text, HasSubstr(absl::StrCat("BETA_METRICS=", addresses.metrics.at("beta"))));
  absl::StatusOr<StackAddresses> parsed = ParseStackEnv(*text);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->grpc, addresses.grpc);
  EXPECT_EQ(parsed->metrics, addresses.metrics);
  EXPECT_EQ(parsed->redis, addresses.redis);
  EXPECT_EQ(parsed->kafka_brokers, kUnusedKafka);

  for (const auto& [name, address] : parsed->grpc) {
    EXPECT_TRUE(CheckHealth(address, absl::Seconds(5)).ok()) << name;
  }
  EXPECT_TRUE(PingRedis(parsed->redis, absl::Seconds(5)).ok());
  EXPECT_TRUE(FileExists(absl::StrCat(state_dir_, "/logs/alpha.log")));
  EXPECT_TRUE(FileExists(absl::StrCat(state_dir_, "/redis")));

  (*stack)->Stop();
  EXPECT_FALSE(FileExists(absl::StrCat(state_dir_, "/stack.env")));
}

TEST_F(StackTest, KilledServiceIsRestartedOnTheSamePort) {
  absl::StatusOr<std::unique_ptr<Stack>> stack = Stack::Start(TestOptions({"alpha", "beta"}));
  ASSERT_TRUE(stack.ok()) << stack.status();
  const std::string address = (*stack)->addresses().grpc.at("alpha");
  const pid_t before = (*stack)->pids().at("alpha");

  ASSERT_TRUE((*stack)->KillService("alpha", SIGKILL).ok());
  EXPECT_TRUE(Eventually([&] { return (*stack)->restarts("alpha") == 1; }, absl::Seconds(10)));
  ASSERT_TRUE((*stack)->WaitHealthy(absl::Seconds(10)).ok());
  EXPECT_EQ((*stack)->addresses().grpc.at("alpha"), address);
  EXPECT_TRUE(CheckHealth(address, absl::Seconds(5)).ok());
  EXPECT_NE((*stack)->pids().at("alpha"), before);
  EXPECT_EQ((*stack)->restarts("alpha"), 1);
  EXPECT_EQ((*stack)->restarts("beta"), 0);
  EXPECT_EQ((*stack)->restarts("nope"), -1);
  EXPECT_EQ((*stack)->KillService("nope", SIGKILL).code(), absl::StatusCode::kNotFound);
}

TEST_F(StackTest, StopLeavesNoChildProcess) {
  absl::StatusOr<std::unique_ptr<Stack>> stack = Stack::Start(TestOptions({"alpha", "beta"}));
  ASSERT_TRUE(stack.ok()) << stack.status();
  // Include a child forked by the supervisor thread after a crash.
  ASSERT_TRUE((*stack)->KillService("beta", SIGKILL).ok());
  ASSERT_TRUE(Eventually([&] { return (*stack)->restarts("beta") == 1; }, absl::Seconds(10)));
  ASSERT_TRUE((*stack)->WaitHealthy(absl::Seconds(10)).ok());
  const std::map<std::string, pid_t> pids = (*stack)->pids();
  EXPECT_EQ(pids.size(), 3u);  // alpha, beta, redis
  EXPECT_TRUE(pids.count("redis"));

  (*stack)->Stop();
  for (const auto& [name, pid] : pids) EXPECT_FALSE(Alive(pid)) << name << " pid " << pid;
  EXPECT_THAT(ChildrenOfThisProcess(), ::testing::IsEmpty());
  EXPECT_FALSE(FileExists(absl::StrCat(state_dir_, "/stack.env")));
  stack->reset();  // a second stop (from the destructor) is a no-op
}

TEST_F(StackTest, ServiceThatNeverBecomesHealthyFailsStartNamingIt) {
  StackOptions options = TestOptions({"alpha", "sick"});
  options.service_flags["sick"] = {"--health=not_serving"};
  options.health_timeout = absl::Seconds(3);
  absl::StatusOr<std::unique_ptr<Stack>> stack = Stack::Start(options);
  ASSERT_FALSE(stack.ok());
  EXPECT_EQ(stack.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(stack.status().message(), HasSubstr("service 'sick' did not become healthy"));
  EXPECT_THAT(stack.status().message(), HasSubstr("NOT_SERVING"));
  EXPECT_THAT(stack.status().message(), ::testing::Not(HasSubstr("'alpha'")));
  EXPECT_THAT(ChildrenOfThisProcess(), ::testing::IsEmpty());
  EXPECT_FALSE(FileExists(absl::StrCat(state_dir_, "/stack.env")));
}

TEST_F(StackTest, ServiceThatExitsAtStartFailsStartWithItsExitCode) {
  StackOptions options = TestOptions({"crashy"});
  options.service_flags["crashy"] = {"--exit-at-start=3"};
  absl::StatusOr<std::unique_ptr<Stack>> stack = Stack::Start(options);
  ASSERT_FALSE(stack.ok());
  EXPECT_THAT(stack.status().message(), HasSubstr("service 'crashy' exited with code 3"));
  EXPECT_THAT(stack.status().message(), HasSubstr("exiting with 3 as asked"));  // log tail
  EXPECT_THAT(ChildrenOfThisProcess(), ::testing::IsEmpty());
}

TEST_F(StackTest, NamedServiceWithoutBinaryIsNotFound) {
  StackOptions options = TestOptions({});
  options.services = {"no-such-service"};
  absl::StatusOr<std::unique_ptr<Stack>> stack = Stack::Start(options);
  ASSERT_FALSE(stack.ok());
  EXPECT_EQ(stack.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(stack.status().message(), HasSubstr("no-such-service"));
}

TEST_F(StackTest, KilledRedisIsRestartedAndRecoversFromItsAof) {
  absl::StatusOr<std::unique_ptr<Stack>> stack = Stack::Start(TestOptions({"alpha"}));
  ASSERT_TRUE(stack.ok()) << stack.status();
  const std::string redis = (*stack)->addresses().redis;
  absl::StatusOr<std::string> set =
      RedisCommand(redis, "SET stack-test-key kept", absl::Seconds(5));
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(*set, "+OK");

  ASSERT_TRUE((*stack)->KillRedis(SIGKILL).ok());
  ASSERT_TRUE(Eventually([&] { return (*stack)->restarts("redis") == 1; }, absl::Seconds(10)));
  ASSERT_TRUE(WaitForRedis(redis, absl::Seconds(10)).ok());
  absl::StatusOr<std::string> get = RedisCommand(redis, "GET stack-test-key", absl::Seconds(5));
  ASSERT_TRUE(get.ok()) << get.status();
  EXPECT_EQ(*get, "kept");
  EXPECT_EQ((*stack)->addresses().redis, redis);
}

TEST_F(StackTest, EmbeddedKafkaBrokerStartsUnderTheStack) {
  if (!FileExists(BinaryPath("bin/concerto-kafka"))) {
    GTEST_SKIP() << "bin/concerto-kafka is not built in " << BinDir()
                 << " (build target concerto-kafka to run this test)";
  }
  StackOptions options = TestOptions({"alpha"});
  options.kafka_brokers.clear();
  absl::StatusOr<std::unique_ptr<Stack>> stack = Stack::Start(options);
  ASSERT_TRUE(stack.ok()) << stack.status();
  const StackAddresses addresses = (*stack)->addresses();
  EXPECT_FALSE(addresses.kafka_brokers.empty());
  EXPECT_FALSE(addresses.kafka_control.empty());
  const std::string first(*absl::StrSplit(addresses.kafka_brokers, ',').begin());
  EXPECT_TRUE(CanConnect(first, absl::Seconds(5)).ok());
  EXPECT_TRUE((*stack)->pids().count("kafka"));
  absl::StatusOr<std::string> text = ReadFile(absl::StrCat(state_dir_, "/stack.env"));
  ASSERT_TRUE(text.ok());
  EXPECT_THAT(*text, HasSubstr(absl::StrCat("KAFKA_BROKERS=", addresses.kafka_brokers)));

  // A killed broker comes back (empty); stack.env and the services follow its new address.
  ASSERT_TRUE((*stack)->KillBroker(SIGKILL).ok());
  ASSERT_TRUE(Eventually([&] { return (*stack)->restarts("kafka") == 1; }, absl::Seconds(30)));
  ASSERT_TRUE((*stack)->WaitHealthy(absl::Seconds(20)).ok());
  const StackAddresses after = (*stack)->addresses();
  const std::string after_first(*absl::StrSplit(after.kafka_brokers, ',').begin());
  EXPECT_TRUE(CanConnect(after_first, absl::Seconds(5)).ok());
  text = ReadFile(absl::StrCat(state_dir_, "/stack.env"));
  ASSERT_TRUE(text.ok());
  EXPECT_THAT(*text, HasSubstr(absl::StrCat("KAFKA_BROKERS=", after.kafka_brokers, "\n")));
}

// RunCli runs concerto-stack with `args` and returns its exit code and stdout.
std::pair<int, std::string> RunCli(const std::vector<std::string>& args) {
  SubprocessOptions options;
  options.argv = {BinaryPath("bin/concerto-stack")};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  absl::StatusOr<std::unique_ptr<Subprocess>> cli = Subprocess::Start(options);
  if (!cli.ok()) return {-1, std::string(cli.status().message())};
  std::string out;
  while (auto line = (*cli)->ReadLine(absl::Seconds(60))) absl::StrAppend(&out, *line, "\n");
  return {(*cli)->Wait(absl::Seconds(60)).value_or(-1), out};
}

// Listener is a loopback TCP socket that accepts connections and never answers (enough for
// `status` to see "Kafka" reachable).
class Listener {
 public:
  Listener() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) == 0 && listen(fd_, 16) == 0 &&
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      address_ = absl::StrCat("127.0.0.1:", ntohs(addr.sin_port));
    }
  }
  ~Listener() { close(fd_); }
  const std::string& address() const { return address_; }

 private:
  int fd_ = -1;
  std::string address_;
};

TEST_F(StackTest, CommandUpStatusDown) {
  Listener kafka;
  ASSERT_FALSE(kafka.address().empty());
  const std::vector<std::string> common = {absl::StrCat("--state-dir=", state_dir_),
                                           absl::StrCat("--bin-dir=", BinDir())};
  std::vector<std::string> up = common;
  up.insert(up.end(), {absl::StrCat("--kafka-brokers=", kafka.address()), "--services=alpha",
                       absl::StrCat("--service-bin=alpha=", BinaryPath("bin/stack_test_service")),
                       "--health-timeout=20s", "up"});
  auto [up_code, up_out] = RunCli(up);
  ASSERT_EQ(up_code, 0) << up_out;
  EXPECT_THAT(up_out, HasSubstr("ALPHA_GRPC=127.0.0.1:"));
  EXPECT_THAT(up_out, HasSubstr(absl::StrCat("KAFKA_BROKERS=", kafka.address(), "\n")));
  absl::StatusOr<std::string> pid_text = ReadFile(absl::StrCat(state_dir_, "/stack.pid"));
  ASSERT_TRUE(pid_text.ok());
  int pid = 0;
  ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(*pid_text), &pid));
  EXPECT_TRUE(Alive(pid));

  // A second up refuses while the first runs.
  auto [again_code, again_out] = RunCli(up);
  EXPECT_EQ(again_code, 1);

  std::vector<std::string> status = common;
  status.push_back("status");
  auto [status_code, status_out] = RunCli(status);
  EXPECT_EQ(status_code, 0) << status_out;
  EXPECT_THAT(status_out, HasSubstr("alpha: health=SERVING admin: unavailable"));
  EXPECT_THAT(status_out, HasSubstr("redis: PONG"));
  EXPECT_THAT(status_out, HasSubstr("kafka: reachable"));

  std::vector<std::string> down = common;
  down.push_back("down");
  auto [down_code, down_out] = RunCli(down);
  EXPECT_EQ(down_code, 0) << down_out;
  EXPECT_THAT(down_out, HasSubstr("stopped"));
  EXPECT_FALSE(Alive(pid));
  EXPECT_FALSE(FileExists(absl::StrCat(state_dir_, "/stack.pid")));
  EXPECT_FALSE(FileExists(absl::StrCat(state_dir_, "/stack.env")));
  EXPECT_TRUE(FileExists(absl::StrCat(state_dir_, "/logs/stack.log")));

  auto [down2_code, down2_out] = RunCli(down);
  EXPECT_EQ(down2_code, 0);
  EXPECT_THAT(down2_out, HasSubstr("not running"));
  auto [status2_code, status2_out] = RunCli(status);
  EXPECT_EQ(status2_code, 3);
}

TEST_F(StackTest, CommandUpReportsWhyTheStackDidNotStart) {
  auto [code, out] =
      RunCli({absl::StrCat("--state-dir=", state_dir_), absl::StrCat("--bin-dir=", BinDir()),
              "--kafka-brokers=127.0.0.1:9", "--services=no-such-service", "up"});
  EXPECT_EQ(code, 1);
  EXPECT_FALSE(FileExists(absl::StrCat(state_dir_, "/stack.pid")));
}

TEST_F(StackTest, ForegroundStopsCleanlyOnSigint) {
  SubprocessOptions options;
  options.argv = {BinaryPath("bin/concerto-stack"),
                  absl::StrCat("--state-dir=", state_dir_),
                  absl::StrCat("--bin-dir=", BinDir()),
                  "--kafka-brokers=127.0.0.1:9",
                  "--services=alpha",
                  absl::StrCat("--service-bin=alpha=", BinaryPath("bin/stack_test_service")),
                  "--foreground",
                  "up"};
  absl::StatusOr<std::unique_ptr<Subprocess>> cli = Subprocess::Start(options);
  ASSERT_TRUE(cli.ok()) << cli.status();
  absl::StatusOr<std::string> grpc = (*cli)->ReadUntilPrefix("ALPHA_GRPC=", absl::Seconds(30));
  ASSERT_TRUE(grpc.ok()) << grpc.status();
  EXPECT_TRUE(CheckHealth(*grpc, absl::Seconds(5)).ok());
  (*cli)->Signal(SIGINT);
  EXPECT_EQ((*cli)->Wait(absl::Seconds(30)), 0);
  EXPECT_FALSE(FileExists(absl::StrCat(state_dir_, "/stack.pid")));
  EXPECT_FALSE(FileExists(absl::StrCat(state_dir_, "/stack.env")));
  EXPECT_FALSE(CheckHealth(*grpc, absl::Milliseconds(300)).ok());
}

}  // namespace
}  // namespace concerto::local
