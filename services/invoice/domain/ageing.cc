#include "services/invoice/domain/ageing.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "services/invoice/domain/dates.h"

namespace concerto::invoice {

int32_t DaysPastDue(const v1::Invoice& invoice, absl::CivilDay as_of) {
  return static_cast<int32_t>(as_of - ToCivilDay(invoice.due_date()));
}

bool IsOpenForAgeing(const v1::Invoice& invoice) {
  switch (invoice.status()) {
    case v1::INVOICE_STATUS_OPEN:
    case v1::INVOICE_STATUS_PARTIALLY_PAID:
    case v1::INVOICE_STATUS_DISPUTED:
      return invoice.open_balance().minor_units() > 0;
    default:
      return false;
  }
}

AgeingBuilder::AgeingBuilder(absl::CivilDay as_of, std::vector<int32_t> bounds)
    : as_of_(as_of),
      bounds_(std::move(bounds)),
      counts_(bounds_.size() + 2, 0),
      sums_(bounds_.size() + 2) {}

absl::StatusOr<AgeingBuilder> AgeingBuilder::Create(absl::CivilDay as_of,
                                                    absl::Span<const int32_t> bounds) {
  if (bounds.empty()) bounds = kDefaultAgeingBounds;
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (bounds[i] <= 0 || (i > 0 && bounds[i] <= bounds[i - 1])) {
      return absl::InvalidArgumentError(absl::StrCat(
          "ageing_bounds[", i, "]: must be greater than 0 and than the bound before it"));
    }
  }
  return AgeingBuilder(as_of, std::vector<int32_t>(bounds.begin(), bounds.end()));
}

void AgeingBuilder::Add(const v1::Invoice& invoice) {
  if (!IsOpenForAgeing(invoice)) return;
  const int32_t days = DaysPastDue(invoice, as_of_);
  size_t bucket = 0;  // "not due"
  if (days > 0) {
    // The first bound that is >= days; past the last bound: the open-ended bucket.
    bucket = 1 + static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), days) -
                                     bounds_.begin());
  }
  ++counts_[bucket];
  sums_[bucket][invoice.open_balance().currency()] += invoice.open_balance().minor_units();
}

std::vector<v1::AgeingBucket> AgeingBuilder::Buckets() const {
  std::vector<v1::AgeingBucket> out(bounds_.size() + 2);
  out[0].set_label("not due");
  out[0].set_min_days_past_due(-1);  // negative: not yet due (days past due <= 0)
  out[0].set_max_days_past_due(0);
  int32_t low = 1;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    out[i + 1].set_label(absl::StrCat(low, "-", bounds_[i]));
    out[i + 1].set_min_days_past_due(low);
    out[i + 1].set_max_days_past_due(bounds_[i]);
    low = bounds_[i] + 1;
  }
  v1::AgeingBucket& last = out.back();
  last.set_label(absl::StrCat(low, "+"));
  last.set_min_days_past_due(low);
  last.set_max_days_past_due(-1);
  for (size_t i = 0; i < out.size(); ++i) {
    out[i].set_invoice_count(counts_[i]);
    for (const auto& [currency, minor] : sums_[i]) {
      common::v1::Money* m = out[i].add_open_balance();
      m->set_currency(currency);
      m->set_minor_units(minor);
    }
  }
  return out;
}

absl::StatusOr<std::vector<v1::AgeingBucket>> Ageing(const std::vector<v1::Invoice>& invoices,
                                                     absl::CivilDay as_of,
                                                     absl::Span<const int32_t> bounds) {
  absl::StatusOr<AgeingBuilder> b = AgeingBuilder::Create(as_of, bounds);
  if (!b.ok()) return b.status();
  for (const v1::Invoice& inv : invoices) b->Add(inv);
  return b->Buckets();
}

absl::StatusOr<std::vector<v1::AgeingBucket>> AccountAgeing(const state::v1::DebtorAccount& account,
                                                            absl::CivilDay as_of,
                                                            absl::Span<const int32_t> bounds) {
  absl::StatusOr<AgeingBuilder> b = AgeingBuilder::Create(as_of, bounds);
  if (!b.ok()) return b.status();
  for (const auto& [number, inv] : account.invoices()) b->Add(inv);
  return b->Buckets();
}

bool Matches(const v1::Invoice& invoice, const v1::InvoiceFilter& filter, absl::CivilDay as_of,
             const state::v1::DebtorProfile* debtor) {
  if (!filter.debtor_id().empty() && invoice.debtor_id() != filter.debtor_id()) return false;
  if (filter.statuses_size() > 0 && std::find(filter.statuses().begin(), filter.statuses().end(),
                                              invoice.status()) == filter.statuses().end()) {
    return false;
  }
  const absl::CivilDay due = ToCivilDay(invoice.due_date());
  if (filter.has_due_from() && due < ToCivilDay(filter.due_from())) return false;
  if (filter.has_due_to() && due > ToCivilDay(filter.due_to())) return false;
  const int32_t days = DaysPastDue(invoice, as_of);
  if (filter.min_days_past_due() != 0 && days < filter.min_days_past_due()) return false;
  if (filter.max_days_past_due() != 0 && days > filter.max_days_past_due()) return false;
  if (!filter.currency().empty() && invoice.currency() != filter.currency()) return false;
  if (filter.only_open() && !IsOpenForAgeing(invoice)) return false;
  if (filter.debtor_tags_size() > 0 || filter.debtor_type() != v1::DEBTOR_TYPE_UNSPECIFIED) {
    if (debtor == nullptr) return false;
    if (filter.debtor_type() != v1::DEBTOR_TYPE_UNSPECIFIED &&
        debtor->type() != filter.debtor_type()) {
      return false;
    }
    for (const std::string& tag : filter.debtor_tags()) {
      if (std::find(debtor->tags().begin(), debtor->tags().end(), tag) == debtor->tags().end()) {
        return false;
      }
    }
  }
  return true;
}

}  // namespace concerto::invoice
