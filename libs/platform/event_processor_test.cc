// The event processor against a real redis-server and the embedded broker: commands through the
// unit-of-work path (idempotent, acknowledged when durable), events to quiescence, status.
#include "libs/platform/event_processor.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/core/stable_hash.h"
#include "libs/testing/embedded_kafka.h"
#include "libs/testing/redis_server.h"
#include "libs/testing/status_matchers.h"

namespace concerto::platform {
namespace {

using ::concerto::testing::EmbeddedKafka;
using ::concerto::testing::IsOk;
using ::concerto::testing::RedisServer;
using ::concerto::testing::StatusIs;

// Counts per aggregate; a command "inc" counts too and answers with the new count.
class CounterHandler final : public Handler {
 public:
  absl::StatusOr<Effects> Apply(const std::optional<std::string>& state, const Input& input,
                                absl::Time now) override {
    if (input.kind == Input::Kind::kTimer) {
      return absl::FailedPreconditionError("timer: this handler never accepts its timers");
    }
    if (input.kind == Input::Kind::kCommand && input.command == "arm") {
      Effects fx;
      fx.timers_add.push_back({"never-accepted", now + absl::Milliseconds(50), ""});
      return fx;
    }
    if (input.kind == Input::Kind::kCommand && input.command != "inc") {
      return absl::InvalidArgumentError("command: only 'inc' is known");
    }
    const int count = (state.has_value() ? std::stoi(*state) : 0) + 1;
    Effects fx;
    fx.new_state = std::to_string(count);
    fx.result = absl::StrCat("count=", count);
    fx.events.push_back({"out", "", "", "Counted", fx.result, 1});
    return fx;
  }
};

class EventProcessorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto redis = RedisServer::Start();
    ASSERT_THAT(redis, IsOk());
    redis_ = std::move(*redis);
    EmbeddedKafka::Options ko;
    ko.topics = {{"in", 8}, {"out", 8}, {"svc.dlq", 8}};
    auto kafka = EmbeddedKafka::Start(ko);
    ASSERT_THAT(kafka, IsOk());
    kafka_ = std::move(*kafka);
    kafka_options_.brokers = kafka_->bootstrap();
    ProcessorOptions o;
    o.service = "svc";
    o.input_topics = {"in"};
    o.session_timeout = absl::Seconds(3);
    auto p = EventProcessor::Create(o, kafka_options_, redis_->address(), &handler_, &clock_);
    ASSERT_THAT(p, IsOk());
    processor_ = std::move(*p);
    ASSERT_THAT(processor_->Start(), IsOk());
  }
  void TearDown() override {
    if (processor_) processor_->Stop();
  }

  bool WaitQuiescent() {
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (absl::Now() < deadline) {
      if (processor_->GetStatus().quiescent()) return true;
      absl::SleepFor(absl::Milliseconds(20));
    }
    return false;
  }

  std::set<std::string> ConsumeDistinctIds(size_t want) {
    kafka::ConsumerOptions co;
    co.kafka = kafka_options_;
    co.group_id = "reader";
    co.topics = {"out"};
    auto consumer = kafka::Consumer::Create(co);
    EXPECT_THAT(consumer, IsOk());
    std::set<std::string> ids;
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (ids.size() < want && absl::Now() < deadline) {
      auto msgs = (*consumer)->Poll(100, absl::Milliseconds(100));
      if (!msgs.ok()) break;
      for (const auto& m : *msgs) {
        common::v1::Envelope env;
        if (env.ParseFromString(m.value)) ids.insert(env.event_id());
      }
    }
    return ids;
  }

  Input Command(const std::string& key, const std::string& command) {
    Input in;
    in.id = key;
    in.aggregate_key = "acct-1";
    in.tenant = "t1";
    in.command = command;
    return in;
  }

  CounterHandler handler_;
  SystemClock clock_;
  std::unique_ptr<RedisServer> redis_;
  std::unique_ptr<EmbeddedKafka> kafka_;
  kafka::KafkaOptions kafka_options_;
  std::unique_ptr<EventProcessor> processor_;
};

TEST_F(EventProcessorTest, CommandRetriedWithSameIdempotencyKeyIsAppliedOnceAndReplaysItsResult) {
  auto first = processor_->Execute(Command("key-1", "inc"));
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(first->kind, ItemOutcome::Kind::kApplied);
  EXPECT_EQ(first->result, "count=1");
  auto retry = processor_->Execute(Command("key-1", "inc"));
  ASSERT_THAT(retry, IsOk());
  EXPECT_EQ(retry->kind, ItemOutcome::Kind::kDuplicate);
  EXPECT_EQ(retry->result, "count=1");
  auto second = processor_->Execute(Command("key-2", "inc"));
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(second->result, "count=2");
  // Each applied command's event is relayed once by the shard's owner.
  EXPECT_EQ(ConsumeDistinctIds(2).size(), 2u);
}

