// Request validation of the invoice gRPC API (pure, no I/O) and the mapping of the domain's
// problem texts onto the API's error model (libs/platform/runtime/field_errors.h): a bad request
// is INVALID_ARGUMENT naming every bad field by its path in the request ("invoice.due_date").
// Checks of personal fields never echo the value in the problem text.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "concerto/invoice/v1/invoice_api.pb.h"
#include "libs/platform/runtime/field_errors.h"

namespace concerto::invoice {

using platform::FieldError;
using platform::FieldErrors;

// Validate* return every problem of a request (empty: valid). Writes need the context's tenant,
// idempotency_key and actor.id; reads the tenant.
FieldErrors ValidateUpsertDebtor(const v1::UpsertDebtorRequest& r);
// ValidateIssueInvoice also runs the domain's CheckInvoiceSpec (fields under "invoice.").
FieldErrors ValidateIssueInvoice(const v1::IssueInvoiceRequest& r);
FieldErrors ValidateAdjustInvoice(const v1::AdjustInvoiceRequest& r);
FieldErrors ValidateCancelInvoice(const v1::CancelInvoiceRequest& r);
FieldErrors ValidateWriteOffInvoice(const v1::WriteOffInvoiceRequest& r);
FieldErrors ValidateReissueInvoice(const v1::ReissueInvoiceRequest& r);
FieldErrors ValidateGetInvoice(const v1::GetInvoiceRequest& r);
// ValidateListInvoices checks the filter, as_of, page_size and the ageing bounds (the page token
// is checked when it is decoded).
FieldErrors ValidateListInvoices(const v1::ListInvoicesRequest& r);
FieldErrors ValidateGetDebtorContact(const v1::GetDebtorContactRequest& r);
FieldErrors ValidateEraseDebtor(const v1::EraseDebtorRequest& r);

// CheckPersonalFields checks the personal fields of a Debtor (names, registration number,
// contact point values) under `prefix` ("debtor." or "" for an import row). Problems name the
// field and the rule, never the value.
void CheckPersonalFields(const v1::Debtor& debtor, const std::string& prefix, FieldErrors* errors);

// CheckImportRow checks what the API needs of an import row before grouping it by debtor (an
// item; a debtor_id; for a debtor row its personal fields). Field names are relative to the row's
// item ("debtor_id", "contact_points[0].email").
FieldErrors CheckImportRow(const v1::ImportRow& row);

// IsDefaultsOnly: a debtor row that carries only debtor_id and any of type, country,
// preferred_language and time_zone (the CSV debtor columns). Such a row fills the debtor's empty
// fields and never overwrites; any other debtor row replaces the master data like UpsertDebtor.
bool IsDefaultsOnly(const v1::Debtor& debtor);

// DomainFieldErrors splits a domain INVALID_ARGUMENT ("field: problem; field: problem") into
// FieldErrors with `prefix` prepended to each field; fields listed in `top_level` (e.g.
// "expected_version") are kept as they are. A message that is not in that form becomes one
// error with an empty field.
FieldErrors DomainFieldErrors(const std::string& message, const std::string& prefix,
                              std::initializer_list<std::string_view> top_level = {});

// ApiStatus maps a status from the domain (through the handler) onto the API: INVALID_ARGUMENT
// becomes InvalidArgument(DomainFieldErrors(...)) unless it already carries a BadRequest (the
// API's own errors); any other code is kept.
absl::Status ApiStatus(const absl::Status& status, const std::string& prefix,
                       std::initializer_list<std::string_view> top_level = {});

}  // namespace concerto::invoice
