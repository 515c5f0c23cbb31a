// StrategyService: put (parse + validate YAML, add the version), get, list versions, activate
// (the active champion of the running engine), simulate a strategy over a described portfolio.
// The versions live in the process's StrategyBook (in memory, shared with the handler): a
// restart keeps only what --strategy-files loads. The book is global for now; every call still
// requires context.tenant, and per-tenant books come next.
#pragma once

#include <map>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "concerto/dunning/v1/dunning_api.grpc.pb.h"
#include "libs/platform/clock.h"
#include "services/dunning/app/dunning_handler.h"

namespace concerto::dunning {

class StrategyServiceImpl final : public v1::StrategyService::Service {
 public:
  StrategyServiceImpl(StrategyBook* book, const platform::Clock* clock)
      : book_(book), clock_(clock) {}

  // RecordSource remembers the YAML of a version loaded at start (GetStrategy returns it).
  void RecordSource(const v1::Strategy& strategy, std::string yaml);

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

  StrategyBook* book_;
  const platform::Clock* clock_;
  absl::Mutex mu_;
  std::map<std::pair<std::string, int>, Source> sources_ ABSL_GUARDED_BY(mu_);
};

// ParseForApi parses strategy YAML for the API: INVALID_ARGUMENT with one field violation per
// problem, the field "yaml.<path>" and the description "line N: what is wrong".
absl::StatusOr<v1::Strategy> ParseForApi(const std::string& yaml);

}  // namespace concerto::dunning
