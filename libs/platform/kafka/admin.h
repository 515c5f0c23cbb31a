// Admin helpers: creating the topics a service needs at start-up.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/platform/kafka/types.h"

namespace concerto::platform::kafka {

// TopicSpec describes a topic to create. Co-partitioned topics must share `partitions`.
struct TopicSpec {
  std::string name = {};
  int partitions = 8;
  int replication_factor = 1;
};

// CreateTopics creates topics that do not exist yet (existing ones are fine, whatever their
// partition count), waiting up to `timeout` for the result. librdkafka's mock cluster (the
// embedded broker) has no CreateTopics API: there it succeeds if every topic already exists and
// otherwise returns FAILED_PRECONDITION at once, naming the missing topics (create them with
// concerto-kafka --topics or its control command create-topic).
absl::Status CreateTopics(const KafkaOptions& options, const std::vector<TopicSpec>& topics,
                          absl::Duration timeout);

}  // namespace concerto::platform::kafka
