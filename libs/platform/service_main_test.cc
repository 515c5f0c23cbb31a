#include "libs/platform/service_main.h"

#include "concerto/platform/v1/events.pb.h"
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

TEST(IsPermanentRejection, OnlyInvalidArgumentAndFailedPreconditionAreForGood) {
  EXPECT_TRUE(IsPermanentRejection(absl::InvalidArgumentError("x")));
  EXPECT_TRUE(IsPermanentRejection(absl::FailedPreconditionError("x")));
  EXPECT_FALSE(IsPermanentRejection(absl::UnavailableError("x")));
  EXPECT_FALSE(IsPermanentRejection(absl::InternalError("x")));
  EXPECT_FALSE(IsPermanentRejection(absl::OkStatus()));
}

}  // namespace
}  // namespace concerto::platform
