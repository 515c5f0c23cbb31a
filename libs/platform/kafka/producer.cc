#include "libs/platform/kafka/producer.h"

#include <librdkafka/rdkafka.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/platform/kafka/internal/rdkafka_util.h"

namespace concerto::platform::kafka {
namespace {

using internal::KafkaError;
using internal::TimeoutMs;

// Batch tracks the records of one ProduceAll call. Shared with the delivery-report callback,
// which may run after ProduceAll gave up waiting.
struct Batch {
  absl::Mutex mu;
  int pending ABSL_GUARDED_BY(mu) = 0;
  absl::Status first_error ABSL_GUARDED_BY(mu);
};

// Delivery is the per-record opaque handed to librdkafka.
struct Delivery {
  std::shared_ptr<Batch> batch;
  size_t index = 0;
};

void OnDelivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* msg, void* /*opaque*/) {
  auto* delivery = static_cast<Delivery*>(msg->_private);
  if (delivery == nullptr) return;
  {
    absl::MutexLock lock(&delivery->batch->mu);
    if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR && delivery->batch->first_error.ok()) {
      delivery->batch->first_error = KafkaError(
          msg->err,
          absl::StrCat("produce record #", delivery->index, " to ", rd_kafka_topic_name(msg->rkt)));
    }
    --delivery->batch->pending;
  }
  delete delivery;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Producer>> Producer::Create(const KafkaOptions& options) {
  auto conf = internal::BuildConf(options, {
                                               {"enable.idempotence", "true"},
                                               {"acks", "all"},
                                               {"partitioner", "murmur2_random"},
                                               {"linger.ms", "2"},
                                               {"allow.auto.create.topics", "false"},
                                               {"reconnect.backoff.max.ms", "1000"},
                                           });
  if (!conf.ok()) return conf.status();
  rd_kafka_conf_set_dr_msg_cb(conf->get(), &OnDelivery);
  rd_kafka_conf_set_error_cb(conf->get(), &Producer::OnError);
  std::unique_ptr<Producer> producer(new Producer());
  rd_kafka_conf_set_opaque(conf->get(), producer.get());
  char errstr[512];
  producer->rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf->get(), errstr, sizeof(errstr));
  if (producer->rk_ == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("kafka producer: ", errstr));
  }
  conf->release();  // owned by rk_ now
  producer->poller_ = std::thread([p = producer.get()] { p->PollLoop(); });
  return producer;
}

Producer::~Producer() {
  if (rk_ == nullptr) return;
  (void)Flush(absl::Seconds(1));
  rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  (void)Flush(absl::Seconds(1));  // serves the purged records' delivery reports
  stop_.store(true);
  if (poller_.joinable()) poller_.join();
  rd_kafka_poll(rk_, 0);
  rd_kafka_destroy(rk_);
}

void Producer::PollLoop() {
  while (!stop_.load(std::memory_order_relaxed)) rd_kafka_poll(rk_, 50);
}

void Producer::OnError(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  auto* self = static_cast<Producer*>(opaque);
  absl::MutexLock lock(&self->error_mu_);
  self->last_error_ =
      absl::StrCat(rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err)), ": ", reason);
}

std::string Producer::LastError() const {
  absl::MutexLock lock(&error_mu_);
  return last_error_;
}

absl::Status Producer::ProduceAll(const std::vector<Record>& records, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  char fatal[512];
  if (rd_kafka_fatal_error(rk_, fatal, sizeof(fatal)) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::InternalError(absl::StrCat("kafka producer fatal error (recreate it): ", fatal));
  }
  auto batch = std::make_shared<Batch>();
  for (size_t i = 0; i < records.size(); ++i) {
    const Record& r = records[i];
    rd_kafka_headers_t* headers = nullptr;
    if (!r.headers.empty()) {
      headers = rd_kafka_headers_new(r.headers.size());
      for (const auto& [name, value] : r.headers) {
        rd_kafka_header_add(headers, name.data(), static_cast<ssize_t>(name.size()), value.data(),
                            static_cast<ssize_t>(value.size()));
      }
    }
    auto* delivery = new Delivery{batch, i};
    {
      absl::MutexLock lock(&batch->mu);
      ++batch->pending;
    }
    while (true) {
      const rd_kafka_resp_err_t err =
          rd_kafka_producev(rk_, RD_KAFKA_V_TOPIC(r.topic.c_str()),
                            RD_KAFKA_V_KEY(const_cast<char*>(r.key.data()), r.key.size()),
                            RD_KAFKA_V_VALUE(const_cast<char*>(r.value.data()), r.value.size()),
                            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(headers),
                            RD_KAFKA_V_OPAQUE(delivery), RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;  // headers are owned by librdkafka now
      if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && absl::Now() < deadline) {
        absl::SleepFor(absl::Milliseconds(5));  // the poll thread drains delivery reports
        continue;
      }
      if (headers != nullptr) rd_kafka_headers_destroy(headers);
      delete delivery;
      {
        absl::MutexLock lock(&batch->mu);
        --batch->pending;
      }
      return KafkaError(err, absl::StrCat("produce record #", i, " to ", r.topic));
    }
  }
  absl::MutexLock lock(&batch->mu);
  batch->mu.AwaitWithDeadline(
      absl::Condition(
          +[](Batch* b) ABSL_NO_THREAD_SAFETY_ANALYSIS { return b->pending == 0; }, batch.get()),
      deadline);
  if (!batch->first_error.ok()) return batch->first_error;
  if (batch->pending > 0) {
    const std::string last = LastError();
    return absl::DeadlineExceededError(absl::StrCat(
        batch->pending, " of ", records.size(), " records not acknowledged within ",
        absl::FormatDuration(timeout), last.empty() ? "" : "; last client error: ", last));
  }
  return absl::OkStatus();
}

absl::Status Producer::Flush(absl::Duration timeout) {
  const rd_kafka_resp_err_t err = rd_kafka_flush(rk_, TimeoutMs(timeout));
  if (err == RD_KAFKA_RESP_ERR__TIMED_OUT) {
    return absl::DeadlineExceededError(absl::StrCat(rd_kafka_outq_len(rk_),
                                                    " records/requests outstanding after ",
                                                    absl::FormatDuration(timeout)));
  }
  return KafkaError(err, "flush");
}

}  // namespace concerto::platform::kafka
