// InvoiceHandler: the invoice service's platform::Handler, a thin wrapper of the pure domain
// (services/invoice/domain/account.h). One aggregate per debtor account "<tenant>/<debtor_id>"
// (state: concerto.invoice.state.v1.DebtorAccount). It takes
//   - commands from the gRPC API (Input.command = a serialized app::InvoiceCommand; the stored
//     result is a serialized app::StoredReply): UpsertDebtor, IssueInvoice, ImportRows (a chunk
//     of an import stream for one debtor), Adjust, Cancel, WriteOff, Reissue, Erase;
//   - PaymentAllocated / PaymentReversed from "payment.events" (other payment events are skipped).
// Events go to "invoice.events" keyed by the account. Every unit that creates an invoice also
// writes the index entries "<tenant>/inv/<number>" and "<tenant>/invid/<id>" -> account key, so
// the API finds an invoice's account and keeps invoice numbers unique per tenant.
//
// Personal data never reaches the handler in clear: commands carry the encrypted personal part.
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "libs/platform/handler.h"
#include "services/invoice/domain/account.h"

namespace concerto::invoice {

// kInvoiceEventsTopic is where the service publishes.
inline constexpr char kInvoiceEventsTopic[] = "invoice.events";

// InvoiceNumberIndex is the index field of an invoice number: "<tenant>/inv/<number>".
std::string InvoiceNumberIndex(const std::string& tenant, const std::string& invoice_number);
// InvoiceIdIndex is the index field of an invoice id: "<tenant>/invid/<invoice_id>".
std::string InvoiceIdIndex(const std::string& tenant, const std::string& invoice_id);

// The unit of work retries every rejection that is not INVALID_ARGUMENT / FAILED_PRECONDITION.
// A command the domain answers NOT_FOUND, ABORTED (stale expected_version), ALREADY_EXISTS,
// OUT_OF_RANGE or PERMISSION_DENIED is therefore returned as FAILED_PRECONDITION carrying the
// original code under this payload key; OriginalStatus restores it for the API.
inline constexpr char kOriginalCodePayload[] = "concerto.invoice/original-code";

// OriginalStatus undoes that mapping (any other status is returned unchanged).
absl::Status OriginalStatus(const absl::Status& status);

// RetentionDuty is why and until when a debtor's personal data must be kept (restricted).
struct RetentionDuty {
  absl::CivilDay until;
  std::string basis;
};

// kRetentionYears is how long personal data is restricted while a claim is open (the ordinary
// limitation period of a claim in most of the client jurisdictions).
inline constexpr int kRetentionYears = 10;

// RetentionDutyOf decides an erasure from the account: while any invoice has an open balance
// (open, partially paid or disputed) the claim is still being collected, so the data is restricted
// until `now` + kRetentionYears ("open invoices"); otherwise nothing keeps it and it is erased.
// Once everything is settled a new EraseDebtor erases for good.
std::optional<RetentionDuty> RetentionDutyOf(const Account& account, absl::Time now);

// InvoiceHandler applies inputs to debtor accounts. Stateless; thread-compatible.
class InvoiceHandler final : public platform::Handler {
 public:
  absl::StatusOr<platform::Effects> Apply(const std::optional<std::string>& state,
                                          const platform::Input& input, absl::Time now) override;
};

}  // namespace concerto::invoice
