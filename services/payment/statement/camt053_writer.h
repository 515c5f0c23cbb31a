// WriteCamt053 renders statement entries as an ISO 20022 camt.053.001.08 document, the way a
// bank would send them: one Ntry per credit or debit, the structured creditor reference in
// RmtInf/Strd, free text in RmtInf/Ustrd. The demo's bank and the tests use it to produce the
// files the payment service imports; ParseCamt053(WriteCamt053(...)) gives the entries back.
#pragma once

#include <string>
#include <vector>

#include "services/payment/statement/statement.h"

namespace concerto::payment {

// WriteCamt053 renders `entries` (their `line` is ignored) for the account `iban`.
std::string WriteCamt053(const std::string& statement_id, const std::string& iban,
                         const std::string& currency, const std::vector<StatementEntry>& entries);

}  // namespace concerto::payment
