#include "services/payment/domain/account.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "concerto/dunning/v1/case.pb.h"
#include "concerto/invoice/v1/invoice_events.pb.h"
#include "concerto/payment/v1/payment_events.pb.h"
#include "libs/core/stable_hash.h"
#include "libs/core/status_macros.h"
#include "libs/rules/creditor_reference.h"
#include "libs/rules/money.h"
#include "services/payment/domain/internal/decider.h"

namespace concerto::payment {
namespace {

using internal::Builder;
using state::v1::AllocationPart;
using state::v1::InvoiceMirror;
using state::v1::PaymentAccount;
using state::v1::PaymentRecord;

// kFingerprintsKept bounds the remembered FeesApplied fingerprints: redeliveries arrive close
// together, and the platform's processed ids catch anything older.
constexpr int kFingerprintsKept = 64;

// ShortType strips the package: "concerto.invoice.v1.InvoiceIssued" -> "InvoiceIssued".
std::string ShortType(const std::string& type) {
  const size_t dot = type.rfind('.');
  return dot == std::string::npos ? type : type.substr(dot + 1);
}

template <typename M>
absl::StatusOr<M> Decode(const std::string& payload) {
  M m;
  if (!m.ParseFromString(payload)) {
    return internal::Invalid("payload",
                             absl::StrCat("does not decode as ", M::descriptor()->full_name()));
  }
  return m;
}

bool IsOpen(const InvoiceMirror& inv) { return inv.status() == InvoiceMirror::STATUS_OPEN; }

bool Contains(const google::protobuf::RepeatedPtrField<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

// ---- claims (fees and interest) ----

bool IsInterest(const std::string& kind) { return absl::StartsWith(kind, "INTEREST"); }

// ApplyClaim records one fee or interest amount on an open invoice. An interest line carries
// the interest accrued from the due date to the step's day (dunning recomputes it in full at
// every fee step), so the latest claim supersedes the earlier ones instead of adding to them;
// `share` marks a part of a line spread over several invoices, which simply adds.
void ApplyClaim(InvoiceMirror* inv, const std::string& kind, int64_t amount, bool share) {
  if (!IsOpen(*inv) || amount <= 0) return;  // nothing is owed on a closed invoice any more
  if (IsInterest(kind) && !share) {
    inv->set_interest_claimed(std::max(inv->interest_claimed(), amount));
  } else if (IsInterest(kind)) {
    inv->set_interest_claimed(inv->interest_claimed() + amount);
  } else {
    inv->set_costs_claimed(inv->costs_claimed() + amount);
  }
}

// SpreadClaim shares a line that names no invoice (e.g. NL_WIK on the whole overdue debt)
// among the open invoices of its currency in proportion to their open principal, the odd
// minor units going to the largest remainders (then the oldest), so that allocation can pay it
// invoice by invoice. Dropped when nothing of its currency is open.
void SpreadClaim(PaymentAccount* acc, const dunning::v1::FeeLine& line) {
  std::vector<InvoiceMirror*> open;
  int64_t base = 0;
  for (auto& inv : *acc->mutable_invoices()) {
    if (IsOpen(inv) && inv.currency() == line.amount().currency() && inv.open_principal() > 0) {
      open.push_back(&inv);
      base += inv.open_principal();
    }
  }
  if (open.empty()) return;
  std::sort(open.begin(), open.end(), [](const InvoiceMirror* a, const InvoiceMirror* b) {
    return internal::DueOrder(*a, *b);
  });
  const int64_t amount = line.amount().minor_units();
  std::vector<int64_t> share(open.size());
  std::vector<std::pair<int64_t, size_t>> remainders;  // (remainder, index)
  int64_t given = 0;
  for (size_t i = 0; i < open.size(); ++i) {
    const rules::Int128 product = static_cast<rules::Int128>(amount) * open[i]->open_principal();
    share[i] = static_cast<int64_t>(product / base);
    remainders.push_back({static_cast<int64_t>(product % base), i});
    given += share[i];
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t k = 0; given < amount; ++k, ++given) ++share[remainders[k % remainders.size()].second];
  for (size_t i = 0; i < open.size(); ++i) ApplyClaim(open[i], line.kind(), share[i], true);
}

// ApplyLine applies one FeesApplied line; a line for an invoice not mirrored yet waits in
// pending_claims (the case topic can overtake the invoice topic).
void ApplyLine(PaymentAccount* acc, const dunning::v1::FeeLine& line) {
  if (line.amount().minor_units() <= 0) return;
  if (line.invoice_id().empty()) {
    SpreadClaim(acc, line);
    return;
  }
  InvoiceMirror* inv = internal::FindInvoice(acc, line.invoice_id());
  if (inv == nullptr) {
    *acc->add_pending_claims() = line;
    return;
  }
  if (inv->currency() != line.amount().currency()) return;  // not this invoice's money
  ApplyClaim(inv, line.kind(), line.amount().minor_units(), false);
}

// ---- invoice events ----

void ApplyIssued(PaymentAccount* acc, const invoice::v1::InvoiceIssued& e) {
  if (internal::FindInvoice(acc, e.invoice_id()) != nullptr) return;  // seen before
  InvoiceMirror* inv = acc->add_invoices();
  inv->set_invoice_id(e.invoice_id());
  inv->set_invoice_number(e.invoice_number());
  *inv->mutable_issue_date() = e.issue_date();
  *inv->mutable_due_date() = e.due_date();
  inv->set_currency(e.amount().currency());
  inv->set_country(e.country());
  inv->set_debtor_type(e.debtor_type());
  inv->set_payment_reference(e.payment_reference());
  inv->set_status(InvoiceMirror::STATUS_OPEN);
  inv->set_amount(e.amount().minor_units());
  if (e.has_open_balance()) {
    inv->set_paid_outside(std::max<int64_t>(0, e.amount().minor_units() -
                                                   e.open_balance().minor_units()));
  }
  internal::RecomputeOpen(inv);
  // Claims that arrived before the invoice.
  auto* pending = acc->mutable_pending_claims();
  std::vector<dunning::v1::FeeLine> mine;
  for (int i = pending->size() - 1; i >= 0; --i) {
    if (pending->Get(i).invoice_id() == e.invoice_id()) {
      mine.insert(mine.begin(), pending->Get(i));
      pending->DeleteSubrange(i, 1);
    }
  }
  for (const auto& line : mine) ApplyLine(acc, line);
}

absl::Status ApplyAdjusted(PaymentAccount* acc, const invoice::v1::InvoiceAdjusted& e) {
  InvoiceMirror* inv = internal::FindInvoice(acc, e.invoice_id());
  // Events of one debtor arrive in order (one Kafka key), so an unknown invoice was issued
  // before this service consumed the topic: there is nothing to mirror it from.
  if (inv == nullptr) return absl::OkStatus();
  if (!e.adjustment_id().empty()) {
    if (Contains(inv->applied_adjustments(), e.adjustment_id())) return absl::OkStatus();
    inv->add_applied_adjustments(e.adjustment_id());
  }
  if (e.has_amount()) {
    if (!inv->currency().empty() && e.amount().currency() != inv->currency()) {
      return internal::Invalid("amount.currency",
                               absl::StrCat("invoice ", e.invoice_id(), " is in ", inv->currency()));
    }
    // The amount after the adjustment, not the delta: re-applying it is harmless. The event's
    // open_balance is ignored: it may not yet include this service's latest allocations.
    inv->set_amount(e.amount().minor_units());
  }
  if (e.has_due_date()) *inv->mutable_due_date() = e.due_date();
  internal::RecomputeOpen(inv);
  return absl::OkStatus();
}

void ApplyWrittenOff(PaymentAccount* acc, const invoice::v1::InvoiceWrittenOff& e) {
  InvoiceMirror* inv = internal::FindInvoice(acc, e.invoice_id());
  if (inv == nullptr) return;
  // A write-off carries no id of its own: (written off, left open, reason) identifies it, as a
  // second partial write-off leaves a different balance open.
  const std::string fingerprint =
      absl::StrCat(e.written_off().minor_units(), "/", e.open_balance().minor_units(), "/",
                   e.reason());
  if (Contains(inv->applied_write_offs(), fingerprint)) return;
  inv->add_applied_write_offs(fingerprint);
  inv->set_written_off(inv->written_off() + std::max<int64_t>(0, e.written_off().minor_units()));
  if (e.open_balance().minor_units() <= 0 && IsOpen(*inv)) {
    inv->set_status(InvoiceMirror::STATUS_WRITTEN_OFF);
  }
  internal::RecomputeOpen(inv);
}

void Close(PaymentAccount* acc, const std::string& invoice_id, InvoiceMirror::Status status) {
  InvoiceMirror* inv = internal::FindInvoice(acc, invoice_id);
  if (inv == nullptr || !IsOpen(*inv)) return;
  inv->set_status(status);
  internal::RecomputeOpen(inv);
}

// ---- allocation ----

// Component is one part of a claim on an invoice.
enum class Component { kCosts, kInterest, kPrincipal };

// ComponentOrder is the order in which a payment pays the parts of one invoice. Italy (art. 1194
// c.c.) and the Netherlands (art. 6:44 BW) impose costs -> interest -> principal; RULEBOOK.md
// gives no other order for any jurisdiction, so it is the default everywhere. A jurisdiction
// that differs gets its own case here.
std::array<Component, 3> ComponentOrder(const std::string& /*country*/) {
  return {Component::kCosts, Component::kInterest, Component::kPrincipal};
}

// Targets is where a payment goes: the invoices in order and the rule, or why it is unmatched.
struct Targets {
  std::vector<InvoiceMirror*> invoices;
  std::string rule;
  v1::UnmatchedReason unmatched = v1::UNMATCHED_REASON_UNSPECIFIED;
};

absl::StatusOr<Targets> ChooseTargets(PaymentAccount* acc, const v1::RecordPaymentRequest& r) {
  const std::string& currency = r.amount().currency();
  Targets t;
  if (!r.invoice_ids().empty()) {
    t.rule = kRuleExplicit;
    std::set<std::string> seen;
    bool other_currency = false;
    for (int i = 0; i < r.invoice_ids_size(); ++i) {
      InvoiceMirror* inv = internal::FindInvoice(acc, r.invoice_ids(i));
      if (inv == nullptr) {
        return internal::Invalid(absl::StrCat("invoice_ids[", i, "]"),
                                 absl::StrCat("no invoice ", r.invoice_ids(i), " on this account"));
      }
      if (!seen.insert(inv->invoice_id()).second || !IsOpen(*inv)) continue;
      if (inv->currency() != currency) {
        other_currency = true;
        continue;
      }
      t.invoices.push_back(inv);
    }
    if (t.invoices.empty()) {
      t.unmatched = other_currency ? v1::UNMATCHED_REASON_CURRENCY_MISMATCH
                                   : v1::UNMATCHED_REASON_INVOICE_CLOSED;
    }
    return t;
  }
  if (!r.structured_reference().empty()) {
    // References compare as banks print them: without spaces, upper case.
    const std::string ref = rules::NormalizeReference(r.structured_reference());
    std::vector<InvoiceMirror*> hits;
    for (auto& inv : *acc->mutable_invoices()) {
      if ((!inv.payment_reference().empty() &&
           rules::NormalizeReference(inv.payment_reference()) == ref) ||
          (!inv.invoice_number().empty() &&
           rules::NormalizeReference(inv.invoice_number()) == ref)) {
        hits.push_back(&inv);
      }
    }
    if (hits.size() > 1) {
      t.unmatched = v1::UNMATCHED_REASON_AMBIGUOUS;
      return t;
    }
    if (hits.size() == 1) {
      t.rule = kRuleReferenced;
      if (!IsOpen(*hits[0])) {
        t.unmatched = v1::UNMATCHED_REASON_INVOICE_CLOSED;
      } else if (hits[0]->currency() != currency) {
        t.unmatched = v1::UNMATCHED_REASON_CURRENCY_MISMATCH;
      } else {
        t.invoices.push_back(hits[0]);
      }
      return t;
    }
    // The caller resolved the debtor, but the reference names none of its invoices: the
    // debtor's debt is still the debt, oldest first.
  }
  t.rule = kRuleOldestFirst;
  bool other_currency = false;
  for (auto& inv : *acc->mutable_invoices()) {
    if (!IsOpen(inv) || OpenClaim(inv) <= 0) continue;
    if (inv.currency() != currency) {
      other_currency = true;
      continue;
    }
    t.invoices.push_back(&inv);
  }
  std::sort(t.invoices.begin(), t.invoices.end(), [](const InvoiceMirror* a, const InvoiceMirror* b) {
    return internal::DueOrder(*a, *b);
  });
  // Nothing open at all: the whole payment is credit. Open debt only in other currencies: the
  // payment cannot pay it.
  if (t.invoices.empty() && other_currency) t.unmatched = v1::UNMATCHED_REASON_CURRENCY_MISMATCH;
  return t;
}

void FillAllocation(const InvoiceMirror& inv, int64_t principal, int64_t interest, int64_t costs,
                    v1::Allocation* out) {
  out->set_invoice_id(inv.invoice_id());
  out->set_invoice_number(inv.invoice_number());
  *out->mutable_principal() = internal::Money(principal, inv.currency());
  *out->mutable_interest() = internal::Money(interest, inv.currency());
  *out->mutable_costs() = internal::Money(costs, inv.currency());
  *out->mutable_total() = internal::Money(principal + interest + costs, inv.currency());
  *out->mutable_open_balance_after() = internal::Money(inv.open_principal(), inv.currency());
}

// Allocate pays the targets in order, each in its component order; returns what is left.
int64_t Allocate(const std::vector<InvoiceMirror*>& targets, int64_t amount, PaymentRecord* p,
                 v1::RecordPaymentResponse* reply) {
  int64_t left = amount;
  for (InvoiceMirror* inv : targets) {
    if (left == 0) break;
    int64_t paid[3] = {0, 0, 0};  // costs, interest, principal
    for (Component c : ComponentOrder(inv->country())) {
      switch (c) {
        case Component::kCosts:
          paid[0] = std::min(left, std::max<int64_t>(0, inv->costs_claimed() - inv->costs_paid()));
          left -= paid[0];
          break;
        case Component::kInterest:
          paid[1] =
              std::min(left, std::max<int64_t>(0, inv->interest_claimed() - inv->interest_paid()));
          left -= paid[1];
          break;
        case Component::kPrincipal:
          paid[2] = std::min(left, inv->open_principal());
          left -= paid[2];
          break;
      }
    }
    if (paid[0] + paid[1] + paid[2] == 0) continue;
    inv->set_costs_paid(inv->costs_paid() + paid[0]);
    inv->set_interest_paid(inv->interest_paid() + paid[1]);
    inv->set_principal_paid(inv->principal_paid() + paid[2]);
    internal::RecomputeOpen(inv);
    AllocationPart* part = p->add_allocations();
    part->set_invoice_id(inv->invoice_id());
    part->set_costs(paid[0]);
    part->set_interest(paid[1]);
    part->set_principal(paid[2]);
    FillAllocation(*inv, paid[2], paid[1], paid[0], reply->add_allocations());
  }
  return left;
}

// ---- reversal ----

// Undo takes up to `amount` back from one allocation part, principal first, then interest,
// then costs (the allocation order backwards); returns what it took, per component.
AllocationPart Undo(AllocationPart* part, int64_t amount) {
  AllocationPart taken;
  taken.set_invoice_id(part->invoice_id());
  const int64_t principal = std::min(amount, part->principal());
  amount -= principal;
  const int64_t interest = std::min(amount, part->interest());
  amount -= interest;
  const int64_t costs = std::min(amount, part->costs());
  part->set_principal(part->principal() - principal);
  part->set_interest(part->interest() - interest);
  part->set_costs(part->costs() - costs);
  taken.set_principal(principal);
  taken.set_interest(interest);
  taken.set_costs(costs);
  return taken;
}

// Reopen gives an invoice back what a reversal took from its payment; an invoice the
// invoice service had settled is open again when principal is owed again.
void Reopen(InvoiceMirror* inv, const AllocationPart& taken) {
  inv->set_principal_paid(inv->principal_paid() - taken.principal());
  inv->set_interest_paid(inv->interest_paid() - taken.interest());
  inv->set_costs_paid(inv->costs_paid() - taken.costs());
  if (inv->status() == InvoiceMirror::STATUS_SETTLED && taken.principal() > 0) {
    inv->set_status(InvoiceMirror::STATUS_OPEN);
  }
  internal::RecomputeOpen(inv);
}

}  // namespace

std::string AccountKey(const std::string& tenant, const std::string& debtor_id) {
  return absl::StrCat(tenant, "/", debtor_id);
}

absl::StatusOr<PaymentAccount> NewAccount(const std::string& aggregate_key) {
  const size_t slash = aggregate_key.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == aggregate_key.size()) {
    return internal::Invalid("aggregate_key", "must be <tenant>/<debtor_id>");
  }
  PaymentAccount acc;
  acc.set_tenant(aggregate_key.substr(0, slash));
  acc.set_debtor_id(aggregate_key.substr(slash + 1));
  return acc;
}

std::string PromiseTimerKind(const std::string& promise_id) {
  return absl::StrCat("promise/", promise_id);
}

std::string PlanDueTimerKind(const std::string& plan_id, int seq) {
  return absl::StrCat("plan/", plan_id, "/due/", seq);
}

std::string PlanGraceTimerKind(const std::string& plan_id, int seq) {
  return absl::StrCat("plan/", plan_id, "/grace/", seq);
}

int64_t OpenClaim(const InvoiceMirror& invoice) {
  if (!IsOpen(invoice)) return 0;
  return invoice.open_principal() +
         std::max<int64_t>(0, invoice.interest_claimed() - invoice.interest_paid()) +
         std::max<int64_t>(0, invoice.costs_claimed() - invoice.costs_paid());
}

const state::v1::PlanRecord* FindPlan(const PaymentAccount& account, const std::string& plan_id) {
  for (const auto& p : account.plans()) {
    if (p.plan().plan_id() == plan_id) return &p;
  }
  return nullptr;
}

absl::StatusOr<AccountDecision> ApplyInvoiceEvent(const PaymentAccount& account,
                                                  const std::string& type,
                                                  const std::string& payload, absl::Time now) {
  Builder b(account, now);
  PaymentAccount* acc = &b.account();
  const std::string t = ShortType(type);
  // Every invoice event names its debtor; an account created empty learns it from the first.
  auto debtor = [&](const std::string& debtor_id) -> absl::Status {
    CONCERTO_RETURN_IF_ERROR(internal::CheckDebtor(*acc, debtor_id, "debtor_id"));
    if (acc->debtor_id().empty()) acc->set_debtor_id(debtor_id);
    return absl::OkStatus();
  };
  auto need_id = [](const std::string& invoice_id) {
    return invoice_id.empty() ? internal::Invalid("invoice_id", "must be set") : absl::OkStatus();
  };
  if (t == "InvoiceIssued") {
    CONCERTO_ASSIGN_OR_RETURN(auto e, Decode<invoice::v1::InvoiceIssued>(payload));
    CONCERTO_RETURN_IF_ERROR(need_id(e.invoice_id()));
    CONCERTO_RETURN_IF_ERROR(debtor(e.debtor_id()));
    CONCERTO_RETURN_IF_ERROR(internal::CheckAmount(e.amount(), "amount", /*allow_zero=*/true));
    CONCERTO_RETURN_IF_ERROR(
        internal::CheckDate(e.due_date(), e.has_due_date(), "due_date").status());
    ApplyIssued(acc, e);
  } else if (t == "InvoiceAdjusted") {
    CONCERTO_ASSIGN_OR_RETURN(auto e, Decode<invoice::v1::InvoiceAdjusted>(payload));
    CONCERTO_RETURN_IF_ERROR(need_id(e.invoice_id()));
    CONCERTO_RETURN_IF_ERROR(debtor(e.debtor_id()));
    CONCERTO_RETURN_IF_ERROR(ApplyAdjusted(acc, e));
  } else if (t == "InvoiceCancelled") {
    CONCERTO_ASSIGN_OR_RETURN(auto e, Decode<invoice::v1::InvoiceCancelled>(payload));
    CONCERTO_RETURN_IF_ERROR(need_id(e.invoice_id()));
    CONCERTO_RETURN_IF_ERROR(debtor(e.debtor_id()));
    Close(acc, e.invoice_id(), InvoiceMirror::STATUS_CANCELLED);
  } else if (t == "InvoiceWrittenOff") {
    CONCERTO_ASSIGN_OR_RETURN(auto e, Decode<invoice::v1::InvoiceWrittenOff>(payload));
    CONCERTO_RETURN_IF_ERROR(need_id(e.invoice_id()));
    CONCERTO_RETURN_IF_ERROR(debtor(e.debtor_id()));
    ApplyWrittenOff(acc, e);
  } else if (t == "InvoiceSettled") {
    CONCERTO_ASSIGN_OR_RETURN(auto e, Decode<invoice::v1::InvoiceSettled>(payload));
    CONCERTO_RETURN_IF_ERROR(need_id(e.invoice_id()));
    CONCERTO_RETURN_IF_ERROR(debtor(e.debtor_id()));
    // The invoice service owns the invoice: once it says settled, nothing more is collected on
    // it (a later reversal of one of our payments reopens it, see Reopen).
    Close(acc, e.invoice_id(), InvoiceMirror::STATUS_SETTLED);
  } else if (t == "InvoiceReissued") {
    CONCERTO_ASSIGN_OR_RETURN(auto e, Decode<invoice::v1::InvoiceReissued>(payload));
    CONCERTO_RETURN_IF_ERROR(need_id(e.invoice_id()));
    CONCERTO_RETURN_IF_ERROR(debtor(e.debtor_id()));
    InvoiceMirror* inv = internal::FindInvoice(acc, e.invoice_id());
    if (inv != nullptr && e.has_due_date()) *inv->mutable_due_date() = e.due_date();
  } else {
    return absl::UnimplementedError(absl::StrCat("payment: does not act on ", type));
  }
  return b.FinishIfChanged();
}

absl::StatusOr<AccountDecision> ApplyCaseEvent(const PaymentAccount& account,
                                               const std::string& type,
                                               const std::string& payload, absl::Time now) {
  if (ShortType(type) != "FeesApplied") {
    return absl::UnimplementedError(absl::StrCat("payment: does not act on ", type));
  }
  CONCERTO_ASSIGN_OR_RETURN(auto e, Decode<dunning::v1::FeesApplied>(payload));
  Builder b(account, now);
  PaymentAccount* acc = &b.account();
  CONCERTO_RETURN_IF_ERROR(internal::CheckDebtor(*acc, e.debtor_id(), "debtor_id"));
  // FeesApplied has no id of its own; a redelivery carries the same bytes.
  const std::string fingerprint = core::DeterministicId(payload, "FeesApplied");
  if (Contains(acc->applied_case_events(), fingerprint)) return b.Finish(false);
  acc->add_applied_case_events(fingerprint);
  if (acc->applied_case_events_size() > kFingerprintsKept) {
    acc->mutable_applied_case_events()->DeleteSubrange(
        0, acc->applied_case_events_size() - kFingerprintsKept);
  }
  for (const auto& line : e.lines()) ApplyLine(acc, line);
  return b.Finish(true);
}

absl::StatusOr<AccountDecision> RecordPayment(const PaymentAccount& account,
                                              const std::string& payment_id,
                                              const v1::RecordPaymentRequest& request,
                                              absl::Time now, const std::string& statement_id) {
  if (payment_id.empty()) return internal::Invalid("payment_id", "must be set");
  CONCERTO_RETURN_IF_ERROR(internal::CheckAmount(request.amount(), "amount"));
  CONCERTO_RETURN_IF_ERROR(internal::CheckDebtor(account, request.debtor_id(), "debtor_id"));
  absl::CivilDay value_day = internal::UtcDay(
      request.has_received_at() ? internal::FromTimestamp(request.received_at()) : now);
  if (request.has_value_date()) {
    CONCERTO_ASSIGN_OR_RETURN(value_day,
                              internal::CheckDate(request.value_date(), true, "value_date"));
  }
  Builder b(account, now);
  PaymentAccount* acc = &b.account();

  // The same payment again: nothing changes, the first answer is the answer.
  for (const auto& p : acc->payments()) {
    const bool same_id = p.payment_id() == payment_id;
    const bool same_external =
        !request.external_id().empty() && p.external_id() == request.external_id();
    if (!same_id && !same_external) continue;
    if (p.amount().minor_units() != request.amount().minor_units() ||
        p.amount().currency() != request.amount().currency()) {
      return internal::Invalid(
          same_id ? "payment_id" : "external_id",
          absl::StrCat("already recorded as payment ", p.payment_id(), " of ",
                       internal::FormatAmount(p.amount().minor_units(), p.amount().currency())));
    }
    return b.Finish(false, std::make_unique<v1::RecordPaymentResponse>(p.result()));
  }

  CONCERTO_ASSIGN_OR_RETURN(Targets targets, ChooseTargets(acc, request));
  const std::string& currency = request.amount().currency();
  const int64_t amount = request.amount().minor_units();

  PaymentRecord* p = acc->add_payments();
  p->set_payment_id(payment_id);
  p->set_external_id(request.external_id());
  *p->mutable_amount() = request.amount();
  p->set_method(request.method());
  internal::SetDate(value_day, p->mutable_value_date());
  internal::SetTimestamp(
      request.has_received_at() ? internal::FromTimestamp(request.received_at()) : now,
      p->mutable_received_at());
  p->set_structured_reference(request.structured_reference());
  p->set_statement_id(statement_id);
  p->set_rule(targets.rule);

  auto reply = std::make_unique<v1::RecordPaymentResponse>();
  reply->set_payment_id(payment_id);
  reply->set_debtor_id(acc->debtor_id());

  auto* received = b.Emit<v1::PaymentReceived>();
  received->set_payment_id(payment_id);
  received->set_debtor_id(acc->debtor_id());
  *received->mutable_amount() = request.amount();
  received->set_method(request.method());
  *received->mutable_value_date() = p->value_date();
  *received->mutable_received_at() = p->received_at();
  received->set_statement_id(statement_id);
  received->set_structured_reference(request.structured_reference());

  if (targets.unmatched != v1::UNMATCHED_REASON_UNSPECIFIED) {
    p->set_status(v1::PAYMENT_STATUS_UNMATCHED);
    p->set_unmatched_reason(targets.unmatched);
    p->set_unmatched(amount);
    reply->set_status(v1::PAYMENT_STATUS_UNMATCHED);
    reply->set_unmatched_reason(targets.unmatched);
    auto* e = b.Emit<v1::PaymentUnmatched>();
    e->set_payment_id(payment_id);
    *e->mutable_amount() = request.amount();
    *e->mutable_value_date() = p->value_date();
    e->set_reason(targets.unmatched);
    e->set_statement_id(statement_id);
  } else {
    const int64_t credit = Allocate(targets.invoices, amount, p, reply.get());
    p->set_status(v1::PAYMENT_STATUS_ALLOCATED);
    p->set_credit_held(credit);
    internal::AddCredit(acc, currency, credit);
    reply->set_status(v1::PAYMENT_STATUS_ALLOCATED);
    *reply->mutable_credit_held() = internal::Money(credit, currency);
    auto* e = b.Emit<v1::PaymentAllocated>();
    e->set_payment_id(payment_id);
    e->set_debtor_id(acc->debtor_id());
    *e->mutable_allocations() = reply->allocations();
    *e->mutable_credit_held() = reply->credit_held();
    e->set_rule(targets.rule);
  }
  *p->mutable_result() = *reply;
  internal::OnPaymentApplied(b, *p);
  return b.Finish(true, std::move(reply));
}

absl::StatusOr<AccountDecision> ReversePayment(const PaymentAccount& account,
                                               const std::string& reversal_id,
                                               const v1::ReversePaymentRequest& request,
                                               absl::Time now) {
  if (reversal_id.empty()) return internal::Invalid("reversal_id", "must be set");
  if (request.payment_id().empty()) return internal::Invalid("payment_id", "must be set");
  Builder b(account, now);
  PaymentAccount* acc = &b.account();
  for (const auto& p : acc->payments()) {
    for (const auto& r : p.reversals()) {
      if (r.reversal_id() != reversal_id) continue;
      if (p.payment_id() != request.payment_id()) {
        return internal::Invalid("reversal_id", absl::StrCat("already used for payment ",
                                                             p.payment_id()));
      }
      return b.Finish(false, std::make_unique<v1::ReversePaymentResponse>(r.result()));
    }
  }
  PaymentRecord* p = internal::FindPayment(acc, request.payment_id());
  if (p == nullptr) {
    return internal::NotFound("payment_id", absl::StrCat("no payment ", request.payment_id(),
                                                         " on this account"));
  }
  const std::string currency = p->amount().currency();
  const int64_t left = p->amount().minor_units() - p->reversed();
  int64_t amount = left;
  if (request.has_amount()) {
    CONCERTO_RETURN_IF_ERROR(internal::CheckAmount(request.amount(), "amount"));
    if (request.amount().currency() != currency) {
      return internal::Invalid("amount.currency", absl::StrCat("the payment is in ", currency));
    }
    amount = request.amount().minor_units();
    if (amount > left) {
      return internal::Invalid("amount.minor_units",
                               absl::StrCat("exceeds what is left to reverse (",
                                            internal::FormatAmount(left, currency), ")"));
    }
  } else if (left == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("payment_id: payment ", p->payment_id(), " is already fully reversed"));
  }

