// EventProcessor: a service's event loop under the durability contract. It consumes its input
// topics as a consumer-group member, applies batches through the UnitOfWorkRunner, commits Kafka
// offsets only once the Redis commits they cover are older than the fsync horizon, fires the
// durable timers of the shards it owns, relays those shards' outboxes to Kafka, and routes
// poison input to "<service>.dlq". Shard p = partition p of every input topic.
#pragma once

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "concerto/platform/v1/admin.pb.h"
#include "libs/platform/clock.h"
#include "libs/platform/handler.h"
#include "libs/platform/kafka/kafka.h"
#include "libs/platform/redis/redis_client.h"
#include "libs/platform/redis/unit_of_work_store.h"
#include "libs/platform/unit_of_work.h"

namespace concerto::platform {

struct ProcessorOptions {
  std::string service;                    // Redis namespace, producer name, "<service>.dlq"
  std::vector<std::string> input_topics;  // co-partitioned: all have `shards` partitions
  std::string group_id;                   // default: service
  int shards = 8;
  int max_batch = 512;
  // How long after a Redis commit its Kafka offset may be committed: zero with
  // appendfsync always; above the fsync interval (e.g. 2500ms) with appendfsync everysec.
  absl::Duration fsync_horizon = absl::ZeroDuration();
  absl::Duration poll_timeout = absl::Milliseconds(10);
  absl::Duration offset_commit_interval = absl::Milliseconds(50);
  absl::Duration timer_check_interval = absl::Milliseconds(10);
  int relay_batch = 2048;
  uint32_t max_schema_version = 1;  // newer envelopes are skipped with a log line
  absl::Duration session_timeout = absl::Seconds(6);
  absl::Duration heartbeat_interval = absl::Milliseconds(500);
};

class EventProcessor final : public kafka::RebalanceListener {
 public:
  static absl::StatusOr<std::unique_ptr<EventProcessor>> Create(
      const ProcessorOptions& options, const kafka::KafkaOptions& kafka,
      const std::string& redis_address, Handler* handler, const Clock* clock);
  ~EventProcessor() override;

  // Start creates the output topics' producer and the consumer and starts the loops.
  absl::Status Start();
  // Stop: stop intake, finish the batch in flight, commit durable offsets, drain the outbox of
  // owned shards (bounded), leave the group, flush the producer.
  void Stop();

  // Execute runs a command (kind kCommand, id = idempotency key) through the same unit-of-work
  // path on the shard of its aggregate; acknowledged only once committed. A retried key returns
  // the stored result (kDuplicate). Retries UNAVAILABLE until `deadline`.
  absl::StatusOr<ItemOutcome> Execute(Input input, absl::Duration deadline = absl::Seconds(10));
  // ExecuteAll runs many commands (any aggregates; one aggregate's in the order given) in
  // pipelined batches: the path of bulk imports. Outcomes in input order; UNAVAILABLE if the
  // deadline passes first (retrying the same commands is safe: they are deduplicated).
  absl::StatusOr<std::vector<ItemOutcome>> ExecuteAll(std::vector<Input> inputs,
                                                      absl::Duration deadline = absl::Seconds(30));
  // LookupIndex reads a secondary index entry written by a handler (Effects::index_put).
  absl::StatusOr<std::optional<std::string>> LookupIndex(absl::string_view field);
  absl::StatusOr<std::vector<std::optional<std::string>>> LookupIndexMany(
      const std::vector<std::string>& fields);
  // ReadAggregate returns an aggregate's committed state (nullopt: it does not exist).
  absl::StatusOr<std::optional<std::string>> ReadAggregate(const std::string& aggregate_key);
  // ScanAggregates: every aggregate whose key starts with `prefix` (operator views).
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ScanAggregates(
      absl::string_view prefix);

  // Status for the admin API: lag, outbox depth, timers per owned shard, quiescence.
  concerto::platform::v1::Status GetStatus();

  int ShardOf(std::string_view aggregate_key) const;
  int64_t units_committed() const { return units_committed_.load(); }
  int64_t dead_letters() const { return dead_letters_.load(); }

  // RebalanceListener (consumer thread).
  void OnAssigned(const std::vector<kafka::TopicPartition>& partitions) override;
  void OnRevoked(const std::vector<kafka::TopicPartition>& partitions) override;

 private:
  struct PendingOffset {
    kafka::TopicPartition tp;
    int64_t next_offset = 0;
    absl::Time durable_at;  // wall time after which the covering Redis commit is fsynced
    uint64_t generation = 0;
  };

  EventProcessor(ProcessorOptions options, kafka::KafkaOptions kafka, Handler* handler,
                 const Clock* clock);
  void ConsumeLoop();
  void RelayLoop();
  // Applies items until all are settled (retrying transient failures with backoff) or stop.
  // Returns false if stopped before settling everything.
  // Ids of items found already processed are appended to `duplicates` when given.
  bool ProcessUntilSettled(const std::vector<WorkItem>& items,
                           std::vector<std::string>* duplicates = nullptr);
  std::vector<WorkItem> Decode(const std::vector<kafka::Message>& messages);
  void FireDueTimers();
  void CommitDurableOffsets(bool wait_for_horizon);
  void CheckRedisGeneration();
  std::set<int> OwnedShards() const;

  const ProcessorOptions options_;
  const kafka::KafkaOptions kafka_options_;
  Handler* handler_;
  const Clock* clock_;

  // One Redis connection per thread: consumer, relay, commands, status.
  std::unique_ptr<redis::RedisClient> consumer_redis_, relay_redis_, command_redis_,
      status_redis_;
  absl::Mutex command_mu_;  // one command batch at a time on the command connection
  std::unique_ptr<redis::UnitOfWorkStore> consumer_store_, relay_store_, command_store_,
      status_store_;
  std::unique_ptr<UnitOfWorkRunner> consumer_runner_, command_runner_;
  std::unique_ptr<kafka::Consumer> consumer_;
  std::unique_ptr<kafka::Producer> producer_;

  std::thread consume_thread_, relay_thread_;
  std::atomic<bool> stop_intake_{false};
  std::atomic<bool> stop_relay_{false};
  std::atomic<bool> intake_stopped_{false};
  std::atomic<bool> in_flight_{false};
  std::atomic<int64_t> units_committed_{0};
  std::atomic<int64_t> dead_letters_{0};
  std::atomic<int64_t> timers_fired_{0};

  // Consumer-thread state.
  std::deque<PendingOffset> pending_offsets_;
  uint64_t known_generation_ = 0;
  absl::Time last_offset_commit_ = absl::InfinitePast();
  absl::Time last_timer_check_ = absl::InfinitePast();
  absl::Time last_timer_clock_ = absl::InfinitePast();

  mutable absl::Mutex mu_;
  std::set<int> owned_shards_ ABSL_GUARDED_BY(mu_);
  // Offsets returned by Poll but not yet settled, per partition (counted as lag).
  std::map<kafka::TopicPartition, int64_t> unsettled_ ABSL_GUARDED_BY(mu_);
  bool relay_wake_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace concerto::platform
