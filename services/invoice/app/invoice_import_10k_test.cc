// ImportInvoices at volume: 10,000 invoices over 2,000 debtors in ONE stream, 1% of the rows bad
// (100 rows, each with its own problem). Exactly the good rows exist afterwards (ListInvoices
// total_count), every bad row is reported with its line and the field at fault, and importing
// the same stream again (a new request) answers DUPLICATE for every good row and changes no state.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/invoice/app/invoice_test_env.h"

namespace concerto::invoice {
namespace {

using testing::Ctx;
using testing::Eur;

constexpr int kRows = 10000;
constexpr int kDebtors = 2000;
constexpr char kTenant[] = "bulk";

// Five consecutive rows per debtor, so every debtor has good rows.
std::string DebtorOf(int i) { return absl::StrCat("DEB-", (i / 5) % kDebtors); }
std::string NumberOf(int i) { return absl::StrCat("B-", 100000 + i); }
int64_t LineOf(int i) { return i + 2; }  // as in a CSV file with a header on line 1
bool IsBad(int i) { return i % 100 == 37; }

v1::InvoiceSpec GoodSpec(int i) {
  v1::InvoiceSpec s = testing::Spec(NumberOf(i), DebtorOf(i), 1000 + (i % 977) * 13);
  *s.mutable_due_date() = ToDate(absl::CivilDay(2025, 12, 1) + (i % 120));
  s.set_purchase_order(absl::StrCat("PO-", i % 50));
  return s;
}

// BadRow breaks row `i` in the way of kind `k` (variant `v` makes each of the 100 distinct) and
// returns the field the service must name.
std::string BreakRow(int i, int k, int v, v1::ImportRow* row) {
  v1::InvoiceSpec* s = row->mutable_invoice();
  switch (k) {
    case 0:
      s->clear_invoice_number();
      return "invoice_number";
    case 1:
      s->set_invoice_number(std::string(65 + v, 'N'));
      return "invoice_number";
    case 2:
      s->set_currency(std::string("Q") + static_cast<char>('A' + v) + "Z");
      return "currency";
    case 3:
      s->mutable_due_date()->set_month(13);
      return "due_date";
    case 4:
      *s->mutable_due_date() = ToDate(absl::CivilDay(2025, 11, 1 + v));  // before issue 12-01
      return "due_date";
    case 5:
      s->mutable_issue_date()->set_day(30);
      s->mutable_issue_date()->set_month(2);  // 2025-02-30
      return "issue_date";
    case 6:
      s->clear_due_date();
      return "due_date";
    case 7:
      s->mutable_amount()->set_minor_units(-1 - v);
      return "amount";
    case 8:
      s->mutable_amount()->set_minor_units(0);
      s->mutable_amount()->set_currency(v % 2 ? "EUR" : "");
      return "amount";
    case 9:
      *s->mutable_open_balance() = Eur(s->amount().minor_units() + 1 + v);
      return "open_balance";
    case 10:
      *s->mutable_open_balance() = Eur(-5 - v);
      return "open_balance";
    case 11:
      s->set_payment_reference(absl::StrCat("RF00", 1234 + v));
      return "payment_reference";
    case 12:
      s->set_payment_reference(std::string(36 + v, '7'));
      return "payment_reference";
    case 13:
      s->set_purchase_order(absl::StrCat("PO\n", v));
      return "purchase_order";
    case 14:
      s->mutable_document()->set_media_type("application/pdf");
      return "document";
    case 15:
      s->mutable_document()->set_uri(absl::StrCat("https://docs.example/", i));
      s->mutable_document()->set_sha256(absl::StrCat("abc", v));
      return "document.sha256";
    case 16: {
      v1::InvoiceLine* l = s->add_lines();
      l->set_quantity_milli(1000);
      *l->mutable_unit_price() = Eur(100 + v);
      return "amount";  // the lines' sum differs from the amount
    }
    case 17: {
      v1::InvoiceLine* l = s->add_lines();
      l->set_quantity_milli(0);
      *l->mutable_unit_price() = Eur(100);
      s->clear_amount();
      return "lines[0].quantity_milli";
    }
    case 18: {
      v1::InvoiceLine* l = s->add_lines();
      l->set_quantity_milli(1000);
      *l->mutable_unit_price() = Eur(100);
      l->set_vat_rate_bp(10001 + v);
      s->clear_amount();
      return "lines[0].vat_rate_bp";
    }
    case 19:
      s->mutable_amount()->set_currency("USD");
      return "amount.currency";
    case 20:
      s->clear_debtor_id();
      return "debtor_id";
    case 21:
      s->set_invoice_number(NumberOf(i - 5));  // a good row of the debtor before
      return "invoice_number";
    case 22:
      row->clear_invoice();
      return "item";
    case 23:
      s->clear_issue_date();
      return "issue_date";
    default:
      s->set_invoice_number(absl::StrCat("B-", i, "\x01"));
      return "invoice_number";
  }
}

struct Stream {
  std::vector<v1::ImportRow> rows;
  std::map<int64_t, std::string> bad_field;  // line -> field the service must name
};

Stream BuildStream() {
  Stream s;
  int bad = 0;
  for (int i = 0; i < kRows; ++i) {
    v1::ImportRow row;
    row.set_line(LineOf(i));
    *row.mutable_invoice() = GoodSpec(i);
    if (IsBad(i)) {
      const int kind = bad % 25;
      const int variant = bad / 25;
      s.bad_field[row.line()] = BreakRow(i, kind, variant, &row);
      ++bad;
    }
    s.rows.push_back(std::move(row));
  }
  return s;
}

class InvoiceImport10kTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { env_ = testing::Env::Create().release(); }
  static void TearDownTestSuite() {
    delete env_;
    env_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(env_, nullptr) << "fixtures did not start"; }

