#include "libs/platform/in_memory_runtime.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/platform/unit_of_work.h"

namespace concerto::platform {
namespace {

// CountingHandler: the state counts the events applied; event "arm" arms a timer an hour later
// (or at the due given after the colon), event "bad" is rejected for good, "busy" is transient,
// "other" is a type it does not know. A fired timer emits "fired" and re-arms itself.
class CountingHandler final : public Handler {
 public:
  absl::StatusOr<Effects> Apply(const std::optional<std::string>& state, const Input& in,
                                absl::Time now) override {
    int count = 0;
    if (state.has_value() && !absl::SimpleAtoi(*state, &count)) return absl::InternalError("state");
    Effects fx;
    const std::string type = in.kind == Input::Kind::kTimer ? "timer" : in.event.type();
    if (type == "bad") return absl::InvalidArgumentError("bad input");
    if (type == "busy") return absl::UnavailableError("try later");
    if (type == "other") return absl::UnimplementedError("not mine");
    fx.new_state = absl::StrCat(count + 1);
    if (type == "arm") fx.timers_add.push_back({"remind", now + absl::Hours(1), ""});
    if (type == "timer") {
      fx.events.push_back({"out", "", "", "fired", absl::StrCat(count + 1)});
      fx.timers_add.push_back({"remind", now + absl::Hours(1), ""});  // a later one
      fx.timers_add.push_back({"remind", absl::FromUnixMicros(in.timer.due_unix_micros()), ""});
    } else {
      fx.events.push_back({"out", "", "", "counted", absl::StrCat(count + 1)});
    }
    return fx;
  }
};

Input Event(const std::string& id, const std::string& type) {
  common::v1::Envelope env;
  env.set_event_id(id);
  env.set_aggregate_key("acct-1");
  env.set_tenant("t1");
  env.set_type(type);
  return InMemoryRuntime::EventInput(env);
}

const absl::Time kNoon = absl::FromUnixSeconds(1767268800);

TEST(InMemoryRuntime, AnInputAppliesOnceAndItsEventsHaveTheLiveDeterministicIds) {
  CountingHandler handler;
  InMemoryRuntime rt("counter", &handler);
  auto first = rt.Apply(Event("e1", "count"), kNoon);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ((*first)[0].topic, "out");
  EXPECT_EQ((*first)[0].envelope.event_id(),
            EnvelopeOf(Event("e1", "count"), {"out", "", "", "counted", "1"}, 0, kNoon, "counter")
                .event_id());
  EXPECT_EQ((*first)[0].envelope.producer(), "counter");
  EXPECT_EQ((*first)[0].envelope.aggregate_key(), "acct-1");
  auto again = rt.Apply(Event("e1", "count"), kNoon);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
  EXPECT_EQ(rt.aggregates().at("acct-1"), "1");
  EXPECT_EQ(rt.units_committed(), 1);
}

TEST(EnvelopeOf, TwoServicesReactingToTheSameInputEmitDistinctEventIds) {
  const Input in = Event("payment-allocated-1", "PaymentAllocated");
  const OutputEvent ev{"out", "", "", "Reacted", ""};
  EXPECT_NE(EnvelopeOf(in, ev, 0, kNoon, "invoice").event_id(),
            EnvelopeOf(in, ev, 0, kNoon, "dunning").event_id());
  EXPECT_EQ(EnvelopeOf(in, ev, 0, kNoon, "dunning").event_id(),
            EnvelopeOf(in, ev, 0, kNoon + absl::Hours(1), "dunning").event_id());
  EXPECT_NE(EnvelopeOf(in, ev, 0, kNoon, "dunning").event_id(),
            EnvelopeOf(in, ev, 1, kNoon, "dunning").event_id());
}

TEST(InMemoryRuntime, RejectionsAreDeadLetteredUnknownTypesSkippedTransientErrorsChangeNothing) {
  CountingHandler handler;
  InMemoryRuntime rt("counter", &handler);
  ASSERT_TRUE(rt.Apply(Event("e1", "count"), kNoon).ok());
  auto bad = rt.Apply(Event("e2", "bad"), kNoon);
  ASSERT_TRUE(bad.ok());
  EXPECT_TRUE(bad->empty());
  EXPECT_EQ(rt.dead_letters(), 1);
  auto other = rt.Apply(Event("e3", "other"), kNoon);
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->empty());
  auto busy = rt.Apply(Event("e4", "busy"), kNoon);
  EXPECT_EQ(busy.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(rt.aggregates().at("acct-1"), "1");
  EXPECT_EQ(rt.units_committed(), 1);
}

TEST(InMemoryRuntime, TimersFireWhenDueOnceAndARearmUnderTheSameIdIsRetired) {
  CountingHandler handler;
  InMemoryRuntime rt("counter", &handler);
  ASSERT_TRUE(rt.Apply(Event("e1", "arm"), kNoon).ok());
  EXPECT_TRUE(rt.DueTimers(kNoon + absl::Minutes(59)).empty());
  std::vector<Input> due = rt.DueTimers(kNoon + absl::Hours(3));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].id, TimerId("acct-1", "remind", kNoon + absl::Hours(1)));
  auto fired = rt.Apply(due[0], kNoon + absl::Hours(3));
  ASSERT_TRUE(fired.ok());
  ASSERT_EQ(fired->size(), 1u);
  EXPECT_EQ((*fired)[0].envelope.type(), "fired");
  // Firing it again does nothing; only the later timer it armed is pending.
  auto twice = rt.Apply(due[0], kNoon + absl::Hours(3));
  ASSERT_TRUE(twice.ok());
  EXPECT_TRUE(twice->empty());
  due = rt.DueTimers(kNoon + absl::Hours(10));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].id, TimerId("acct-1", "remind", kNoon + absl::Hours(4)));
}

}  // namespace
}  // namespace concerto::platform
