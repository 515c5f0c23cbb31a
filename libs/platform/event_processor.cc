#include "libs/platform/event_processor.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "libs/core/stable_hash.h"
#include "libs/core/status_macros.h"
#include "libs/platform/fault_points.h"
#include "libs/platform/kafka/traceparent.h"
#include "libs/platform/runtime/logging.h"

namespace concerto::platform {
namespace {

using concerto::common::v1::Envelope;

constexpr absl::Duration kMaxBackoff = absl::Seconds(5);
constexpr absl::Duration kProduceTimeout = absl::Seconds(30);

google::protobuf::Timestamp ToProto(absl::Time t) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

}  // namespace

EventProcessor::EventProcessor(ProcessorOptions options, kafka::KafkaOptions kafka,
                               Handler* handler, const Clock* clock)
    : options_(std::move(options)),
      kafka_options_(std::move(kafka)),
      handler_(handler),
      clock_(clock) {}

absl::StatusOr<std::unique_ptr<EventProcessor>> EventProcessor::Create(
    const ProcessorOptions& options, const kafka::KafkaOptions& kafka,
    const std::string& redis_address, Handler* handler, const Clock* clock) {
  if (options.service.empty()) return absl::InvalidArgumentError("processor: service is empty");
  if (options.shards <= 0) return absl::InvalidArgumentError("processor: shards must be > 0");
  ProcessorOptions opts = options;
  if (opts.group_id.empty()) opts.group_id = opts.service;
  std::unique_ptr<EventProcessor> p(new EventProcessor(opts, kafka, handler, clock));
  CONCERTO_ASSIGN_OR_RETURN(p->consumer_redis_, redis::RedisClient::Connect(redis_address));
  CONCERTO_ASSIGN_OR_RETURN(p->relay_redis_, redis::RedisClient::Connect(redis_address));
  CONCERTO_ASSIGN_OR_RETURN(p->command_redis_, redis::RedisClient::Connect(redis_address));
  CONCERTO_ASSIGN_OR_RETURN(p->status_redis_, redis::RedisClient::Connect(redis_address));
  p->consumer_store_ = std::make_unique<redis::UnitOfWorkStore>(p->consumer_redis_.get(), opts.service);
  p->relay_store_ = std::make_unique<redis::UnitOfWorkStore>(p->relay_redis_.get(), opts.service);
  p->command_store_ = std::make_unique<redis::UnitOfWorkStore>(p->command_redis_.get(), opts.service);
  p->status_store_ = std::make_unique<redis::UnitOfWorkStore>(p->status_redis_.get(), opts.service);
  p->consumer_runner_ = std::make_unique<UnitOfWorkRunner>(opts.service, p->consumer_store_.get(),
                                                           handler, clock);
  p->command_runner_ = std::make_unique<UnitOfWorkRunner>(opts.service, p->command_store_.get(),
                                                          handler, clock);
  p->known_generation_ = p->consumer_redis_->generation();
  return p;
}

EventProcessor::~EventProcessor() { Stop(); }

absl::Status EventProcessor::Start() {
  CONCERTO_ASSIGN_OR_RETURN(producer_, kafka::Producer::Create(kafka_options_));
  if (!options_.input_topics.empty()) {
    kafka::ConsumerOptions co;
    co.kafka = kafka_options_;
    co.group_id = options_.group_id;
    co.topics = options_.input_topics;
    co.listener = this;
    co.session_timeout = options_.session_timeout;
    co.heartbeat_interval = options_.heartbeat_interval;
    CONCERTO_ASSIGN_OR_RETURN(consumer_, kafka::Consumer::Create(co));
  }
  consume_thread_ = std::thread([this] { ConsumeLoop(); });
  relay_thread_ = std::thread([this] { RelayLoop(); });
  return absl::OkStatus();
}

void EventProcessor::Stop() {
  if (!consume_thread_.joinable() && !relay_thread_.joinable()) return;
  stop_intake_ = true;
  if (consume_thread_.joinable()) consume_thread_.join();
  stop_relay_ = true;
  {
    absl::MutexLock lock(&mu_);
    relay_wake_ = true;
  }
  if (relay_thread_.joinable()) relay_thread_.join();
  if (producer_) producer_->Flush(absl::Seconds(10)).IgnoreError();
}

int EventProcessor::ShardOf(std::string_view aggregate_key) const {
  return core::KafkaPartitionOf(aggregate_key, options_.shards);
}

std::set<int> EventProcessor::OwnedShards() const {
  absl::MutexLock lock(&mu_);
  return owned_shards_;
}

void EventProcessor::OnAssigned(const std::vector<kafka::TopicPartition>& partitions) {
  absl::MutexLock lock(&mu_);
  owned_shards_.clear();
  for (const auto& tp : partitions) owned_shards_.insert(tp.partition);
  relay_wake_ = true;
  LogInfo("partitions assigned", {{"shards", absl::StrCat(owned_shards_.size())}});
}

void EventProcessor::OnRevoked(const std::vector<kafka::TopicPartition>& partitions) {
  // Hand over cleanly: commit what is durable (waiting out the fsync horizon), then stop acting
  // for these shards; the new owner resumes from the committed offsets.
  CommitDurableOffsets(/*wait_for_horizon=*/true);
  pending_offsets_.clear();
  absl::MutexLock lock(&mu_);
  for (const auto& tp : partitions) {
    owned_shards_.erase(tp.partition);
    unsettled_.erase(tp);
  }
  LogInfo("partitions revoked", {{"count", absl::StrCat(partitions.size())}});
}

std::vector<WorkItem> EventProcessor::Decode(const std::vector<kafka::Message>& messages) {
  std::vector<WorkItem> items;
  items.reserve(messages.size());
  for (const kafka::Message& m : messages) {
    WorkItem item;
    item.shard = m.partition;
    item.raw = RawRecord{m.topic, m.partition, m.offset, m.key, m.value, m.headers};
    if (auto tp = kafka::FindHeader(m.headers, kafka::kTraceparentHeader)) item.traceparent = *tp;
    Envelope& env = item.input.event;
    if (!env.ParseFromString(m.value) || env.event_id().empty()) {
      item.input.id = absl::StrCat("raw:", m.topic, ":", m.partition, ":", m.offset);
      item.input.aggregate_key = m.key.empty() ? "_undecodable" : m.key;
      item.decode_error = env.event_id().empty() && !m.value.empty()
                              ? "record is not a Concerto envelope (no event_id)"
                              : "record value does not decode as an envelope";
      items.push_back(std::move(item));
      continue;
    }
    if (env.schema_version() > options_.max_schema_version) {
      LogWarn("skipping event with newer schema version",
              {{"event_id", env.event_id()}, {"type", env.type()},
               {"schema_version", absl::StrCat(env.schema_version())}});
      continue;  // its offset still advances with the batch
    }
    item.input.kind = Input::Kind::kEvent;
    item.input.id = env.event_id();
    item.input.aggregate_key = env.aggregate_key().empty() ? m.key : env.aggregate_key();
    item.input.tenant = env.tenant();
    item.input.correlation_id = env.correlation_id();
    items.push_back(std::move(item));
  }
  return items;
}

bool EventProcessor::ProcessUntilSettled(const std::vector<WorkItem>& all,
                                         std::vector<std::string>* duplicates) {
  size_t start = 0;
  absl::Duration backoff = absl::Milliseconds(50);
  std::vector<WorkItem> rest;
  while (start < all.size()) {
    rest.assign(all.begin() + static_cast<std::ptrdiff_t>(start), all.end());
    absl::StatusOr<RunResult> r = consumer_runner_->Run(rest);
    if (!r.ok()) {
      LogWarn("unit of work failed, retrying", {{"error", r.status().ToString()},
                                                 {"backoff", absl::FormatDuration(backoff)}});
      if (stop_intake_) return false;
      absl::SleepFor(backoff);
      backoff = std::min(backoff * 2, kMaxBackoff);
      continue;
    }
    units_committed_ += r->units_committed;
    if (r->units_committed > 0) FaultPoint("after_commit_before_offset");
    for (size_t i = 0; i < r->settled; ++i) {
      const ItemOutcome& o = r->outcomes[i];
      const WorkItem& item = rest[i];
      ScopedCorrelationId correlation(item.input.correlation_id.empty()
                                          ? item.input.id
                                          : item.input.correlation_id);
      if (o.kind == ItemOutcome::Kind::kDuplicate && duplicates != nullptr) {
        duplicates->push_back(item.input.id);
      }
      if (o.kind == ItemOutcome::Kind::kDeadLettered) {
        ++dead_letters_;
        LogWarn("input dead-lettered", {{"input_id", item.input.id},
                                        {"topic", consumer_runner_->dead_letter_topic()},
                                        {"reason", o.handler_status.ToString()}});
      } else if (o.kind == ItemOutcome::Kind::kSkipped) {
        LogInfo("input skipped", {{"input_id", item.input.id},
                                  {"reason", o.handler_status.ToString()}});
      } else if (o.kind == ItemOutcome::Kind::kRejected) {
        LogWarn("input rejected", {{"input_id", item.input.id},
                                   {"reason", o.handler_status.ToString()}});
      }
    }
    start += r->settled;
    if (start < all.size()) {
      LogWarn("transient failure, retrying", {{"input_id", all[start].input.id},
                                               {"error", r->transient.ToString()}});
      if (stop_intake_) return false;
      absl::SleepFor(backoff);
      backoff = std::min(backoff * 2, kMaxBackoff);
    } else {
      absl::MutexLock lock(&mu_);
      relay_wake_ = true;
    }
  }
  return true;
}

void EventProcessor::CheckRedisGeneration() {
  const uint64_t g = consumer_redis_->generation();
  if (g == known_generation_) return;
  // Redis reconnected: it may have restarted and lost its last un-fsynced commits. Forget the
  // offsets not yet committed and replay from the committed ones; replays are deduplicated.
  LogWarn("redis reconnected: replaying from committed offsets",
          {{"generation", absl::StrCat(g)}});
  pending_offsets_.clear();
  {
    absl::MutexLock lock(&mu_);
    unsettled_.clear();
  }
  if (consumer_) {
    absl::Status s = consumer_->RewindToCommitted();
    if (!s.ok()) {
      // Not recorded as handled: the next pass tries the rewind again.
      LogError("rewind failed; will retry", {{"error", s.ToString()}});
      return;
    }
  }
  known_generation_ = g;
}

void EventProcessor::CommitDurableOffsets(bool wait_for_horizon) {
  if (!consumer_ || pending_offsets_.empty()) return;
  const uint64_t g = consumer_redis_->generation();
  if (g != known_generation_) return;  // a rewind is due first (CheckRedisGeneration)
  if (wait_for_horizon) {
    const absl::Time last = pending_offsets_.back().durable_at;
    if (last > absl::Now()) absl::SleepFor(last - absl::Now());
  }
  const absl::Time now = absl::Now();
  std::map<kafka::TopicPartition, int64_t> best;
  size_t n = 0;
  for (const PendingOffset& p : pending_offsets_) {
    if (p.durable_at > now) break;
    if (p.generation == g) best[p.tp] = std::max(best[p.tp], p.next_offset);
    ++n;
  }
  if (best.empty()) {
    pending_offsets_.erase(pending_offsets_.begin(),
                           pending_offsets_.begin() + static_cast<std::ptrdiff_t>(n));
    return;
  }
  std::vector<kafka::TopicPartitionOffset> offsets;
  for (const auto& [tp, off] : best) offsets.push_back({tp.topic, tp.partition, off});
  absl::Status s = consumer_->Commit(offsets);
  if (!s.ok()) {
    LogWarn("offset commit failed; will retry", {{"error", s.ToString()}});
    return;
  }
  pending_offsets_.erase(pending_offsets_.begin(),
                         pending_offsets_.begin() + static_cast<std::ptrdiff_t>(n));
  last_offset_commit_ = now;
}

void EventProcessor::FireDueTimers() {
  const absl::Time now = clock_->Now();
  const absl::Time wall = absl::Now();
  if (now == last_timer_clock_ && wall - last_timer_check_ < options_.timer_check_interval) return;
  last_timer_clock_ = now;
  last_timer_check_ = wall;
  for (int shard : OwnedShards()) {
    while (!stop_intake_) {
      absl::StatusOr<std::vector<v1::TimerRecord>> due = consumer_store_->DueTimers(shard, now, 256);
      if (!due.ok()) {
        LogWarn("reading due timers failed", {{"shard", absl::StrCat(shard)},
                                               {"error", due.status().ToString()}});
        return;
      }
      if (due->empty()) break;
      std::vector<WorkItem> items;
      for (v1::TimerRecord& t : *due) {
        WorkItem item;
        item.shard = shard;
        item.input.kind = Input::Kind::kTimer;
        item.input.id = t.timer_id();
        item.input.aggregate_key = t.aggregate_key();
        item.input.tenant = t.tenant();
        item.input.correlation_id = t.correlation_id();
        item.input.timer = std::move(t);
        items.push_back(std::move(item));
      }
      in_flight_ = true;
      std::vector<std::string> duplicates;
      const bool settled = ProcessUntilSettled(items, &duplicates);
      in_flight_ = false;
      timers_fired_ += static_cast<int64_t>(items.size());
      FaultPoint("timer_after_commit");
      // A timer whose firing was already applied (same id re-armed) is just retired.
      if (absl::Status s = consumer_store_->RemoveTimers(shard, duplicates); !s.ok()) {
        LogWarn("retiring duplicate timers failed", {{"error", s.ToString()}});
        break;
      }
      if (!settled || due->size() < 256) break;
    }
  }
}

void EventProcessor::ConsumeLoop() {
  while (!stop_intake_) {
    CheckRedisGeneration();
    if (consumer_) {
      absl::StatusOr<std::vector<kafka::Message>> messages =
          consumer_->Poll(options_.max_batch, options_.poll_timeout);
      if (!messages.ok()) {
        LogWarn("poll failed", {{"error", messages.status().ToString()}});
        absl::SleepFor(absl::Milliseconds(100));
        continue;
      }
      if (!messages->empty()) {
        in_flight_ = true;
        {
          absl::MutexLock lock(&mu_);
          for (const auto& m : *messages) {
            unsettled_[kafka::TopicPartition{m.topic, m.partition}] += 1;
          }
        }
        const bool settled = ProcessUntilSettled(Decode(*messages));
        if (settled) {
          std::map<kafka::TopicPartition, int64_t> next;
          for (const auto& m : *messages) {
            auto& n = next[kafka::TopicPartition{m.topic, m.partition}];
            n = std::max(n, m.offset + 1);
          }
          const absl::Time durable_at = absl::Now() + options_.fsync_horizon;
          const uint64_t g = consumer_redis_->generation();
          for (const auto& [tp, off] : next) pending_offsets_.push_back({tp, off, durable_at, g});
          absl::MutexLock lock(&mu_);
          for (const auto& m : *messages) {
            auto it = unsettled_.find(kafka::TopicPartition{m.topic, m.partition});
            if (it != unsettled_.end() && --it->second <= 0) unsettled_.erase(it);
          }
        }
        in_flight_ = false;
      }
    } else {
      absl::SleepFor(options_.poll_timeout);
    }
    FireDueTimers();
    if (absl::Now() - last_offset_commit_ >= options_.offset_commit_interval) {
      CommitDurableOffsets(/*wait_for_horizon=*/false);
    }
  }
  // Intake stopped: what was applied is committed; make its offsets durable before leaving.
  CommitDurableOffsets(/*wait_for_horizon=*/true);
  intake_stopped_ = true;
  // Let the relay drain the owned shards before the group hands them to another member.
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (absl::Now() < deadline) {
    int64_t depth = 0;
    for (int shard : OwnedShards()) {
      auto d = status_store_->OutboxDepth(shard);
      depth += d.ok() ? *d : 0;
    }
    if (depth == 0) break;
    absl::SleepFor(absl::Milliseconds(10));
  }
  if (consumer_) consumer_->Close();
}

void EventProcessor::RelayLoop() {
  std::vector<kafka::Record> records;
  std::vector<std::pair<int, std::vector<std::string>>> published;
  while (!stop_relay_) {
    records.clear();
    published.clear();
    const std::set<int> owned = OwnedShards();
    const std::vector<int> shards(owned.begin(), owned.end());
    absl::StatusOr<std::vector<std::vector<v1::OutboxRecord>>> outboxes =
        relay_store_->ReadOutboxes(shards, options_.relay_batch);
    if (!outboxes.ok()) {
      LogWarn("reading outboxes failed", {{"error", outboxes.status().ToString()}});
      absl::SleepFor(absl::Milliseconds(100));
      continue;
    }
    for (size_t i = 0; i < shards.size(); ++i) {
      std::vector<v1::OutboxRecord>& entries = (*outboxes)[i];
      if (entries.empty()) continue;
      std::vector<std::string> ids;
      ids.reserve(entries.size());
      for (v1::OutboxRecord& e : entries) {
        kafka::Record r;
        r.topic = e.topic();
        r.key = e.key();
        r.value = std::move(*e.mutable_value());
        for (const auto& h : e.headers()) r.headers.emplace_back(h.key(), h.value());
        records.push_back(std::move(r));
        ids.push_back(e.entry_id());
      }
      published.emplace_back(shards[i], std::move(ids));
    }
    if (records.empty()) {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&relay_wake_), absl::Milliseconds(5));
      relay_wake_ = false;
      continue;
    }
    absl::Status s = producer_->ProduceAll(records, kProduceTimeout);
    if (!s.ok()) {
      // Nothing is removed: the entries are published again later; consumers dedupe by id.
      LogWarn("outbox publish failed; will retry", {{"error", s.ToString()}});
      absl::SleepFor(absl::Milliseconds(200));
      continue;
    }
    FaultPoint("relay_after_produce");
    absl::StatusOr<std::vector<int64_t>> removed = relay_store_->TrimOutboxes(published);
    if (!removed.ok()) {
      LogWarn("outbox trim failed; entries will be published again",
              {{"error", removed.status().ToString()}});
    }
  }
}

