// Crash, restart and outage tests of the durability contract, across separate processes: the
// probe service (tests/integration/probe) runs against a real redis-server and the embedded
// Kafka broker, and is killed with SIGKILL at named fault points. Each test checks that every
// input has its effect exactly once — in the ledger's state and downstream.
#include <csignal>
#include <map>

#include "absl/strings/str_cat.h"
#include "concerto/common/v1/envelope.pb.h"
#include "concerto/platform/v1/events.pb.h"
#include "concerto/testing/v1/probe.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/core/stable_hash.h"
#include "libs/platform/dead_letters.h"
#include "libs/platform/kafka/kafka.h"
#include "libs/platform/redis/unit_of_work_store.h"
#include "libs/testing/embedded_kafka.h"
#include "libs/testing/redis_server.h"
#include "libs/testing/status_matchers.h"
#include "libs/testing/subprocess.h"

namespace concerto::testing {
namespace {

using platform::kafka::KafkaOptions;
using platform::kafka::Producer;
using platform::kafka::Record;
using platform::redis::RedisClient;
using platform::redis::UnitOfWorkStore;
using v1::Ledger;

constexpr int kShards = 8;

class PlatformCrashTest : public ::testing::Test {
 protected:
  void SetUpStack(const std::string& appendfsync = "always") {
    RedisServer::Options ro;
    ro.appendfsync = appendfsync;
    auto redis = RedisServer::Start(ro);
    ASSERT_THAT(redis, IsOk());
    redis_ = std::move(*redis);
    EmbeddedKafka::Options ko;
    ko.topics = {{"probe.commands", kShards},
                 {"probe.events", kShards},
                 {"probe.dlq", kShards},
                 {"probe-downstream.dlq", kShards}};
    auto kafka = EmbeddedKafka::Start(ko);
    ASSERT_THAT(kafka, IsOk());
    kafka_ = std::move(*kafka);
    kafka_options_.brokers = kafka_->bootstrap();
    auto producer = Producer::Create(kafka_options_);
    ASSERT_THAT(producer, IsOk());
    producer_ = std::move(*producer);
    auto client = RedisClient::Connect(redis_->address());
    ASSERT_THAT(client, IsOk());
    client_ = std::move(*client);
  }

  std::unique_ptr<Subprocess> StartProbe(const std::string& role,
                                         std::map<std::string, std::string> env = {},
                                         std::vector<std::string> flags = {}) {
    SubprocessOptions o;
    o.argv = {BinaryPath("bin/concerto-probe"), "--role=" + role,
              "--kafka-brokers=" + kafka_->bootstrap(), "--redis=" + redis_->address()};
    o.argv.insert(o.argv.end(), flags.begin(), flags.end());
    o.env = std::move(env);
    o.stderr_path = absl::StrCat(::testing::TempDir(), "/probe-",
                                 ::testing::UnitTest::GetInstance()->current_test_info()->name(),
                                 "-", role, ".log");
    auto p = Subprocess::Start(o);
    EXPECT_THAT(p, IsOk());
    if (!p.ok()) return nullptr;
    EXPECT_THAT((*p)->ReadUntilPrefix("ready", absl::Seconds(30)), IsOk());
    return std::move(*p);
  }

  static std::string Account(int i) { return absl::StrCat("acct-", i); }

  // Produces `count` Add commands spread over `accounts`, with event ids unique to `batch`.
  void ProduceAdds(const std::string& batch, int count, int accounts, int64_t timer_delay_ms = 0,
                   int poison_index = -1) {
    std::vector<Record> records;
    for (int i = 0; i < count; ++i) {
      v1::Add add;
      add.set_amount(i + 1);
      add.set_timer_delay_ms(timer_delay_ms);
      add.set_poison(i == poison_index);
      common::v1::Envelope env;
      env.set_event_id(absl::StrCat(batch, "-", i));
      env.set_tenant("t1");
      env.set_aggregate_key(Account(i % accounts));
      env.set_type("concerto.testing.v1.Add");
      env.set_schema_version(1);
      env.set_payload(add.SerializeAsString());
      records.push_back({"probe.commands", env.aggregate_key(), env.SerializeAsString(), {}});
      expected_total_[env.aggregate_key()] += (i == poison_index) ? 0 : i + 1;
      expected_count_[env.aggregate_key()] += (i == poison_index) ? 0 : 1;
    }
    ASSERT_THAT(producer_->ProduceAll(records, absl::Seconds(60)), IsOk());
  }

