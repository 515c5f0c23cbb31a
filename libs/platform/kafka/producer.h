// Producer: an idempotent Kafka producer whose ProduceAll returns only once the broker has
// acknowledged every record (the outbox relay removes entries only after that).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/platform/kafka/types.h"

typedef struct rd_kafka_s rd_kafka_t;

namespace concerto::platform::kafka {

// Producer sends records with enable.idempotence=true and acks=all, so a retried send never
// duplicates or reorders records of one partition. Records are partitioned with murmur2 like the
// Java client (core::KafkaPartitionOf predicts the partition). It never auto-creates a topic
// (allow.auto.create.topics=false): a topic with the wrong partition count would move shards.
// A background thread serves delivery reports. Thread-safe.
class Producer {
 public:
  // Create connects lazily: it fails only for invalid options, never because brokers are down.
  static absl::StatusOr<std::unique_ptr<Producer>> Create(const KafkaOptions& options);

  // The destructor waits up to one second for outstanding records, then drops the rest (they were
  // never acknowledged, so their senders treat them as unsent). Call Flush first to wait longer.
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // ProduceAll sends every record (order kept per topic+key) and waits until each is acknowledged
  // by the broker. OK only if all were acknowledged within `timeout`; otherwise the first failure
  // (UNAVAILABLE, INVALID_ARGUMENT, ...) or DEADLINE_EXCEEDED. Records not acknowledged in time may
  // still be delivered later: callers retry, and consumers deduplicate by event id.
  absl::Status ProduceAll(const std::vector<Record>& records, absl::Duration timeout);

  // Flush waits until every record produced so far is acknowledged or failed; DEADLINE_EXCEEDED
  // if some are still outstanding after `timeout`.
  absl::Status Flush(absl::Duration timeout);

 private:
  Producer() = default;
  void PollLoop();
  std::string LastError() const;
  static void OnError(rd_kafka_t* rk, int err, const char* reason, void* opaque);

  rd_kafka_t* rk_ = nullptr;
  std::atomic<bool> stop_{false};
  std::thread poller_;
  mutable absl::Mutex error_mu_;
  std::string last_error_ ABSL_GUARDED_BY(error_mu_);
};

}  // namespace concerto::platform::kafka
