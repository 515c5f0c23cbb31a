// Read-side helpers of the invoice service: days past due, ageing buckets over a set of invoices
// (ListInvoices and reporting) and the InvoiceFilter predicate. Pure; no I/O.
//
// Buckets with the default bounds [30, 60, 90, 180]:
//   "not due" (days past due <= 0), "1-30", "31-60", "61-90", "91-180", "181+".
// Only invoices with something open count (OPEN, PARTIALLY_PAID, DISPUTED with a balance > 0);
// balances are summed per currency, never converted.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "concerto/invoice/v1/invoice_api.pb.h"
#include "services/invoice/domain/invoice_state.pb.h"

namespace concerto::invoice {

// kDefaultAgeingBounds are the upper bounds (days past due) of the buckets after "not due".
inline constexpr int32_t kDefaultAgeingBounds[] = {30, 60, 90, 180};

// DaysPastDue is as_of minus the due date in days: 0 on the due date, negative before it.
int32_t DaysPastDue(const v1::Invoice& invoice, absl::CivilDay as_of);

// IsOpenForAgeing is true when the invoice has a balance > 0 and is not closed.
bool IsOpenForAgeing(const v1::Invoice& invoice);

// AgeingBuilder sums invoices into buckets one at a time (e.g. across many accounts).
class AgeingBuilder {
 public:
  // Create checks `bounds` (empty: the defaults): strictly increasing and > 0, else
  // INVALID_ARGUMENT naming "ageing_bounds[i]".
  static absl::StatusOr<AgeingBuilder> Create(absl::CivilDay as_of,
                                              absl::Span<const int32_t> bounds = {});

  // Add counts one invoice (ignored unless IsOpenForAgeing).
  void Add(const v1::Invoice& invoice);

  // Buckets returns every bucket in order, empty ones included; money sorted by currency.
  std::vector<v1::AgeingBucket> Buckets() const;

 private:
  AgeingBuilder(absl::CivilDay as_of, std::vector<int32_t> bounds);

  absl::CivilDay as_of_;
  std::vector<int32_t> bounds_;
  std::vector<int64_t> counts_;
  std::vector<std::map<std::string, int64_t>> sums_;  // per bucket: currency -> minor units
};

// Ageing is AgeingBuilder over a list of invoices.
absl::StatusOr<std::vector<v1::AgeingBucket>> Ageing(const std::vector<v1::Invoice>& invoices,
                                                     absl::CivilDay as_of,
                                                     absl::Span<const int32_t> bounds = {});

// AccountAgeing is Ageing over every invoice of one account.
absl::StatusOr<std::vector<v1::AgeingBucket>> AccountAgeing(const state::v1::DebtorAccount& account,
                                                            absl::CivilDay as_of,
                                                            absl::Span<const int32_t> bounds = {});

// Matches applies an InvoiceFilter (empty fields do not filter): debtor_id, statuses (any of),
// due_from / due_to (inclusive), min_days_past_due (0: none), max_days_past_due (0: none),
// currency, only_open, debtor_tags (the debtor has all of them) and debtor_type. The debtor
// criteria need `debtor`; with a null debtor an invoice never matches them.
bool Matches(const v1::Invoice& invoice, const v1::InvoiceFilter& filter, absl::CivilDay as_of,
             const state::v1::DebtorProfile* debtor = nullptr);

}  // namespace concerto::invoice
