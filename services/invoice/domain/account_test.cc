#include "services/invoice/domain/account.h"

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "libs/core/stable_hash.h"
#include "libs/rules/creditor_reference.h"
#include "services/invoice/domain/domain_test_util.h"

namespace concerto::invoice {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using testing::Allocated;
using testing::D;
using testing::Decode;
using ::testing::ElementsAre;
using testing::Eur;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::kAllocatedType;
using testing::kDebtor;
using testing::kReversedType;
using testing::kTenant;
using testing::Must;
using testing::Now;
using testing::Ref;
using testing::Reversed;
using testing::Spec;
using ::testing::StartsWith;
using testing::WithInvoices;

v1::InvoiceLine Line(int64_t quantity_milli, int64_t unit_price_minor, int32_t vat_bp) {
  v1::InvoiceLine l;
  l.set_description("widget");
  l.set_quantity_milli(quantity_milli);
  *l.mutable_unit_price() = Eur(unit_price_minor);
  l.set_vat_rate_bp(vat_bp);
  return l;
}

// ---- validation: every rule names its field ----

struct ValidationCase {
  std::string name;
  std::function<void(v1::InvoiceSpec*)> mutate;
  std::string field;
};

TEST(IssueInvoice, EveryValidationRuleNamesItsField) {
  const std::vector<ValidationCase> cases = {
      {"number empty", [](v1::InvoiceSpec* s) { s->clear_invoice_number(); }, "invoice_number"},
      {"number too long", [](v1::InvoiceSpec* s) { s->set_invoice_number(std::string(65, 'N')); },
       "invoice_number"},
      {"number control char", [](v1::InvoiceSpec* s) { s->set_invoice_number("INV\n1"); },
       "invoice_number"},
      {"debtor missing", [](v1::InvoiceSpec* s) { s->clear_debtor_id(); }, "debtor_id"},
      {"other debtor", [](v1::InvoiceSpec* s) { s->set_debtor_id("D-18"); }, "debtor_id"},
      {"currency missing", [](v1::InvoiceSpec* s) { s->clear_currency(); }, "currency"},
      {"currency unknown", [](v1::InvoiceSpec* s) { s->set_currency("XXX"); }, "currency"},
      {"issue date missing", [](v1::InvoiceSpec* s) { s->clear_issue_date(); }, "issue_date"},
      {"issue date invalid",
       [](v1::InvoiceSpec* s) {
         s->mutable_issue_date()->set_month(2);  // 2025-02-30 (D() would normalise it)
         s->mutable_issue_date()->set_day(30);
       },
       "issue_date"},
      {"due date missing", [](v1::InvoiceSpec* s) { s->clear_due_date(); }, "due_date"},
      {"due before issue", [](v1::InvoiceSpec* s) { *s->mutable_due_date() = D(2025, 2, 28); },
       "due_date"},
      {"amount missing", [](v1::InvoiceSpec* s) { s->clear_amount(); }, "amount"},
      {"amount zero", [](v1::InvoiceSpec* s) { *s->mutable_amount() = Eur(0); }, "amount"},
      {"amount negative", [](v1::InvoiceSpec* s) { *s->mutable_amount() = Eur(-5); }, "amount"},
      {"amount currency", [](v1::InvoiceSpec* s) { s->mutable_amount()->set_currency("USD"); },
       "amount.currency"},
      {"open balance above amount",
       [](v1::InvoiceSpec* s) { *s->mutable_open_balance() = Eur(10001); }, "open_balance"},
      {"open balance negative", [](v1::InvoiceSpec* s) { *s->mutable_open_balance() = Eur(-1); },
       "open_balance"},
      {"bad RF", [](v1::InvoiceSpec* s) { s->set_payment_reference("RF19539007547034"); },
       "payment_reference"},
      {"RF check digits 00 (alias of RF9772)",
       [](v1::InvoiceSpec* s) { s->set_payment_reference("RF0072"); }, "payment_reference"},
      {"long reference", [](v1::InvoiceSpec* s) { s->set_payment_reference(std::string(36, '1')); },
       "payment_reference"},
      {"purchase order", [](v1::InvoiceSpec* s) { s->set_purchase_order(std::string(129, 'P')); },
       "purchase_order"},
      {"document empty", [](v1::InvoiceSpec* s) { s->mutable_document()->set_media_type("x"); },
       "document"},
      {"document sha",
       [](v1::InvoiceSpec* s) {
         s->mutable_document()->set_uri("s3://docs/1.pdf");
         s->mutable_document()->set_sha256("abc");
       },
       "document.sha256"},
      {"line quantity zero",
       [](v1::InvoiceSpec* s) {
         s->clear_amount();
         *s->add_lines() = Line(0, 1000, 2200);
       },
       "lines[0].quantity_milli"},
      {"line unit price missing",
       [](v1::InvoiceSpec* s) {
         s->clear_amount();
         *s->add_lines() = Line(1000, 1000, 2200);
         s->mutable_lines(0)->clear_unit_price();
       },
       "lines[0].unit_price"},
      {"line vat rate",
       [](v1::InvoiceSpec* s) {
         s->clear_amount();
         *s->add_lines() = Line(1000, 1000, 12000);
       },
       "lines[0].vat_rate_bp"},
      {"line currency",
       [](v1::InvoiceSpec* s) {
         s->clear_amount();
         *s->add_lines() = Line(1000, 1000, 2200);
         s->mutable_lines(0)->mutable_unit_price()->set_currency("GBP");
       },
       "lines[0].unit_price.currency"},
      {"line net",
       [](v1::InvoiceSpec* s) {
         s->clear_amount();
         *s->add_lines() = Line(1000, 1000, 2200);
         *s->add_lines() = Line(2000, 1000, 2200);
         *s->mutable_lines(1)->mutable_net_amount() = Eur(2001);
       },
       "lines[1].net_amount"},
      {"line vat",
       [](v1::InvoiceSpec* s) {
         s->clear_amount();
         *s->add_lines() = Line(1000, 1000, 2200);
         *s->mutable_lines(0)->mutable_vat_amount() = Eur(221);
       },
       "lines[0].vat_amount"},
      {"line gross",
       [](v1::InvoiceSpec* s) {
         s->clear_amount();
         *s->add_lines() = Line(1000, 1000, 2200);
         *s->mutable_lines(0)->mutable_gross_amount() = Eur(1000);
       },
       "lines[0].gross_amount"},
      {"amount vs lines",
       [](v1::InvoiceSpec* s) {
         *s->mutable_amount() = Eur(1221);
         *s->add_lines() = Line(1000, 1000, 2200);
       },
       "amount"},
  };
  const Account a = NewAccount(kTenant, kDebtor);
  ASSERT_TRUE(CheckInvoiceSpec(a, Spec("INV-1", 10000)).empty());
  for (const ValidationCase& c : cases) {
    v1::InvoiceSpec spec = Spec("INV-1", 10000);
    c.mutate(&spec);
    const std::vector<v1::FieldError> errors = CheckInvoiceSpec(a, spec);
    ASSERT_FALSE(errors.empty()) << c.name;
    EXPECT_EQ(errors[0].field(), c.field) << c.name << ": " << errors[0].problem();
    EXPECT_FALSE(errors[0].problem().empty()) << c.name;
    absl::StatusOr<Decision<v1::IssueInvoiceResponse>> d = IssueInvoice(a, spec, Now());
    ASSERT_FALSE(d.ok()) << c.name;
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_THAT(std::string(d.status().message()), StartsWith(c.field + ": ")) << c.name;
  }
}

TEST(IssueInvoice, ReportsEveryProblemAtOnce) {
  v1::InvoiceSpec spec = Spec("", 0);
  *spec.mutable_due_date() = D(2025, 1, 1);
  const std::vector<v1::FieldError> errors = CheckInvoiceSpec(NewAccount(kTenant, kDebtor), spec);
  std::vector<std::string> fields;
  for (const auto& e : errors) fields.push_back(e.field());
  EXPECT_THAT(fields, ElementsAre("invoice_number", "due_date", "amount"));
  absl::StatusOr<Decision<v1::IssueInvoiceResponse>> d =
      IssueInvoice(NewAccount(kTenant, kDebtor), spec, Now());
  EXPECT_EQ(d.status().message(),
            "invoice_number: required; due_date: must not be before issue_date; amount: must be "
            "greater than zero");
}

TEST(IssueInvoice, LinesAreComputedAndRoundedHalfAwayFromZero) {
  v1::InvoiceSpec spec = Spec("INV-L", 0);
  spec.clear_amount();
  *spec.add_lines() = Line(1500, 333, 2200);   // 1.5 x 3.33 = 4.995 -> 5.00; VAT 1.10
  *spec.add_lines() = Line(1000, -333, 2250);  // discount -3.33; VAT -0.74925 -> -0.75
  auto d = Must(IssueInvoice(NewAccount(kTenant, kDebtor), spec, Now()));
  const v1::Invoice& inv = d.reply.invoice();
  ASSERT_EQ(inv.lines_size(), 2);
  EXPECT_EQ(inv.lines(0).net_amount().minor_units(), 500);
  EXPECT_EQ(inv.lines(0).vat_amount().minor_units(), 110);
  EXPECT_EQ(inv.lines(0).gross_amount().minor_units(), 610);
  EXPECT_EQ(inv.lines(0).line_no(), 1);
  EXPECT_EQ(inv.lines(1).net_amount().minor_units(), -333);
  EXPECT_EQ(inv.lines(1).vat_amount().minor_units(), -75);
  EXPECT_EQ(inv.lines(1).gross_amount().minor_units(), -408);
  EXPECT_EQ(inv.net_amount().minor_units(), 167);
  EXPECT_EQ(inv.vat_amount().minor_units(), 35);
  EXPECT_EQ(inv.amount().minor_units(), 202);
  EXPECT_EQ(inv.open_balance().minor_units(), 202);
  // Given amounts that agree are accepted.
  v1::InvoiceSpec exact = spec;
  exact.set_invoice_number("INV-L2");
  *exact.mutable_amount() = Eur(202);
  *exact.mutable_lines(0)->mutable_net_amount() = Eur(500);
  *exact.mutable_lines(0)->mutable_vat_amount() = Eur(110);
  *exact.mutable_lines(0)->mutable_gross_amount() = Eur(610);
  EXPECT_TRUE(IssueInvoice(d.state, exact, Now()).ok());
}

// ---- outcomes ----

TEST(IssueInvoice, CreatedEmitsInvoiceIssuedWithDeterministicIdAndRfReference) {
  Account a = NewAccount(kTenant, kDebtor);
  DebtorUpsert u;
  u.profile.set_debtor_id(kDebtor);
  u.profile.set_type(v1::DEBTOR_TYPE_BUSINESS);
  u.profile.set_country("IT");
  a = Must(UpsertDebtor(a, u, Now())).state;

  v1::InvoiceSpec spec = Spec("INV-2025-001", 41250);
  spec.mutable_document()->set_uri("s3://docs/INV-2025-001.pdf");
  auto d = Must(IssueInvoice(a, spec, Now()));
  EXPECT_TRUE(d.changed);
  EXPECT_EQ(d.reply.outcome(), v1::ISSUE_OUTCOME_CREATED);
  const std::string id = InvoiceIdFor(kTenant, "INV-2025-001");
  EXPECT_EQ(id, core::DeterministicId(kTenant, "invoice/INV-2025-001"));
  EXPECT_NE(id, InvoiceIdFor("other-tenant", "INV-2025-001"));
  ASSERT_EQ(d.events.size(), 1u);
  const auto issued = Decode<v1::InvoiceIssued>(d.events, 0);
  EXPECT_EQ(issued.invoice_id(), id);
  EXPECT_EQ(issued.invoice_number(), "INV-2025-001");
  EXPECT_EQ(issued.debtor_id(), kDebtor);
  EXPECT_EQ(issued.amount().minor_units(), 41250);
  EXPECT_EQ(issued.open_balance().minor_units(), 41250);
  EXPECT_EQ(issued.debtor_type(), v1::DEBTOR_TYPE_BUSINESS);
  EXPECT_EQ(issued.country(), "IT");
  EXPECT_EQ(issued.payment_reference(), rules::CreditorReferenceForInvoiceNumber("INV-2025-001"));
  EXPECT_TRUE(rules::IsValidCreditorReference(issued.payment_reference()));
  EXPECT_TRUE(issued.has_document());
  EXPECT_FALSE(issued.has_vat_amount());  // unknown without lines
  EXPECT_EQ(d.reply.invoice().status(), v1::INVOICE_STATUS_OPEN);
  EXPECT_FALSE(d.reply.invoice().document().document_id().empty());
  EXPECT_EQ(d.state.invoice_numbers_by_id().at(id), "INV-2025-001");
  // FindInvoice by id and by number.
  v1::InvoiceRef by_id;
  by_id.set_invoice_id(id);
  EXPECT_EQ(Must(FindInvoice(d.state, by_id))->invoice_number(), "INV-2025-001");
  EXPECT_EQ(FindInvoice(d.state, Ref("nope")).status().code(), absl::StatusCode::kNotFound);
}

TEST(IssueInvoice, IdenticalReSendIsDuplicateAndChangesNothing) {
  const v1::InvoiceSpec spec = Spec("INV-1", 10000);
  const Account a = WithInvoices({spec});
  auto d = Must(IssueInvoice(a, spec, Now() + absl::Hours(5)));
  EXPECT_EQ(d.reply.outcome(), v1::ISSUE_OUTCOME_DUPLICATE);
  EXPECT_FALSE(d.changed);
  EXPECT_THAT(d.events, IsEmpty());
  EXPECT_TRUE(MessageDifferencer::Equals(d.state, a));
  // Giving the generated reference explicitly is the same content.
  v1::InvoiceSpec with_ref = spec;
  with_ref.set_payment_reference(a.invoices().at("INV-1").payment_reference());
  EXPECT_EQ(Must(IssueInvoice(a, with_ref, Now())).reply.outcome(), v1::ISSUE_OUTCOME_DUPLICATE);
}

TEST(IssueInvoice, ChangedReSendIsAnExplicitResendAdjustment) {
  const Account a = WithInvoices({Spec("INV-1", 10000)});
  v1::InvoiceSpec changed = Spec("INV-1", 12000);
  *changed.mutable_due_date() = D(2025, 4, 15);
  auto d = Must(IssueInvoice(a, changed, Now()));
  EXPECT_EQ(d.reply.outcome(), v1::ISSUE_OUTCOME_ADJUSTED);
  const v1::Invoice& inv = d.reply.invoice();
  EXPECT_EQ(inv.amount().minor_units(), 12000);
  EXPECT_EQ(inv.open_balance().minor_units(), 12000);
  EXPECT_EQ(ToCivilDay(inv.due_date()), absl::CivilDay(2025, 4, 15));
  ASSERT_EQ(inv.adjustments_size(), 1);
  EXPECT_EQ(inv.adjustments(0).kind(), v1::ADJUSTMENT_KIND_RESEND);
  EXPECT_EQ(inv.adjustments(0).delta().minor_units(), 2000);
  EXPECT_EQ(inv.version(), 2);
  ASSERT_EQ(d.events.size(), 1u);
  const auto adjusted = Decode<v1::InvoiceAdjusted>(d.events, 0);
  EXPECT_EQ(adjusted.kind(), v1::ADJUSTMENT_KIND_RESEND);
  EXPECT_EQ(adjusted.delta().minor_units(), 2000);
  EXPECT_EQ(adjusted.amount().minor_units(), 12000);
  EXPECT_EQ(adjusted.adjustment_id(), inv.adjustments(0).adjustment_id());
  // The re-sent content is now the reference: sending it again is a duplicate.
  EXPECT_EQ(Must(IssueInvoice(d.state, changed, Now())).reply.outcome(),
            v1::ISSUE_OUTCOME_DUPLICATE);
  // Sending the original again is another explicit change back.
  auto back = Must(IssueInvoice(d.state, Spec("INV-1", 10000), Now()));
  EXPECT_EQ(back.reply.outcome(), v1::ISSUE_OUTCOME_ADJUSTED);
  EXPECT_EQ(back.reply.invoice().adjustments(1).delta().minor_units(), -2000);
  EXPECT_NE(back.reply.invoice().adjustments(1).adjustment_id(),
            inv.adjustments(0).adjustment_id());
}

TEST(IssueInvoice, ResendKeepsPaymentsAndRefusesImpossibleBalances) {
  Account a = WithInvoices({Spec("INV-1", 10000)});
  a = Must(ApplyPaymentEvent(a, kAllocatedType, Allocated("P1", {{"INV-1", 6000}}), Now())).state;
  // Lowered by 2000: 4000 open becomes 2000.
  auto d = Must(IssueInvoice(a, Spec("INV-1", 8000), Now()));
  EXPECT_EQ(d.reply.invoice().open_balance().minor_units(), 2000);
  EXPECT_EQ(d.reply.invoice().status(), v1::INVOICE_STATUS_PARTIALLY_PAID);
  // Lowered below what is paid: refused.
  auto refused = IssueInvoice(a, Spec("INV-1", 5000), Now());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(refused.status().message()), StartsWith("amount: "));
  // A cancelled invoice cannot be changed by a re-send.
  Account c = WithInvoices({Spec("INV-2", 10000)});
  v1::CancelInvoiceRequest cancel;
  *cancel.mutable_invoice() = Ref("INV-2");
  c = Must(CancelInvoice(c, cancel, Now())).state;
  auto on_cancelled = IssueInvoice(c, Spec("INV-2", 11000), Now());
  EXPECT_EQ(on_cancelled.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(on_cancelled.status().message()), HasSubstr("cancelled"));
  // ...but the identical re-send is still a harmless duplicate.
  EXPECT_EQ(Must(IssueInvoice(c, Spec("INV-2", 10000), Now())).reply.outcome(),
            v1::ISSUE_OUTCOME_DUPLICATE);
}

