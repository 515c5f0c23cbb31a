#include "services/dunning/domain/strategy_yaml.h"

#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace concerto::dunning {
namespace {

using ::testing::HasSubstr;

std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(CONCERTO_DUNNING_TESTDATA) + "/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

constexpr char kMinimal[] = R"(id: s
version: 1
currency: EUR
segments:
  - name: all
    steps:
      - offset_days: 3
        contact: {channels: [email], template: t}
)";

std::string ErrorOf(const std::string& yaml) {
  auto s = ParseStrategyYaml(yaml);
  EXPECT_FALSE(s.ok()) << yaml;
  return s.ok() ? "" : std::string(s.status().message());
}

TEST(StrategyYaml, ParsesTheReadmeExampleGentleYaml) {
  auto s = ParseStrategyYaml(ReadTestdata("gentle.yaml"));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->id(), "gentle");
  EXPECT_EQ(s->version(), 3);
  EXPECT_EQ(s->currency(), "EUR");
  ASSERT_EQ(s->segments_size(), 3);
  EXPECT_EQ(s->segments(1).steps(0).offset_days(), -3);
  EXPECT_EQ(s->segments(1).steps(0).contact().channels(1), v1::CHANNEL_SMS);
  EXPECT_EQ(s->segments(0).steps(1).day_kind(), v1::DAY_KIND_BUSINESS);
  EXPECT_EQ(s->segments(0).steps(1).apply_fees().interest(), v1::INTEREST_RULE_IT);
  EXPECT_EQ(s->segments(1).match().balance().max().minor_units(), 100000);
  EXPECT_TRUE(s->segments(1).steps(6).escalate().require_final_notice_expired());
  EXPECT_EQ(s->champion_challenger().challenger_percent(), 20);
  EXPECT_EQ(s->guardrail().max_legal_ratio_bp(), 500);
  EXPECT_TRUE(s->pause_on().promise());
}

TEST(StrategyYaml, MinimalStrategyGetsDefaultPausesAndGuardrail) {
  auto s = ParseStrategyYaml(kMinimal);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->pause_on().dispute() && s->pause_on().hardship() && s->pause_on().promise() &&
              s->pause_on().plan());
  EXPECT_EQ(s->guardrail().max_legal_ratio_bp(), 500);
}

TEST(StrategyYaml, NonIntegerOffsetNamesFieldPathAndLine) {
  const std::string yaml = R"(id: s
version: 1
currency: EUR
segments:
  - name: a
    steps:
      - offset_days: 3
        contact: {channels: [email], template: t}
  - name: b
    steps:
      - offset_days: 1
        contact: {channels: [email], template: t}
      - offset_days: 5
        contact: {channels: [email], template: t}
      - offset_days: soon
        contact: {channels: [email], template: t}
)";
  EXPECT_THAT(ErrorOf(yaml),
              HasSubstr("segments[1].steps[2].offset_days (line 15): must be an integer"));
}

TEST(StrategyYaml, UnknownKeyIsAnErrorWithLine) {
  std::string yaml = kMinimal;
  yaml += "colour: blue\n";
  EXPECT_THAT(ErrorOf(yaml), HasSubstr("colour (line 9): unknown key"));
  const std::string nested = R"(id: s
version: 1
currency: EUR
segments:
  - name: all
    steps:
      - offset_days: 3
        contact: {channels: [email], template: t, tone: warm}
)";
  EXPECT_THAT(ErrorOf(nested),
              HasSubstr("segments[0].steps[0].contact.tone (line 8): unknown key"));
}

TEST(StrategyYaml, StepsMustBeInIncreasingOffsetOrder) {
  const std::string yaml = R"(id: s
version: 1
currency: EUR
segments:
  - name: all
    steps:
      - offset_days: 10
        contact: {channels: [email], template: t}
      - offset_days: 5
        contact: {channels: [email], template: t}
)";
  EXPECT_THAT(ErrorOf(yaml), HasSubstr("segments[0].steps[1].offset_days (line 9): steps must be "
                                       "in increasing offset order"));
}

TEST(StrategyYaml, AtLeastOneSegmentRequired) {
  EXPECT_THAT(ErrorOf("id: s\nversion: 1\ncurrency: EUR\nsegments: []\n"),
              HasSubstr("segments (line 4): at least one segment"));
  EXPECT_THAT(ErrorOf("id: s\nversion: 1\ncurrency: EUR\n"),
              HasSubstr("segments (line 1): required"));
}

