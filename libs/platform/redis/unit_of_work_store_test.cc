#include "libs/platform/redis/unit_of_work_store.h"

#include <csignal>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/testing/redis_server.h"
#include "libs/testing/status_matchers.h"

namespace concerto::platform::redis {
namespace {

using ::concerto::platform::v1::OutboxRecord;
using ::concerto::platform::v1::TimerRecord;
using ::concerto::testing::IsOk;
using ::concerto::testing::RedisServer;
using ::concerto::testing::StatusIs;
using ::testing::HasSubstr;

class UnitOfWorkStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = RedisServer::Start();
    ASSERT_THAT(server, IsOk());
    server_ = std::move(*server);
    auto client = RedisClient::Connect(server_->address());
    ASSERT_THAT(client, IsOk());
    client_ = std::move(*client);
    store_ = std::make_unique<UnitOfWorkStore>(client_.get(), "test");
  }

  static OutboxRecord Out(std::string value) {
    OutboxRecord r;
    r.set_entry_id("id-" + value);
    r.set_topic("t");
    r.set_key("k");
    r.set_value(std::move(value));
    return r;
  }
  static TimerRecord Timer(std::string id, int64_t due) {
    TimerRecord t;
    t.set_timer_id(std::move(id));
    t.set_aggregate_key("acct-1");
    t.set_due_unix_micros(due);
    return t;
  }
  int64_t Int(const std::vector<std::string>& cmd) {
    auto r = client_->Command(cmd);
    EXPECT_THAT(r, IsOk());
    return r.ok() ? r->integer : -1;
  }

  std::unique_ptr<RedisServer> server_;
  std::unique_ptr<RedisClient> client_;
  std::unique_ptr<UnitOfWorkStore> store_;
};

TEST_F(UnitOfWorkStoreTest, CommitWritesStateOutboxTimerAndProcessedIdTogether) {
  UnitOfWork u;
  u.shard = 3;
  u.aggregate_key = "acct-1";
  u.input_id = "event-1";
  u.expected_version = 0;
  u.new_state = "state-1";
  u.outbox = {Out("a"), Out("b")};
  u.timers_add = {Timer("timer-1", 1000)};
  u.result = "reply";
  auto outcomes = store_->Commit({u});
  ASSERT_THAT(outcomes, IsOk());
  ASSERT_THAT((*outcomes)[0].status, IsOk());
  EXPECT_EQ((*outcomes)[0].new_version, 1);

  auto loaded = store_->Load({{3, "acct-1", "event-1"}});
  ASSERT_THAT(loaded, IsOk());
  EXPECT_EQ((*loaded)[0].aggregate.version, 1);
  EXPECT_EQ((*loaded)[0].aggregate.state, "state-1");
  EXPECT_TRUE((*loaded)[0].already_processed);
  EXPECT_EQ((*loaded)[0].stored_result, "reply");

  auto outbox = store_->ReadOutbox(3, 10);
  ASSERT_THAT(outbox, IsOk());
  ASSERT_EQ(outbox->size(), 2u);
  EXPECT_EQ((*outbox)[0].value(), "a");
  EXPECT_EQ((*outbox)[1].value(), "b");
  auto due = store_->DueTimers(3, absl::FromUnixMicros(1000), 10);
  ASSERT_THAT(due, IsOk());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].timer_id(), "timer-1");
}

