#include "services/contact_channel/domain/breathing_space.h"

#include <algorithm>
#include <string>

#include "absl/strings/ascii.h"

namespace concerto::contact {
namespace {

bool IsUk(std::string_view country) {
  const std::string c = absl::AsciiStrToUpper(std::string(country));
  return c == "UK" || c == "GB";
}

}  // namespace

int BreathingSpaceDays(std::string_view country) {
  // UK: Debt Respite Scheme (Breathing Space Moratorium and Mental Health Crisis Moratorium)
  // (England and Wales) Regulations 2020, SI 2020/1311 — RULEBOOK.md, United Kingdom [P].
  if (IsUk(country)) return kUkBreathingSpaceDays;
  // IT, NL, FI, US: RULEBOOK.md lists no statutory moratorium on contact after a hardship report
  // (US Reg F, IT Garante 2005, NL WIK, FI 513/1999 regulate how, not whether, to contact).
  // Concerto's documented default applies.
  return kDefaultBreathingSpaceDays;
}

int EffectiveBreathingSpaceDays(const v1::ContactPolicy& policy) {
  const int statutory = IsUk(policy.jurisdiction()) ? kUkBreathingSpaceDays : 0;
  const int chosen = policy.breathing_space_days() > 0 ? policy.breathing_space_days()
                                                       : BreathingSpaceDays(policy.jurisdiction());
  return std::max(chosen, statutory);
}

absl::CivilDay BreathingSpaceUntil(absl::CivilDay start, int days) { return start + days; }

}  // namespace concerto::contact
