// The contact policy engine of the contact-channel service: a pure function that decides whether
// one automated contact attempt may go out now, later, on another channel, not at all, or only
// through a human:
//
//   Evaluate(policy, person ledger, debtor facts, attempt request, now) -> Decision
//
// The policy is data (concerto.contact.v1.ContactPolicy, per tenant and jurisdiction). The ledger
// is per PERSON, shared by every tenant (creditor) that collects from that person, so frequency
// caps hold however many creditors contact one person. Statutory floors that no tenant policy can
// loosen are applied on top of the policy: Reg F call caps and 08:00-21:00 hours in the US
// (libs/rules/contact_limits.h), 08:00-21:00 in the UK (FCA CONC 7), and "a vulnerable or hardship
// debtor is never contacted by automation".
//
// No clock, no I/O: the caller passes `now`, the debtor's time zone and the ledger, and records
// attempts that actually went out with RecordAttempt.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "concerto/contact/v1/contact_api.pb.h"

namespace concerto::contact {

// ---- the person ledger ----

// LedgerAttempt is one contact attempt that went out to a person (any tenant, any channel).
struct LedgerAttempt {
  absl::Time at;
  v1::Channel channel = v1::CHANNEL_UNSPECIFIED;
  std::string tenant;      // the creditor it was made for (per-tenant caps)
  std::string attempt_id;  // deterministic attempt id: recording it twice changes nothing
  // A telephone conversation with the person took place (a right-party call). Reg F blocks
  // calls for 7 days after one.
  bool conversation = false;
};

// ContactLedger is the contact history of one person across every creditor, in time order. It is
// keyed by a person key (not by tenant or debtor id: one person has one debtor id per creditor).
struct ContactLedger {
  std::string person_key;
  std::vector<LedgerAttempt> attempts;  // sorted by `at`, then attempt_id
};

// RecordAttempt returns `ledger` with `attempt` added in time order. Idempotent: an attempt id
// already present is not added again (a redelivered event changes nothing), but a conversation
// flag is merged into it.
ContactLedger RecordAttempt(ContactLedger ledger, LedgerAttempt attempt);

// RecordConversation marks the call `attempt_id` as a telephone conversation (a call outcome
// arrives after the call was recorded). When the call is not in the ledger, a PHONE attempt with
// the conversation is added at `at` for `tenant`, so the Reg F pause holds even then.
ContactLedger RecordConversation(ContactLedger ledger, const std::string& tenant,
                                 const std::string& attempt_id, absl::Time at);

// PruneLedger drops attempts before `keep_from`. The caller keeps at least the longest window of
// any policy (caps, pause, minimum gap) plus a margin; pruning inside a window loosens caps.
ContactLedger PruneLedger(ContactLedger ledger, absl::Time keep_from);

// ---- the facts and the request ----

// ContactPoint is one address of the debtor (an e-mail address, a phone number, a postal
// address), named by its id only: addresses never enter the policy engine.
struct ContactPoint {
  std::string id;
  v1::Channel channel = v1::CHANNEL_UNSPECIFIED;
  bool opted_out = false;  // opt-out for this address (e.g. STOP from this number)
  // Consent for this address where the channel needs it (e.g. automated SMS to a mobile under
  // TCPA, WhatsApp). The app sets false when consent is required and missing.
  bool consent = true;
};

// DebtorFacts is what the policy needs to know about the person, per attempt.
struct DebtorFacts {
  // ISO 3166-1 alpha-2 for the holiday calendar; empty: the policy's jurisdiction.
  std::string country;
  // The debtor's time zone: quiet hours, allowed days and day-counted caps use its local time.
  absl::TimeZone zone = absl::UTCTimeZone();
  std::vector<ContactPoint> contact_points;
  // Channels opted out as a whole (an OptOut without a contact point).
  std::vector<v1::Channel> opted_out_channels;
  // The debtor's preferred channel (UNSPECIFIED: none); tried first when the request allows it.
  v1::Channel preferred_channel = v1::CHANNEL_UNSPECIFIED;
  bool vulnerable = false;  // flagged vulnerable (FCA CONC 7 and the like)
  bool hardship = false;    // hardship reported and not resolved
  // Last day (debtor's local calendar) of a breathing space, if one was granted.
  std::optional<absl::CivilDay> breathing_space_until;
  bool erased = false;  // personal data erased or restricted (GDPR): no contact at all
};

// AttemptRequest is one automated contact the dunning strategy asked for (ContactRequested,
// CallTaskRequested, FinalNoticeRequested; see attempt_request.h).
struct AttemptRequest {
  std::string tenant;
  // Channels the strategy allows, in its order of preference; the debtor's preferred channel is
  // moved to the front when it is one of them.
  std::vector<v1::Channel> channels;
};

// ---- the decision ----

// Verdict is what happens to the attempt.
enum class Verdict {
  kAllow,        // send now on `channel`
  kDefer,        // send on `channel` at `until` (re-evaluate then: the ledger may have changed)
  kSuppress,     // do not send (`until`: when the blocking limit lifts, if it ever does)
  kHandToHuman,  // no automated contact: an operator decides
};

// VerdictName returns "ALLOW", "DEFER", "SUPPRESS", "HAND_TO_HUMAN".
const char* VerdictName(Verdict verdict);

// RuleVerdict is what one policy rule said during an evaluation (for the attempt's trail; maps
// onto concerto.contact.v1.PolicyDecision).
struct RuleVerdict {
  std::string rule_id;  // e.g. "reg_f_calls", "caps[1]", "quiet_hours[0]", "consent"
  Verdict outcome = Verdict::kAllow;
  v1::SuppressionReason reason = v1::SUPPRESSION_REASON_UNSPECIFIED;
  v1::Channel channel = v1::CHANNEL_UNSPECIFIED;
  std::string explanation;
  absl::Time until = absl::InfinitePast();  // deferral or lift time, when there is one
};

// Decision is the engine's answer.
struct Decision {
  Verdict verdict = Verdict::kSuppress;
  // The channel chosen (kAllow, kDefer); for kSuppress the most preferred channel tried; for
  // kHandToHuman UNSPECIFIED.
  v1::Channel channel = v1::CHANNEL_UNSPECIFIED;
  std::string contact_point_id;  // the address to use (kAllow, kDefer)
  // kAllow and kHandToHuman: now. kDefer: the instant to send at. kSuppress: the earliest instant
  // at which the blocking caps or pause would permit a contact (informational: the attempt is
  // dropped unless the caller retries), or InfiniteFuture when only a change of facts (opt-in,
  // a new address) can help.
  absl::Time until = absl::InfinitePast();
  v1::SuppressionReason reason_code = v1::SUPPRESSION_REASON_UNSPECIFIED;
  std::string rule_id;  // the rule that decided
  // Human-readable, without personal data, e.g.
  //   "suppressed: 7 calls in 7 days to this person (Reg F); next permitted 2025-03-10"
  //   "deferred to 08:00 Europe/Rome: quiet hours"
  std::string reason;
  std::vector<RuleVerdict> trail;  // every rule that acted, in evaluation order
};

// ValidatePolicy checks a policy before it is stored or used: INVALID_ARGUMENT naming the field,
// e.g. "caps[1].window: must be positive".
absl::Status ValidatePolicy(const v1::ContactPolicy& policy);

// Evaluate decides one attempt at `now`. In order:
//  1. erased data -> kSuppress; vulnerable, hardship or inside a breathing space -> kHandToHuman;
//  2. each requested channel, preferred first: skipped when opted out (channel or every address),
//     without consent or without an address;
//  3. its timing: the minimum gap after the person's previous contact, allowed weekdays, public
//     holidays, quiet hours (policy and statutory) -> the earliest instant >= now;
//  4. its hard limits at that instant: caps per channel and person (rolling windows; whole-day
//     windows count the debtor's local calendar days like Reg F), the pause after a telephone
//     conversation, and in the US Reg F itself -> when blocked, the next channel is tried;
//  5. the first channel that passes is kAllow (instant == now) or kDefer; none -> kSuppress.
// INVALID_ARGUMENT for an invalid policy, an empty channel list or an unsupported holiday
// country; FAILED_PRECONDITION when the policy leaves no allowed instant within a year.
absl::StatusOr<Decision> Evaluate(const v1::ContactPolicy& policy, const ContactLedger& ledger,
                                  const DebtorFacts& debtor, const AttemptRequest& request,
                                  absl::Time now);

}  // namespace concerto::contact
