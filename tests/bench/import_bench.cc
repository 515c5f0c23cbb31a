// import_bench: bulk import throughput through the real services, as a client's ERP and bank
// would drive them. The local stack (embedded broker, redis-server with AOF, the invoice and
// payment services as separate processes) starts; then
//   1. invoices: one ImportInvoices client stream of --invoices rows (over --debtors debtors),
//      timed from the first row sent to the answer (the answer comes only once every row is
//      durable in Redis) -> invoices_per_s;
//   2. payments: once the payment service mirrors the invoices, camt.053 statements paying
//      --payments of them by their RF reference, imported in files of --file-entries entries,
//      timed until every entry is matched and durable -> payments_per_s.
// Last line: key=value figures.
// Flags: --bin-dir=BUILD_DIR (else $CONCERTO_BIN_DIR), --invoices, --debtors, --payments,
//        --rows-per-message, --file-entries.
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "concerto/invoice/v1/invoice_api.grpc.pb.h"
#include "concerto/payment/v1/payment_api.grpc.pb.h"
#include "concerto/platform/v1/admin.grpc.pb.h"
#include "deploy/local/stack/stack.h"
#include "grpcpp/grpcpp.h"
#include "libs/platform/runtime/config.h"
#include "libs/rules/creditor_reference.h"
#include "services/payment/statement/camt053_writer.h"

