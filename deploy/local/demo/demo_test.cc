// End to end: the real five services under the stack supervisor, on the embedded broker and a
// real redis-server; the smoke flow passes, and again after a service is killed with SIGKILL.
#include <csignal>

#include "deploy/local/demo/smoke_flow.h"
#include "deploy/local/stack/stack.h"
#include "gtest/gtest.h"
#include "libs/testing/status_matchers.h"

namespace concerto::local {
namespace {

using ::concerto::testing::IsOk;

StackOptions Options() {
  StackOptions o;
  o.state_dir = ::testing::TempDir() + "/concerto-demo-test";
  const char* bin = std::getenv("CONCERTO_BIN_DIR");
  o.bin_dir = bin != nullptr ? bin : ".";
  o.extra_service_flags = {"--clock=simulated"};
  return o;
}

TEST(SmokeFlowE2e, EveryServiceAnswersThroughKafkaAndRedisAndFollowsTheSharedClock) {
  auto stack = Stack::Start(Options());
  ASSERT_THAT(stack, IsOk());
  const StackAddresses addresses = (*stack)->addresses();
  EXPECT_EQ(addresses.grpc.size(), 5u);
  auto report = RunSmokeFlow(addresses);
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->pong_after.size(), 5u);
  EXPECT_EQ(report->clock_after - report->clock_before, absl::Hours(24));
}

TEST(SmokeFlowE2e, ServiceKilledWithSigkillIsRestartedAndTheFlowStillPasses) {
  auto stack = Stack::Start(Options());
  ASSERT_THAT(stack, IsOk());
  ASSERT_THAT(RunSmokeFlow((*stack)->addresses()), IsOk());
  ASSERT_THAT((*stack)->KillService("dunning", SIGKILL), IsOk());
  absl::SleepFor(absl::Milliseconds(200));
  ASSERT_THAT((*stack)->WaitHealthy(absl::Seconds(60)), IsOk());
  EXPECT_EQ((*stack)->restarts("dunning"), 1);
  auto report = RunSmokeFlow((*stack)->addresses());
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->pong_after.size(), 5u);
}

}  // namespace
}  // namespace concerto::local