TEST(IssueInvoice, IssuedPartlyPaid) {
  v1::InvoiceSpec spec = Spec("INV-1", 10000);
  *spec.mutable_open_balance() = Eur(2500);
  auto d = Must(IssueInvoice(NewAccount(kTenant, kDebtor), spec, Now()));
  EXPECT_EQ(d.reply.invoice().status(), v1::INVOICE_STATUS_PARTIALLY_PAID);
  EXPECT_EQ(Decode<v1::InvoiceIssued>(d.events, 0).open_balance().minor_units(), 2500);
}

// ---- import ----

TEST(ImportRows, GoodRowsGoInAndEachBadRowIsReportedWithItsLine) {
  const Account a = WithInvoices({Spec("INV-0", 5000)});
  v1::InvoiceSpec bad_due = Spec("INV-2", 100);
  *bad_due.mutable_due_date() = D(2024, 1, 1);
  v1::InvoiceSpec other_debtor = Spec("INV-4", 100);
  other_debtor.set_debtor_id("D-99");
  DebtorUpsert debtor;
  debtor.profile.set_debtor_id(kDebtor);
  debtor.profile.set_country("NL");
  std::vector<ImportItem> rows;
  rows.push_back({2, debtor, std::nullopt});
  rows.push_back({3, Spec("INV-1", 1000), std::nullopt});
  rows.push_back({4, bad_due, std::nullopt});
  rows.push_back({5, Spec("INV-0", 5000), std::nullopt});  // duplicate
  rows.push_back({6, other_debtor, std::nullopt});
  rows.push_back({7, Spec("INV-0", 5500), std::nullopt});  // changed re-send
  rows.push_back({8, Spec("INV-3", 3000), std::nullopt});
  DebtorDefaults bad_defaults;
  bad_defaults.country = "Italy";
  rows.push_back({9, Spec("INV-5", 3000), bad_defaults});

  auto d = Must(ImportRows(a, rows, Now()));
  const v1::ImportInvoicesResponse& r = d.reply;
  EXPECT_EQ(r.rows(), 8);
  EXPECT_EQ(r.created(), 2);
  EXPECT_EQ(r.duplicates(), 1);
  EXPECT_EQ(r.adjusted(), 1);
  EXPECT_EQ(r.rejected(), 3);
  EXPECT_EQ(r.debtors_upserted(), 1);
  ASSERT_EQ(r.results_size(), 8);
  std::vector<v1::IssueOutcome> outcomes;
  for (const auto& res : r.results()) outcomes.push_back(res.outcome());
  EXPECT_THAT(outcomes, ElementsAre(v1::ISSUE_OUTCOME_CREATED, v1::ISSUE_OUTCOME_CREATED,
                                    v1::ISSUE_OUTCOME_REJECTED, v1::ISSUE_OUTCOME_DUPLICATE,
                                    v1::ISSUE_OUTCOME_REJECTED, v1::ISSUE_OUTCOME_ADJUSTED,
                                    v1::ISSUE_OUTCOME_CREATED, v1::ISSUE_OUTCOME_REJECTED));
  EXPECT_EQ(r.results(0).invoice_id(), kDebtor);
  EXPECT_EQ(r.results(1).invoice_id(), InvoiceIdFor(kTenant, "INV-1"));
  ASSERT_EQ(r.results(2).errors_size(), 1);
  EXPECT_EQ(r.results(2).errors(0).line(), 4);
  EXPECT_EQ(r.results(2).errors(0).field(), "due_date");
  EXPECT_EQ(r.results(4).errors(0).line(), 6);
  EXPECT_EQ(r.results(4).errors(0).field(), "debtor_id");
  EXPECT_EQ(r.results(7).errors(0).line(), 9);
  EXPECT_EQ(r.results(7).errors(0).field(), "debtor_country");
  // Bad rows changed nothing; good rows went in.
  EXPECT_EQ(d.state.invoices().count("INV-2"), 0u);
  EXPECT_EQ(d.state.invoices().count("INV-4"), 0u);
  EXPECT_EQ(d.state.invoices().count("INV-5"), 0u);
  EXPECT_EQ(d.state.invoices().count("INV-1"), 1u);
  EXPECT_EQ(d.state.invoices().count("INV-3"), 1u);
  EXPECT_EQ(d.state.invoices().at("INV-0").amount().minor_units(), 5500);
  EXPECT_EQ(d.state.debtor().country(), "NL");
  // Events: DebtorUpserted, InvoiceIssued x2 (INV-1, INV-3), InvoiceAdjusted (INV-0), in row order.
  std::vector<std::string> types;
  for (const auto& e : d.events) types.push_back(e.type);
  EXPECT_THAT(
      types,
      ElementsAre("concerto.invoice.v1.DebtorUpserted", "concerto.invoice.v1.InvoiceIssued",
                  "concerto.invoice.v1.InvoiceAdjusted", "concerto.invoice.v1.InvoiceIssued"));
  // Re-importing the batch (without the stale INV-0 row) changes nothing more.
  rows.erase(rows.begin() + 3);
  auto again = Must(ImportRows(d.state, rows, Now()));
  EXPECT_EQ(again.reply.created(), 0);
  EXPECT_EQ(again.reply.adjusted(), 0);
  EXPECT_EQ(again.reply.duplicates(), 3);
  EXPECT_EQ(again.reply.debtors_upserted(), 0);
  EXPECT_EQ(again.reply.rejected(), 3);
  EXPECT_FALSE(again.changed);
  EXPECT_THAT(again.events, IsEmpty());
}

