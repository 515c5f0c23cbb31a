// Value types shared by the Kafka producer, consumer and admin helpers: connection options,
// records to produce, consumed messages, partitions, offsets and lag.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/time/time.h"

namespace concerto::platform::kafka {

// KafkaOptions says how to reach the cluster. `extra` holds raw librdkafka properties that are
// applied last, so they override every default this library sets.
struct KafkaOptions {
  std::string brokers = {};  // "host:port,host:port"
  std::string client_id = "concerto";
  std::map<std::string, std::string> extra = {};  // raw librdkafka properties, applied last
};

// Headers are Kafka record headers in wire order (names may repeat).
using Headers = std::vector<std::pair<std::string, std::string>>;

// Record is one record to produce; its partition is murmur2(key) like the Java client.
struct Record {
  std::string topic = {};
  std::string key = {};
  std::string value = {};
  Headers headers = {};
};

// Message is one consumed record and where it came from.
struct Message {
  std::string topic = {};
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key = {};
  std::string value = {};
  Headers headers = {};
  absl::Time timestamp = {};
};

// TopicPartition names one partition of one topic.
struct TopicPartition {
  std::string topic = {};
  int32_t partition = 0;

  friend bool operator==(const TopicPartition& a, const TopicPartition& b) {
    return a.partition == b.partition && a.topic == b.topic;
  }
  friend bool operator<(const TopicPartition& a, const TopicPartition& b) {
    return std::tie(a.topic, a.partition) < std::tie(b.topic, b.partition);
  }
};

// TopicPartitionOffset is a position in a partition; `offset` is the next offset to consume.
struct TopicPartitionOffset {
  std::string topic = {};
  int32_t partition = 0;
  int64_t offset = 0;
};

// PartitionLag is how many records of a partition are behind the consumer's position.
struct PartitionLag {
  std::string topic = {};
  int32_t partition = 0;
  int64_t lag = 0;
};

}  // namespace concerto::platform::kafka
