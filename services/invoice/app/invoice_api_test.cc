// InvoiceService end to end, in-process, on a real redis-server and the embedded broker: every
// rpc through the unit of work, idempotent retries, tenant-wide invoice numbers, tenant scope,
// field errors, settlement by credit note and by a payment event from payment.events, personal
// data read and crypto-shredded, and the concerto-invoice-import CLI against the TCP port.
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "concerto/invoice/v1/invoice_events.pb.h"
#include "concerto/payment/v1/payment_events.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/testing/subprocess.h"
#include "services/invoice/app/invoice_test_env.h"

namespace concerto::invoice {
namespace {

using ::testing::Contains;
using testing::Ctx;
using testing::Eur;
using testing::Fields;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::Spec;

class InvoiceApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { env_ = testing::Env::Create().release(); }
  static void TearDownTestSuite() {
    delete env_;
    env_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(env_, nullptr) << "fixtures did not start"; }

  static v1::InvoiceService::Stub& Stub() { return *env_->stub; }

  static grpc::Status Upsert(const v1::Debtor& d, const std::string& key,
                             v1::UpsertDebtorResponse* out, const std::string& tenant = "t1") {
    grpc::ClientContext ctx;
    v1::UpsertDebtorRequest r;
    *r.mutable_context() = Ctx(tenant, key);
    *r.mutable_debtor() = d;
    return Stub().UpsertDebtor(&ctx, r, out);
  }

  static grpc::Status Issue(const v1::InvoiceSpec& spec, const std::string& key,
                            v1::IssueInvoiceResponse* out, const std::string& tenant = "t1") {
    grpc::ClientContext ctx;
    v1::IssueInvoiceRequest r;
    *r.mutable_context() = Ctx(tenant, key);
    *r.mutable_invoice() = spec;
    return Stub().IssueInvoice(&ctx, r, out);
  }

  static grpc::Status Get(const std::string& tenant, const v1::InvoiceRef& ref,
                          v1::GetInvoiceResponse* out) {
    grpc::ClientContext ctx;
    v1::GetInvoiceRequest r;
    *r.mutable_context() = Ctx(tenant);
    *r.mutable_invoice() = ref;
    return Stub().GetInvoice(&ctx, r, out);
  }

  static grpc::Status Contact(const std::string& tenant, const std::string& debtor,
                              v1::GetDebtorContactResponse* out,
                              v1::ContactRole role = v1::CONTACT_ROLE_UNSPECIFIED) {
    grpc::ClientContext ctx;
    v1::GetDebtorContactRequest r;
    *r.mutable_context() = Ctx(tenant);
    r.set_debtor_id(debtor);
    r.set_purpose(v1::CONTACT_PURPOSE_CONTACT_ATTEMPT);
    r.set_role(role);
    return Stub().GetDebtorContact(&ctx, r, out);
  }

  static grpc::Status Erase(const std::string& debtor, const std::string& key,
                            v1::EraseDebtorResponse* out) {
    grpc::ClientContext ctx;
    v1::EraseDebtorRequest r;
    *r.mutable_context() = Ctx("t1", key);
    r.set_debtor_id(debtor);
    r.set_reason_code("gdpr-art17-request");
    return Stub().EraseDebtor(&ctx, r, out);
  }

  static v1::InvoiceRef Number(const std::string& n) {
    v1::InvoiceRef r;
    r.set_invoice_number(n);
    return r;
  }

  static v1::Debtor Person(const std::string& id) {
    v1::Debtor d;
    d.set_debtor_id(id);
    d.set_type(v1::DEBTOR_TYPE_CONSUMER);
    d.set_given_name("Giulietta");
    d.set_family_name("Capuleti");
    d.set_country("IT");
    d.set_preferred_language("it");
    v1::ContactPoint* mail = d.add_contact_points();
    mail->set_contact_point_id("cp-mail");
    mail->set_role(v1::CONTACT_ROLE_BILLING);
    mail->set_email("giulietta@verona.example");
    v1::ContactPoint* phone = d.add_contact_points();
    phone->set_contact_point_id("cp-phone");
    phone->set_role(v1::CONTACT_ROLE_ESCALATION);
    phone->set_phone("+390458001234");
    return d;
  }

