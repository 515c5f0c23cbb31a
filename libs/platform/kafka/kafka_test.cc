// Tests of the Kafka adapter against the embedded broker (bin/concerto-kafka), started once for
// the whole binary by the EmbeddedKafka fixture. Every test uses its own topics and group ids.
#include "libs/platform/kafka/kafka.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/core/stable_hash.h"
#include "libs/testing/embedded_kafka.h"
#include "libs/testing/status_matchers.h"

namespace concerto::platform::kafka {
namespace {

using ::concerto::testing::EmbeddedKafka;
using ::concerto::testing::IsOk;
using ::concerto::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Pair;
using ::testing::SizeIs;

class KafkaTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto kafka = EmbeddedKafka::Start({.brokers = 1, .topics = {{"preset", 4}}});
    ASSERT_THAT(kafka, IsOk());
    kafka_ = kafka->release();
  }
  static void TearDownTestSuite() {
    delete kafka_;
    kafka_ = nullptr;
  }

  static KafkaOptions Options() { return {.brokers = kafka_->bootstrap()}; }

  // NewTopic creates a topic with a name unique to this test.
  static std::string NewTopic(const std::string& suffix, int partitions) {
    const std::string name =
        absl::StrCat(::testing::UnitTest::GetInstance()->current_test_info()->name(), "-", suffix);
    EXPECT_THAT(kafka_->CreateTopic(name, partitions), IsOk());
    return name;
  }

  static std::unique_ptr<Consumer> NewConsumer(const std::string& group,
                                               const std::vector<std::string>& topics,
                                               RebalanceListener* listener = nullptr) {
    auto consumer = Consumer::Create({.kafka = Options(),
                                      .group_id = group,
                                      .topics = topics,
                                      .listener = listener,
                                      .session_timeout = absl::Seconds(3),
                                      .heartbeat_interval = absl::Milliseconds(300)});
    EXPECT_THAT(consumer, IsOk());
    return consumer.ok() ? std::move(*consumer) : nullptr;
  }

  // ConsumeN polls until `n` messages arrived or `timeout` passed.
  static std::vector<Message> ConsumeN(Consumer& consumer, size_t n,
                                       absl::Duration timeout = absl::Seconds(15)) {
    std::vector<Message> out;
    const absl::Time deadline = absl::Now() + timeout;
    while (out.size() < n && absl::Now() < deadline) {
      auto batch = consumer.Poll(static_cast<int>(n - out.size()), absl::Milliseconds(200));
      EXPECT_THAT(batch, IsOk());
      if (!batch.ok()) break;
      for (auto& m : *batch) out.push_back(std::move(m));
    }
    return out;
  }

  // KeyOnPartition returns the `i`-th key (of a deterministic series) that murmur2 puts on
  // `partition` of a topic with `partitions` partitions.
  static std::string KeyOnPartition(int partition, int partitions, int i) {
    for (int n = 0, found = 0;; ++n) {
      std::string key = absl::StrCat("key-", n);
      if (core::KafkaPartitionOf(key, partitions) == partition && found++ == i) return key;
    }
  }

  static EmbeddedKafka* kafka_;
};

EmbeddedKafka* KafkaTest::kafka_ = nullptr;

