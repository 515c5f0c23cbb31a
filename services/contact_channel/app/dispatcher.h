// Dispatcher: the I/O half of a contact attempt (the handler is the pure half). For each attempt
// that is due it
//   1. decides: reads the debtor's master data (GetDebtorContact), derives the person key and
//      the policy's facts, and asks the person ledger to evaluate and reserve (a Reserve command
//      on "person/<key>"), then records the decision on the contact record (ApplyDecision);
//   2. sends: renders the message, commits SENDING (BeginSend), calls the channel adapter with
//      the attempt id as the idempotency key, and commits the outcome (CompleteSend).
// Every step is a command with a deterministic id, so a retry after any crash repeats nothing.
// An attempt found SENDING by an earlier incarnation is never silently re-sent: it is sent again
// only through a provider that deduplicates on the attempt id, and becomes UNKNOWN (an operator
// checks) otherwise. See docs/adr/0006-contact-attempt-dispatch.md.
//
// Work arrives as hints: the "send/<attempt id>" watchdog timers (HintingHandler), plus a sweep
// of the owned shards when ownership is first seen and every sweep_interval.
#pragma once

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/platform/clock.h"
#include "libs/platform/handler.h"
#include "services/contact_channel/app/aggregate_bus.h"
#include "services/contact_channel/app/channel_adapter.h"
#include "services/contact_channel/app/command.pb.h"
#include "services/contact_channel/app/contact_state.pb.h"
#include "services/contact_channel/app/invoice_directory.h"
#include "services/contact_channel/app/message_builder.h"
#include "services/contact_channel/app/person_key.h"
#include "services/contact_channel/templates/message_renderer.h"

namespace concerto::contact {

// Fault points of the dispatcher (CONCERTO_FAULT=<name>[:<n>] kills the process there).
inline constexpr char kFaultAfterSendingCommitted[] = "contact_after_sending_committed";
inline constexpr char kFaultAfterSend[] = "contact_after_send";

// DispatcherOptions configure the dispatcher.
struct DispatcherOptions {
  // Unique per process start: marks the SENDING attempts this process owns.
  std::string incarnation;
  int workers = 2;
  absl::Duration sweep_interval = absl::Minutes(5);
  MessageSettings messages;
  std::string person_key_secret = "concerto-dev-person-key";
  // How long to keep retrying the commit of a provider's answer before giving up (the attempt
  // then stays SENDING, and a later incarnation resolves it).
  absl::Duration outcome_commit_deadline = absl::Seconds(60);
};

// Dispatcher runs due attempts (see the file comment). Thread-safe.
class Dispatcher {
 public:
  // `adapters` maps channels to their adapters (not owned; a channel without one is not sent).
  Dispatcher(DispatcherOptions options, AggregateBus* bus, DebtorDirectory* directory,
             const MessageRenderer* renderer, std::map<v1::Channel, ChannelAdapter*> adapters,
             const platform::Clock* clock);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Start starts the workers and the sweeper; Stop ends them (an attempt in flight finishes).
  void Start();
  void Stop();

  // Hint queues an attempt for a worker (non-blocking; duplicates collapse).
  void Hint(const std::string& aggregate_key, const std::string& attempt_id);
  // Process runs one attempt as far as it can go now (decide, then send), synchronously.
  absl::Status Process(const std::string& aggregate_key, const std::string& attempt_id);
  // Sweep hints every active attempt of the shards this instance owns.
  absl::Status Sweep();

  // Supports tells whether a channel has an adapter.
  bool Supports(v1::Channel channel) const { return adapters_.count(channel) > 0; }
  const std::string& incarnation() const { return options_.incarnation; }

 private:
  using Work = std::pair<std::string, std::string>;  // aggregate key, attempt id

  absl::Status Decide(const app::DebtorRecord& record, const app::Attempt& attempt);
  absl::Status Send(const app::DebtorRecord& record, const app::Attempt& attempt, bool resend);
  absl::Status Resolve(const app::DebtorRecord& record, const app::Attempt& attempt);
  absl::Status Commit(const std::string& key, const std::string& tenant, const std::string& id,
                      const app::ContactCommand& command, app::AttemptReply* reply,
                      absl::Duration deadline);
  absl::Status CompleteWith(const app::DebtorRecord& record, const app::Attempt& attempt,
                            app::SendOutcome outcome, const std::string& provider,
                            const std::string& provider_message_id, const std::string& code);
  void WorkerLoop();
  void SweepLoop();

  const DispatcherOptions options_;
  AggregateBus* bus_;
  DebtorDirectory* directory_;
  const MessageRenderer* renderer_;
  const std::map<v1::Channel, ChannelAdapter*> adapters_;
  const platform::Clock* clock_;
  const KeyedHasher hasher_;

  absl::Mutex mu_;
  std::deque<Work> queue_ ABSL_GUARDED_BY(mu_);
  std::set<Work> queued_ ABSL_GUARDED_BY(mu_);
  std::set<Work> busy_ ABSL_GUARDED_BY(mu_);
  std::set<Work> again_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  // Outcomes a provider gave that could not be committed yet (attempt id -> command).
  std::map<std::string, app::ContactCommand> uncommitted_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> threads_;
};

// HintingHandler wraps the service's handler: after a "send/<attempt id>" watchdog timer is
// applied it hints the dispatcher (the hint may arrive before the commit; the dispatcher only
// acts on committed state, so an early or lost hint is harmless).
class HintingHandler final : public platform::Handler {
 public:
  explicit HintingHandler(platform::Handler* inner) : inner_(inner) {}
  absl::StatusOr<platform::Effects> Apply(const std::optional<std::string>& state,
                                          const platform::Input& input, absl::Time now) override;
  // set_dispatcher connects the dispatcher once it exists (null disconnects it).
  void set_dispatcher(Dispatcher* dispatcher) { dispatcher_.store(dispatcher); }

 private:
  platform::Handler* inner_;
  std::atomic<Dispatcher*> dispatcher_{nullptr};
};

// NewIncarnation returns a fresh incarnation id (time and randomness).
std::string NewIncarnation();

}  // namespace concerto::contact
