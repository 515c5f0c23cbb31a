// The probe's pure handlers: a ledger that adds amounts (and arms timers), and a downstream view
// that counts the ledger's events. Small enough to make exactly-once effects countable.
#pragma once

#include "libs/platform/handler.h"

namespace concerto::testing {

inline constexpr char kProbeCommandsTopic[] = "probe.commands";
inline constexpr char kProbeEventsTopic[] = "probe.events";

class LedgerHandler final : public platform::Handler {
 public:
  explicit LedgerHandler(bool reject_poison) : reject_poison_(reject_poison) {}
  absl::StatusOr<platform::Effects> Apply(const std::optional<std::string>& state,
                                          const platform::Input& input, absl::Time now) override;

 private:
  const bool reject_poison_;
};

class DownstreamHandler final : public platform::Handler {
 public:
  absl::StatusOr<platform::Effects> Apply(const std::optional<std::string>& state,
                                          const platform::Input& input, absl::Time now) override;
};

}  // namespace concerto::testing