absl::StatusOr<ItemOutcome> EventProcessor::Execute(Input input, absl::Duration deadline) {
  if (input.id.empty()) return absl::InvalidArgumentError("idempotency_key: must not be empty");
  if (input.aggregate_key.empty()) return absl::InvalidArgumentError("aggregate key: empty");
  input.kind = Input::Kind::kCommand;
  WorkItem item;
  item.shard = ShardOf(input.aggregate_key);
  item.input = std::move(input);
  const absl::Time until = absl::Now() + deadline;
  absl::Duration backoff = absl::Milliseconds(20);
  while (true) {
    absl::StatusOr<RunResult> r;
    {
      absl::MutexLock lock(&command_mu_);
      r = command_runner_->Run({item});
    }
    absl::Status failure = r.ok() ? r->transient : r.status();
    if (r.ok() && r->settled == 1) {
      units_committed_ += r->units_committed;
      {
        absl::MutexLock lock(&mu_);
        relay_wake_ = true;
      }
      return r->outcomes[0];
    }
    if (absl::Now() + backoff > until) return failure;
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(1));
  }
}

absl::StatusOr<std::vector<ItemOutcome>> EventProcessor::ExecuteAll(std::vector<Input> inputs,
                                                                    absl::Duration deadline) {
  std::vector<WorkItem> items;
  items.reserve(inputs.size());
  for (Input& input : inputs) {
    if (input.id.empty()) return absl::InvalidArgumentError("idempotency_key: must not be empty");
    if (input.aggregate_key.empty()) return absl::InvalidArgumentError("aggregate key: empty");
    input.kind = Input::Kind::kCommand;
    WorkItem item;
    item.shard = ShardOf(input.aggregate_key);
    item.input = std::move(input);
    items.push_back(std::move(item));
  }
  std::vector<ItemOutcome> outcomes;
  outcomes.reserve(items.size());
  const absl::Time until = absl::Now() + deadline;
  absl::Duration backoff = absl::Milliseconds(20);
  constexpr size_t kBatch = 512;
  size_t next = 0;
  while (next < items.size()) {
    const size_t end = std::min(items.size(), next + kBatch);
    std::vector<WorkItem> batch(std::make_move_iterator(items.begin() + next),
                                std::make_move_iterator(items.begin() + end));
    absl::StatusOr<RunResult> r;
    {
      absl::MutexLock lock(&command_mu_);
      r = command_runner_->Run(batch);
    }
    size_t settled = 0;
    if (r.ok()) {
      settled = r->settled;
      units_committed_ += r->units_committed;
      for (size_t i = 0; i < settled; ++i) outcomes.push_back(std::move(r->outcomes[i]));
    }
    // Put back what did not settle, to be retried.
    for (size_t i = settled; i < batch.size(); ++i) items[next + i] = std::move(batch[i]);
    next += settled;
    if (settled > 0) {
      FaultPoint("command_after_commit");  // committed, not yet answered: the client retries
      absl::MutexLock lock(&mu_);
      relay_wake_ = true;
      backoff = absl::Milliseconds(20);
      continue;
    }
    const absl::Status failure = r.ok() ? r->transient : r.status();
    if (absl::Now() + backoff > until) return failure;
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(1));
  }
  return outcomes;
}

