// InvoiceHandler: the mapping of commands and payment events onto the domain and of decisions
// onto the unit of work (state, events on invoice.events, index entries, stored replies), and the
// codes a rejected command carries (no retry by the platform, the API restores the real code).
#include "services/invoice/app/invoice_handler.h"

#include <optional>
#include <string>

#include "absl/strings/cord.h"
#include "concerto/invoice/v1/invoice_events.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/invoice/app/command.pb.h"
#include "services/invoice/domain/domain_test_util.h"

namespace concerto::invoice {
namespace {

using ::testing::Contains;
using testing::D;
using ::testing::ElementsAre;
using testing::Eur;
using ::testing::HasSubstr;
using testing::kDebtor;
using testing::kTenant;
using testing::Now;
using ::testing::Pair;
using testing::Spec;

common::v1::RequestContext Ctx(const std::string& key) {
  common::v1::RequestContext c;
  c.set_tenant(kTenant);
  c.set_idempotency_key(key);
  c.mutable_actor()->set_id("erp");
  return c;
}

platform::Input Command(const app::InvoiceCommand& cmd, const std::string& id = "acme/k1") {
  platform::Input in;
  in.kind = platform::Input::Kind::kCommand;
  in.id = id;
  in.aggregate_key = AccountKey(kTenant, kDebtor);
  in.tenant = kTenant;
  in.command = cmd.SerializeAsString();
  return in;
}

app::InvoiceCommand Issue(const v1::InvoiceSpec& spec) {
  app::InvoiceCommand cmd;
  *cmd.mutable_issue()->mutable_context() = Ctx("k1");
  *cmd.mutable_issue()->mutable_invoice() = spec;
  return cmd;
}

template <typename Reply>
Reply ReplyOf(const platform::Effects& fx) {
  app::StoredReply stored;
  EXPECT_TRUE(stored.ParseFromString(fx.result));
  Reply r;
  EXPECT_TRUE(r.ParseFromString(stored.reply()));
  return r;
}

class InvoiceHandlerTest : public ::testing::Test {
 protected:
  // Apply runs `in` on the current state and keeps the new state.
  absl::StatusOr<platform::Effects> Apply(const platform::Input& in) {
    absl::StatusOr<platform::Effects> fx = handler_.Apply(state_, in, Now());
    if (fx.ok() && fx->new_state.has_value()) state_ = fx->new_state;
    return fx;
  }
  Account State() const {
    Account a;
    if (state_.has_value()) {
      EXPECT_TRUE(a.ParseFromString(*state_));
    }
    return a;
  }

