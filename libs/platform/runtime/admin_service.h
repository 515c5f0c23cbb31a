// The Admin gRPC service every Concerto service serves: its status (for tools that wait for
// the whole stack to be quiescent) and control of the simulated clock.
#pragma once

#include <functional>
#include <mutex>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "concerto/platform/v1/admin.grpc.pb.h"
#include "libs/platform/clock.h"

namespace concerto::platform {

/// AdminServiceImpl implements concerto.platform.v1.Admin over a Clock:
///   - GetStatus returns what `status_provider` reports (service, instance, lag, outbox, ...),
///     with `clock_now` and `simulated_clock` filled from the clock;
///   - SetClock / AdvanceClock call `set_clock` with the new time and return it. Without a
///     setter, or on a clock that is not simulated, they fail with FAILED_PRECONDITION
///     "clock: the system clock cannot be set". A missing `now` / `by`, an out-of-range value or
///     a negative `by` is INVALID_ARGUMENT naming the field.
/// Example (simulated clock):
///   SimulatedClock clock(start);
///   AdminServiceImpl admin(&clock, [&](absl::Time t) { clock.Set(t); return absl::OkStatus(); },
///                          [] { v1::Status s; s.set_service("dunning"); return s; });
class AdminServiceImpl final : public concerto::platform::v1::Admin::Service {
 public:
  /// SetClockFn moves the (shared) clock to the given time.
  using SetClockFn = std::function<absl::Status(absl::Time)>;
  /// StatusProvider reports the service's own status fields.
  using StatusProvider = std::function<concerto::platform::v1::Status()>;

  /// `clock` must outlive the service; `set_clock` and `status_provider` may be empty.
  AdminServiceImpl(const Clock* clock, SetClockFn set_clock, StatusProvider status_provider);

  grpc::Status GetStatus(grpc::ServerContext* context,
                         const concerto::platform::v1::GetStatusRequest* request,
                         concerto::platform::v1::Status* response) override;
  grpc::Status SetClock(grpc::ServerContext* context,
                        const concerto::platform::v1::SetClockRequest* request,
                        concerto::platform::v1::ClockReply* response) override;
  grpc::Status AdvanceClock(grpc::ServerContext* context,
                            const concerto::platform::v1::AdvanceClockRequest* request,
                            concerto::platform::v1::ClockReply* response) override;

 private:
  absl::Status CheckSettable() const;
  absl::Status MoveClock(absl::Time t, concerto::platform::v1::ClockReply* response);

  const Clock* const clock_;
  const SetClockFn set_clock_;
  const StatusProvider status_provider_;
  std::mutex clock_mu_;  // serializes Set/Advance so two advances both count
};

}  // namespace concerto::platform
