#include "libs/platform/kafka/consumer.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/platform/kafka/internal/rdkafka_util.h"

namespace concerto::platform::kafka {
namespace {

using internal::KafkaError;
using internal::TimeoutMs;

struct ListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const {
    rd_kafka_topic_partition_list_destroy(l);
  }
};
using ListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, ListDeleter>;

std::vector<TopicPartition> ToVector(const rd_kafka_topic_partition_list_t* list) {
  std::vector<TopicPartition> out;
  if (list == nullptr) return out;
  for (int i = 0; i < list->cnt; ++i) {
    out.push_back({list->elems[i].topic, list->elems[i].partition});
  }
  std::sort(out.begin(), out.end());
  return out;
}

ListPtr ToList(const std::vector<TopicPartition>& partitions) {
  ListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (const auto& tp : partitions) {
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition);
  }
  return list;
}

Message ToMessage(const rd_kafka_message_t* m) {
  Message out;
  out.topic = rd_kafka_topic_name(m->rkt);
  out.partition = m->partition;
  out.offset = m->offset;
  if (m->key != nullptr) out.key.assign(static_cast<const char*>(m->key), m->key_len);
  if (m->payload != nullptr) out.value.assign(static_cast<const char*>(m->payload), m->len);
  rd_kafka_timestamp_type_t ts_type;
  const int64_t ts = rd_kafka_message_timestamp(m, &ts_type);
  out.timestamp = ts >= 0 ? absl::FromUnixMillis(ts) : absl::InfinitePast();
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name;
    const void* value;
    size_t size;
    for (size_t i = 0;
         rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      out.headers.emplace_back(name, value == nullptr
                                         ? std::string()
                                         : std::string(static_cast<const char*>(value), size));
    }
  }
  return out;
}

absl::Status ClosedError() { return absl::FailedPreconditionError("kafka consumer is closed"); }

}  // namespace

struct Consumer::Callbacks {
  static void OnRebalance(rd_kafka_t* /*rk*/, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque) {
    static_cast<Consumer*>(opaque)->HandleRebalance(err, partitions);
  }
};

absl::StatusOr<std::unique_ptr<Consumer>> Consumer::Create(const ConsumerOptions& options) {
  if (options.group_id.empty()) return absl::InvalidArgumentError("kafka consumer: empty group_id");
  if (options.topics.empty()) return absl::InvalidArgumentError("kafka consumer: no topics");
  auto conf = internal::BuildConf(
      options.kafka,
      {
          {"group.id", options.group_id},
          {"enable.auto.commit", "false"},
          {"enable.auto.offset.store", "false"},
          {"auto.offset.reset", "earliest"},
          {"partition.assignment.strategy", "range"},
          {"fetch.wait.max.ms", "5"},
          {"reconnect.backoff.max.ms", "1000"},
          {"session.timeout.ms", absl::StrCat(absl::ToInt64Milliseconds(options.session_timeout))},
          {"heartbeat.interval.ms",
           absl::StrCat(absl::ToInt64Milliseconds(options.heartbeat_interval))},
      });
  if (!conf.ok()) return conf.status();
  std::unique_ptr<Consumer> consumer(new Consumer(options.listener));
  rd_kafka_conf_set_rebalance_cb(conf->get(), &Consumer::Callbacks::OnRebalance);
  rd_kafka_conf_set_opaque(conf->get(), consumer.get());
  char errstr[512];
  consumer->rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf->get(), errstr, sizeof(errstr));
  if (consumer->rk_ == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("kafka consumer: ", errstr));
  }
  conf->release();  // owned by rk_ now
  rd_kafka_poll_set_consumer(consumer->rk_);
  ListPtr topics(rd_kafka_topic_partition_list_new(static_cast<int>(options.topics.size())));
  for (const auto& t : options.topics) {
    rd_kafka_topic_partition_list_add(topics.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
  }
  if (auto s = KafkaError(rd_kafka_subscribe(consumer->rk_, topics.get()), "kafka subscribe");
      !s.ok()) {
    return s;
  }
  return consumer;
}

Consumer::~Consumer() {
  Close();
  if (rk_ != nullptr) rd_kafka_destroy(rk_);
}