TEST(ImportRows, DebtorDefaultsFillOnlyEmptyFieldsAndFeedTheIssuedEvent) {
  DebtorDefaults defaults;
  defaults.type = v1::DEBTOR_TYPE_CONSUMER;
  defaults.country = "FI";
  defaults.time_zone = "Europe/Helsinki";
  std::vector<ImportItem> rows;
  rows.push_back({0, Spec("INV-1", 1000), defaults});
  DebtorDefaults other = defaults;
  other.country = "SE";
  other.preferred_language = "sv";
  rows.push_back({0, Spec("INV-2", 1000), other});
  auto d = Must(ImportRows(NewAccount(kTenant, kDebtor), rows, Now()));
  EXPECT_EQ(d.reply.results(0).line(), 1);  // numbered by position
  EXPECT_EQ(d.reply.results(1).line(), 2);
  EXPECT_EQ(d.state.debtor().country(), "FI");             // never overwritten
  EXPECT_EQ(d.state.debtor().preferred_language(), "sv");  // but filled when empty
  EXPECT_EQ(d.state.debtor().version(), 2);
  ASSERT_EQ(d.events.size(), 4u);
  const auto created = Decode<v1::DebtorUpserted>(d.events, 0);
  EXPECT_TRUE(created.created());
  EXPECT_THAT(created.changed_fields(), ElementsAre("type", "time_zone", "country"));
  const auto issued = Decode<v1::InvoiceIssued>(d.events, 1);
  EXPECT_EQ(issued.country(), "FI");
  EXPECT_EQ(issued.debtor_type(), v1::DEBTOR_TYPE_CONSUMER);
  EXPECT_THAT(Decode<v1::DebtorUpserted>(d.events, 2).changed_fields(),
              ElementsAre("preferred_language"));
}

