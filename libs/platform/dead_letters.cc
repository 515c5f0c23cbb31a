#include "libs/platform/dead_letters.h"

#include <map>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "concerto/platform/v1/events.pb.h"
#include "libs/core/status_macros.h"
#include "libs/platform/runtime/logging.h"

namespace concerto::platform {

absl::StatusOr<int> RedriveDeadLetters(const kafka::KafkaOptions& kafka_options,
                                       const std::string& service, absl::Duration idle) {
  kafka::ConsumerOptions co;
  co.kafka = kafka_options;
  co.group_id = service + ".redrive";
  co.topics = {service + ".dlq"};
  CONCERTO_ASSIGN_OR_RETURN(auto consumer, kafka::Consumer::Create(co));
  CONCERTO_ASSIGN_OR_RETURN(auto producer, kafka::Producer::Create(kafka_options));
  int sent = 0;
  // Only dead letters older than this run are re-driven: one that fails again while we run is
  // dead-lettered anew and waits for the next re-drive, so a record that can never apply
  // cannot loop between the topics.
  const absl::Time started = absl::Now();
  std::set<std::pair<std::string, int32_t>> done_partitions;
  // Joining the group takes seconds; the idle time counts from the join (or the last record).
  std::optional<absl::Time> last_seen;
  const absl::Time join_deadline = absl::Now() + absl::Seconds(15);
  while (true) {
    CONCERTO_ASSIGN_OR_RETURN(auto messages, consumer->Poll(256, absl::Milliseconds(100)));
    if (messages.empty()) {
      if (!last_seen.has_value() && !consumer->Assignment().empty()) last_seen = absl::Now();
      if (last_seen.has_value() ? absl::Now() - *last_seen > idle : absl::Now() > join_deadline) {
        break;
      }
      continue;
    }
    last_seen = absl::Now();
    std::vector<kafka::Record> records;
    std::map<std::pair<std::string, int32_t>, int64_t> next;
    for (const kafka::Message& m : messages) {
      if (done_partitions.count({m.topic, m.partition}) > 0) continue;
      if (m.timestamp >= started) {
        done_partitions.insert({m.topic, m.partition});
        continue;
      }
      concerto::platform::v1::DeadLetter dl;
      if (!dl.ParseFromString(m.value)) {
        LogWarn("dead letter does not decode; left in place", {{"offset", absl::StrCat(m.offset)}});
      } else {
        kafka::Record r;
        r.topic = dl.original_topic();
        r.key = dl.original_key();
        r.value = dl.original_value();
        for (const auto& [k, v] : dl.original_headers()) r.headers.emplace_back(k, v);
        records.push_back(std::move(r));
      }
      next[{m.topic, m.partition}] = m.offset + 1;
    }
    CONCERTO_RETURN_IF_ERROR(producer->ProduceAll(records, absl::Seconds(30)));
    std::vector<kafka::TopicPartitionOffset> offsets;
    for (const auto& [tp, off] : next) offsets.push_back({tp.first, tp.second, off});
    CONCERTO_RETURN_IF_ERROR(consumer->Commit(offsets));
    sent += static_cast<int>(records.size());
  }
  consumer->Close();
  return sent;
}

}  // namespace concerto::platform
