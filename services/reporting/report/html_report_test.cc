// Tests of the HTML report: a small multi-tenant Report built by folding hand-made envelopes
// through PortfolioFold (helpers copied from domain/kpi_fold_test.cc), rendered and checked for
// structure (balanced tags, standalone SVGs inlined in the page), content (every KPI name, every
// tenant, values equal to the report's figures, exact money), escaping and determinism.
#include "services/reporting/report/html_report.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "concerto/common/v1/envelope.pb.h"
#include "concerto/contact/v1/contact_events.pb.h"
#include "concerto/dunning/v1/case.pb.h"
#include "concerto/invoice/v1/invoice_events.pb.h"
#include "concerto/payment/v1/payment_events.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/reporting/domain/kpi_fold.h"

namespace concerto::reporting {
namespace {

namespace cv1 = ::concerto::common::v1;
namespace inv = ::concerto::invoice::v1;
namespace pay = ::concerto::payment::v1;
namespace dun = ::concerto::dunning::v1;
namespace con = ::concerto::contact::v1;

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kChampion[] = "champion";
constexpr char kChallenger[] = "challenger";
const char kNastyTenant[] = "Acme <&> \"Co\"";
const char kNastyTenantEscaped[] = "Acme &lt;&amp;&gt; &quot;Co&quot;";

absl::CivilDay Day(int y, int m, int d) { return absl::CivilDay(y, m, d); }
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

// Stream builds the envelopes of one tenant the way the services publish them (copied, reduced,
// from services/reporting/domain/kpi_fold_test.cc).
struct Stream {
  std::string tenant = "t1";
  std::string currency = "EUR";
  std::vector<cv1::Envelope> events;
  int counter = 0;

