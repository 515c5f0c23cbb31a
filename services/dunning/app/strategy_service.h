// StrategyService: put (parse + validate YAML, add the version), get, list versions, activate
// (the tenant's active champion), simulate a strategy over a described portfolio. Every call is
// scoped to context.tenant: a tenant sees and runs its own versions and the shared ones
// (--strategy-files), never another tenant's. With a StrategyStore, puts and activations are
// written to Redis first and every instance's book follows it (Refresh), so they survive restarts.
#pragma once

#include <map>
#include <tuple>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "concerto/dunning/v1/dunning_api.grpc.pb.h"
#include "libs/platform/clock.h"
#include "services/dunning/app/dunning_handler.h"
#include "services/dunning/app/strategy_store.h"

namespace concerto::dunning {

class StrategyServiceImpl final : public v1::StrategyService::Service {
 public:
  StrategyServiceImpl(StrategyBook* book, const platform::Clock* clock,
                      StrategyStore* store = nullptr)
      : book_(book), clock_(clock), store_(store) {}

  // RecordSource remembers the YAML of a shared version loaded at start (GetStrategy returns it).
  void RecordSource(const v1::Strategy& strategy, std::string yaml);
  // Refresh loads what the store holds into the book (versions put or activated through any
  // instance). A no-op without a store.
  absl::Status Refresh();

  grpc::Status PutStrategy(grpc::ServerContext* context, const v1::PutStrategyRequest* request,
                           v1::PutStrategyResponse* response) override;
  grpc::Status GetStrategy(grpc::ServerContext* context, const v1::GetStrategyRequest* request,
                           v1::GetStrategyResponse* response) override;
  grpc::Status ListVersions(grpc::ServerContext* context, const v1::ListVersionsRequest* request,
                            v1::ListVersionsResponse* response) override;
  grpc::Status ActivateStrategy(grpc::ServerContext* context,
                                const v1::ActivateStrategyRequest* request,
                                v1::ActivateStrategyResponse* response) override;
  grpc::Status Simulate(grpc::ServerContext* context, const v1::SimulateRequest* request,
                        v1::SimulateResponse* response) override;

 private:
  struct Source {
    std::string yaml;
    v1::StrategyVersionInfo info;  // created_at, created_by (version/active filled on read)
  };

  using SourceKey = std::tuple<std::string, std::string, int>;  // tenant, id, version
  const Source* FindSourceLocked(const std::string& tenant, const std::string& id, int version)
      const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  StrategyBook* book_;
  const platform::Clock* clock_;
  StrategyStore* store_;
  absl::Mutex mu_;
  std::map<SourceKey, Source> sources_ ABSL_GUARDED_BY(mu_);
};

// ParseForApi parses strategy YAML for the API: INVALID_ARGUMENT with one field violation per
// problem, the field "yaml.<path>" and the description "line N: what is wrong".
absl::StatusOr<v1::Strategy> ParseForApi(const std::string& yaml);

}  // namespace concerto::dunning
