// Tests of the KPI fold: envelopes built by hand for small portfolios, every figure asserted;
// the RULEBOOK worked KPI examples (5, 6, 7) reproduced through the fold; dedupe, arms,
// unknown types, topic order, tenants and the text table.
#include "services/reporting/domain/kpi_fold.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "concerto/common/v1/envelope.pb.h"
#include "concerto/contact/v1/contact_events.pb.h"
#include "concerto/dunning/v1/case.pb.h"
#include "concerto/invoice/v1/invoice_events.pb.h"
#include "concerto/legal/v1/legal_events.pb.h"
#include "concerto/payment/v1/payment_events.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace concerto::reporting {
namespace {

namespace cv1 = ::concerto::common::v1;
namespace inv = ::concerto::invoice::v1;
namespace pay = ::concerto::payment::v1;
namespace dun = ::concerto::dunning::v1;
namespace con = ::concerto::contact::v1;
namespace leg = ::concerto::legal::v1;

using ::testing::HasSubstr;

constexpr char kChampion[] = "champion";
constexpr char kChallenger[] = "challenger";
const ArmKey kChampionArm{"gentle", kChampion};
const ArmKey kChallengerArm{"gentle", kChallenger};
const ArmKey kUnassigned{};

absl::CivilDay Day(int y, int m, int d) { return absl::CivilDay(y, m, d); }

// Euros in cents.
constexpr int64_t Eur(int64_t euros) { return euros * 100; }

void SetDate(absl::CivilDay day, cv1::Date* d) {
  d->set_year(static_cast<int32_t>(day.year()));
  d->set_month(day.month());
  d->set_day(day.day());
}

void SetMoney(int64_t minor, const std::string& currency, cv1::Money* m) {
  m->set_minor_units(minor);
  m->set_currency(currency);
}

// Event is one envelope and the topic it was read from.
struct Event {
  std::string topic;
  cv1::Envelope envelope;
};

// Stream builds the envelopes of one tenant, with unique deterministic event ids, the way the
// services would publish them (type = payload's full name, occurred at noon UTC).
struct Stream {
  std::string tenant = "t1";
  std::string currency = "EUR";
  std::vector<Event> events;
  int counter = 0;

  std::string Add(const std::string& topic, const google::protobuf::Message& payload,
                  absl::CivilDay day, const std::string& debtor) {
    cv1::Envelope env;
    const std::string id = absl::StrCat(tenant, "/", topic, "/", ++counter);
    env.set_event_id(id);
    env.set_tenant(tenant);
    env.set_aggregate_key(absl::StrCat(tenant, "/", debtor));
    env.set_type(payload.GetDescriptor()->full_name());
    const absl::Time at =
        absl::FromCivil(absl::CivilSecond(day) + 12 * 3600, absl::UTCTimeZone());
    env.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(at));
    env.set_schema_version(1);
    env.set_payload(payload.SerializeAsString());
    env.set_producer("test");
    events.push_back({topic, env});
    return id;
  }

  // invoice.events
  void Status(const std::string& debtor, absl::CivilDay day, inv::CustomerStatus status) {
    inv::DebtorUpserted e;
    e.set_debtor_id(debtor);
    e.set_customer_status(status);
    Add("invoice.events", e, day, debtor);
  }
  void Issue(const std::string& invoice, const std::string& debtor, absl::CivilDay issued,
             absl::CivilDay due, int64_t amount) {
    inv::InvoiceIssued e;
    e.set_invoice_id(invoice);
    e.set_invoice_number(invoice);
    e.set_debtor_id(debtor);
    SetDate(issued, e.mutable_issue_date());
    SetDate(due, e.mutable_due_date());
    SetMoney(amount, currency, e.mutable_amount());
    SetMoney(amount, currency, e.mutable_open_balance());
    Add("invoice.events", e, issued, debtor);
  }
  void Credit(const std::string& invoice, const std::string& debtor, absl::CivilDay day,
              int64_t delta) {
    inv::InvoiceAdjusted e;
    e.set_invoice_id(invoice);
    e.set_debtor_id(debtor);
    e.set_kind(inv::ADJUSTMENT_KIND_CREDIT_NOTE);
    SetMoney(delta, currency, e.mutable_delta());
    Add("invoice.events", e, day, debtor);
  }
  void Reissue(const std::string& invoice, const std::string& debtor, absl::CivilDay day,
               absl::CivilDay new_due) {
    inv::InvoiceReissued e;
    e.set_invoice_id(invoice);
    e.set_debtor_id(debtor);
    SetDate(new_due, e.mutable_due_date());
    Add("invoice.events", e, day, debtor);
  }

  // payment.events
  void Pay(const std::string& debtor, const std::string& invoice, absl::CivilDay day,
           int64_t principal, int64_t costs = 0) {
    pay::PaymentAllocated e;
    e.set_payment_id(absl::StrCat("pay-", counter));
    e.set_debtor_id(debtor);
    pay::Allocation* a = e.add_allocations();
    a->set_invoice_id(invoice);
    SetMoney(principal, currency, a->mutable_principal());
    SetMoney(costs, currency, a->mutable_costs());
    SetMoney(principal + costs, currency, a->mutable_total());
    Add("payment.events", e, day, debtor);
  }
  void Reverse(const std::string& debtor, const std::string& invoice, absl::CivilDay day,
               int64_t principal) {
    pay::PaymentReversed e;
    e.set_debtor_id(debtor);
    SetMoney(principal, currency, e.mutable_amount());
    pay::Allocation* a = e.add_reopened();
    a->set_invoice_id(invoice);
    SetMoney(principal, currency, a->mutable_principal());
    SetMoney(principal, currency, a->mutable_total());
    Add("payment.events", e, day, debtor);
  }
  // PromiseMade/Kept/Broken, PlanCreated/Completed/Broken: only the debtor matters here.
  template <typename T>
  void PaymentFact(const std::string& debtor, absl::CivilDay day) {
    T e;
    e.set_debtor_id(debtor);
    Add("payment.events", e, day, debtor);
  }

  // case.events: every event carries the assignment.
  template <typename T>
  T CaseEvent(const std::string& debtor, const std::string& variant) {
    T e;
    e.set_debtor_id(debtor);
    e.mutable_assignment()->set_strategy_id("gentle");
    e.mutable_assignment()->set_version(1);
    e.mutable_assignment()->set_variant(variant);
    return e;
  }
  template <typename T>
  std::string Case(const std::string& debtor, const std::string& variant, absl::CivilDay day) {
    return Add("case.events", CaseEvent<T>(debtor, variant), day, debtor);
  }
  void Transition(const std::string& debtor, const std::string& variant, absl::CivilDay day,
                  dun::CaseState from, dun::CaseState to) {
    auto e = CaseEvent<dun::CaseTransitioned>(debtor, variant);
    e.set_from(from);
    e.set_to(to);
    Add("case.events", e, day, debtor);
  }
  std::string Escalate(const std::string& debtor, const std::string& variant, absl::CivilDay day,
                       int64_t balance) {
    auto e = CaseEvent<dun::EscalationRequested>(debtor, variant);
    SetMoney(balance, currency, e.mutable_balance());
    return Add("case.events", e, day, debtor);
  }
  void Close(const std::string& debtor, const std::string& variant, absl::CivilDay day,
             dun::CaseState final_state) {
    auto e = CaseEvent<dun::CaseClosed>(debtor, variant);
    e.set_final_state(final_state);
    Add("case.events", e, day, debtor);
  }

