#include "libs/platform/fault_points.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <string>

#include "absl/strings/numbers.h"

namespace concerto::platform {
namespace {

struct FaultConfig {
  std::string name;
  int64_t at = 1;
};

const FaultConfig* Config() {
  static const FaultConfig* config = [] {
    const char* env = std::getenv("CONCERTO_FAULT");
    if (env == nullptr || *env == '\0') return static_cast<FaultConfig*>(nullptr);
    auto* c = new FaultConfig;
    std::string spec(env);
    const auto colon = spec.find(':');
    c->name = spec.substr(0, colon);
    if (colon != std::string::npos && !absl::SimpleAtoi(spec.substr(colon + 1), &c->at)) c->at = 1;
    return c;
  }();
  return config;
}

std::atomic<int64_t> hits{0};

}  // namespace

void FaultPoint(absl::string_view name) {
  const FaultConfig* c = Config();
  if (c == nullptr || name != c->name) return;
  if (hits.fetch_add(1) + 1 >= c->at) {
    static const char kMsg[] = "fault point reached: killing this process\n";
    (void)!write(STDERR_FILENO, kMsg, sizeof kMsg - 1);
    kill(getpid(), SIGKILL);
  }
}

}  // namespace concerto::platform
