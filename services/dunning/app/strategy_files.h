// LoadStrategyFiles: the strategies a dunning process starts with, from
// "--strategy-files=a.yaml,tenant1=b.yaml": a file without a tenant is shared by every tenant
// (the first one is the shared champion); "tenant=path" belongs to that tenant and is its active
// strategy. No files: the built-in default. The live service and in-process replays load
// strategies the same way, so both run the same versions.
#pragma once

#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "services/dunning/app/dunning_handler.h"

namespace concerto::dunning {

// LoadedStrategy: (tenant, strategy, yaml) of every version read.
using LoadedStrategies = std::vector<std::tuple<std::string, v1::Strategy, std::string>>;

absl::Status LoadStrategyFiles(const std::string& files, StrategyBook* book,
                               LoadedStrategies* loaded = nullptr);

}  // namespace concerto::dunning
