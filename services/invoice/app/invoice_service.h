// InvoiceService: the invoice service's gRPC API. Writes validate the request (INVALID_ARGUMENT
// naming the field), then run as commands through the event processor's unit of work (the pure
// InvoiceHandler decides; state, events, index entries and the reply commit together; a retry
// with the same idempotency key gets the stored reply). Reads go to the committed state
// (ReadAggregate, the index, ScanAggregates of "<tenant>/"), always scoped to the request's
// tenant: another tenant's ids are NOT_FOUND.
//
// Personal data: UpsertDebtor and debtor rows of an import are split into profile and personal
// part; the personal part is encrypted with the debtor's data key (KeyStore) before it enters a
// command. GetDebtorContact decrypts it for a stated purpose (one audit log line with ids and the
// purpose, never values); EraseDebtor destroys the data key once the erasure is committed.
//
// Invoice numbers are unique per tenant: before issuing, the API looks up "<tenant>/inv/<number>"
// and rejects a number that belongs to another debtor (invoice_number: "already issued to
// another debtor"); within one import stream, the first debtor to use a number keeps it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "concerto/invoice/v1/invoice_api.grpc.pb.h"
#include "libs/platform/clock.h"
#include "libs/platform/event_processor.h"
#include "libs/platform/runtime/field_errors.h"
#include "services/invoice/app/command.pb.h"
#include "services/invoice/app/personal_data.h"
#include "services/invoice/domain/account.h"

namespace concerto::invoice {

// ImportOptions tune ImportInvoices.
struct ImportOptions {
  int rows_per_command = 500;  // rows of one debtor per unit of work
  int64_t max_rows = 200000;   // per stream (RESOURCE_EXHAUSTED beyond)
  int lookup_chunk = 1000;     // invoice numbers per index lookup round trip
};

class InvoiceServiceImpl final : public v1::InvoiceService::Service {
 public:
  // `keys` may be null only in tests that never touch personal data (UpsertDebtor, debtor import
  // rows, GetDebtorContact and EraseDebtor then answer FAILED_PRECONDITION).
  InvoiceServiceImpl(platform::EventProcessor* processor, KeyStore* keys,
                     const platform::Clock* clock, ImportOptions import_options = {})
      : processor_(processor), keys_(keys), clock_(clock), import_options_(import_options) {}

  grpc::Status UpsertDebtor(grpc::ServerContext* context, const v1::UpsertDebtorRequest* request,
                            v1::UpsertDebtorResponse* response) override;
  grpc::Status IssueInvoice(grpc::ServerContext* context, const v1::IssueInvoiceRequest* request,
                            v1::IssueInvoiceResponse* response) override;
  grpc::Status ImportInvoices(grpc::ServerContext* context,
                              grpc::ServerReader<v1::ImportInvoicesRequest>* reader,
                              v1::ImportInvoicesResponse* response) override;
  grpc::Status AdjustInvoice(grpc::ServerContext* context, const v1::AdjustInvoiceRequest* request,
                             v1::AdjustInvoiceResponse* response) override;
  grpc::Status CancelInvoice(grpc::ServerContext* context, const v1::CancelInvoiceRequest* request,
                             v1::CancelInvoiceResponse* response) override;
  grpc::Status WriteOffInvoice(grpc::ServerContext* context,
                               const v1::WriteOffInvoiceRequest* request,
                               v1::WriteOffInvoiceResponse* response) override;
  grpc::Status ReissueInvoice(grpc::ServerContext* context,
                              const v1::ReissueInvoiceRequest* request,
                              v1::ReissueInvoiceResponse* response) override;
  grpc::Status GetInvoice(grpc::ServerContext* context, const v1::GetInvoiceRequest* request,
                          v1::GetInvoiceResponse* response) override;
  grpc::Status ListInvoices(grpc::ServerContext* context, const v1::ListInvoicesRequest* request,
                            v1::ListInvoicesResponse* response) override;
  grpc::Status GetDebtorContact(grpc::ServerContext* context,
                                const v1::GetDebtorContactRequest* request,
                                v1::GetDebtorContactResponse* response) override;
  grpc::Status EraseDebtor(grpc::ServerContext* context, const v1::EraseDebtorRequest* request,
                           v1::EraseDebtorResponse* response) override;

  // Import runs a whole import stream (rows as received, the first message's context): the body
  // of ImportInvoices. Results are in the order the rows came (only rejected ones with
  // `rejected_only`).
  absl::StatusOr<v1::ImportInvoicesResponse> Import(const common::v1::RequestContext& context,
                                                    std::vector<v1::ImportRow> rows,
                                                    bool rejected_only);

 private:
  // Today is the calendar day (UTC) of the service clock.
  absl::CivilDay Today() const;
  // LoadAccount reads an account (nullopt: it does not exist).
  absl::StatusOr<std::optional<Account>> LoadAccount(const std::string& key);
  // AccountOfInvoice resolves an InvoiceRef of `tenant` to its account key through the index
  // (NOT_FOUND when unknown).
  absl::StatusOr<std::string> AccountOfInvoice(const std::string& tenant,
                                               const v1::InvoiceRef& ref);
  // Run executes `command` on `account_key` and returns the reply bytes; a retry whose stored
  // command differs is INVALID_ARGUMENT naming context.idempotency_key. `key` (the debtor's data
  // key, if any) lets commands with personal data be compared by their plaintext.
  absl::StatusOr<std::string> Run(const common::v1::RequestContext& ctx,
                                  const std::string& account_key,
                                  const app::InvoiceCommand& command,
                                  const crypto::DataKey* key = nullptr);
  // RunOnInvoice: the commands that name an existing invoice (adjust, cancel, write-off, reissue).
  template <typename Reply>
  grpc::Status RunOnInvoice(const common::v1::RequestContext& ctx, const v1::InvoiceRef& ref,
                            const platform::FieldErrors& errors, const app::InvoiceCommand& command,
                            Reply* response);

  platform::EventProcessor* processor_;
  KeyStore* keys_;
  const platform::Clock* clock_;
  const ImportOptions import_options_;
};

// CanonicalCommand is a command as a retry is compared: personal parts decrypted with `key`
// (in memory only) and the changed-field lists dropped, because a retry re-encrypts with a new
// nonce and, once the first attempt committed, sees no change. Unparsable bytes are returned as
// they are.
std::string CanonicalCommand(const std::string& command, const crypto::DataKey* key,
                             const std::string& account_key);

}  // namespace concerto::invoice
