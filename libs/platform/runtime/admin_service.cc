#include "libs/platform/runtime/admin_service.h"

#include <cstdint>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/platform/runtime/grpc_status.h"

namespace concerto::platform {
namespace {

namespace v1 = ::concerto::platform::v1;

// Range of google.protobuf.Timestamp: 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;
// Range of google.protobuf.Duration: +-10,000 years.
constexpr int64_t kMaxDurationSeconds = 315576000000;
constexpr int32_t kNanosPerSecond = 1000000000;

absl::Time FromProto(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

void ToProto(absl::Time t, google::protobuf::Timestamp* ts) {
  const int64_t seconds = absl::ToUnixSeconds(t);  // rounds towards negative infinity
  ts->set_seconds(seconds);
  ts->set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(seconds))));
}

}  // namespace

AdminServiceImpl::AdminServiceImpl(const Clock* clock, SetClockFn set_clock,
                                   StatusProvider status_provider)
    : clock_(clock),
      set_clock_(std::move(set_clock)),
      status_provider_(std::move(status_provider)) {}

grpc::Status AdminServiceImpl::GetStatus(grpc::ServerContext* /*context*/,
                                         const v1::GetStatusRequest* /*request*/,
                                         v1::Status* response) {
  if (status_provider_) *response = status_provider_();
  ToProto(clock_->Now(), response->mutable_clock_now());
  response->set_simulated_clock(clock_->IsSimulated());
  return grpc::Status::OK;
}

absl::Status AdminServiceImpl::CheckSettable() const {
  if (!set_clock_ || !clock_->IsSimulated()) {
    return absl::FailedPreconditionError("clock: the system clock cannot be set");
  }
  return absl::OkStatus();
}

absl::Status AdminServiceImpl::MoveClock(absl::Time t, v1::ClockReply* response) {
  absl::Status s = set_clock_(t);
  if (!s.ok()) return s;
  ToProto(t, response->mutable_now());
  return absl::OkStatus();
}

grpc::Status AdminServiceImpl::SetClock(grpc::ServerContext* /*context*/,
                                        const v1::SetClockRequest* request,
                                        v1::ClockReply* response) {
  if (!request->has_now()) {
    return ToGrpcStatus(absl::InvalidArgumentError("now: is required"));
  }
  const auto& now = request->now();
  if (now.seconds() < kMinTimestampSeconds || now.seconds() > kMaxTimestampSeconds ||
      now.nanos() < 0 || now.nanos() >= kNanosPerSecond) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("now: ", now.seconds(), "s ", now.nanos(), "ns is not a valid timestamp")));
  }
  absl::Status s = CheckSettable();
  if (!s.ok()) return ToGrpcStatus(s);
  std::lock_guard<std::mutex> lock(clock_mu_);
  return ToGrpcStatus(MoveClock(FromProto(now), response));
}

grpc::Status AdminServiceImpl::AdvanceClock(grpc::ServerContext* /*context*/,
                                            const v1::AdvanceClockRequest* request,
                                            v1::ClockReply* response) {
  if (!request->has_by()) {
    return ToGrpcStatus(absl::InvalidArgumentError("by: is required"));
  }
  const auto& by = request->by();
  const bool mixed_signs =
      (by.seconds() > 0 && by.nanos() < 0) || (by.seconds() < 0 && by.nanos() > 0);
  if (by.seconds() < -kMaxDurationSeconds || by.seconds() > kMaxDurationSeconds ||
      by.nanos() <= -kNanosPerSecond || by.nanos() >= kNanosPerSecond || mixed_signs) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("by: ", by.seconds(), "s ", by.nanos(), "ns is not a valid duration")));
  }
  if (by.seconds() < 0 || by.nanos() < 0) {
    return ToGrpcStatus(absl::InvalidArgumentError("by: must not be negative"));
  }
  absl::Status s = CheckSettable();
  if (!s.ok()) return ToGrpcStatus(s);
  std::lock_guard<std::mutex> lock(clock_mu_);
  const absl::Time target =
      clock_->Now() + absl::Seconds(by.seconds()) + absl::Nanoseconds(by.nanos());
  return ToGrpcStatus(MoveClock(target, response));
}

}  // namespace concerto::platform