namespace concerto::bench {
namespace {

struct Options {
  std::string bin_dir;
  int64_t invoices = 100000;
  int64_t debtors = 20000;
  int64_t payments = 30000;
  int rows_per_message = 1000;
  int file_entries = 5000;
};

std::string Number(int64_t i) { return absl::StrCat("INV-", 1000000 + i); }
std::string Debtor(int64_t i, const Options& o) { return absl::StrCat("D", i % o.debtors); }
int64_t Amount(int64_t i) { return 4000 + (i * 7919) % 90000; }

common::v1::RequestContext Context(const std::string& key) {
  common::v1::RequestContext c;
  c.set_tenant("bench");
  c.set_idempotency_key(key);
  c.mutable_actor()->set_id("erp");
  return c;
}

bool Quiescent(const std::string& address) {
  auto stub = platform::v1::Admin::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  platform::v1::Status st;
  return stub->GetStatus(&ctx, platform::v1::GetStatusRequest(), &st).ok() && st.quiescent();
}

bool WaitQuiescent(const std::vector<std::string>& addresses, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  int in_a_row = 0;
  while (absl::Now() < deadline) {
    bool all = true;
    for (const auto& a : addresses) all = all && Quiescent(a);
    in_a_row = all ? in_a_row + 1 : 0;
    if (in_a_row == 3) return true;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return false;
}

int Run(const Options& o) {
  local::StackOptions so;
  so.state_dir = absl::StrCat(std::filesystem::temp_directory_path().string(), "/import-bench-",
                              getpid());
  so.bin_dir = o.bin_dir;
  so.services = {"invoice", "payment"};
  std::printf("import_bench: %ld cores; starting the stack (invoice, payment)...\n",
              sysconf(_SC_NPROCESSORS_ONLN));
  std::fflush(stdout);
  auto stack = local::Stack::Start(so);
  if (!stack.ok()) {
    std::fprintf(stderr, "import_bench: stack: %s\n", stack.status().ToString().c_str());
    return 1;
  }
  const auto addresses = (*stack)->addresses();
  const std::string invoice_address = addresses.grpc.at("invoice");
  const std::string payment_address = addresses.grpc.at("payment");

  // 1. Invoices through one client stream.
  auto invoices = invoice::v1::InvoiceService::NewStub(
      grpc::CreateChannel(invoice_address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ictx;
  invoice::v1::ImportInvoicesResponse imported;
  const absl::Time i0 = absl::Now();
  {
    auto writer = invoices->ImportInvoices(&ictx, &imported);
    invoice::v1::ImportInvoicesRequest msg;
    *msg.mutable_context() = Context("bench-import");
    msg.set_report_rejected_only(true);
    for (int64_t i = 0; i < o.invoices; ++i) {
      invoice::v1::ImportRow* row = msg.add_rows();
      row->set_line(i + 2);
      invoice::v1::InvoiceSpec* spec = row->mutable_invoice();
      spec->set_invoice_number(Number(i));
      spec->set_debtor_id(Debtor(i, o));
      spec->mutable_issue_date()->set_year(2026);
      spec->mutable_issue_date()->set_month(1);
      spec->mutable_issue_date()->set_day(1 + static_cast<int>(i % 28));
      spec->mutable_due_date()->set_year(2026);
      spec->mutable_due_date()->set_month(2);
      spec->mutable_due_date()->set_day(1 + static_cast<int>(i % 28));
      spec->set_currency("EUR");
      spec->mutable_amount()->set_minor_units(Amount(i));
      spec->mutable_amount()->set_currency("EUR");
      if (msg.rows_size() == o.rows_per_message || i + 1 == o.invoices) {
        if (!writer->Write(msg)) break;
        msg.Clear();
      }
    }
    writer->WritesDone();
    grpc::Status s = writer->Finish();
    if (!s.ok()) {
      std::fprintf(stderr, "import_bench: ImportInvoices: %s\n", s.error_message().c_str());
      return 1;
    }
  }
  const absl::Duration invoice_time = absl::Now() - i0;
  const double invoices_per_s = imported.created() / absl::ToDoubleSeconds(invoice_time);
  std::printf("invoices: %ld created, %ld rejected in %s -> %.0f invoices/s\n",
              static_cast<long>(imported.created()), static_cast<long>(imported.rejected()),
              absl::FormatDuration(invoice_time).c_str(), invoices_per_s);
  std::fflush(stdout);

  // 2. The payment service mirrors the invoices (invoice.events) before the bank pays.
  const absl::Time m0 = absl::Now();
  if (!WaitQuiescent({invoice_address, payment_address}, absl::Minutes(10))) {
    std::fprintf(stderr, "import_bench: services did not become quiescent\n");
    return 1;
  }
  std::printf("events relayed and mirrored by the payment service in %s\n",
              absl::FormatDuration(absl::Now() - m0).c_str());

  auto payments = payment::v1::PaymentService::NewStub(
      grpc::CreateChannel(payment_address, grpc::InsecureChannelCredentials()));
  int64_t matched = 0, unmatched = 0;
  const absl::Time p0 = absl::Now();
  for (int64_t first = 0, file = 0; first < o.payments; first += o.file_entries, ++file) {
    std::vector<payment::StatementEntry> entries;
    for (int64_t i = first; i < std::min(o.payments, first + o.file_entries); ++i) {
      payment::StatementEntry e;
      e.entry_reference = absl::StrCat("BANK-", i);
      e.amount = {Amount(i * 3), "EUR"};
      e.booking_date = e.value_date = absl::CivilDay(2026, 2, 20);
      e.structured_reference = rules::CreditorReferenceForInvoiceNumber(Number(i * 3));
      entries.push_back(std::move(e));
    }
    payment::v1::ImportStatementRequest req;
    *req.mutable_context() = Context(absl::StrCat("bench-statement-", file));
    req.set_format(payment::v1::STATEMENT_FORMAT_CAMT053);
    req.set_content(payment::WriteCamt053(absl::StrCat("S-", file), "IT02A0301503200000003517230",
                                          "EUR", entries));
    grpc::ClientContext pctx;
    payment::v1::ImportStatementResponse resp;
    grpc::Status s = payments->ImportStatement(&pctx, req, &resp);
    if (!s.ok()) {
      std::fprintf(stderr, "import_bench: ImportStatement: %s\n", s.error_message().c_str());
      return 1;
    }
    matched += resp.matched();
    unmatched += resp.unmatched();
  }
  const absl::Duration payment_time = absl::Now() - p0;
  const double payments_per_s = matched / absl::ToDoubleSeconds(payment_time);
  std::printf("payments: %ld matched, %ld unmatched in %s -> %.0f payments/s\n",
              static_cast<long>(matched), static_cast<long>(unmatched),
              absl::FormatDuration(payment_time).c_str(), payments_per_s);
  (*stack)->Stop();
  std::error_code ec;
  std::filesystem::remove_all(so.state_dir, ec);
  std::printf("invoices_per_s=%.0f payments_per_s=%.0f invoices=%ld payments_matched=%ld "
              "invoice_seconds=%.2f payment_seconds=%.2f\n",
              invoices_per_s, payments_per_s, static_cast<long>(imported.created()),
              static_cast<long>(matched), absl::ToDoubleSeconds(invoice_time),
              absl::ToDoubleSeconds(payment_time));
  return imported.created() == o.invoices && matched == o.payments ? 0 : 1;
}

}  // namespace
}  // namespace concerto::bench

int main(int argc, char** argv) {
  auto config = concerto::platform::Config::Load(argc, argv);
  if (!config.ok()) {
    std::fprintf(stderr, "import_bench: %s\n", config.status().ToString().c_str());
    return 2;
  }
  concerto::bench::Options o;
  o.bin_dir = config->GetString("bin-dir", "build");
  o.invoices = config->GetInt("invoices", o.invoices).value_or(o.invoices);
  o.debtors = config->GetInt("debtors", o.debtors).value_or(o.debtors);
  o.payments = config->GetInt("payments", o.payments).value_or(o.payments);
  o.rows_per_message = static_cast<int>(
      config->GetInt("rows-per-message", o.rows_per_message).value_or(o.rows_per_message));
  o.file_entries = static_cast<int>(
      config->GetInt("file-entries", o.file_entries).value_or(o.file_entries));
  return concerto::bench::Run(o);
}