  Ledger Read(const std::string& ns, const std::string& account) {
    UnitOfWorkStore store(client_.get(), ns);
    auto loaded = store.Load({{core::KafkaPartitionOf(account, kShards), account, ""}});
    Ledger l;
    if (loaded.ok() && (*loaded)[0].aggregate.state.has_value()) {
      l.ParseFromString(*(*loaded)[0].aggregate.state);
    }
    return l;
  }

  // Waits until `done` holds, then a little longer to catch effects that arrive twice.
  bool WaitFor(const std::function<bool()>& done, absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      if (done()) {
        absl::SleepFor(absl::Seconds(1));
        return true;
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
    return false;
  }

  bool LedgerComplete(int accounts) {
    for (int a = 0; a < accounts; ++a) {
      if (Read("probe", Account(a)).count() < expected_count_[Account(a)]) return false;
    }
    return true;
  }
  bool DownstreamComplete(int accounts) {
    for (int a = 0; a < accounts; ++a) {
      if (Read("probe-downstream", Account(a)).added_seen() < expected_count_[Account(a)]) {
        return false;
      }
    }
    return true;
  }

  void ExpectLedgerExactlyOnce(int accounts) {
    for (int a = 0; a < accounts; ++a) {
      const Ledger l = Read("probe", Account(a));
      EXPECT_EQ(l.count(), expected_count_[Account(a)]) << Account(a);
      EXPECT_EQ(l.total(), expected_total_[Account(a)]) << Account(a);
    }
  }
  void ExpectDownstreamExactlyOnce(int accounts) {
    for (int a = 0; a < accounts; ++a) {
      EXPECT_EQ(Read("probe-downstream", Account(a)).added_seen(), expected_count_[Account(a)])
          << Account(a);
    }
  }

  std::unique_ptr<RedisServer> redis_;
  std::unique_ptr<EmbeddedKafka> kafka_;
  KafkaOptions kafka_options_;
  std::unique_ptr<Producer> producer_;
  std::unique_ptr<RedisClient> client_;
  std::map<std::string, int64_t> expected_total_, expected_count_;
};

TEST_F(PlatformCrashTest, ConsumerCrashBetweenRedisCommitAndOffsetCommitAppliesEachInputOnce) {
  SetUpStack();
  ProduceAdds("a", 400, 20);
  auto probe = StartProbe("ledger", {{"CONCERTO_FAULT", "after_commit_before_offset:1"}});
  ASSERT_NE(probe, nullptr);
  EXPECT_EQ(probe->Wait(absl::Seconds(60)), 128 + SIGKILL);
  // Some inputs are committed in Redis but their offsets are not: they are redelivered.
  probe = StartProbe("ledger");
  ASSERT_TRUE(WaitFor([&] { return LedgerComplete(20); }, absl::Seconds(60)));
  ExpectLedgerExactlyOnce(20);
  EXPECT_EQ(probe->Stop(), 0);
}

TEST_F(PlatformCrashTest, RelayCrashAfterProduceBeforeRemovalLeavesOneEffectDownstream) {
  SetUpStack();
  auto downstream = StartProbe("downstream");
  ProduceAdds("b", 300, 15);
  auto ledger = StartProbe("ledger", {{"CONCERTO_FAULT", "relay_after_produce:1"}});
  ASSERT_NE(ledger, nullptr);
  EXPECT_EQ(ledger->Wait(absl::Seconds(60)), 128 + SIGKILL);
  // The published entries are still in the outbox: the restarted relay publishes them again.
  ledger = StartProbe("ledger");
  ASSERT_TRUE(WaitFor([&] { return DownstreamComplete(15); }, absl::Seconds(60)));
  ExpectLedgerExactlyOnce(15);
  ExpectDownstreamExactlyOnce(15);
}

TEST_F(PlatformCrashTest, RestartAfterCrashWithDueTimersFiresEachTimerExactlyOnce) {
  SetUpStack();
  auto downstream = StartProbe("downstream");
  ProduceAdds("c", 60, 12, /*timer_delay_ms=*/1500);
  auto ledger = StartProbe("ledger", {{"CONCERTO_FAULT", "timer_after_commit:1"}});
  ASSERT_NE(ledger, nullptr);
  EXPECT_EQ(ledger->Wait(absl::Seconds(60)), 128 + SIGKILL);
  ledger = StartProbe("ledger");
  auto all_reminded = [&] {
    for (int a = 0; a < 12; ++a) {
      if (Read("probe", Account(a)).reminders() < expected_count_[Account(a)]) return false;
      if (Read("probe-downstream", Account(a)).reminded_seen() < expected_count_[Account(a)]) {
        return false;
      }
    }
    return true;
  };
  ASSERT_TRUE(WaitFor(all_reminded, absl::Seconds(60)));
  absl::SleepFor(absl::Seconds(1));
  for (int a = 0; a < 12; ++a) {
    EXPECT_EQ(Read("probe", Account(a)).reminders(), expected_count_[Account(a)]);
    EXPECT_EQ(Read("probe-downstream", Account(a)).reminded_seen(), expected_count_[Account(a)]);
  }
  ExpectLedgerExactlyOnce(12);
  UnitOfWorkStore store(client_.get(), "probe");
  for (int s = 0; s < kShards; ++s) EXPECT_EQ(store.Timers(s)->pending, 0);
}

TEST_F(PlatformCrashTest, BrokerOutageOfSeveralSecondsLosesAndDuplicatesNothing) {
  SetUpStack();
  auto ledger = StartProbe("ledger");
  auto downstream = StartProbe("downstream");
  ProduceAdds("d1", 200, 10);
  ASSERT_THAT(kafka_->BrokerDown(1), IsOk());
  absl::SleepFor(absl::Seconds(4));
  ASSERT_THAT(kafka_->BrokerUp(1), IsOk());
  ProduceAdds("d2", 200, 10);
  ASSERT_TRUE(WaitFor([&] { return DownstreamComplete(10); }, absl::Seconds(90)));
  ExpectLedgerExactlyOnce(10);
  ExpectDownstreamExactlyOnce(10);
}

TEST_F(PlatformCrashTest, PoisonEventIsDeadLetteredLaterEventsProceedAndRedriveAppliesItOnce) {
  SetUpStack();
  // 5th input is poison; one more record is not an envelope at all.
  ProduceAdds("e", 20, 4, 0, /*poison_index=*/4);
  ASSERT_THAT(producer_->ProduceAll({{"probe.commands", "acct-0", "not an envelope", {}}},
                                    absl::Seconds(10)),
              IsOk());
  auto ledger = StartProbe("ledger", {}, {"--reject-poison"});
  ASSERT_TRUE(WaitFor([&] { return LedgerComplete(4); }, absl::Seconds(60)));
  ExpectLedgerExactlyOnce(4);

  // Both rejected records are in the dead-letter topic with their reasons.
  platform::kafka::ConsumerOptions co;
  co.kafka = kafka_options_;
  co.group_id = "inspect";
  co.topics = {"probe.dlq"};
  auto inspector = platform::kafka::Consumer::Create(co);
  ASSERT_THAT(inspector, IsOk());
  std::vector<std::string> reasons;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (reasons.size() < 2 && absl::Now() < deadline) {
    auto msgs = (*inspector)->Poll(10, absl::Milliseconds(200));
    ASSERT_THAT(msgs, IsOk());
    for (const auto& m : *msgs) {
      platform::v1::DeadLetter dl;
      ASSERT_TRUE(dl.ParseFromString(m.value));
      EXPECT_EQ(dl.original_topic(), "probe.commands");
      EXPECT_EQ(dl.code(), "INVALID_ARGUMENT");
      reasons.push_back(dl.reason());
    }
  }
  EXPECT_THAT(reasons, ::testing::UnorderedElementsAre(::testing::HasSubstr("poison"),
                                                       ::testing::HasSubstr("envelope")));

  // The fix ships (the ledger accepts poison now) and the dead letters are re-driven.
  EXPECT_EQ(ledger->Stop(), 0);
  ledger = StartProbe("ledger");
  auto sent = platform::RedriveDeadLetters(kafka_options_, "probe", absl::Seconds(2));
  ASSERT_THAT(sent, IsOk());
  EXPECT_EQ(*sent, 2);
  expected_total_["acct-0"] += 5;
  expected_count_["acct-0"] += 1;
  ASSERT_TRUE(WaitFor([&] { return LedgerComplete(4); }, absl::Seconds(30)));
  // A second re-drive finds nothing new; the record that is no envelope is dead-lettered again
  // (it can never apply), the poison one is not applied twice.
  auto again = platform::RedriveDeadLetters(kafka_options_, "probe", absl::Seconds(2));
  ASSERT_THAT(again, IsOk());
  absl::SleepFor(absl::Seconds(1));
  ExpectLedgerExactlyOnce(4);
}

TEST_F(PlatformCrashTest, RedisCrashAndRestartWithEverysecReplaysLostCommitsExactlyOnce) {
  SetUpStack("everysec");
  auto ledger = StartProbe("ledger", {}, {"--fsync-horizon=2500ms"});
  auto downstream = StartProbe("downstream", {}, {"--fsync-horizon=2500ms"});
  ProduceAdds("f1", 300, 10);
  absl::SleepFor(absl::Milliseconds(700));
  redis_->Kill(SIGKILL);
  absl::SleepFor(absl::Seconds(1));
  ASSERT_THAT(redis_->Restart(), IsOk());
  ProduceAdds("f2", 300, 10);
  ASSERT_TRUE(WaitFor([&] { return DownstreamComplete(10); }, absl::Seconds(90)));
  ExpectLedgerExactlyOnce(10);
  ExpectDownstreamExactlyOnce(10);
}

TEST_F(PlatformCrashTest, TwoInstancesOneKilledSurvivorTakesItsShardsWithNoLostOrDoubledEffect) {
  SetUpStack();
  auto downstream = StartProbe("downstream");
  auto first = StartProbe("ledger");
  auto second = StartProbe("ledger");
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  absl::SleepFor(absl::Seconds(4));  // both members joined: each owns half of the shards
  ProduceAdds("g", 240, 16, /*timer_delay_ms=*/3000);
  absl::SleepFor(absl::Milliseconds(500));
  first->Signal(SIGKILL);
  EXPECT_EQ(first->Wait(absl::Seconds(10)), 128 + SIGKILL);
  // The survivor is handed the dead member's shards: their inputs, timers and outboxes.
  auto complete = [&] {
    for (int a = 0; a < 16; ++a) {
      const std::string acct = Account(a);
      if (Read("probe", acct).reminders() < expected_count_[acct]) return false;
      if (Read("probe-downstream", acct).reminded_seen() < expected_count_[acct]) return false;
      if (Read("probe-downstream", acct).added_seen() < expected_count_[acct]) return false;
    }
    return true;
  };
  ASSERT_TRUE(WaitFor(complete, absl::Seconds(90)));
  absl::SleepFor(absl::Seconds(1));
  ExpectLedgerExactlyOnce(16);
  ExpectDownstreamExactlyOnce(16);
  for (int a = 0; a < 16; ++a) {
    EXPECT_EQ(Read("probe", Account(a)).reminders(), expected_count_[Account(a)]);
    EXPECT_EQ(Read("probe-downstream", Account(a)).reminded_seen(), expected_count_[Account(a)]);
  }
  EXPECT_TRUE(second->Running());
}

}  // namespace
}  // namespace concerto::testing
