// StrategyStore: where strategy versions put over the API are kept, so they survive restarts
// and reach every dunning instance. Redis hash "<ns>:strategies" (field "<tenant>\x1f<id>\x1f
// <version>" -> StoredStrategy) and "<ns>:strategies:active" (field tenant -> "<id>\x1f<version>").
// Versions are write-once (HSETNX): a version never changes content once stored.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/platform/redis/redis_client.h"
#include "services/dunning/app/command.pb.h"

namespace concerto::dunning {

class StrategyStore {
 public:
  StrategyStore(std::unique_ptr<platform::redis::RedisClient> client, std::string ns = "dunning");

  // Save stores a version once; ALREADY_EXISTS when the version exists with other content
  // (saving the same content again is OK).
  absl::Status Save(const app::StoredStrategy& stored);
  // SaveActive records the tenant's active (id, version).
  absl::Status SaveActive(const std::string& tenant, const std::string& id, int version);
  // LoadAll returns every stored version.
  absl::StatusOr<std::vector<app::StoredStrategy>> LoadAll();
  // LoadActive returns tenant -> (id, version).
  absl::StatusOr<std::map<std::string, std::pair<std::string, int>>> LoadActive();

 private:
  std::unique_ptr<platform::redis::RedisClient> client_;
  const std::string versions_key_;
  const std::string active_key_;
};

}  // namespace concerto::dunning
