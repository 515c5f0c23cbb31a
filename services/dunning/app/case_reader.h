// CaseReader: the read side of CaseService. It reads the cases the unit of work stores in Redis
// ("dunning:{shard}:a:<tenant>/<debtor>", hash fields v and s) over its own connection: one case
// by key, or a tenant's worklist by SCAN of every shard with the tenant in the MATCH pattern (a
// caller of tenant A never reads a key of tenant B), filtered, sorted and paged in the service.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "concerto/dunning/v1/dunning_api.pb.h"
#include "libs/platform/redis/redis_client.h"
#include "libs/platform/redis/unit_of_work_store.h"

namespace concerto::dunning {

// WorklistOrder: balance descending, then debtor id ascending (a stable total order).
struct WorklistKey {
  int64_t balance = 0;
  std::string debtor_id;
};

class CaseReader {
 public:
  // `shards` must equal the event processor's (config "shards").
  CaseReader(std::unique_ptr<platform::redis::RedisClient> client, int shards,
             std::string ns = "dunning");

  // Get returns the case of `debtor_id` in `tenant`, nullopt if there is none.
  absl::StatusOr<std::optional<v1::Case>> Get(const std::string& tenant,
                                              const std::string& debtor_id);

  // List returns one page of the tenant's worklist for the request's filters, ordered by open
  // balance (descending) then debtor id; `today` is the day days-past-due are counted to.
  // INVALID_ARGUMENT "page_token: ..." for a token that does not decode.
  absl::StatusOr<v1::ListCasesResponse> List(const v1::ListCasesRequest& request,
                                             absl::CivilDay today);

  // Scan returns every case of `tenant` (unfiltered, unordered).
  absl::StatusOr<std::vector<v1::Case>> Scan(const std::string& tenant);

 private:
  std::unique_ptr<platform::redis::RedisClient> client_;
  platform::redis::UnitOfWorkStore store_;
  const int shards_;
};

// Pure helpers of the worklist (unit-tested).

// Matches is true when `c` passes the request's filters (states empty: every open state).
bool Matches(const v1::Case& c, const v1::ListCasesRequest& request, absl::CivilDay today);
// Summarize builds the worklist row of a case.
v1::CaseSummary Summarize(const v1::Case& c, absl::CivilDay today);
// DaysPastDue counts from the due date of the oldest open, undisputed invoice (0 if none is due).
int DaysPastDue(const v1::Case& c, absl::CivilDay today);
// Page tokens encode the last row's WorklistKey.
std::string EncodePageToken(const WorklistKey& key);
absl::StatusOr<WorklistKey> DecodePageToken(const std::string& token);
// Paginate sorts `cases` in worklist order and returns the page after `after` (if any).
v1::ListCasesResponse Paginate(std::vector<v1::Case> cases, const std::optional<WorklistKey>& after,
                               int page_size, absl::CivilDay today);

}  // namespace concerto::dunning