  static grpc::Status Import(const Stream& s, const std::string& key, bool rejected_only,
                             v1::ImportInvoicesResponse* out) {
    grpc::ClientContext ctx;
    auto writer = env_->stub->ImportInvoices(&ctx, out);
    for (size_t start = 0; start < s.rows.size(); start += 1000) {
      v1::ImportInvoicesRequest m;
      if (start == 0) {
        *m.mutable_context() = Ctx(kTenant, key);
        m.set_report_rejected_only(rejected_only);
      }
      for (size_t k = start; k < std::min(s.rows.size(), start + 1000); ++k) {
        *m.add_rows() = s.rows[k];
      }
      if (!writer->Write(m)) break;
    }
    writer->WritesDone();
    return writer->Finish();
  }

  static int64_t TotalCount() {
    grpc::ClientContext ctx;
    v1::ListInvoicesRequest r;
    *r.mutable_context() = Ctx(kTenant);
    r.set_page_size(10);
    v1::ListInvoicesResponse page;
    const grpc::Status s = env_->stub->ListInvoices(&ctx, r, &page);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return page.total_count();
  }

  static std::map<std::string, std::string> Snapshot() {
    auto states = env_->processor->ScanAggregates(absl::StrCat(kTenant, "/"));
    EXPECT_TRUE(states.ok()) << states.status();
    std::map<std::string, std::string> out;
    if (states.ok()) out.insert(states->begin(), states->end());
    return out;
  }

  static testing::Env* env_;
};

testing::Env* InvoiceImport10kTest::env_ = nullptr;

TEST_F(InvoiceImport10kTest, OneStreamOfTenThousandRowsThenTheSameStreamAgain) {
  const Stream stream = BuildStream();
  ASSERT_EQ(stream.bad_field.size(), 100u);

  const absl::Time t0 = absl::Now();
  v1::ImportInvoicesResponse first;
  grpc::Status s = Import(stream, "bulk-import-1", /*rejected_only=*/true, &first);
  const absl::Duration took = absl::Now() - t0;
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::printf("first import of %d rows: %s\n", kRows, absl::FormatDuration(took).c_str());
  EXPECT_EQ(first.rows(), kRows);
  EXPECT_EQ(first.created(), kRows - 100);
  EXPECT_EQ(first.duplicates(), 0);
  EXPECT_EQ(first.adjusted(), 0);
  EXPECT_EQ(first.rejected(), 100);
  // Every bad row, once, with its line and the field at fault.
  ASSERT_EQ(first.results_size(), 100);
  std::map<int64_t, std::string> missing = stream.bad_field;
  for (const v1::ImportRowResult& r : first.results()) {
    EXPECT_EQ(r.outcome(), v1::ISSUE_OUTCOME_REJECTED);
    auto it = missing.find(r.line());
    ASSERT_NE(it, missing.end()) << "unexpected or repeated line " << r.line();
    bool named = false;
    for (const v1::FieldError& e : r.errors()) {
      EXPECT_EQ(e.line(), r.line());
      EXPECT_FALSE(e.problem().empty());
      named = named || e.field() == it->second;
    }
    EXPECT_TRUE(named) << "line " << r.line() << " should name " << it->second << ": "
                       << r.ShortDebugString();
    missing.erase(it);
  }
  EXPECT_TRUE(missing.empty());
  EXPECT_EQ(TotalCount(), kRows - 100);
  const std::map<std::string, std::string> before = Snapshot();
  EXPECT_EQ(before.size(), static_cast<size_t>(kDebtors));

  // The same stream as a new request: every good row is a DUPLICATE and no state changes.
  const absl::Time t1 = absl::Now();
  v1::ImportInvoicesResponse second;
  s = Import(stream, "bulk-import-2", /*rejected_only=*/false, &second);
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::printf("second import of %d rows: %s\n", kRows,
              absl::FormatDuration(absl::Now() - t1).c_str());
  EXPECT_EQ(second.created(), 0);
  EXPECT_EQ(second.adjusted(), 0);
  EXPECT_EQ(second.duplicates(), kRows - 100);
  EXPECT_EQ(second.rejected(), 100);
  EXPECT_EQ(second.debtors_upserted(), 0);
  ASSERT_EQ(second.results_size(), kRows);
  for (int i = 0; i < kRows; ++i) {
    const v1::ImportRowResult& r = second.results(i);
    EXPECT_EQ(r.line(), LineOf(i));
    EXPECT_EQ(r.outcome(), IsBad(i) ? v1::ISSUE_OUTCOME_REJECTED : v1::ISSUE_OUTCOME_DUPLICATE)
        << "row " << i;
  }
  EXPECT_EQ(TotalCount(), kRows - 100);
  EXPECT_TRUE(Snapshot() == before) << "a re-import must not change any account";

  // A retry of the first request (same key) answers from the stored results.
  v1::ImportInvoicesResponse retry;
  ASSERT_TRUE(Import(stream, "bulk-import-1", true, &retry).ok());
  EXPECT_EQ(retry.created(), kRows - 100);
  EXPECT_EQ(retry.rejected(), 100);
  EXPECT_TRUE(Snapshot() == before);
}

}  // namespace
}  // namespace concerto::invoice
