// Property test: seeded random sequences of payments (explicit, referenced, oldest first, in
// a foreign currency, duplicated), reversals (partial and whole), fee lines, promises, plans
// and timers never make an open balance negative, never pay more of a claim than was claimed,
// and never create or lose money: per currency,
//   sum(payments) - sum(reversals) == sum(allocations) + credit held + unmatched,
// and every invoice's paid components are exactly the sum of the payments' allocation parts.
#include <map>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/payment/domain/account.h"
#include "services/payment/domain/test_util.h"

namespace concerto::payment {
namespace {

using testing::Date;
using testing::Harness;
using testing::Money;
using testing::PayReq;

// CheckInvariants returns the first broken invariant, or "".
std::string CheckInvariants(const state::v1::PaymentAccount& acc) {
  std::map<std::string, int64_t> in, held;  // per currency
  std::map<std::string, int64_t> principal, interest, costs;  // per invoice
  for (const auto& p : acc.payments()) {
    const std::string& cur = p.amount().currency();
    in[cur] += p.amount().minor_units() - p.reversed();
    held[cur] += p.credit_held() + p.unmatched();
    if (p.reversed() < 0 || p.reversed() > p.amount().minor_units() || p.credit_held() < 0 ||
        p.unmatched() < 0) {
      return absl::StrCat("payment ", p.payment_id(), " has a negative or excess part");
    }
    for (const auto& a : p.allocations()) {
      if (a.principal() < 0 || a.interest() < 0 || a.costs() < 0) {
        return absl::StrCat("payment ", p.payment_id(), " has a negative allocation");
      }
      held[cur] += a.principal() + a.interest() + a.costs();
      principal[a.invoice_id()] += a.principal();
      interest[a.invoice_id()] += a.interest();
      costs[a.invoice_id()] += a.costs();
    }
  }
  for (const auto& [cur, amount] : in) {
    if (held[cur] != amount) {
      return absl::StrCat(cur, ": payments less reversals ", amount, " != allocated + credit + unmatched ",
                          held[cur]);
    }
  }
  std::map<std::string, int64_t> credit;
  for (const auto& p : acc.payments()) credit[p.amount().currency()] += p.credit_held();
  for (const auto& c : acc.credit()) {
    if (c.minor_units() <= 0) return "credit entry not positive";
    if (credit[c.currency()] != c.minor_units()) return absl::StrCat("credit ", c.currency());
    credit.erase(c.currency());
  }
  for (const auto& [cur, amount] : credit) {
    if (amount != 0) return absl::StrCat("credit ", cur, " missing from the account");
  }
  for (const auto& inv : acc.invoices()) {
    const std::string& id = inv.invoice_id();
    if (inv.open_principal() < 0) return absl::StrCat(id, ": negative open principal");
    if (inv.principal_paid() != principal[id] || inv.interest_paid() != interest[id] ||
        inv.costs_paid() != costs[id]) {
      return absl::StrCat(id, ": paid components differ from the allocations");
    }
    if (inv.interest_paid() > inv.interest_claimed() || inv.costs_paid() > inv.costs_claimed()) {
      return absl::StrCat(id, ": paid more interest or costs than claimed");
    }
    if (inv.principal_paid() > inv.amount()) return absl::StrCat(id, ": principal overpaid");
    if (inv.status() == state::v1::InvoiceMirror::STATUS_OPEN &&
        inv.open_principal() != inv.amount() - inv.principal_paid()) {
      return absl::StrCat(id, ": open principal is not amount - paid");
    }
    if (OpenClaim(inv) < 0) return absl::StrCat(id, ": negative open claim");
  }
  for (const auto& rec : acc.promises()) {
    int64_t sum = 0;
    for (const auto& c : rec.contributions()) sum += c.amount();
    if (sum != rec.promise().paid().minor_units() || sum < 0) {
      return absl::StrCat("promise ", rec.promise().promise_id(), ": paid != contributions");
    }
  }
  for (const auto& rec : acc.plans()) {
    int64_t sum = 0, scheduled = 0, spread = 0;
    for (const auto& c : rec.contributions()) sum += c.amount();
    for (const auto& i : rec.plan().instalments()) {
      scheduled += i.amount().minor_units();
      spread += i.paid().minor_units();
    }
    if (sum != rec.paid_total() || sum < 0) {
      return absl::StrCat("plan ", rec.plan().plan_id(), ": paid_total != contributions");
    }
    if (rec.plan().status() == v1::Plan::STATUS_ACTIVE && spread != std::min(sum, scheduled)) {
      return absl::StrCat("plan ", rec.plan().plan_id(), ": instalments do not add up");
    }
  }
  return "";
}

// CheckDecision checks the events of one decision against each other.
std::string CheckEvents(const AccountDecision& d) {
  int64_t received = 0;
  for (const auto& e : d.events) {
    if (e.type == "PaymentReceived") {
      received = dynamic_cast<const v1::PaymentReceived&>(*e.message).amount().minor_units();
    } else if (e.type == "PaymentAllocated") {
      const auto& m = dynamic_cast<const v1::PaymentAllocated&>(*e.message);
      int64_t sum = m.credit_held().minor_units();
      for (const auto& a : m.allocations()) {
        if (a.total().minor_units() != a.principal().minor_units() + a.interest().minor_units() +
                                           a.costs().minor_units()) {
          return "allocation total is not the sum of its parts";
        }
        if (a.open_balance_after().minor_units() < 0) return "negative open_balance_after";
        sum += a.total().minor_units();
      }
      if (sum != received) return "PaymentAllocated does not account for the whole payment";
    } else if (e.type == "PaymentReversed") {
      const auto& m = dynamic_cast<const v1::PaymentReversed&>(*e.message);
      int64_t sum = 0;
      for (const auto& a : m.reopened()) sum += a.total().minor_units();
      if (sum > m.amount().minor_units()) return "reopened more than was reversed";
    }
  }
  return "";
}

TEST(AccountProperty, PaymentsAndReversalsNeverCreateOrLoseMoney) {
  constexpr int kSequences = 600;
  constexpr int kSteps = 50;
  int64_t payments = 0, reversals = 0, refused = 0, unmatched = 0, plans = 0, promises = 0;
  for (int seq = 0; seq < kSequences; ++seq) {
    std::mt19937_64 rng(seq);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
    Harness h;
    const char* countries[] = {"IT", "NL", "FI"};
    const int invoices = 1 + pick(4);
    for (int i = 0; i < invoices; ++i) {
      testing::InvoiceSpec spec{absl::StrCat("i", i), 1 + pick(100000),
                                Date(2025, 10 + pick(3), 1 + pick(28)), countries[pick(3)],
                                absl::StrCat("RF", i, "X")};
      if (pick(8) == 0) spec.currency = "SEK";
      if (pick(2) == 0) spec.debtor_type = invoice::v1::DEBTOR_TYPE_CONSUMER;
      ASSERT_TRUE(h.Issue(spec).ok());
    }
    int next_payment = 0, next_id = 0;
    for (int step = 0; step < kSteps; ++step) {
      h.now += absl::Hours(pick(72));
      const std::string inv = absl::StrCat("i", pick(invoices + 1));  // sometimes unknown
      absl::StatusOr<AccountDecision> d = absl::UnknownError("no input");
      const int what = pick(20);
      if (what < 9) {
        const char* currencies[] = {"EUR", "EUR", "EUR", "EUR", "EUR", "SEK", "USD"};
        auto r = PayReq(1 + pick(60000), currencies[pick(7)]);
        switch (pick(4)) {
          case 0:
            r.add_invoice_ids(inv);
            if (pick(2)) r.add_invoice_ids(absl::StrCat("i", pick(invoices)));
            break;
          case 1:
            r.set_structured_reference(pick(2) ? absl::StrCat("rf", pick(invoices), "x")
                                               : absl::StrCat("N-", inv));
            break;
          default:
            break;
        }
        if (pick(3) == 0) r.set_external_id(absl::StrCat("bank-", pick(next_payment + 1)));
        d = RecordPayment(h.account, absl::StrCat("p", next_payment++), r, h.now);
        ++payments;
      } else if (what < 14 && h.account.payments_size() > 0) {
        const auto& p = h.account.payments(pick(h.account.payments_size()));
        v1::ReversePaymentRequest r;
        r.set_payment_id(p.payment_id());
        const int64_t left = p.amount().minor_units() - p.reversed();
        if (pick(2) && left > 0) {
          *r.mutable_amount() = Money(1 + pick(static_cast<int>(std::min<int64_t>(left, 1 << 30))),
                                      p.amount().currency());
        }
        d = ReversePayment(h.account, absl::StrCat("r", next_id++), r, h.now);
        ++reversals;
      } else if (what < 16) {
        dunning::v1::FeesApplied e;
        e.set_debtor_id("d1");
        e.set_step(step);
        auto* l = e.add_lines();
        l->set_invoice_id(pick(4) == 0 ? "" : inv);
        l->set_kind(pick(2) ? "EU_FLAT_40" : "INTEREST_IT");
        *l->mutable_amount() = Money(pick(5000));
        d = ApplyCaseEvent(h.account, "FeesApplied", e.SerializeAsString(), h.now);
      } else if (what == 16) {
        v1::MakePromiseRequest r;
        *r.mutable_amount() = Money(1 + pick(50000));
        const absl::CivilDay due = absl::ToCivilDay(h.now, absl::UTCTimeZone()) + pick(10);
        *r.mutable_due_date() = Date(static_cast<int>(due.year()), due.month(), due.day());
        r.set_grace_days(pick(4) - 1);
        d = MakePromise(h.account, absl::StrCat("pr", next_id++), r, h.now);
        ++promises;
      } else if (what == 17) {
        v1::ProposePlanRequest r;
        r.set_instalment_count(1 + pick(6));
        r.set_frequency(static_cast<v1::PlanFrequency>(1 + pick(3)));
        const absl::CivilDay first = absl::ToCivilDay(h.now, absl::UTCTimeZone()) + pick(10);
        *r.mutable_first_due_date() = Date(static_cast<int>(first.year()), first.month(), first.day());
        const std::string id = absl::StrCat("pl", next_id++);
        d = ProposePlan(h.account, id, r, h.now);
        if (d.ok()) {
          h.account = d->state;
          v1::AcceptPlanRequest a;
          a.set_plan_id(id);
          d = AcceptPlan(h.account, a, h.now);
          ++plans;
        }
      } else {
        // Fire some timer of a promise or plan (whether or not it is due: timers are hints).
        std::string kind = "promise/none";
        if (!h.account.plans().empty() && pick(2)) {
          const auto& plan = h.account.plans(pick(h.account.plans_size())).plan();
          const int seq = 1 + pick(std::max(1, plan.instalments_size()));
          kind = pick(2) ? PlanDueTimerKind(plan.plan_id(), seq)
                         : PlanGraceTimerKind(plan.plan_id(), seq);
        } else if (!h.account.promises().empty()) {
          kind = PromiseTimerKind(
              h.account.promises(pick(h.account.promises_size())).promise().promise_id());
        }
        d = ApplyTimer(h.account, kind, "", h.now);
      }
      if (!d.ok()) {
        ++refused;
        ASSERT_TRUE(d.status().code() == absl::StatusCode::kInvalidArgument ||
                    d.status().code() == absl::StatusCode::kFailedPrecondition)
            << "seq " << seq << " step " << step << ": " << d.status();
        continue;
      }
      for (const auto& e : d->events) unmatched += e.type == "PaymentUnmatched";
      const std::string bad_events = CheckEvents(*d);
      ASSERT_EQ(bad_events, "") << "seq " << seq << " step " << step;
      h.account = std::move(d->state);
      const std::string broken = CheckInvariants(h.account);
      ASSERT_EQ(broken, "") << "seq " << seq << " step " << step << "\n"
                            << h.account.DebugString();
    }
  }
  RecordProperty("payments", static_cast<int>(payments));
  RecordProperty("reversals", static_cast<int>(reversals));
  RecordProperty("refused", static_cast<int>(refused));
  RecordProperty("unmatched", static_cast<int>(unmatched));
  RecordProperty("plans", static_cast<int>(plans));
  RecordProperty("promises", static_cast<int>(promises));
  // The generator must exercise every path, not just refuse.
  EXPECT_GT(payments, 5000);
  EXPECT_GT(reversals, 3000);
  EXPECT_GT(unmatched, 100);
  EXPECT_GT(plans, 50);
  EXPECT_GT(promises, 100);
  EXPECT_LT(refused, (payments + reversals) / 2);
}

}  // namespace
}  // namespace concerto::payment
