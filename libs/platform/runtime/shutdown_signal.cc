#include "libs/platform/runtime/shutdown_signal.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>

#include "absl/time/clock.h"
#include "libs/platform/runtime/logging.h"

namespace concerto::platform {
namespace {

struct ShutdownState {
  std::mutex mu;
  std::condition_variable cv;
  bool requested = false;
};

ShutdownState& State() {
  static ShutdownState* state = new ShutdownState();  // never destroyed
  return *state;
}

std::atomic<bool> installed{false};
std::atomic<int> signals_received{0};

void SignalWaitLoop(sigset_t set) {
  while (true) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (signals_received.fetch_add(1) == 0) {
      LogInfo("shutdown signal received", {{"signal", strsignal(sig)}});
      RequestShutdown();
    } else {
      LogWarn("second shutdown signal: exiting now", {{"signal", strsignal(sig)}});
      _exit(128 + sig);
    }
  }
}

}  // namespace

void InstallShutdownSignalHandlers() {
  if (installed.exchange(true)) return;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread(SignalWaitLoop, set).detach();
}

void RequestShutdown() {
  ShutdownState& state = State();
  {
    std::lock_guard<std::mutex> lock(state.mu);
    state.requested = true;
  }
  state.cv.notify_all();
}

bool ShutdownRequested() {
  ShutdownState& state = State();
  std::lock_guard<std::mutex> lock(state.mu);
  return state.requested;
}

void WaitForShutdownSignal() {
  ShutdownState& state = State();
  std::unique_lock<std::mutex> lock(state.mu);
  state.cv.wait(lock, [&] { return state.requested; });
}

bool WaitForShutdownSignalFor(absl::Duration timeout) {
  if (timeout >= absl::Hours(24 * 365)) {  // avoid overflowing the steady clock
    WaitForShutdownSignal();
    return true;
  }
  if (timeout < absl::ZeroDuration()) timeout = absl::ZeroDuration();
  ShutdownState& state = State();
  std::unique_lock<std::mutex> lock(state.mu);
  return state.cv.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                           [&] { return state.requested; });
}

void ResetShutdownForTest() {
  signals_received.store(0);
  ShutdownState& state = State();
  std::lock_guard<std::mutex> lock(state.mu);
  state.requested = false;
}

}  // namespace concerto::platform
