// RedisServer runs a real redis-server (from PATH) for tests: its own port and temporary
// directory, AOF on, killable and restartable on the same port and data for crash tests.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "libs/testing/subprocess.h"

namespace concerto::testing {

class RedisServer {
 public:
  struct Options {
    std::string appendfsync = "always";  // or "everysec"
  };
  static absl::StatusOr<std::unique_ptr<RedisServer>> Start(const Options& options);
  static absl::StatusOr<std::unique_ptr<RedisServer>> Start() { return Start(Options{}); }
  ~RedisServer();

  // address is "127.0.0.1:PORT".
  const std::string& address() const { return address_; }
  int port() const { return port_; }
  // Kill sends `signal` (SIGKILL for a crash) and waits for the process to end.
  void Kill(int signal);
  // Restart starts redis-server again on the same port and directory (AOF is replayed).
  absl::Status Restart();
  // Ping is OK when the server answers PONG.
  absl::Status Ping() const;

 private:
  RedisServer() = default;
  absl::Status Launch();

  Options options_;
  std::string dir_;
  int port_ = 0;
  std::string address_;
  std::unique_ptr<Subprocess> process_;
};

}  // namespace concerto::testing
