// Tenant configuration of the legal-escalation domain: minimum balance, legal partners per
// jurisdiction, how a dunning segment maps to a jurisdiction and debtor type, and the statutory
// terms (final notice before escalation; stage terms such as the Italian injunction's 40-day
// opposition term) as data. Plain values: the app layer fills them from the service config.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "concerto/dunning/v1/strategy.pb.h"
#include "concerto/legal/v1/legal_events.pb.h"

namespace concerto::legal {

// Partner is a legal partner (law firm, collection agency) of a tenant.
struct Partner {
  std::string partner_id;
  // Jurisdictions served (ISO 3166 alpha-2 or "EU"); empty or "*": every jurisdiction.
  std::vector<std::string> jurisdictions;
};

// SegmentProfile is what a dunning segment says about its debtors (the EscalationRequested
// carries the segment name, not the jurisdiction or the debtor type).
struct SegmentProfile {
  std::string jurisdiction;  // empty: not known
  dunning::v1::DebtorType debtor_type = dunning::v1::DEBTOR_TYPE_UNSPECIFIED;
};

// FinalNoticeTerm is a statutory minimum term of the final notice before legal action, counted
// in calendar days from the day the notice was sent (receipt assumed the same day).
struct FinalNoticeTerm {
  std::string jurisdiction;
  // The debtors it applies to; UNSPECIFIED: every debtor.
  dunning::v1::DebtorType applies_to = dunning::v1::DEBTOR_TYPE_UNSPECIFIED;
  int days = 0;
  std::string name;  // shown in explanations
};

// StageTerm is the term that starts when a legal case enters `stage` in `jurisdiction`.
struct StageTerm {
  std::string jurisdiction;
  v1::LegalStage stage = v1::LEGAL_STAGE_UNSPECIFIED;
  int days = 0;
};

// kInHousePartner is the partner of a case handled by the client's own legal staff.
inline constexpr char kInHousePartner[] = "in-house";

// TenantLegalConfig is one tenant's configuration; the defaults are the documented ones.
struct TenantLegalConfig {
  // Minimum balance per currency, in minor units (EUR 100.00 by default).
  std::map<std::string, int64_t> min_balance_minor = {{"EUR", 10000}};
  // For a currency without an entry: this many whole units of it.
  int64_t default_min_balance_units = 100;
  // Partners in order of preference.
  std::vector<Partner> partners;
  // When no partner serves the jurisdiction: the case goes to kInHousePartner (true) or the
  // request is rejected with NO_PARTNER (false).
  bool in_house_fallback = true;
  // Jurisdiction of debtors whose segment is not in `segments` (empty: not known).
  std::string default_jurisdiction;
  std::map<std::string, SegmentProfile> segments;
  std::vector<FinalNoticeTerm> final_notice_terms = {
      {"IT", dunning::v1::DEBTOR_TYPE_UNSPECIFIED, 15,
       "IT diffida ad adempiere (art. 1454 c.c.), at least 15 days"},
      {"NL", dunning::v1::DEBTOR_TYPE_CONSUMER, 14,
       "NL 14-dagenbrief for consumers (art. 6:96(6) BW), 14 days from the day after receipt"},
  };
  std::vector<StageTerm> stage_terms = {
      {"IT", v1::LEGAL_STAGE_FORMAL_NOTICE, 15},
      {"IT", v1::LEGAL_STAGE_INJUNCTION, 40},  // decreto ingiuntivo: 40 days to pay or oppose
      {"NL", v1::LEGAL_STAGE_FORMAL_NOTICE, 14},
  };
  // Zone in which "today" is taken (term expiry, default dates).
  absl::TimeZone zone = absl::UTCTimeZone();
};

// LegalConfig is the configuration of every tenant.
struct LegalConfig {
  TenantLegalConfig defaults;
  std::map<std::string, TenantLegalConfig> tenants;

  // For returns the tenant's configuration, or the defaults.
  const TenantLegalConfig& For(const std::string& tenant) const {
    auto it = tenants.find(tenant);
    return it == tenants.end() ? defaults : it->second;
  }
};

}  // namespace concerto::legal