  // contact.events
  void Sent(const std::string& debtor, absl::CivilDay day) {
    con::ContactAttemptSent e;
    e.mutable_attempt()->set_debtor_id(debtor);
    Add("contact.events", e, day, debtor);
  }
  void Suppressed(const std::string& debtor, absl::CivilDay day, con::SuppressionReason reason,
                  bool deferred = false) {
    con::ContactAttemptSuppressed e;
    e.mutable_attempt()->set_debtor_id(debtor);
    e.set_reason(reason);
    if (deferred) e.mutable_deferred_until()->set_seconds(absl::ToUnixSeconds(absl::FromCivil(day + 1, absl::UTCTimeZone())));
    Add("contact.events", e, day, debtor);
  }
  void Survey(const std::string& debtor, absl::CivilDay day, std::optional<int> csat,
              std::optional<int> nps) {
    con::SurveyAnswered e;
    e.set_debtor_id(debtor);
    if (csat.has_value()) e.set_csat(*csat);
    if (nps.has_value()) e.set_nps(*nps);
    Add("contact.events", e, day, debtor);
  }

  // legal.events
  void Rejected(const std::string& debtor, absl::CivilDay day, const std::string& request_id) {
    leg::EscalationRejected e;
    e.set_debtor_id(debtor);
    e.set_escalation_request_id(request_id);
    Add("legal.events", e, day, debtor);
  }
};

PortfolioFold FoldAll(const std::vector<Event>& events, FoldOptions options = {}) {
  PortfolioFold fold(std::move(options));
  for (const Event& e : events) fold.Apply(e.envelope);
  return fold;
}

double Value(const Figure& f) {
  EXPECT_TRUE(f.value.has_value()) << f.undefined_reason;
  return f.value.value_or(-1e9);
}

const GroupKpis& Arm(const Report& r, const ArmKey& arm, const std::string& tenant = "t1") {
  static const GroupKpis kEmpty;
  const auto t = r.tenants.find(tenant);
  if (t == r.tenants.end()) {
    ADD_FAILURE() << "no tenant " << tenant;
    return kEmpty;
  }
  const auto a = t->second.arms.find(arm);
  if (a == t->second.arms.end()) {
    ADD_FAILURE() << "no arm " << ArmLabel(arm);
    return kEmpty;
  }
  return a->second;
}

const CurrencyKpis& In(const GroupKpis& g, const std::string& currency = "EUR") {
  static const CurrencyKpis kEmpty;
  const auto it = g.by_currency.find(currency);
  if (it == g.by_currency.end()) {
    ADD_FAILURE() << "no currency " << currency;
    return kEmpty;
  }
  return it->second;
}

AgeingAmounts Ageing(int64_t current, int64_t d1_30, int64_t d31_60, int64_t d61_90,
                     int64_t over90) {
  return AgeingAmounts{current, d1_30, d31_60, d61_90, over90};
}

// ---- the small portfolio: 7 debtors, two arms and one debtor without a case, March 2025 ----

Stream SmallPortfolio() {
  Stream s;
  // d1 (champion): overdue on 1 March, a promise kept, paid with EUR 40 costs, closed PAID.
  s.Status("d1", Day(2025, 1, 2), inv::CUSTOMER_STATUS_ACTIVE);
  s.Issue("i1", "d1", Day(2025, 2, 1), Day(2025, 2, 28), Eur(1000));
  s.Case<dun::CaseOpened>("d1", kChampion, Day(2025, 3, 1));
  s.Case<dun::ContactRequested>("d1", kChampion, Day(2025, 3, 2));
  s.Sent("d1", Day(2025, 3, 2));
  s.PaymentFact<pay::PromiseMade>("d1", Day(2025, 3, 5));
  s.Pay("d1", "i1", Day(2025, 3, 10), Eur(1000), Eur(40));
  s.PaymentFact<pay::PromiseKept>("d1", Day(2025, 3, 10));
  s.Close("d1", kChampion, Day(2025, 3, 10), dun::CASE_STATE_PAID);
  s.Survey("d1", Day(2025, 3, 11), std::nullopt, 10);

  // d2 (challenger): overdue 13 March, one suppressed contact per request, promise broken,
  // escalated to legal.
  s.Status("d2", Day(2025, 1, 2), inv::CUSTOMER_STATUS_ACTIVE);
  s.Issue("i2", "d2", Day(2025, 2, 10), Day(2025, 3, 12), Eur(500));
  s.Case<dun::CaseOpened>("d2", kChallenger, Day(2025, 3, 13));
  s.Case<dun::ContactRequested>("d2", kChallenger, Day(2025, 3, 13));
  s.Suppressed("d2", Day(2025, 3, 13), con::SUPPRESSION_REASON_QUIET_HOURS);
  s.Sent("d2", Day(2025, 3, 14));
  s.PaymentFact<pay::PromiseMade>("d2", Day(2025, 3, 15));
  s.Case<dun::CallTaskRequested>("d2", kChallenger, Day(2025, 3, 20));
  s.Suppressed("d2", Day(2025, 3, 20), con::SUPPRESSION_REASON_FREQUENCY_CAP);
  s.PaymentFact<pay::PromiseBroken>("d2", Day(2025, 3, 22));
  s.Escalate("d2", kChallenger, Day(2025, 3, 25), Eur(500));
  s.Transition("d2", kChallenger, Day(2025, 3, 25), dun::CASE_STATE_DUNNING,
               dun::CASE_STATE_LEGAL);

  // d3 (champion): issued in March, not yet due; paid after the period.
  s.Issue("i3", "d3", Day(2025, 3, 5), Day(2025, 4, 4), Eur(300));
  s.Case<dun::CaseOpened>("d3", kChampion, Day(2025, 3, 5));
  s.Pay("d3", "i3", Day(2025, 4, 2), Eur(300));

  // d4 (challenger): half paid on the due date, the rest placed, paid on a plan.
  s.Status("d4", Day(2025, 1, 2), inv::CUSTOMER_STATUS_ACTIVE);
  s.Issue("i4", "d4", Day(2025, 2, 15), Day(2025, 3, 1), Eur(200));
  s.Pay("d4", "i4", Day(2025, 3, 1), Eur(100));
  s.Case<dun::CaseOpened>("d4", kChallenger, Day(2025, 3, 2));
  s.PaymentFact<pay::PlanCreated>("d4", Day(2025, 3, 3));
  s.Pay("d4", "i4", Day(2025, 3, 8), Eur(100));
  s.PaymentFact<pay::PlanCompleted>("d4", Day(2025, 3, 8));
  s.Close("d4", kChallenger, Day(2025, 3, 8), dun::CASE_STATE_PAID);
  s.Survey("d4", Day(2025, 3, 9), 5, 9);

  // d5 (challenger): placed in February; a partial payment and a broken plan in March.
  s.Issue("i5", "d5", Day(2025, 1, 10), Day(2025, 2, 9), Eur(400));
  s.Case<dun::CaseOpened>("d5", kChallenger, Day(2025, 2, 10));
  s.Pay("d5", "i5", Day(2025, 3, 5), Eur(150));
  s.PaymentFact<pay::PlanCreated>("d5", Day(2025, 3, 6));
  s.PaymentFact<pay::PlanBroken>("d5", Day(2025, 3, 25));
  s.Survey("d5", Day(2025, 3, 26), 2, 3);

  // d6 (champion): a EUR 100 credit note before the due date; placed 21 March.
  s.Issue("i6", "d6", Day(2025, 2, 20), Day(2025, 3, 20), Eur(600));
  s.Credit("i6", "d6", Day(2025, 3, 15), -Eur(100));
  s.Case<dun::CaseOpened>("d6", kChampion, Day(2025, 3, 21));
  s.Case<dun::ContactRequested>("d6", kChampion, Day(2025, 3, 22));
  s.Sent("d6", Day(2025, 3, 22));
  s.Survey("d6", Day(2025, 3, 30), 4, std::nullopt);

  // d7: no case (paid on time so far).
  s.Issue("i7", "d7", Day(2025, 3, 25), Day(2025, 4, 24), Eur(50));
  return s;
}

