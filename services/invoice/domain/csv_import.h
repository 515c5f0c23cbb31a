// Bridges the CSV import layout (invoice_csv.h, plain structs so the parser stays light) to the
// account functions (account.h): rows become ImportItems, grouped per debtor account, because
// ImportRows takes the rows of one debtor (one unit of work per debtor per batch).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "concerto/invoice/v1/invoice_api.pb.h"
#include "services/invoice/domain/account.h"
#include "services/invoice/domain/invoice_csv.h"

namespace concerto::invoice {

// ToImportItem converts one parsed CSV row: an InvoiceSpec (plus DebtorDefaults from the debtor
// columns, if any) carrying the row's line.
ImportItem ToImportItem(const CsvRow& row);

// ImportItemsByDebtor converts every row, grouped by debtor_id and kept in file order within
// each group.
std::map<std::string, std::vector<ImportItem>> ImportItemsByDebtor(const std::vector<CsvRow>& rows);

// ToFieldErrors converts CSV problems into the API's FieldErrors (line, column, problem).
std::vector<v1::FieldError> ToFieldErrors(const std::vector<CsvError>& errors);

}  // namespace concerto::invoice