TEST(StrategyYaml, ChallengerPercentMustBe0To100) {
  std::string yaml = kMinimal;
  yaml += "champion_challenger:\n  challenger_version: 2\n  challenger_percent: 140\n";
  EXPECT_THAT(ErrorOf(yaml),
              HasSubstr("champion_challenger.challenger_percent (line 11): must be 0..100"));
}

TEST(StrategyYaml, UnknownCurrencyAndForeignAmountsRejected) {
  EXPECT_THAT(ErrorOf(R"(id: s
version: 1
currency: EUX
segments:
  - name: all
    steps:
      - offset_days: 3
        contact: {channels: [email], template: t}
)"),
              HasSubstr("currency (line 3): unknown ISO 4217 currency 'EUX'"));
  EXPECT_THAT(ErrorOf(R"(id: s
version: 1
currency: EUR
segments:
  - name: all
    match: {balance: {min: "GBP 10.00"}}
    steps:
      - offset_days: 3
        contact: {channels: [email], template: t}
)"),
              HasSubstr("segments[0].match.balance.min (line 6): currency GBP differs"));
}

TEST(StrategyYaml, EscalateRequiringFinalNoticeMustComeAfterOne) {
  EXPECT_THAT(ErrorOf(R"(id: s
version: 1
currency: EUR
segments:
  - name: all
    steps:
      - offset_days: 3
        contact: {channels: [email], template: t}
      - offset_days: 30
        escalate: {require_final_notice_expired: true}
)"),
              HasSubstr("segments[0].steps[1].escalate (line 10): requires an expired final "
                        "notice but no final_notice step comes before it"));
}

TEST(StrategyYaml, StepNeedsExactlyOneAction) {
  EXPECT_THAT(ErrorOf(R"(id: s
version: 1
currency: EUR
segments:
  - name: all
    steps:
      - offset_days: 3
        contact: {channels: [email], template: t}
        call_task: {queue: q}
)"),
              HasSubstr("segments[0].steps[0] (line 7): has 2 actions (contact, call_task)"));
  EXPECT_THAT(ErrorOf(R"(id: s
version: 1
currency: EUR
segments:
  - name: all
    steps:
      - offset_days: 3
)"),
              HasSubstr("segments[0].steps[0] (line 7): needs one action"));
}

TEST(StrategyYaml, UnknownChannelAndFeeRulesNamed) {
  EXPECT_THAT(ErrorOf(R"(id: s
version: 1
currency: EUR
segments:
  - name: all
    steps:
      - offset_days: 3
        contact: {channels: [pigeon], template: t}
      - offset_days: 9
        apply_fees: {fees: [uk_fixed_sum]}
)"),
              ::testing::AllOf(
                  HasSubstr("segments[0].steps[0].contact.channels[0] (line 8): must be one of"),
                  HasSubstr("segments[0].steps[1].apply_fees.fees[0] (line 10): uk_fixed_sum "
                            "applies to GBP claims")));
}

TEST(StrategyYaml, PauseOnMustKeepDisputeAndHardship) {
  std::string yaml = kMinimal;
  yaml += "pause_on: [promise]\n";
  EXPECT_THAT(ErrorOf(yaml), HasSubstr("pause_on (line 9): must include dispute and hardship"));
}

TEST(StrategyYaml, EscalationCannotRunBeforeDueDate) {
  EXPECT_THAT(ErrorOf(R"(id: s
version: 1
currency: EUR
segments:
  - name: all
    steps:
      - offset_days: -2
        escalate: {}
)"),
              HasSubstr("segments[0].steps[0].offset_days (line 7): a escalate step cannot run "
                        "before the due date"));
}

TEST(StrategyYaml, MalformedYamlReportsLine) {
  EXPECT_THAT(ErrorOf("id: s\nversion: [1\n"), HasSubstr("yaml (line"));
}

}  // namespace
}  // namespace concerto::dunning

namespace concerto::dunning {
namespace {

TEST(StrategyYaml, ReadmeExampleMatchesTestdata) {
  std::ifstream in(std::string(CONCERTO_DUNNING_TESTDATA) + "/../../README.md");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string readme = ss.str();
  const size_t start = readme.find("```yaml\n");
  ASSERT_NE(start, std::string::npos);
  const size_t end = readme.find("```", start + 8);
  ASSERT_NE(end, std::string::npos);
  const std::string block = readme.substr(start + 8, end - start - 8);
  EXPECT_EQ(block, ReadTestdata("gentle.yaml"));
  EXPECT_TRUE(ParseStrategyYaml(block).ok());
}

}  // namespace
}  // namespace concerto::dunning