TEST(ImportRows, ManyRowsOfOneDebtorAreLinear) {
  std::vector<ImportItem> rows;
  const int n = 10000;
  for (int i = 0; i < n; ++i) rows.push_back({i + 2, Spec(absl::StrCat("INV-", i), 1000 + i), {}});
  const absl::Time start = absl::Now();
  auto d = Must(ImportRows(NewAccount(kTenant, kDebtor), rows, Now()));
  const absl::Duration took = absl::Now() - start;
  EXPECT_EQ(d.reply.created(), n);
  EXPECT_EQ(d.state.invoices_size(), n);
  // A quadratic import would take minutes here; linear takes well under a second.
  EXPECT_LT(took, absl::Seconds(20));
}

// ---- credit and debit notes ----

v1::AdjustInvoiceRequest Note(const std::string& number, v1::AdjustmentKind kind, int64_t minor,
                              const std::string& note_number = "") {
  v1::AdjustInvoiceRequest r;
  *r.mutable_invoice() = Ref(number);
  r.set_kind(kind);
  *r.mutable_amount() = Eur(minor);
  r.set_credit_note_number(note_number);
  r.set_reason_code("pricing-error");
  return r;
}

TEST(AdjustInvoice, CreditNoteToZeroSettlesCredited) {
  const Account a = WithInvoices({Spec("INV-1", 10000)});
  auto d =
      Must(AdjustInvoice(a, Note("INV-1", v1::ADJUSTMENT_KIND_CREDIT_NOTE, 10000, "CN-1"), Now()));
  EXPECT_FALSE(d.reply.adjustment_id().empty());
  EXPECT_EQ(d.reply.invoice().amount().minor_units(), 0);
  EXPECT_EQ(d.reply.invoice().open_balance().minor_units(), 0);
  EXPECT_EQ(d.reply.invoice().status(), v1::INVOICE_STATUS_PAID);
  ASSERT_EQ(d.events.size(), 2u);
  const auto adjusted = Decode<v1::InvoiceAdjusted>(d.events, 0);
  EXPECT_EQ(adjusted.kind(), v1::ADJUSTMENT_KIND_CREDIT_NOTE);
  EXPECT_EQ(adjusted.delta().minor_units(), -10000);
  EXPECT_EQ(adjusted.credit_note_number(), "CN-1");
  EXPECT_EQ(adjusted.reason_code(), "pricing-error");
  const auto settled = Decode<v1::InvoiceSettled>(d.events, 1);
  EXPECT_EQ(settled.kind(), v1::SETTLEMENT_KIND_CREDITED);
  EXPECT_EQ(settled.paid().minor_units(), 0);
  EXPECT_EQ(ToCivilDay(settled.settled_on()), absl::CivilDay(2025, 3, 10));
  EXPECT_TRUE(settled.last_payment_id().empty());
  // The same note again is a no-op; the same number with another amount is refused.
  auto again = Must(
      AdjustInvoice(d.state, Note("INV-1", v1::ADJUSTMENT_KIND_CREDIT_NOTE, 10000, "CN-1"), Now()));
  EXPECT_FALSE(again.changed);
  EXPECT_THAT(again.events, IsEmpty());
  EXPECT_EQ(again.reply.adjustment_id(), d.reply.adjustment_id());
  auto clash = AdjustInvoice(a, Note("INV-1", v1::ADJUSTMENT_KIND_CREDIT_NOTE, 500, "CN-1"), Now());
  EXPECT_TRUE(clash.ok());  // on the original state CN-1 is new
  auto clash2 =
      AdjustInvoice(d.state, Note("INV-1", v1::ADJUSTMENT_KIND_CREDIT_NOTE, 500, "CN-1"), Now());
  EXPECT_EQ(clash2.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(clash2.status().message()), StartsWith("credit_note_number: "));
}