// RecordingListener remembers every rebalance notification.
class RecordingListener : public RebalanceListener {
 public:
  void OnAssigned(const std::vector<TopicPartition>& partitions) override {
    absl::MutexLock lock(&mu_);
    events_.emplace_back("assigned", partitions);
  }
  void OnRevoked(const std::vector<TopicPartition>& partitions) override {
    absl::MutexLock lock(&mu_);
    events_.emplace_back("revoked", partitions);
  }
  std::vector<std::pair<std::string, std::vector<TopicPartition>>> events() {
    absl::MutexLock lock(&mu_);
    return events_;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::pair<std::string, std::vector<TopicPartition>>> events_;
};

std::vector<TopicPartition> AllPartitions(const std::string& topic, int n) {
  std::vector<TopicPartition> out;
  for (int p = 0; p < n; ++p) out.push_back({topic, p});
  return out;
}

TEST_F(KafkaTest, FixtureAnswersPingCreatesTopicsAndRejectsBadCommands) {
  EXPECT_THAT(kafka_->Control("ping"), IsOk());
  EXPECT_THAT(kafka_->CreateTopic("fixture-smoke", 3), IsOk());
  EXPECT_THAT(kafka_->Control("no-such-command"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(kafka_->BrokerDown(7), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(kafka_->Control("create-topic fixture-bad zero"), Not(IsOk()));
  EXPECT_THAT(kafka_->Control("rtt 1 0"), IsOk());
}

TEST_F(KafkaTest, ProducerCreateRejectsInvalidConfig) {
  KafkaOptions options = Options();
  options.extra["acks"] = "sometimes";
  EXPECT_THAT(Producer::Create(options), StatusIs(absl::StatusCode::kInvalidArgument));
  options.extra = {{"no.such.property", "1"}};
  EXPECT_THAT(Producer::Create(options), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(KafkaTest, ProducedRecordsAreConsumedWithKeysValuesHeadersAndPerKeyOrder) {
  const std::string topic = NewTopic("events", 8);
  constexpr int kKeys = 20, kPerKey = 10;
  std::vector<Record> records;
  for (int seq = 0; seq < kPerKey; ++seq) {
    for (int k = 0; k < kKeys; ++k) {
      records.push_back(
          {.topic = topic,
           .key = absl::StrCat("case-", k),
           .value = absl::StrCat("case-", k, "/", seq),
           .headers = {{"seq", absl::StrCat(seq)}, {"traceparent", NewTraceparent()}}});
    }
  }
  auto producer = Producer::Create(Options());
  ASSERT_THAT(producer, IsOk());
  ASSERT_THAT((*producer)->ProduceAll(records, absl::Seconds(10)), IsOk());

  auto consumer = NewConsumer("order-group", {topic});
  const std::vector<Message> got = ConsumeN(*consumer, records.size());
  ASSERT_THAT(got, SizeIs(records.size()));
  std::map<std::string, std::vector<std::string>> values_by_key;
  std::map<std::string, const Record*> sent;
  for (const Record& r : records) sent[r.value] = &r;
  for (const Message& m : got) {
    EXPECT_EQ(m.topic, topic);
    values_by_key[m.key].push_back(m.value);
    ASSERT_TRUE(sent.count(m.value)) << m.value;
    EXPECT_EQ(m.key, sent[m.value]->key);
    EXPECT_EQ(m.headers, sent[m.value]->headers);
    EXPECT_GT(m.timestamp, absl::Now() - absl::Minutes(1));
  }
  ASSERT_THAT(values_by_key, SizeIs(kKeys));
  for (const auto& [key, values] : values_by_key) {
    std::vector<std::string> want;
    for (int seq = 0; seq < kPerKey; ++seq) want.push_back(absl::StrCat(key, "/", seq));
    EXPECT_EQ(values, want) << key;
  }
}

TEST_F(KafkaTest, EveryRecordOfAKeyLandsOnKafkaPartitionOfTheKey) {
  const std::string topic = NewTopic("sharded", 8);
  std::vector<Record> records;
  for (int i = 0; i < 64; ++i) {
    records.push_back({.topic = topic, .key = absl::StrCat("customer-", i % 16), .value = "v"});
  }
  auto producer = Producer::Create(Options());
  ASSERT_THAT(producer, IsOk());
  ASSERT_THAT((*producer)->ProduceAll(records, absl::Seconds(10)), IsOk());

  auto consumer = NewConsumer("partition-group", {topic});
  const std::vector<Message> got = ConsumeN(*consumer, records.size());
  ASSERT_THAT(got, SizeIs(records.size()));
  std::set<int> used;
  for (const Message& m : got) {
    EXPECT_EQ(m.partition, core::KafkaPartitionOf(m.key, 8)) << m.key;
    used.insert(m.partition);
  }
  EXPECT_GT(used.size(), 4u);  // the keys really spread
}

TEST_F(KafkaTest, NewMemberResumesAfterCommittedOffsetWithoutLossOrRedelivery) {
  const std::string topic = NewTopic("commands", 2);
  std::vector<Record> records;
  for (int p = 0; p < 2; ++p) {
    for (int i = 0; i < 6; ++i) {
      records.push_back(
          {.topic = topic, .key = KeyOnPartition(p, 2, i), .value = absl::StrCat(p, "/", i)});
    }
  }
  auto producer = Producer::Create(Options());
  ASSERT_THAT(producer, IsOk());
  ASSERT_THAT((*producer)->ProduceAll(records, absl::Seconds(10)), IsOk());

  {
    auto first = NewConsumer("resume-group", {topic});
    ASSERT_THAT(ConsumeN(*first, 12), SizeIs(12));
    // Offsets 0..3 of partition 0 and 0..1 of partition 1 are durable; the rest is not.
    ASSERT_THAT(first->Commit({{topic, 0, 4}, {topic, 1, 2}}), IsOk());
    first->Close();
  }
  auto second = NewConsumer("resume-group", {topic});
  std::vector<Message> got = ConsumeN(*second, 6);
  const auto more = second->Poll(100, absl::Milliseconds(500));
  ASSERT_THAT(more, IsOk());
  got.insert(got.end(), more->begin(), more->end());
  std::set<std::pair<int, int64_t>> offsets;
  for (const Message& m : got) offsets.insert({m.partition, m.offset});
  EXPECT_THAT(got, SizeIs(6));
  EXPECT_EQ(offsets,
            (std::set<std::pair<int, int64_t>>{{0, 4}, {0, 5}, {1, 2}, {1, 3}, {1, 4}, {1, 5}}));
}

TEST_F(KafkaTest, RewindToCommittedReplaysEverythingAfterTheCommittedOffsets) {
  const std::string topic = NewTopic("replay", 2);
  std::vector<Record> records;
  for (int p = 0; p < 2; ++p) {
    for (int i = 0; i < 5; ++i) {
      records.push_back(
          {.topic = topic, .key = KeyOnPartition(p, 2, i), .value = absl::StrCat(p, "/", i)});
    }
  }
  auto producer = Producer::Create(Options());
  ASSERT_THAT(producer, IsOk());
  ASSERT_THAT((*producer)->ProduceAll(records, absl::Seconds(10)), IsOk());

  auto consumer = NewConsumer("rewind-group", {topic});
  ASSERT_THAT(ConsumeN(*consumer, 10), SizeIs(10));
  ASSERT_THAT(consumer->Commit({{topic, 0, 3}}), IsOk());  // partition 1: nothing committed
  auto nothing = consumer->Poll(10, absl::Milliseconds(200));
  ASSERT_THAT(nothing, IsOk());
  EXPECT_THAT(*nothing, IsEmpty());

  ASSERT_THAT(consumer->RewindToCommitted(), IsOk());
  std::vector<Message> replayed = ConsumeN(*consumer, 7);
  const auto more = consumer->Poll(100, absl::Milliseconds(300));
  ASSERT_THAT(more, IsOk());
  replayed.insert(replayed.end(), more->begin(), more->end());
  std::set<std::pair<int, int64_t>> offsets;
  for (const Message& m : replayed) offsets.insert({m.partition, m.offset});
  EXPECT_THAT(replayed, SizeIs(7));
  EXPECT_EQ(offsets, (std::set<std::pair<int, int64_t>>{
                         {0, 3}, {0, 4}, {1, 0}, {1, 1}, {1, 2}, {1, 3}, {1, 4}}));
}

TEST_F(KafkaTest, TwoMembersSplitPartitionsAndRangeGivesEachTheSameShardsOfEveryTopic) {
  const std::string events = NewTopic("events", 8);
  const std::string commands = NewTopic("commands", 8);
  auto a = NewConsumer("split-group", {events, commands});
  auto b = NewConsumer("split-group", {events, commands});
  const absl::Time deadline = absl::Now() + absl::Seconds(25);
  std::vector<TopicPartition> got_a, got_b;
  while (absl::Now() < deadline) {
    ASSERT_THAT(a->Poll(10, absl::Milliseconds(50)), IsOk());
    ASSERT_THAT(b->Poll(10, absl::Milliseconds(50)), IsOk());
    got_a = a->Assignment();
    got_b = b->Assignment();
    if (!got_a.empty() && !got_b.empty() && got_a.size() + got_b.size() == 16) break;
  }
  ASSERT_THAT(got_a, SizeIs(8));
  ASSERT_THAT(got_b, SizeIs(8));
  auto shards = [](const std::vector<TopicPartition>& tps, const std::string& topic) {
    std::set<int> out;
    for (const auto& tp : tps) {
      if (tp.topic == topic) out.insert(tp.partition);
    }
    return out;
  };
  EXPECT_EQ(shards(got_a, events), shards(got_a, commands));
  EXPECT_EQ(shards(got_b, events), shards(got_b, commands));
  std::set<int> all = shards(got_a, events);
  for (int p : shards(got_b, events)) EXPECT_TRUE(all.insert(p).second) << "shared shard " << p;
  EXPECT_THAT(all, SizeIs(8));
}

TEST_F(KafkaTest, ListenerHearsAssignmentAndRevocationOnClose) {
  const std::string topic = NewTopic("listened", 4);
  RecordingListener listener;
  auto consumer = NewConsumer("listener-group", {topic}, &listener);
  const absl::Time deadline = absl::Now() + absl::Seconds(15);
  while (consumer->Assignment().empty() && absl::Now() < deadline) {
    ASSERT_THAT(consumer->Poll(10, absl::Milliseconds(100)), IsOk());
  }
  EXPECT_EQ(consumer->Assignment(), AllPartitions(topic, 4));
  consumer->Close();
  EXPECT_THAT(consumer->Assignment(), IsEmpty());
  EXPECT_THAT(listener.events(), ElementsAre(Pair("assigned", AllPartitions(topic, 4)),
                                             Pair("revoked", AllPartitions(topic, 4))));
  EXPECT_THAT(consumer->Poll(1, absl::Milliseconds(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(KafkaTest, LagCountsProducedButUnconsumedRecords) {
  const std::string topic = NewTopic("lagging", 2);
  std::vector<Record> records;
  for (int p = 0; p < 2; ++p) {
    for (int i = 0; i < 5; ++i) {
      records.push_back({.topic = topic, .key = KeyOnPartition(p, 2, i), .value = "v"});
    }
  }
  auto producer = Producer::Create(Options());
  ASSERT_THAT(producer, IsOk());
  ASSERT_THAT((*producer)->ProduceAll(records, absl::Seconds(10)), IsOk());

  auto consumer = NewConsumer("lag-group", {topic});
  ASSERT_THAT(ConsumeN(*consumer, 4), SizeIs(4));
  auto total_lag = [&]() -> int64_t {
    auto lag = consumer->Lag();
    EXPECT_THAT(lag, IsOk());
    if (!lag.ok()) return -1;
    EXPECT_THAT(*lag, SizeIs(2));
    int64_t sum = 0;
    for (const auto& l : *lag) sum += l.lag;
    return sum;
  };
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (total_lag() != 6 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(20));
  EXPECT_EQ(total_lag(), 6);

  ASSERT_THAT(ConsumeN(*consumer, 6), SizeIs(6));
  EXPECT_EQ(total_lag(), 0);
}

TEST_F(KafkaTest, ProduceAllWaitsOutABrokerOutageAndDeliversEachRecordOnce) {
  const std::string topic = NewTopic("outage", 4);
  auto producer = Producer::Create(Options());
  ASSERT_THAT(producer, IsOk());
  ASSERT_THAT(
      (*producer)->ProduceAll({{.topic = topic, .key = "warm", .value = "up"}}, absl::Seconds(10)),
      IsOk());

  ASSERT_THAT(kafka_->BrokerDown(1), IsOk());
  std::thread revive([] {
    absl::SleepFor(absl::Seconds(3));
    EXPECT_THAT(kafka_->BrokerUp(1), IsOk());
  });
  std::vector<Record> records;
  for (int i = 0; i < 40; ++i) {
    records.push_back({.topic = topic, .key = absl::StrCat("k", i % 7), .value = absl::StrCat(i)});
  }
  const absl::Time start = absl::Now();
  const absl::Status status = (*producer)->ProduceAll(records, absl::Seconds(20));
  const absl::Duration took = absl::Now() - start;
  revive.join();
  ASSERT_THAT(status, IsOk());
  EXPECT_GE(took, absl::Milliseconds(2500)) << "acknowledged while the broker was down?";

  auto consumer = NewConsumer("outage-group", {topic});
  std::vector<Message> got = ConsumeN(*consumer, 41);
  const auto more = consumer->Poll(100, absl::Milliseconds(500));
  ASSERT_THAT(more, IsOk());
  got.insert(got.end(), more->begin(), more->end());
  std::multiset<std::string> values;
  for (const Message& m : got) values.insert(m.value);
  EXPECT_THAT(got, SizeIs(41));
  for (int i = 0; i < 40; ++i) EXPECT_EQ(values.count(absl::StrCat(i)), 1u) << i;
}

TEST_F(KafkaTest, ProduceAllFailsWhenTheBrokerStaysDownPastTheTimeout) {
  const std::string topic = NewTopic("down", 2);
  auto producer = Producer::Create(Options());
  ASSERT_THAT(producer, IsOk());
  ASSERT_THAT(
      (*producer)->ProduceAll({{.topic = topic, .key = "warm", .value = "up"}}, absl::Seconds(10)),
      IsOk());
  ASSERT_THAT(kafka_->BrokerDown(1), IsOk());
  const absl::Time start = absl::Now();
  const absl::Status status =
      (*producer)->ProduceAll({{.topic = topic, .key = "k", .value = "lost?"}}, absl::Seconds(2));
  const absl::Duration took = absl::Now() - start;
  ASSERT_THAT(kafka_->BrokerUp(1), IsOk());
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_GE(took, absl::Milliseconds(1900));
  EXPECT_LT(took, absl::Seconds(4));
}

TEST_F(KafkaTest, CreateTopicsIsIdempotent) {
  // "preset" was created at broker start, "fixture-made" through the control port.
  ASSERT_THAT(kafka_->CreateTopic("fixture-made", 8), IsOk());
  const std::vector<TopicSpec> existing = {{.name = "preset", .partitions = 4},
                                           {.name = "fixture-made", .partitions = 8}};
  EXPECT_THAT(CreateTopics(Options(), existing, absl::Seconds(5)), IsOk());
  EXPECT_THAT(CreateTopics(Options(), existing, absl::Seconds(5)), IsOk());
  EXPECT_THAT(CreateTopics(Options(), {}, absl::Seconds(5)), IsOk());
}

TEST_F(KafkaTest, CreateTopicsOnTheEmbeddedBrokerNamesTopicsItCannotCreate) {
  // The mock cluster has no CreateTopics API: a missing topic is reported at once, not after the
  // timeout, and is not auto-created with the wrong partition count.
  const absl::Time start = absl::Now();
  const absl::Status status =
      CreateTopics(Options(), {{.name = "preset"}, {.name = "never-created", .partitions = 8}},
                   absl::Seconds(5));
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr("never-created"));
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
}

TEST(TraceparentTest, NewAndChildFollowW3CFormatAndChildKeepsTheTraceId) {
  const std::string parent = NewTraceparent();
  ASSERT_EQ(parent.size(), 55u);
  EXPECT_EQ(parent.substr(0, 3), "00-");
  EXPECT_EQ(parent.substr(52), "-01");
  EXPECT_EQ(parent.find_first_not_of("0123456789abcdef-"), std::string::npos);
  EXPECT_NE(NewTraceparent(), parent);
  const std::string child = ChildTraceparent(parent);
  EXPECT_EQ(child.substr(0, 36), parent.substr(0, 36));    // same trace id
  EXPECT_NE(child.substr(36, 16), parent.substr(36, 16));  // new span id
  EXPECT_EQ(ChildTraceparent("garbage").size(), 55u);
}

TEST(TraceparentTest, FindHeaderReturnsTheFirstValueOfTheName) {
  const Headers headers = {{"a", "1"}, {"traceparent", "x"}, {"traceparent", "y"}};
  EXPECT_EQ(FindHeader(headers, "traceparent"), "x");
  EXPECT_EQ(FindHeader(headers, "missing"), std::nullopt);
}

}  // namespace
}  // namespace concerto::platform::kafka
