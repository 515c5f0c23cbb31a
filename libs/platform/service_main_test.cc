#include "libs/platform/service_main.h"

#include "concerto/platform/v1/events.pb.h"
#include "concerto/platform/v1/store.pb.h"
#include "absl/strings/cord.h"
#include "gtest/gtest.h"
#include "libs/platform/unit_of_work.h"
#include "libs/testing/status_matchers.h"

namespace concerto::platform {
namespace {

using ::concerto::testing::IsOk;
using ::concerto::testing::StatusIs;

Input Ping(const std::string& note) {
  v1::Ping ping;
  ping.set_note(note);
  Input in;
  in.kind = Input::Kind::kEvent;
  in.id = "ping-1";
  in.aggregate_key = "smoke";
  in.event.set_type("concerto.platform.v1.Ping");
  in.event.set_payload(ping.SerializeAsString());
  return in;
}

TEST(SmokeHandler, PingAddressedToTheServiceIsAnsweredWithPongOnItsOutputTopic) {
  SmokeHandler handler("dunning", "case.events", nullptr);
  auto fx = handler.Apply(std::nullopt, Ping("dunning"), absl::UnixEpoch());
  ASSERT_THAT(fx, IsOk());
  ASSERT_EQ(fx->events.size(), 1u);
  EXPECT_EQ(fx->events[0].topic, "case.events");
  EXPECT_EQ(fx->events[0].type, "concerto.platform.v1.Pong");
  v1::Pong pong;
  ASSERT_TRUE(pong.ParseFromString(fx->events[0].payload));
  EXPECT_EQ(pong.service(), "dunning");
  EXPECT_EQ(pong.pings_seen(), 1);
  // The count lives in the state: a second ping sees the first.
  auto again = handler.Apply(fx->new_state, Ping(""), absl::UnixEpoch());
  ASSERT_THAT(again, IsOk());
  ASSERT_TRUE(pong.ParseFromString(again->events[0].payload));
  EXPECT_EQ(pong.pings_seen(), 2);
}

TEST(SmokeHandler, PingForAnotherServiceAndPongsChangeNothing) {
  SmokeHandler handler("dunning", "case.events", nullptr);
  auto other = handler.Apply(std::nullopt, Ping("payment"), absl::UnixEpoch());
  ASSERT_THAT(other, IsOk());
  EXPECT_TRUE(other->events.empty());
  EXPECT_FALSE(other->new_state.has_value());
  Input pong = Ping("x");
  pong.event.set_type("concerto.platform.v1.Pong");
  auto ignored = handler.Apply(std::nullopt, pong, absl::UnixEpoch());
  ASSERT_THAT(ignored, IsOk());
  EXPECT_TRUE(ignored->events.empty());
}

TEST(SmokeHandler, UnknownTypeWithoutDomainIsUnimplementedSoTheConsumerSkipsIt) {
  SmokeHandler handler("dunning", "case.events", nullptr);
  Input in = Ping("dunning");
  in.event.set_type("concerto.invoice.v1.InvoiceIssued");
  EXPECT_THAT(handler.Apply(std::nullopt, in, absl::UnixEpoch()),
              StatusIs(absl::StatusCode::kUnimplemented));
}

TEST(SmokeHandler, MalformedPingIsAPermanentRejection) {
  SmokeHandler handler("dunning", "case.events", nullptr);
  Input in = Ping("dunning");
  in.event.set_payload("\xff\xff\xff");
  auto fx = handler.Apply(std::nullopt, in, absl::UnixEpoch());
  EXPECT_TRUE(IsPermanentRejection(fx.status())) << fx.status();
}

TEST(TimerId, DependsOnAggregateKindAndDueTimeOnly) {
  const absl::Time due = absl::FromUnixSeconds(1767225600);
  EXPECT_EQ(TimerId("acct-1", "step", due), TimerId("acct-1", "step", due));
  EXPECT_NE(TimerId("acct-1", "step", due), TimerId("acct-2", "step", due));
  EXPECT_NE(TimerId("acct-1", "step", due), TimerId("acct-1", "promise", due));
  EXPECT_NE(TimerId("acct-1", "step", due), TimerId("acct-1", "step", due + absl::Seconds(1)));
}

TEST(ReplyOfCommand, StoredReplyForTheSameCommandOtherCommandOrNotFoundOrTheRejection) {
  v1::StoredReply stored;
  stored.set_command("cmd-a");
  stored.set_reply("reply-a");
  ItemOutcome applied;
  applied.result = stored.SerializeAsString();
  auto reply = ReplyOfCommand(applied, "cmd-a", "x/not-found");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(*reply, "reply-a");

  ItemOutcome duplicate = applied;
  duplicate.kind = ItemOutcome::Kind::kDuplicate;
  EXPECT_EQ(*ReplyOfCommand(duplicate, "cmd-a", "x/not-found"), "reply-a");
  EXPECT_EQ(ReplyOfCommand(duplicate, "cmd-b", "x/not-found").status().code(),
            absl::StatusCode::kInvalidArgument);

  ItemOutcome missing;
  missing.kind = ItemOutcome::Kind::kRejected;
  missing.handler_status = absl::FailedPreconditionError("no such account");
  missing.handler_status.SetPayload("x/not-found", absl::Cord("1"));
  EXPECT_EQ(ReplyOfCommand(missing, "cmd-a", "x/not-found").status().code(),
            absl::StatusCode::kNotFound);
  ItemOutcome refused;
  refused.kind = ItemOutcome::Kind::kRejected;
  refused.handler_status = absl::FailedPreconditionError("plan already active");
  EXPECT_EQ(ReplyOfCommand(refused, "cmd-a", "x/not-found").status(), refused.handler_status);
}

TEST(IsPermanentRejection, OnlyInvalidArgumentAndFailedPreconditionAreForGood) {
  EXPECT_TRUE(IsPermanentRejection(absl::InvalidArgumentError("x")));
  EXPECT_TRUE(IsPermanentRejection(absl::FailedPreconditionError("x")));
  EXPECT_FALSE(IsPermanentRejection(absl::UnavailableError("x")));
  EXPECT_FALSE(IsPermanentRejection(absl::InternalError("x")));
  EXPECT_FALSE(IsPermanentRejection(absl::OkStatus()));
}

}  // namespace
}  // namespace concerto::platform