TEST(AdjustInvoice, CreditAfterPartPaymentSettlesMixed) {
  Account a = WithInvoices({Spec("INV-1", 10000)});
  a = Must(ApplyPaymentEvent(a, kAllocatedType, Allocated("P1", {{"INV-1", 7000}}), Now())).state;
  auto too_much = AdjustInvoice(a, Note("INV-1", v1::ADJUSTMENT_KIND_CREDIT_NOTE, 3001), Now());
  EXPECT_EQ(too_much.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(too_much.status().message()),
              HasSubstr("exceeds the open balance EUR 30.00"));
  auto d = Must(AdjustInvoice(a, Note("INV-1", v1::ADJUSTMENT_KIND_CREDIT_NOTE, 3000), Now()));
  ASSERT_EQ(d.events.size(), 2u);
  const auto settled = Decode<v1::InvoiceSettled>(d.events, 1);
  EXPECT_EQ(settled.kind(), v1::SETTLEMENT_KIND_MIXED);
  EXPECT_EQ(settled.paid().minor_units(), 7000);
  EXPECT_EQ(settled.amount().minor_units(), 7000);
  EXPECT_EQ(settled.last_payment_id(), "P1");
}

TEST(AdjustInvoice, DebitNoteAndDueDateMove) {
  const Account a = WithInvoices({Spec("INV-1", 10000)});
  v1::AdjustInvoiceRequest debit = Note("INV-1", v1::ADJUSTMENT_KIND_DEBIT_NOTE, 1500);
  *debit.mutable_new_due_date() = D(2025, 4, 30);
  auto d = Must(AdjustInvoice(a, debit, Now()));
  EXPECT_EQ(d.reply.invoice().amount().minor_units(), 11500);
  EXPECT_EQ(d.reply.invoice().open_balance().minor_units(), 11500);
  const auto adjusted = Decode<v1::InvoiceAdjusted>(d.events, 0);
  EXPECT_EQ(adjusted.delta().minor_units(), 1500);
  EXPECT_EQ(ToCivilDay(adjusted.due_date()), absl::CivilDay(2025, 4, 30));
  // Due date only.
  v1::AdjustInvoiceRequest move;
  *move.mutable_invoice() = Ref("INV-1");
  *move.mutable_new_due_date() = D(2025, 5, 15);
  auto m = Must(AdjustInvoice(d.state, move, Now()));
  EXPECT_EQ(ToCivilDay(m.reply.invoice().due_date()), absl::CivilDay(2025, 5, 15));
  EXPECT_EQ(Decode<v1::InvoiceAdjusted>(m.events, 0).delta().minor_units(), 0);
}

TEST(AdjustInvoice, BadInputNamesTheField) {
  const Account a = WithInvoices({Spec("INV-1", 10000)});
  auto check = [&](v1::AdjustInvoiceRequest r, const std::string& prefix, absl::StatusCode code) {
    auto d = AdjustInvoice(a, r, Now());
    ASSERT_FALSE(d.ok()) << prefix;
    EXPECT_EQ(d.status().code(), code) << d.status();
    EXPECT_THAT(std::string(d.status().message()), StartsWith(prefix));
  };
  check(Note("INV-1", v1::ADJUSTMENT_KIND_CREDIT_NOTE, 0),
        "amount: ", absl::StatusCode::kInvalidArgument);
  check(Note("INV-1", v1::ADJUSTMENT_KIND_UNSPECIFIED, 100),
        "kind: ", absl::StatusCode::kInvalidArgument);
  check(Note("INV-1", v1::ADJUSTMENT_KIND_RESEND, 100),
        "kind: ", absl::StatusCode::kInvalidArgument);
  v1::AdjustInvoiceRequest usd = Note("INV-1", v1::ADJUSTMENT_KIND_CREDIT_NOTE, 100);
  usd.mutable_amount()->set_currency("USD");
  check(usd, "amount.currency: ", absl::StatusCode::kInvalidArgument);
  v1::AdjustInvoiceRequest early = Note("INV-1", v1::ADJUSTMENT_KIND_DEBIT_NOTE, 100);
  *early.mutable_new_due_date() = D(2025, 2, 1);
  check(early, "new_due_date: ", absl::StatusCode::kInvalidArgument);
  v1::AdjustInvoiceRequest free_text = Note("INV-1", v1::ADJUSTMENT_KIND_DEBIT_NOTE, 100);
  free_text.set_reason_code("the customer called me");
  check(free_text, "reason_code: ", absl::StatusCode::kInvalidArgument);
  v1::AdjustInvoiceRequest lines = Note("INV-1", v1::ADJUSTMENT_KIND_CREDIT_NOTE, 100);
  *lines.add_lines() = Line(1000, 100, 2200);
  check(lines, "lines: ", absl::StatusCode::kInvalidArgument);
  check(Note("INV-9", v1::ADJUSTMENT_KIND_CREDIT_NOTE, 100),
        "invoice.invoice_number: ", absl::StatusCode::kNotFound);
  v1::AdjustInvoiceRequest other_tenant = Note("INV-1", v1::ADJUSTMENT_KIND_CREDIT_NOTE, 100);
  other_tenant.mutable_context()->set_tenant("globex");
  check(other_tenant, "context.tenant: ", absl::StatusCode::kNotFound);
}

// ---- payments ----

