#include "services/invoice/app/invoice_query.h"

#include <algorithm>
#include <optional>
#include <tuple>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/invoice/domain/ageing.h"
#include "services/invoice/domain/dates.h"

namespace concerto::invoice {
namespace {

// SortKey orders invoices: due date (yyyymmdd), then number.
using SortKey = std::pair<int64_t, std::string>;

SortKey KeyOf(const v1::Invoice& inv) {
  const common::v1::Date& d = inv.due_date();
  return {int64_t{d.year()} * 10000 + d.month() * 100 + d.day(), inv.invoice_number()};
}

absl::StatusOr<SortKey> DecodeToken(const std::string& token) {
  std::string raw;
  const absl::Status bad = absl::InvalidArgumentError("page_token: not a token of this list");
  if (!absl::WebSafeBase64Unescape(token, &raw)) return bad;
  const size_t bar = raw.find('|');
  if (bar != 8) return bad;
  int64_t day = 0;
  if (!absl::SimpleAtoi(raw.substr(0, 8), &day)) return bad;
  return SortKey{day, raw.substr(9)};
}

}  // namespace

std::string PageToken(const v1::Invoice& invoice) {
  const SortKey k = KeyOf(invoice);
  return absl::WebSafeBase64Escape(absl::StrFormat("%08d|%s", k.first, k.second));
}

absl::StatusOr<v1::ListInvoicesResponse> ListInvoicesPage(const std::vector<Account>& accounts,
                                                          const v1::ListInvoicesRequest& request,
                                                          absl::CivilDay as_of) {
  std::optional<SortKey> after;
  if (!request.page_token().empty()) {
    absl::StatusOr<SortKey> k = DecodeToken(request.page_token());
    if (!k.ok()) return k.status();
    after = *std::move(k);
  }
  const std::vector<int32_t> bounds(request.ageing_bounds().begin(), request.ageing_bounds().end());
  absl::StatusOr<AgeingBuilder> ageing = AgeingBuilder::Create(as_of, bounds);
  if (!ageing.ok()) return ageing.status();
  const std::string& tenant = request.context().tenant();
  const v1::InvoiceFilter& filter = request.filter();

  std::vector<const v1::Invoice*> matched;
  for (const Account& a : accounts) {
    if (a.tenant() != tenant) continue;
    if (!filter.debtor_id().empty() && a.debtor_id() != filter.debtor_id()) continue;
    const state::v1::DebtorProfile* debtor = a.has_debtor() ? &a.debtor() : nullptr;
    for (const auto& [number, inv] : a.invoices()) {
      if (!Matches(inv, filter, as_of, debtor)) continue;
      ageing->Add(inv);
      matched.push_back(&inv);
    }
  }
  v1::ListInvoicesResponse out;
  out.set_total_count(static_cast<int64_t>(matched.size()));
  for (v1::AgeingBucket& b : ageing->Buckets()) *out.add_ageing() = std::move(b);

  std::sort(matched.begin(), matched.end(),
            [](const v1::Invoice* x, const v1::Invoice* y) { return KeyOf(*x) < KeyOf(*y); });
  auto begin = matched.begin();
  if (after.has_value()) {
    begin =
        std::upper_bound(matched.begin(), matched.end(), *after,
                         [](const SortKey& k, const v1::Invoice* inv) { return k < KeyOf(*inv); });
  }
  const int size =
      request.page_size() <= 0 ? kDefaultPageSize : std::min(request.page_size(), kMaxPageSize);
  auto end = begin + std::min<ptrdiff_t>(size, matched.end() - begin);
  for (auto it = begin; it != end; ++it) {
    v1::Invoice* inv = out.add_invoices();
    *inv = **it;
    inv->set_days_past_due(DaysPastDue(*inv, as_of));
  }
  if (end != matched.end() && end != begin) out.set_next_page_token(PageToken(**(end - 1)));
  return out;
}

}  // namespace concerto::invoice