void Consumer::Close() {
  if (rk_ == nullptr || closed_.exchange(true)) return;
  rd_kafka_consumer_close(rk_);  // serves the final revoke through OnRebalance
  absl::MutexLock lock(&mu_);
  assignment_.clear();
  positions_.clear();
}

void Consumer::HandleRebalance(int err, rd_kafka_topic_partition_list_t* partitions) {
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    std::vector<TopicPartition> assigned = ToVector(partitions);
    if (listener_ != nullptr) listener_->OnAssigned(assigned);
    {
      absl::MutexLock lock(&mu_);
      assignment_ = std::move(assigned);
      positions_.clear();
    }
    rd_kafka_assign(rk_, partitions);
    return;
  }
  // Revoke (or a rebalance error): give up everything we own.
  std::vector<TopicPartition> revoked;
  {
    absl::MutexLock lock(&mu_);
    revoked = assignment_;
  }
  if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS && partitions != nullptr) {
    revoked = ToVector(partitions);
  }
  if (listener_ != nullptr && !revoked.empty()) listener_->OnRevoked(revoked);
  {
    absl::MutexLock lock(&mu_);
    assignment_.clear();
    positions_.clear();
  }
  rd_kafka_assign(rk_, nullptr);
}

absl::StatusOr<std::vector<Message>> Consumer::Poll(int max_messages, absl::Duration timeout) {
  if (closed_) return ClosedError();
  std::vector<Message> out;
  const absl::Time deadline = absl::Now() + timeout;
  while (static_cast<int>(out.size()) < max_messages) {
    // The first message waits until the deadline; the rest only if immediately available.
    const int wait_ms = out.empty() ? TimeoutMs(deadline - absl::Now()) : 0;
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, wait_ms);
    if (m == nullptr) {
      if (!out.empty() || absl::Now() >= deadline) break;
      continue;
    }
    const rd_kafka_resp_err_t err = m->err;
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      out.push_back(ToMessage(m));
      rd_kafka_message_destroy(m);
      continue;
    }
    rd_kafka_message_destroy(m);
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
      char reason[512];
      const rd_kafka_resp_err_t fatal = rd_kafka_fatal_error(rk_, reason, sizeof(reason));
      return absl::InternalError(
          absl::StrCat("kafka consumer fatal error (", rd_kafka_err2name(fatal), "): ", reason));
    }
    // Partition EOF, transient broker errors, a subscribed topic not created yet: informational.
    if (out.empty() && absl::Now() >= deadline) break;
  }
  if (!out.empty()) {
    absl::MutexLock lock(&mu_);
    for (const Message& m : out) positions_[{m.topic, m.partition}] = m.offset + 1;
  }
  return out;
}

absl::Status Consumer::Commit(const std::vector<TopicPartitionOffset>& offsets) {
  if (closed_) return ClosedError();
  if (offsets.empty()) return absl::OkStatus();
  ListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
  for (const auto& o : offsets) {
    rd_kafka_topic_partition_list_add(list.get(), o.topic.c_str(), o.partition)->offset = o.offset;
  }
  if (auto s = KafkaError(rd_kafka_commit(rk_, list.get(), /*async=*/0), "kafka commit"); !s.ok()) {
    return s;
  }
  for (int i = 0; i < list->cnt; ++i) {
    if (list->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return KafkaError(list->elems[i].err, absl::StrCat("kafka commit ", list->elems[i].topic, "/",
                                                         list->elems[i].partition));
    }
  }
  return absl::OkStatus();
}

