#include "services/dunning/app/strategy_store.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace concerto::dunning {
namespace {

constexpr char kSep = '\x1f';

absl::Status ReplyError(const absl::StatusOr<platform::redis::Reply>& r, const char* what) {
  if (!r.ok()) return r.status();
  if (r->IsError()) return absl::UnavailableError(absl::StrCat("redis ", what, ": ", r->str));
  return absl::OkStatus();
}

}  // namespace

StrategyStore::StrategyStore(std::unique_ptr<platform::redis::RedisClient> client, std::string ns)
    : client_(std::move(client)),
      versions_key_(absl::StrCat(ns, ":strategies")),
      active_key_(absl::StrCat(ns, ":strategies:active")) {}

absl::Status StrategyStore::Save(const app::StoredStrategy& stored) {
  const std::string field = absl::StrCat(stored.tenant(), std::string(1, kSep),
                                         stored.strategy().id(), std::string(1, kSep),
                                         stored.strategy().version());
  auto set = client_->Command({"HSETNX", versions_key_, field, stored.SerializeAsString()});
  if (absl::Status s = ReplyError(set, "HSETNX"); !s.ok()) return s;
  if (set->integer == 1) return absl::OkStatus();
  auto existing = client_->Command({"HGET", versions_key_, field});
  if (absl::Status s = ReplyError(existing, "HGET"); !s.ok()) return s;
  app::StoredStrategy old;
  if (old.ParseFromString(existing->str) &&
      old.strategy().SerializeAsString() == stored.strategy().SerializeAsString()) {
    return absl::OkStatus();
  }
  return absl::AlreadyExistsError(absl::StrCat("version: ", stored.strategy().id(), " v",
                                               stored.strategy().version(),
                                               " exists with other content"));
}

absl::Status StrategyStore::SaveActive(const std::string& tenant, const std::string& id,
                                       int version) {
  auto r = client_->Command(
      {"HSET", active_key_, tenant, absl::StrCat(id, std::string(1, kSep), version)});
  return ReplyError(r, "HSET");
}

absl::StatusOr<std::vector<app::StoredStrategy>> StrategyStore::LoadAll() {
  auto r = client_->Command({"HGETALL", versions_key_});
  if (absl::Status s = ReplyError(r, "HGETALL"); !s.ok()) return s;
  std::vector<app::StoredStrategy> out;
  for (size_t i = 1; i < r->elements.size(); i += 2) {
    app::StoredStrategy s;
    if (!s.ParseFromString(r->elements[i].str)) {
      return absl::DataLossError(absl::StrCat("stored strategy ", r->elements[i - 1].str,
                                              " does not decode"));
    }
    out.push_back(std::move(s));
  }
  return out;
}

absl::StatusOr<std::map<std::string, std::pair<std::string, int>>> StrategyStore::LoadActive() {
  auto r = client_->Command({"HGETALL", active_key_});
  if (absl::Status s = ReplyError(r, "HGETALL"); !s.ok()) return s;
  std::map<std::string, std::pair<std::string, int>> out;
  for (size_t i = 1; i < r->elements.size(); i += 2) {
    std::vector<std::string> parts = absl::StrSplit(r->elements[i].str, kSep);
    int version = 0;
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[1], &version)) continue;
    out[r->elements[i - 1].str] = {parts[0], version};
  }
  return out;
}

}  // namespace concerto::dunning
