// concerto-dunning: wiring only. Loads the strategies (--strategy-files=a.yaml,b.yaml; the first
// is the active champion, further versions of it can be its challenger; the built-in default
// otherwise) and runs the case engine on the platform runtime.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/str_split.h"
#include "libs/platform/runtime/config.h"
#include "libs/platform/service_main.h"
#include "services/dunning/app/default_strategy.h"
#include "services/dunning/app/dunning_handler.h"
#include "services/dunning/domain/strategy_yaml.h"

namespace {

absl::Status LoadStrategies(const std::string& files, concerto::dunning::StrategyBook* book) {
  std::vector<std::string> texts;
  if (files.empty()) {
    texts.push_back(concerto::dunning::kDefaultStrategyYaml);
  } else {
    for (const std::string& path :
         std::vector<std::string>(absl::StrSplit(files, ',', absl::SkipEmpty()))) {
      std::ifstream in(path);
      if (!in) return absl::NotFoundError("strategy-files: cannot read " + path);
      std::stringstream ss;
      ss << in.rdbuf();
      texts.push_back(ss.str());
    }
  }
  for (const std::string& text : texts) {
    auto strategy = concerto::dunning::ParseStrategyYaml(text);
    if (!strategy.ok()) return strategy.status();
    if (absl::Status s = book->Put(*std::move(strategy)); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  concerto::dunning::StrategyBook strategies;
  {
    // Only the strategy flag is read here; RunService reads the rest of the configuration.
    auto config = concerto::platform::Config::Load(argc, argv);
    const std::string files = config.ok() ? config->GetString("strategy-files", "") : "";
    if (absl::Status s = LoadStrategies(files, &strategies); !s.ok()) {
      std::fprintf(stderr, "dunning: %s\n", s.ToString().c_str());
      return 2;
    }
  }
  concerto::dunning::DunningHandler handler(&strategies);
  concerto::platform::ServiceDefinition service;
  service.name = "dunning";
  service.input_topics = {"invoice.events", "payment.events", "contact.events", "legal.events"};
  service.output_topic = "case.events";
  service.domain = &handler;
  return concerto::platform::RunService(argc, argv, service);
}
