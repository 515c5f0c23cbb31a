// LegalHandler: the legal-escalation service's platform::Handler. Debtor accounts
// ("<tenant>/<debtor_id>") take every dunning event of case.events (the facts eligibility needs;
// an EscalationRequested decides) and the API's commands (stage, cost, settle, close, recall),
// through the pure domain in services/legal_escalation/domain. Each opened legal case is indexed
// ("<tenant>/lc/<legal_case_id>" -> account key) in the same unit of work, so the API finds it.
#pragma once

#include <optional>
#include <string>

#include "libs/platform/handler.h"
#include "services/legal_escalation/domain/legal_config.h"

namespace concerto::legal {

// LegalCaseIndex is the index field of a legal case id in `tenant`.
std::string LegalCaseIndex(const std::string& tenant, const std::string& legal_case_id);

// LegalHandler applies inputs to a debtor's LegalAccount; `config` must outlive it.
class LegalHandler final : public platform::Handler {
 public:
  explicit LegalHandler(const LegalConfig* config) : config_(config) {}
  absl::StatusOr<platform::Effects> Apply(const std::optional<std::string>& state,
                                          const platform::Input& input, absl::Time now) override;

 private:
  const LegalConfig* config_;
};

}  // namespace concerto::legal