TEST(ApplyPaymentEvent, PartialThenFullThenIdempotentThenReversed) {
  Account a = WithInvoices({Spec("INV-1", 10000), Spec("INV-2", 5000)});
  auto p1 = Must(ApplyPaymentEvent(a, kAllocatedType, Allocated("P1", {{"INV-1", 4000}}), Now()));
  EXPECT_TRUE(p1.changed);
  EXPECT_THAT(p1.events, IsEmpty());
  EXPECT_EQ(p1.state.invoices().at("INV-1").status(), v1::INVOICE_STATUS_PARTIALLY_PAID);
  EXPECT_EQ(p1.state.invoices().at("INV-1").open_balance().minor_units(), 6000);

  auto p2 = Must(ApplyPaymentEvent(p1.state, kAllocatedType,
                                   Allocated("P2", {{"INV-1", 6000}, {"INV-2", 1000}}), Now()));
  EXPECT_EQ(p2.state.invoices().at("INV-1").status(), v1::INVOICE_STATUS_PAID);
  EXPECT_EQ(p2.state.invoices().at("INV-2").status(), v1::INVOICE_STATUS_PARTIALLY_PAID);
  ASSERT_EQ(p2.events.size(), 1u);
  const auto settled = Decode<v1::InvoiceSettled>(p2.events, 0);
  EXPECT_EQ(settled.kind(), v1::SETTLEMENT_KIND_PAID);
  EXPECT_EQ(settled.paid().minor_units(), 10000);
  EXPECT_EQ(settled.last_payment_id(), "P2");
  EXPECT_EQ(settled.invoice_id(), InvoiceIdFor(kTenant, "INV-1"));

  // The same payment again (redelivery, or a replay) changes nothing.
  auto dup = Must(ApplyPaymentEvent(p2.state, kAllocatedType,
                                    Allocated("P2", {{"INV-1", 6000}, {"INV-2", 1000}}), Now()));
  EXPECT_FALSE(dup.changed);
  EXPECT_THAT(dup.events, IsEmpty());
  EXPECT_TRUE(MessageDifferencer::Equals(dup.state, p2.state));

  // Reversing P2 reopens both invoices.
  auto rev = Must(ApplyPaymentEvent(p2.state, kReversedType, Reversed("P2"), Now()));
  EXPECT_EQ(rev.state.invoices().at("INV-1").open_balance().minor_units(), 6000);
  EXPECT_EQ(rev.state.invoices().at("INV-1").status(), v1::INVOICE_STATUS_PARTIALLY_PAID);
  EXPECT_EQ(rev.state.invoices().at("INV-2").open_balance().minor_units(), 5000);
  EXPECT_EQ(rev.state.invoices().at("INV-2").status(), v1::INVOICE_STATUS_OPEN);
  EXPECT_EQ(rev.state.ledgers().at("INV-1").paid_minor(), 4000);
  EXPECT_FALSE(rev.state.ledgers().at("INV-1").settled());
  auto rev2 = Must(ApplyPaymentEvent(rev.state, kReversedType, Reversed("P2"), Now()));
  EXPECT_FALSE(rev2.changed);
  // Reversing P1 too: fully open again.
  auto rev_p1 = Must(ApplyPaymentEvent(rev.state, kReversedType, Reversed("P1"), Now()));
  EXPECT_EQ(rev_p1.state.invoices().at("INV-1").status(), v1::INVOICE_STATUS_OPEN);
  EXPECT_EQ(rev_p1.state.invoices().at("INV-1").open_balance().minor_units(), 10000);
  // Paid again after the reversal: settled once more.
  auto again = Must(
      ApplyPaymentEvent(rev_p1.state, kAllocatedType, Allocated("P3", {{"INV-1", 10000}}), Now()));
  ASSERT_EQ(again.events.size(), 1u);
  EXPECT_EQ(Decode<v1::InvoiceSettled>(again.events, 0).last_payment_id(), "P3");
}

TEST(ApplyPaymentEvent, PartialReversalFollowsTheReopenedList) {
  Account a = WithInvoices({Spec("INV-1", 10000)});
  a = Must(ApplyPaymentEvent(a, kAllocatedType, Allocated("P1", {{"INV-1", 10000}}), Now())).state;
  payment::v1::PaymentReversed rev;
  rev.set_payment_id("P1");
  rev.set_debtor_id(kDebtor);
  payment::v1::Allocation* r = rev.add_reopened();
  r->set_invoice_id(InvoiceIdFor(kTenant, "INV-1"));
  *r->mutable_principal() = Eur(2500);
  auto d = Must(ApplyPaymentEvent(a, kReversedType, rev.SerializeAsString(), Now()));
  EXPECT_EQ(d.state.invoices().at("INV-1").open_balance().minor_units(), 2500);
  EXPECT_EQ(d.state.invoices().at("INV-1").status(), v1::INVOICE_STATUS_PARTIALLY_PAID);
}

TEST(ApplyPaymentEvent, SkipsWhatDoesNotBelongAndRejectsGarbage) {
  const Account a = WithInvoices({Spec("INV-1", 10000)});
  auto d = Must(ApplyPaymentEvent(a, kAllocatedType,
                                  Allocated("P1", {{"INV-404", 100}, {"INV-1", 12000}}), Now()));
  EXPECT_EQ(d.state.invoices().at("INV-1").open_balance().minor_units(), 0);  // capped
  ASSERT_EQ(d.notes.size(), 2u);
  EXPECT_THAT(d.notes[0], HasSubstr("INV-404"));
  EXPECT_THAT(d.notes[1], HasSubstr("takes 10000 of 12000"));

  EXPECT_EQ(ApplyPaymentEvent(a, "concerto.payment.v1.PromiseMade", "", Now()).status().code(),
            absl::StatusCode::kUnimplemented);
  EXPECT_EQ(ApplyPaymentEvent(a, kAllocatedType, "\xff\xff\xff", Now()).status().code(),
            absl::StatusCode::kInvalidArgument);
  payment::v1::PaymentAllocated other;
  other.set_payment_id("P9");
  other.set_debtor_id("D-99");
  auto wrong = ApplyPaymentEvent(a, kAllocatedType, other.SerializeAsString(), Now());
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(wrong.status().message()), StartsWith("debtor_id: "));
  // A reversal that arrives first blocks the late allocation.
  auto early = Must(ApplyPaymentEvent(a, kReversedType, Reversed("P5"), Now()));
  auto late = Must(
      ApplyPaymentEvent(early.state, kAllocatedType, Allocated("P5", {{"INV-1", 100}}), Now()));
  EXPECT_FALSE(late.changed);
  EXPECT_EQ(late.state.invoices().at("INV-1").open_balance().minor_units(), 10000);
}

// ---- cancel, write off, reissue ----

v1::CancelInvoiceRequest Cancel(const std::string& number) {
  v1::CancelInvoiceRequest r;
  *r.mutable_invoice() = Ref(number);
  r.set_reason_code("duplicate-billing");
  return r;
}

