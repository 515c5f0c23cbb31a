#include "services/dunning/app/strategy_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "services/dunning/app/api_validation.h"
#include "services/dunning/domain/simulation.h"
#include "services/dunning/domain/strategy_yaml.h"

namespace concerto::dunning {
namespace {

constexpr int kMaxCasesInReply = 1000;

}  // namespace

absl::StatusOr<v1::Strategy> ParseForApi(const std::string& yaml) {
  absl::StatusOr<v1::Strategy> parsed = ParseStrategyYaml(yaml);
  if (parsed.ok() || parsed.status().code() != absl::StatusCode::kInvalidArgument) return parsed;
  FieldErrors errors = FieldErrorsOf(parsed.status());
  if (errors.empty()) errors.push_back({"yaml", std::string(parsed.status().message())});
  for (FieldError& e : errors) {
    if (e.field != "yaml") e.field = absl::StrCat("yaml.", e.field);
  }
  return InvalidArgument(errors);
}

void StrategyServiceImpl::RecordSource(const v1::Strategy& strategy, std::string yaml) {
  absl::MutexLock lock(&mu_);
  Source& s = sources_[{"", strategy.id(), strategy.version()}];
  s.yaml = std::move(yaml);
  s.info.mutable_created_by()->set_id("strategy-files");
  s.info.mutable_created_by()->set_role(common::v1::Actor::ROLE_SYSTEM);
}

const StrategyServiceImpl::Source* StrategyServiceImpl::FindSourceLocked(
    const std::string& tenant, const std::string& id, int version) const {
  for (const std::string& t : {tenant, std::string()}) {
    if (auto it = sources_.find({t, id, version}); it != sources_.end()) return &it->second;
  }
  return nullptr;
}

absl::Status StrategyServiceImpl::Refresh() {
  if (store_ == nullptr) return absl::OkStatus();
  absl::StatusOr<std::vector<app::StoredStrategy>> all = store_->LoadAll();
  if (!all.ok()) return all.status();
  for (app::StoredStrategy& stored : *all) {
    if (absl::Status s = book_->Put(stored.tenant(), stored.strategy()); !s.ok()) return s;
    absl::MutexLock lock(&mu_);
    Source& src = sources_[{stored.tenant(), stored.strategy().id(), stored.strategy().version()}];
    src.yaml = stored.yaml();
    src.info = stored.info();
  }
  auto active = store_->LoadActive();
  if (!active.ok()) return active.status();
  for (const auto& [tenant, key] : *active) {
    if (book_->Active(tenant) == key) continue;
    if (absl::Status s = book_->Activate(tenant, key.first, key.second); !s.ok()) return s;
  }
  return absl::OkStatus();
}

grpc::Status StrategyServiceImpl::PutStrategy(grpc::ServerContext*,
                                              const v1::PutStrategyRequest* request,
                                              v1::PutStrategyResponse* response) {
  if (FieldErrors e = ValidatePutStrategy(*request); !e.empty()) {
    return ToGrpc(InvalidArgument(e));
  }
  absl::StatusOr<v1::Strategy> strategy = ParseForApi(request->yaml());
  if (!strategy.ok()) return ToGrpc(strategy.status());
  const std::string& tenant = request->context().tenant();
  if (auto existing = book_->Get(tenant, strategy->id(), strategy->version()); existing != nullptr) {
    if (existing->SerializeAsString() != strategy->SerializeAsString()) {
      int next = 1;
      for (const v1::Strategy& s : book_->All(tenant)) {
        if (s.id() == strategy->id()) next = std::max(next, s.version() + 1);
      }
      return grpc::Status(grpc::StatusCode::ALREADY_EXISTS,
                          absl::StrCat("version: ", StrategyLabel(strategy->id(), strategy->version()),
                                       " exists with other content; the next version is ", next));
    }
    *response->mutable_strategy() = *existing;  // the same content again: idempotent
    return grpc::Status::OK;
  }
  Source src;
  src.yaml = request->yaml();
  *src.info.mutable_created_by() = request->context().actor();
  *src.info.mutable_created_at() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(clock_->Now()));
  if (store_ != nullptr) {
    // Durable first: the book follows the store.
    app::StoredStrategy stored;
    stored.set_tenant(tenant);
    *stored.mutable_strategy() = *strategy;
    stored.set_yaml(src.yaml);
    *stored.mutable_info() = src.info;
    if (absl::Status s = store_->Save(stored); !s.ok()) return ToGrpc(s);
  }
  if (absl::Status s = book_->Put(tenant, *strategy); !s.ok()) return ToGrpc(s);
  {
    absl::MutexLock lock(&mu_);
    sources_[{tenant, strategy->id(), strategy->version()}] = std::move(src);
  }
  *response->mutable_strategy() = *std::move(strategy);
  return grpc::Status::OK;
}

