// ContactHandler: the contact-channel service's platform::Handler, pure (no I/O). Three kinds of
// aggregate share it:
//   "<tenant>/<debtor_id>"  the debtor's contact record: attempts and their state machine,
//                           consents, hardship, operator call queues, replies, surveys;
//   "person/<person key>"   the person ledger shared by every tenant (frequency caps, Reg F);
//   "policy/<tenant>"       the tenant's contact policies, one per jurisdiction.
// Inputs: dunning's contact requests and case events (case.events), InvoiceReissued and
// DebtorErased (invoice.events), the "send/<attempt id>" watchdog timers, and the commands of the
// dispatcher and of the gRPC API (command.proto). See docs/adr/0006-contact-attempt-dispatch.md.
#pragma once

#include <optional>
#include <string>

#include "absl/time/time.h"
#include "concerto/contact/v1/contact_api.pb.h"
#include "libs/platform/handler.h"
#include "services/contact_channel/app/command.pb.h"
#include "services/contact_channel/app/contact_state.pb.h"
#include "services/contact_channel/domain/contact_policy.h"

namespace concerto::contact {

// kContactEventsTopic is where the service's events go.
inline constexpr char kContactEventsTopic[] = "contact.events";
// kSendTimerPrefix starts the kind of an attempt's watchdog timer: "send/<attempt id>".
inline constexpr char kSendTimerPrefix[] = "send/";
// kPersonPrefix and kPolicyPrefix start the keys of the person ledgers and tenant policies.
inline constexpr char kPersonPrefix[] = "person/";
inline constexpr char kPolicyPrefix[] = "policy/";
// kSpecialistQueue is the operator queue of vulnerable and hardship debtors.
inline constexpr char kSpecialistQueue[] = "specialist";
// kDefaultCallQueue is the queue of a call task that names none.
inline constexpr char kDefaultCallQueue[] = "collections";
// kNotFoundPayload / kAbortedPayload mark a FAILED_PRECONDITION rejection that the API answers
// as NOT_FOUND / ABORTED (a handler's NOT_FOUND or ABORTED would be retried as transient).
inline constexpr char kNotFoundPayload[] = "concerto.contact/not-found";
inline constexpr char kAbortedPayload[] = "concerto.contact/aborted";

// DebtorKey is the contact record of `debtor_id` in `tenant`: "tenant/debtor_id".
std::string DebtorKey(const std::string& tenant, const std::string& debtor_id);
// PersonLedgerKey is the ledger aggregate of a person key: "person/<key>".
std::string PersonLedgerKey(const std::string& person_key);
// PolicyKey is the tenant's policy aggregate: "policy/<tenant>".
std::string PolicyKey(const std::string& tenant);
// AttemptIndex is the index field that maps an attempt id to its contact record.
std::string AttemptIndex(const std::string& tenant, const std::string& attempt_id);
// AttemptIdFor is the deterministic attempt id of the request event `event_id`.
std::string AttemptIdFor(const std::string& event_id);
// SendTimerKind is the kind of the watchdog timer of `attempt_id`.
std::string SendTimerKind(const std::string& attempt_id);

// AttemptStatusOf maps an internal phase onto the API's status (SENDING shows as INTENDED).
v1::AttemptStatus AttemptStatusOf(app::Phase phase);
// IsActive: the attempt still waits for the policy or the dispatcher.
bool IsActive(app::Phase phase);

// ToDecisionRecord converts a policy evaluation made at `now` for commands and the record.
app::DecisionRecord ToDecisionRecord(const Decision& decision, absl::Time now);

// HandlerOptions tune the handler.
struct HandlerOptions {
  // How often an active attempt's watchdog timer fires to hint the dispatcher again.
  absl::Duration recheck = absl::Seconds(60);
  // First pause after a transient provider failure; doubles per try.
  absl::Duration retry_backoff = absl::Seconds(30);
  // Provider tries before a transiently failing attempt is FAILED.
  int max_send_tries = 5;
  // Attempts, call tasks and replies kept per debtor record (oldest finished ones go first).
  int max_kept = 300;
};

// ContactHandler applies every input of the service (see the file comment).
class ContactHandler final : public platform::Handler {
 public:
  explicit ContactHandler(HandlerOptions options = {}) : options_(options) {}
  absl::StatusOr<platform::Effects> Apply(const std::optional<std::string>& state,
                                          const platform::Input& input, absl::Time now) override;

 private:
  const HandlerOptions options_;
};

}  // namespace concerto::contact
