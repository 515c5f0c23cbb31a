// DunningHandler: the dunning service's platform::Handler. It maps events of invoice, payment,
// contact and legal topics (and fired step timers) onto the pure case engine, and the engine's
// decision back onto the unit of work: the case as new state, its events for "case.events", the
// step timer to arm or cancel. One case per (tenant, debtor): the aggregate key "tenant/debtor".
// CaseService writes reach it as commands (Input::Kind::kCommand, Input.command = a serialized
// app::CaseCommand); the stored result of a command is a serialized app::CommandResult.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "concerto/dunning/v1/strategy.pb.h"
#include "libs/platform/handler.h"
#include "services/dunning/domain/case_engine.h"

namespace concerto::dunning {

inline constexpr char kCaseEventsTopic[] = "case.events";
inline constexpr char kStepTimerKind[] = "step";
// A command for a case that does not exist is rejected with FAILED_PRECONDITION (a permanent
// rejection for the unit of work) carrying this payload; the API answers NOT_FOUND.
inline constexpr char kCaseNotFoundPayload[] = "concerto.dunning/case-not-found";

// StrategyBook holds the loaded strategy versions per tenant. Tenant "" holds the shared
// strategies (--strategy-files without a tenant, the built-in default); a tenant without an
// active strategy of its own runs the shared active one. The first shared version put is the
// shared champion; a tenant's own version runs once it is activated. Versions are never replaced or removed (the engine keeps
// pointers to them while deciding).
class StrategyBook {
 public:
  // Put adds a validated strategy version (INVALID_ARGUMENT if the version exists with other
  // content; putting identical content again is a no-op).
  absl::Status Put(const std::string& tenant, v1::Strategy strategy);
  absl::Status Put(v1::Strategy strategy) { return Put("", std::move(strategy)); }
  // Fill fills champion/challenger of `ctx` with the tenant's active strategy.
  absl::Status Fill(const std::string& tenant, EngineContext* ctx) const;
  absl::Status Fill(EngineContext* ctx) const { return Fill("", ctx); }
  // FillFor is Fill for an existing case: a case assigned to a version that is loaded but no
  // longer active (another version was activated) keeps running on its own version. A version
  // this process has not loaded yet (put through another instance) is UNAVAILABLE: the input is
  // retried once the book has refreshed from the store.
  absl::Status FillFor(const v1::Case& c, EngineContext* ctx) const;
  // All returns the tenant's own versions (and, for tenant "", the shared ones).
  std::vector<v1::Strategy> All(const std::string& tenant = "") const;
  // Get returns version `version` of `id` for `tenant` — its own, else a shared one (0: the
  // active version, if `id` is active for the tenant); null if it is not loaded.
  std::shared_ptr<const v1::Strategy> Get(const std::string& tenant, const std::string& id,
                                          int version) const;
  std::shared_ptr<const v1::Strategy> Get(const std::string& id, int version) const {
    return Get("", id, version);
  }
  // Activate makes a loaded version the tenant's active champion (NOT_FOUND if not loaded).
  absl::Status Activate(const std::string& tenant, const std::string& id, int version);
  absl::Status Activate(const std::string& id, int version) { return Activate("", id, version); }
  // Active is the (id, version) the tenant runs ({"", 0} when there is none).
  std::pair<std::string, int> Active(const std::string& tenant = "") const;

 private:
  static inline const std::string kSharedTenant;
  using Key = std::pair<std::string, int>;
  struct TenantBook {
    std::map<Key, std::shared_ptr<const v1::Strategy>> versions;
    Key active;
  };
  const v1::Strategy* FindLocked(const std::string& tenant, const Key& key) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void FillFromLocked(const std::string& tenant, const v1::Strategy* champion,
                      EngineContext* ctx) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::map<std::string, TenantBook> tenants_ ABSL_GUARDED_BY(mu_);
};

// DunningOptions: how the service runs the engine (the same in the live service and in replays).
struct DunningOptions {
  // A step already due when an input makes it due fires this much later (EngineContext::
  // step_settle): an import's invoices of one debtor arrive in consumer batches, and the step
  // must not depend on where a batch ends.
  absl::Duration step_settle = absl::Minutes(1);
};

class DunningHandler final : public platform::Handler {
 public:
  explicit DunningHandler(const StrategyBook* strategies, DunningOptions options = {})
      : strategies_(strategies), options_(options) {}
  absl::StatusOr<platform::Effects> Apply(const std::optional<std::string>& state,
                                          const platform::Input& input, absl::Time now) override;

  // ToCaseInputs maps one platform input onto engine inputs (a payment allocated to several
  // invoices is several); UNIMPLEMENTED for event types the dunning service does not act on.
  static absl::StatusOr<std::vector<CaseInput>> ToCaseInputs(const v1::Case& current,
                                                             const platform::Input& input);

 private:
  const StrategyBook* strategies_;
  const DunningOptions options_;
};

// CaseKey is the aggregate key of the case of `debtor_id` in `tenant`: "tenant/debtor".
std::string CaseKey(const std::string& tenant, const std::string& debtor_id);

}  // namespace concerto::dunning
