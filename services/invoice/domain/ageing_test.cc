#include "services/invoice/domain/ageing.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/invoice/domain/domain_test_util.h"

namespace concerto::invoice {
namespace {

using testing::D;
using ::testing::ElementsAre;
using testing::Must;

v1::Invoice Inv(absl::CivilDay due, int64_t open, const std::string& currency = "EUR",
                v1::InvoiceStatus status = v1::INVOICE_STATUS_OPEN) {
  v1::Invoice inv;
  inv.set_debtor_id("D-17");
  *inv.mutable_due_date() = ToDate(due);
  inv.set_currency(currency);
  inv.mutable_amount()->set_minor_units(open);
  inv.mutable_amount()->set_currency(currency);
  inv.mutable_open_balance()->set_minor_units(open);
  inv.mutable_open_balance()->set_currency(currency);
  inv.set_status(status);
  return inv;
}

std::vector<std::string> Labels(const std::vector<v1::AgeingBucket>& b) {
  std::vector<std::string> out;
  for (const auto& x : b) out.push_back(x.label());
  return out;
}

std::vector<int64_t> Counts(const std::vector<v1::AgeingBucket>& b) {
  std::vector<int64_t> out;
  for (const auto& x : b) out.push_back(x.invoice_count());
  return out;
}

TEST(Ageing, DefaultBucketsAtTheirBoundaries) {
  const absl::CivilDay as_of(2025, 6, 30);
  std::vector<v1::Invoice> invoices;
  // Days past due: -5 and 0 are not due; 1 and 30 are "1-30"; 31 is "31-60"; ...
  for (int days : {-5, 0, 1, 30, 31, 60, 61, 90, 91, 180, 181, 400}) {
    invoices.push_back(Inv(as_of - days, 100));
  }
  const auto buckets = Must(Ageing(invoices, as_of));
  EXPECT_THAT(Labels(buckets), ElementsAre("not due", "1-30", "31-60", "61-90", "91-180", "181+"));
  EXPECT_THAT(Counts(buckets), ElementsAre(2, 2, 2, 2, 2, 2));
  EXPECT_EQ(buckets[0].min_days_past_due(), -1);
  EXPECT_EQ(buckets[0].max_days_past_due(), 0);
  EXPECT_EQ(buckets[1].min_days_past_due(), 1);
  EXPECT_EQ(buckets[1].max_days_past_due(), 30);
  EXPECT_EQ(buckets[5].min_days_past_due(), 181);
  EXPECT_EQ(buckets[5].max_days_past_due(), -1);
  ASSERT_EQ(buckets[1].open_balance_size(), 1);
  EXPECT_EQ(buckets[1].open_balance(0).minor_units(), 200);
}

TEST(Ageing, Day30AndDay31FallInDifferentBuckets) {
  const absl::CivilDay due(2025, 3, 31);
  const v1::Invoice inv = Inv(due, 100);
  EXPECT_EQ(DaysPastDue(inv, due), 0);
  EXPECT_EQ(DaysPastDue(inv, due - 1), -1);
  const auto at30 = Must(Ageing({inv}, due + 30));
  const auto at31 = Must(Ageing({inv}, due + 31));
  EXPECT_THAT(Counts(at30), ElementsAre(0, 1, 0, 0, 0, 0));
  EXPECT_THAT(Counts(at31), ElementsAre(0, 0, 1, 0, 0, 0));
  EXPECT_THAT(Counts(Must(Ageing({inv}, due))), ElementsAre(1, 0, 0, 0, 0, 0));
}

TEST(Ageing, SumsPerCurrencyAndSkipsClosedInvoices) {
  const absl::CivilDay as_of(2025, 6, 30);
  const std::vector<v1::Invoice> invoices = {
      Inv(as_of - 10, 1000, "EUR"),
      Inv(as_of - 12, 500, "GBP"),
      Inv(as_of - 15, 250, "EUR", v1::INVOICE_STATUS_PARTIALLY_PAID),
      Inv(as_of - 20, 999, "EUR", v1::INVOICE_STATUS_DISPUTED),
      Inv(as_of - 10, 0, "EUR", v1::INVOICE_STATUS_PAID),
      Inv(as_of - 10, 700, "EUR", v1::INVOICE_STATUS_CANCELLED),
      Inv(as_of - 10, 700, "EUR", v1::INVOICE_STATUS_WRITTEN_OFF),
  };
  const auto buckets = Must(Ageing(invoices, as_of));
  EXPECT_EQ(buckets[1].invoice_count(), 4);
  ASSERT_EQ(buckets[1].open_balance_size(), 2);
  EXPECT_EQ(buckets[1].open_balance(0).currency(), "EUR");
  EXPECT_EQ(buckets[1].open_balance(0).minor_units(), 2249);
  EXPECT_EQ(buckets[1].open_balance(1).currency(), "GBP");
  EXPECT_EQ(buckets[1].open_balance(1).minor_units(), 500);
}

TEST(Ageing, CustomBoundsAndTheirValidation) {
  const absl::CivilDay as_of(2025, 6, 30);
  const std::vector<int32_t> bounds = {15, 45};
  const auto buckets =
      Must(Ageing({Inv(as_of - 15, 1), Inv(as_of - 16, 1), Inv(as_of - 46, 1)}, as_of, bounds));
  EXPECT_THAT(Labels(buckets), ElementsAre("not due", "1-15", "16-45", "46+"));
  EXPECT_THAT(Counts(buckets), ElementsAre(0, 1, 1, 1));
  const std::vector<int32_t> bad = {30, 30};
  auto s = Ageing({}, as_of, bad);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.status().message()), ::testing::StartsWith("ageing_bounds[1]: "));
  const std::vector<int32_t> zero = {0};
  EXPECT_FALSE(Ageing({}, as_of, zero).ok());
}

