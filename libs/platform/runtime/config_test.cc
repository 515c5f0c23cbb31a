#include "libs/platform/runtime/config.h"

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/testing/status_matchers.h"

namespace concerto::platform {
namespace {

using ::concerto::testing::IsOk;
using ::concerto::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Args keeps argv storage alive for Config::Load.
class Args {
 public:
  Args(std::initializer_list<std::string> args) : strings_{"prog"} {
    strings_.insert(strings_.end(), args.begin(), args.end());
    for (std::string& s : strings_) ptrs_.push_back(s.data());
    ptrs_.push_back(nullptr);
  }
  int argc() const { return static_cast<int>(strings_.size()); }
  char** argv() { return ptrs_.data(); }

 private:
  std::vector<std::string> strings_;
  std::vector<char*> ptrs_;
};

// ScopedEnv sets an environment variable for the test's duration.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const std::string& value) : name_(std::move(name)) {
    ::setenv(name_.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() { ::unsetenv(name_.c_str()); }

 private:
  std::string name_;
};

std::string WriteFile(const std::string& name, const std::string& content) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << content;
  return path;
}

TEST(ConfigTest, LaterSourcesWinDefaultsYamlEnvFlags) {
  const std::string yaml =
      WriteFile("precedence.yaml", "from-yaml: y\nfrom-env: y\nfrom-flag: y\n");
  ScopedEnv env1("CONCERTO_FROM_ENV", "e");
  ScopedEnv env2("CONCERTO_FROM_FLAG", "e");
  Args args{"--config=" + yaml, "--from-flag=f"};
  absl::StatusOr<Config> config = Config::Load(
      args.argc(), args.argv(),
      {{"from-default", "d"}, {"from-yaml", "d"}, {"from-env", "d"}, {"from-flag", "d"}});
  ASSERT_THAT(config, IsOk());
  EXPECT_EQ(config->GetString("from-default"), "d");
  EXPECT_EQ(config->GetString("from-yaml"), "y");
  EXPECT_EQ(config->GetString("from-env"), "e");
  EXPECT_EQ(config->GetString("from-flag"), "f");
}

TEST(ConfigTest, YamlNestedMapsFlattenWithDotsAndSequencesJoinWithCommas) {
  const std::string yaml = WriteFile("nested.yaml",
                                     "redis:\n  address: 127.0.0.1:6379\n  pool:\n    size: 4\n"
                                     "kafka-brokers: [a:9092, b:9092]\n"
                                     "empty:\n");
  Args args{"--config=" + yaml};
  absl::StatusOr<Config> config = Config::Load(args.argc(), args.argv());
  ASSERT_THAT(config, IsOk());
  EXPECT_EQ(config->GetString("redis.address"), "127.0.0.1:6379");
  EXPECT_EQ(*config->GetInt("redis.pool.size", 0), 4);
  EXPECT_EQ(config->GetString("kafka-brokers"), "a:9092,b:9092");
  EXPECT_TRUE(config->Has("empty"));
  EXPECT_EQ(config->GetString("empty", "x"), "");
  EXPECT_FALSE(config->Has("redis"));
}

TEST(ConfigTest, EnvOverridesDottedYamlKeyThroughUnderscoreName) {
  const std::string yaml = WriteFile("dotted.yaml", "redis:\n  address: from-yaml\n");
  ScopedEnv env("CONCERTO_REDIS_ADDRESS", "from-env");
  Args args{"--config=" + yaml};
  absl::StatusOr<Config> config = Config::Load(args.argc(), args.argv());
  ASSERT_THAT(config, IsOk());
  EXPECT_EQ(config->GetString("redis.address"), "from-env");
  EXPECT_FALSE(config->Has("redis-address"));
  EXPECT_EQ(Config::EnvVarName("redis.address"), "CONCERTO_REDIS_ADDRESS");
  EXPECT_EQ(Config::EnvVarName("kafka-brokers"), "CONCERTO_KAFKA_BROKERS");
}

TEST(ConfigTest, UndeclaredEnvVarBecomesKebabKey) {
  ScopedEnv env("CONCERTO_SOME_NEW_KEY", "v");
  Args args{};
  absl::StatusOr<Config> config = Config::Load(args.argc(), args.argv());
  ASSERT_THAT(config, IsOk());
  EXPECT_EQ(config->GetString("some-new-key"), "v");
}

TEST(ConfigTest, ConfigFileCanComeFromEnv) {
  const std::string yaml = WriteFile("env-file.yaml", "grpc-port: 7001\n");
  ScopedEnv env("CONCERTO_CONFIG", yaml);
  Args args{};
  absl::StatusOr<Config> config = Config::Load(args.argc(), args.argv());
  ASSERT_THAT(config, IsOk());
  EXPECT_EQ(*config->GetInt("grpc-port", 0), 7001);
}

TEST(ConfigTest, BareFlagMeansTrueAndLastFlagWins) {
  Args args{"--verbose", "--grpc-port=1", "--grpc-port=2", "--empty="};
  absl::StatusOr<Config> config = Config::Load(args.argc(), args.argv());
  ASSERT_THAT(config, IsOk());
  EXPECT_TRUE(*config->GetBool("verbose", false));
  EXPECT_EQ(*config->GetInt("grpc-port", 0), 2);
  EXPECT_EQ(config->GetString("empty", "x"), "");
}

TEST(ConfigTest, ArgumentsAfterDoubleDashArePositional) {
  Args args{"--mode=x", "--", "one", "--two"};
  absl::StatusOr<Config> config = Config::Load(args.argc(), args.argv());
  ASSERT_THAT(config, IsOk());
  EXPECT_THAT(config->Positional(), ElementsAre("one", "--two"));
  EXPECT_FALSE(config->Has("two"));
}

TEST(ConfigTest, StrayArgumentIsInvalidArgumentNamingIt) {
  Args args{"--ok=1", "stray"};
  absl::StatusOr<Config> config = Config::Load(args.argc(), args.argv());
  EXPECT_THAT(config, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(config.status().message(), HasSubstr("'stray'"));
}

TEST(ConfigTest, MalformedFlagsAreInvalidArgumentNamingThem) {
  for (const std::string bad : {"-x", "--=1", "--Grpc-Port=1", "---x", "--a b=1"}) {
    Args args{bad};
    absl::StatusOr<Config> config = Config::Load(args.argc(), args.argv());
    EXPECT_THAT(config, StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
    EXPECT_THAT(config.status().message(), HasSubstr("'" + bad + "'"));
  }
}

TEST(ConfigTest, MissingConfigFileIsNotFound) {
  Args args{"--config=/nonexistent/concerto.yaml"};
  absl::StatusOr<Config> config = Config::Load(args.argc(), args.argv());
  EXPECT_THAT(config, StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(config.status().message(), HasSubstr("/nonexistent/concerto.yaml"));
}

TEST(ConfigTest, InvalidYamlIsInvalidArgumentNotAnException) {
  const std::string yaml = WriteFile("broken.yaml", "a: [1, 2\nb: {\n");
  Args args{"--config=" + yaml};
  EXPECT_THAT(Config::Load(args.argc(), args.argv()), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ConfigTest, YamlSequenceOfMapsIsInvalidArgumentNamingKey) {
  const std::string yaml = WriteFile("seqmap.yaml", "brokers:\n  - host: a\n");
  Args args{"--config=" + yaml};
  absl::StatusOr<Config> config = Config::Load(args.argc(), args.argv());
  EXPECT_THAT(config, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(config.status().message(), HasSubstr("brokers"));
}

TEST(ConfigTest, BadIntReportsKeyAndValue) {
  Config config = Config::FromMap({{"grpc-port", "70x1"}});
  absl::StatusOr<int64_t> port = config.GetInt("grpc-port", 0);
  EXPECT_THAT(port, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(port.status().message(), HasSubstr("grpc-port"));
  EXPECT_THAT(port.status().message(), HasSubstr("70x1"));
}

TEST(ConfigTest, TypedGettersParseAndFallBack) {
  Config config = Config::FromMap(
      {{"n", "-42"}, {"b1", "Yes"}, {"b0", "off"}, {"d", "1m30s"}, {"ms", "500ms"}, {"x", "1.5"}});
  EXPECT_EQ(*config.GetInt("n", 0), -42);
  EXPECT_EQ(*config.GetInt("missing", 7), 7);
  EXPECT_TRUE(*config.GetBool("b1", false));
  EXPECT_FALSE(*config.GetBool("b0", true));
  EXPECT_TRUE(*config.GetBool("missing", true));
  EXPECT_EQ(*config.GetDuration("d", absl::ZeroDuration()), absl::Seconds(90));
  EXPECT_EQ(*config.GetDuration("ms", absl::ZeroDuration()), absl::Milliseconds(500));
  EXPECT_EQ(*config.GetDuration("missing", absl::Seconds(3)), absl::Seconds(3));
  EXPECT_DOUBLE_EQ(*config.GetDouble("x", 0), 1.5);
  EXPECT_EQ(config.GetString("missing", "fb"), "fb");
}

TEST(ConfigTest, BadBoolAndDurationReportKeyAndValue) {
  Config config = Config::FromMap({{"flag", "maybe"}, {"timeout", "5 parsecs"}});
  absl::StatusOr<bool> b = config.GetBool("flag", false);
  EXPECT_THAT(b, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(b.status().message(), HasSubstr("'flag'"));
  EXPECT_THAT(b.status().message(), HasSubstr("maybe"));
  absl::StatusOr<absl::Duration> d = config.GetDuration("timeout", absl::ZeroDuration());
  EXPECT_THAT(d, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(d.status().message(), HasSubstr("'timeout'"));
  EXPECT_THAT(d.status().message(), HasSubstr("5 parsecs"));
}

}  // namespace
}  // namespace concerto::platform