  // What the payment did last is undone first: the unmatched rest, the credit held (it was
  // what remained after the invoices), then the allocations from the last backwards.
  int64_t todo = amount;
  const int64_t from_unmatched = std::min(todo, p->unmatched());
  p->set_unmatched(p->unmatched() - from_unmatched);
  todo -= from_unmatched;
  const int64_t from_credit = std::min(todo, p->credit_held());
  p->set_credit_held(p->credit_held() - from_credit);
  internal::AddCredit(acc, currency, -from_credit);
  todo -= from_credit;
  std::vector<AllocationPart> reopened;
  for (int i = p->allocations_size() - 1; i >= 0 && todo > 0; --i) {
    AllocationPart taken = Undo(p->mutable_allocations(i), todo);
    const int64_t total = taken.principal() + taken.interest() + taken.costs();
    if (total == 0) continue;
    todo -= total;
    reopened.push_back(taken);
  }
  // Parts paid back in full leave the payment's record.
  auto* parts = p->mutable_allocations();
  for (int i = parts->size() - 1; i >= 0; --i) {
    const auto& a = parts->Get(i);
    if (a.principal() + a.interest() + a.costs() == 0) parts->DeleteSubrange(i, 1);
  }
  p->set_reversed(p->reversed() + amount);
  if (p->reversed() == p->amount().minor_units()) p->set_status(v1::PAYMENT_STATUS_REVERSED);