TEST_F(UnitOfWorkStoreTest, IndexEntriesCommitWithTheUnitAndAreFoundFromAnyShard) {
  UnitOfWork u;
  u.shard = 6;
  u.aggregate_key = "t1/d1";
  u.input_id = "cmd-1";
  u.new_state = "s";
  u.index_put = {{"t1/ref/RF18539007547034", "t1/d1"}, {"t1/inv/2026-1", "t1/d1"}};
  ASSERT_THAT(store_->Commit({u}), IsOk());
  auto found = store_->LookupIndex(8, "t1/ref/RF18539007547034");
  ASSERT_THAT(found, IsOk());
  EXPECT_EQ(found->value_or(""), "t1/d1");
  auto missing = store_->LookupIndex(8, "t2/ref/RF18539007547034");
  ASSERT_THAT(missing, IsOk());
  EXPECT_FALSE(missing->has_value());
  // A rejected (stale) unit writes no index entry either.
  UnitOfWork stale = u;
  stale.input_id = "cmd-2";
  stale.expected_version = 0;  // the aggregate is at 1 now
  stale.index_put = {{"t1/ref/other", "t1/d1"}};
  auto outcomes = store_->Commit({stale});
  ASSERT_THAT(outcomes, IsOk());
  EXPECT_THAT((*outcomes)[0].status, StatusIs(absl::StatusCode::kAborted));
  auto none = store_->LookupIndex(8, "t1/ref/other");
  ASSERT_THAT(none, IsOk());
  EXPECT_FALSE(none->has_value());
}

TEST_F(UnitOfWorkStoreTest, StaleVersionIsAbortedAndWritesNothing) {
  UnitOfWork first;
  first.shard = 0;
  first.aggregate_key = "acct-1";
  first.input_id = "e1";
  first.new_state = "v1";
  ASSERT_THAT(store_->Commit({first}), IsOk());

  UnitOfWork stale = first;
  stale.input_id = "e2";
  stale.expected_version = 0;  // someone else already moved it to 1
  stale.new_state = "lost-update";
  stale.outbox = {Out("must-not-appear")};
  stale.timers_add = {Timer("t-stale", 5)};
  auto outcomes = store_->Commit({stale});
  ASSERT_THAT(outcomes, IsOk());
  EXPECT_THAT((*outcomes)[0].status, StatusIs(absl::StatusCode::kAborted));

  auto loaded = store_->Load({{0, "acct-1", "e2"}});
  ASSERT_THAT(loaded, IsOk());
  EXPECT_EQ((*loaded)[0].aggregate.state, "v1");
  EXPECT_EQ((*loaded)[0].aggregate.version, 1);
  EXPECT_FALSE((*loaded)[0].already_processed);
  EXPECT_EQ(*store_->OutboxDepth(0), 0);
  EXPECT_EQ(store_->Timers(0)->pending, 0);
}

