// Promises to pay and repayment plans: the commands that make them, the payments that keep
// them and the timers that find them broken.
#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "concerto/payment/v1/payment_events.pb.h"
#include "libs/core/status_macros.h"
#include "services/payment/domain/account.h"
#include "services/payment/domain/internal/decider.h"
#include "services/payment/domain/schedule.h"

namespace concerto::payment {
namespace {

using internal::Builder;
using state::v1::AllocationPart;
using state::v1::InvoiceMirror;
using state::v1::PaymentAccount;
using state::v1::PaymentRecord;
using state::v1::PlanRecord;
using state::v1::PromiseRecord;

// Counted is what allocation parts (and credit) add up to for a commitment over `invoices`
// (empty: the whole account, credit included).
int64_t Counted(const google::protobuf::RepeatedPtrField<std::string>& invoices,
                const std::vector<AllocationPart>& parts, int64_t credit) {
  int64_t sum = invoices.empty() ? credit : 0;
  for (const auto& a : parts) {
    if (invoices.empty() ||
        std::find(invoices.begin(), invoices.end(), a.invoice_id()) != invoices.end()) {
      sum += a.principal() + a.interest() + a.costs();
    }
  }
  return sum;
}

// TakeBack lowers the contribution of `payment_id` by up to `amount`; returns what it took.
int64_t TakeBack(google::protobuf::RepeatedPtrField<state::v1::Contribution>* contributions,
                 const std::string& payment_id, int64_t amount) {
  for (auto& c : *contributions) {
    if (c.payment_id() != payment_id) continue;
    const int64_t taken = std::min(amount, c.amount());
    c.set_amount(c.amount() - taken);
    return taken;
  }
  return 0;
}

// ---- plan timing ----

absl::Time DueTime(const v1::Instalment& i) { return internal::StartOfDay(internal::ToDay(i.due_date())); }

absl::Time GraceTime(const v1::Plan& plan, const v1::Instalment& i) {
  return internal::StartOfDay(internal::ToDay(i.due_date()) + plan.grace_days() + 1);
}

// DisarmRest removes the plan's timers that have not fired yet (the plan is over).
void DisarmRest(Builder& b, const v1::Plan& plan) {
  for (const auto& i : plan.instalments()) {
    if (DueTime(i) > b.now()) b.Disarm(PlanDueTimerKind(plan.plan_id(), i.seq()), DueTime(i));
    if (GraceTime(plan, i) > b.now()) {
      b.Disarm(PlanGraceTimerKind(plan.plan_id(), i.seq()), GraceTime(plan, i));
    }
  }
}

void Miss(Builder& b, PlanRecord* rec, v1::Instalment* i) {
  v1::Plan* plan = rec->mutable_plan();
  i->set_status(v1::Instalment::STATUS_MISSED);
  rec->set_missed_count(rec->missed_count() + 1);
  auto* e = b.Emit<v1::InstalmentMissed>();
  e->set_plan_id(plan->plan_id());
  e->set_debtor_id(plan->debtor_id());
  e->set_case_id(plan->case_id());
  e->set_seq(i->seq());
  *e->mutable_due_date() = i->due_date();
  *e->mutable_amount_due() = i->amount();
  *e->mutable_paid() = i->paid();
  e->set_missed_count(rec->missed_count());
  if (plan->max_missed() > 0 && rec->missed_count() >= plan->max_missed()) {
    plan->set_status(v1::Plan::STATUS_BROKEN);
    auto* broken = b.Emit<v1::PlanBroken>();
    broken->set_plan_id(plan->plan_id());
    broken->set_debtor_id(plan->debtor_id());
    broken->set_case_id(plan->case_id());
    broken->set_missed_count(rec->missed_count());
    *broken->mutable_remaining() = internal::Money(
        std::max<int64_t>(0, plan->total().minor_units() - rec->paid_total()),
        plan->total().currency());
    broken->set_rule(absl::StrCat(plan->max_missed(), " missed instalment",
                                  plan->max_missed() == 1 ? "" : "s"));
    DisarmRest(b, *plan);
  }
}

// Spread lays paid_total over the instalments in order and settles their statuses: newly paid
// ones emit InstalmentPaid; one no longer paid after a reversal is missed at once if its grace
// has passed (its grace timer already fired while it looked paid).
void Spread(Builder& b, PlanRecord* rec, const std::string& payment_id, absl::CivilDay paid_on) {
  v1::Plan* plan = rec->mutable_plan();
  int64_t left = rec->paid_total();
  for (auto& i : *plan->mutable_instalments()) {
    const int64_t due = i.amount().minor_units();
    const int64_t paid = std::min(left, due);
    left -= paid;
    const bool was_paid = i.status() == v1::Instalment::STATUS_PAID;
    *i.mutable_paid() = internal::Money(paid, i.amount().currency());
    if (paid == due) {
      if (was_paid) continue;
      i.set_status(v1::Instalment::STATUS_PAID);
      auto* e = b.Emit<v1::InstalmentPaid>();
      e->set_plan_id(plan->plan_id());
      e->set_debtor_id(plan->debtor_id());
      e->set_case_id(plan->case_id());
      e->set_seq(i.seq());
      *e->mutable_amount() = i.amount();
      internal::SetDate(paid_on, e->mutable_paid_on());
      e->set_payment_id(payment_id);
      continue;
    }
    if (i.status() == v1::Instalment::STATUS_MISSED) continue;
    if (was_paid && GraceTime(*plan, i) <= b.now()) {
      if (plan->status() == v1::Plan::STATUS_ACTIVE) Miss(b, rec, &i);
      continue;
    }
    if (paid > 0) {
      i.set_status(v1::Instalment::STATUS_PARTIALLY_PAID);
    } else {
      i.set_status(DueTime(i) <= b.now() ? v1::Instalment::STATUS_DUE
                                         : v1::Instalment::STATUS_SCHEDULED);
    }
  }
}

void Complete(Builder& b, PlanRecord* rec, absl::CivilDay on) {
  v1::Plan* plan = rec->mutable_plan();
  for (const auto& i : plan->instalments()) {
    if (i.status() != v1::Instalment::STATUS_PAID) return;
  }
  plan->set_status(v1::Plan::STATUS_COMPLETED);
  auto* e = b.Emit<v1::PlanCompleted>();
  e->set_plan_id(plan->plan_id());
  e->set_debtor_id(plan->debtor_id());
  e->set_case_id(plan->case_id());
  *e->mutable_total_paid() = internal::Money(rec->paid_total(), plan->total().currency());
  internal::SetDate(on, e->mutable_completed_on());
  DisarmRest(b, *plan);
}

// ---- validation shared by promises and plans ----

// OpenInvoices resolves the invoices a promise or plan is about: the listed ones (each must be
// on the account and open) or, when none are listed, every open invoice with something owed.
absl::StatusOr<std::vector<InvoiceMirror*>> OpenInvoices(
    PaymentAccount* acc, const google::protobuf::RepeatedPtrField<std::string>& ids) {
  std::vector<InvoiceMirror*> out;
  std::set<std::string> seen;
  for (int k = 0; k < ids.size(); ++k) {
    const std::string field = absl::StrCat("invoice_ids[", k, "]");
    InvoiceMirror* inv = internal::FindInvoice(acc, ids.Get(k));
    if (inv == nullptr) {
      return internal::Invalid(field, absl::StrCat("no invoice ", ids.Get(k), " on this account"));
    }
    if (OpenClaim(*inv) <= 0) {
      return internal::Invalid(field, absl::StrCat("invoice ", ids.Get(k), " has nothing open"));
    }
    if (seen.insert(inv->invoice_id()).second) out.push_back(inv);
  }
  if (ids.empty()) {
    for (auto& inv : *acc->mutable_invoices()) {
      if (OpenClaim(inv) > 0) out.push_back(&inv);
    }
    std::sort(out.begin(), out.end(), [](const InvoiceMirror* a, const InvoiceMirror* b) {
      return internal::DueOrder(*a, *b);
    });
  }
  return out;
}

// CheckFutureDate validates a date input that may be today but not earlier.
absl::StatusOr<absl::CivilDay> CheckFutureDate(const common::v1::Date& date, bool is_set,
                                               const std::string& field, absl::CivilDay today) {
  CONCERTO_ASSIGN_OR_RETURN(absl::CivilDay day, internal::CheckDate(date, is_set, field));
  if (day < today) {
    return internal::Invalid(field, absl::StrCat("is in the past (today is ",
                                                 internal::FormatDay(today), ")"));
  }
  return day;
}

PromiseRecord* FindPromise(PaymentAccount* acc, const std::string& promise_id) {
  for (auto& p : *acc->mutable_promises()) {
    if (p.promise().promise_id() == promise_id) return &p;
  }
  return nullptr;
}

PlanRecord* FindPlanRecord(PaymentAccount* acc, const std::string& plan_id) {
  for (auto& p : *acc->mutable_plans()) {
    if (p.plan().plan_id() == plan_id) return &p;
  }
  return nullptr;
}

}  // namespace

// ---- promises ----

absl::StatusOr<AccountDecision> MakePromise(const PaymentAccount& account,
                                            const std::string& promise_id,
                                            const v1::MakePromiseRequest& request,
                                            absl::Time now, const PaymentConfig& config) {
  if (promise_id.empty()) return internal::Invalid("promise_id", "must be set");
  Builder b(account, now);
  PaymentAccount* acc = &b.account();
  if (PromiseRecord* existing = FindPromise(acc, promise_id)) {
    auto reply = std::make_unique<v1::MakePromiseResponse>();
    *reply->mutable_promise() = existing->promise();
    return b.Finish(false, std::move(reply));
  }
  CONCERTO_RETURN_IF_ERROR(internal::CheckDebtor(*acc, request.debtor_id(), "debtor_id"));
  CONCERTO_RETURN_IF_ERROR(internal::CheckAmount(request.amount(), "amount"));
  CONCERTO_ASSIGN_OR_RETURN(
      absl::CivilDay due,
      CheckFutureDate(request.due_date(), request.has_due_date(), "due_date", b.today()));
  int grace = request.grace_days() < 0 ? config.promise_grace_days : request.grace_days();
  if (grace > config.max_grace_days) {
    return internal::Invalid("grace_days", absl::StrCat("must be at most ", config.max_grace_days));
  }
  CONCERTO_ASSIGN_OR_RETURN(auto invoices, OpenInvoices(acc, request.invoice_ids()));
  const std::string& currency = request.amount().currency();
  if (invoices.empty()) {
    return absl::FailedPreconditionError("debtor_id: nothing is open on this account");
  }
  std::set<std::string> currencies;
  for (const InvoiceMirror* inv : invoices) currencies.insert(inv->currency());
  if (currencies.count(currency) == 0) {
    return internal::Invalid("amount.currency",
                             absl::StrCat("the open invoices are in ", absl::StrJoin(currencies, ", ")));
  }
  if (!request.invoice_ids().empty() && currencies.size() > 1) {
    return internal::Invalid("invoice_ids", "the invoices are in several currencies");
  }

  PromiseRecord* rec = acc->add_promises();
  v1::Promise* p = rec->mutable_promise();
  p->set_promise_id(promise_id);
  p->set_debtor_id(acc->debtor_id());
  p->set_case_id(request.case_id());
  *p->mutable_invoice_ids() = request.invoice_ids();
  *p->mutable_amount() = request.amount();
  internal::SetDate(due, p->mutable_due_date());
  p->set_grace_days(grace);
  p->set_source(request.source());
  p->set_status(v1::Promise::STATUS_OPEN);
  *p->mutable_paid() = internal::Money(0, currency);
  internal::SetTimestamp(now, p->mutable_made_at());
  // End of the last day of grace, in UTC: a payment valued on that day still keeps it.
  const absl::Time deadline = internal::StartOfDay(due + grace + 1);
  internal::SetTimestamp(deadline, rec->mutable_deadline());

  auto* e = b.Emit<v1::PromiseMade>();
  e->set_promise_id(promise_id);
  e->set_debtor_id(p->debtor_id());
  e->set_case_id(p->case_id());
  *e->mutable_invoice_ids() = p->invoice_ids();
  *e->mutable_amount() = p->amount();
  *e->mutable_due_date() = p->due_date();
  e->set_grace_days(grace);
  e->set_source(p->source());
  b.Arm(PromiseTimerKind(promise_id), deadline, promise_id);

  auto reply = std::make_unique<v1::MakePromiseResponse>();
  *reply->mutable_promise() = *p;
  return b.Finish(true, std::move(reply));
}

// ---- plans ----

absl::StatusOr<AccountDecision> ProposePlan(const PaymentAccount& account,
                                            const std::string& plan_id,
                                            const v1::ProposePlanRequest& request,
                                            absl::Time now, const PaymentConfig& config) {
  if (plan_id.empty()) return internal::Invalid("plan_id", "must be set");
  Builder b(account, now);
  PaymentAccount* acc = &b.account();
  if (PlanRecord* existing = FindPlanRecord(acc, plan_id)) {
    auto reply = std::make_unique<v1::PlanResponse>();
    *reply->mutable_plan() = existing->plan();
    return b.Finish(false, std::move(reply));
  }
  CONCERTO_RETURN_IF_ERROR(internal::CheckDebtor(*acc, request.debtor_id(), "debtor_id"));
  CONCERTO_ASSIGN_OR_RETURN(auto invoices, OpenInvoices(acc, request.invoice_ids()));
  if (invoices.empty()) {
    return absl::FailedPreconditionError("invoice_ids: nothing is open to plan");
  }
  std::set<std::string> currencies, countries;
  int64_t claim = 0, principal = 0, costs = 0;
  bool consumer = true;
  for (const InvoiceMirror* inv : invoices) {
    currencies.insert(inv->currency());
    countries.insert(inv->country());
    claim += OpenClaim(*inv);
    principal += inv->open_principal();
    costs += inv->costs_claimed();
    consumer = consumer && inv->debtor_type() == invoice::v1::DEBTOR_TYPE_CONSUMER;
  }
  if (currencies.size() > 1) {
    return internal::Invalid("invoice_ids",
                             absl::StrCat("the invoices are in several currencies (",
                                          absl::StrJoin(currencies, ", "),
                                          "): propose one plan per currency"));
  }
  const std::string currency = *currencies.begin();

  const bool by_count = request.instalment_count() != 0;
  const bool by_amount = request.has_instalment_amount();
  if (by_count == by_amount) {
    return internal::Invalid("instalment_count",
                             "set exactly one of instalment_count and instalment_amount");
  }
  if (by_count && request.instalment_count() < 0) {
    return internal::Invalid("instalment_count", "must be > 0");
  }
  if (by_count && request.instalment_count() > config.max_instalments) {
    return internal::Invalid("instalment_count",
                             absl::StrCat("must be at most ", config.max_instalments));
  }
  if (by_amount) {
    CONCERTO_RETURN_IF_ERROR(internal::CheckAmount(request.instalment_amount(), "instalment_amount"));
    if (request.instalment_amount().currency() != currency) {
      return internal::Invalid("instalment_amount.currency",
                               absl::StrCat("the plan is in ", currency));
    }
  }
  if (request.frequency() != v1::PLAN_FREQUENCY_WEEKLY &&
      request.frequency() != v1::PLAN_FREQUENCY_FORTNIGHTLY &&
      request.frequency() != v1::PLAN_FREQUENCY_MONTHLY) {
    return internal::Invalid("frequency", "must be weekly, fortnightly or monthly");
  }
  CONCERTO_ASSIGN_OR_RETURN(absl::CivilDay first,
                            CheckFutureDate(request.first_due_date(), request.has_first_due_date(),
                                            "first_due_date", b.today()));
  int64_t down = 0;
  if (request.has_down_payment()) {
    CONCERTO_RETURN_IF_ERROR(
        internal::CheckAmount(request.down_payment(), "down_payment", /*allow_zero=*/true));
    if (request.down_payment().currency() != currency) {
      return internal::Invalid("down_payment.currency", absl::StrCat("the plan is in ", currency));
    }
    down = request.down_payment().minor_units();
  }

  ScheduleTerms terms;
  terms.down_payment = down;
  terms.instalment_count = by_count ? request.instalment_count() : 0;
  terms.instalment_amount = by_amount ? request.instalment_amount().minor_units() : 0;
  terms.frequency = request.frequency();
  terms.first_due = first;
  PlanFeeInput fee_in;
  fee_in.principal = principal;
  fee_in.currency = currency;
  fee_in.country = countries.size() == 1 ? *countries.begin() : "";
  fee_in.debtor_type =
      consumer ? invoice::v1::DEBTOR_TYPE_CONSUMER : invoice::v1::DEBTOR_TYPE_UNSPECIFIED;
  fee_in.costs_claimed = costs;
  // The fee can depend on the number of instalments and, by amount, the number on the fee;
  // both only grow, so this settles within a few rounds.
  PlanFee fee;
  for (int round = 0; round < 4; ++round) {
    terms.total = claim + fee.amount;
    fee_in.regular_instalments = std::max(1, RegularInstalmentCount(terms));
    CONCERTO_ASSIGN_OR_RETURN(PlanFee next, PlanFeeFor(fee_in));
    const bool stable = next.amount == fee.amount;
    fee = std::move(next);
    if (stable) break;
  }
  terms.total = claim + fee.amount;
  if (down >= terms.total) {
    return internal::Invalid("down_payment.minor_units",
                             absl::StrCat("must be less than the plan total (",
                                          internal::FormatAmount(terms.total, currency), ")"));
  }
  const int regular = RegularInstalmentCount(terms);
  if (regular > config.max_instalments) {
    return internal::Invalid("instalment_amount.minor_units",
                             absl::StrCat("too small: it takes ", regular,
                                          " instalments, at most ", config.max_instalments,
                                          " are allowed"));
  }

  PlanRecord* rec = acc->add_plans();
  rec->set_fee_rule(fee.rule);
  v1::Plan* plan = rec->mutable_plan();
  plan->set_plan_id(plan_id);
  plan->set_debtor_id(acc->debtor_id());
  plan->set_case_id(request.case_id());
  for (const InvoiceMirror* inv : invoices) plan->add_invoice_ids(inv->invoice_id());
  plan->set_status(v1::Plan::STATUS_PROPOSED);
  *plan->mutable_principal() = internal::Money(claim, currency);
  *plan->mutable_fee() = internal::Money(fee.amount, currency);
  *plan->mutable_total() = internal::Money(terms.total, currency);
  *plan->mutable_down_payment() = internal::Money(down, currency);
  plan->set_frequency(request.frequency());
  int seq = 0;
  for (const ScheduledInstalment& s : BuildSchedule(terms)) {
    v1::Instalment* i = plan->add_instalments();
    i->set_seq(++seq);
    internal::SetDate(s.due, i->mutable_due_date());
    *i->mutable_amount() = internal::Money(s.amount, currency);
    *i->mutable_paid() = internal::Money(0, currency);
    i->set_status(v1::Instalment::STATUS_SCHEDULED);
  }
  plan->set_grace_days(config.plan_grace_days);
  plan->set_max_missed(config.plan_max_missed);
  plan->set_proposed_by(request.proposed_by());
  internal::SetTimestamp(now, plan->mutable_proposed_at());
  plan->set_jurisdiction(fee_in.country);

  auto reply = std::make_unique<v1::PlanResponse>();
  *reply->mutable_plan() = *plan;
  return b.Finish(true, std::move(reply));
}

absl::StatusOr<AccountDecision> AcceptPlan(const PaymentAccount& account,
                                           const v1::AcceptPlanRequest& request, absl::Time now) {
  if (request.plan_id().empty()) return internal::Invalid("plan_id", "must be set");
  Builder b(account, now);
  PaymentAccount* acc = &b.account();
  PlanRecord* rec = FindPlanRecord(acc, request.plan_id());
  if (rec == nullptr) {
    return internal::NotFound("plan_id",
                              absl::StrCat("no plan ", request.plan_id(), " on this account"));
  }
  v1::Plan* plan = rec->mutable_plan();
  auto reply = std::make_unique<v1::PlanResponse>();
  if (plan->status() == v1::Plan::STATUS_ACTIVE) {
    *reply->mutable_plan() = *plan;
    return b.Finish(false, std::move(reply));
  }
  if (plan->status() != v1::Plan::STATUS_PROPOSED) {
    return absl::FailedPreconditionError(
        absl::StrCat("plan_id: plan ", plan->plan_id(), " is ",
                     v1::Plan::Status_Name(plan->status()), "; only a proposed plan can be accepted"));
  }
  for (const auto& other : acc->plans()) {
    if (other.plan().status() == v1::Plan::STATUS_ACTIVE) {
      return absl::FailedPreconditionError(absl::StrCat(
          "plan_id: plan ", other.plan().plan_id(), " is already active on this account"));
    }
  }
  const absl::CivilDay first = internal::ToDay(plan->instalments(0).due_date());
  if (first < b.today()) {
    return absl::FailedPreconditionError(
        absl::StrCat("plan_id: its first instalment was due on ", internal::FormatDay(first),
                     "; propose a new plan"));
  }
  // The schedule was computed from the balance at proposal time; payments or fees since then
  // would make it wrong.
  std::vector<InvoiceMirror*> invoices;
  int64_t claim = 0;
  for (const auto& id : plan->invoice_ids()) {
    InvoiceMirror* inv = internal::FindInvoice(acc, id);
    if (inv == nullptr) continue;
    invoices.push_back(inv);
    claim += OpenClaim(*inv);
  }
  if (claim != plan->principal().minor_units()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "plan_id: the open balance changed since the proposal (",
        internal::FormatAmount(claim, plan->principal().currency()), " now, ",
        internal::FormatAmount(plan->principal().minor_units(), plan->principal().currency()),
        " planned); propose a new plan"));
  }
  // The fee becomes a cost of the oldest invoice, so payments pay it like any other cost.
  if (plan->fee().minor_units() > 0 && !invoices.empty()) {
    InvoiceMirror* oldest = *std::min_element(
        invoices.begin(), invoices.end(),
        [](const InvoiceMirror* a, const InvoiceMirror* c) { return internal::DueOrder(*a, *c); });
    oldest->set_costs_claimed(oldest->costs_claimed() + plan->fee().minor_units());
    rec->set_fee_invoice_id(oldest->invoice_id());
  }
  plan->set_status(v1::Plan::STATUS_ACTIVE);
  plan->set_accepted_by(request.accepted_by());
  internal::SetTimestamp(now, plan->mutable_accepted_at());

  auto* e = b.Emit<v1::PlanCreated>();
  e->set_plan_id(plan->plan_id());
  e->set_debtor_id(plan->debtor_id());
  e->set_case_id(plan->case_id());
  *e->mutable_invoice_ids() = plan->invoice_ids();
  *e->mutable_total() = plan->total();
  *e->mutable_fee() = plan->fee();
  e->set_instalment_count(plan->instalments_size());
  e->set_frequency(plan->frequency());
  *e->mutable_first_due_date() = plan->instalments(0).due_date();
  *e->mutable_last_due_date() = plan->instalments(plan->instalments_size() - 1).due_date();
  e->set_proposed_by(plan->proposed_by());
  for (const auto& i : plan->instalments()) {
    b.Arm(PlanDueTimerKind(plan->plan_id(), i.seq()), DueTime(i), plan->plan_id());
    b.Arm(PlanGraceTimerKind(plan->plan_id(), i.seq()), GraceTime(*plan, i), plan->plan_id());
  }
  *reply->mutable_plan() = *plan;
  return b.Finish(true, std::move(reply));
}

