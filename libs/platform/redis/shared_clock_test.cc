#include "libs/platform/redis/shared_clock.h"

#include "gtest/gtest.h"
#include "libs/testing/redis_server.h"
#include "libs/testing/status_matchers.h"

namespace concerto::platform::redis {
namespace {

using ::concerto::testing::IsOk;
using ::concerto::testing::RedisServer;

bool Eventually(const std::function<bool()>& f) {
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (absl::Now() < deadline) {
    if (f()) return true;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return false;
}

TEST(SharedClock, SettingItInOneProcessMovesItForEveryOther) {
  auto server = RedisServer::Start();
  ASSERT_THAT(server, IsOk());
  const absl::Time start = absl::FromUnixSeconds(1767225600);  // 2026-01-01
  auto a = SharedClock::Start((*server)->address(), start);
  ASSERT_THAT(a, IsOk());
  // The second one does not reset the clock: the first start wins (SET NX).
  auto b = SharedClock::Start((*server)->address(), start + absl::Hours(99));
  ASSERT_THAT(b, IsOk());
  EXPECT_EQ((*b)->clock()->Now(), start);
  EXPECT_TRUE((*b)->clock()->IsSimulated());

  ASSERT_THAT((*a)->Set(start + absl::Hours(24)), IsOk());
  EXPECT_TRUE(Eventually([&] { return (*b)->clock()->Now() == start + absl::Hours(24); }));

  // Advances from two places add up.
  ASSERT_THAT((*a)->Advance(absl::Hours(1)), IsOk());
  ASSERT_THAT((*b)->Advance(absl::Hours(2)), IsOk());
  const absl::Time expected = start + absl::Hours(27);
  EXPECT_TRUE(Eventually([&] {
    return (*a)->clock()->Now() == expected && (*b)->clock()->Now() == expected;
  }));
}

}  // namespace
}  // namespace concerto::platform::redis
