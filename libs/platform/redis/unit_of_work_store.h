// UnitOfWorkStore: the Redis side of the durability contract. One Lua script commits a unit of
// work atomically — processed-id check, optimistic version check, new state, outbox append,
// timer add/remove, processed id — and many units go in one pipelined round trip.
//
// Keys of shard p (all carry the hash tag {p}, so the script runs unchanged on Redis Cluster):
//   <ns>:{p}:a:<aggregate>   hash: v (version), s (state bytes)
//   <ns>:{p}:outbox          list of "<entry id>\n<OutboxRecord>", in commit order
//   <ns>:{p}:timers          zset: timer id -> due (unix micros)
//   <ns>:{p}:timerdata       hash: timer id -> serialized TimerRecord
//   <ns>:{p}:done:<id>       string: stored result of a processed input (expires after retention)
//   <ns>:{p}:idx             hash: secondary index written with the unit of work (e.g. a payment
//                            reference -> the aggregate that owns it); looked up across shards
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "concerto/platform/v1/store.pb.h"
#include "libs/platform/redis/redis_client.h"

namespace concerto::platform::redis {

// AggregateRecord is an aggregate's stored state; version 0 means it does not exist yet.
struct AggregateRecord {
  int64_t version = 0;
  std::optional<std::string> state;
};

// LoadRequest names an aggregate and the input about to be applied to it.
struct LoadRequest {
  int shard = 0;
  std::string aggregate_key;
  std::string input_id;  // checked against processed ids; may be empty
};

// Loaded is the aggregate plus whether the input was already processed (and its stored result).
struct Loaded {
  AggregateRecord aggregate;
  bool already_processed = false;
  std::string stored_result;
};

// UnitOfWork is everything one input changes, committed all or nothing.
struct UnitOfWork {
  int shard = 0;
  std::string aggregate_key;
  std::string input_id;           // becomes a processed id; required
  int64_t expected_version = 0;   // optimistic check against the stored version
  std::optional<std::string> new_state;  // nullopt keeps the state (the version still moves)
  std::vector<concerto::platform::v1::OutboxRecord> outbox;
  std::vector<concerto::platform::v1::TimerRecord> timers_add;
  std::vector<std::string> timers_remove;
  // Non-empty for a timer firing: commit only while this timer is still pending.
  std::string require_pending_timer;
  std::string result;  // stored with the processed id (a gRPC reply to return on retries)
  // Secondary index entries (field -> value) written in the same script into the shard's index.
  std::vector<std::pair<std::string, std::string>> index_put;
};

// CommitOutcome of one unit of work in a batch.
struct CommitOutcome {
  // OK: committed. ALREADY_EXISTS: input already processed (stored_result set), nothing written.
  // ABORTED: version conflict, nothing written. FAILED_PRECONDITION: timer no longer pending.
  absl::Status status;
  int64_t new_version = 0;
  std::string stored_result;
};

class UnitOfWorkStore {
 public:
  // `ns` separates services sharing one Redis ("dunning"); `processed_retention` bounds how long
  // processed ids are remembered (longer than any redelivery or retry window).
  UnitOfWorkStore(RedisClient* client, std::string ns,
                  absl::Duration processed_retention = absl::Hours(24 * 7));

  // Load fetches aggregates and processed flags for many inputs in one round trip.
  absl::StatusOr<std::vector<Loaded>> Load(const std::vector<LoadRequest>& requests);
  // Commit applies many units of work in one pipelined round trip; each is atomic on its own and
  // they run in order, so two units of one aggregate chain their versions. UNAVAILABLE as a whole
  // when Redis could not be reached (some may have committed: retrying is safe, they dedupe).
  absl::StatusOr<std::vector<CommitOutcome>> Commit(const std::vector<UnitOfWork>& units);

  // Outbox of a shard, oldest first.
  absl::StatusOr<std::vector<concerto::platform::v1::OutboxRecord>> ReadOutbox(int shard,
                                                                               int max);
  // ReadOutboxes reads the outboxes of many shards in one round trip.
  absl::StatusOr<std::vector<std::vector<concerto::platform::v1::OutboxRecord>>> ReadOutboxes(
      const std::vector<int>& shards, int max);
  // TrimOutbox removes the entries a relay published (ids in outbox order) once the broker has
  // acknowledged them, if they are still at the head; if another relay already removed some,
  // it removes nothing (the rest is published again and deduplicated). Returns the count.
  absl::StatusOr<int64_t> TrimOutbox(int shard, const std::vector<std::string>& entry_ids);
  // TrimOutboxes trims many shards in one round trip; counts in the order given.
  absl::StatusOr<std::vector<int64_t>> TrimOutboxes(
      const std::vector<std::pair<int, std::vector<std::string>>>& published);
  absl::StatusOr<int64_t> OutboxDepth(int shard);

  // DueTimers returns up to `max` pending timers due at or before `now`, earliest first.
  absl::StatusOr<std::vector<concerto::platform::v1::TimerRecord>> DueTimers(int shard,
                                                                             absl::Time now,
                                                                             int max);
  // RemoveTimers retires timers whose firing was already applied (a duplicate fire).
  absl::Status RemoveTimers(int shard, const std::vector<std::string>& timer_ids);
  // NextTimer returns the earliest pending timer's due time, if any, and the pending count.
  struct TimerSummary {
    std::optional<absl::Time> next_due;
    int64_t pending = 0;
  };
  absl::StatusOr<TimerSummary> Timers(int shard);

  // LookupIndex finds an index field in any of the `shards` shards (one pipelined round trip);
  // nullopt when no shard has it.
  absl::StatusOr<std::optional<std::string>> LookupIndex(int shards, absl::string_view field);
  // LookupIndexMany looks up many fields in one round trip; answers in the order given.
  absl::StatusOr<std::vector<std::optional<std::string>>> LookupIndexMany(
      int shards, const std::vector<std::string>& fields);
  // ScanAggregates returns (aggregate key, state) of every aggregate whose key starts with
  // `prefix` (no glob characters in it), over `shards` shards. For operator views and reports,
  // not for the hot path.
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ScanAggregates(
      int shards, absl::string_view prefix);

  // Keys, exposed for tests and operations tooling.
  std::string AggregateKey(int shard, absl::string_view aggregate) const;
  std::string OutboxKey(int shard) const;
  std::string TimersKey(int shard) const;
  std::string TimerDataKey(int shard) const;
  std::string ProcessedKey(int shard, absl::string_view input_id) const;
  std::string IndexKey(int shard) const;

  RedisClient* client() const { return client_; }

 private:
  absl::Status LoadScript();
  absl::StatusOr<std::vector<concerto::platform::v1::OutboxRecord>> DecodeOutbox(int shard,
                                                                               const Reply& r);
  std::vector<std::string> CommitArgs(const UnitOfWork& unit) const;

  RedisClient* client_;
  const std::string ns_;
  const int64_t retention_seconds_;
  std::string script_sha_;
  std::string trim_sha_;
};

}  // namespace concerto::platform::redis