  static testing::Env* env_;
};

testing::Env* InvoiceApiTest::env_ = nullptr;

TEST_F(InvoiceApiTest, IssueDuplicateAndChangedResend) {
  v1::UpsertDebtorResponse up;
  grpc::Status s = Upsert(Person("D-1"), "up-D-1", &up);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(up.created());

  v1::IssueInvoiceResponse first;
  s = Issue(Spec("INV-100", "D-1", 12000), "issue-100", &first);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(first.outcome(), v1::ISSUE_OUTCOME_CREATED);
  EXPECT_EQ(first.invoice().status(), v1::INVOICE_STATUS_OPEN);
  EXPECT_EQ(first.invoice().days_past_due(), 10);  // due 2025-12-31, today 2026-01-10
  EXPECT_EQ(first.invoice().payment_reference().substr(0, 2), "RF");

  // A retry with the same key: the stored reply, nothing new.
  v1::IssueInvoiceResponse retry;
  ASSERT_TRUE(Issue(Spec("INV-100", "D-1", 12000), "issue-100", &retry).ok());
  EXPECT_EQ(retry.SerializeAsString(), first.SerializeAsString());

  // The same invoice in a new request: DUPLICATE.
  v1::IssueInvoiceResponse dup;
  ASSERT_TRUE(Issue(Spec("INV-100", "D-1", 12000), "issue-100-again", &dup).ok());
  EXPECT_EQ(dup.outcome(), v1::ISSUE_OUTCOME_DUPLICATE);
  EXPECT_EQ(dup.invoice().version(), first.invoice().version());

  // Changed content: ADJUSTED through an explicit RESEND adjustment.
  v1::IssueInvoiceResponse changed;
  ASSERT_TRUE(Issue(Spec("INV-100", "D-1", 15000), "issue-100-changed", &changed).ok());
  EXPECT_EQ(changed.outcome(), v1::ISSUE_OUTCOME_ADJUSTED);
  EXPECT_EQ(changed.invoice().amount().minor_units(), 15000);
  ASSERT_EQ(changed.invoice().adjustments_size(), 1);
  EXPECT_EQ(changed.invoice().adjustments(0).kind(), v1::ADJUSTMENT_KIND_RESEND);
  EXPECT_EQ(changed.invoice().adjustments(0).delta().minor_units(), 3000);

  // The first key for a different request is refused.
  v1::IssueInvoiceResponse other;
  s = Issue(Spec("INV-100", "D-1", 99), "issue-100", &other);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Fields(s), Contains("context.idempotency_key"));

  // Read back by id and by number.
  v1::GetInvoiceResponse by_id, by_number;
  v1::InvoiceRef ref;
  ref.set_invoice_id(first.invoice().invoice_id());
  ASSERT_TRUE(Get("t1", ref, &by_id).ok());
  ASSERT_TRUE(Get("t1", Number("INV-100"), &by_number).ok());
  EXPECT_EQ(by_id.invoice().amount().minor_units(), 15000);
  EXPECT_EQ(by_id.SerializeAsString(), by_number.SerializeAsString());
}

TEST_F(InvoiceApiTest, AnInvoiceNumberBelongsToOneDebtorPerTenant) {
  v1::IssueInvoiceResponse r;
  ASSERT_TRUE(Issue(Spec("INV-200", "D-2", 5000), "issue-200", &r).ok());
  grpc::Status s = Issue(Spec("INV-200", "D-3", 5000), "issue-200-d3", &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  const auto errors = platform::BadRequestOf(s);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "invoice.invoice_number");
  EXPECT_EQ(errors[0].description, "already issued to another debtor");
  // Another tenant may use the same number.
  ASSERT_TRUE(Issue(Spec("INV-200", "D-3", 5000), "t2-issue-200", &r, "t2").ok());
  EXPECT_EQ(r.outcome(), v1::ISSUE_OUTCOME_CREATED);
}

