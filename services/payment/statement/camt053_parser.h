// ISO 20022 camt.053 (BankToCustomerStatement, versions 001.02 and later) -> ParsedStatement.
// The mapping of XML elements to StatementEntry fields is documented in this folder's README.
#pragma once

#include "absl/strings/string_view.h"
#include "services/payment/statement/statement.h"

namespace concerto::payment {

// ParseCamt053 reads a camt.053 statement from its bytes (UTF-8, as ISO 20022 requires).
// One StatementEntry per transaction: a batch entry with several TxDtls gives one per TxDtls.
// Bad entries go to entry_errors (line of the offending element, field such as "Amt",
// "Amt@Ccy", "CdtDbtInd", "BookgDt", "ValDt") while the good ones are still returned; a file
// that is not a camt.053 statement gets file_errors. Never throws, crashes or hangs.
ParsedStatement ParseCamt053(absl::string_view bytes);

}  // namespace concerto::payment
