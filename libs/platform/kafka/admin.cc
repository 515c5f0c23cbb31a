#include "libs/platform/kafka/admin.h"

#include <librdkafka/rdkafka.h>

#include <memory>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/platform/kafka/internal/rdkafka_util.h"

namespace concerto::platform::kafka {
namespace {

using internal::KafkaError;
using internal::TimeoutMs;

struct HandleDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
struct QueueDeleter {
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
};
struct EventDeleter {
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
};

// Cluster is what metadata says about the cluster.
struct Cluster {
  std::set<std::string> topics;
  std::set<int32_t> brokers;
};

// DescribeCluster lists the topics and brokers the cluster knows (without auto-creating topics).
absl::StatusOr<Cluster> DescribeCluster(rd_kafka_t* rk, absl::Time deadline) {
  const rd_kafka_metadata_t* md = nullptr;
  if (auto s = KafkaError(
          rd_kafka_metadata(rk, /*all_topics=*/1, nullptr, &md, TimeoutMs(deadline - absl::Now())),
          "kafka metadata");
      !s.ok()) {
    return s;
  }
  Cluster out;
  for (int i = 0; i < md->topic_cnt; ++i) {
    if (md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR) out.topics.insert(md->topics[i].topic);
  }
  for (int i = 0; i < md->broker_cnt; ++i) out.brokers.insert(md->brokers[i].id);
  rd_kafka_metadata_destroy(md);
  return out;
}

}  // namespace

absl::Status CreateTopics(const KafkaOptions& options, const std::vector<TopicSpec>& topics,
                          absl::Duration timeout) {
  if (topics.empty()) return absl::OkStatus();
  const absl::Time deadline = absl::Now() + timeout;
  auto conf = internal::BuildConf(
      options, {{"allow.auto.create.topics", "false"}, {"reconnect.backoff.max.ms", "1000"}});
  if (!conf.ok()) return conf.status();
  char errstr[512];
  std::unique_ptr<rd_kafka_t, HandleDeleter> rk(
      rd_kafka_new(RD_KAFKA_PRODUCER, conf->get(), errstr, sizeof(errstr)));
  if (rk == nullptr) return absl::InvalidArgumentError(absl::StrCat("kafka admin: ", errstr));
  conf->release();

  // Existing topics are fine whatever their partition count: only the missing ones are created.
  auto cluster = DescribeCluster(rk.get(), deadline);
  if (!cluster.ok()) return cluster.status();
  std::vector<const TopicSpec*> missing;
  std::vector<std::string> missing_names;
  for (const TopicSpec& t : topics) {
    if (cluster->topics.count(t.name) == 0) {
      missing.push_back(&t);
      missing_names.push_back(t.name);
    }
  }
  if (missing.empty()) return absl::OkStatus();
  // librdkafka's mock cluster does not implement CreateTopics and reports controller id 0, which
  // is none of its brokers (1..N); a real cluster's controller is one of its brokers.
  if (cluster->brokers.count(rd_kafka_controllerid(rk.get(), 0)) == 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "kafka create topics: the cluster has no controller (an embedded mock broker without the "
        "CreateTopics API?); create these topics with the broker's own tooling (concerto-kafka "
        "--topics or the control command create-topic): ",
        absl::StrJoin(missing_names, ", ")));
  }

  std::vector<rd_kafka_NewTopic_t*> new_topics;
  absl::Status status;
  for (const TopicSpec* t : missing) {
    rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(t->name.c_str(), t->partitions,
                                                    t->replication_factor, errstr, sizeof(errstr));
    if (nt == nullptr) {
      status = absl::InvalidArgumentError(absl::StrCat("kafka topic ", t->name, ": ", errstr));
      break;
    }
    new_topics.push_back(nt);
  }
  if (status.ok()) {
    std::unique_ptr<rd_kafka_queue_t, QueueDeleter> queue(rd_kafka_queue_new(rk.get()));
    rd_kafka_AdminOptions_t* admin_options =
        rd_kafka_AdminOptions_new(rk.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS);
    const int timeout_ms = TimeoutMs(deadline - absl::Now());
    rd_kafka_AdminOptions_set_request_timeout(admin_options, timeout_ms, errstr, sizeof(errstr));
    rd_kafka_AdminOptions_set_operation_timeout(admin_options, timeout_ms, errstr, sizeof(errstr));
    rd_kafka_CreateTopics(rk.get(), new_topics.data(), new_topics.size(), admin_options,
                          queue.get());
    rd_kafka_AdminOptions_destroy(admin_options);
    std::unique_ptr<rd_kafka_event_t, EventDeleter> event(
        rd_kafka_queue_poll(queue.get(), timeout_ms + 1000));
    if (event == nullptr) {
      status = absl::DeadlineExceededError("kafka create topics: no result in time");
    } else if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      status = absl::Status(
          internal::ErrorCode(rd_kafka_event_error(event.get())),
          absl::StrCat("kafka create topics: ", rd_kafka_event_error_string(event.get())));
    } else {
      const rd_kafka_CreateTopics_result_t* result =
          rd_kafka_event_CreateTopics_result(event.get());
      size_t n = 0;
      const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &n);
      for (size_t i = 0; i < n && status.ok(); ++i) {
        const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
          continue;  // created now, or concurrently by someone else
        }
        const char* msg = rd_kafka_topic_result_error_string(results[i]);
        status =
            absl::Status(internal::ErrorCode(err),
                         absl::StrCat("kafka create topic ", rd_kafka_topic_result_name(results[i]),
                                      ": ", msg != nullptr ? msg : rd_kafka_err2str(err)));
      }
    }
  }
  for (rd_kafka_NewTopic_t* nt : new_topics) rd_kafka_NewTopic_destroy(nt);
  return status;
}

}  // namespace concerto::platform::kafka