  InvoiceHandler handler_;
  std::optional<std::string> state_;
};

TEST_F(InvoiceHandlerTest, IssueCommitsStateEventIndexAndStoredReply) {
  app::InvoiceCommand cmd = Issue(Spec("INV-1", 12000));
  absl::StatusOr<platform::Effects> fx = Apply(Command(cmd));
  ASSERT_TRUE(fx.ok()) << fx.status();
  ASSERT_TRUE(fx->new_state.has_value());
  ASSERT_EQ(fx->events.size(), 1u);
  EXPECT_EQ(fx->events[0].topic, kInvoiceEventsTopic);
  EXPECT_EQ(fx->events[0].type, "concerto.invoice.v1.InvoiceIssued");
  EXPECT_EQ(fx->events[0].tenant, kTenant);
  v1::InvoiceIssued issued;
  ASSERT_TRUE(issued.ParseFromString(fx->events[0].payload));
  EXPECT_EQ(issued.invoice_number(), "INV-1");
  const std::string key = AccountKey(kTenant, kDebtor);
  EXPECT_THAT(fx->index_put, ElementsAre(Pair("acme/inv/INV-1", key),
                                         Pair("acme/invid/" + issued.invoice_id(), key)));
  app::StoredReply stored;
  ASSERT_TRUE(stored.ParseFromString(fx->result));
  EXPECT_EQ(stored.command(), cmd.SerializeAsString());
  EXPECT_EQ(ReplyOf<v1::IssueInvoiceResponse>(*fx).outcome(), v1::ISSUE_OUTCOME_CREATED);

  // The same invoice again: DUPLICATE, nothing to commit, no index entry, no event.
  fx = Apply(Command(cmd, "acme/k2"));
  ASSERT_TRUE(fx.ok()) << fx.status();
  EXPECT_FALSE(fx->new_state.has_value());
  EXPECT_TRUE(fx->events.empty());
  EXPECT_TRUE(fx->index_put.empty());
  EXPECT_EQ(ReplyOf<v1::IssueInvoiceResponse>(*fx).outcome(), v1::ISSUE_OUTCOME_DUPLICATE);

  // Changed content: ADJUSTED, still no new index entry.
  fx = Apply(Command(Issue(Spec("INV-1", 15000)), "acme/k3"));
  ASSERT_TRUE(fx.ok()) << fx.status();
  EXPECT_EQ(ReplyOf<v1::IssueInvoiceResponse>(*fx).outcome(), v1::ISSUE_OUTCOME_ADJUSTED);
  EXPECT_TRUE(fx->index_put.empty());
  EXPECT_EQ(fx->events[0].type, "concerto.invoice.v1.InvoiceAdjusted");
}

TEST_F(InvoiceHandlerTest, CodesThePlatformWouldRetryBecomePermanentAndAreRestored) {
  app::InvoiceCommand cmd;
  *cmd.mutable_cancel()->mutable_context() = Ctx("k1");
  cmd.mutable_cancel()->mutable_invoice()->set_invoice_number("NOPE");
  absl::StatusOr<platform::Effects> fx = Apply(Command(cmd));
  ASSERT_FALSE(fx.ok());
  EXPECT_EQ(fx.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(OriginalStatus(fx.status()).code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(OriginalStatus(fx.status()).message(), HasSubstr("invoice.invoice_number"));

  // A stale expected_version: ABORTED behind the payload.
  app::InvoiceCommand upsert;
  *upsert.mutable_upsert_debtor()->mutable_context() = Ctx("k2");
  upsert.mutable_upsert_debtor()->mutable_upsert()->mutable_profile()->set_debtor_id(kDebtor);
  upsert.mutable_upsert_debtor()->mutable_upsert()->set_expected_version(7);
  fx = Apply(Command(upsert, "acme/k2"));
  ASSERT_FALSE(fx.ok());
  EXPECT_EQ(OriginalStatus(fx.status()).code(), absl::StatusCode::kAborted);

  // Bad input stays INVALID_ARGUMENT; an unrelated status is returned unchanged.
  platform::Input junk = Command(cmd);
  junk.command = "\xff\xff not a command";
  EXPECT_EQ(Apply(junk).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(OriginalStatus(absl::UnavailableError("x")).code(), absl::StatusCode::kUnavailable);
}

TEST_F(InvoiceHandlerTest, UpsertKeepsOnlyCiphertextAndEmitsIdsOnly) {
  app::InvoiceCommand cmd;
  *cmd.mutable_upsert_debtor()->mutable_context() = Ctx("k1");
  app::DebtorUpsertCommand* u = cmd.mutable_upsert_debtor()->mutable_upsert();
  u->mutable_profile()->set_debtor_id(kDebtor);
  u->mutable_profile()->set_country("IT");
  u->set_encrypted_personal_data("opaque-ciphertext");
  u->add_changed_personal_fields("family_name");
  absl::StatusOr<platform::Effects> fx = Apply(Command(cmd));
  ASSERT_TRUE(fx.ok()) << fx.status();
  EXPECT_EQ(State().encrypted_personal_data(), "opaque-ciphertext");
  ASSERT_EQ(fx->events.size(), 1u);
  v1::DebtorUpserted e;
  ASSERT_TRUE(e.ParseFromString(fx->events[0].payload));
  EXPECT_TRUE(e.created());
  EXPECT_THAT(e.changed_fields(), Contains("family_name"));
  const auto reply = ReplyOf<v1::UpsertDebtorResponse>(*fx);
  EXPECT_TRUE(reply.created());
  EXPECT_EQ(reply.version(), 1);
}

TEST_F(InvoiceHandlerTest, ImportCreatesTheDebtorImplicitlyFillsDefaultsAndKeepsGoodRows) {
  app::InvoiceCommand cmd;
  app::ImportRowsCommand* rows = cmd.mutable_import_rows();
  *rows->mutable_context() = Ctx("k1");
  app::ImportItem* defaults = rows->add_rows();
  defaults->set_line(2);
  defaults->mutable_defaults()->set_country("FI");
  defaults->mutable_defaults()->set_type(v1::DEBTOR_TYPE_CONSUMER);
  app::ImportItem* good = rows->add_rows();
  good->set_line(2);
  *good->mutable_invoice() = Spec("INV-1", 5000);
  app::ImportItem* bad = rows->add_rows();
  bad->set_line(3);
  *bad->mutable_invoice() = Spec("INV-2", 5000);
  *bad->mutable_invoice()->mutable_due_date() = D(2025, 2, 1);  // before the issue date
  app::ImportItem* good2 = rows->add_rows();
  good2->set_line(4);
  *good2->mutable_invoice() = Spec("INV-3", 7000);
  // A later defaults row never overwrites.
  app::ImportItem* later = rows->add_rows();
  later->set_line(5);
  later->mutable_defaults()->set_country("IT");
  later->mutable_defaults()->set_preferred_language("fi");

  absl::StatusOr<platform::Effects> fx = Apply(Command(cmd));
  ASSERT_TRUE(fx.ok()) << fx.status();
  const auto reply = ReplyOf<v1::ImportInvoicesResponse>(*fx);
  ASSERT_EQ(reply.results_size(), 5);
  EXPECT_EQ(reply.results(0).outcome(), v1::ISSUE_OUTCOME_CREATED);  // the debtor
  EXPECT_EQ(reply.results(1).outcome(), v1::ISSUE_OUTCOME_CREATED);
  EXPECT_EQ(reply.results(2).outcome(), v1::ISSUE_OUTCOME_REJECTED);
  ASSERT_GE(reply.results(2).errors_size(), 1);
  EXPECT_EQ(reply.results(2).errors(0).line(), 3);
  EXPECT_EQ(reply.results(2).errors(0).field(), "due_date");
  EXPECT_EQ(reply.results(3).outcome(), v1::ISSUE_OUTCOME_CREATED);
  EXPECT_EQ(reply.results(4).outcome(), v1::ISSUE_OUTCOME_ADJUSTED);  // language filled
  EXPECT_EQ(reply.created(), 2);
  EXPECT_EQ(reply.rejected(), 1);
  const Account a = State();
  EXPECT_EQ(a.debtor().country(), "FI");
  EXPECT_EQ(a.debtor().type(), v1::DEBTOR_TYPE_CONSUMER);
  EXPECT_EQ(a.debtor().preferred_language(), "fi");
  EXPECT_EQ(a.invoices().size(), 2u);
  EXPECT_EQ(fx->index_put.size(), 4u);  // number and id of INV-1 and INV-3
  EXPECT_THAT(fx->index_put, Contains(Pair("acme/inv/INV-3", AccountKey(kTenant, kDebtor))));
}

TEST_F(InvoiceHandlerTest, ImportWithoutDefaultsStillCreatesTheDebtor) {
  app::InvoiceCommand cmd;
  *cmd.mutable_import_rows()->mutable_context() = Ctx("k1");
  app::ImportItem* row = cmd.mutable_import_rows()->add_rows();
  row->set_line(7);
  *row->mutable_invoice() = Spec("INV-9", 100);
  absl::StatusOr<platform::Effects> fx = Apply(Command(cmd));
  ASSERT_TRUE(fx.ok()) << fx.status();
  EXPECT_TRUE(State().has_debtor());
  EXPECT_EQ(State().debtor().debtor_id(), kDebtor);
  ASSERT_EQ(fx->events.size(), 2u);
  EXPECT_EQ(fx->events[0].type, "concerto.invoice.v1.DebtorUpserted");
  EXPECT_EQ(fx->events[1].type, "concerto.invoice.v1.InvoiceIssued");
}

TEST_F(InvoiceHandlerTest, EraseRestrictsWhileSomethingIsOpenAndErasesOnceSettled) {
  app::InvoiceCommand erase;
  *erase.mutable_erase()->mutable_context() = Ctx("e1");
  erase.mutable_erase()->set_debtor_id(kDebtor);
  // No account: NOT_FOUND (behind the payload).
  absl::StatusOr<platform::Effects> fx = Apply(Command(erase, "acme/e0"));
  ASSERT_FALSE(fx.ok());
  EXPECT_EQ(OriginalStatus(fx.status()).code(), absl::StatusCode::kNotFound);

  ASSERT_TRUE(Apply(Command(Issue(Spec("INV-1", 1000)))).ok());
  fx = Apply(Command(erase, "acme/e1"));
  ASSERT_TRUE(fx.ok()) << fx.status();
  auto reply = ReplyOf<v1::EraseDebtorResponse>(*fx);
  EXPECT_EQ(reply.outcome(), v1::ERASE_OUTCOME_RESTRICTED);
  EXPECT_EQ(reply.retention_until().year(), 2035);
  EXPECT_THAT(reply.retention_basis(), HasSubstr("open invoices"));
  EXPECT_EQ(State().personal_data_status(), state::v1::PERSONAL_DATA_STATUS_RESTRICTED);

  // A credit note to zero settles it; now the erasure erases.
  app::InvoiceCommand credit;
  v1::AdjustInvoiceRequest* adj = credit.mutable_adjust();
  *adj->mutable_context() = Ctx("c1");
  adj->mutable_invoice()->set_invoice_number("INV-1");
  adj->set_kind(v1::ADJUSTMENT_KIND_CREDIT_NOTE);
  *adj->mutable_amount() = Eur(1000);
  adj->set_credit_note_number("CN-1");
  fx = Apply(Command(credit, "acme/c1"));
  ASSERT_TRUE(fx.ok()) << fx.status();
  EXPECT_THAT(fx->events.back().type, "concerto.invoice.v1.InvoiceSettled");
  fx = Apply(Command(erase, "acme/e2"));
  ASSERT_TRUE(fx.ok()) << fx.status();
  EXPECT_EQ(ReplyOf<v1::EraseDebtorResponse>(*fx).outcome(), v1::ERASE_OUTCOME_ERASED);
  EXPECT_EQ(State().personal_data_status(), state::v1::PERSONAL_DATA_STATUS_ERASED);
  EXPECT_TRUE(State().encrypted_personal_data().empty());
}

TEST_F(InvoiceHandlerTest, PaymentEventsLowerBalancesAndOtherTypesAreSkipped) {
  ASSERT_TRUE(Apply(Command(Issue(Spec("INV-1", 1000)))).ok());
  platform::Input ev;
  ev.kind = platform::Input::Kind::kEvent;
  ev.id = "pay-evt-1";
  ev.aggregate_key = AccountKey(kTenant, kDebtor);
  ev.tenant = kTenant;
  ev.event.set_type(testing::kAllocatedType);
  ev.event.set_payload(testing::Allocated("P-1", {{"INV-1", 1000}}));
  absl::StatusOr<platform::Effects> fx = Apply(ev);
  ASSERT_TRUE(fx.ok()) << fx.status();
  EXPECT_TRUE(fx->result.empty());
  ASSERT_EQ(fx->events.size(), 1u);
  EXPECT_EQ(fx->events[0].type, "concerto.invoice.v1.InvoiceSettled");
  EXPECT_EQ(State().invoices().at("INV-1").status(), v1::INVOICE_STATUS_PAID);

  ev.event.set_type("concerto.payment.v1.PaymentReceived");
  EXPECT_EQ(Apply(ev).status().code(), absl::StatusCode::kUnimplemented);
  platform::Input timer;
  timer.kind = platform::Input::Kind::kTimer;
  timer.aggregate_key = ev.aggregate_key;
  EXPECT_EQ(Apply(timer).status().code(), absl::StatusCode::kUnimplemented);
}

TEST(RetentionDutyTest, OnlyOpenBalancesKeepData) {
  Account a = NewAccount(kTenant, kDebtor);
  EXPECT_FALSE(RetentionDutyOf(a, Now()).has_value());
  a = testing::WithInvoices({Spec("INV-1", 100)});
  std::optional<RetentionDuty> duty = RetentionDutyOf(a, Now());
  ASSERT_TRUE(duty.has_value());
  EXPECT_EQ(duty->until, absl::CivilDay(2035, 3, 10));
}

}  // namespace
}  // namespace concerto::invoice
