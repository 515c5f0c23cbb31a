// Subprocess runs another binary as a separate process for crash and integration tests and for
// the local launcher: spawn with arguments and environment, read its stdout line by line, send
// signals (kill -9 included), wait. The child dies with its parent (PR_SET_PDEATHSIG).
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace concerto::testing {

struct SubprocessOptions {
  std::vector<std::string> argv;            // argv[0] is the binary path
  std::map<std::string, std::string> env;   // added to (and overriding) the parent's environment
  bool capture_stdout = true;               // else stdout is inherited
  std::string stderr_path;                  // empty: inherit stderr; else append to this file
};

class Subprocess {
 public:
  static absl::StatusOr<std::unique_ptr<Subprocess>> Start(const SubprocessOptions& options);
  ~Subprocess();  // SIGKILLs the child if still running, then reaps it

  pid_t pid() const { return pid_; }
  // ReadLine returns the next stdout line (without '\n'), or nullopt at EOF or timeout.
  std::optional<std::string> ReadLine(absl::Duration timeout);
  // ReadUntilPrefix reads lines until one starts with `prefix`; returns the rest of that line.
  absl::StatusOr<std::string> ReadUntilPrefix(const std::string& prefix, absl::Duration timeout);
  void Signal(int sig);
  // Wait reaps the child; returns its exit code, or 128+signal if killed; nullopt on timeout.
  std::optional<int> Wait(absl::Duration timeout);
  bool Running();
  // Stop sends SIGTERM, waits up to `grace`, then SIGKILL; returns the exit code.
  int Stop(absl::Duration grace = absl::Seconds(10));

 private:
  Subprocess(pid_t pid, int stdout_fd) : pid_(pid), stdout_fd_(stdout_fd) {}
  pid_t pid_;
  int stdout_fd_;
  std::string buffer_;
  std::optional<int> exit_code_;
};

// BinaryPath returns $CONCERTO_BIN_DIR/relative (set by CTest for every test).
std::string BinaryPath(const std::string& relative);

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
int FreePort();

}  // namespace concerto::testing
