// concerto-dunning: wiring only. Loads the strategies (--strategy-files=a.yaml,b.yaml; the first
// is the active champion, further versions of it can be its challenger; the built-in default
// otherwise) and runs the case engine on the platform runtime, with the gRPC CaseService and
// StrategyService (cases are read from Redis at --redis over --shards shards, like the
// processor's; strategy versions put through the API are kept in Redis). --step-settle=1m: how
// long a step that is already due waits for the rest of an import (DunningOptions).
#include <cstdio>
#include <thread>

#include "absl/synchronization/notification.h"

#include "libs/platform/runtime/config.h"
#include "libs/platform/redis/redis_client.h"
#include "libs/platform/service_main.h"
#include "services/dunning/app/case_reader.h"
#include "services/dunning/app/case_service.h"
#include "services/dunning/app/dunning_handler.h"
#include "services/dunning/app/legal_ledger.h"
#include "services/dunning/app/strategy_files.h"
#include "services/dunning/app/strategy_service.h"
#include "services/dunning/app/strategy_store.h"

int main(int argc, char** argv) {
  concerto::dunning::StrategyBook strategies;
  concerto::dunning::LoadedStrategies loaded;
  concerto::dunning::DunningOptions options;
  std::string redis_address = "127.0.0.1:6379";
  int shards = 8;
  {
    // Only what the wiring needs is read here; RunService reads the rest of the configuration
    // (and reports a bad configuration itself).
    auto config = concerto::platform::Config::Load(argc, argv);
    const std::string files = config.ok() ? config->GetString("strategy-files", "") : "";
    if (absl::Status s = concerto::dunning::LoadStrategyFiles(files, &strategies, &loaded); !s.ok()) {
      std::fprintf(stderr, "dunning: %s\n", s.ToString().c_str());
      return 2;
    }
    if (config.ok()) {
      auto settle = config->GetDuration("step-settle", options.step_settle);
      if (!settle.ok()) {
        std::fprintf(stderr, "dunning: %s\n", settle.status().ToString().c_str());
        return 2;
      }
      options.step_settle = *settle;
      redis_address = config->GetString("redis", redis_address);
      auto n = config->GetInt("shards", shards);
      if (n.ok() && *n > 0) shards = static_cast<int>(*n);
    }
  }
  concerto::dunning::DunningHandler handler(&strategies, options);
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
