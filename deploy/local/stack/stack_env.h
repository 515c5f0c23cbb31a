// The addresses of a running local stack and their file form, <state-dir>/stack.env: KEY=VALUE
// lines (KAFKA_BROKERS, KAFKA_CONTROL, REDIS, <SERVICE>_GRPC, <SERVICE>_METRICS) that shells can
// `source` and tools (status, the demo) parse back. Also small file helpers of the launcher.
#pragma once

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace concerto::local {

/// StackAddresses are where the parts of a running stack listen (all host:port).
struct StackAddresses {
  std::string kafka_brokers;
  std::string kafka_control;  // the embedded broker's control endpoint; empty for a real Kafka
  std::string redis;
  std::map<std::string, std::string> grpc;     // service name ("dunning") -> host:port
  std::map<std::string, std::string> metrics;  // service name -> host:port
};

/// EnvKey returns the stack.env key of a service address: ("contact-channel", "GRPC") ->
/// "CONTACT_CHANNEL_GRPC".
std::string EnvKey(const std::string& service, const std::string& suffix);

/// FormatStackEnv renders `addresses` as stack.env text, one KEY=VALUE line each, '\n'-ended.
std::string FormatStackEnv(const StackAddresses& addresses);

/// ParseStackEnv reads stack.env text back (blank lines and '#' comments are skipped; unknown
/// keys are ignored). INVALID_ARGUMENT names a line without '='.
absl::StatusOr<StackAddresses> ParseStackEnv(const std::string& text);

/// ReadFile returns the whole content of `path`; NOT_FOUND when it does not exist.
absl::StatusOr<std::string> ReadFile(const std::string& path);

/// WriteFileAtomically writes `content` to `path` through a temporary file in the same folder
/// and a rename, so readers see the old file or the whole new one, never a part.
absl::Status WriteFileAtomically(const std::string& path, const std::string& content);

/// MakeDirs creates `path` and its missing parents (like mkdir -p).
absl::Status MakeDirs(const std::string& path);

}  // namespace concerto::local
