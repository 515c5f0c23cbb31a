// Service configuration: one flat map of kebab-case keys (`kafka-brokers`, `redis.address`)
// merged from built-in defaults, a YAML file, CONCERTO_* environment variables and command-line
// flags, with typed getters that report the key and the bad value.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace concerto::platform {

/// Config is an immutable set of string values, merged at start from (later wins):
///   1. `defaults` given by the service,
///   2. the YAML file named by `--config=FILE` (else $CONCERTO_CONFIG, else a `config` default);
///      nested maps flatten with '.', `redis: {address: x}` -> `redis.address`; a sequence of
///      scalars becomes one value joined by ','; a null becomes "",
///   3. the environment: a key `k` already known from (1), (2) or (4) is read from
///      `CONCERTO_<k upper-cased, '-' and '.' -> '_'>` (`redis.address` <- CONCERTO_REDIS_ADDRESS);
///      any other `CONCERTO_X_Y` variable adds key `x-y` (lower-cased, '_' -> '-'),
///   4. flags `--key=value`, or `--key` alone meaning "true".
/// Arguments after a bare `--` are positional (see Positional()); any other non-flag argument
/// is an error. Example:
///   auto config = Config::Load(argc, argv, {{"grpc-port", "7001"}});
///   if (!config.ok()) { LogError("bad config", {{"error", config.status().ToString()}}); ...}
///   absl::StatusOr<int64_t> port = config->GetInt("grpc-port", 0);
class Config {
 public:
  Config() = default;

  /// Load merges the sources above. argv[0] is the program name and is skipped. Errors:
  /// INVALID_ARGUMENT naming a stray argument or malformed flag, or a YAML file that does not
  /// parse or holds a map inside a sequence; NOT_FOUND when the YAML file cannot be opened.
  static absl::StatusOr<Config> Load(int argc, char** argv,
                                     std::map<std::string, std::string> defaults = {});

  /// FromMap builds a Config from explicit values only (tests, tools).
  static Config FromMap(std::map<std::string, std::string> values,
                        std::vector<std::string> positional = {});

  /// Has tells whether any source set `key`.
  bool Has(std::string_view key) const;
  /// GetString returns the value of `key`, or `fallback` if unset.
  std::string GetString(std::string_view key, std::string_view fallback = "") const;
  /// GetInt parses a base-10 integer; INVALID_ARGUMENT naming the key and value otherwise.
  absl::StatusOr<int64_t> GetInt(std::string_view key, int64_t fallback) const;
  /// GetDouble parses a floating-point number; INVALID_ARGUMENT naming the key and value otherwise.
  absl::StatusOr<double> GetDouble(std::string_view key, double fallback) const;
  /// GetBool accepts true/false, 1/0, yes/no, on/off (any case).
  absl::StatusOr<bool> GetBool(std::string_view key, bool fallback) const;
  /// GetDuration parses absl::ParseDuration syntax ("500ms", "2s", "1h30m", "0").
  absl::StatusOr<absl::Duration> GetDuration(std::string_view key, absl::Duration fallback) const;
  /// Positional returns the arguments that followed a bare `--`, in order.
  const std::vector<std::string>& Positional() const { return positional_; }
  /// values returns every key and value (for logging the effective configuration at start).
  const std::map<std::string, std::string, std::less<>>& values() const { return values_; }

  /// EnvVarName returns the environment variable that overrides `key` (CONCERTO_REDIS_ADDRESS).
  static std::string EnvVarName(std::string_view key);

 private:
  const std::string* Find(std::string_view key) const;

  std::map<std::string, std::string, std::less<>> values_;
  std::vector<std::string> positional_;
};

}  // namespace concerto::platform
