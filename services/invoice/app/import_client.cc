#include "services/invoice/app/import_client.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "grpcpp/grpcpp.h"
#include "services/invoice/domain/csv_import.h"

namespace concerto::invoice {
namespace {

void MergeDefaults(const DebtorDefaults& from, v1::Debtor* into) {
  if (into->type() == v1::DEBTOR_TYPE_UNSPECIFIED) into->set_type(from.type);
  if (into->country().empty()) into->set_country(from.country);
  if (into->preferred_language().empty()) into->set_preferred_language(from.preferred_language);
  if (into->time_zone().empty()) into->set_time_zone(from.time_zone);
}

}  // namespace

std::vector<v1::ImportRow> CsvImportRows(const std::vector<CsvRow>& rows) {
  // Each debtor's merged defaults (first non-empty value per column among its rows).
  std::map<std::string, v1::Debtor> defaults;
  for (const CsvRow& row : rows) {
    ImportItem item = ToImportItem(row);
    if (!item.debtor_defaults.has_value()) continue;
    v1::Debtor& d = defaults[row.invoice.debtor_id];
    d.set_debtor_id(row.invoice.debtor_id);
    MergeDefaults(*item.debtor_defaults, &d);
  }
  std::vector<v1::ImportRow> out;
  out.reserve(rows.size() + defaults.size());
  std::set<std::string> announced;
  for (const CsvRow& row : rows) {
    const std::string& debtor = row.invoice.debtor_id;
    if (auto it = defaults.find(debtor); it != defaults.end() && announced.insert(debtor).second) {
      v1::ImportRow r;
      r.set_line(row.line);
      *r.mutable_debtor() = it->second;
      out.push_back(std::move(r));
    }
    ImportItem item = ToImportItem(row);
    v1::ImportRow r;
    r.set_line(row.line);
    *r.mutable_invoice() = std::get<v1::InvoiceSpec>(std::move(item.item));
    out.push_back(std::move(r));
  }
  return out;
}

absl::StatusOr<v1::ImportInvoicesResponse> StreamImport(v1::InvoiceService::StubInterface* stub,
                                                        const common::v1::RequestContext& context,
                                                        const std::vector<v1::ImportRow>& rows,
                                                        int batch, absl::Duration timeout) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout)));
  v1::ImportInvoicesResponse response;
  std::unique_ptr<grpc::ClientWriterInterface<v1::ImportInvoicesRequest>> writer =
      stub->ImportInvoices(&ctx, &response);
  const size_t step = static_cast<size_t>(std::max(1, batch));
  size_t next = 0;
  bool first = true;
  while (first || next < rows.size()) {
    v1::ImportInvoicesRequest message;
    if (first) *message.mutable_context() = context;
    first = false;
    for (size_t end = std::min(rows.size(), next + step); next < end; ++next) {
      *message.add_rows() = rows[next];
    }
    if (!writer->Write(message)) break;  // the server ended the call; Finish tells why
  }
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  if (!s.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
  }
  return response;
}

ImportSummary Summarize(const CsvParseResult& parsed, const std::vector<v1::ImportRow>& sent,
                        const v1::ImportInvoicesResponse& response) {
  ImportSummary s;
  s.rows = parsed.data_rows;
  s.created = response.created();
  s.duplicates = response.duplicates();
  s.adjusted = response.adjusted();
  std::set<int64_t> rejected;
  for (const CsvError& e : parsed.errors) rejected.insert(e.line);
  const size_t n = std::min(sent.size(), static_cast<size_t>(response.results_size()));
  for (size_t i = 0; i < n; ++i) {
    const v1::ImportRowResult& r = response.results(static_cast<int>(i));
    if (sent[i].has_invoice() && r.outcome() == v1::ISSUE_OUTCOME_REJECTED)
      rejected.insert(r.line());
  }
  s.rejected = static_cast<int64_t>(rejected.size());
  return s;
}

std::string FormatSummary(const ImportSummary& s) {
  return absl::StrFormat("rows=%d created=%d duplicates=%d adjusted=%d rejected=%d", s.rows,
                         s.created, s.duplicates, s.adjusted, s.rejected);
}

bool IsFileLevelError(const CsvParseResult& parsed) {
  if (parsed.errors.empty() || !parsed.rows.empty() || parsed.data_rows > 0) return false;
  return std::all_of(parsed.errors.begin(), parsed.errors.end(),
                     [](const CsvError& e) { return e.line <= 1; });
}

}  // namespace concerto::invoice
