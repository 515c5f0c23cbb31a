// What the contact policy needs to know about a debtor, assembled from the invoice service's
// master data (read when the service acts) and the contact record (opt-outs, hardship): the
// FactsSnapshot carried by a Reserve command, its conversion to the policy's DebtorFacts, the
// built-in default policy of a jurisdiction, and the debtor's language. Pure, except that time
// zones are read from the system tzdata.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "concerto/invoice/v1/invoice_api.pb.h"
#include "services/contact_channel/app/command.pb.h"
#include "services/contact_channel/app/contact_state.pb.h"
#include "services/contact_channel/domain/contact_policy.h"

namespace concerto::contact {

// BuildFacts takes the policy's view of `debtor` (master data; addresses become ids) merged with
// the record's opt-outs and hardship. A phone number is both a PHONE and an SMS contact point; a
// channel consent recorded as not granted withdraws the channel's consent, and US SMS needs a
// granted one (TCPA). Contact points are ordered primary first, then billing, escalation, legal.
app::FactsSnapshot BuildFacts(const invoice::v1::Debtor& debtor, const app::DebtorRecord& record);

// ErasedFacts is the snapshot of a debtor whose personal data is erased or restricted.
app::FactsSnapshot ErasedFacts();

// ToDebtorFacts converts a snapshot for Evaluate; an unknown zone falls back to UTC.
DebtorFacts ToDebtorFacts(const app::FactsSnapshot& facts);

// DefaultPolicy is the policy of a tenant that stored none for `jurisdiction`: quiet hours
// 21:00-08:00 for e-mail, SMS and calls, Monday to Saturday, public holidays skipped where the
// calendar is known, a 24-hour minimum gap, caps of 3 e-mails, 3 SMS and 7 calls per 7 days
// across creditors, a 7-day pause after a conversation, and vulnerable debtors to a human.
v1::ContactPolicy DefaultPolicy(const std::string& jurisdiction);

// PolicyFor picks the policy of `jurisdiction` from the tenant's stored policies, else the
// default one.
v1::ContactPolicy PolicyFor(const app::TenantPolicies& policies, const std::string& jurisdiction);

// JurisdictionOf is the debtor's country upper-cased, or "IT" when it has none.
std::string JurisdictionOf(const invoice::v1::Debtor& debtor);

// LanguageOf is the debtor's preferred language, else the main language of its country ("it",
// "nl", "fi"), else "en".
std::string LanguageOf(const invoice::v1::Debtor& debtor);

// ZoneOf is the debtor's IANA zone, else the zone of its country, else "UTC".
std::string ZoneOf(const invoice::v1::Debtor& debtor);

// AddressOf returns the e-mail address or E.164 phone number of a contact point (personal data:
// never log it), or "" when the point is missing or is a postal address.
std::string AddressOf(const invoice::v1::Debtor& debtor, const std::string& contact_point_id);

// PostalBlockOf is the address block of a postal contact point for the print provider's merge:
// the name, the lines, postal code and city, region, country, one per line (personal data).
// Empty when the point is missing or is not postal.
std::string PostalBlockOf(const invoice::v1::Debtor& debtor, const std::string& contact_point_id);

// DisplayNameOf is the debtor's name as a message addresses it (personal data).
std::string DisplayNameOf(const invoice::v1::Debtor& debtor);

}  // namespace concerto::contact
