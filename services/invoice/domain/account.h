// The pure domain of the invoice service: one aggregate per debtor account (key
// "<tenant>/<debtor_id>") holding the debtor's non-personal master data, its personal data as an
// opaque encrypted blob, its invoices and the payments applied to them. Every function here is
//   f(state, input, now) -> Decision { new state, events to publish, reply }
// with no I/O, so the app layer wraps it in a platform::Handler the way DunningHandler wraps the
// case engine: decode the input, call one function, commit the new state and the events.
//
// Personal data: the domain never sees it in clear. The app layer splits a Debtor with
// ProfileOf / PersonalPartOf, encrypts the personal part with libs/crypto and passes the blob in.
// Events carry ids, codes, dates and amounts only.
//
// Errors: INVALID_ARGUMENT "<field>: <problem>" (several problems joined by "; ") for bad input,
// FAILED_PRECONDITION for a conflict with the state (e.g. cancelling a paid invoice), ABORTED for a
// stale expected_version, NOT_FOUND for an unknown invoice or a request whose context names
// another tenant. Field names are relative to the input message: "due_date",
// "lines[1].vat_amount". A new account is NewAccount(tenant, debtor_id): every function needs
// both set (FAILED_PRECONDITION otherwise).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "concerto/invoice/v1/invoice_api.pb.h"
#include "services/invoice/domain/invoice_state.pb.h"

