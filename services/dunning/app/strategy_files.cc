#include "services/dunning/app/strategy_files.h"

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/str_split.h"
#include "services/dunning/app/default_strategy.h"
#include "services/dunning/domain/strategy_yaml.h"

namespace concerto::dunning {

absl::Status LoadStrategyFiles(const std::string& files, StrategyBook* book,
                               LoadedStrategies* loaded) {
  std::vector<std::pair<std::string, std::string>> texts;  // tenant, yaml
  if (files.empty()) {
    texts.emplace_back("", kDefaultStrategyYaml);
  } else {
    for (const std::string& item :
         std::vector<std::string>(absl::StrSplit(files, ',', absl::SkipEmpty()))) {
      std::string tenant, path = item;
      if (const size_t eq = item.find('='); eq != std::string::npos) {
        tenant = item.substr(0, eq);
        path = item.substr(eq + 1);
      }
      std::ifstream in(path);
      if (!in) return absl::NotFoundError("strategy-files: cannot read " + path);
      std::stringstream ss;
      ss << in.rdbuf();
      texts.emplace_back(tenant, ss.str());
    }
  }
  for (const auto& [tenant, text] : texts) {
    auto strategy = ParseStrategyYaml(text);
    if (!strategy.ok()) return strategy.status();
    if (loaded != nullptr) loaded->emplace_back(tenant, *strategy, text);
    const std::string id = strategy->id();
    const int version = strategy->version();
    if (absl::Status s = book->Put(tenant, *std::move(strategy)); !s.ok()) return s;
    if (!tenant.empty()) {
      if (absl::Status s = book->Activate(tenant, id, version); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace concerto::dunning
