// concerto-dunning: wiring only. Loads the strategies (--strategy-files=a.yaml,b.yaml; the first
// is the active champion, further versions of it can be its challenger; the built-in default
// otherwise) and runs the case engine on the platform runtime, with the gRPC CaseService and
// StrategyService (cases are read from Redis at --redis over --shards shards, like the
// processor's; strategy versions put through the API live in memory).
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>
#include <tuple>

#include "absl/synchronization/notification.h"

#include "absl/strings/str_split.h"
#include "libs/platform/runtime/config.h"
#include "libs/platform/redis/redis_client.h"
#include "libs/platform/service_main.h"
#include "services/dunning/app/case_reader.h"
#include "services/dunning/app/case_service.h"
#include "services/dunning/app/default_strategy.h"
#include "services/dunning/app/dunning_handler.h"
#include "services/dunning/app/legal_ledger.h"
#include "services/dunning/app/strategy_service.h"
#include "services/dunning/app/strategy_store.h"
#include "services/dunning/domain/strategy_yaml.h"

namespace {

// Loaded: (tenant, strategy, yaml) of every version read from --strategy-files.
using Loaded = std::vector<std::tuple<std::string, concerto::dunning::v1::Strategy, std::string>>;

// LoadStrategies reads "--strategy-files=a.yaml,tenant1=b.yaml": a file without a tenant is
// shared by every tenant; "tenant=path" belongs to that tenant (and is its active strategy).
absl::Status LoadStrategies(const std::string& files, concerto::dunning::StrategyBook* book,
                            Loaded* loaded) {
  std::vector<std::pair<std::string, std::string>> texts;  // tenant, yaml
  if (files.empty()) {
    texts.emplace_back("", concerto::dunning::kDefaultStrategyYaml);
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
    auto strategy = concerto::dunning::ParseStrategyYaml(text);
    if (!strategy.ok()) return strategy.status();
    loaded->emplace_back(tenant, *strategy, text);
    const std::string id = strategy->id();
    const int version = strategy->version();
    if (absl::Status s = book->Put(tenant, *std::move(strategy)); !s.ok()) return s;
    if (!tenant.empty()) {
      if (absl::Status s = book->Activate(tenant, id, version); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  concerto::dunning::StrategyBook strategies;
  Loaded loaded;
  std::string redis_address = "127.0.0.1:6379";
  int shards = 8;
  {
    // Only what the wiring needs is read here; RunService reads the rest of the configuration
    // (and reports a bad configuration itself).
    auto config = concerto::platform::Config::Load(argc, argv);
    const std::string files = config.ok() ? config->GetString("strategy-files", "") : "";
    if (absl::Status s = LoadStrategies(files, &strategies, &loaded); !s.ok()) {
      std::fprintf(stderr, "dunning: %s\n", s.ToString().c_str());
      return 2;
    }
    if (config.ok()) {
      redis_address = config->GetString("redis", redis_address);
      auto n = config->GetInt("shards", shards);
      if (n.ok() && *n > 0) shards = static_cast<int>(*n);
    }
  }
  concerto::dunning::DunningHandler handler(&strategies);
  std::unique_ptr<concerto::dunning::StrategyStore> store;
  concerto::dunning::StrategyServiceImpl* strategy_service = nullptr;
  absl::Notification stop_refresh;
  std::thread refresher;
  concerto::platform::ServiceDefinition service;
  service.name = "dunning";
  service.input_topics = {"invoice.events", "payment.events", "contact.events", "legal.events",
                          concerto::dunning::kLedgerTopic};
  service.output_topic = "case.events";
  service.domain = &handler;
  service.apis = [&](const concerto::platform::ServiceContext& ctx) {
    std::vector<std::unique_ptr<grpc::Service>> apis;
    // The read side has its own connection (the processor is up, so Redis answers; the client
    // reconnects after a drop).
    auto client = concerto::platform::redis::RedisClient::Connect(redis_address);
    if (client.ok()) {
      apis.push_back(std::make_unique<concerto::dunning::CaseServiceImpl>(
          ctx.processor,
          std::make_unique<concerto::dunning::CaseReader>(*std::move(client), shards),
          ctx.clock));
    } else {
      std::fprintf(stderr, "dunning: CaseService not served: %s\n",
                   client.status().ToString().c_str());
    }
    // Versions put over the API live in Redis; every instance's book follows the store.
    auto store_client = concerto::platform::redis::RedisClient::Connect(redis_address);
    if (store_client.ok()) {
      store = std::make_unique<concerto::dunning::StrategyStore>(*std::move(store_client));
    } else {
      std::fprintf(stderr, "dunning: strategy store not available: %s\n",
                   store_client.status().ToString().c_str());
    }
    auto strategy_api = std::make_unique<concerto::dunning::StrategyServiceImpl>(
        &strategies, ctx.clock, store.get());
    for (const auto& [tenant, strategy, yaml] : loaded) {
      if (tenant.empty()) strategy_api->RecordSource(strategy, yaml);
    }
    if (absl::Status s = strategy_api->Refresh(); !s.ok()) {
      std::fprintf(stderr, "dunning: strategy refresh: %s\n", s.ToString().c_str());
    }
    strategy_service = strategy_api.get();
    refresher = std::thread([&] {
      while (!stop_refresh.WaitForNotificationWithTimeout(absl::Seconds(1))) {
        (void)strategy_service->Refresh();  // transient errors: the next round tries again
      }
    });
    apis.push_back(std::move(strategy_api));
    return apis;
  };
  const int rc = concerto::platform::RunService(argc, argv, service);
  stop_refresh.Notify();
  if (refresher.joinable()) refresher.join();
  return rc;
}
