// The pure domain of the legal-escalation service: one aggregate per debtor account
// ("<tenant>/<debtor_id>"), a state::v1::LegalAccount, and one decide function per input:
//
//   (account, input, now, config) -> LegalDecision {account', events, reply}
//
// with no I/O and no clock reads. Case events from dunning update what the service knows of
// the dunning case (CaseFacts); an EscalationRequested is checked against the eligibility rules
// (eligibility.h) and either opens a legal case (EscalationAccepted) or is refused
// (EscalationRejected with every failed rule). The API's commands move an open legal case
// through its stages, book costs, record a settlement, close it with an outcome, or recall it.
//
// Legal case status and stage:
//   OPEN     stage ACCEPTED -> FORMAL_NOTICE -> INJUNCTION -> PROCEEDINGS -> ENFORCEMENT, forward
//            only (a stage may be skipped); any of them -> SETTLEMENT (negotiating) and from
//            SETTLEMENT back to a litigation stage when talks fail
//   SETTLED  after Settle (stage SETTLEMENT); RecordStage to a litigation stage reopens (OPEN)
//   CLOSED   after Close with an outcome (stage CLOSED)       - final
//   RECALLED after Recall (stage CLOSED)                       - final
// Anything else is an explicit FAILED_PRECONDITION "invalid transition <from> -> <to>: ...".
//
// Ids are derived from the input: legal case id from the EscalationRequested event id, cost id
// from the command id, so a replayed input yields the same decision.
//
// Errors: INVALID_ARGUMENT "<field>: <problem>"; FAILED_PRECONDITION for what the state refuses
// (with kNotFoundPayload when the legal case does not exist); UNIMPLEMENTED for event types the
// service does not act on.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "concerto/legal/v1/legal_api.pb.h"
#include "google/protobuf/message.h"
#include "services/legal_escalation/domain/legal_config.h"
#include "services/legal_escalation/domain/legal_state.pb.h"

namespace concerto::legal {

// kLegalEventsTopic is the topic of every output event.
inline constexpr char kLegalEventsTopic[] = "legal.events";

// kNotFoundPayload marks a FAILED_PRECONDITION whose cause is an unknown legal case (status
// payload key; the API answers NOT_FOUND).
inline constexpr char kNotFoundPayload[] = "concerto.legal/not-found";

// kMaxRejectionsKept bounds LegalAccount.rejections.
inline constexpr int kMaxRejectionsKept = 20;

// LegalDecision is the outcome of one input.
struct LegalDecision {
  state::v1::LegalAccount state;  // the account after the input
  bool changed = false;           // false: nothing to commit but the processed id
  // Output events in order (EscalationAccepted, LegalStageChanged, ...), for legal.events.
  std::vector<std::unique_ptr<google::protobuf::Message>> events;
  // Commands only: the legal case after the command.
  std::optional<v1::LegalCaseResponse> reply;
  // Set when an escalation opened a legal case (the app indexes its id).
  std::string opened_legal_case_id;
};

// CommandActor is who issues a command (RequestContext.actor.id); "" reads as "operator".
struct CommandActor {
  std::string id;
};

// AccountKey is the aggregate key "<tenant>/<debtor_id>".
std::string AccountKey(const std::string& tenant, const std::string& debtor_id);

// NewAccount is the empty account named by "<tenant>/<debtor_id>"; INVALID_ARGUMENT naming
// "aggregate_key" otherwise.
absl::StatusOr<state::v1::LegalAccount> NewAccount(const std::string& aggregate_key);

// LegalCaseIdFor is the legal case id opened by the EscalationRequested event `event_id`.
std::string LegalCaseIdFor(const std::string& event_id);

// CaseIdFor is the dunning case id "<debtor_id>#<sequence>" ("<debtor_id>" when the cycle's
// CaseOpened was not seen).
std::string CaseIdFor(const std::string& debtor_id, int sequence);

// FindCase returns the legal case `legal_case_id` of the account, or null.
const state::v1::LegalCaseRecord* FindCase(const state::v1::LegalAccount& account,
                                           const std::string& legal_case_id);
// OpenCase returns the account's OPEN or SETTLED legal case, or null.
const state::v1::LegalCaseRecord* OpenCase(const state::v1::LegalAccount& account);

// ApplyCaseEvent applies one event of case.events (`type` short or full name, e.g.
// "concerto.dunning.v1.EscalationRequested"); `event_id` is its envelope id, `occurred_at` its
// envelope time (the day a final notice counts as sent). Every dunning case event updates
// CaseFacts; EscalationRequested decides. UNIMPLEMENTED for other types.
absl::StatusOr<LegalDecision> ApplyCaseEvent(const state::v1::LegalAccount& account,
                                             const std::string& type, const std::string& payload,
                                             const std::string& event_id, absl::Time occurred_at,
                                             absl::Time now, const TenantLegalConfig& config);

// RecordStage moves the case to request.stage (context ignored). Emits LegalStageChanged.
// effective_on defaults to today; term_ends_on, when unset, is effective_on + the jurisdiction's
// StageTerm (none when no term is configured).
absl::StatusOr<LegalDecision> RecordStage(const state::v1::LegalAccount& account,
                                          const v1::RecordStageRequest& request,
                                          const std::string& cause_id, const CommandActor& actor,
                                          absl::Time now, const TenantLegalConfig& config);

// RecordCost books request.cost (cost_id = derived from cause_id; currency of the claim;
// amount > 0; incurred_on defaults to today). Emits LegalCostRecorded with the new total.
absl::StatusOr<LegalDecision> RecordCost(const state::v1::LegalAccount& account,
                                         const v1::RecordCostRequest& request,
                                         const std::string& cause_id, const CommandActor& actor,
                                         absl::Time now, const TenantLegalConfig& config);

// Settle records the agreed settlement (amount > 0, in the claim's currency, at most the claim
// plus recoverable costs; agreed_on defaults to today and may not be later). Emits
// LegalCaseSettled.
absl::StatusOr<LegalDecision> Settle(const state::v1::LegalAccount& account,
                                     const v1::SettleRequest& request, const std::string& cause_id,
                                     const CommandActor& actor, absl::Time now,
                                     const TenantLegalConfig& config);

// Close ends the case with an outcome. recovered: PAID defaults to the claim and may not be
// less; SETTLED defaults to the settlement amount (required without one); UNCOLLECTABLE
// defaults to zero. written_off = claim - recovered (never below zero). closed_on defaults to
// today (or the current stage's effective date when later) and may not precede it. Emits
// LegalCaseClosed.
absl::StatusOr<LegalDecision> Close(const state::v1::LegalAccount& account,
                                    const v1::CloseRequest& request, const std::string& cause_id,
                                    const CommandActor& actor, absl::Time now,
                                    const TenantLegalConfig& config);

// Recall ends the case on the client's request (reason required). Emits LegalCaseRecalled.
absl::StatusOr<LegalDecision> Recall(const state::v1::LegalAccount& account,
                                     const v1::RecallRequest& request, const std::string& cause_id,
                                     const CommandActor& actor, absl::Time now,
                                     const TenantLegalConfig& config);

// StageAllowed tells whether RecordStage may move a case from `from` to `to` (same status).
bool StageAllowed(v1::LegalStage from, v1::LegalStage to);

}  // namespace concerto::legal
