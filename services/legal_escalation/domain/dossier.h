// The partner's dossier of a legal case: ids, amounts, the eligibility decision, stages, costs,
// settlement and timeline, as JSON and as a plain-text summary (also rendered as a one-column
// PDF). Personal data is NOT in the dossier bytes: the dossier names the debtor by debtor_id and
// says that name, address and contact points are read, when the partner needs them, from the
// invoice service (InvoiceService.GetDebtorContact, purpose CONTACT_PURPOSE_LEGAL_DOSSIER,
// audited there). Operator notes (free text) are counted, not exported. Pure: no I/O.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/legal_escalation/domain/legal_state.pb.h"

namespace concerto::legal {

// kDossierSchema names the JSON layout ("schema" field of the JSON dossier).
inline constexpr char kDossierSchema[] = "concerto.legal.dossier.v1";

// DossierJson renders the dossier of `record` (of `account`) as pretty-printed JSON with a
// stable key order; `generated_at` is stamped in it.
std::string DossierJson(const state::v1::LegalAccount& account,
                        const state::v1::LegalCaseRecord& record, absl::Time generated_at);

// DossierText renders the plain-text summary (lines of at most 100 characters).
std::string DossierText(const state::v1::LegalAccount& account,
                        const state::v1::LegalCaseRecord& record, absl::Time generated_at);

// TextToPdf lays plain text out as a minimal PDF 1.4 (A4, Courier 9 pt, 80 lines a page);
// characters outside printable ASCII are replaced by '?'.
std::string TextToPdf(const std::string& text);

}  // namespace concerto::legal
