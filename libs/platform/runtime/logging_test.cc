#include "libs/platform/runtime/logging.h"

#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace concerto::platform {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

// ParseFlatJson parses a JSON object whose values are all strings (what log lines are) and
// decodes the escapes; nullopt if the text is not exactly such an object. Keys keep their order.
std::optional<std::vector<std::pair<std::string, std::string>>> ParseFlatJson(std::string_view s) {
  size_t i = 0;
  auto parse_string = [&](std::string& out) -> bool {
    if (i >= s.size() || s[i] != '"') return false;
    ++i;
    while (i < s.size() && s[i] != '"') {
      const auto c = static_cast<unsigned char>(s[i]);
      if (c < 0x20) return false;  // raw control characters are invalid JSON
      if (c != '\\') {
        out.push_back(s[i++]);
        continue;
      }
      if (++i >= s.size()) return false;
      switch (s[i]) {
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '/':
          out.push_back('/');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'u': {
          if (i + 4 >= s.size()) return false;
          const int cp = std::stoi(std::string(s.substr(i + 1, 4)), nullptr, 16);
          if (cp >= 0x80) return false;  // the logger only escapes ASCII controls
          out.push_back(static_cast<char>(cp));
          i += 4;
          break;
        }
        default:
          return false;
      }
      ++i;
    }
    if (i >= s.size()) return false;
    ++i;
    return true;
  };
  std::vector<std::pair<std::string, std::string>> fields;
  if (s.empty() || s[i++] != '{') return std::nullopt;
  while (true) {
    std::string key, value;
    if (!parse_string(key) || i >= s.size() || s[i++] != ':' || !parse_string(value)) {
      return std::nullopt;
    }
    fields.emplace_back(key, value);
    if (i >= s.size()) return std::nullopt;
    if (s[i] == ',') {
      ++i;
      continue;
    }
    if (s[i] == '}' && i + 1 == s.size()) return fields;
    return std::nullopt;
  }
}

std::map<std::string, std::string> AsMap(
    const std::vector<std::pair<std::string, std::string>>& fields) {
  return {fields.begin(), fields.end()};
}

class LoggingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitLogging("dunning", "dunning-0");
    SetMinLogLevel(LogLevel::kInfo);
    SetLogSink([this](std::string_view line) { lines_.emplace_back(line); });
  }
  void TearDown() override { SetLogSink(nullptr); }

  std::vector<std::string> lines_;
};

TEST_F(LoggingTest, LineIsOneJsonObjectWithFixedKeysFirst) {
  const absl::Time ts =
      absl::FromCivil(absl::CivilSecond(2024, 5, 1, 8, 0, 0), absl::UTCTimeZone()) +
      absl::Microseconds(123);
  const std::string line = FormatLogLine(LogLevel::kWarn, ts, "case opened", {{"case_id", "c-7"}});
  EXPECT_EQ(line, R"({"ts":"2024-05-01T08:00:00.000123Z","level":"warn","service":"dunning",)"
                  R"("instance":"dunning-0","msg":"case opened","case_id":"c-7"})");
}

TEST_F(LoggingTest, SpecialCharactersAreEscapedAndLineStaysValidJson) {
  const std::string nasty = "quote\" backslash\\ newline\n tab\t cr\r bell\x07 del\x7f";
  LogInfo(nasty, {{"field\"key", nasty}, {"utf8", "caf\xC3\xA9 \xE2\x82\xAC"}});
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(lines_[0].find('\n'), std::string::npos);
  auto parsed = ParseFlatJson(lines_[0]);
  ASSERT_TRUE(parsed.has_value()) << lines_[0];
  auto fields = AsMap(*parsed);
  EXPECT_EQ(fields["msg"], nasty);
  EXPECT_EQ(fields["field\"key"], nasty);
  EXPECT_EQ(fields["utf8"], "caf\xC3\xA9 \xE2\x82\xAC");
  EXPECT_THAT(lines_[0], HasSubstr(R"(bell\u0007 del\u007f)"));
}

TEST_F(LoggingTest, InvalidUtf8IsReplacedSoTheLineStaysValid) {
  std::string out;
  AppendJsonString(out,
                   "a\xFF"
                   "b\xC3");
  EXPECT_EQ(out,
            "\"a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD\"");
}

TEST_F(LoggingTest, CorrelationIdAppearsOnlyInsideScopeAndNestedScopesRestore) {
  LogInfo("before");
  {
    ScopedCorrelationId outer("evt-1");
    LogInfo("outer");
    {
      ScopedCorrelationId inner("evt-2");
      LogInfo("inner");
      EXPECT_EQ(CurrentCorrelationId(), "evt-2");
    }
    LogInfo("outer again");
  }
  LogInfo("after");
  ASSERT_EQ(lines_.size(), 5u);
  std::vector<std::string> ids;
  for (const std::string& line : lines_) {
    auto parsed = ParseFlatJson(line);
    ASSERT_TRUE(parsed.has_value()) << line;
    auto fields = AsMap(*parsed);
    ids.push_back(fields.count("correlation_id") ? fields["correlation_id"] : "-");
  }
  EXPECT_THAT(ids, ElementsAre("-", "evt-1", "evt-2", "evt-1", "-"));
  EXPECT_EQ(CurrentCorrelationId(), "");
}

TEST_F(LoggingTest, CorrelationIdIsPerThread) {
  ScopedCorrelationId main_scope("main");
  std::string seen_in_thread = "unset";
  std::thread([&] { seen_in_thread = CurrentCorrelationId(); }).join();
  EXPECT_EQ(seen_in_thread, "");
  EXPECT_EQ(CurrentCorrelationId(), "main");
}

TEST_F(LoggingTest, LinesBelowMinLevelAreDropped) {
  LogDebug("hidden");
  SetMinLogLevel(LogLevel::kWarn);
  LogInfo("hidden too");
  LogWarn("shown");
  LogError("shown too");
  ASSERT_EQ(lines_.size(), 2u);
  EXPECT_THAT(lines_[0], HasSubstr(R"("level":"warn")"));
  EXPECT_THAT(lines_[1], HasSubstr(R"("level":"error")"));
}

TEST_F(LoggingTest, FieldNamedLikeAFixedKeyIsRenamed) {
  LogInfo("m", {{"msg", "other"}, {"level", "x"}});
  ASSERT_EQ(lines_.size(), 1u);
  auto parsed = ParseFlatJson(lines_[0]);
  ASSERT_TRUE(parsed.has_value());
  auto fields = AsMap(*parsed);
  EXPECT_EQ(fields["msg"], "m");
  EXPECT_EQ(fields["field.msg"], "other");
  EXPECT_EQ(fields["level"], "info");
  EXPECT_EQ(parsed->size(), 7u);  // no duplicate keys
}

TEST_F(LoggingTest, LinesFromManyThreadsArriveWhole) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < 200; ++i) {
        LogInfo("concurrent", {{"thread", std::to_string(t)}, {"i", std::to_string(i)}});
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(lines_.size(), 800u);
  for (const std::string& line : lines_) ASSERT_TRUE(ParseFlatJson(line).has_value()) << line;
}

TEST(LogLevelTest, ParseLogLevelAcceptsNamesAndRejectsOthers) {
  EXPECT_EQ(*ParseLogLevel("DEBUG"), LogLevel::kDebug);
  EXPECT_EQ(*ParseLogLevel("warning"), LogLevel::kWarn);
  EXPECT_EQ(*ParseLogLevel("error"), LogLevel::kError);
  EXPECT_FALSE(ParseLogLevel("loud").ok());
}

}  // namespace
}  // namespace concerto::platform