TEST(Matches, EachFilterField) {
  const absl::CivilDay as_of(2025, 6, 30);
  const v1::Invoice inv = Inv(as_of - 40, 1000);
  state::v1::DebtorProfile debtor;
  debtor.set_type(v1::DEBTOR_TYPE_BUSINESS);
  debtor.add_tags("wine");
  debtor.add_tags("north");
  v1::InvoiceFilter f;
  EXPECT_TRUE(Matches(inv, f, as_of));
  f.set_debtor_id("D-18");
  EXPECT_FALSE(Matches(inv, f, as_of));
  f.set_debtor_id("D-17");
  EXPECT_TRUE(Matches(inv, f, as_of));
  f.add_statuses(v1::INVOICE_STATUS_PAID);
  EXPECT_FALSE(Matches(inv, f, as_of));
  f.add_statuses(v1::INVOICE_STATUS_OPEN);
  EXPECT_TRUE(Matches(inv, f, as_of));
  *f.mutable_due_from() = ToDate(as_of - 40);
  *f.mutable_due_to() = ToDate(as_of - 40);
  EXPECT_TRUE(Matches(inv, f, as_of));  // inclusive
  *f.mutable_due_from() = ToDate(as_of - 39);
  EXPECT_FALSE(Matches(inv, f, as_of));
  f.clear_due_from();
  f.set_min_days_past_due(40);
  EXPECT_TRUE(Matches(inv, f, as_of));
  f.set_min_days_past_due(41);
  EXPECT_FALSE(Matches(inv, f, as_of));
  f.set_min_days_past_due(0);
  f.set_max_days_past_due(39);
  EXPECT_FALSE(Matches(inv, f, as_of));
  f.set_max_days_past_due(0);
  f.set_currency("GBP");
  EXPECT_FALSE(Matches(inv, f, as_of));
  f.set_currency("EUR");
  f.set_only_open(true);
  EXPECT_TRUE(Matches(inv, f, as_of));
  EXPECT_FALSE(Matches(Inv(as_of, 0, "EUR", v1::INVOICE_STATUS_PAID), f, as_of));
  f.add_debtor_tags("wine");
  EXPECT_FALSE(Matches(inv, f, as_of));  // no debtor given
  EXPECT_TRUE(Matches(inv, f, as_of, &debtor));
  f.add_debtor_tags("south");
  EXPECT_FALSE(Matches(inv, f, as_of, &debtor));  // all tags needed
  f.clear_debtor_tags();
  f.set_debtor_type(v1::DEBTOR_TYPE_CONSUMER);
  EXPECT_FALSE(Matches(inv, f, as_of, &debtor));
  f.set_debtor_type(v1::DEBTOR_TYPE_BUSINESS);
  EXPECT_TRUE(Matches(inv, f, as_of, &debtor));
}

TEST(Ageing, OfAnAccount) {
  Account a = testing::WithInvoices({testing::Spec("INV-1", 1000), testing::Spec("INV-2", 500)});
  // Due 2025-03-31: on 2025-05-01 that is 31 days past due.
  const auto buckets = Must(AccountAgeing(a, absl::CivilDay(2025, 5, 1)));
  EXPECT_THAT(Counts(buckets), ElementsAre(0, 0, 2, 0, 0, 0));
  EXPECT_EQ(buckets[2].open_balance(0).minor_units(), 1500);
}

}  // namespace
}  // namespace concerto::invoice