  std::string Add(const std::string& topic, const google::protobuf::Message& payload,
                  absl::CivilDay day, const std::string& debtor) {
    cv1::Envelope env;
    const std::string id = absl::StrCat(tenant, "/", topic, "/", ++counter);
    env.set_event_id(id);
    env.set_tenant(tenant);
    env.set_aggregate_key(absl::StrCat(tenant, "/", debtor));
    env.set_type(payload.GetDescriptor()->full_name());
    const absl::Time at = absl::FromCivil(absl::CivilSecond(day) + 12 * 3600, absl::UTCTimeZone());
    env.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(at));
    env.set_schema_version(1);
    env.set_payload(payload.SerializeAsString());
    env.set_producer("test");
    events.push_back(env);
    return id;
  }

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
  template <typename T>
  void PaymentFact(const std::string& debtor, absl::CivilDay day) {
    T e;
    e.set_debtor_id(debtor);
    Add("payment.events", e, day, debtor);
  }
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
  void Case(const std::string& debtor, const std::string& variant, absl::CivilDay day) {
    Add("case.events", CaseEvent<T>(debtor, variant), day, debtor);
  }
  void Transition(const std::string& debtor, const std::string& variant, absl::CivilDay day,
                  dun::CaseState from, dun::CaseState to) {
    auto e = CaseEvent<dun::CaseTransitioned>(debtor, variant);
    e.set_from(from);
    e.set_to(to);
    Add("case.events", e, day, debtor);
  }
  void Escalate(const std::string& debtor, const std::string& variant, absl::CivilDay day,
                int64_t balance) {
    auto e = CaseEvent<dun::EscalationRequested>(debtor, variant);
    SetMoney(balance, currency, e.mutable_balance());
    Add("case.events", e, day, debtor);
  }
  void Close(const std::string& debtor, const std::string& variant, absl::CivilDay day,
             dun::CaseState final_state) {
    auto e = CaseEvent<dun::CaseClosed>(debtor, variant);
    e.set_final_state(final_state);
    Add("case.events", e, day, debtor);
  }
  void Sent(const std::string& debtor, absl::CivilDay day) {
    con::ContactAttemptSent e;
    e.mutable_attempt()->set_debtor_id(debtor);
    Add("contact.events", e, day, debtor);
  }
  void Suppressed(const std::string& debtor, absl::CivilDay day, con::SuppressionReason reason) {
    con::ContactAttemptSuppressed e;
    e.mutable_attempt()->set_debtor_id(debtor);
    e.set_reason(reason);
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
};

// The small March 2025 portfolio of kpi_fold_test.cc (figures asserted there: placed EUR 2,100,
// collected EUR 1,390, collection rate 52.38%, legal ratio 23.81%).
Stream SmallPortfolio() {
  Stream s;
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
  s.Transition("d2", kChallenger, Day(2025, 3, 25), dun::CASE_STATE_DUNNING, dun::CASE_STATE_LEGAL);

  s.Issue("i3", "d3", Day(2025, 3, 5), Day(2025, 4, 4), Eur(300));
  s.Case<dun::CaseOpened>("d3", kChampion, Day(2025, 3, 5));
  s.Pay("d3", "i3", Day(2025, 4, 2), Eur(300));

  s.Status("d4", Day(2025, 1, 2), inv::CUSTOMER_STATUS_ACTIVE);
  s.Issue("i4", "d4", Day(2025, 2, 15), Day(2025, 3, 1), Eur(200));
  s.Pay("d4", "i4", Day(2025, 3, 1), Eur(100));
  s.Case<dun::CaseOpened>("d4", kChallenger, Day(2025, 3, 2));
  s.PaymentFact<pay::PlanCreated>("d4", Day(2025, 3, 3));
  s.Pay("d4", "i4", Day(2025, 3, 8), Eur(100));
  s.PaymentFact<pay::PlanCompleted>("d4", Day(2025, 3, 8));
  s.Close("d4", kChallenger, Day(2025, 3, 8), dun::CASE_STATE_PAID);
  s.Survey("d4", Day(2025, 3, 9), 5, 9);

  s.Issue("i5", "d5", Day(2025, 1, 10), Day(2025, 2, 9), Eur(400));
  s.Case<dun::CaseOpened>("d5", kChallenger, Day(2025, 2, 10));
  s.Pay("d5", "i5", Day(2025, 3, 5), Eur(150));
  s.PaymentFact<pay::PlanCreated>("d5", Day(2025, 3, 6));
  s.PaymentFact<pay::PlanBroken>("d5", Day(2025, 3, 25));
  s.Survey("d5", Day(2025, 3, 26), 2, 3);

  s.Issue("i6", "d6", Day(2025, 2, 20), Day(2025, 3, 20), Eur(600));
  s.Credit("i6", "d6", Day(2025, 3, 15), -Eur(100));
  s.Case<dun::CaseOpened>("d6", kChampion, Day(2025, 3, 21));
  s.Case<dun::ContactRequested>("d6", kChampion, Day(2025, 3, 22));
  s.Sent("d6", Day(2025, 3, 22));
  s.Survey("d6", Day(2025, 3, 30), 4, std::nullopt);

  s.Issue("i7", "d7", Day(2025, 3, 25), Day(2025, 4, 24), Eur(50));
  return s;
}

// NastyTenant has a name that needs escaping and a large amount: EUR 1,234,567.89 placed,
// EUR 1,000.00 collected on it.
Stream NastyTenant() {
  Stream s;
  s.tenant = kNastyTenant;
  s.Status("n1", Day(2025, 1, 2), inv::CUSTOMER_STATUS_ACTIVE);
  s.Issue("n-i1", "n1", Day(2025, 2, 1), Day(2025, 3, 3), 123456789);
  s.Case<dun::CaseOpened>("n1", kChampion, Day(2025, 3, 4));
  s.Pay("n1", "n-i1", Day(2025, 3, 20), Eur(1000));
  return s;
}

// YenTenant works in a currency without decimals: JPY 120,000 placed, nothing collected.
Stream YenTenant() {
  Stream s;
  s.tenant = "jp";
  s.currency = "JPY";
  s.Issue("y-i1", "y1", Day(2025, 2, 1), Day(2025, 3, 3), 120000);
  s.Case<dun::CaseOpened>("y1", kChallenger, Day(2025, 3, 4));
  s.Suppressed("y1", Day(2025, 3, 5), con::SUPPRESSION_REASON_QUIET_HOURS);
  return s;
}

const absl::CivilDay kMarch1 = Day(2025, 3, 1);
const absl::CivilDay kMarch31 = Day(2025, 3, 31);

Report MarchReport() {
  PortfolioFold fold;
  for (const Stream& s : {SmallPortfolio(), NastyTenant(), YenTenant()}) {
    for (const cv1::Envelope& e : s.events) fold.Apply(e);
  }
  return fold.Snapshot(kMarch1, kMarch31);
}

HtmlReportOptions Options() {
  HtmlReportOptions o;
  o.title = "March <demo> & \"friends\"";
  o.subtitle = "champion vs challenger";
  o.run_facts = {{"seed", "42"}, {"days", "31"}, {"debtors", "9"}};
  return o;
}

// DailySeries: one point per day of March for t1 and the nasty tenant, plus a tenant the report
// does not know.
std::vector<DailyPoint> DailySeries() {
  std::vector<DailyPoint> out;
  for (int d = 1; d <= 31; ++d) {
    out.push_back(
        {Day(2025, 3, d), "t1", Eur(2700) - Eur(35) * d, Eur(45), 5 - d / 10, d >= 25 ? 1 : 0});
    out.push_back({Day(2025, 3, d), kNastyTenant, 123456789 - (d >= 20 ? Eur(1000) : 0),
                   d == 20 ? Eur(1000) : 0, 1, 0});
    out.push_back({Day(2025, 3, d), "ghost", 1000 + d, 0, 0, 0});
  }
  return out;
}

const ReportFile* Find(const std::vector<ReportFile>& files, const std::string& name) {
  for (const ReportFile& f : files) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// TagProblem returns "" when every element opened in `text` is closed, properly nested, and every
// '&' starts an entity; otherwise what is wrong. Void elements (HTML) need no closing tag.
std::string TagProblem(const std::string& text, const std::set<std::string>& void_elements = {}) {
  std::vector<std::string> stack;
  size_t i = 0;
  while ((i = text.find('<', i)) != std::string::npos) {
    if (text.compare(i, 2, "<!") == 0 || text.compare(i, 2, "<?") == 0) {
      i = text.find('>', i);
      if (i == std::string::npos) return "unterminated declaration";
      continue;
    }
    const size_t end = text.find('>', i);
    if (end == std::string::npos) return "unterminated tag";
    const std::string tag = text.substr(i + 1, end - i - 1);
    if (tag.empty()) return "empty tag";
    const bool closing = tag[0] == '/';
    const bool self_closing = tag.back() == '/';
    std::string name = closing ? tag.substr(1) : tag;
    name = name.substr(0, name.find_first_of(" \n\t/"));
    if (closing) {
      if (stack.empty() || stack.back() != name) {
        return absl::StrCat("</", name, "> closes <", stack.empty() ? "nothing" : stack.back(),
                            "> at ", i);
      }
      stack.pop_back();
    } else if (!self_closing && void_elements.count(name) == 0) {
      stack.push_back(name);
    }
    i = end + 1;
  }
  if (!stack.empty()) return absl::StrCat("unclosed <", stack.back(), ">");
  for (size_t at = text.find('&'); at != std::string::npos; at = text.find('&', at + 1)) {
    const size_t semi = text.find(';', at);
    if (semi == std::string::npos || semi - at > 8) return absl::StrCat("bare & at ", at);
    const std::string entity = text.substr(at, semi - at + 1);
    const bool numeric = entity.size() > 3 && entity[1] == '#';
    if (!numeric && entity != "&amp;" && entity != "&lt;" && entity != "&gt;" &&
        entity != "&quot;") {
      return absl::StrCat("unexpected entity ", entity);
    }
  }
  return "";
}

const std::set<std::string> kHtmlVoid = {"meta", "br", "link", "hr", "img", "input"};

const std::vector<std::string> kKpiNames = {"Invoices placed",
                                            "Collected",
                                            "Collection rate",
                                            "Credit sales",
                                            "Opening receivables",
                                            "Closing receivables",
                                            "Ageing at start",
                                            "Ageing at end",
                                            "Count-back DSO",
                                            "Simple DSO",
                                            "Best possible DSO",
                                            "ADD",
                                            "CEI",
                                            "Expected credit loss",
                                            "Escalations requested",
                                            "Escalated to legal",
                                            "Legal ratio",
                                            "Promises made",
                                            "Promises kept",
                                            "Promises broken",
                                            "Plans created",
                                            "Plans completed",
                                            "Plans broken",
                                            "Contacts requested",
                                            "Contacts sent",
                                            "Contacts suppressed",
                                            "Contacts per 1,000 collected",
                                            "Cases opened",
                                            "Cases closed",
                                            "Relationship saved",
                                            "CSAT",
                                            "NPS"};

const std::vector<std::string> kReportCharts = {
    "collection_rate.svg",    "legal_ratio.svg", "ageing.svg",
    "count_back_dso.svg",     "cei.svg",         "add.svg",
    "contacts_suppressed.svg"};

std::vector<std::string> Names(const std::vector<ReportFile>& files) {
  std::vector<std::string> out;
  for (const ReportFile& f : files) out.push_back(f.name);
  return out;
}

std::string Percent2(const Figure& f) {
  EXPECT_TRUE(f.value.has_value()) << f.undefined_reason;
  return absl::StrFormat("%.2f%%", f.value.value_or(-1));
}

TEST(HtmlReport, TheReportHasThreeTenants) {
  const Report r = MarchReport();
  ASSERT_EQ(r.tenants.size(), 3u);
  ASSERT_EQ(r.tenants.count(kNastyTenant), 1u);
  ASSERT_EQ(r.tenants.count("jp"), 1u);
}

TEST(HtmlReport, FilesAreTheIndexThenOneSvgPerChart) {
  const std::vector<ReportFile> files = RenderHtmlReport(MarchReport(), Options());
  std::vector<std::string> expected = {"index.html"};
  expected.insert(expected.end(), kReportCharts.begin(), kReportCharts.end());
  EXPECT_EQ(Names(files), expected);
  for (const ReportFile& f : files) EXPECT_FALSE(f.content.empty()) << f.name;
}

TEST(HtmlReport, IndexIsWellFormedAndInlinesEverySvg) {
  const std::vector<ReportFile> files = RenderHtmlReport(MarchReport(), Options());
  const std::string& index = files.at(0).content;
  EXPECT_TRUE(absl::StartsWith(index, "<!DOCTYPE html>\n<html lang=\"en\">"))
      << index.substr(0, 80);
  EXPECT_TRUE(absl::EndsWith(index, "</html>\n"));
  EXPECT_EQ(TagProblem(index, kHtmlVoid), "");
  EXPECT_EQ(Count(index, "<svg"), files.size() - 1);
  EXPECT_EQ(Count(index, "<svg"), Count(index, "</svg>"));
  EXPECT_THAT(index, HasSubstr("<style>"));
  EXPECT_THAT(index, Not(HasSubstr("<script")));
  EXPECT_THAT(index, Not(HasSubstr("http://www.w3.org/1999")));  // no external resources
  for (size_t i = 1; i < files.size(); ++i) {
    EXPECT_THAT(index, HasSubstr(files[i].content)) << files[i].name << " is not inlined";
    EXPECT_THAT(index, HasSubstr(absl::StrCat("href=\"", files[i].name, "\""))) << files[i].name;
  }
}

TEST(HtmlReport, EverySvgIsStandaloneXml) {
  for (const ReportFile& f : RenderHtmlReport(MarchReport(), DailySeries(), Options())) {
    if (f.name == "index.html") continue;
    SCOPED_TRACE(f.name);
    EXPECT_TRUE(absl::StartsWith(f.content, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
    EXPECT_TRUE(absl::EndsWith(f.content, "</svg>\n"));
    EXPECT_EQ(Count(f.content, "<svg"), 1u);
    EXPECT_EQ(TagProblem(f.content), "");
    // Accessible name and description.
    EXPECT_THAT(f.content, HasSubstr("role=\"img\""));
    EXPECT_THAT(f.content, HasSubstr("<title id="));
    EXPECT_THAT(f.content, HasSubstr("<desc id="));
  }
}

TEST(HtmlReport, IndexNamesEveryKpiAndTenant) {
  const Report r = MarchReport();
  const std::string index = RenderHtmlReport(r, Options()).at(0).content;
  for (const std::string& name : kKpiNames) {
    EXPECT_THAT(index, HasSubstr(absl::StrCat("<th scope=\"row\">", name, "</th>"))) << name;
  }
  // One KPI table per tenant, each with a row per KPI.
  EXPECT_EQ(Count(index, "<th scope=\"row\">Legal ratio</th>"), r.tenants.size());
  EXPECT_THAT(index, HasSubstr("<h3 id=\"tenant-1-h\">"));
  EXPECT_THAT(index, HasSubstr(">t1</h3>"));
  EXPECT_THAT(index, HasSubstr(">jp</h3>"));
  EXPECT_THAT(index, HasSubstr(absl::StrCat(">", kNastyTenantEscaped, "</h3>")));
  // Arms are columns; the how-to-read lines cite the RULEBOOK.
  EXPECT_THAT(index, HasSubstr("<th scope=\"col\">gentle/champion</th>"));
  EXPECT_THAT(index, HasSubstr("<th scope=\"col\">gentle/challenger</th>"));
  EXPECT_THAT(index, HasSubstr("<th scope=\"col\">unassigned</th>"));
  EXPECT_THAT(index, HasSubstr("(RULEBOOK legal ratio); goal: under 5%"));
  EXPECT_THAT(index, HasSubstr("How to read this report"));
  // Options and run facts.
  EXPECT_THAT(index, HasSubstr("<title>March &lt;demo&gt; &amp; &quot;friends&quot;</title>"));
  EXPECT_THAT(index, HasSubstr("<dt>seed</dt><dd>42</dd>"));
  EXPECT_THAT(index, HasSubstr("<dt>period</dt><dd>2025-03-01 to 2025-03-31 (31 days)</dd>"));
}

TEST(HtmlReport, ValuesMatchTheReport) {
  const Report r = MarchReport();
  const std::vector<ReportFile> files = RenderHtmlReport(r, Options());
  const std::string& index = files.at(0).content;
  const std::string& legal_svg = Find(files, "legal_ratio.svg")->content;
  const TenantKpis& t1 = r.tenants.at("t1");
  const CurrencyKpis& k = t1.total.by_currency.at("EUR");

  // The figures asserted by kpi_fold_test, as the report shows them.
  EXPECT_EQ(Percent2(k.legal_ratio_percent), "23.81%");
  EXPECT_THAT(index, HasSubstr("23.81% \u2014 above the 5% goal"));
  EXPECT_THAT(legal_svg, HasSubstr(">23.81%</text>"));
  EXPECT_THAT(legal_svg, HasSubstr("goal: under 5%"));
  EXPECT_THAT(legal_svg, HasSubstr("stroke-dasharray=\"6 4\""));
  for (const auto& [arm, g] : t1.arms) {
    const auto it = g.by_currency.find("EUR");
    if (it == g.by_currency.end() || !it->second.legal_ratio_percent.value.has_value()) continue;
    EXPECT_THAT(legal_svg,
                HasSubstr(absl::StrCat(">", Percent2(it->second.legal_ratio_percent), "</text>")))
        << ArmLabel(arm);
  }
  EXPECT_THAT(index, HasSubstr("52.38% (EUR 1,100.00 of EUR 2,100.00)"));
  EXPECT_THAT(Find(files, "collection_rate.svg")->content,
              HasSubstr(">52.38% of EUR 2,100.00</text>"));
  EXPECT_THAT(index, HasSubstr("EUR 1,390.00"));
  EXPECT_THAT(index, HasSubstr("EUR 2,100.00 in 4 invoices"));
  const std::string dso = absl::StrFormat("%.2f days", *k.count_back_dso_days.value);
  EXPECT_EQ(dso, "47.43 days");
  EXPECT_THAT(index, HasSubstr(dso));
  EXPECT_THAT(Find(files, "count_back_dso.svg")->content,
              HasSubstr(absl::StrCat(">", dso, "</text>")));
  EXPECT_THAT(Find(files, "cei.svg")->content,
              HasSubstr(absl::StrCat(">", Percent2(k.cei_percent), "</text>")));
  EXPECT_THAT(Find(files, "add.svg")->content, HasSubstr(">155.00 days</text>"));
  EXPECT_THAT(index, HasSubstr("1 of 2 resolved (50.00%)"));
  EXPECT_THAT(index, HasSubstr("+33.33 (3 answers: 2 promoters, 0 passives, 1 detractor"));
  EXPECT_THAT(index, HasSubstr("3.67 (3 answers)"));
  EXPECT_THAT(index, HasSubstr("2.16 (3 sent / EUR 1,390.00)"));
  // Ageing at the end: current 350, 1-30 1,000, 31-60 250.
  EXPECT_THAT(index, HasSubstr("1-30: EUR 1,000.00"));
  const std::string& ageing = Find(files, "ageing.svg")->content;
  EXPECT_THAT(ageing,
              HasSubstr("t1 \u00b7 EUR \u00b7 at end (2025-03-31) \u00b7 31-60: EUR 250.00"));
  EXPECT_THAT(ageing, HasSubstr(">EUR 1,600.00</text>"));  // closing total
  EXPECT_THAT(ageing, HasSubstr(">EUR 2,700.00</text>"));  // opening total
  // Suppressed contacts by reason, per tenant.
  const std::string& suppressed = Find(files, "contacts_suppressed.svg")->content;
  EXPECT_THAT(suppressed, HasSubstr(">t1 \u00b7 frequency_cap</text>"));
  EXPECT_THAT(suppressed, HasSubstr(">t1 \u00b7 quiet_hours</text>"));
  EXPECT_THAT(suppressed, HasSubstr(">jp \u00b7 quiet_hours</text>"));
  EXPECT_THAT(index, HasSubstr("quiet_hours: 1"));
}

TEST(HtmlReport, MoneyIsExactFromMinorUnits) {
  const std::vector<ReportFile> files = RenderHtmlReport(MarchReport(), Options());
  const std::string& index = files.at(0).content;
  // 123,456,789 cents placed; EUR 1,000 paid: closing 1,233,567.89.
  EXPECT_THAT(index, HasSubstr("EUR 1,234,567.89 in 1 invoice"));
  EXPECT_THAT(index, HasSubstr("EUR 1,233,567.89 (current EUR 0.00)"));
  // JPY has no decimals.
  EXPECT_THAT(index, HasSubstr("JPY 120,000 in 1 invoice"));
  EXPECT_THAT(index, Not(HasSubstr("JPY 1,200.00")));
  EXPECT_THAT(Find(files, "ageing.svg")->content, HasSubstr(">JPY 120,000</text>"));
}

TEST(HtmlReport, EscapesTenantNamesEverywhere) {
  for (const ReportFile& f : RenderHtmlReport(MarchReport(), DailySeries(), Options())) {
    SCOPED_TRACE(f.name);
    EXPECT_THAT(f.content, Not(HasSubstr("Acme <&>")));
    EXPECT_THAT(f.content, Not(HasSubstr("<demo>")));
    if (f.name == "index.html" || f.name == "collection_rate.svg" || f.name == "legal_ratio.svg" ||
        f.name == "ageing.svg" || f.name == "open_receivables.svg") {
      EXPECT_THAT(f.content, HasSubstr(kNastyTenantEscaped));
    }
  }
}

TEST(HtmlReport, RenderingIsDeterministic) {
  const Report r = MarchReport();
  const std::vector<ReportFile> a = RenderHtmlReport(r, DailySeries(), Options());
  const std::vector<ReportFile> b = RenderHtmlReport(MarchReport(), DailySeries(), Options());
  ASSERT_EQ(Names(a), Names(b));
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].content, b[i].content) << a[i].name;
  // Without a series: the same as an empty series.
  const std::vector<ReportFile> c = RenderHtmlReport(r, Options());
  const std::vector<ReportFile> d = RenderHtmlReport(r, std::vector<DailyPoint>{}, Options());
  ASSERT_EQ(Names(c), Names(d));
  for (size_t i = 0; i < c.size(); ++i) EXPECT_EQ(c[i].content, d[i].content) << c[i].name;
}

TEST(HtmlReport, DailySeriesAddsTimeCharts) {
  const Report r = MarchReport();
  std::vector<DailyPoint> series = DailySeries();
  // A second point for a day replaces the first; order does not matter.
  std::reverse(series.begin(), series.end());
  series.push_back({Day(2025, 3, 31), "t1", Eur(1600), Eur(45), 2, 1});
  const std::vector<ReportFile> files = RenderHtmlReport(r, series, Options());
  std::vector<std::string> expected = {"index.html"};
  expected.insert(expected.end(), kReportCharts.begin(), kReportCharts.end());
  expected.push_back("open_receivables.svg");
  expected.push_back("cases_open.svg");
  ASSERT_EQ(Names(files), expected);

  const std::string& open = Find(files, "open_receivables.svg")->content;
  EXPECT_EQ(Count(open, "<polyline"), 6u);  // 3 tenants x (open, collected to date)
  EXPECT_THAT(open, HasSubstr(">t1 (EUR)</text>"));
  EXPECT_THAT(open, HasSubstr(">ghost (minor units)</text>"));
  EXPECT_THAT(open, HasSubstr(">open receivables: 1,600.00</text>"));
  EXPECT_THAT(open, HasSubstr(">collected to date: 1,395.00</text>"));  // 31 x EUR 45
  EXPECT_THAT(open, HasSubstr(">2025-03-31</text>"));
  const std::string& cases = Find(files, "cases_open.svg")->content;
  EXPECT_EQ(Count(cases, "<polyline"), 6u);
  EXPECT_THAT(cases, HasSubstr(">in legal: 1</text>"));

  const std::string& index = files.at(0).content;
  EXPECT_EQ(TagProblem(index, kHtmlVoid), "");
  EXPECT_THAT(index, HasSubstr("EUR 2,665.00"));  // t1 on 1 March: 2,700 - 35
  EXPECT_THAT(index, HasSubstr("EUR 1,600.00"));
  EXPECT_THAT(index, Not(HasSubstr("No daily series was recorded")));
  EXPECT_THAT(RenderHtmlReport(r, Options()).at(0).content,
              HasSubstr("No daily series was recorded"));
}

TEST(HtmlReport, EmptyReportStillRenders) {
  Report r;
  r.period_start = kMarch1;
  r.period_end = kMarch1;
  r.period_days = 1;
  const std::vector<ReportFile> files = RenderHtmlReport(r, HtmlReportOptions{});
  ASSERT_EQ(files.size(), 1 + kReportCharts.size());
  EXPECT_THAT(files[0].content, HasSubstr("<title>Concerto KPI report</title>"));
  EXPECT_THAT(files[0].content, HasSubstr("No tenants"));
  for (const ReportFile& f : files) {
    SCOPED_TRACE(f.name);
    EXPECT_EQ(TagProblem(f.content, kHtmlVoid), "");
  }
  EXPECT_THAT(Find(files, "legal_ratio.svg")->content, HasSubstr("No data for this chart"));
}

}  // namespace
}  // namespace concerto::reporting
