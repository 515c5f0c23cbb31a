// Tests of the invoice mirror, fee lines, allocation and reversal of payments.
#include "services/payment/domain/account.h"

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/testing/status_matchers.h"
#include "services/payment/domain/test_util.h"

namespace concerto::payment {
namespace {

using ::concerto::testing::IsOk;
using ::concerto::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::StartsWith;
using testing::Date;
using testing::Harness;
using testing::Money;
using testing::PayReq;

// ExpectField checks an error's code and that its message names `field` first.
void ExpectField(const absl::Status& s, absl::StatusCode code, const std::string& field) {
  EXPECT_EQ(s.code(), code) << s;
  EXPECT_THAT(std::string(s.message()), StartsWith(field + ": ")) << s;
}

// ---- invoice mirror ----

TEST(InvoiceEvents, IssuedIsMirroredAndTheSameEventAgainChangesNothing) {
  Harness h;
  ASSERT_THAT(h.Issue({"i1", 10000, Date(2026, 1, 1), "IT", "RF18539007547034"}), IsOk());
  EXPECT_TRUE(h.last.changed);
  EXPECT_TRUE(h.last.events.empty());
  const auto& inv = h.Inv("i1");
  EXPECT_EQ(inv.status(), state::v1::InvoiceMirror::STATUS_OPEN);
  EXPECT_EQ(inv.open_principal(), 10000);
  EXPECT_EQ(inv.currency(), "EUR");
  EXPECT_EQ(inv.country(), "IT");
  EXPECT_EQ(inv.invoice_number(), "N-i1");
  EXPECT_EQ(inv.payment_reference(), "RF18539007547034");
  const std::string before = h.account.SerializeAsString();
  ASSERT_THAT(h.Issue({"i1", 10000, Date(2026, 1, 1), "IT", "RF18539007547034"}), IsOk());
  EXPECT_FALSE(h.last.changed);
  EXPECT_EQ(h.account.SerializeAsString(), before);
}

TEST(InvoiceEvents, IssuedPartlyPaidOpensOnlyTheOpenBalance) {
  Harness h;
  auto e = testing::Issued({"i1", 10000, Date(2026, 1, 1)});
  *e.mutable_open_balance() = Money(6000);
  ASSERT_THAT(h.Invoice(e), IsOk());
  EXPECT_EQ(h.Inv("i1").open_principal(), 6000);
}

TEST(InvoiceEvents, AdjustCancelWriteOffAndSettle) {
  Harness h;
  for (const char* id : {"i1", "i2", "i3", "i4"}) {
    ASSERT_THAT(h.Issue({id, 10000, Date(2026, 1, 1)}), IsOk());
  }
  invoice::v1::InvoiceAdjusted adj;
  adj.set_invoice_id("i1");
  adj.set_debtor_id("d1");
  adj.set_adjustment_id("a1");
  adj.set_kind(invoice::v1::ADJUSTMENT_KIND_CREDIT_NOTE);
  *adj.mutable_delta() = Money(-2000);
  *adj.mutable_amount() = Money(8000);
  *adj.mutable_open_balance() = Money(8000);
  *adj.mutable_due_date() = Date(2026, 2, 1);
  ASSERT_THAT(h.Invoice(adj), IsOk());
  EXPECT_EQ(h.Inv("i1").open_principal(), 8000);
  EXPECT_EQ(h.Inv("i1").due_date().month(), 2);
  ASSERT_THAT(h.Invoice(adj), IsOk());
  EXPECT_FALSE(h.last.changed);
  EXPECT_EQ(h.Inv("i1").open_principal(), 8000);

  invoice::v1::InvoiceCancelled cancelled;
  cancelled.set_invoice_id("i2");
  cancelled.set_debtor_id("d1");
  ASSERT_THAT(h.Invoice(cancelled), IsOk());
  EXPECT_EQ(h.Inv("i2").status(), state::v1::InvoiceMirror::STATUS_CANCELLED);
  EXPECT_EQ(OpenClaim(h.Inv("i2")), 0);

  invoice::v1::InvoiceWrittenOff off;
  off.set_invoice_id("i3");
  off.set_debtor_id("d1");
  *off.mutable_written_off() = Money(1000);
  *off.mutable_open_balance() = Money(9000);
  ASSERT_THAT(h.Invoice(off), IsOk());
  ASSERT_THAT(h.Invoice(off), IsOk());  // redelivered: applied once
  EXPECT_FALSE(h.last.changed);
  EXPECT_EQ(h.Inv("i3").open_principal(), 9000);
  *off.mutable_written_off() = Money(9000);
  *off.mutable_open_balance() = Money(0);
  ASSERT_THAT(h.Invoice(off), IsOk());
  EXPECT_EQ(h.Inv("i3").status(), state::v1::InvoiceMirror::STATUS_WRITTEN_OFF);
  EXPECT_EQ(h.Inv("i3").open_principal(), 0);

  invoice::v1::InvoiceSettled settled;
  settled.set_invoice_id("i4");
  settled.set_debtor_id("d1");
  ASSERT_THAT(h.Invoice(settled), IsOk());
  EXPECT_EQ(h.Inv("i4").status(), state::v1::InvoiceMirror::STATUS_SETTLED);
}

TEST(InvoiceEvents, RefusesOtherDebtorsBadPayloadsAndIgnoresOtherTypes) {
  Harness h;
  auto e = testing::Issued({"i1", 10000, Date(2026, 1, 1)});
  e.set_debtor_id("d2");
  ExpectField(h.Invoice(e), absl::StatusCode::kInvalidArgument, "debtor_id");
  ExpectField(ApplyInvoiceEvent(h.account, "InvoiceIssued", "\xff\xff", h.now).status(),
              absl::StatusCode::kInvalidArgument, "payload");
  EXPECT_THAT(ApplyInvoiceEvent(h.account, "concerto.invoice.v1.DebtorUpserted", "", h.now),
              StatusIs(absl::StatusCode::kUnimplemented));
  EXPECT_THAT(ApplyCaseEvent(h.account, "concerto.dunning.v1.CaseOpened", "", h.now),
              StatusIs(absl::StatusCode::kUnimplemented));
}

// ---- dunning fee lines ----

TEST(CaseEvents, FeesAddUpAndInterestIsTheLatestAccrual) {
  Harness h;
  ASSERT_THAT(h.Issue({"i1", 10000, Date(2025, 12, 1)}), IsOk());
  ASSERT_THAT(h.Fees({{"i1", "EU_FLAT_40", 4000}, {"i1", "INTEREST_IT", 100}}), IsOk());
  EXPECT_EQ(h.Inv("i1").costs_claimed(), 4000);
  EXPECT_EQ(h.Inv("i1").interest_claimed(), 100);
  EXPECT_EQ(OpenClaim(h.Inv("i1")), 14100);
  ASSERT_THAT(h.Fees({{"i1", "EU_FLAT_40", 4000}, {"i1", "INTEREST_IT", 100}}), IsOk());
  EXPECT_FALSE(h.last.changed) << "a redelivered FeesApplied is applied once";
  // A later step recomputes interest from the due date: it supersedes, it does not add.
  ASSERT_THAT(h.Fees({{"i1", "INTEREST_IT", 150}, {"i1", "FI_REMINDER", 500}}, 2), IsOk());
  EXPECT_EQ(h.Inv("i1").interest_claimed(), 150);
  EXPECT_EQ(h.Inv("i1").costs_claimed(), 4500);
}

TEST(CaseEvents, LinesForAnInvoiceNotSeenYetWaitForIt) {
  Harness h;
  ASSERT_THAT(h.Fees({{"i9", "EU_FLAT_40", 4000}}), IsOk());
  EXPECT_EQ(h.account.pending_claims_size(), 1);
  ASSERT_THAT(h.Issue({"i9", 10000, Date(2025, 12, 1)}), IsOk());
  EXPECT_EQ(h.account.pending_claims_size(), 0);
  EXPECT_EQ(h.Inv("i9").costs_claimed(), 4000);
}

TEST(CaseEvents, DebtWideLineIsSpreadByOpenPrincipal) {
  Harness h;
  ASSERT_THAT(h.Issue({"i1", 30000, Date(2025, 11, 1), "NL"}), IsOk());
  ASSERT_THAT(h.Issue({"i2", 10000, Date(2025, 12, 1), "NL"}), IsOk());
  ASSERT_THAT(h.Fees({{"", "NL_WIK", 4501}}), IsOk());
  // 4501 x 3/4 = 3375.75, x 1/4 = 1125.25: the odd cent goes to the larger remainder.
  EXPECT_EQ(h.Inv("i1").costs_claimed(), 3376);
  EXPECT_EQ(h.Inv("i2").costs_claimed(), 1125);
}

// ---- allocation ----

TEST(Allocation, ReferencedInvoiceByRfReferenceOrInvoiceNumber) {
  Harness h;
  ASSERT_THAT(h.Issue({"i1", 10000, Date(2025, 12, 1), "IT", "RF18539007547034"}), IsOk());
  ASSERT_THAT(h.Issue({"i2", 5000, Date(2025, 11, 1), "IT", "RF712348231"}), IsOk());
  auto r = PayReq(5000);
  r.set_structured_reference("rf18 5390 0754 7034");  // as typed: spaces, lower case
  ASSERT_THAT(h.Pay("p1", r), IsOk());
  EXPECT_THAT(h.Types(), ElementsAre("PaymentReceived", "PaymentAllocated"));
  const auto& allocated = h.Event<v1::PaymentAllocated>(1);
  EXPECT_EQ(allocated.rule(), "referenced");
  ASSERT_EQ(allocated.allocations_size(), 1);
  EXPECT_EQ(allocated.allocations(0).invoice_id(), "i1");
  EXPECT_EQ(allocated.allocations(0).principal().minor_units(), 5000);
  EXPECT_EQ(allocated.allocations(0).open_balance_after().minor_units(), 5000);
  EXPECT_EQ(h.Event<v1::PaymentReceived>(0).structured_reference(), "rf18 5390 0754 7034");

  r = PayReq(2000);
  r.set_structured_reference("N-i2");
  ASSERT_THAT(h.Pay("p2", r), IsOk());
  EXPECT_EQ(h.Event<v1::PaymentAllocated>(1).allocations(0).invoice_id(), "i2");
  EXPECT_EQ(h.Inv("i2").open_principal(), 3000);
}

TEST(Allocation, UnknownReferenceFallsBackToOldestFirst) {
  Harness h;
  ASSERT_THAT(h.Issue({"i1", 10000, Date(2025, 12, 1)}), IsOk());
  ASSERT_THAT(h.Issue({"i2", 5000, Date(2025, 11, 1)}), IsOk());
  auto r = PayReq(1000);
  r.set_structured_reference("RF00NOSUCH");
  ASSERT_THAT(h.Pay("p1", r), IsOk());
  EXPECT_EQ(h.Event<v1::PaymentAllocated>(1).rule(), "oldest-first");
  EXPECT_EQ(h.Event<v1::PaymentAllocated>(1).allocations(0).invoice_id(), "i2");
}

TEST(Allocation, ExplicitInvoicesInTheGivenOrderThenCredit) {
  Harness h;
  ASSERT_THAT(h.Issue({"i1", 10000, Date(2025, 11, 1)}), IsOk());
  ASSERT_THAT(h.Issue({"i2", 5000, Date(2025, 12, 1)}), IsOk());
  ASSERT_THAT(h.Issue({"i3", 7000, Date(2025, 10, 1)}), IsOk());
  auto r = PayReq(20000);
  r.add_invoice_ids("i2");
  r.add_invoice_ids("i1");
  ASSERT_THAT(h.Pay("p1", r), IsOk());
  const auto& allocated = h.Event<v1::PaymentAllocated>(1);
  EXPECT_EQ(allocated.rule(), "explicit");
  ASSERT_EQ(allocated.allocations_size(), 2);
  EXPECT_EQ(allocated.allocations(0).invoice_id(), "i2");
  EXPECT_EQ(allocated.allocations(0).total().minor_units(), 5000);
  EXPECT_EQ(allocated.allocations(1).invoice_id(), "i1");
  EXPECT_EQ(allocated.allocations(1).total().minor_units(), 10000);
  // The payer named i2 and i1: the rest is held, not pushed onto i3.
  EXPECT_EQ(allocated.credit_held().minor_units(), 5000);
  EXPECT_EQ(h.Inv("i3").open_principal(), 7000);
  EXPECT_EQ(h.Credit(), 5000);
}

TEST(Allocation, OldestDueFirstAcrossInvoices) {
  Harness h;
  ASSERT_THAT(h.Issue({"i1", 4000, Date(2025, 12, 15)}), IsOk());
  ASSERT_THAT(h.Issue({"i2", 3000, Date(2025, 11, 15)}), IsOk());
  ASSERT_THAT(h.Issue({"i3", 5000, Date(2026, 1, 5)}), IsOk());
  ASSERT_THAT(h.Pay("p1", 8000), IsOk());
  const auto& allocated = h.Event<v1::PaymentAllocated>(1);
  EXPECT_EQ(allocated.rule(), "oldest-first");
  ASSERT_EQ(allocated.allocations_size(), 3);
  EXPECT_EQ(allocated.allocations(0).invoice_id(), "i2");
  EXPECT_EQ(allocated.allocations(1).invoice_id(), "i1");
  EXPECT_EQ(allocated.allocations(2).invoice_id(), "i3");
  EXPECT_EQ(allocated.allocations(2).principal().minor_units(), 1000);
  EXPECT_EQ(allocated.allocations(2).open_balance_after().minor_units(), 4000);
  EXPECT_EQ(allocated.credit_held().minor_units(), 0);
  const auto& reply = h.Reply<v1::RecordPaymentResponse>();
  EXPECT_EQ(reply.status(), v1::PAYMENT_STATUS_ALLOCATED);
  EXPECT_EQ(reply.allocations_size(), 3);
}

// Italy, art. 1194 c.c.: costs, then interest, then principal. RULEBOOK example 2(a): EUR
// 10,000 due 2025-09-30, 45 days of interest = EUR 125.14, plus the EUR 40 flat sum.
TEST(Allocation, ItalyPaysCostsThenInterestThenPrincipal) {
  Harness h;
  ASSERT_THAT(h.Issue({"i1", 1'000'000, Date(2025, 9, 30), "IT"}), IsOk());
  ASSERT_THAT(h.Fees({{"i1", "EU_FLAT_40", 4000}, {"i1", "INTEREST_IT", 12514}}), IsOk());
  ASSERT_THAT(h.Pay("p1", 10000), IsOk());
  auto a = h.Event<v1::PaymentAllocated>(1).allocations(0);
  EXPECT_EQ(a.costs().minor_units(), 4000);
  EXPECT_EQ(a.interest().minor_units(), 6000);
  EXPECT_EQ(a.principal().minor_units(), 0);
  EXPECT_EQ(a.open_balance_after().minor_units(), 1'000'000);
  ASSERT_THAT(h.Pay("p2", 1'006'514), IsOk());  // the rest of the claim: EUR 10,065.14
  a = h.Event<v1::PaymentAllocated>(1).allocations(0);
  EXPECT_EQ(a.costs().minor_units(), 0);
  EXPECT_EQ(a.interest().minor_units(), 6514);
  EXPECT_EQ(a.principal().minor_units(), 1'000'000);
  EXPECT_EQ(a.open_balance_after().minor_units(), 0);
  EXPECT_EQ(OpenClaim(h.Inv("i1")), 0);
}

// Netherlands, art. 6:44 BW: costs (WIK), then interest, then principal. RULEBOOK example 1:
// WIK on EUR 3,000 = EUR 425.00.
TEST(Allocation, NetherlandsPaysCostsThenInterestThenPrincipal) {
  Harness h;
  ASSERT_THAT(h.Issue({"i1", 300'000, Date(2025, 10, 1), "NL"}), IsOk());
  ASSERT_THAT(h.Fees({{"i1", "NL_WIK", 42500}, {"i1", "INTEREST_EU", 1000}}), IsOk());
  ASSERT_THAT(h.Pay("p1", 50000), IsOk());
  const auto& a = h.Event<v1::PaymentAllocated>(1).allocations(0);
  EXPECT_EQ(a.costs().minor_units(), 42500);
  EXPECT_EQ(a.interest().minor_units(), 1000);
  EXPECT_EQ(a.principal().minor_units(), 6500);
  EXPECT_EQ(a.total().minor_units(), 50000);
  EXPECT_EQ(a.open_balance_after().minor_units(), 293'500);
}

TEST(Allocation, OverpaymentIsHeldAsCredit) {
  Harness h;
  ASSERT_THAT(h.Issue({"i1", 5000, Date(2025, 12, 1)}), IsOk());
  ASSERT_THAT(h.Pay("p1", 8000), IsOk());
  EXPECT_EQ(h.Event<v1::PaymentAllocated>(1).credit_held().minor_units(), 3000);
  EXPECT_EQ(h.Reply<v1::RecordPaymentResponse>().credit_held().minor_units(), 3000);
  EXPECT_EQ(h.Credit(), 3000);
  // Nothing open any more: all of it is credit.
  ASSERT_THAT(h.Pay("p2", 2000), IsOk());
  EXPECT_EQ(h.Event<v1::PaymentAllocated>(1).allocations_size(), 0);
  EXPECT_EQ(h.Credit(), 5000);
}

TEST(Allocation, CurrencyMismatchWithEveryOpenInvoiceIsUnmatched) {
  Harness h;
  ASSERT_THAT(h.Issue({"i1", 5000, Date(2025, 12, 1)}), IsOk());
  ASSERT_THAT(h.Pay("p1", PayReq(5000, "SEK")), IsOk());
  EXPECT_THAT(h.Types(), ElementsAre("PaymentReceived", "PaymentUnmatched"));
  EXPECT_EQ(h.Event<v1::PaymentUnmatched>(1).reason(), v1::UNMATCHED_REASON_CURRENCY_MISMATCH);
  EXPECT_EQ(h.Reply<v1::RecordPaymentResponse>().status(), v1::PAYMENT_STATUS_UNMATCHED);
  EXPECT_EQ(h.Inv("i1").open_principal(), 5000);
  EXPECT_EQ(h.Credit("SEK"), 0);
}

TEST(Allocation, ReferenceToAClosedInvoiceIsUnmatched) {
  Harness h;
  ASSERT_THAT(h.Issue({"i1", 5000, Date(2025, 12, 1)}), IsOk());
  ASSERT_THAT(h.Issue({"i2", 5000, Date(2025, 12, 1)}), IsOk());
  invoice::v1::InvoiceCancelled cancelled;
  cancelled.set_invoice_id("i1");
  ASSERT_THAT(h.Invoice(cancelled), IsOk());
  auto r = PayReq(5000);
  r.set_structured_reference("N-i1");
  ASSERT_THAT(h.Pay("p1", r), IsOk());
  EXPECT_EQ(h.Event<v1::PaymentUnmatched>(1).reason(), v1::UNMATCHED_REASON_INVOICE_CLOSED);
  EXPECT_EQ(h.Inv("i2").open_principal(), 5000);
}

TEST(Allocation, DuplicateExternalIdRepliesWithTheFirstResult) {
  Harness h;
  ASSERT_THAT(h.Issue({"i1", 5000, Date(2025, 12, 1)}), IsOk());
  auto r = PayReq(3000);
  r.set_external_id("bank-1");
  ASSERT_THAT(h.Pay("p1", r), IsOk());
  const std::string first = h.Reply<v1::RecordPaymentResponse>().SerializeAsString();
  const std::string state = h.account.SerializeAsString();
  ASSERT_THAT(h.Pay("p2", r), IsOk());
  EXPECT_FALSE(h.last.changed);
  EXPECT_TRUE(h.last.events.empty());
  EXPECT_EQ(h.Reply<v1::RecordPaymentResponse>().payment_id(), "p1");
  EXPECT_EQ(h.Reply<v1::RecordPaymentResponse>().SerializeAsString(), first);
  EXPECT_EQ(h.account.SerializeAsString(), state);
  ASSERT_THAT(h.Pay("p1", r), IsOk());  // the same payment id: same answer
  EXPECT_FALSE(h.last.changed);
  ExpectField(RecordPayment(h.account, "p3", [&] {
                auto other = r;
                other.mutable_amount()->set_minor_units(3001);
                return other;
              }(), h.now).status(),
              absl::StatusCode::kInvalidArgument, "external_id");
}

// ---- reversal ----

// Setup: i1 EUR 100 + costs 40 + interest 5, i2 EUR 30 due later; p1 pays EUR 200:
// i1 costs 40, interest 5, principal 100; i2 30; credit 25.
void PayAll(Harness& h) {
  ASSERT_THAT(h.Issue({"i1", 10000, Date(2025, 11, 1)}), IsOk());
  ASSERT_THAT(h.Issue({"i2", 3000, Date(2025, 12, 1)}), IsOk());
  ASSERT_THAT(h.Fees({{"i1", "EU_FLAT_40", 4000}, {"i1", "INTEREST_IT", 500}}), IsOk());
  ASSERT_THAT(h.Pay("p1", 20000), IsOk());
  ASSERT_EQ(h.Credit(), 2500);
}

TEST(Reversal, FullReversalReopensExactlyWhatThePaymentPaid) {
  Harness h;
  PayAll(h);
  const state::v1::InvoiceMirror paid_i1 = h.Inv("i1");
  ASSERT_THAT(h.Reverse("r1", "p1"), IsOk());
  EXPECT_THAT(h.Types(), ElementsAre("PaymentReversed"));
  const auto& e = h.Event<v1::PaymentReversed>(0);
  EXPECT_EQ(e.amount().minor_units(), 20000);
  EXPECT_EQ(e.reversal_id(), "r1");
  ASSERT_EQ(e.reopened_size(), 2);
  EXPECT_EQ(e.reopened(0).invoice_id(), "i2");  // the last allocation first
  EXPECT_EQ(e.reopened(0).principal().minor_units(), 3000);
  EXPECT_EQ(e.reopened(1).invoice_id(), "i1");
  EXPECT_EQ(e.reopened(1).principal().minor_units(), 10000);
  EXPECT_EQ(e.reopened(1).interest().minor_units(), 500);
  EXPECT_EQ(e.reopened(1).costs().minor_units(), 4000);
  EXPECT_EQ(e.reopened(1).open_balance_after().minor_units(), 10000);
  EXPECT_EQ(OpenClaim(h.Inv("i1")), 14500);
  EXPECT_EQ(OpenClaim(h.Inv("i2")), 3000);
  EXPECT_EQ(h.Credit(), 0);
  EXPECT_EQ(h.account.payments(0).status(), v1::PAYMENT_STATUS_REVERSED);
  EXPECT_NE(paid_i1.SerializeAsString(), h.Inv("i1").SerializeAsString());
}

TEST(Reversal, PartialReversalUndoesFromTheLastAllocationBackwards) {
  Harness h;
  PayAll(h);
  ASSERT_THAT(h.Reverse("r1", "p1", 2500), IsOk());  // the credit first
  EXPECT_EQ(h.Event<v1::PaymentReversed>(0).reopened_size(), 0);
  EXPECT_EQ(h.Credit(), 0);
  ASSERT_THAT(h.Reverse("r2", "p1", 4000), IsOk());  // i2 entirely, then i1's principal
  const auto& e = h.Event<v1::PaymentReversed>(0);
  ASSERT_EQ(e.reopened_size(), 2);
  EXPECT_EQ(e.reopened(0).principal().minor_units(), 3000);
  EXPECT_EQ(e.reopened(1).principal().minor_units(), 1000);
  EXPECT_EQ(e.reopened(1).interest().minor_units(), 0);
  EXPECT_EQ(h.Inv("i1").open_principal(), 1000);
  EXPECT_EQ(h.Inv("i1").interest_paid(), 500);
  ASSERT_THAT(h.Reverse("r3", "p1", 9500), IsOk());  // principal 9000, then interest 500
  EXPECT_EQ(h.Event<v1::PaymentReversed>(0).reopened(0).principal().minor_units(), 9000);
  EXPECT_EQ(h.Event<v1::PaymentReversed>(0).reopened(0).interest().minor_units(), 500);
  EXPECT_EQ(h.Inv("i1").costs_paid(), 4000);
  ExpectField(h.Reverse("r4", "p1", 4001), absl::StatusCode::kInvalidArgument,
              "amount.minor_units");
  ASSERT_THAT(h.Reverse("r4", "p1"), IsOk());  // the rest: the costs
  EXPECT_EQ(h.Event<v1::PaymentReversed>(0).amount().minor_units(), 4000);
  EXPECT_EQ(h.Inv("i1").costs_paid(), 0);
  EXPECT_THAT(h.Reverse("r5", "p1").code(), absl::StatusCode::kFailedPrecondition);
}

TEST(Reversal, SameReversalIdAgainChangesNothing) {
  Harness h;
  PayAll(h);
  ASSERT_THAT(h.Reverse("r1", "p1", 5000), IsOk());
  const std::string state = h.account.SerializeAsString();
  const std::string first = h.Reply<v1::ReversePaymentResponse>().SerializeAsString();
  ASSERT_THAT(h.Reverse("r1", "p1", 5000), IsOk());
  EXPECT_FALSE(h.last.changed);
  EXPECT_TRUE(h.last.events.empty());
  EXPECT_EQ(h.account.SerializeAsString(), state);
  EXPECT_EQ(h.Reply<v1::ReversePaymentResponse>().SerializeAsString(), first);
}

TEST(Reversal, ReopensAnInvoiceTheInvoiceServiceHadSettled) {
  Harness h;
  ASSERT_THAT(h.Issue({"i1", 5000, Date(2025, 12, 1)}), IsOk());
  ASSERT_THAT(h.Pay("p1", 5000), IsOk());
  invoice::v1::InvoiceSettled settled;
  settled.set_invoice_id("i1");
  ASSERT_THAT(h.Invoice(settled), IsOk());
  ASSERT_THAT(h.Reverse("r1", "p1"), IsOk());
  EXPECT_EQ(h.Inv("i1").status(), state::v1::InvoiceMirror::STATUS_OPEN);
  EXPECT_EQ(h.Inv("i1").open_principal(), 5000);
}

TEST(Reversal, UnmatchedPaymentReversesWithoutReopening) {
  Harness h;
  ASSERT_THAT(h.Issue({"i1", 5000, Date(2025, 12, 1)}), IsOk());
  ASSERT_THAT(h.Pay("p1", PayReq(5000, "SEK")), IsOk());
  v1::ReversePaymentRequest r;
  r.set_payment_id("p1");
  ASSERT_THAT(h.Take(ReversePayment(h.account, "r1", r, h.now)), IsOk());
  EXPECT_EQ(h.Event<v1::PaymentReversed>(0).reopened_size(), 0);
  EXPECT_EQ(h.account.payments(0).unmatched(), 0);
}

TEST(Reversal, UnknownPaymentIsNotFound) {
  Harness h;
  const absl::Status s = h.Reverse("r1", "nope");
  ExpectField(s, absl::StatusCode::kFailedPrecondition, "payment_id");
  EXPECT_TRUE(s.GetPayload(kNotFoundPayload).has_value());
}

// ---- validation ----

TEST(Validation, InvalidPaymentInputsNameTheField) {
  Harness h;
  ASSERT_THAT(h.Issue({"i1", 5000, Date(2025, 12, 1)}), IsOk());
  ExpectField(RecordPayment(h.account, "p1", PayReq(0), h.now).status(),
              absl::StatusCode::kInvalidArgument, "amount.minor_units");
  EXPECT_EQ(RecordPayment(h.account, "p1", PayReq(0), h.now).status().message(),
            "amount.minor_units: must be > 0");
  ExpectField(RecordPayment(h.account, "p1", PayReq(-5), h.now).status(),
              absl::StatusCode::kInvalidArgument, "amount.minor_units");
  ExpectField(RecordPayment(h.account, "p1", PayReq(5, "XXX"), h.now).status(),
              absl::StatusCode::kInvalidArgument, "amount.currency");
  ExpectField(RecordPayment(h.account, "p1", PayReq(5, ""), h.now).status(),
              absl::StatusCode::kInvalidArgument, "amount.currency");
  ExpectField(RecordPayment(h.account, "", PayReq(5), h.now).status(),
              absl::StatusCode::kInvalidArgument, "payment_id");
  auto r = PayReq(5);
  r.add_invoice_ids("i1");
  r.add_invoice_ids("nope");
  ExpectField(RecordPayment(h.account, "p1", r, h.now).status(),
              absl::StatusCode::kInvalidArgument, "invoice_ids[1]");
  r = PayReq(5);
  *r.mutable_value_date() = Date(2026, 2, 30);
  ExpectField(RecordPayment(h.account, "p1", r, h.now).status(),
              absl::StatusCode::kInvalidArgument, "value_date");
  r = PayReq(5);
  r.set_debtor_id("d2");
  ExpectField(RecordPayment(h.account, "p1", r, h.now).status(),
              absl::StatusCode::kInvalidArgument, "debtor_id");

  ASSERT_THAT(h.Pay("p1", 5000), IsOk());
  v1::ReversePaymentRequest rev;
  rev.set_payment_id("p1");
  *rev.mutable_amount() = Money(100, "USD");
  ExpectField(ReversePayment(h.account, "r1", rev, h.now).status(),
              absl::StatusCode::kInvalidArgument, "amount.currency");
  *rev.mutable_amount() = Money(0);
  ExpectField(ReversePayment(h.account, "r1", rev, h.now).status(),
              absl::StatusCode::kInvalidArgument, "amount.minor_units");
  ExpectField(ReversePayment(h.account, "", rev, h.now).status(),
              absl::StatusCode::kInvalidArgument, "reversal_id");

  ExpectField(ApplyTimer(h.account, "step/3", "", h.now).status(),
              absl::StatusCode::kInvalidArgument, "timer.kind");
  ExpectField(ApplyTimer(h.account, "plan/x", "", h.now).status(),
              absl::StatusCode::kInvalidArgument, "timer.kind");
  ExpectField(NewAccount("no-slash").status(), absl::StatusCode::kInvalidArgument,
              "aggregate_key");
}

TEST(Keys, AccountKeyAndTimerKinds) {
  EXPECT_EQ(AccountKey("t1", "d1"), "t1/d1");
  const auto acc = NewAccount("t1/d1");
  ASSERT_THAT(acc, IsOk());
  EXPECT_EQ(acc->tenant(), "t1");
  EXPECT_EQ(acc->debtor_id(), "d1");
  EXPECT_EQ(PromiseTimerKind("pr1"), "promise/pr1");
  EXPECT_EQ(PlanDueTimerKind("pl1", 3), "plan/pl1/due/3");
  EXPECT_EQ(PlanGraceTimerKind("pl1", 3), "plan/pl1/grace/3");
}

}  // namespace
}  // namespace concerto::payment
