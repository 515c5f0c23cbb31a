// Reads the legal-escalation domain's configuration (legal/LegalConfig) from the service's flat
// config (flags, environment, YAML). Keys, service-wide under "legal." and per tenant under
// "legal.tenants.<tenant>." (a tenant's keys override the service-wide ones):
//   min-balance        "EUR 100.00" or "EUR 250.00,USD 300.00"      (default EUR 100.00)
//   partners           "studio-rossi=IT,incasso-nl=NL|BE,euro-claims=*" in order of preference
//   in-house-fallback  true|false                                    (default true)
//   jurisdiction       jurisdiction of debtors of unmapped segments  (default: not known)
//   segments           "it-b2b=IT/business,nl-consumer=NL/consumer"
//   zone               IANA time zone of "today"                     (default UTC)
// In YAML a sequence is joined with ',', so `partners: [studio-rossi=IT, incasso-nl=NL]` works.
#pragma once

#include "absl/status/statusor.h"
#include "libs/platform/runtime/config.h"
#include "services/legal_escalation/domain/legal_config.h"

namespace concerto::legal {

// LoadLegalConfig parses the keys above; INVALID_ARGUMENT naming the key and the bad value.
absl::StatusOr<LegalConfig> LoadLegalConfig(const platform::Config& config);

}  // namespace concerto::legal
