// ListInvoicesPage: tenant scope, filters, ageing over every match, stable paging.
#include "services/invoice/app/invoice_query.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/invoice/domain/domain_test_util.h"

namespace concerto::invoice {
namespace {

using testing::D;
using testing::Must;
using testing::Now;

Account AccountWith(const std::string& tenant, const std::string& debtor, int invoices,
                    int first_due_day) {
  Account a = NewAccount(tenant, debtor);
  for (int i = 0; i < invoices; ++i) {
    v1::InvoiceSpec s = testing::Spec(absl::StrCat(debtor, "-", i), 1000 + i);
    s.set_debtor_id(debtor);
    *s.mutable_due_date() = D(2025, 3, first_due_day + i);
    a = Must(IssueInvoice(a, s, Now())).state;
  }
  return a;
}

v1::ListInvoicesRequest Request(const std::string& tenant) {
  v1::ListInvoicesRequest r;
  r.mutable_context()->set_tenant(tenant);
  return r;
}

TEST(ListInvoicesPageTest, PagesThroughEveryMatchOnceInDueDateOrder) {
  std::vector<Account> accounts = {AccountWith("acme", "A", 5, 1), AccountWith("acme", "B", 4, 3),
                                   AccountWith("other", "C", 3, 1)};
  v1::ListInvoicesRequest r = Request("acme");
  r.set_page_size(4);
  std::set<std::string> seen;
  std::string last_key;
  int pages = 0;
  while (true) {
    absl::StatusOr<v1::ListInvoicesResponse> page =
        ListInvoicesPage(accounts, r, absl::CivilDay(2025, 3, 20));
    ASSERT_TRUE(page.ok()) << page.status();
    ++pages;
    EXPECT_EQ(page->total_count(), 9);
    for (const v1::Invoice& inv : page->invoices()) {
      EXPECT_TRUE(seen.insert(inv.invoice_number()).second) << inv.invoice_number();
      const std::string key = absl::StrCat(inv.due_date().day() + 100, inv.invoice_number());
      EXPECT_LT(last_key, key);
      last_key = key;
      EXPECT_EQ(inv.days_past_due(), 20 - inv.due_date().day());
    }
    if (page->next_page_token().empty()) break;
    r.set_page_token(page->next_page_token());
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen.size(), 9u);  // never another tenant's
}

TEST(ListInvoicesPageTest, AgeingCoversTheWholeFilteredSet) {
  std::vector<Account> accounts = {AccountWith("acme", "A", 3, 1)};  // due 1, 2, 3 March
  v1::ListInvoicesRequest r = Request("acme");
  r.set_page_size(1);
  r.mutable_filter()->set_min_days_past_due(40);
  absl::StatusOr<v1::ListInvoicesResponse> page =
      ListInvoicesPage(accounts, r, absl::CivilDay(2025, 4, 12));  // 42, 41, 40 days
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->total_count(), 3);
  EXPECT_EQ(page->invoices_size(), 1);
  ASSERT_EQ(page->ageing_size(), 6);
  EXPECT_EQ(page->ageing(2).label(), "31-60");
  EXPECT_EQ(page->ageing(2).invoice_count(), 3);
  EXPECT_EQ(page->ageing(2).open_balance(0).minor_units(), 1000 + 1001 + 1002);

  r.mutable_filter()->set_debtor_id("B");
  page = ListInvoicesPage(accounts, r, absl::CivilDay(2025, 4, 12));
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total_count(), 0);
}

TEST(ListInvoicesPageTest, BadTokensAndBoundsNameTheirField) {
  v1::ListInvoicesRequest r = Request("acme");
  r.set_page_token("not-a-token");
  EXPECT_THAT(ListInvoicesPage({}, r, absl::CivilDay(2025, 1, 1)).status().message(),
              ::testing::HasSubstr("page_token"));
  r.clear_page_token();
  r.add_ageing_bounds(0);
  EXPECT_THAT(ListInvoicesPage({}, r, absl::CivilDay(2025, 1, 1)).status().message(),
              ::testing::HasSubstr("ageing_bounds[0]"));
}

}  // namespace
}  // namespace concerto::invoice
