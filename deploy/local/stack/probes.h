// Probes the launcher uses to tell whether a process of the stack is up: the standard gRPC
// health check, the Admin.GetStatus summary of a Concerto service, and a plain-TCP Redis PING.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace concerto::local {

/// CheckHealth calls grpc.health.v1.Health/Check (service "") on `address` (host:port) once,
/// waiting at most `timeout`. OK when the answer is SERVING; UNAVAILABLE when the server is not
/// reachable or answers anything else (the message names the status).
absl::Status CheckHealth(const std::string& address, absl::Duration timeout);

/// WaitForHealth repeats CheckHealth until it is OK or `timeout` passes; returns the last error.
absl::Status WaitForHealth(const std::string& address, absl::Duration timeout);

/// AdminSummary is the part of concerto.platform.v1.Admin/GetStatus that `status` prints.
struct AdminSummary {
  bool quiescent = false;
  int64_t consumer_lag = 0;
  int64_t outbox_depth = 0;
};

/// GetAdminSummary calls Admin/GetStatus on `address`. UNIMPLEMENTED when the service has no
/// Admin API yet; other gRPC errors are passed through with their code.
absl::StatusOr<AdminSummary> GetAdminSummary(const std::string& address, absl::Duration timeout);

/// RedisCommand sends one inline command ("PING", "SET k v", "GET k") to a Redis server at
/// host:port over a fresh TCP connection and returns the reply: a simple string with its '+'
/// ("+PONG", "+OK"), an integer with its ':' (":1"), a bulk string's payload ("v"), or "(nil)".
/// An error reply ("-ERR ...") becomes FAILED_PRECONDITION; no connection, UNAVAILABLE.
absl::StatusOr<std::string> RedisCommand(const std::string& address, const std::string& command,
                                         absl::Duration timeout);

/// PingRedis is OK when RedisCommand(address, "PING") answers "+PONG".
absl::Status PingRedis(const std::string& address, absl::Duration timeout);

/// WaitForRedis repeats PingRedis until it is OK or `timeout` passes; returns the last error.
absl::Status WaitForRedis(const std::string& address, absl::Duration timeout);

/// CanConnect is OK when a TCP connection to host:port opens within `timeout`.
absl::Status CanConnect(const std::string& address, absl::Duration timeout);

}  // namespace concerto::local
