// concerto-invoice-import: imports an invoice CSV file (layout: services/invoice/domain/
// invoice_csv.h) for clients without an API integration.
//
//   concerto-invoice-import --target=127.0.0.1:7001 --tenant=acme --file=invoices.csv
//       [--batch=1000] [--idempotency-key=K] [--actor=ID] [--timeout=600s]
//
// Parses the file, reports every bad row on stderr ("line 7, column due_date: ..."), streams the
// good rows through InvoiceService.ImportInvoices in messages of --batch rows, reports the rows the
// service rejected the same way, and prints one summary line on stdout:
//   rows=N created=N duplicates=N adjusted=N rejected=N
// Exit status: 0 when the file was processed (even with bad rows), 2 on a file-level error (file
// unreadable, no or bad header) or bad arguments, 1 when the service could not be reached or
// refused the stream. Re-running a file is safe: invoices are idempotent on their number (same
// content: DUPLICATE) and debtor columns only fill empty fields. A run passes its own
// idempotency key (time and process based) unless --idempotency-key repeats an earlier run's, in
// which case the service answers with that run's stored results.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "services/invoice/app/import_client.h"

namespace {

using concerto::invoice::v1::ImportInvoicesResponse;

constexpr char kUsage[] =
    "usage: concerto-invoice-import --target=HOST:PORT --tenant=TENANT --file=FILE.csv "
    "[--batch=1000] [--idempotency-key=KEY] [--actor=ID] [--timeout=600s]\n";

int Usage(const std::string& problem) {
  std::fprintf(stderr, "concerto-invoice-import: %s\n%s", problem.c_str(), kUsage);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> flags = {
      {"batch", "1000"}, {"actor", "concerto-invoice-import"}, {"timeout", "600s"}};
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (!absl::StartsWith(arg, "--") || arg.find('=') == std::string::npos) {
      return Usage(absl::StrCat("unexpected argument '", arg, "'"));
    }
    const size_t eq = arg.find('=');
    flags[arg.substr(2, eq - 2)] = arg.substr(eq + 1);
  }
  for (const char* required : {"target", "tenant", "file"}) {
    if (flags[required].empty()) return Usage(absl::StrCat("--", required, " is required"));
  }
  int batch = 0;
  if (!absl::SimpleAtoi(flags["batch"], &batch) || batch < 1 || batch > 10000) {
    return Usage(
        "--batch must be a number of rows between 1 and 10000 (messages stay under 4 MiB)");
  }
  absl::Duration timeout;
  if (!absl::ParseDuration(flags["timeout"], &timeout) || timeout <= absl::ZeroDuration()) {
    return Usage("--timeout must be a duration such as 600s");
  }

  std::ifstream in(flags["file"], std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "concerto-invoice-import: cannot read %s\n", flags["file"].c_str());
    return 2;
  }
  std::stringstream bytes;
  bytes << in.rdbuf();
  const concerto::invoice::CsvParseResult parsed = concerto::invoice::ParseInvoiceCsv(bytes.str());
  for (const concerto::invoice::CsvError& e : parsed.errors) {
    std::fprintf(stderr, "line %lld, column %s: %s\n", static_cast<long long>(e.line),
                 e.column.empty() ? "(row)" : e.column.c_str(), e.problem.c_str());
  }
  if (concerto::invoice::IsFileLevelError(parsed)) {
    std::fprintf(stderr, "concerto-invoice-import: %s: not an invoice CSV file (see above)\n",
                 flags["file"].c_str());
    return 2;
  }

  const std::vector<concerto::invoice::v1::ImportRow> rows =
      concerto::invoice::CsvImportRows(parsed.rows);
  ImportInvoicesResponse response;
  if (!rows.empty()) {
    concerto::common::v1::RequestContext context;
    context.set_tenant(flags["tenant"]);
    context.mutable_actor()->set_id(flags["actor"]);
    context.mutable_actor()->set_role(concerto::common::v1::Actor::ROLE_CLIENT);
    context.set_idempotency_key(
        flags["idempotency-key"].empty()
            ? absl::StrCat("csv-import-", absl::ToUnixNanos(absl::Now()), "-", getpid())
            : flags["idempotency-key"]);
    // One result per row comes back in one message: allow large answers.
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(512 << 20);
    auto channel =
        grpc::CreateCustomChannel(flags["target"], grpc::InsecureChannelCredentials(), args);
    auto stub = concerto::invoice::v1::InvoiceService::NewStub(channel);
    absl::StatusOr<ImportInvoicesResponse> r =
        concerto::invoice::StreamImport(stub.get(), context, rows, batch, timeout);
    if (!r.ok()) {
      std::fprintf(stderr, "concerto-invoice-import: import failed: %s\n",
                   r.status().ToString().c_str());
      return 1;
    }
    response = *std::move(r);
    for (const auto& result : response.results()) {
      if (result.outcome() != concerto::invoice::v1::ISSUE_OUTCOME_REJECTED) continue;
      for (const auto& e : result.errors()) {
        std::fprintf(stderr, "line %lld, field %s: %s\n", static_cast<long long>(result.line()),
                     e.field().empty() ? "(row)" : e.field().c_str(), e.problem().c_str());
      }
    }
  }
  std::printf("%s\n",
              concerto::invoice::FormatSummary(concerto::invoice::Summarize(parsed, rows, response))
                  .c_str());
  return 0;
}
