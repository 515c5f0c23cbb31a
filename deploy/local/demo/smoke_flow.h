// The smoke flow: proves a running stack works end to end. A Ping goes into an input topic of
// every service; each answers with a Pong on its output topic through the full unit-of-work path
// (consume, commit to Redis, relay). Then the shared simulated clock is advanced through one
// service's admin API and every service must see the new time and become quiescent.
#pragma once

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "deploy/local/stack/stack_env.h"

namespace concerto::local {

struct SmokeReport {
  std::map<std::string, absl::Duration> pong_after;  // service -> Ping-to-Pong time
  absl::Time clock_before;
  absl::Time clock_after;
};

// RunSmokeFlow runs the flow against `addresses`; the error names the service that failed.
absl::StatusOr<SmokeReport> RunSmokeFlow(const StackAddresses& addresses,
                                         absl::Duration timeout = absl::Seconds(60));

// InputTopicOf is the topic a Ping for `service` goes to (one the service consumes).
std::string InputTopicOf(const std::string& service);

}  // namespace concerto::local
