// The tenant legal ledger (see ledger.proto): the aggregate "<tenant>" that keeps the tenant's
// placed and escalated value and decides, once a day and in debtor order, which parked
// escalations may go to legal without pushing escalated/placed over the strategy's target.
// Cases talk to it over the internal topic "dunning.ledger"; everything here is pure.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "concerto/dunning/v1/case.pb.h"
#include "libs/platform/handler.h"
#include "services/dunning/domain/case_engine.h"

namespace concerto::dunning {

inline constexpr char kLedgerTopic[] = "dunning.ledger";
inline constexpr char kLedgerTimerKind[] = "ledger/decide";

// IsLedgerKey: the ledger's aggregate key is the bare tenant; a case key has a slash.
bool IsLedgerKey(const std::string& aggregate_key);

// ApplyLedger applies a ledger input (PlacementRecorded, EscalationReleased, LegalSlotRequested,
// or the daily decision timer) to the tenant's ledger.
absl::StatusOr<platform::Effects> ApplyLedger(const std::optional<std::string>& state,
                                              const platform::Input& input, absl::Time now);

// NextDecisionTime is when requests received at `now` are decided: the next UTC midnight.
absl::Time NextDecisionTime(absl::Time now);

// AddLedgerMessages appends to `fx` what a case decision tells the ledger: placed value
// changes, escalated value given back (a negative delta; a positive one outside a granted slot
// is reported too, as a negative release), and a slot request. `escalation_granted`
// is true while applying a granted slot (its escalated value is already counted).
void AddLedgerMessages(const v1::Case& c, const Outcome& outcome, const std::string& input_id,
                       bool escalation_granted, platform::Effects* fx);

// AddSlotRelease gives `amount_minor` of a granted slot back to the ledger (the case had moved
// on, or escalated less than was reserved).
void AddSlotRelease(const v1::Case& c, const std::string& currency, int64_t amount_minor,
                    const std::string& reason, platform::Effects* fx);

}  // namespace concerto::dunning