TEST(CancelInvoice, CancelsOpenAndRefusesOncePaid) {
  Account a = WithInvoices({Spec("INV-1", 10000), Spec("INV-2", 5000)});
  auto d = Must(CancelInvoice(a, Cancel("INV-1"), Now()));
  EXPECT_EQ(d.reply.invoice().status(), v1::INVOICE_STATUS_CANCELLED);
  EXPECT_EQ(d.reply.invoice().open_balance().minor_units(), 0);
  const auto cancelled = Decode<v1::InvoiceCancelled>(d.events, 0);
  EXPECT_EQ(cancelled.cancelled_balance().minor_units(), 10000);
  EXPECT_EQ(cancelled.reason_code(), "duplicate-billing");
  auto twice = Must(CancelInvoice(d.state, Cancel("INV-1"), Now()));
  EXPECT_FALSE(twice.changed);
  EXPECT_THAT(twice.events, IsEmpty());

  // Paid in full: refused.
  a = Must(ApplyPaymentEvent(a, kAllocatedType, Allocated("P1", {{"INV-2", 5000}}), Now())).state;
  auto paid = CancelInvoice(a, Cancel("INV-2"), Now());
  ASSERT_FALSE(paid.ok());
  EXPECT_EQ(paid.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(paid.status().message()), HasSubstr("is paid"));
  // Partly paid: refused as well (the money would be stranded).
  a = Must(ApplyPaymentEvent(a, kAllocatedType, Allocated("P2", {{"INV-1", 100}}), Now())).state;
  EXPECT_EQ(CancelInvoice(a, Cancel("INV-1"), Now()).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

v1::WriteOffInvoiceRequest WriteOff(const std::string& number, std::optional<int64_t> minor) {
  v1::WriteOffInvoiceRequest r;
  *r.mutable_invoice() = Ref(number);
  if (minor.has_value()) *r.mutable_amount() = Eur(*minor);
  r.set_reason(v1::WRITE_OFF_REASON_SMALL_BALANCE);
  r.set_case_id("case-7");
  return r;
}

TEST(WriteOffInvoice, PartialThenWhole) {
  const Account a = WithInvoices({Spec("INV-1", 10000)});
  auto part = Must(WriteOffInvoice(a, WriteOff("INV-1", 2500), Now()));
  EXPECT_EQ(part.reply.invoice().open_balance().minor_units(), 7500);
  EXPECT_EQ(part.reply.invoice().status(), v1::INVOICE_STATUS_OPEN);
  const auto e = Decode<v1::InvoiceWrittenOff>(part.events, 0);
  EXPECT_EQ(e.written_off().minor_units(), 2500);
  EXPECT_EQ(e.open_balance().minor_units(), 7500);
  EXPECT_EQ(e.reason(), v1::WRITE_OFF_REASON_SMALL_BALANCE);
  EXPECT_EQ(e.case_id(), "case-7");

  auto too_much = WriteOffInvoice(part.state, WriteOff("INV-1", 7501), Now());
  EXPECT_EQ(too_much.status().code(), absl::StatusCode::kFailedPrecondition);
  v1::WriteOffInvoiceRequest no_reason = WriteOff("INV-1", 100);
  no_reason.clear_reason();
  EXPECT_THAT(std::string(WriteOffInvoice(part.state, no_reason, Now()).status().message()),
              StartsWith("reason: "));

  auto whole = Must(WriteOffInvoice(part.state, WriteOff("INV-1", std::nullopt), Now()));
  EXPECT_EQ(whole.reply.invoice().status(), v1::INVOICE_STATUS_WRITTEN_OFF);
  EXPECT_EQ(Decode<v1::InvoiceWrittenOff>(whole.events, 0).written_off().minor_units(), 7500);
  EXPECT_EQ(whole.state.ledgers().at("INV-1").written_off_minor(), 10000);
  EXPECT_EQ(WriteOffInvoice(whole.state, WriteOff("INV-1", std::nullopt), Now()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CancelInvoice(whole.state, Cancel("INV-1"), Now()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  // A written-off invoice does not take payments.
  auto pay = Must(
      ApplyPaymentEvent(whole.state, kAllocatedType, Allocated("P1", {{"INV-1", 100}}), Now()));
  EXPECT_EQ(pay.state.invoices().at("INV-1").status(), v1::INVOICE_STATUS_WRITTEN_OFF);
  EXPECT_THAT(pay.events, IsEmpty());
}

TEST(ReissueInvoice, EmitsReissuedWithIdFromTheCommand) {
  v1::InvoiceSpec spec = Spec("INV-1", 10000);
  spec.mutable_document()->set_document_id("doc-1");
  const Account a = WithInvoices({spec});
  v1::ReissueInvoiceRequest r;
  *r.mutable_invoice() = Ref("INV-1");
  *r.mutable_new_due_date() = D(2025, 4, 20);
  r.set_channel(contact::v1::CHANNEL_EMAIL);
  r.set_reason_code("mislaid");
  auto d = Must(ReissueInvoice(a, r, "cmd-42", Now()));
  const auto e = Decode<v1::InvoiceReissued>(d.events, 0);
  EXPECT_EQ(e.reissue_id(), d.reply.reissue_id());
  EXPECT_EQ(e.reissue_id(), Must(ReissueInvoice(a, r, "cmd-42", Now())).reply.reissue_id());
  EXPECT_NE(e.reissue_id(), Must(ReissueInvoice(a, r, "cmd-43", Now())).reply.reissue_id());
  EXPECT_EQ(ToCivilDay(e.due_date()), absl::CivilDay(2025, 4, 20));
  EXPECT_EQ(e.document_id(), "doc-1");
  EXPECT_EQ(e.open_balance().minor_units(), 10000);
  EXPECT_EQ(e.requested_channel(), contact::v1::CHANNEL_EMAIL);
  EXPECT_EQ(ToCivilDay(d.reply.invoice().due_date()), absl::CivilDay(2025, 4, 20));

  EXPECT_EQ(ReissueInvoice(a, r, "", Now()).status().code(), absl::StatusCode::kInvalidArgument);
  Account paid =
      Must(ApplyPaymentEvent(a, kAllocatedType, Allocated("P1", {{"INV-1", 10000}}), Now())).state;
  EXPECT_EQ(ReissueInvoice(paid, r, "cmd-44", Now()).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

// ---- debtor ----

DebtorUpsert Upsert() {
  DebtorUpsert u;
  u.profile.set_debtor_id(kDebtor);
  u.profile.set_type(v1::DEBTOR_TYPE_CONSUMER);
  u.profile.set_country("IT");
  u.profile.set_time_zone("Europe/Rome");
  u.profile.set_preferred_language("it");
  u.profile.add_tags("segment-a");
  state::v1::ContactPointRef* c = u.profile.add_contact_points();
  c->set_contact_point_id("cp-1");
  c->set_role(v1::CONTACT_ROLE_BILLING);
  c->set_kind(state::v1::CONTACT_POINT_KIND_EMAIL);
  u.encrypted_personal_data = "opaque-1";
  return u;
}

TEST(UpsertDebtor, CreatesThenChangesByNameAndIsIdempotent) {
  const Account a = NewAccount(kTenant, kDebtor);
  auto d = Must(UpsertDebtor(a, Upsert(), Now()));
  EXPECT_TRUE(d.reply.created());
  EXPECT_EQ(d.reply.version(), 1);
  EXPECT_EQ(d.state.personal_data_status(), state::v1::PERSONAL_DATA_STATUS_PRESENT);
  EXPECT_EQ(d.state.encrypted_personal_data(), "opaque-1");
  const auto e = Decode<v1::DebtorUpserted>(d.events, 0);
  EXPECT_TRUE(e.created());
  EXPECT_EQ(e.country(), "IT");
  EXPECT_THAT(e.tags(), ElementsAre("segment-a"));
  EXPECT_THAT(e.changed_fields(), ElementsAre("type", "contact_points", "preferred_language",
                                              "time_zone", "country", "tags"));

  auto same = Must(UpsertDebtor(d.state, Upsert(), Now()));
  EXPECT_FALSE(same.changed);
  EXPECT_THAT(same.events, IsEmpty());
  EXPECT_EQ(same.reply.version(), 1);

  DebtorUpsert more = Upsert();
  more.profile.add_tags("vip");
  more.changed_personal_fields = {"family_name"};
  more.encrypted_personal_data = "opaque-2";
  more.expected_version = 1;
  auto changed = Must(UpsertDebtor(d.state, more, Now()));
  EXPECT_EQ(changed.reply.version(), 2);
  EXPECT_THAT(changed.reply.changed_fields(), ElementsAre("family_name", "tags"));
  EXPECT_EQ(changed.state.encrypted_personal_data(), "opaque-2");

  auto stale = UpsertDebtor(changed.state, more, Now());
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kAborted);
  EXPECT_THAT(std::string(stale.status().message()), StartsWith("expected_version: "));

  // A re-encrypted blob without changes is kept, silently.
  DebtorUpsert rekeyed = Upsert();
  rekeyed.profile.add_tags("vip");
  rekeyed.encrypted_personal_data = "opaque-3";
  auto r = Must(UpsertDebtor(changed.state, rekeyed, Now()));
  EXPECT_TRUE(r.changed);
  EXPECT_THAT(r.events, IsEmpty());
  EXPECT_EQ(r.state.encrypted_personal_data(), "opaque-3");
  EXPECT_EQ(r.state.debtor().version(), 2);
}

TEST(UpsertDebtor, BadInputNamesTheField) {
  const Account a = NewAccount(kTenant, kDebtor);
  auto check = [&](std::function<void(DebtorUpsert*)> mutate, const std::string& prefix) {
    DebtorUpsert u = Upsert();
    mutate(&u);
    auto d = UpsertDebtor(a, u, Now());
    ASSERT_FALSE(d.ok()) << prefix;
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(d.status().message()), StartsWith(prefix));
  };
  check([](DebtorUpsert* u) { u->profile.set_debtor_id("D-18"); }, "debtor_id: ");
  check([](DebtorUpsert* u) { u->profile.set_country("ITA"); }, "country: ");
  check([](DebtorUpsert* u) { u->profile.set_preferred_language("ITA"); }, "preferred_language: ");
  check([](DebtorUpsert* u) { u->profile.set_time_zone("../etc/passwd"); }, "time_zone: ");
  check([](DebtorUpsert* u) { u->profile.add_tags("free text with spaces"); }, "tags[1]: ");
  check([](DebtorUpsert* u) { *u->profile.add_contact_points() = u->profile.contact_points(0); },
        "contact_points[1].contact_point_id: ");
  check([](DebtorUpsert* u) { u->profile.mutable_contact_points(0)->clear_kind(); },
        "contact_points[0].value: ");
  check([](DebtorUpsert* u) { u->changed_personal_fields = {"risk_band"}; },
        "changed_personal_fields[0]: ");
  check(
      [](DebtorUpsert* u) {
        u->changed_personal_fields = {"given_name"};
        u->encrypted_personal_data.clear();
      },
      "encrypted_personal_data: ");
}

TEST(EraseDebtor, ErasesOrRestricts) {
  const Account a = Must(UpsertDebtor(NewAccount(kTenant, kDebtor), Upsert(), Now())).state;
  Erasure restrict;
  restrict.restrict_until = absl::CivilDay(2035, 12, 31);
  restrict.retention_basis = "tax records (10 y)";
  auto r = Must(EraseDebtor(a, restrict, Now()));
  EXPECT_EQ(r.reply.outcome(), v1::ERASE_OUTCOME_RESTRICTED);
  EXPECT_EQ(r.state.personal_data_status(), state::v1::PERSONAL_DATA_STATUS_RESTRICTED);
  EXPECT_EQ(r.state.encrypted_personal_data(), "opaque-1");
  EXPECT_TRUE(Decode<v1::DebtorErased>(r.events, 0).restricted());

  auto e = Must(EraseDebtor(r.state, Erasure{}, Now()));
  EXPECT_EQ(e.reply.outcome(), v1::ERASE_OUTCOME_ERASED);
  EXPECT_TRUE(e.state.encrypted_personal_data().empty());
  EXPECT_EQ(e.state.personal_data_status(), state::v1::PERSONAL_DATA_STATUS_ERASED);
  const auto erased = Decode<v1::DebtorErased>(e.events, 0);
  EXPECT_FALSE(erased.restricted());
  EXPECT_EQ(erased.debtor_id(), kDebtor);
  auto again = Must(EraseDebtor(e.state, Erasure{}, Now()));
  EXPECT_FALSE(again.changed);
}

TEST(Account, KeysAndSplittingADebtor) {
  EXPECT_EQ(AccountKey("acme", "D/1"), "acme/D/1");
  const Account a = Must(NewAccountForKey("acme/D/1"));
  EXPECT_EQ(a.tenant(), "acme");
  EXPECT_EQ(a.debtor_id(), "D/1");
  EXPECT_EQ(NewAccountForKey("acme").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(NewAccountForKey("/D").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(IssueInvoice(Account(), Spec("INV-1", 1), Now()).status().code(),
            absl::StatusCode::kFailedPrecondition);

  v1::Debtor full;
  full.set_debtor_id(kDebtor);
  full.set_given_name("Ada");
  full.set_country("IT");
  full.add_tags("t");
  v1::ContactPoint* cp = full.add_contact_points();
  cp->set_contact_point_id("cp-1");
  cp->set_phone("+390612345678");
  const auto profile = ProfileOf(full);
  EXPECT_EQ(profile.contact_points(0).kind(), state::v1::CONTACT_POINT_KIND_PHONE);
  EXPECT_EQ(profile.country(), "IT");
  const v1::Debtor personal = PersonalPartOf(full);
  EXPECT_TRUE(personal.country().empty());
  EXPECT_EQ(personal.given_name(), "Ada");
  v1::Debtor back = ComposeDebtor(profile, personal);
  EXPECT_TRUE(MessageDifferencer::Equals(back, full)) << back.DebugString();
  v1::Debtor moved = personal;
  moved.mutable_contact_points(0)->set_phone("+390600000000");
  moved.set_legal_name("Ada Srl");
  EXPECT_THAT(ChangedPersonalFields(personal, moved), ElementsAre("legal_name", "contact_points"));
}

}  // namespace
}  // namespace concerto::invoice
