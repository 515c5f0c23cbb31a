// MockBroker owns an in-process librdkafka mock cluster and executes the embedded broker's
// line-based control commands against it (ping, broker-down/up, create-topic, push-errors, rtt).
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

typedef struct rd_kafka_s rd_kafka_t;
typedef struct rd_kafka_mock_cluster_s rd_kafka_mock_cluster_t;

namespace concerto::deploy::kafka {

// MockBroker is a mock Kafka cluster with brokers 1..N listening on 127.0.0.1.
class MockBroker {
 public:
  // Start creates the cluster with `brokers` brokers.
  static absl::StatusOr<std::unique_ptr<MockBroker>> Start(int brokers);
  ~MockBroker();  // destroys the cluster (all data is lost)
  MockBroker(const MockBroker&) = delete;
  MockBroker& operator=(const MockBroker&) = delete;

  // bootstrap returns "127.0.0.1:PORT,..." for bootstrap.servers.
  std::string bootstrap() const;
  int brokers() const { return brokers_; }

  // CreateTopic creates `name` with `partitions` partitions (replication min(3, brokers)).
  absl::Status CreateTopic(const std::string& name, int partitions);

  // Execute runs one control command line and returns its reply: "ok" or "error <message>".
  std::string Execute(absl::string_view line);

 private:
  MockBroker() = default;
  absl::Status Run(absl::string_view line);
  absl::Status CheckBroker(int id) const;

  rd_kafka_t* rk_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  int brokers_ = 0;
};

}  // namespace concerto::deploy::kafka
