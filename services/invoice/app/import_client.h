// The client side of a CSV import (concerto-invoice-import and tests): the good rows of a parsed
// invoice CSV become ImportInvoices rows, they are streamed in batches, and the answer is
// summed up per CSV line. No server code; it only needs the generated gRPC stub.
//
// Debtor columns: for each debtor, the first non-empty value of each debtor column among its good
// rows becomes one "defaults" debtor row (debtor_id plus type / country / preferred_language /
// time_zone only) sent just before the debtor's first invoice, with that invoice's line. The
// service applies such a row fill-only: it never overwrites master data the debtor already has.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "concerto/invoice/v1/invoice_api.grpc.pb.h"
#include "services/invoice/domain/invoice_csv.h"

namespace concerto::invoice {

// CsvImportRows converts the good rows of a CSV file into the rows to stream, in file order.
std::vector<v1::ImportRow> CsvImportRows(const std::vector<CsvRow>& rows);

// StreamImport sends `rows` in messages of `batch` rows (the first carries `context`) and
// returns the service's answer with every row's result (report_rejected_only is off, so results
// line up with `rows`). The RPC's error otherwise, as an absl::Status.
absl::StatusOr<v1::ImportInvoicesResponse> StreamImport(v1::InvoiceService::StubInterface* stub,
                                                        const common::v1::RequestContext& context,
                                                        const std::vector<v1::ImportRow>& rows,
                                                        int batch, absl::Duration timeout);

// ImportSummary is what the CLI prints: data rows of the file, and per line what happened.
struct ImportSummary {
  int64_t rows = 0;  // data rows in the file (good + bad)
  int64_t created = 0;
  int64_t duplicates = 0;
  int64_t adjusted = 0;
  int64_t rejected = 0;  // lines rejected by the parser or the service
};

// Summarize counts per CSV line: parser problems and rejected invoice rows each count once per
// line; created / duplicates / adjusted are the service's invoice counts.
ImportSummary Summarize(const CsvParseResult& parsed, const std::vector<v1::ImportRow>& sent,
                        const v1::ImportInvoicesResponse& response);

// FormatSummary renders "rows=N created=N duplicates=N adjusted=N rejected=N".
std::string FormatSummary(const ImportSummary& summary);

// IsFileLevelError: the parse found no data row to import because the file itself is wrong
// (no header, a bad header): every problem is on the header line.
bool IsFileLevelError(const CsvParseResult& parsed);

}  // namespace concerto::invoice
