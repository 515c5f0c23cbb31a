// Consumer: a Kafka consumer-group member with manual offset commits, for services that commit an
// offset only after the work it covers is durable (see the durability contract in DESIGN.md).
#pragma once

#include <atomic>
#include <map>
#include <utility>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/platform/kafka/types.h"

typedef struct rd_kafka_s rd_kafka_t;
typedef struct rd_kafka_topic_partition_list_s rd_kafka_topic_partition_list_t;

namespace concerto::platform::kafka {

// RebalanceListener learns which partitions (= shards) this member owns. Both calls run on the
// thread that calls Consumer::Poll (or Close), before librdkafka applies the change.
class RebalanceListener {
 public:
  virtual ~RebalanceListener() = default;
  // OnAssigned is called with the new assignment before fetching from it starts.
  virtual void OnAssigned(const std::vector<TopicPartition>& partitions) = 0;
  // OnRevoked is called with the whole old assignment before it is given up.
  virtual void OnRevoked(const std::vector<TopicPartition>& partitions) = 0;
};

// ConsumerOptions configures one group member.
struct ConsumerOptions {
  KafkaOptions kafka = {};
  std::string group_id = {};
  std::vector<std::string> topics = {};
  RebalanceListener* listener = nullptr;  // not owned; called on the Poll thread
  absl::Duration session_timeout = absl::Seconds(6);
  absl::Duration heartbeat_interval = absl::Milliseconds(500);
};

// Consumer is a consumer-group member: enable.auto.commit=false, enable.auto.offset.store=false,
// auto.offset.reset=earliest, partition.assignment.strategy=range (partition p of every
// subscribed topic goes to the same member, so co-partitioned topics share a shard owner),
// fetch.wait.max.ms=5, eager rebalancing. Poll, RewindToCommitted and Close belong to one thread;
// Commit, Assignment and Lag may be called from any thread.
class Consumer {
 public:
  // Create subscribes to `options.topics`; joining the group happens during the first Polls.
  static absl::StatusOr<std::unique_ptr<Consumer>> Create(const ConsumerOptions& options);

  ~Consumer();  // calls Close
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // Poll returns up to `max_messages` (possibly none after `timeout`); the first message waits up
  // to `timeout`, further ones are taken only while immediately available. Partition EOF and other
  // informational events are not returned; a fatal consumer error is returned as a status.
  absl::StatusOr<std::vector<Message>> Poll(int max_messages, absl::Duration timeout);

  // Commit synchronously commits offsets (the next offset to read) for the given partitions.
  // ABORTED if the group rebalanced meanwhile (the partitions may belong to another member now).
  absl::Status Commit(const std::vector<TopicPartitionOffset>& offsets);

  // RewindToCommitted seeks every assigned partition back to its committed offset (or the
  // beginning when none), dropping anything fetched but not yet returned. Used when the store may
  // have lost recent commits, so they are replayed from Kafka.
  absl::Status RewindToCommitted();

  // Assignment returns the partitions this member owns now (sorted).
  std::vector<TopicPartition> Assignment() const;

  // Lag returns, per assigned partition, the high watermark minus the position of the next message
  // Poll returns. Watermarks are those cached from the latest fetch; a partition not fetched yet
  // reports high minus committed (or low watermark), or 0 if its watermarks are unknown.
  absl::StatusOr<std::vector<PartitionLag>> Lag();

  // BrokerLag is Lag against the high watermarks the broker reports now (one request per
  // assigned partition): for readers that must know they have read everything published so far.
  // A partition not read yet counts from its low watermark.
  absl::StatusOr<std::vector<PartitionLag>> BrokerLag(absl::Duration timeout = absl::Seconds(5));

  // Close leaves the group cleanly (the listener gets OnRevoked). Idempotent; the destructor
  // calls it. Every other call fails with FAILED_PRECONDITION afterwards.
  void Close();

 private:
  explicit Consumer(RebalanceListener* listener) : listener_(listener) {}
  // ReadPositions: the assignment and the next offset to read of each partition, together.
  std::pair<std::vector<TopicPartition>, std::map<TopicPartition, int64_t>> ReadPositions() const;
  struct Callbacks;  // librdkafka callbacks, defined in consumer.cc
  void HandleRebalance(int err, rd_kafka_topic_partition_list_t* partitions);

  rd_kafka_t* rk_ = nullptr;
  RebalanceListener* const listener_;
  std::atomic<bool> closed_{false};
  mutable absl::Mutex mu_;
  std::vector<TopicPartition> assignment_ ABSL_GUARDED_BY(mu_);
  // Next offset Poll returns, per assigned partition that has returned a message since assigned.
  std::map<TopicPartition, int64_t> positions_ ABSL_GUARDED_BY(mu_);
};

}  // namespace concerto::platform::kafka