const absl::CivilDay kMarch1 = Day(2025, 3, 1);
const absl::CivilDay kMarch31 = Day(2025, 3, 31);

TEST(KpiFold, SmallPortfolioTenantFigures) {
  const Stream s = SmallPortfolio();
  const PortfolioFold fold = FoldAll(s.events);
  EXPECT_EQ(fold.stats().applied, static_cast<int64_t>(s.events.size()));
  const Report r = fold.Snapshot(kMarch1, kMarch31);
  EXPECT_EQ(r.period_days, 31);
  ASSERT_EQ(r.tenants.size(), 1u);
  const GroupKpis& g = r.tenants.at("t1").total;
  ASSERT_EQ(g.by_currency.size(), 1u);
  const CurrencyKpis& k = In(g);

  // Placed: i1 (1 Mar, 1000), i4 (2 Mar, the 100 left after the due date), i2 (13 Mar, 500),
  // i6 (21 Mar, 600 - 100 credit). i5 was placed in February.
  EXPECT_EQ(k.invoices_placed, 4);
  EXPECT_EQ(k.placed, Eur(2100));
  // Collected: 1040 (d1, incl. 40 costs) + 100 + 100 (d4) + 150 (d5); d3 paid in April.
  EXPECT_EQ(k.collected, Eur(1390));
  // Principal on the placed cohort: 1000 (i1) + 100 (i4 after placement).
  EXPECT_EQ(k.collected_on_placed, Eur(1100));
  EXPECT_EQ(k.collection_rate_bp, 5238);  // 1100 / 2100 = 52.38%

  EXPECT_EQ(k.credit_sales, Eur(250));  // 300 (i3) + 50 (i7) - 100 (credit note)
  EXPECT_EQ(k.opening_receivables, Eur(2700));
  EXPECT_EQ(k.ageing_opening, Ageing(Eur(2300), Eur(400), 0, 0, 0));
  EXPECT_EQ(k.closing_receivables, Eur(1600));
  EXPECT_EQ(k.closing_current_receivables, Eur(350));
  EXPECT_EQ(k.ageing_closing, Ageing(Eur(350), Eur(1000), Eur(250), 0, 0));

  // Count-back at 31 March: March sales 250 (31 days), then 1350 of February's 2300.
  EXPECT_NEAR(Value(k.count_back_dso_days), 31.0 + 1350.0 / 2300.0 * 28.0, 1e-9);  // 47.43
  EXPECT_NEAR(Value(k.simple_dso_days), 1600.0 / 250.0 * 31.0, 1e-9);             // 198.40
  EXPECT_NEAR(Value(k.best_possible_dso_days), 350.0 / 250.0 * 31.0, 1e-9);       // 43.40
  EXPECT_NEAR(Value(k.add_days), 155.0, 1e-9);
  EXPECT_NEAR(Value(k.cei_percent), 1350.0 / 2600.0 * 100.0, 1e-9);  // 51.92

  EXPECT_EQ(k.escalated, Eur(500));
  EXPECT_NEAR(Value(k.legal_ratio_percent), 500.0 / 2100.0 * 100.0, 1e-9);  // 23.81
  EXPECT_FALSE(k.expected_credit_loss.has_value());
  EXPECT_EQ(k.expected_credit_loss_note, "no provision matrix configured");

  EXPECT_EQ(k.contacts_sent, 3);
  EXPECT_EQ(k.contacts_per_1000_collected_centi, 216);  // 3 / 1390 x 1000 = 2.158

  EXPECT_EQ(g.promises_made, 2);
  EXPECT_EQ(g.promises_kept, 1);
  EXPECT_EQ(g.promises_broken, 1);
  EXPECT_EQ(g.promises_kept_bp, 5000);
  EXPECT_EQ(g.plans_created, 2);
  EXPECT_EQ(g.plans_completed, 1);
  EXPECT_EQ(g.plans_broken, 1);
  EXPECT_EQ(g.contacts_requested, 4);
  EXPECT_EQ(g.contacts_sent, 3);
  EXPECT_EQ(g.contacts_suppressed, 2);
  EXPECT_EQ(g.suppressed_by_reason,
            (std::map<std::string, int64_t>{{"frequency_cap", 1}, {"quiet_hours", 1}}));
  EXPECT_EQ(g.escalations_requested, 1);
  EXPECT_EQ(g.escalations_rejected, 0);
  EXPECT_EQ(g.cases_opened, 5);  // d5's case opened in February
  EXPECT_EQ(g.cases_closed, 2);
  EXPECT_EQ(g.relationships_saved, 2);
  EXPECT_NEAR(Value(g.relationship_saved_percent), 100.0, 1e-12);
  EXPECT_EQ(g.csat_responses, 3);
  EXPECT_EQ(g.csat_sum, 11);
  EXPECT_EQ(g.csat_average_centi, 367);  // 11 / 3 = 3.67
  EXPECT_EQ(g.nps_responses, 3);
  EXPECT_EQ(g.nps_promoters, 2);
  EXPECT_EQ(g.nps_passives, 0);
  EXPECT_EQ(g.nps_detractors, 1);
  EXPECT_EQ(g.nps_centi, 3333);  // (2 - 1) / 3 = +33.33
}

