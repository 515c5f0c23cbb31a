#include "libs/platform/runtime/shutdown_signal.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace concerto::platform {
namespace {

// Installed first, before gtest or the tests start threads, as a main() would.
const bool kInstalled = [] {
  InstallShutdownSignalHandlers();
  return true;
}();

TEST(ShutdownSignalTest, RequestShutdownUnblocksWaiter) {
  ResetShutdownForTest();
  EXPECT_FALSE(ShutdownRequested());
  std::atomic<bool> returned{false};
  std::thread waiter([&] {
    WaitForShutdownSignal();
    returned = true;
  });
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_FALSE(returned);
  RequestShutdown();
  waiter.join();
  EXPECT_TRUE(returned);
  EXPECT_TRUE(ShutdownRequested());
}

TEST(ShutdownSignalTest, WaitForTimesOutWithoutRequest) {
  ResetShutdownForTest();
  EXPECT_FALSE(WaitForShutdownSignalFor(absl::Milliseconds(20)));
  RequestShutdown();
  EXPECT_TRUE(WaitForShutdownSignalFor(absl::Milliseconds(20)));
}

TEST(ShutdownSignalTest, SigtermToProcessSetsLatchInsteadOfKilling) {
  ASSERT_TRUE(kInstalled);
  ResetShutdownForTest();
  ASSERT_EQ(::kill(::getpid(), SIGTERM), 0);
  EXPECT_TRUE(WaitForShutdownSignalFor(absl::Seconds(10)));
  EXPECT_TRUE(ShutdownRequested());
}

TEST(ShutdownSignalDeathTest, SecondSignalExitsAtOnce) {
  // "threadsafe" re-runs the binary for the child, so the child has its own signal thread.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        ResetShutdownForTest();
        ::kill(::getpid(), SIGTERM);
        WaitForShutdownSignal();
        ::kill(::getpid(), SIGTERM);
        absl::SleepFor(absl::Seconds(30));
      },
      ::testing::ExitedWithCode(128 + SIGTERM), "");
}

}  // namespace
}  // namespace concerto::platform
