// Request validation of InvoiceService: every problem names its field; personal values are never
// echoed; the domain's "field: problem; ..." texts map onto request paths.
#include "services/invoice/app/api_validation.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace concerto::invoice {
namespace {

using ::testing::Contains;
using ::testing::IsEmpty;
using ::testing::Not;

std::vector<std::string> Fields(const FieldErrors& errors) {
  std::vector<std::string> out;
  for (const FieldError& e : errors) out.push_back(e.field);
  return out;
}

common::v1::RequestContext Write() {
  common::v1::RequestContext c;
  c.set_tenant("acme");
  c.set_idempotency_key("k-1");
  c.mutable_actor()->set_id("erp");
  return c;
}

TEST(InvoiceApiValidation, UpsertDebtorNamesEveryBadFieldWithoutEchoingValues) {
  v1::UpsertDebtorRequest r;
  *r.mutable_context() = Write();
  r.mutable_context()->clear_idempotency_key();
  v1::Debtor* d = r.mutable_debtor();
  d->set_given_name(std::string(300, 'x'));
  v1::ContactPoint* mail = d->add_contact_points();
  mail->set_contact_point_id("cp-1");
  mail->set_email("giulia.at.example.org");
  v1::ContactPoint* phone = d->add_contact_points();
  phone->set_contact_point_id("cp-2");
  phone->set_phone("0699887766");
  v1::ContactPoint* post = d->add_contact_points();
  post->set_contact_point_id("cp-3");
  post->mutable_postal()->set_city("Roma");
  r.set_expected_version(-1);
  const FieldErrors e = ValidateUpsertDebtor(r);
  const auto f = Fields(e);
  EXPECT_THAT(f, Contains("context.idempotency_key"));
  EXPECT_THAT(f, Contains("debtor.debtor_id"));
  EXPECT_THAT(f, Contains("debtor.given_name"));
  EXPECT_THAT(f, Contains("debtor.contact_points[0].email"));
  EXPECT_THAT(f, Contains("debtor.contact_points[1].phone"));
  EXPECT_THAT(f, Contains("debtor.contact_points[2].postal.lines"));
  EXPECT_THAT(f, Contains("expected_version"));
  for (const FieldError& x : e) {
    EXPECT_EQ(x.description.find("giulia"), std::string::npos) << x.description;
    EXPECT_EQ(x.description.find("0699887766"), std::string::npos) << x.description;
  }

  v1::UpsertDebtorRequest good;
  *good.mutable_context() = Write();
  good.mutable_debtor()->set_debtor_id("D-1");
  good.mutable_debtor()->add_contact_points()->set_email("giulia@example.org");
  good.mutable_debtor()->add_contact_points()->set_phone("+390699887766");
  EXPECT_THAT(ValidateUpsertDebtor(good), IsEmpty());
}

TEST(InvoiceApiValidation, IssueRunsTheDomainChecksUnderInvoice) {
  v1::IssueInvoiceRequest r;
  *r.mutable_context() = Write();
  r.mutable_context()->set_tenant("a/b");
  EXPECT_THAT(Fields(ValidateIssueInvoice(r)), Contains("invoice"));
  r.mutable_invoice()->set_debtor_id("D-1");
  r.mutable_invoice()->set_currency("EUR");
  const auto f = Fields(ValidateIssueInvoice(r));
  EXPECT_THAT(f, Contains("context.tenant"));
  EXPECT_THAT(f, Contains("invoice.invoice_number"));
  EXPECT_THAT(f, Contains("invoice.due_date"));
  EXPECT_THAT(f, Contains("invoice.amount"));
}

TEST(InvoiceApiValidation, RefsListsAndContactReads) {
  v1::CancelInvoiceRequest cancel;
  *cancel.mutable_context() = Write();
  EXPECT_THAT(Fields(ValidateCancelInvoice(cancel)), Contains("invoice"));
  cancel.mutable_invoice()->set_invoice_id("");
  EXPECT_THAT(Fields(ValidateCancelInvoice(cancel)), Contains("invoice.invoice_id"));

  v1::ListInvoicesRequest list;
  list.mutable_context()->set_tenant("acme");
  EXPECT_THAT(ValidateListInvoices(list), IsEmpty());
  list.set_page_size(5000);
  list.add_ageing_bounds(30);
  list.add_ageing_bounds(10);
  list.mutable_filter()->add_statuses(v1::INVOICE_STATUS_UNSPECIFIED);
  list.mutable_filter()->set_currency("eur");
  list.mutable_as_of()->set_year(2025);
  const auto f = Fields(ValidateListInvoices(list));
  EXPECT_THAT(f, Contains("page_size"));
  EXPECT_THAT(f, Contains("ageing_bounds[1]"));
  EXPECT_THAT(f, Contains("filter.statuses[0]"));
  EXPECT_THAT(f, Contains("filter.currency"));
  EXPECT_THAT(f, Contains("as_of"));

  v1::GetDebtorContactRequest contact;
  contact.mutable_context()->set_tenant("acme");
  contact.set_debtor_id("D-1");
  EXPECT_THAT(Fields(ValidateGetDebtorContact(contact)), Contains("purpose"));
  contact.set_purpose(v1::CONTACT_PURPOSE_CALL_TASK);
  EXPECT_THAT(ValidateGetDebtorContact(contact), IsEmpty());

  v1::EraseDebtorRequest erase;
  erase.mutable_context()->set_tenant("acme");
  const auto ef = Fields(ValidateEraseDebtor(erase));
  EXPECT_THAT(ef, Contains("context.idempotency_key"));
  EXPECT_THAT(ef, Contains("debtor_id"));
}

TEST(InvoiceApiValidation, ImportRowsAndDefaultsOnlyDebtors) {
  v1::ImportRow empty;
  EXPECT_THAT(Fields(CheckImportRow(empty)), Contains("item"));
  v1::ImportRow inv;
  inv.mutable_invoice()->set_invoice_number("X");
  EXPECT_THAT(Fields(CheckImportRow(inv)), Contains("debtor_id"));

  v1::Debtor d;
  d.set_debtor_id("D-1");
  d.set_country("IT");
  d.set_time_zone("Europe/Rome");
  EXPECT_TRUE(IsDefaultsOnly(d));
  d.add_tags("vip");
  EXPECT_FALSE(IsDefaultsOnly(d));
  d.clear_tags();
  d.set_family_name("Rossi");
  EXPECT_FALSE(IsDefaultsOnly(d));
}

TEST(InvoiceApiValidation, DomainTextsBecomeFieldErrors) {
  const FieldErrors e = DomainFieldErrors(
      "due_date: must not be before issue_date; lines[1].vat_amount: must be 22; expected_version: "
      "3 does not match",
      "invoice.", {"expected_version"});
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].field, "invoice.due_date");
  EXPECT_EQ(e[0].description, "must not be before issue_date");
  EXPECT_EQ(e[1].field, "invoice.lines[1].vat_amount");
  EXPECT_EQ(e[2].field, "expected_version");
  EXPECT_THAT(Fields(DomainFieldErrors("something went wrong", "x.")), Not(Contains("x.")));

  const absl::Status s = ApiStatus(absl::InvalidArgumentError("amount: must be > 0"), "invoice.");
  EXPECT_EQ(platform::FieldErrorsOf(s)[0].field, "invoice.amount");
  EXPECT_EQ(ApiStatus(absl::NotFoundError("x"), "").code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace concerto::invoice