absl::Status Consumer::RewindToCommitted() {
  if (closed_) return ClosedError();
  const std::vector<TopicPartition> assigned = Assignment();
  if (assigned.empty()) return absl::OkStatus();
  ListPtr list = ToList(assigned);
  if (auto s = KafkaError(rd_kafka_committed(rk_, list.get(), 10000), "kafka committed offsets");
      !s.ok()) {
    return s;
  }
  for (int i = 0; i < list->cnt; ++i) {
    if (list->elems[i].offset < 0) list->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  if (auto s = KafkaError(rd_kafka_seek_partitions(rk_, list.get(), 10000), "kafka seek");
      !s.ok()) {
    return s;
  }
  absl::MutexLock lock(&mu_);
  for (int i = 0; i < list->cnt; ++i) {
    const TopicPartition tp{list->elems[i].topic, list->elems[i].partition};
    if (list->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return KafkaError(list->elems[i].err,
                        absl::StrCat("kafka seek ", tp.topic, "/", tp.partition));
    }
    if (list->elems[i].offset >= 0) {
      positions_[tp] = list->elems[i].offset;
    } else {
      positions_.erase(tp);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<PartitionLag>> Consumer::BrokerLag(absl::Duration timeout) {
  if (closed_) return ClosedError();
  const auto [assigned, positions] = ReadPositions();
  // One ListOffsets request per broker: "the offset of time -1" is the end of the partition.
  ListPtr ends = ToList(assigned);
  for (int i = 0; i < ends->cnt; ++i) ends->elems[i].offset = RD_KAFKA_OFFSET_END;
  if (auto s = KafkaError(rd_kafka_offsets_for_times(
                              rk_, ends.get(), static_cast<int>(absl::ToInt64Milliseconds(timeout))),
                          "kafka end offsets");
      !s.ok()) {
    return s;
  }
  std::vector<PartitionLag> out;
  for (int i = 0; i < ends->cnt; ++i) {
    const auto& e = ends->elems[i];
    if (e.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return absl::UnavailableError(absl::StrCat("kafka end offset of ", e.topic, "/",
                                                 e.partition, ": ", rd_kafka_err2str(e.err)));
    }
    auto it = positions.find({e.topic, e.partition});
    // Not read yet: it was empty or is read from the beginning (the low watermark).
    int64_t from = 0;
    if (it != positions.end()) {
      from = it->second;
    } else {
      int64_t low = -1, high = -1;
      rd_kafka_get_watermark_offsets(rk_, e.topic, e.partition, &low, &high);
      from = std::max<int64_t>(0, low);
    }
    out.push_back({e.topic, e.partition, std::max<int64_t>(0, e.offset - from)});
  }
  return out;
}

std::pair<std::vector<TopicPartition>, std::map<TopicPartition, int64_t>>
Consumer::ReadPositions() const {
  absl::MutexLock lock(&mu_);
  return {assignment_, positions_};
}

std::vector<TopicPartition> Consumer::Assignment() const {
  absl::MutexLock lock(&mu_);
  return assignment_;
}

absl::StatusOr<std::vector<PartitionLag>> Consumer::Lag() {
  if (closed_) return ClosedError();
  const auto [assigned, positions] = ReadPositions();
  std::vector<PartitionLag> out;
  std::vector<TopicPartition> unknown;  // no position yet: fall back to the committed offset
  for (const auto& tp : assigned) {
    int64_t low = -1, high = -1;
    rd_kafka_get_watermark_offsets(rk_, tp.topic.c_str(), tp.partition, &low, &high);
    int64_t lag = 0;
    if (auto it = positions.find(tp); it != positions.end()) {
      lag = high >= 0 ? std::max<int64_t>(0, high - it->second) : 0;
    } else {
      unknown.push_back(tp);
    }
    out.push_back({tp.topic, tp.partition, lag});
  }
  if (!unknown.empty()) {
    ListPtr list = ToList(unknown);
    if (auto s = KafkaError(rd_kafka_committed(rk_, list.get(), 5000), "kafka committed offsets");
        !s.ok()) {
      return s;
    }
    for (int i = 0; i < list->cnt; ++i) {
      const auto& e = list->elems[i];
      int64_t low = -1, high = -1;
      rd_kafka_get_watermark_offsets(rk_, e.topic, e.partition, &low, &high);
      const int64_t from = e.offset >= 0 ? e.offset : low;
      if (high < 0 || from < 0) continue;
      for (auto& l : out) {
        if (l.topic == e.topic && l.partition == e.partition)
          l.lag = std::max<int64_t>(0, high - from);
      }
    }
  }
  return out;
}

}  // namespace concerto::platform::kafka