TEST_F(EventProcessorTest, ExecuteAllAppliesABulkOfCommandsInOrderAndDeduplicatesARetry) {
  std::vector<Input> bulk;
  for (int i = 0; i < 1200; ++i) {
    Input in = Command(absl::StrCat("bulk-", i), i == 7 ? "explode" : "inc");
    in.aggregate_key = absl::StrCat("acct-", i % 10);
    bulk.push_back(in);
  }
  auto outcomes = processor_->ExecuteAll(bulk);
  ASSERT_THAT(outcomes, IsOk());
  ASSERT_EQ(outcomes->size(), 1200u);
  EXPECT_EQ((*outcomes)[7].kind, ItemOutcome::Kind::kRejected);
  EXPECT_THAT((*outcomes)[7].handler_status, StatusIs(absl::StatusCode::kInvalidArgument));
  // acct-3 got commands 3, 13, ..., 1193 in order: its last count is 120.
  EXPECT_EQ((*outcomes)[1193].result, "count=120");
  // acct-7 lost command 7: 119 counted.
  EXPECT_EQ((*outcomes)[1197].result, "count=119");
  auto again = processor_->ExecuteAll(bulk);
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ((*again)[1193].kind, ItemOutcome::Kind::kDuplicate);
  EXPECT_EQ((*again)[1193].result, "count=120");
}

TEST_F(EventProcessorTest, RejectedCommandReturnsItsErrorAndChangesNothing) {
  auto bad = processor_->Execute(Command("key-9", "explode"));
  ASSERT_THAT(bad, IsOk());
  EXPECT_EQ(bad->kind, ItemOutcome::Kind::kRejected);
  EXPECT_THAT(bad->handler_status, StatusIs(absl::StatusCode::kInvalidArgument));
  auto ok = processor_->Execute(Command("key-10", "inc"));
  ASSERT_THAT(ok, IsOk());
  EXPECT_EQ(ok->result, "count=1");
  EXPECT_THAT(processor_->Execute(Command("", "inc")), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(EventProcessorTest, TimerTheHandlerRejectsIsRetiredInsteadOfFiringForever) {
  ASSERT_THAT(processor_->Execute(Command("arm-1", "arm")), IsOk());
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  v1::Status st;
  do {
    absl::SleepFor(absl::Milliseconds(50));
    st = processor_->GetStatus();
  } while ((st.pending_timers() > 0 || st.shards_size() == 0) && absl::Now() < deadline);
  EXPECT_EQ(st.pending_timers(), 0);
  ASSERT_TRUE(WaitQuiescent());
}

TEST_F(EventProcessorTest, EventsAreAppliedRelayedAndStatusTurnsQuiescent) {
  auto producer = kafka::Producer::Create(kafka_options_);
  ASSERT_THAT(producer, IsOk());
  std::vector<kafka::Record> records;
  for (int i = 0; i < 50; ++i) {
    common::v1::Envelope env;
    env.set_event_id(absl::StrCat("ev-", i));
    env.set_aggregate_key(absl::StrCat("acct-", i % 5));
    env.set_type("Inc");
    env.set_schema_version(1);
    records.push_back({"in", env.aggregate_key(), env.SerializeAsString(), {}});
  }
  // One record from the future: a newer schema version is skipped, not applied, not a crash.
  common::v1::Envelope future;
  future.set_event_id("ev-future");
  future.set_aggregate_key("acct-0");
  future.set_type("Inc");
  future.set_schema_version(99);
  records.push_back({"in", "acct-0", future.SerializeAsString(), {}});
  ASSERT_THAT((*producer)->ProduceAll(records, absl::Seconds(30)), IsOk());
  EXPECT_EQ(ConsumeDistinctIds(50).size(), 50u);
  ASSERT_TRUE(WaitQuiescent());
  const v1::Status st = processor_->GetStatus();
  EXPECT_EQ(st.consumer_lag(), 0);
  EXPECT_EQ(st.outbox_depth(), 0);
  EXPECT_EQ(st.units_committed(), 50);
  EXPECT_EQ(st.shards_size(), 8);
}

}  // namespace
}  // namespace concerto::platform