namespace internal {

void OnPaymentApplied(Builder& b, const PaymentRecord& payment) {
  if (payment.status() != v1::PAYMENT_STATUS_ALLOCATED) return;
  PaymentAccount* acc = &b.account();
  const std::string& currency = payment.amount().currency();
  const absl::CivilDay value_day = ToDay(payment.value_date());
  const std::vector<AllocationPart> parts(payment.allocations().begin(),
                                          payment.allocations().end());
  for (auto& rec : *acc->mutable_promises()) {
    v1::Promise* p = rec.mutable_promise();
    if (p->status() != v1::Promise::STATUS_OPEN || p->amount().currency() != currency) continue;
    // Money valued after the last day of grace came too late, even if the timer is late.
    if (value_day > ToDay(p->due_date()) + p->grace_days()) continue;
    const int64_t counted = Counted(p->invoice_ids(), parts, payment.credit_held());
    if (counted <= 0) continue;
    auto* c = rec.add_contributions();
    c->set_payment_id(payment.payment_id());
    c->set_amount(counted);
    p->mutable_paid()->set_minor_units(p->paid().minor_units() + counted);
    if (p->paid().minor_units() < p->amount().minor_units()) continue;
    p->set_status(v1::Promise::STATUS_KEPT);
    auto* e = b.Emit<v1::PromiseKept>();
    e->set_promise_id(p->promise_id());
    e->set_debtor_id(p->debtor_id());
    e->set_case_id(p->case_id());
    *e->mutable_paid() = p->paid();
    SetDate(value_day, e->mutable_kept_on());
    b.Disarm(PromiseTimerKind(p->promise_id()), FromTimestamp(rec.deadline()));
  }
  for (auto& rec : *acc->mutable_plans()) {
    v1::Plan* plan = rec.mutable_plan();
    if (plan->status() != v1::Plan::STATUS_ACTIVE || plan->total().currency() != currency) continue;
    const int64_t counted = Counted(plan->invoice_ids(), parts, 0);
    if (counted <= 0) continue;
    auto* c = rec.add_contributions();
    c->set_payment_id(payment.payment_id());
    c->set_amount(counted);
    rec.set_paid_total(rec.paid_total() + counted);
    Spread(b, &rec, payment.payment_id(), value_day);
    Complete(b, &rec, value_day);
  }
}

void OnPaymentReversed(Builder& b, const PaymentRecord& payment,
                       const std::vector<AllocationPart>& reopened, int64_t credit_removed) {
  PaymentAccount* acc = &b.account();
  for (auto& rec : *acc->mutable_promises()) {
    v1::Promise* p = rec.mutable_promise();
    if (p->status() != v1::Promise::STATUS_OPEN) continue;  // kept stays kept: it was kept then
    const int64_t taken = TakeBack(rec.mutable_contributions(), payment.payment_id(),
                                   Counted(p->invoice_ids(), reopened, credit_removed));
    p->mutable_paid()->set_minor_units(p->paid().minor_units() - taken);
  }
  for (auto& rec : *acc->mutable_plans()) {
    v1::Plan* plan = rec.mutable_plan();
    if (plan->status() != v1::Plan::STATUS_ACTIVE) continue;  // a finished plan stays finished
    const int64_t taken = TakeBack(rec.mutable_contributions(), payment.payment_id(),
                                   Counted(plan->invoice_ids(), reopened, 0));
    if (taken == 0) continue;
    rec.set_paid_total(rec.paid_total() - taken);
    Spread(b, &rec, payment.payment_id(), b.today());
  }
}

absl::StatusOr<AccountDecision> FireCommitmentTimer(const PaymentAccount& account,
                                                    const std::string& kind, absl::Time now) {
  Builder b(account, now);
  PaymentAccount* acc = &b.account();
  if (kind.rfind("promise/", 0) == 0) {
    PromiseRecord* rec = FindPromise(acc, kind.substr(8));
    // Timers are hints: a promise kept, broken or unknown has nothing left to decide.
    if (rec == nullptr || rec->promise().status() != v1::Promise::STATUS_OPEN) {
      return b.Finish(false);
    }
    v1::Promise* p = rec->mutable_promise();
    p->set_status(v1::Promise::STATUS_BROKEN);
    auto* e = b.Emit<v1::PromiseBroken>();
    e->set_promise_id(p->promise_id());
    e->set_debtor_id(p->debtor_id());
    e->set_case_id(p->case_id());
    *e->mutable_promised() = p->amount();
    *e->mutable_paid() = p->paid();
    *e->mutable_due_date() = p->due_date();
    return b.Finish(true);
  }
  // "plan/<id>/<due|grace>/<seq>", read from the end so that an id may hold '/'.
  const size_t last = kind.rfind('/');
  const size_t mid = last == std::string::npos || last == 0 ? std::string::npos
                                                            : kind.rfind('/', last - 1);
  int seq = 0;
  if (mid == std::string::npos || mid <= 5 ||
      !absl::SimpleAtoi(absl::string_view(kind).substr(last + 1), &seq)) {
    return Invalid("timer.kind", absl::StrCat("\"", kind, "\" is not a plan timer"));
  }
  const std::string what = kind.substr(mid + 1, last - mid - 1);
  if (what != "due" && what != "grace") {
    return Invalid("timer.kind", absl::StrCat("\"", kind, "\" is not a plan timer"));
  }
  PlanRecord* rec = FindPlanRecord(acc, kind.substr(5, mid - 5));
  if (rec == nullptr || rec->plan().status() != v1::Plan::STATUS_ACTIVE || seq < 1 ||
      seq > rec->plan().instalments_size()) {
    return b.Finish(false);
  }
  v1::Plan* plan = rec->mutable_plan();
  v1::Instalment* i = plan->mutable_instalments(seq - 1);
  if (i->status() == v1::Instalment::STATUS_PAID || i->status() == v1::Instalment::STATUS_MISSED) {
    return b.Finish(false);
  }
  if (what == "due") {
    if (i->paid().minor_units() == 0) i->set_status(v1::Instalment::STATUS_DUE);
    auto* e = b.Emit<v1::InstalmentDue>();
    e->set_plan_id(plan->plan_id());
    e->set_debtor_id(plan->debtor_id());
    e->set_case_id(plan->case_id());
    e->set_seq(seq);
    *e->mutable_due_date() = i->due_date();
    // What is still to pay on it: the reminder asks for the rest of a part-paid instalment.
    *e->mutable_amount() = Money(i->amount().minor_units() - i->paid().minor_units(),
                                 i->amount().currency());
    return b.Finish(true);
  }
  Miss(b, rec, i);
  return b.Finish(true);
}

}  // namespace internal
}  // namespace concerto::payment