namespace concerto::invoice {

// Account is the aggregate state.
using Account = state::v1::DebtorAccount;

// OutputEvent is one event to publish on "invoice.events": the payload's fully qualified message
// name (e.g. "concerto.invoice.v1.InvoiceIssued", what Envelope.type carries) and its bytes.
struct OutputEvent {
  std::string type;
  std::string payload;
};

// NoReply is the reply of inputs that are events, not commands.
struct NoReply {};

// Decision is what one input does: the new state (a copy of the old one when nothing changed),
// the events in publication order, the command's reply, and id-only notes for the log (e.g. an
// allocation to an unknown invoice that was skipped).
template <typename Reply>
struct Decision {
  Account state;
  bool changed = false;  // false: nothing to commit (duplicate, no-op)
  std::vector<OutputEvent> events;
  Reply reply;
  std::vector<std::string> notes;
};

// ---- the aggregate ----

// AccountKey is the aggregate (and Kafka) key "<tenant>/<debtor_id>".
std::string AccountKey(std::string_view tenant, std::string_view debtor_id);

// NewAccount is the state of an account that does not exist yet.
Account NewAccount(std::string_view tenant, std::string_view debtor_id);

// NewAccountForKey parses "<tenant>/<debtor_id>" (the debtor id may contain '/');
// INVALID_ARGUMENT when either part is empty.
absl::StatusOr<Account> NewAccountForKey(std::string_view aggregate_key);

// InvoiceIdFor is the service's invoice id: a deterministic id of (tenant, invoice number), so a
// replayed import yields the same id.
std::string InvoiceIdFor(std::string_view tenant, std::string_view invoice_number);

// FindInvoice resolves an InvoiceRef (service id or client number) in the account: NOT_FOUND when
// unknown, INVALID_ARGUMENT when the ref is empty. The pointer lives as long as `account`.
absl::StatusOr<const v1::Invoice*> FindInvoice(const Account& account, const v1::InvoiceRef& ref);

// ---- debtor master data ----

// kPersonalDebtorFields names the Debtor fields that are personal data: the app layer encrypts
// them (PersonalPartOf) and reports changes among them by name only.
inline constexpr std::string_view kPersonalDebtorFields[] = {
    "given_name", "family_name", "legal_name", "registration_number", "contact_points"};

// ProfileOf copies the non-personal fields of an API Debtor (contact points become id, role, kind
// and primary flag; values are left out).
state::v1::DebtorProfile ProfileOf(const v1::Debtor& debtor);

// PersonalPartOf copies only the personal fields of a Debtor (plus debtor_id, for the app layer to
// check what it decrypts): the message the app layer serializes and encrypts.
v1::Debtor PersonalPartOf(const v1::Debtor& debtor);

// ComposeDebtor rebuilds the API Debtor from the stored profile and the decrypted personal part
// (for GetDebtorContact); version and updated_at come from the profile.
v1::Debtor ComposeDebtor(const state::v1::DebtorProfile& profile, const v1::Debtor& personal);

// ChangedPersonalFields names the personal fields that differ between two personal parts, in
// Debtor field order (the app layer compares the decrypted old part with the new one).
std::vector<std::string> ChangedPersonalFields(const v1::Debtor& before, const v1::Debtor& after);

// DebtorUpsert is an UpsertDebtorRequest as the domain sees it.
struct DebtorUpsert {
  state::v1::DebtorProfile profile;  // debtor_id must be the account's; version ignored
  // Encrypted personal part (opaque). Empty: keep the stored blob. A different blob with no
  // reported change is stored silently (the app re-encrypted, e.g. under a new data key).
  std::string encrypted_personal_data;
  // Names from kPersonalDebtorFields (ChangedPersonalFields(old part, new part); on creation
  // ChangedPersonalFields(v1::Debtor(), new part)).
  std::vector<std::string> changed_personal_fields;
  int64_t expected_version = 0;                      // > 0: ABORTED when the stored one differs
};

// UpsertDebtor creates or replaces the debtor's master data. Emits DebtorUpserted (ids, codes and
// the names of changed fields) when anything changed; an identical upsert changes nothing.
absl::StatusOr<Decision<v1::UpsertDebtorResponse>> UpsertDebtor(const Account& state,
                                                                const DebtorUpsert& upsert,
                                                                absl::Time now);

// Erasure is an EraseDebtorRequest after the app layer decided whether a retention duty applies.
struct Erasure {
  std::optional<absl::CivilDay> restrict_until;  // set: restrict instead of erase
  std::string retention_basis;                   // e.g. "open legal case"
};

// EraseDebtor drops the encrypted personal data (ERASED) or marks it unreadable until
// `restrict_until` (RESTRICTED); the app layer destroys the debtor's data key. Emits DebtorErased.
// Erasing an erased debtor again changes nothing.
absl::StatusOr<Decision<v1::EraseDebtorResponse>> EraseDebtor(const Account& state,
                                                              const Erasure& erasure,
                                                              absl::Time now);

// ---- invoices ----

// CheckInvoiceSpec lists every problem of `spec` for this account (empty: valid), each naming its
// field: invoice_number (1..64 characters), debtor_id (the account's), currency (ISO 4217),
// issue_date / due_date (real days, due >= issue), lines (net = quantity x unit price, vat = net x
// rate, gross = net + vat, each rounded half away from zero), amount (> 0; the lines' gross sum
// when lines are given), open_balance (0..amount), payment_reference (a valid RF when it starts
// with "RF"), purchase_order, document.
std::vector<v1::FieldError> CheckInvoiceSpec(const Account& state, const v1::InvoiceSpec& spec);

// IssueInvoice issues an invoice, idempotent on its number:
//   CREATED    new number: stored OPEN, emits InvoiceIssued;
//   DUPLICATE  same number and content: nothing changes, no event;
//   ADJUSTED   same number, changed content: applied as an explicit RESEND adjustment whose delta
//              is the change of the amount, emits InvoiceAdjusted (and InvoiceSettled at zero).
// An empty payment_reference gets an RF reference derived from the number. The tenant is the
// account's. FAILED_PRECONDITION for a changed re-send of a cancelled or written-off invoice, or
// one that would leave a negative open balance.
absl::StatusOr<Decision<v1::IssueInvoiceResponse>> IssueInvoice(const Account& state,
                                                                const v1::InvoiceSpec& spec,
                                                                absl::Time now);

// DebtorDefaults are non-personal master data an import row carries (the CSV debtor columns):
// they fill the debtor's empty fields (creating the debtor) and never overwrite.
struct DebtorDefaults {
  v1::DebtorType type = v1::DEBTOR_TYPE_UNSPECIFIED;
  std::string country;             // ISO 3166-1 alpha-2
  std::string preferred_language;  // ISO 639-1
  std::string time_zone;           // IANA
};

// ImportItem is one row of a bulk import for this account.
struct ImportItem {
  int64_t line = 0;  // source line; 0: numbered 1.. by position
  std::variant<v1::InvoiceSpec, DebtorUpsert> item;
  // With an invoice only; applied just before it, and only if the invoice goes in.
  std::optional<DebtorDefaults> debtor_defaults;
};

// ImportRows applies the rows in order as one unit of work: each row is CREATED, DUPLICATE,
// ADJUSTED or REJECTED (with its FieldErrors, each carrying the row's line); a rejected row
// changes nothing and the others still go in. Debtor rows report CREATED / ADJUSTED (changed) /
// DUPLICATE and their debtor_id. Linear in the rows (invoices are a map by number).
absl::StatusOr<Decision<v1::ImportInvoicesResponse>> ImportRows(const Account& state,
                                                                const std::vector<ImportItem>& rows,
                                                                absl::Time now);

// AdjustInvoice records a CREDIT_NOTE (lowers amount and open balance; at most the open balance)
// or a DEBIT_NOTE (raises both), optionally moving the due date; kind UNSPECIFIED with no amount
// only moves the due date. Emits InvoiceAdjusted, and InvoiceSettled (CREDITED, or MIXED when
// payments were allocated too) when the balance reaches zero. Re-applying a credit note number
// with the same amount changes nothing; with another amount it is FAILED_PRECONDITION.
absl::StatusOr<Decision<v1::AdjustInvoiceResponse>> AdjustInvoice(
    const Account& state, const v1::AdjustInvoiceRequest& request, absl::Time now);

// CancelInvoice cancels an invoice (open balance to zero), emitting InvoiceCancelled.
// FAILED_PRECONDITION once any payment is allocated to it or any of it is written off, and for
// paid or written-off invoices; cancelling a cancelled invoice changes nothing.
absl::StatusOr<Decision<v1::CancelInvoiceResponse>> CancelInvoice(
    const Account& state, const v1::CancelInvoiceRequest& request, absl::Time now);

// WriteOffInvoice writes off the whole open balance (amount unset; status WRITTEN_OFF) or part
// of it (status unchanged), emitting InvoiceWrittenOff. FAILED_PRECONDITION when nothing is open
// or the amount exceeds the open balance.
absl::StatusOr<Decision<v1::WriteOffInvoiceResponse>> WriteOffInvoice(
    const Account& state, const v1::WriteOffInvoiceRequest& request, absl::Time now);

// ReissueInvoice asks for a mislaid invoice to be sent again (optionally with a new due date),
// emitting InvoiceReissued whose reissue_id derives from `command_id` (the unit of work's input
// id), so a replay yields the same id. FAILED_PRECONDITION when nothing is open on it.
absl::StatusOr<Decision<v1::ReissueInvoiceResponse>> ReissueInvoice(
    const Account& state, const v1::ReissueInvoiceRequest& request, std::string_view command_id,
    absl::Time now);

// ---- payments ----

// ApplyPaymentEvent applies a payment.events payload. `type` is the Envelope type:
//   "concerto.payment.v1.PaymentAllocated": lowers open balances by each allocation's principal
//     (idempotent per payment_id); PARTIALLY_PAID, or PAID with InvoiceSettled (PAID, or MIXED
//     with credit notes) at zero. Allocations to unknown invoices or in another currency are
//     skipped with a note.
//   "concerto.payment.v1.PaymentReversed": reopens what that payment paid (the `reopened` list,
//     or everything), status back to OPEN / PARTIALLY_PAID; once per payment. No event (the
//     contract has no "reopened" event yet).
// UNIMPLEMENTED for other types; INVALID_ARGUMENT when the payload does not decode or names
// another debtor.
absl::StatusOr<Decision<NoReply>> ApplyPaymentEvent(const Account& state, std::string_view type,
                                                    std::string_view payload, absl::Time now);

}  // namespace concerto::invoice
