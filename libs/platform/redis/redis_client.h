// RedisClient: one reconnecting hiredis connection with binary-safe commands and pipelines.
// Connection problems surface as UNAVAILABLE (retry); every reconnect bumps generation(), which
// tells the caller that Redis may have restarted and lost its last un-fsynced writes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

struct redisContext;

namespace concerto::platform::redis {

// Reply is a decoded RESP2 reply.
struct Reply {
  enum class Type { kNil, kString, kInteger, kArray, kStatus, kError };
  Type type = Type::kNil;
  std::string str;  // kString, kStatus, kError
  int64_t integer = 0;
  std::vector<Reply> elements;
  bool IsError() const { return type == Type::kError; }
  bool IsNil() const { return type == Type::kNil; }
};

// RedisClient is thread-safe (one mutex per connection); use one per thread for parallelism.
class RedisClient {
 public:
  // Connect parses "host:port" and connects; UNAVAILABLE when the server is not reachable.
  static absl::StatusOr<std::unique_ptr<RedisClient>> Connect(
      const std::string& address, absl::Duration timeout = absl::Seconds(5));
  ~RedisClient();

  // Command runs one command. An error reply is returned as a Reply of Type::kError, except
  // LOADING/BUSY/MASTERDOWN which mean "not now" and become UNAVAILABLE.
  absl::StatusOr<Reply> Command(const std::vector<std::string>& args);
  // Pipeline sends all commands in one round trip and returns their replies in order.
  absl::StatusOr<std::vector<Reply>> Pipeline(const std::vector<std::vector<std::string>>& commands);
  // generation counts successful connections: 1 after Connect, +1 per reconnect.
  uint64_t generation() const;
  const std::string& address() const { return address_; }

 private:
  RedisClient(std::string host, int port, absl::Duration timeout);
  absl::Status EnsureConnectedLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void DropLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string host_;
  const int port_;
  const absl::Duration timeout_;
  std::string address_;
  mutable absl::Mutex mu_;
  redisContext* ctx_ ABSL_GUARDED_BY(mu_) = nullptr;
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace concerto::platform::redis
