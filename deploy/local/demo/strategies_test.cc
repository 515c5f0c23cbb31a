// The demo's strategies (deploy/local/demo/strategies/) are valid: each parses and validates,
// and every champion/challenger split names a version that ships with it.
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "gtest/gtest.h"
#include "services/dunning/domain/strategy_yaml.h"

namespace concerto::dunning {
namespace {

TEST(DemoStrategiesTest, EveryShippedStrategyValidatesAndItsChallengerShips) {
  std::map<std::pair<std::string, int>, v1::Strategy> all;
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(CONCERTO_DEMO_STRATEGIES)) {
    if (entry.path().extension() != ".yaml") continue;
    ++files;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    auto s = ParseStrategyYaml(text.str());
    ASSERT_TRUE(s.ok()) << entry.path() << ": " << s.status();
    all[{s->id(), s->version()}] = *s;
  }
  EXPECT_GE(files, 3);
  for (const auto& [key, s] : all) {
    if (!s.has_champion_challenger()) continue;
    EXPECT_TRUE(all.count({s.id(), s.champion_challenger().challenger_version()}))
        << key.first << " v" << key.second << " names a challenger that does not ship";
  }
}

}  // namespace
}  // namespace concerto::dunning