  auto reply = std::make_unique<v1::ReversePaymentResponse>();
  reply->set_reversal_id(reversal_id);
  for (const AllocationPart& taken : reopened) {
    InvoiceMirror* inv = internal::FindInvoice(acc, taken.invoice_id());
    if (inv == nullptr) continue;  // invoices are never removed; defensive
    Reopen(inv, taken);
    FillAllocation(*inv, taken.principal(), taken.interest(), taken.costs(), reply->add_reopened());
  }
  state::v1::ReversalRecord* r = p->add_reversals();
  r->set_reversal_id(reversal_id);
  r->set_amount(amount);
  r->set_reason(request.reason());
  internal::SetTimestamp(now, r->mutable_at());
  *r->mutable_result() = *reply;

  auto* e = b.Emit<v1::PaymentReversed>();
  e->set_payment_id(p->payment_id());
  e->set_reversal_id(reversal_id);
  e->set_debtor_id(acc->debtor_id());
  *e->mutable_amount() = internal::Money(amount, currency);
  e->set_reason(request.reason());
  *e->mutable_reopened() = reply->reopened();
  internal::OnPaymentReversed(b, *p, reopened, from_credit);
  return b.Finish(true, std::move(reply));
}

absl::StatusOr<AccountDecision> ApplyTimer(const PaymentAccount& account, const std::string& kind,
                                           const std::string& payload, absl::Time now) {
  if (absl::StartsWith(kind, "promise/") || absl::StartsWith(kind, "plan/")) {
    return internal::FireCommitmentTimer(account, kind, now);
  }
  return internal::Invalid("timer.kind", absl::StrCat("\"", kind, "\" is not a payment timer"));
}

}  // namespace concerto::payment
