// The read side of ListInvoices, pure: filter the invoices of a tenant's debtor accounts, sum
// the ageing buckets over everything that matches, order and cut one page. The API feeds it the
// accounts of one tenant (EventProcessor::ScanAggregates("<tenant>/")).
//
// Order: due date, then invoice number (unique per tenant), so a page token — the sort key of
// the last invoice returned — stays valid while invoices are added or change.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "concerto/invoice/v1/invoice_api.pb.h"
#include "services/invoice/domain/account.h"

namespace concerto::invoice {

// kDefaultPageSize / kMaxPageSize bound ListInvoices pages.
inline constexpr int kDefaultPageSize = 100;
inline constexpr int kMaxPageSize = 1000;

// ListInvoicesPage answers `request` over `accounts` (all of the request's tenant; accounts of
// another tenant are ignored) as of `as_of`: total_count and ageing cover every match, invoices
// hold one page with days_past_due set. INVALID_ARGUMENT naming "page_token" or
// "ageing_bounds[i]" when they are bad.
absl::StatusOr<v1::ListInvoicesResponse> ListInvoicesPage(const std::vector<Account>& accounts,
                                                          const v1::ListInvoicesRequest& request,
                                                          absl::CivilDay as_of);

// PageToken encodes the sort key of an invoice (opaque, URL-safe).
std::string PageToken(const v1::Invoice& invoice);

}  // namespace concerto::invoice