TEST(KpiFold, ChampionAndChallengerSplitTheFigures) {
  const Report r = FoldAll(SmallPortfolio().events).Snapshot(kMarch1, kMarch31);
  const TenantKpis& t = r.tenants.at("t1");
  ASSERT_EQ(t.arms.size(), 3u);  // champion, challenger, unassigned (d7)

  const GroupKpis& c = Arm(r, kChampionArm);  // d1, d3, d6
  const CurrencyKpis& ck = In(c);
  EXPECT_EQ(ck.invoices_placed, 2);
  EXPECT_EQ(ck.placed, Eur(1500));
  EXPECT_EQ(ck.collected, Eur(1040));
  EXPECT_EQ(ck.collected_on_placed, Eur(1000));
  EXPECT_EQ(ck.collection_rate_bp, 6667);
  EXPECT_EQ(ck.credit_sales, Eur(200));
  EXPECT_EQ(ck.opening_receivables, Eur(1600));
  EXPECT_EQ(ck.ageing_opening, Ageing(Eur(1600), 0, 0, 0, 0));
  EXPECT_EQ(ck.closing_receivables, Eur(800));
  EXPECT_EQ(ck.closing_current_receivables, Eur(300));
  EXPECT_EQ(ck.ageing_closing, Ageing(Eur(300), Eur(500), 0, 0, 0));
  EXPECT_NEAR(Value(ck.count_back_dso_days), 31.0 + 600.0 / 1600.0 * 28.0, 1e-9);  // 41.50
  EXPECT_NEAR(Value(ck.simple_dso_days), 124.0, 1e-9);
  EXPECT_NEAR(Value(ck.best_possible_dso_days), 46.5, 1e-9);
  EXPECT_NEAR(Value(ck.add_days), 77.5, 1e-9);
  EXPECT_NEAR(Value(ck.cei_percent), 1000.0 / 1500.0 * 100.0, 1e-9);
  EXPECT_EQ(ck.escalated, 0);
  EXPECT_NEAR(Value(ck.legal_ratio_percent), 0.0, 1e-12);
  EXPECT_EQ(ck.contacts_sent, 2);
  EXPECT_EQ(ck.contacts_per_1000_collected_centi, 192);  // 2 / 1040 x 1000 = 1.923
  EXPECT_EQ(c.promises_made, 1);
  EXPECT_EQ(c.promises_kept, 1);
  EXPECT_EQ(c.promises_broken, 0);
  EXPECT_EQ(c.promises_kept_bp, 10000);
  EXPECT_EQ(c.plans_created + c.plans_completed + c.plans_broken, 0);
  EXPECT_EQ(c.contacts_requested, 2);
  EXPECT_EQ(c.contacts_sent, 2);
  EXPECT_EQ(c.contacts_suppressed, 0);
  EXPECT_TRUE(c.suppressed_by_reason.empty());
  EXPECT_EQ(c.escalations_requested, 0);
  EXPECT_EQ(c.cases_opened, 3);
  EXPECT_EQ(c.cases_closed, 1);
  EXPECT_EQ(c.relationships_saved, 1);
  EXPECT_EQ(c.csat_responses, 1);
  EXPECT_EQ(c.csat_average_centi, 400);
  EXPECT_EQ(c.nps_responses, 1);
  EXPECT_EQ(c.nps_promoters, 1);
  EXPECT_EQ(c.nps_centi, 10000);

  const GroupKpis& h = Arm(r, kChallengerArm);  // d2, d4, d5
  const CurrencyKpis& hk = In(h);
  EXPECT_EQ(hk.invoices_placed, 2);
  EXPECT_EQ(hk.placed, Eur(600));
  EXPECT_EQ(hk.collected, Eur(350));
  EXPECT_EQ(hk.collected_on_placed, Eur(100));
  EXPECT_EQ(hk.collection_rate_bp, 1667);
  EXPECT_EQ(hk.credit_sales, 0);
  EXPECT_EQ(hk.opening_receivables, Eur(1100));
  EXPECT_EQ(hk.ageing_opening, Ageing(Eur(700), Eur(400), 0, 0, 0));
  EXPECT_EQ(hk.closing_receivables, Eur(750));
  EXPECT_EQ(hk.closing_current_receivables, 0);
  EXPECT_EQ(hk.ageing_closing, Ageing(0, Eur(500), Eur(250), 0, 0));
  // No March sales: March counts whole (31), then February's 700 (28), then 50 of 400 in
  // January (3.875).
  EXPECT_DOUBLE_EQ(Value(hk.count_back_dso_days), 62.875);
  EXPECT_EQ(hk.simple_dso_days.undefined_reason, "no credit sales in the period");
  EXPECT_FALSE(hk.best_possible_dso_days.value.has_value());
  EXPECT_FALSE(hk.add_days.value.has_value());
  EXPECT_NEAR(Value(hk.cei_percent), 350.0 / 1100.0 * 100.0, 1e-9);  // 31.82
  EXPECT_EQ(hk.escalated, Eur(500));
  EXPECT_NEAR(Value(hk.legal_ratio_percent), 500.0 / 600.0 * 100.0, 1e-9);  // 83.33
  EXPECT_EQ(hk.contacts_sent, 1);
  EXPECT_EQ(hk.contacts_per_1000_collected_centi, 286);  // 1 / 350 x 1000 = 2.857
  EXPECT_EQ(h.promises_made, 1);
  EXPECT_EQ(h.promises_kept, 0);
  EXPECT_EQ(h.promises_broken, 1);
  EXPECT_EQ(h.promises_kept_bp, 0);
  EXPECT_EQ(h.plans_created, 2);
  EXPECT_EQ(h.plans_completed, 1);
  EXPECT_EQ(h.plans_broken, 1);
  EXPECT_EQ(h.contacts_requested, 2);
  EXPECT_EQ(h.contacts_sent, 1);
  EXPECT_EQ(h.contacts_suppressed, 2);
  EXPECT_EQ(h.escalations_requested, 1);
  EXPECT_EQ(h.cases_opened, 2);
  EXPECT_EQ(h.cases_closed, 1);
  EXPECT_EQ(h.relationships_saved, 1);
  EXPECT_EQ(h.csat_responses, 2);
  EXPECT_EQ(h.csat_average_centi, 350);
  EXPECT_EQ(h.nps_responses, 2);
  EXPECT_EQ(h.nps_promoters, 1);
  EXPECT_EQ(h.nps_detractors, 1);
  EXPECT_EQ(h.nps_centi, 0);

  const GroupKpis& u = Arm(r, kUnassigned);  // d7
  const CurrencyKpis& uk = In(u);
  EXPECT_EQ(uk.invoices_placed, 0);
  EXPECT_FALSE(uk.collection_rate_bp.has_value());
  EXPECT_EQ(uk.credit_sales, Eur(50));
  EXPECT_EQ(uk.closing_receivables, Eur(50));
  EXPECT_EQ(uk.closing_current_receivables, Eur(50));
  EXPECT_DOUBLE_EQ(Value(uk.count_back_dso_days), 31.0);
  EXPECT_DOUBLE_EQ(Value(uk.add_days), 0.0);
  EXPECT_THAT(uk.cei_percent.undefined_reason, HasSubstr("end_current_ar"));
  EXPECT_EQ(uk.legal_ratio_percent.undefined_reason, "nothing placed in the period");
  EXPECT_FALSE(uk.contacts_per_1000_collected_centi.has_value());
  EXPECT_EQ(u.cases_opened, 0);
  EXPECT_FALSE(u.relationship_saved_percent.value.has_value());
  EXPECT_FALSE(u.csat_average_centi.has_value());
  EXPECT_FALSE(u.nps_centi.has_value());

  // The arms add up to the tenant.
  const GroupKpis& all = t.total;
  EXPECT_EQ(ck.placed + hk.placed + uk.placed, In(all).placed);
  EXPECT_EQ(ck.collected + hk.collected + uk.collected, In(all).collected);
  EXPECT_EQ(ck.credit_sales + hk.credit_sales + uk.credit_sales, In(all).credit_sales);
  EXPECT_EQ(ck.closing_receivables + hk.closing_receivables + uk.closing_receivables,
            In(all).closing_receivables);
  EXPECT_EQ(c.contacts_requested + h.contacts_requested + u.contacts_requested,
            all.contacts_requested);
  EXPECT_EQ(c.csat_responses + h.csat_responses + u.csat_responses, all.csat_responses);
}

