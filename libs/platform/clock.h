// Time as a dependency: the system clock in production, a simulated clock in demos and tests
// (shared by the whole stack through Redis, see redis/shared_clock.h), so months run in seconds.
#pragma once

#include <atomic>
#include <cstdint>

#include "absl/time/time.h"

namespace concerto::platform {

// Clock is the only source of "now" for domain decisions (due dates, timers, quiet hours).
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
  // IsSimulated tells whether Set/Advance through the admin API are allowed.
  virtual bool IsSimulated() const { return false; }
};

// SystemClock reads the wall clock.
class SystemClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

// SimulatedClock holds a settable time; it never moves by itself.
class SimulatedClock final : public Clock {
 public:
  explicit SimulatedClock(absl::Time start) : unix_micros_(absl::ToUnixMicros(start)) {}
  absl::Time Now() const override { return absl::FromUnixMicros(unix_micros_.load()); }
  bool IsSimulated() const override { return true; }
  // Set moves the clock to `t` (also backwards: used only by tests and the shared-clock sync).
  void Set(absl::Time t) { unix_micros_.store(absl::ToUnixMicros(t)); }
  void Advance(absl::Duration d) { unix_micros_.fetch_add(absl::ToInt64Microseconds(d)); }

 private:
  std::atomic<int64_t> unix_micros_;
};

}  // namespace concerto::platform