TEST_F(InvoiceApiTest, AnotherTenantSeesNothing) {
  v1::IssueInvoiceResponse r;
  ASSERT_TRUE(Issue(Spec("INV-300", "D-4", 5000), "issue-300", &r).ok());
  v1::UpsertDebtorResponse up;
  ASSERT_TRUE(Upsert(Person("D-4"), "up-D-4", &up).ok());
  v1::GetInvoiceResponse got;
  EXPECT_EQ(Get("t3", Number("INV-300"), &got).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::InvoiceRef id;
  id.set_invoice_id(r.invoice().invoice_id());
  EXPECT_EQ(Get("t3", id, &got).error_code(), grpc::StatusCode::NOT_FOUND);

  grpc::ClientContext cctx;
  v1::CancelInvoiceRequest cancel;
  *cancel.mutable_context() = Ctx("t3", "t3-cancel");
  *cancel.mutable_invoice() = Number("INV-300");
  v1::CancelInvoiceResponse cancelled;
  EXPECT_EQ(Stub().CancelInvoice(&cctx, cancel, &cancelled).error_code(),
            grpc::StatusCode::NOT_FOUND);

  v1::GetDebtorContactResponse contact;
  EXPECT_EQ(Contact("t3", "D-4", &contact).error_code(), grpc::StatusCode::NOT_FOUND);

  grpc::ClientContext lctx;
  v1::ListInvoicesRequest list;
  *list.mutable_context() = Ctx("t3");
  v1::ListInvoicesResponse page;
  ASSERT_TRUE(Stub().ListInvoices(&lctx, list, &page).ok());
  EXPECT_EQ(page.total_count(), 0);
  // The owner still sees it, untouched.
  ASSERT_TRUE(Get("t1", Number("INV-300"), &got).ok());
  EXPECT_EQ(got.invoice().status(), v1::INVOICE_STATUS_OPEN);
}

TEST_F(InvoiceApiTest, BadRequestsNameTheField) {
  v1::InvoiceSpec spec = Spec("INV-400", "D-5", 5000);
  *spec.mutable_due_date() = ToDate(absl::CivilDay(2025, 11, 1));  // before the issue date
  v1::IssueInvoiceResponse r;
  grpc::Status s = Issue(spec, "issue-400", &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Fields(s), Contains("invoice.due_date"));

  s = Issue(Spec("INV-401", "D-5", -5), "", &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Fields(s), Contains("context.idempotency_key"));
  EXPECT_THAT(Fields(s), Contains("invoice.amount"));

  grpc::ClientContext ctx;
  v1::GetDebtorContactRequest contact;
  *contact.mutable_context() = Ctx("t1");
  contact.set_debtor_id("D-5");
  v1::GetDebtorContactResponse out;
  s = Stub().GetDebtorContact(&ctx, contact, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Fields(s), Contains("purpose"));

  v1::Debtor bad = Person("D-5");
  bad.set_country("Italy");
  bad.mutable_contact_points(0)->set_email("not-an-address");
  v1::UpsertDebtorResponse up;
  s = Upsert(bad, "up-bad", &up);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Fields(s), Contains("debtor.contact_points[0].email"));
  EXPECT_THAT(s.error_message(), ::testing::Not(HasSubstr("not-an-address")));
  bad.mutable_contact_points(0)->set_email("ok@example.org");
  s = Upsert(bad, "up-bad-2", &up);  // the domain's check of the profile
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Fields(s), Contains("debtor.country"));

  // A changed re-send of a cancelled invoice is a conflict, not bad input.
  ASSERT_TRUE(Issue(Spec("INV-402", "D-5", 5000), "issue-402", &r).ok());
  grpc::ClientContext cctx;
  v1::CancelInvoiceRequest cancel;
  *cancel.mutable_context() = Ctx("t1", "cancel-402");
  *cancel.mutable_invoice() = Number("INV-402");
  cancel.set_reason_code("billing-error");
  v1::CancelInvoiceResponse cancelled;
  ASSERT_TRUE(Stub().CancelInvoice(&cctx, cancel, &cancelled).ok());
  EXPECT_EQ(cancelled.invoice().status(), v1::INVOICE_STATUS_CANCELLED);
  s = Issue(Spec("INV-402", "D-5", 6000), "issue-402-changed", &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(InvoiceApiTest, CreditNoteToZeroSettles) {
  v1::IssueInvoiceResponse r;
  ASSERT_TRUE(Issue(Spec("INV-500", "D-6", 7300), "issue-500", &r).ok());
  grpc::ClientContext ctx;
  v1::AdjustInvoiceRequest adj;
  *adj.mutable_context() = Ctx("t1", "credit-500");
  *adj.mutable_invoice() = Number("INV-500");
  adj.set_kind(v1::ADJUSTMENT_KIND_CREDIT_NOTE);
  *adj.mutable_amount() = Eur(7300);
  adj.set_credit_note_number("CN-500");
  adj.set_reason_code("goodwill");
  v1::AdjustInvoiceResponse out;
  grpc::Status s = Stub().AdjustInvoice(&ctx, adj, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.invoice().open_balance().minor_units(), 0);
  EXPECT_EQ(out.invoice().status(), v1::INVOICE_STATUS_PAID);
  EXPECT_FALSE(out.adjustment_id().empty());

  ASSERT_TRUE(env_->WaitOutboxEmpty());
  bool settled = false;
  for (const common::v1::Envelope& e : env_->ConsumeAll("invoice.events")) {
    EXPECT_EQ(e.aggregate_key().substr(0, e.tenant().size() + 1), e.tenant() + "/");
    if (e.type() != v1::InvoiceSettled::descriptor()->full_name()) continue;
    v1::InvoiceSettled m;
    ASSERT_TRUE(m.ParseFromString(e.payload()));
    if (m.invoice_number() != "INV-500") continue;
    settled = true;
    EXPECT_EQ(m.kind(), v1::SETTLEMENT_KIND_CREDITED);
    EXPECT_EQ(e.tenant(), "t1");
    EXPECT_EQ(e.aggregate_key(), "t1/D-6");
  }
  EXPECT_TRUE(settled);
}

TEST_F(InvoiceApiTest, WriteOffReissueAndListWithAgeing) {
  v1::IssueInvoiceResponse r;
  ASSERT_TRUE(Issue(Spec("INV-600", "D-7", 10000), "issue-600", &r).ok());
  v1::InvoiceSpec later = Spec("INV-601", "D-7", 2500);
  *later.mutable_due_date() = ToDate(absl::CivilDay(2026, 2, 1));  // not yet due
  ASSERT_TRUE(Issue(later, "issue-601", &r).ok());

  grpc::ClientContext rctx;
  v1::ReissueInvoiceRequest reissue;
  *reissue.mutable_context() = Ctx("t1", "reissue-600");
  *reissue.mutable_invoice() = Number("INV-600");
  *reissue.mutable_new_due_date() = ToDate(absl::CivilDay(2026, 1, 31));
  reissue.set_reason_code("mislaid");
  v1::ReissueInvoiceResponse reissued;
  grpc::Status s = Stub().ReissueInvoice(&rctx, reissue, &reissued);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(reissued.reissue_id().empty());
  EXPECT_EQ(reissued.invoice().due_date().day(), 31);
  EXPECT_EQ(reissued.invoice().days_past_due(), -21);

  grpc::ClientContext wctx;
  v1::WriteOffInvoiceRequest wo;
  *wo.mutable_context() = Ctx("t1", "writeoff-601");
  *wo.mutable_invoice() = Number("INV-601");
  *wo.mutable_amount() = Eur(500);
  wo.set_reason(v1::WRITE_OFF_REASON_SMALL_BALANCE);
  v1::WriteOffInvoiceResponse written;
  s = Stub().WriteOffInvoice(&wctx, wo, &written);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(written.invoice().open_balance().minor_units(), 2000);

  grpc::ClientContext lctx;
  v1::ListInvoicesRequest list;
  *list.mutable_context() = Ctx("t1");
  list.mutable_filter()->set_debtor_id("D-7");
  list.set_page_size(1);
  v1::ListInvoicesResponse page;
  s = Stub().ListInvoices(&lctx, list, &page);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(page.total_count(), 2);
  ASSERT_EQ(page.invoices_size(), 1);
  EXPECT_EQ(page.invoices(0).invoice_number(), "INV-600");  // due 2026-01-31 < 2026-02-01
  EXPECT_FALSE(page.next_page_token().empty());
  ASSERT_FALSE(page.ageing().empty());
  EXPECT_EQ(page.ageing(0).label(), "not due");
  EXPECT_EQ(page.ageing(0).invoice_count(), 2);
  EXPECT_EQ(page.ageing(0).open_balance(0).minor_units(), 12000);

  grpc::ClientContext bctx;
  list.set_page_size(5000);
  s = Stub().ListInvoices(&bctx, list, &page);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Fields(s), Contains("page_size"));
}