TEST(KpiFold, SnapshotAsOfRunsFromTheFirstFact) {
  const PortfolioFold fold = FoldAll(SmallPortfolio().events);
  const Report r = fold.Snapshot(kMarch31);
  EXPECT_EQ(r.period_start, Day(2025, 1, 10));  // i5's issue date; master data does not count
  EXPECT_EQ(r.period_end, kMarch31);
  EXPECT_EQ(r.period_days, 81);
  const CurrencyKpis& k = In(r.tenants.at("t1").total);
  EXPECT_EQ(k.invoices_placed, 5);  // i5 (placed 10 Feb) is now inside the period
  EXPECT_EQ(k.placed, Eur(2500));
  EXPECT_EQ(k.opening_receivables, 0);
  EXPECT_EQ(k.credit_sales, Eur(400 + 2300 + 250));
  EXPECT_EQ(k.closing_receivables, Eur(1600));
  EXPECT_EQ(r.tenants.at("t1").total.cases_opened, 6);

  // An empty fold reports the one-day period.
  const Report empty = PortfolioFold().Snapshot(kMarch31);
  EXPECT_EQ(empty.period_start, kMarch31);
  EXPECT_TRUE(empty.tenants.empty());
}

// ---- RULEBOOK worked examples through the fold ----

// Example 5: one month; begin AR 500,000, sales 300,000, end AR 520,000, end current 310,000
// -> 280/490 = 57.14%.
TEST(KpiFold, RulebookExample5CeiThroughTheFold) {
  Stream s;
  s.Issue("a1", "d1", Day(2025, 2, 1), Day(2025, 3, 10), Eur(490'000));
  s.Issue("a2", "d2", Day(2025, 2, 1), Day(2025, 4, 15), Eur(10'000));
  s.Issue("b", "d3", Day(2025, 3, 5), Day(2025, 4, 4), Eur(300'000));
  s.Pay("d1", "a1", Day(2025, 3, 20), Eur(280'000));
  const Report r = FoldAll(s.events).Snapshot(kMarch1, kMarch31);
  const CurrencyKpis& k = In(r.tenants.at("t1").total);
  EXPECT_EQ(k.opening_receivables, Eur(500'000));
  EXPECT_EQ(k.credit_sales, Eur(300'000));
  EXPECT_EQ(k.closing_receivables, Eur(520'000));
  EXPECT_EQ(k.closing_current_receivables, Eur(310'000));
  EXPECT_NEAR(Value(k.cei_percent), 280.0 / 490.0 * 100.0, 1e-9);
  EXPECT_THAT(FormatReportTable(r), HasSubstr("EUR 57.14%"));
}

// ADR 0009: over several months the period is one unit. With 60-day terms and sales growing
// toward the end, RULEBOOK's sales/N (N = 4 here) gives (1,000 + 1,725 - 6,400) / (1,000 +
// 1,725 - 6,000) = 112% from two negative sums; as one unit, CEI is collected / collectable.
TEST(KpiFold, CeiOverSeveralMonthsIsWhatWasCollectedOfWhatWasCollectable) {
  Stream s;
  s.Issue("i0", "d1", Day(2024, 12, 15), Day(2025, 1, 14), Eur(1'000));
  s.Pay("d1", "i0", Day(2025, 1, 20), Eur(1'000));
  s.Issue("i1", "d2", Day(2025, 1, 10), Day(2025, 2, 9), Eur(500));
  s.Pay("d2", "i1", Day(2025, 2, 15), Eur(500));
  s.Issue("i3", "d3", Day(2025, 3, 1), Day(2025, 3, 31), Eur(400));
  s.Issue("i2", "d4", Day(2025, 4, 10), Day(2025, 6, 9), Eur(6'000));
  const Report r = FoldAll(s.events).Snapshot(Day(2025, 1, 1), Day(2025, 4, 30));
  const CurrencyKpis& k = In(r.tenants.at("t1").total);
  EXPECT_EQ(k.opening_receivables, Eur(1'000));
  EXPECT_EQ(k.credit_sales, Eur(6'900));
  EXPECT_EQ(k.closing_receivables, Eur(6'400));
  EXPECT_EQ(k.closing_current_receivables, Eur(6'000));
  EXPECT_EQ(k.collected, Eur(1'500));
  EXPECT_NEAR(Value(k.cei_percent), 1'500.0 / 1'900.0 * 100.0, 1e-9);
}

// Example 6: at 2025-03-31 AR 212,000; sales Mar 100,000, Feb 80,000, Jan 70,000 -> count-back
// 73.17 days; simple DSO over 90 days 76.32; current AR 90,000: best possible 32.40, ADD 43.92.
TEST(KpiFold, RulebookExample6DsoAndAddThroughTheFold) {
  Stream s;
  s.Issue("jan", "d1", Day(2025, 1, 10), Day(2025, 2, 9), Eur(70'000));
  s.Pay("d1", "jan", Day(2025, 2, 15), Eur(28'000));
  s.Issue("feb", "d2", Day(2025, 2, 10), Day(2025, 3, 12), Eur(80'000));
  s.Issue("mar", "d3", Day(2025, 3, 10), Day(2025, 4, 9), Eur(100'000));
  s.Pay("d3", "mar", Day(2025, 3, 20), Eur(10'000));
  const Report r = FoldAll(s.events).Snapshot(Day(2025, 1, 1), kMarch31);
  EXPECT_EQ(r.period_days, 90);
  const CurrencyKpis& k = In(r.tenants.at("t1").total);
  EXPECT_EQ(k.closing_receivables, Eur(212'000));
  EXPECT_EQ(k.closing_current_receivables, Eur(90'000));
  EXPECT_EQ(k.credit_sales, Eur(250'000));
  EXPECT_NEAR(Value(k.count_back_dso_days), 31 + 28 + 32'000.0 / 70'000.0 * 31, 1e-9);
  EXPECT_NEAR(Value(k.simple_dso_days), 76.32, 1e-9);
  EXPECT_NEAR(Value(k.best_possible_dso_days), 32.40, 1e-9);
  EXPECT_NEAR(Value(k.add_days), 43.92, 1e-9);
  const std::string table = FormatReportTable(r);
  EXPECT_THAT(table, HasSubstr("EUR 73.17 days"));
  EXPECT_THAT(table, HasSubstr("EUR 76.32 days"));
  EXPECT_THAT(table, HasSubstr("EUR 32.40 days"));
  EXPECT_THAT(table, HasSubstr("EUR 43.92 days"));
}

// Example 7: current 600,000 x 0.5% + 1-30 200,000 x 2% + 31-60 80,000 x 5% + 61-90 40,000 x
// 15% + 90+ 30,000 x 50% = EUR 32,000.
TEST(KpiFold, RulebookExample7ProvisionMatrixThroughTheFold) {
  Stream s;
  const absl::CivilDay end = Day(2025, 6, 30);
  s.Issue("cur", "d1", Day(2025, 6, 15), end + 15, Eur(600'000));
  s.Issue("d15", "d2", Day(2025, 5, 16), end - 15, Eur(200'000));
  s.Issue("d45", "d3", Day(2025, 4, 16), end - 45, Eur(80'000));
  s.Issue("d75", "d4", Day(2025, 3, 17), end - 75, Eur(40'000));
  s.Issue("d121", "d5", Day(2025, 1, 30), end - 121, Eur(30'000));
  FoldOptions options;
  options.loss_rates = std::array<rules::LossRate, kAgeingBucketCount>{
      rules::LossRate::BasisPoints(50), rules::LossRate::BasisPoints(200),
      rules::LossRate::BasisPoints(500), rules::LossRate::BasisPoints(1500),
      rules::LossRate::BasisPoints(5000)};
  const Report r = FoldAll(s.events, options).Snapshot(Day(2025, 6, 1), end);
  const CurrencyKpis& k = In(r.tenants.at("t1").total);
  EXPECT_EQ(k.ageing_closing,
            Ageing(Eur(600'000), Eur(200'000), Eur(80'000), Eur(40'000), Eur(30'000)));
  EXPECT_EQ(k.expected_credit_loss, Eur(32'000));
  EXPECT_THAT(FormatReportTable(r), HasSubstr("EUR 32000.00"));
}

// RULEBOOK relationship saved: closed cases paid or settled without legal whose debtor stays
// an active customer / closed cases. 19 of 25 = 76% (the headline promise).
TEST(KpiFold, RelationshipSavedCountsOnlyPaidOrSettledWithoutLegalAndActive) {
  Stream s;
  const absl::CivilDay open = Day(2025, 3, 1);
  const absl::CivilDay closed = Day(2025, 3, 20);
  for (int i = 0; i < 25; ++i) {
    const std::string d = absl::StrCat("d", i);
    if (i != 21) {  // d21 has no master data: not known to be active
      s.Status(d, Day(2025, 1, 1),
               i == 19 || i == 20 ? inv::CUSTOMER_STATUS_CHURNED : inv::CUSTOMER_STATUS_ACTIVE);
    }
    s.Case<dun::CaseOpened>(d, kChampion, open);
    dun::CaseState final_state = dun::CASE_STATE_PAID;
    if (i == 17) final_state = dun::CASE_STATE_SETTLED;
    if (i == 18) {  // escalated, rejected by the partner, then paid: no legal action happened
      s.Escalate(d, kChampion, Day(2025, 3, 10), Eur(100));
      s.Transition(d, kChampion, Day(2025, 3, 10), dun::CASE_STATE_DUNNING,
                   dun::CASE_STATE_LEGAL);
      s.Transition(d, kChampion, Day(2025, 3, 12), dun::CASE_STATE_LEGAL,
                   dun::CASE_STATE_AGENT_REVIEW);
    }
    if (i == 22) {  // paid through legal
      s.Escalate(d, kChampion, Day(2025, 3, 10), Eur(100));
      s.Transition(d, kChampion, Day(2025, 3, 10), dun::CASE_STATE_DUNNING,
                   dun::CASE_STATE_LEGAL);
    }
    if (i == 23) final_state = dun::CASE_STATE_WRITTEN_OFF;
    if (i == 24) final_state = dun::CASE_STATE_CANCELLED;
    s.Close(d, kChampion, closed, final_state);
  }
  // Churning after the period end does not change the period's figure.
  s.Status("d0", Day(2025, 4, 15), inv::CUSTOMER_STATUS_CHURNED);
  const PortfolioFold fold = FoldAll(s.events);
  const Report r = fold.Snapshot(kMarch1, kMarch31);
  const GroupKpis& g = r.tenants.at("t1").total;
  EXPECT_EQ(g.cases_opened, 25);
  EXPECT_EQ(g.cases_closed, 25);
  EXPECT_EQ(g.relationships_saved, 19);
  EXPECT_NEAR(Value(g.relationship_saved_percent), 76.0, 1e-12);
  EXPECT_EQ(fold.Snapshot(kMarch1, Day(2025, 4, 30)).tenants.at("t1").total.relationships_saved,
            18);
}

// Legal ratio = escalated / placed, goal < 5%; a request the legal service rejected is not
// escalated, in whatever order the two topics arrive.
TEST(KpiFold, LegalRatioExcludesRejectedEscalations) {
  Stream s;
  s.Issue("i1", "d1", Day(2025, 2, 1), Day(2025, 3, 3), Eur(6'000));
  s.Issue("i2", "d2", Day(2025, 2, 1), Day(2025, 3, 3), Eur(4'000));
  s.Escalate("d1", kChampion, Day(2025, 3, 20), Eur(400));
  s.Rejected("d2", Day(2025, 3, 22), "t1/case.events/5");  // the next event's id
  const std::string rejected = s.Escalate("d2", kChampion, Day(2025, 3, 21), Eur(300));
  ASSERT_EQ(rejected, "t1/case.events/5");
  const Report r = FoldAll(s.events).Snapshot(kMarch1, kMarch31);
  const GroupKpis& g = r.tenants.at("t1").total;
  EXPECT_EQ(In(g).placed, Eur(10'000));
  EXPECT_EQ(In(g).escalated, Eur(400));
  EXPECT_EQ(g.escalations_requested, 2);
  EXPECT_EQ(g.escalations_rejected, 1);
  EXPECT_NEAR(Value(In(g).legal_ratio_percent), 4.0, 1e-12);
}

TEST(KpiFold, ADeferredContactIsCountedAsDeferredNotAsSuppressed) {
  Stream s;
  s.Issue("i1", "d1", Day(2025, 2, 1), Day(2025, 3, 3), Eur(6'000));
  s.Suppressed("d1", Day(2025, 3, 8), con::SUPPRESSION_REASON_QUIET_HOURS, /*deferred=*/true);
  s.Suppressed("d1", Day(2025, 3, 9), con::SUPPRESSION_REASON_WEEKDAY_OR_HOLIDAY,
               /*deferred=*/true);
  s.Suppressed("d1", Day(2025, 3, 10), con::SUPPRESSION_REASON_FREQUENCY_CAP);
  const Report r = FoldAll(s.events).Snapshot(kMarch1, kMarch31);
  const GroupKpis& g = r.tenants.at("t1").total;
  EXPECT_EQ(g.contacts_suppressed, 1);
  EXPECT_EQ(g.suppressed_by_reason, (std::map<std::string, int64_t>{{"frequency_cap", 1}}));
  EXPECT_EQ(g.contacts_deferred, 2);
  EXPECT_EQ(g.deferred_by_reason, (std::map<std::string, int64_t>{{"quiet_hours", 1},
                                                                   {"weekday_or_holiday", 1}}));
  const std::string table = FormatReportTable(r);
  EXPECT_THAT(table, HasSubstr("contacts deferred"));
  EXPECT_THAT(table, HasSubstr("2 (quiet_hours 1, weekday_or_holiday 1)"));
}

// ---- delivery: duplicates, unknown types, topic order ----

TEST(KpiFold, RepeatedEventIdsAreAppliedOnce) {
  const Stream s = SmallPortfolio();
  PortfolioFold once = FoldAll(s.events);
  PortfolioFold twice = FoldAll(s.events);
  for (const Event& e : s.events) twice.Apply(e.envelope);
  // A redelivered payment with the same id does not collect twice.
  twice.Apply(s.events[6].envelope);
  EXPECT_EQ(twice.stats().duplicates, static_cast<int64_t>(s.events.size()) + 1);
  EXPECT_EQ(twice.stats().applied, once.stats().applied);
  EXPECT_EQ(FormatReportTable(twice.Snapshot(kMarch1, kMarch31)),
            FormatReportTable(once.Snapshot(kMarch1, kMarch31)));
  EXPECT_EQ(In(twice.Snapshot(kMarch1, kMarch31).tenants.at("t1").total).collected, Eur(1390));
}

TEST(KpiFold, UnknownTypesNewerSchemasAndBadPayloadsAreSkipped) {
  const Stream s = SmallPortfolio();
  PortfolioFold fold = FoldAll(s.events);
  const std::string before = FormatReportTable(fold.Snapshot(kMarch1, kMarch31));

  cv1::Envelope unknown = s.events[1].envelope;
  unknown.set_event_id("x-1");
  unknown.set_type("concerto.invoice.v1.InvoiceTeleported");
  fold.Apply(unknown);
  cv1::Envelope ping = unknown;
  ping.set_event_id("x-2");
  ping.set_type("concerto.platform.v1.Ping");
  fold.Apply(ping);
  cv1::Envelope newer = s.events[1].envelope;  // a second InvoiceIssued, schema v2
  newer.set_event_id("x-3");
  newer.set_schema_version(2);
  fold.Apply(newer);
  cv1::Envelope bad = s.events[6].envelope;  // a PaymentAllocated that does not parse
  bad.set_event_id("x-4");
  bad.set_payload(std::string("\x0a\x05\x61\x62", 4));
  fold.Apply(bad);

  EXPECT_EQ(fold.stats().ignored, 3);
  EXPECT_EQ(fold.stats().malformed, 1);
  EXPECT_EQ(fold.stats().applied, static_cast<int64_t>(s.events.size()));
  EXPECT_EQ(FormatReportTable(fold.Snapshot(kMarch1, kMarch31)), before);
}

TEST(KpiFold, TopicOrderDoesNotChangeTheFigures) {
  const Stream s = SmallPortfolio();
  std::vector<Event> chronological = s.events;
  std::stable_sort(chronological.begin(), chronological.end(), [](const Event& a, const Event& b) {
    return a.envelope.occurred_at().seconds() < b.envelope.occurred_at().seconds();
  });
  // A consumer that drains one topic after the other (per-topic order kept).
  std::vector<Event> by_topic;
  for (const char* topic :
       {"payment.events", "contact.events", "case.events", "legal.events", "invoice.events"}) {
    for (const Event& e : s.events) {
      if (e.topic == topic) by_topic.push_back(e);
    }
  }
  ASSERT_EQ(by_topic.size(), s.events.size());
  const std::string expected = FormatReportTable(FoldAll(s.events).Snapshot(kMarch1, kMarch31));
  EXPECT_EQ(FormatReportTable(FoldAll(chronological).Snapshot(kMarch1, kMarch31)), expected);
  EXPECT_EQ(FormatReportTable(FoldAll(by_topic).Snapshot(kMarch1, kMarch31)), expected);
}

// ---- invoice life-cycle details ----

TEST(KpiFold, ReversalReopensTheInvoiceAndTakesBackTheCollection) {
  Stream s;
  s.Issue("i1", "d1", Day(2025, 2, 1), Day(2025, 3, 3), Eur(100));
  s.Pay("d1", "i1", Day(2025, 3, 10), Eur(100));
  s.Reverse("d1", "i1", Day(2025, 3, 12), Eur(100));
  const PortfolioFold fold = FoldAll(s.events);
  const Report r = fold.Snapshot(kMarch1, kMarch31);
  const CurrencyKpis& k = In(r.tenants.at("t1").total);
  EXPECT_EQ(k.collected, 0);
  EXPECT_EQ(k.collected_on_placed, 0);
  EXPECT_EQ(k.collection_rate_bp, 0);
  EXPECT_EQ(k.closing_receivables, Eur(100));
  EXPECT_EQ(k.ageing_closing, Ageing(0, Eur(100), 0, 0, 0));  // 28 days past due
  const Report r_mid = fold.Snapshot(kMarch1, Day(2025, 3, 11));
  const CurrencyKpis& mid = In(r_mid.tenants.at("t1").total);
  EXPECT_EQ(mid.collected, Eur(100));
  EXPECT_EQ(mid.collection_rate_bp, 10000);
  EXPECT_EQ(mid.closing_receivables, 0);
}

TEST(KpiFold, AMovedDueDateMovesPlacementAndAgeing) {
  Stream s;
  s.Issue("i1", "d1", Day(2025, 2, 1), Day(2025, 3, 10), Eur(100));
  s.Reissue("i1", "d1", Day(2025, 3, 5), Day(2025, 3, 20));  // mislaid invoice sent again
  const PortfolioFold fold = FoldAll(s.events);
  const Report r_mid = fold.Snapshot(kMarch1, Day(2025, 3, 15));
  const CurrencyKpis& mid = In(r_mid.tenants.at("t1").total);
  EXPECT_EQ(mid.invoices_placed, 0);
  EXPECT_EQ(mid.ageing_closing, Ageing(Eur(100), 0, 0, 0, 0));
  const Report r_end = fold.Snapshot(kMarch1, kMarch31);
  const CurrencyKpis& end = In(r_end.tenants.at("t1").total);
  EXPECT_EQ(end.invoices_placed, 1);
  EXPECT_EQ(end.placed, Eur(100));
  EXPECT_EQ(end.ageing_closing, Ageing(0, Eur(100), 0, 0, 0));  // 11 days past 20 March
}

TEST(KpiFold, TenantsAndCurrenciesStaySeparate) {
  Stream t1 = SmallPortfolio();
  Stream t2;
  t2.tenant = "t2";
  t2.currency = "JPY";
  t2.Issue("i1", "d1", Day(2025, 2, 1), Day(2025, 3, 1), 8'000);
  t2.Case<dun::CaseOpened>("d1", kChallenger, Day(2025, 3, 2));
  t2.Sent("d1", Day(2025, 3, 3));
  t2.Sent("d1", Day(2025, 3, 4));
  t2.Pay("d1", "i1", Day(2025, 3, 6), 5'000);
  std::vector<Event> all = t1.events;
  all.insert(all.end(), t2.events.begin(), t2.events.end());
  const Report r = FoldAll(all).Snapshot(kMarch1, kMarch31);
  ASSERT_EQ(r.tenants.size(), 2u);
  EXPECT_EQ(In(r.tenants.at("t1").total).collected, Eur(1390));
  const GroupKpis& g = r.tenants.at("t2").total;
  ASSERT_EQ(g.by_currency.size(), 1u);
  const CurrencyKpis& k = In(g, "JPY");
  EXPECT_EQ(k.placed, 8'000);
  EXPECT_EQ(k.collected, 5'000);
  EXPECT_EQ(k.collection_rate_bp, 6250);
  EXPECT_EQ(k.contacts_per_1000_collected_centi, 40);  // 2 contacts per JPY 5,000 = 0.40 / 1,000
  EXPECT_EQ(r.tenants.at("t2").arms.count(kChallengerArm), 1u);
}

// ---- the text table ----

TEST(KpiFold, TableHasOneLinePerKpiPerGroupStartingWithTheKpiName) {
  const Report r = FoldAll(SmallPortfolio().events).Snapshot(kMarch1, kMarch31);
  const std::string table = FormatReportTable(r);
  const std::vector<std::string> lines = absl::StrSplit(table, '\n', absl::SkipEmpty());
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], "period 2025-03-01..2025-03-31 (31 days)");

  const std::vector<std::string> names = {
      "invoices placed",      "collected",          "collection rate",
      "credit sales",         "opening receivables", "closing receivables",
      "ageing at start",      "ageing at end",       "count-back dso",
      "simple dso",           "best possible dso",   "add",
      "cei",                  "expected credit loss", "escalations requested",
      "escalated to legal",   "legal ratio",         "promises made",
      "promises kept",        "promises broken",     "plans created",
      "plans completed",      "plans broken",        "contacts requested",
      "contacts sent",        "contacts suppressed", "contacts deferred",
      "contacts per 1,000 collected",
      "cases opened",         "cases closed",        "relationship saved",
      "csat",                 "nps"};
  // 4 groups: all, gentle/challenger, gentle/champion, unassigned.
  ASSERT_EQ(lines.size(), 1 + names.size() * 4);
  for (size_t i = 0; i < names.size(); ++i) {
    for (size_t g = 0; g < 4; ++g) {
      const std::string& line = lines[1 + i * 4 + g];
      EXPECT_TRUE(absl::StartsWith(line, names[i] + " ")) << line;
    }
  }
  // Every value starts in the same column, after the longest group label.
  const size_t tenant_at = lines[1].find(" t1 ");
  ASSERT_NE(tenant_at, std::string::npos);
  const size_t value_at = tenant_at + 4 + std::string("gentle/challenger").size() + 1;
  for (size_t i = 1; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].find(" t1 "), tenant_at) << lines[i];
    ASSERT_GT(lines[i].size(), value_at) << lines[i];
    EXPECT_EQ(lines[i][value_at - 1], ' ') << lines[i];
    EXPECT_NE(lines[i][value_at], ' ') << lines[i];
  }
  const std::vector<std::string> groups = {"all", "gentle/challenger", "gentle/champion",
                                           "unassigned"};
  for (size_t g = 0; g < groups.size(); ++g) {
    EXPECT_THAT(lines[1 + g], HasSubstr(" t1 "));
    EXPECT_THAT(lines[1 + g], HasSubstr(" " + groups[g] + " "));
  }
  auto line_of = [&](const std::string& name, const std::string& group) {
    for (const std::string& l : lines) {
      if (absl::StartsWith(l, name + " ") && absl::StrContains(l, " " + group + " ")) return l;
    }
    return std::string("missing: ") + name + " " + group;
  };
  EXPECT_THAT(line_of("legal ratio", "all"), HasSubstr("EUR 23.81% (goal < 5%)"));
  EXPECT_THAT(line_of("legal ratio", "gentle/challenger"), HasSubstr("EUR 83.33%"));
  EXPECT_THAT(line_of("legal ratio", "gentle/champion"), HasSubstr("EUR 0.00%"));
  EXPECT_THAT(line_of("collection rate", "all"),
              HasSubstr("EUR 52.38% (EUR 1100.00 of EUR 2100.00 placed)"));
  EXPECT_THAT(line_of("invoices placed", "all"), HasSubstr("EUR 2100.00 in 4 invoices"));
  EXPECT_THAT(line_of("count-back dso", "all"), HasSubstr("EUR 47.43 days"));
  EXPECT_THAT(line_of("count-back dso", "gentle/challenger"), HasSubstr("EUR 62.88 days"));
  EXPECT_THAT(line_of("cei", "all"), HasSubstr("EUR 51.92%"));
  EXPECT_THAT(line_of("add", "all"), HasSubstr("EUR 155.00 days"));
  EXPECT_THAT(line_of("add", "gentle/challenger"),
              HasSubstr("EUR n/a (no credit sales in the period)"));
  EXPECT_THAT(line_of("ageing at end", "all"),
              HasSubstr("EUR current 350.00, 1-30 1000.00, 31-60 250.00, 61-90 0.00, 90+ 0.00"));
  EXPECT_THAT(line_of("promises kept", "all"), HasSubstr("1 of 2 resolved (50.00%)"));
  EXPECT_THAT(line_of("contacts suppressed", "all"),
              HasSubstr("2 (frequency_cap 1, quiet_hours 1)"));
  EXPECT_THAT(line_of("contacts per 1,000 collected", "all"),
              HasSubstr("EUR 2.16 (3 sent / EUR 1390.00 collected)"));
  EXPECT_THAT(line_of("relationship saved", "all"), HasSubstr("100.00% (2 of 2 closed cases)"));
  EXPECT_THAT(line_of("csat", "all"), HasSubstr("3.67 average of 3 answers"));
  EXPECT_THAT(line_of("nps", "all"),
              HasSubstr("+33.33 (3 answers: 2 promoters, 0 passives, 1 detractors)"));
  EXPECT_THAT(line_of("nps", "unassigned"), HasSubstr("n/a (no answers)"));
}

}  // namespace
}  // namespace concerto::reporting