TEST_F(UnitOfWorkStoreTest, DuplicateInputReturnsStoredResultAndWritesNothing) {
  UnitOfWork u;
  u.aggregate_key = "acct-1";
  u.input_id = "e1";
  u.new_state = "v1";
  u.result = "first-reply";
  u.outbox = {Out("x")};
  ASSERT_THAT(store_->Commit({u}), IsOk());
  u.expected_version = 1;
  u.new_state = "v2";
  auto again = store_->Commit({u});
  ASSERT_THAT(again, IsOk());
  EXPECT_THAT((*again)[0].status, StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ((*again)[0].stored_result, "first-reply");
  EXPECT_EQ(*store_->OutboxDepth(0), 1);
  EXPECT_EQ((*store_->Load({{0, "acct-1", ""}}))[0].aggregate.state, "v1");
}

TEST_F(UnitOfWorkStoreTest, TimerFiringCommitsOnlyWhileTimerIsPending) {
  UnitOfWork arm;
  arm.aggregate_key = "acct-1";
  arm.input_id = "arm";
  arm.timers_add = {Timer("t1", 100)};
  ASSERT_THAT(store_->Commit({arm}), IsOk());

  UnitOfWork cancel;
  cancel.aggregate_key = "acct-1";
  cancel.input_id = "payment";
  cancel.expected_version = 1;
  cancel.timers_remove = {"t1"};
  ASSERT_THAT((*store_->Commit({cancel}))[0].status, IsOk());

  UnitOfWork fire;
  fire.aggregate_key = "acct-1";
  fire.input_id = "t1";
  fire.expected_version = 2;
  fire.require_pending_timer = "t1";
  fire.outbox = {Out("reminder")};
  auto outcomes = store_->Commit({fire});
  ASSERT_THAT(outcomes, IsOk());
  EXPECT_THAT((*outcomes)[0].status, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(*store_->OutboxDepth(0), 0);
}

TEST_F(UnitOfWorkStoreTest, BatchOfManyUnitsChainsVersionsOfOneAggregateInOneRoundTrip) {
  std::vector<UnitOfWork> batch;
  for (int i = 0; i < 64; ++i) {
    UnitOfWork u;
    u.shard = i % 4;
    u.aggregate_key = (i % 2 == 0) ? "same" : absl::StrCat("other-", i);
    u.input_id = absl::StrCat("e", i);
    u.expected_version = (i % 2 == 0) ? i / 2 / 2 : 0;
    u.new_state = absl::StrCat("s", i);
    batch.push_back(u);
  }
  // "same" lives on shards 0 and 2 alternately: versions chain per (shard, key).
  auto outcomes = store_->Commit(batch);
  ASSERT_THAT(outcomes, IsOk());
  for (const auto& o : *outcomes) EXPECT_THAT(o.status, IsOk());
  EXPECT_EQ((*store_->Load({{0, "same", ""}}))[0].aggregate.version, 16);
  EXPECT_EQ((*store_->Load({{2, "same", ""}}))[0].aggregate.version, 16);
}

TEST_F(UnitOfWorkStoreTest, EveryKeyOfShardCarriesItsHashTag) {
  UnitOfWork u;
  u.shard = 5;
  u.aggregate_key = "acct-9";
  u.input_id = "e1";
  u.new_state = "s";
  u.outbox = {Out("o")};
  u.timers_add = {Timer("t", 1)};
  ASSERT_THAT(store_->Commit({u}), IsOk());
  auto keys = client_->Command({"KEYS", "*"});
  ASSERT_THAT(keys, IsOk());
  ASSERT_EQ(keys->elements.size(), 5u);
  for (const auto& k : keys->elements) EXPECT_THAT(k.str, HasSubstr("{5}")) << k.str;
}

TEST_F(UnitOfWorkStoreTest, OutboxTrimRemovesOnlyTheEntriesItPublished) {
  UnitOfWork u;
  u.aggregate_key = "a";
  u.input_id = "e1";
  u.outbox = {Out("1"), Out("2"), Out("3")};
  ASSERT_THAT(store_->Commit({u}), IsOk());
  // A second relay already removed "1": this one, which published "1" and "2", removes nothing
  // rather than "2" and "3"; "2" is published again and deduplicated downstream.
  ASSERT_THAT(store_->TrimOutbox(0, {"id-1"}), IsOk());
  auto removed = store_->TrimOutbox(0, {"id-1", "id-2"});
  ASSERT_THAT(removed, IsOk());
  EXPECT_EQ(*removed, 0);
  removed = store_->TrimOutbox(0, {"id-2"});
  EXPECT_EQ(*removed, 1);
  auto rest = store_->ReadOutbox(0, 10);
  ASSERT_THAT(rest, IsOk());
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].value(), "3");
}

TEST_F(UnitOfWorkStoreTest, RestartOfRedisIsUnavailableThenReconnectsAndReloadsScript) {
  UnitOfWork u;
  u.aggregate_key = "a";
  u.input_id = "e1";
  u.new_state = "s1";
  ASSERT_THAT(store_->Commit({u}), IsOk());
  const uint64_t generation = client_->generation();
  server_->Kill(SIGKILL);
  u.input_id = "e2";
  u.expected_version = 1;
  EXPECT_THAT(store_->Commit({u}), StatusIs(absl::StatusCode::kUnavailable));
  ASSERT_THAT(server_->Restart(), IsOk());
  auto outcomes = store_->Commit({u});  // script cache is empty after the restart: NOSCRIPT path
  ASSERT_THAT(outcomes, IsOk());
  EXPECT_THAT((*outcomes)[0].status, IsOk());
  EXPECT_GT(client_->generation(), generation);
  EXPECT_EQ((*store_->Load({{0, "a", ""}}))[0].aggregate.state, "s1");
}

}  // namespace
}  // namespace concerto::platform::redis
