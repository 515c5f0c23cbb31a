#include "libs/platform/redis/shared_clock.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/core/status_macros.h"

namespace concerto::platform::redis {

absl::StatusOr<std::unique_ptr<SharedClock>> SharedClock::Start(const std::string& redis_address,
                                                                absl::Time start,
                                                                absl::Duration poll) {
  CONCERTO_ASSIGN_OR_RETURN(auto client, RedisClient::Connect(redis_address));
  std::unique_ptr<SharedClock> c(new SharedClock(std::move(client), start));
  CONCERTO_ASSIGN_OR_RETURN(
      Reply r, c->client_->Command({"SET", kSharedClockKey,
                                    absl::StrCat(absl::ToUnixMicros(start)), "NX"}));
  if (r.IsError()) return absl::InternalError(absl::StrCat("redis: ", r.str));
  CONCERTO_RETURN_IF_ERROR(c->Refresh());
  c->follower_ = std::thread([raw = c.get(), poll] {
    while (!raw->stop_) {
      raw->Refresh().IgnoreError();  // a Redis outage just freezes the clock
      absl::SleepFor(poll);
    }
  });
  return c;
}

SharedClock::~SharedClock() {
  stop_ = true;
  if (follower_.joinable()) follower_.join();
}

absl::Status SharedClock::Refresh() {
  CONCERTO_ASSIGN_OR_RETURN(Reply r, client_->Command({"GET", kSharedClockKey}));
  int64_t micros = 0;
  if (r.type == Reply::Type::kString && absl::SimpleAtoi(r.str, &micros)) {
    clock_.Set(absl::FromUnixMicros(micros));
  }
  return absl::OkStatus();
}

absl::Status SharedClock::Set(absl::Time t) {
  CONCERTO_ASSIGN_OR_RETURN(
      Reply r, client_->Command({"SET", kSharedClockKey, absl::StrCat(absl::ToUnixMicros(t))}));
  if (r.IsError()) return absl::InternalError(absl::StrCat("redis: ", r.str));
  clock_.Set(t);
  return absl::OkStatus();
}

absl::Status SharedClock::Advance(absl::Duration d) {
  // INCRBY keeps concurrent advances from different tools additive.
  CONCERTO_ASSIGN_OR_RETURN(
      Reply r, client_->Command({"INCRBY", kSharedClockKey,
                                 absl::StrCat(absl::ToInt64Microseconds(d))}));
  if (r.type != Reply::Type::kInteger) return absl::InternalError(absl::StrCat("redis: ", r.str));
  clock_.Set(absl::FromUnixMicros(r.integer));
  return absl::OkStatus();
}

}  // namespace concerto::platform::redis