grpc::Status StrategyServiceImpl::GetStrategy(grpc::ServerContext*,
                                              const v1::GetStrategyRequest* request,
                                              v1::GetStrategyResponse* response) {
  if (FieldErrors e = ValidateGetStrategy(*request); !e.empty()) {
    return ToGrpc(InvalidArgument(e));
  }
  const std::string& tenant = request->context().tenant();
  auto s = book_->Get(tenant, request->strategy_id(), request->version());
  if (s == nullptr) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        request->version() == 0
                            ? absl::StrCat("strategy_id: ", request->strategy_id(), " is not active")
                            : absl::StrCat("version: ", StrategyLabel(request->strategy_id(),
                                                                      request->version()),
                                           " is not loaded"));
  }
  *response->mutable_strategy() = *s;
  response->set_active(book_->Active(tenant) == std::make_pair(s->id(), s->version()));
  absl::MutexLock lock(&mu_);
  if (const Source* src = FindSourceLocked(tenant, s->id(), s->version()); src != nullptr) {
    response->set_yaml(src->yaml);
  }
  return grpc::Status::OK;
}

grpc::Status StrategyServiceImpl::ListVersions(grpc::ServerContext*,
                                               const v1::ListVersionsRequest* request,
                                               v1::ListVersionsResponse* response) {
  if (FieldErrors e = ValidateListVersions(*request); !e.empty()) {
    return ToGrpc(InvalidArgument(e));
  }
  const std::string& tenant = request->context().tenant();
  const auto active = book_->Active(tenant);
  std::vector<v1::Strategy> all = book_->All(tenant);
  std::sort(all.begin(), all.end(),
            [](const v1::Strategy& a, const v1::Strategy& b) { return a.version() < b.version(); });
  absl::MutexLock lock(&mu_);
  for (const v1::Strategy& s : all) {
    if (s.id() != request->strategy_id()) continue;
    v1::StrategyVersionInfo* info = response->add_versions();
    if (const Source* src = FindSourceLocked(tenant, s.id(), s.version()); src != nullptr) {
      *info = src->info;
    }
    info->set_version(s.version());
    info->set_active(active == std::make_pair(s.id(), s.version()));
    info->set_description(s.description());
  }
  if (response->versions().empty()) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        absl::StrCat("strategy_id: no version of ", request->strategy_id()));
  }
  return grpc::Status::OK;
}

grpc::Status StrategyServiceImpl::ActivateStrategy(grpc::ServerContext*,
                                                   const v1::ActivateStrategyRequest* request,
                                                   v1::ActivateStrategyResponse* response) {
  if (FieldErrors e = ValidateActivateStrategy(*request); !e.empty()) {
    return ToGrpc(InvalidArgument(e));
  }
  const std::string& tenant = request->context().tenant();
  auto s = book_->Get(tenant, request->strategy_id(), request->version());
  if (s == nullptr) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        absl::StrCat("version: ", StrategyLabel(request->strategy_id(),
                                                                request->version()),
                                     " is not loaded"));
  }
  if (s->has_champion_challenger() &&
      book_->Get(tenant, s->id(), s->champion_challenger().challenger_version()) == nullptr) {
    return grpc::Status(
        grpc::StatusCode::FAILED_PRECONDITION,
        absl::StrCat("champion_challenger.challenger_version: ",
                     StrategyLabel(s->id(), s->champion_challenger().challenger_version()),
                     " is not loaded; put it first"));
  }
  if (store_ != nullptr) {
    if (absl::Status st = store_->SaveActive(tenant, s->id(), s->version()); !st.ok()) {
      return ToGrpc(st);
    }
  }
  if (absl::Status st = book_->Activate(tenant, s->id(), s->version()); !st.ok()) return ToGrpc(st);
  *response->mutable_strategy() = *s;
  return grpc::Status::OK;
}

grpc::Status StrategyServiceImpl::Simulate(grpc::ServerContext*,
                                           const v1::SimulateRequest* request,
                                           v1::SimulateResponse* response) {
  if (FieldErrors e = ValidateSimulate(*request); !e.empty()) return ToGrpc(InvalidArgument(e));
  std::shared_ptr<const v1::Strategy> champion;
  if (request->strategy_source_case() == v1::SimulateRequest::kYaml) {
    absl::StatusOr<v1::Strategy> parsed = ParseForApi(request->yaml());
    if (!parsed.ok()) return ToGrpc(parsed.status());
    champion = std::make_shared<const v1::Strategy>(*std::move(parsed));
  } else {
    champion = book_->Get(request->context().tenant(), request->strategy_id(),
                          request->stored_version());
    if (champion == nullptr) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND,
                          absl::StrCat("stored_version: ", StrategyLabel(request->strategy_id(),
                                                                         request->stored_version()),
                                       " is not loaded"));
    }
  }
  std::shared_ptr<const v1::Strategy> challenger;
  if (champion->has_champion_challenger()) {
    challenger = book_->Get(request->context().tenant(), champion->id(),
                            champion->champion_challenger().challenger_version());
    if (challenger == nullptr) {
      return grpc::Status(
          grpc::StatusCode::FAILED_PRECONDITION,
          absl::StrCat("champion_challenger.challenger_version: ",
                       StrategyLabel(champion->id(),
                                     champion->champion_challenger().challenger_version()),
                       " is not loaded; put it first"));
    }
  }
  SimulationOptions options;
  options.champion = champion.get();
  options.challenger = challenger.get();
  options.portfolio = request->portfolio();
  if (request->days() > 0) options.days = request->days();
  if (request->seed() != 0) options.seed = request->seed();
  options.include_cases = request->portfolio().debtors() <= kMaxCasesInReply;
  absl::StatusOr<v1::SimulateResponse> result = dunning::Simulate(options);
  if (!result.ok()) return ToGrpc(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

}  // namespace concerto::dunning
