// SharedClock: the simulated clock of a whole local stack, kept in one Redis key so every
// service sees the same "now". Setting it on any service (admin API) moves it for all; each
// process follows the key by polling it every few milliseconds.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/platform/clock.h"
#include "libs/platform/redis/redis_client.h"

namespace concerto::platform::redis {

inline constexpr char kSharedClockKey[] = "concerto:clock";

class SharedClock {
 public:
  // Start connects, initialises the key to `start` unless it exists (SET NX), and follows it.
  static absl::StatusOr<std::unique_ptr<SharedClock>> Start(
      const std::string& redis_address, absl::Time start,
      absl::Duration poll = absl::Milliseconds(5));
  ~SharedClock();

  const Clock* clock() const { return &clock_; }
  // Set writes the shared key, then the local copy.
  absl::Status Set(absl::Time t);
  absl::Status Advance(absl::Duration d);

 private:
  SharedClock(std::unique_ptr<RedisClient> client, absl::Time start)
      : client_(std::move(client)), clock_(start) {}
  absl::Status Refresh();

  std::unique_ptr<RedisClient> client_;
  SimulatedClock clock_;
  std::atomic<bool> stop_{false};
  std::thread follower_;
};

}  // namespace concerto::platform::redis
