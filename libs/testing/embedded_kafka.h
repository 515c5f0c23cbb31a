// EmbeddedKafka starts the embedded broker binary (bin/concerto-kafka, a librdkafka mock cluster)
// for tests and talks to its TCP control port to inject faults. It does not link librdkafka.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/testing/subprocess.h"

namespace concerto::testing {

// EmbeddedKafka is one running concerto-kafka process; destroying it stops the process.
class EmbeddedKafka {
 public:
  // Options for the broker process.
  struct Options {
    int brokers = 1;
    std::vector<std::pair<std::string, int>> topics = {};  // created at start: name, partitions
  };

  // Start spawns BinaryPath("bin/concerto-kafka") and waits until it prints `ready`.
  static absl::StatusOr<std::unique_ptr<EmbeddedKafka>> Start(const Options& options);
  ~EmbeddedKafka();
  EmbeddedKafka(const EmbeddedKafka&) = delete;
  EmbeddedKafka& operator=(const EmbeddedKafka&) = delete;

  // bootstrap returns the bootstrap.servers list, "127.0.0.1:PORT[,...]".
  const std::string& bootstrap() const { return bootstrap_; }
  // control_port returns the control server's TCP port on 127.0.0.1.
  int control_port() const { return control_port_; }

  // Control sends one command line; OK iff the reply is "ok", else the reply as the message.
  absl::Status Control(const std::string& command);
  // BrokerDown disconnects broker `id` (1..N) and refuses new connections until BrokerUp.
  absl::Status BrokerDown(int id);
  // BrokerUp lets broker `id` accept connections again.
  absl::Status BrokerUp(int id);
  // CreateTopic creates a topic with `partitions` partitions.
  absl::Status CreateTopic(const std::string& name, int partitions);

 private:
  EmbeddedKafka() = default;

  std::unique_ptr<Subprocess> process_;
  std::string bootstrap_;
  int control_port_ = 0;
};

}  // namespace concerto::testing