TEST_F(InvoiceApiTest, APaymentEventSettlesTheInvoice) {
  v1::IssueInvoiceResponse r;
  ASSERT_TRUE(Issue(Spec("INV-700", "D-8", 4000), "issue-700", &r).ok());
  payment::v1::PaymentAllocated paid;
  paid.set_payment_id("PAY-700");
  paid.set_debtor_id("D-8");
  payment::v1::Allocation* a = paid.add_allocations();
  a->set_invoice_number("INV-700");
  *a->mutable_principal() = Eur(4000);
  *a->mutable_total() = Eur(4000);
  common::v1::Envelope env;
  env.set_event_id("payment-evt-700");
  env.set_tenant("t1");
  env.set_aggregate_key("t1/D-8");
  env.set_type(payment::v1::PaymentAllocated::descriptor()->full_name());
  env.set_schema_version(1);
  env.set_payload(paid.SerializeAsString());
  ASSERT_TRUE(
      env_->producer
          ->ProduceAll({{"payment.events", env.aggregate_key(), env.SerializeAsString(), {}}},
                       absl::Seconds(30))
          .ok());
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  v1::GetInvoiceResponse got;
  while (absl::Now() < deadline) {
    ASSERT_TRUE(Get("t1", Number("INV-700"), &got).ok());
    if (got.invoice().status() == v1::INVOICE_STATUS_PAID) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_EQ(got.invoice().status(), v1::INVOICE_STATUS_PAID);
  EXPECT_EQ(got.invoice().open_balance().minor_units(), 0);
}

TEST_F(InvoiceApiTest, ContactIsReadableUntilErasedAndRestrictedWhileOpen) {
  v1::UpsertDebtorResponse up;
  ASSERT_TRUE(Upsert(Person("D-9"), "up-D-9", &up).ok());
  // A retry re-encrypts (new nonce) yet is recognised as the same request.
  v1::UpsertDebtorResponse again;
  grpc::Status s = Upsert(Person("D-9"), "up-D-9", &again);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(again.SerializeAsString(), up.SerializeAsString());
  // The same key with other personal data is refused.
  v1::Debtor other = Person("D-9");
  other.set_family_name("Montecchi");
  s = Upsert(other, "up-D-9", &again);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Fields(s), Contains("context.idempotency_key"));
  // An identical upsert in a new request changes nothing visible.
  ASSERT_TRUE(Upsert(Person("D-9"), "up-D-9-same", &again).ok());
  EXPECT_FALSE(again.created());
  EXPECT_EQ(again.version(), up.version());
  EXPECT_THAT(again.changed_fields(), IsEmpty());
  // A changed name is reported by field name.
  ASSERT_TRUE(Upsert(other, "up-D-9-renamed", &again).ok());
  EXPECT_THAT(again.changed_fields(), Contains("family_name"));

  v1::GetDebtorContactResponse contact;
  s = Contact("t1", "D-9", &contact);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(contact.debtor().given_name(), "Giulietta");
  EXPECT_EQ(contact.debtor().family_name(), "Montecchi");
  ASSERT_EQ(contact.debtor().contact_points_size(), 2);
  EXPECT_EQ(contact.debtor().contact_points(0).email(), "giulietta@verona.example");
  EXPECT_EQ(contact.debtor().country(), "IT");
  ASSERT_TRUE(Contact("t1", "D-9", &contact, v1::CONTACT_ROLE_ESCALATION).ok());
  ASSERT_EQ(contact.debtor().contact_points_size(), 1);
  EXPECT_EQ(contact.debtor().contact_points(0).phone(), "+390458001234");

  // Nothing open: erased, the data key destroyed, the data unreadable.
  v1::EraseDebtorResponse erased;
  s = Erase("D-9", "erase-D-9", &erased);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(erased.outcome(), v1::ERASE_OUTCOME_ERASED);
  auto key = env_->keys->Find("t1/D-9");
  ASSERT_TRUE(key.ok());
  EXPECT_FALSE(key->has_value());
  s = Contact("t1", "D-9", &contact);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(s.error_message(), "debtor erased");
  // The erasure's retry answers the same.
  v1::EraseDebtorResponse erased_again;
  ASSERT_TRUE(Erase("D-9", "erase-D-9", &erased_again).ok());
  EXPECT_EQ(erased_again.outcome(), v1::ERASE_OUTCOME_ERASED);

  // An open invoice: restricted, not erased; the key stays, the data is not readable.
  ASSERT_TRUE(Upsert(Person("D-10"), "up-D-10", &up).ok());
  v1::IssueInvoiceResponse r;
  ASSERT_TRUE(Issue(Spec("INV-1000", "D-10", 990), "issue-1000", &r).ok());
  s = Erase("D-10", "erase-D-10", &erased);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(erased.outcome(), v1::ERASE_OUTCOME_RESTRICTED);
  EXPECT_EQ(erased.retention_until().year(), 2036);
  EXPECT_FALSE(erased.retention_basis().empty());
  s = Contact("t1", "D-10", &contact);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("restricted"));
  key = env_->keys->Find("t1/D-10");
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(key->has_value());

  // Unknown debtor: NOT_FOUND.
  EXPECT_EQ(Erase("D-nobody", "erase-nobody", &erased).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(InvoiceApiTest, ImportInvoicesKeepsGoodRowsAndReportsBadOnes) {
  grpc::ClientContext ctx;
  v1::ImportInvoicesResponse response;
  auto writer = Stub().ImportInvoices(&ctx, &response);
  v1::ImportInvoicesRequest first;
  *first.mutable_context() = Ctx("t1", "import-small");
  v1::ImportRow* debtor = first.add_rows();
  *debtor->mutable_debtor() = Person("D-11");
  v1::ImportRow* good = first.add_rows();
  *good->mutable_invoice() = Spec("INV-1100", "D-11", 100);
  ASSERT_TRUE(writer->Write(first));
  v1::ImportInvoicesRequest second;
  v1::ImportRow* taken = second.add_rows();
  *taken->mutable_invoice() = Spec("INV-100", "D-11", 100);  // D-1's number
  v1::ImportRow* empty = second.add_rows();
  empty->set_line(42);
  v1::ImportRow* defaults = second.add_rows();
  defaults->mutable_debtor()->set_debtor_id("D-12");
  defaults->mutable_debtor()->set_country("FI");
  v1::ImportRow* implicit = second.add_rows();
  *implicit->mutable_invoice() = Spec("INV-1200", "D-12", 300);
  ASSERT_TRUE(writer->Write(second));
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.rows(), 6);
  EXPECT_EQ(response.created(), 2);
  EXPECT_EQ(response.rejected(), 2);
  ASSERT_EQ(response.results_size(), 6);
  EXPECT_EQ(response.results(0).outcome(), v1::ISSUE_OUTCOME_CREATED);
  EXPECT_EQ(response.results(0).invoice_id(), "D-11");
  EXPECT_EQ(response.results(2).outcome(), v1::ISSUE_OUTCOME_REJECTED);
  EXPECT_EQ(response.results(2).line(), 3);
  EXPECT_EQ(response.results(2).errors(0).field(), "invoice_number");
  EXPECT_EQ(response.results(2).errors(0).problem(), "already issued to another debtor");
  EXPECT_EQ(response.results(3).line(), 42);
  EXPECT_EQ(response.results(3).errors(0).field(), "item");
  EXPECT_EQ(response.results(4).outcome(), v1::ISSUE_OUTCOME_CREATED);  // D-12 from defaults

  v1::GetDebtorContactResponse contact;
  ASSERT_TRUE(Contact("t1", "D-11", &contact).ok());
  EXPECT_EQ(contact.debtor().family_name(), "Capuleti");
  ASSERT_TRUE(Contact("t1", "D-12", &contact).ok());
  EXPECT_EQ(contact.debtor().country(), "FI");
  EXPECT_TRUE(contact.debtor().family_name().empty());
}

