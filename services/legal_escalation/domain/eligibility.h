// Eligibility of an escalation request: court is the last resort, so a request opens a legal
// case only when every rule passes, and a rejection lists every rule that failed, each with its
// explanation (and the day it could pass, when known). Pure: no I/O, no clock.
//
// Rules, in order (code in parentheses):
//   not_in_legal      no legal case of the debtor is open (OTHER)
//   not_recalled      the client did not recall a legal case of this dunning cycle (RECALLED)
//   min_balance       balance >= the tenant's minimum, EUR 100.00 by default (BELOW_MIN_BALANCE)
//   documents         the request lists at least one invoice (DOCUMENTS_MISSING)
//   escalation_step   the strategy's escalation step ran (step > 0), or, for an agent's request
//                     (step 0), the strategy went past its final notice step (STEPS_NOT_EXHAUSTED)
//   final_notice      a final notice was sent in this dunning cycle (NO_FINAL_NOTICE)
//   final_notice_term today is after both the notice's own expiry and the statutory minimum of
//                     the jurisdiction: IT diffida 15 days, NL 14-day letter for consumers
//                     (FINAL_NOTICE_TERM_RUNNING)
//   not_disputed      the case is not disputed (DISPUTED)
//   no_hardship       no hardship / breathing space (HARDSHIP)
//   partner           a partner serves the jurisdiction, or the in-house fallback (NO_PARTNER)
//
// Facts the EscalationRequested does not carry come from CaseFacts (what case.events showed)
// or a documented default, and the check says so (RuleCheck.defaulted):
//   - a FinalNoticeRequested counts as delivered and received on the day it occurred (delivery
//     receipts are on contact.events, which this service does not consume);
//   - the jurisdiction and the debtor type come from the tenant's segment map, else the
//     tenant's default jurisdiction; an unknown debtor type is treated as a consumer (the
//     stricter rule); an unknown jurisdiction has no statutory minimum beyond the notice's own
//     expiry;
//   - with no case event seen, the case is taken as not disputed and not in hardship (dunning
//     itself does not escalate such cases), but no final notice is known (rejected).
#pragma once

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "concerto/dunning/v1/case.pb.h"
#include "concerto/legal/v1/legal_events.pb.h"
#include "services/legal_escalation/domain/legal_config.h"
#include "services/legal_escalation/domain/legal_state.pb.h"

namespace concerto::legal {

// EligibilityInput is everything a decision reads.
struct EligibilityInput {
  const dunning::v1::EscalationRequested* request = nullptr;  // required
  const state::v1::CaseFacts* facts = nullptr;                // required
  const state::v1::LegalCaseRecord* open_case = nullptr;      // the debtor's open case, if any
  // A legal case of the same dunning cycle recalled by the client (reason other than ERROR).
  const state::v1::LegalCaseRecord* recalled_case = nullptr;
  absl::CivilDay today;
};

// Eligibility is the decision on one request.
struct Eligibility {
  bool eligible = false;
  std::vector<v1::Rejection> rejections;     // empty when eligible
  std::vector<state::v1::RuleCheck> checks;  // every rule, passed or not
  std::string jurisdiction;                  // resolved ("" unknown)
  dunning::v1::DebtorType debtor_type = dunning::v1::DEBTOR_TYPE_UNSPECIFIED;  // as known
  std::string partner_id;  // chosen partner (when one was found)
};

// ResolvedProfile is the jurisdiction and debtor type of a segment under a tenant's config.
struct ResolvedProfile {
  std::string jurisdiction;
  dunning::v1::DebtorType debtor_type = dunning::v1::DEBTOR_TYPE_UNSPECIFIED;
  bool from_segment = false;
};

// ResolveProfile looks the segment up in the tenant's map, else uses the default jurisdiction.
ResolvedProfile ResolveProfile(const std::string& segment, const TenantLegalConfig& config);

// MinBalanceMinor is the tenant's minimum balance in `currency`'s minor units.
int64_t MinBalanceMinor(const std::string& currency, const TenantLegalConfig& config);

// ChoosePartner picks the partner for `jurisdiction`: the preferred one when the tenant lists it
// for the jurisdiction (or has no list), else the first listed partner serving it, else
// kInHousePartner if the fallback is on; "" when none.
std::string ChoosePartner(const std::string& preferred, const std::string& jurisdiction,
                          const TenantLegalConfig& config);

// CheckEligibility applies every rule above.
Eligibility CheckEligibility(const EligibilityInput& input, const TenantLegalConfig& config);

}  // namespace concerto::legal
