// Graceful shutdown on SIGTERM/SIGINT: the signals are blocked in every thread and received by
// one sigwait thread, which flips a process-wide latch that main() waits on.
#pragma once

#include "absl/time/time.h"

namespace concerto::platform {

/// InstallShutdownSignalHandlers blocks SIGTERM and SIGINT in the calling thread and starts a
/// thread that waits for them; the first one calls RequestShutdown(), a second one exits the
/// process at once (status 128 + signal). Call it first in main(), BEFORE creating any thread
/// (gRPC, Kafka, Redis clients...): threads inherit the blocked mask, so the signal can only
/// reach the waiting thread. Calling it again does nothing.
void InstallShutdownSignalHandlers();

/// RequestShutdown sets the shutdown latch and wakes every waiter (also usable from code, e.g.
/// on a fatal error or from a test).
void RequestShutdown();

/// ShutdownRequested tells whether the latch is set.
bool ShutdownRequested();

/// WaitForShutdownSignal blocks until the latch is set.
void WaitForShutdownSignal();

/// WaitForShutdownSignalFor blocks until the latch is set or `timeout` passes; returns the
/// latch's value.
bool WaitForShutdownSignalFor(absl::Duration timeout);

/// ResetShutdownForTest clears the latch and the signal count (tests only; never in a service).
void ResetShutdownForTest();

}  // namespace concerto::platform