TEST_F(InvoiceApiTest, TheImportCliReportsBadRowsAndSumsUp) {
  const std::string dir = ::testing::TempDir();
  const std::string path = dir + "/invoices.csv";
  {
    std::ofstream f(path);
    f << "invoice_number,debtor_id,issue_date,due_date,currency,amount,debtor_country\n"
         "CLI-1,C-1,2025-12-01,2025-12-31,EUR,100.00,IT\n"
         "CLI-2,C-1,2025-12-01,2025-12-31,EUR,12.345,\n"
         "CLI-3,C-2,2025-12-01,2025-11-30,EUR,5,\n"
         "INV-100,C-2,2025-12-01,2025-12-31,EUR,5,\n"
         "CLI-4,C-2,2025-12-01,2025-12-31,EUR,7.5,FI\n";
  }
  const std::string err = dir + "/cli.err";
  std::remove(err.c_str());
  auto run = [&](const std::string& file) {
    concerto::testing::SubprocessOptions o;
    o.argv = {concerto::testing::BinaryPath("bin/concerto-invoice-import"),
              absl::StrCat("--target=127.0.0.1:", env_->port), "--tenant=t1", "--file=" + file,
              "--batch=2"};
    o.stderr_path = err;
    auto p = concerto::testing::Subprocess::Start(o);
    EXPECT_TRUE(p.ok()) << p.status();
    std::string out;
    if (!p.ok()) return std::make_pair(-1, out);
    while (auto line = (*p)->ReadLine(absl::Seconds(60))) out += *line + "\n";
    return std::make_pair((*p)->Wait(absl::Seconds(60)).value_or(-1), out);
  };
  auto [code, out] = run(path);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(out, "rows=5 created=2 duplicates=0 adjusted=0 rejected=3\n");
  std::ifstream e(err);
  std::string errors((std::istreambuf_iterator<char>(e)), std::istreambuf_iterator<char>());
  EXPECT_THAT(errors, HasSubstr("line 3, column amount:"));
  EXPECT_THAT(errors, HasSubstr("line 4, field due_date: must not be before issue_date"));
  EXPECT_THAT(errors, HasSubstr("line 5, field invoice_number: already issued to another debtor"));

  // Again: nothing new.
  std::tie(code, out) = run(path);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(out, "rows=5 created=0 duplicates=2 adjusted=0 rejected=3\n");

  // A file-level problem: exit 2.
  const std::string bad = dir + "/bad.csv";
  {
    std::ofstream f(bad);
    f << "number,amount\nX,1\n";
  }
  std::tie(code, out) = run(bad);
  EXPECT_EQ(code, 2);
  std::tie(code, out) = run(dir + "/does-not-exist.csv");
  EXPECT_EQ(code, 2);
}

}  // namespace
}  // namespace concerto::invoice
