// Maps the dunning engine's contact requests (concerto.dunning.v1 ContactRequested,
// CallTaskRequested, FinalNoticeRequested on "case.events") onto the policy engine's
// AttemptRequest. The two Channel enums share their numbers by contract, so a channel converts
// by value.
#pragma once

#include <string>

#include "concerto/dunning/v1/case.pb.h"
#include "services/contact_channel/domain/contact_policy.h"

namespace concerto::contact {

// ToContactChannel converts a strategy's channel (numbers are equal by contract).
v1::Channel ToContactChannel(dunning::v1::Channel channel);

// FromContactRequested: the step's channels, in the strategy's order.
AttemptRequest FromContactRequested(const std::string& tenant,
                                    const dunning::v1::ContactRequested& event);

// FromCallTaskRequested: a call for an operator queue, so PHONE only (Reg F counts it).
AttemptRequest FromCallTaskRequested(const std::string& tenant,
                                     const dunning::v1::CallTaskRequested& event);

// FromFinalNoticeRequested: the notice's channels, LETTER when it names none (a final notice is
// a written notice: diffida ad adempiere, 14-dagenbrief).
AttemptRequest FromFinalNoticeRequested(const std::string& tenant,
                                        const dunning::v1::FinalNoticeRequested& event);

}  // namespace concerto::contact