absl::StatusOr<std::optional<std::string>> EventProcessor::LookupIndex(absl::string_view field) {
  absl::MutexLock lock(&command_mu_);
  return command_store_->LookupIndex(options_.shards, field);
}

absl::StatusOr<std::vector<std::optional<std::string>>> EventProcessor::LookupIndexMany(
    const std::vector<std::string>& fields) {
  absl::MutexLock lock(&command_mu_);
  return command_store_->LookupIndexMany(options_.shards, fields);
}

absl::StatusOr<std::optional<std::string>> EventProcessor::ReadAggregate(
    const std::string& aggregate_key) {
  absl::MutexLock lock(&command_mu_);
  auto loaded = command_store_->Load({{ShardOf(aggregate_key), aggregate_key, ""}});
  if (!loaded.ok()) return loaded.status();
  return (*loaded)[0].aggregate.state;
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> EventProcessor::ScanAggregates(
    absl::string_view prefix) {
  absl::MutexLock lock(&command_mu_);
  return command_store_->ScanAggregates(options_.shards, prefix);
}

concerto::platform::v1::Status EventProcessor::GetStatus() {
  v1::Status st;
  st.set_service(options_.service);
  const absl::Time now = clock_->Now();
  std::map<int, int64_t> lag_by_shard;
  bool assigned = !consumer_;
  if (consumer_) {
    assigned = !consumer_->Assignment().empty();
    auto lags = consumer_->Lag();
    if (lags.ok()) {
      for (const auto& l : *lags) lag_by_shard[l.partition] += std::max<int64_t>(0, l.lag);
    }
    absl::MutexLock lock(&mu_);
    for (const auto& [tp, n] : unsettled_) lag_by_shard[tp.partition] += n;
  }
  bool timer_due = false;
  std::optional<absl::Time> next_due;
  for (int shard : OwnedShards()) {
    v1::ShardStatus* s = st.add_shards();
    s->set_shard(shard);
    s->set_consumer_lag(lag_by_shard[shard]);
    auto depth = status_store_->OutboxDepth(shard);
    s->set_outbox_depth(depth.ok() ? *depth : -1);
    auto timers = status_store_->Timers(shard);
    if (timers.ok()) {
      s->set_pending_timers(timers->pending);
      if (timers->next_due.has_value()) {
        *s->mutable_next_due_timer() = ToProto(*timers->next_due);
        if (*timers->next_due <= now) timer_due = true;
        if (!next_due.has_value() || *timers->next_due < *next_due) next_due = timers->next_due;
      }
    }
    st.set_consumer_lag(st.consumer_lag() + s->consumer_lag());
    st.set_outbox_depth(st.outbox_depth() + std::max<int64_t>(0, s->outbox_depth()));
    st.set_pending_timers(st.pending_timers() + s->pending_timers());
  }
  if (next_due.has_value()) *st.mutable_next_due_timer() = ToProto(*next_due);
  st.set_units_committed(units_committed_.load());
  st.set_dead_letters(dead_letters_.load());
  st.set_quiescent(assigned && !in_flight_ && st.consumer_lag() == 0 &&
                   st.outbox_depth() == 0 && !timer_due);
  return st;
}

}  // namespace concerto::platform
