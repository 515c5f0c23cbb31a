// Breathing space per jurisdiction: how long contact (and interest, fees, enforcement) pauses
// after a debtor reports hardship, and the last protected day. Pure helpers, no I/O; the sources
// are cited beside each value in breathing_space.cc.
#pragma once

#include <string_view>

#include "absl/time/civil_time.h"
#include "concerto/contact/v1/contact_api.pb.h"

namespace concerto::contact {

// kDefaultBreathingSpaceDays is Concerto's pause where the law sets none (IT, NL, FI, US and any
// other country): 30 days, long enough for an affordability review and a repayment-plan offer.
// A policy choice, not a statute: a tenant sets its own with ContactPolicy.breathing_space_days.
inline constexpr int kDefaultBreathingSpaceDays = 30;

// kUkBreathingSpaceDays is the standard breathing space of the Debt Respite Scheme (England and
// Wales, SI 2020/1311): 60 days. A mental-health-crisis breathing space lasts for the crisis
// treatment plus 30 days and has no fixed length: the app records its end date instead.
inline constexpr int kUkBreathingSpaceDays = 60;

// BreathingSpaceDays returns the statutory breathing space of `country` (ISO 3166-1 alpha-2,
// case-insensitive; "UK" and "GB" are the same), or kDefaultBreathingSpaceDays where there is none.
int BreathingSpaceDays(std::string_view country);

// EffectiveBreathingSpaceDays is the pause a policy applies: its breathing_space_days when set
// (> 0), else BreathingSpaceDays(jurisdiction); never shorter than the statutory minimum (UK 60),
// since a tenant cannot contract out of the moratorium.
int EffectiveBreathingSpaceDays(const v1::ContactPolicy& policy);

// BreathingSpaceUntil is the last protected day of a breathing space of `days` days starting on
// `start`: start + days. SI 2020/1311 ends a standard breathing space "at midnight at the end of"
// the 60-day period; counting `days` days AFTER the start day is the longer reading, chosen
// because a contact a day late costs nothing and a contact a day early breaches the moratorium.
absl::CivilDay BreathingSpaceUntil(absl::CivilDay start, int days);

}  // namespace concerto::contact
