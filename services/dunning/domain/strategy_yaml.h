// Strategy YAML -> concerto.dunning.v1.Strategy, with validation errors that name the field
// path and the YAML line, e.g.
//   segments[1].steps[2].offset_days (line 14): must be an integer
// Unknown keys are errors. The format is documented in services/dunning/README.md.
#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "concerto/dunning/v1/strategy.pb.h"

namespace concerto::dunning {

// ParseStrategyYaml parses and validates a strategy. INVALID_ARGUMENT lists every problem
// found (one per line of the message, at most 20), each "path (line N): what is wrong".
absl::StatusOr<v1::Strategy> ParseStrategyYaml(std::string_view yaml);

}  // namespace concerto::dunning
