#include "deploy/local/demo/model/portfolio.h"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <type_traits>

#include "absl/time/civil_time.h"
#include "gtest/gtest.h"
#include "libs/rules/creditor_reference.h"

namespace concerto::demo::model {
namespace {

const absl::CivilDay kToday(2026, 3, 2);

PortfolioOptions Options(uint64_t seed, int debtors = 300) {
  PortfolioOptions o;
  o.seed = seed;
  o.debtors = debtors;
  o.today = kToday;
  o.history_months = 12;
  return o;
}

const Portfolio& Default() {
  static const Portfolio* p = new Portfolio(GeneratePortfolio(Options(20260302)));
  return *p;
}

TEST(PortfolioTest, SameSeedGivesAnIdenticalPortfolio) {
  const Portfolio again = GeneratePortfolio(Options(20260302));
  EXPECT_TRUE(again == Default());
  EXPECT_EQ(again.invoices.size(), Default().invoices.size());
}

TEST(PortfolioTest, DifferentSeedGivesADifferentPortfolio) {
  const Portfolio other = GeneratePortfolio(Options(7));
  EXPECT_FALSE(other == Default());
  int same_names = 0;
  for (size_t i = 0; i < other.debtors.size() && i < Default().debtors.size(); ++i) {
    same_names += other.debtors[i].family_name == Default().debtors[i].family_name &&
                          other.debtors[i].legal_name == Default().debtors[i].legal_name
                      ? 1
                      : 0;
  }
  EXPECT_LT(same_names, 100);
}

TEST(PortfolioTest, ADebtorDoesNotDependOnTheTotal) {
  const Portfolio small = GeneratePortfolio(Options(20260302, 30));
  const Debtor* a = FindDebtor(small, "lumo-huolto", "LH-D00003");
  const Debtor* b = FindDebtor(Default(), "lumo-huolto", "LH-D00003");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(*a == *b);
}

TEST(PortfolioTest, DebtorsAreSplitAcrossTenantsByShare) {
  EXPECT_EQ(SplitDebtors(300), (std::vector<int>{180, 45, 75}));
  for (int total : {0, 1, 2, 3, 4, 7, 10, 99, 301, 1000}) {
    const std::vector<int> c = SplitDebtors(total);
    EXPECT_EQ(c[0] + c[1] + c[2], total) << total;
    if (total >= 3) {
      for (int n : c) EXPECT_GE(n, 1) << total;
    }
  }
  std::map<std::string, int> per_tenant;
  for (const Debtor& d : Default().debtors) ++per_tenant[d.tenant_id];
  EXPECT_EQ(per_tenant["aurora-energia"], 180);
  EXPECT_EQ(per_tenant["vigna-rossa"], 45);
  EXPECT_EQ(per_tenant["lumo-huolto"], 75);
  EXPECT_EQ(Default().debtors.size(), 300u);
  EXPECT_EQ(Default().tenants.size(), 3u);
}

TEST(PortfolioTest, InvoiceNumbersAreUniquePerTenantAndWellFormed) {
  std::map<std::string, std::set<std::string>> numbers;
  const std::regex format("(AE|VR|LH)-20[0-9]{2}-[0-9]{6}");
  for (const Invoice& inv : Default().invoices) {
    EXPECT_TRUE(numbers[inv.tenant_id].insert(inv.invoice_number).second) << inv.invoice_number;
    EXPECT_TRUE(std::regex_match(inv.invoice_number, format)) << inv.invoice_number;
    EXPECT_EQ(inv.invoice_number.substr(0, 2), FindTenant(inv.tenant_id)->invoice_prefix);
    EXPECT_EQ(inv.invoice_number.substr(3, 4), std::to_string(inv.issue_date.year()));
    EXPECT_TRUE(rules::IsValidCreditorReference(inv.payment_reference)) << inv.payment_reference;
  }
}

TEST(PortfolioTest, TenantShapesHold) {
  std::map<std::string, int> count;
  std::map<std::string, std::map<std::string, int>> languages;
  std::map<std::string, std::set<std::string>> countries;
  int aurora_residential = 0, aurora_residential_typical = 0;
  for (const Invoice& inv : Default().invoices) {
    const Tenant* t = FindTenant(inv.tenant_id);
    ASSERT_NE(t, nullptr);
    ++count[inv.tenant_id];
    EXPECT_EQ(inv.amount.currency, "EUR");
    EXPECT_GE(inv.amount.minor_units, t->min_amount_minor) << inv.invoice_number;
    EXPECT_LE(inv.amount.minor_units, t->max_amount_minor) << inv.invoice_number;
    EXPECT_EQ(inv.due_date - inv.issue_date, t->payment_terms_days);
    EXPECT_LE(inv.issue_date, kToday);
    EXPECT_GT(inv.issue_date, absl::CivilDay(2025, 3, 2));
    const Debtor* d = FindDebtor(Default(), inv.tenant_id, inv.debtor_id);
    ASSERT_NE(d, nullptr);
    if (d->segment == "residential") {
      ++aurora_residential;
      aurora_residential_typical +=
          inv.amount.minor_units >= 4000 && inv.amount.minor_units <= 40000 ? 1 : 0;
    }
  }
  EXPECT_EQ(aurora_residential, aurora_residential_typical);  // EUR 40-400
  EXPECT_GT(aurora_residential, 1000);
  // Many small bills for the utility, fewer and larger invoices for the winery.
  EXPECT_GT(count["aurora-energia"], 180 * 11);
  EXPECT_LT(count["vigna-rossa"], 45 * 8);
  EXPECT_GE(count["vigna-rossa"], 45);
  EXPECT_GE(count["lumo-huolto"], 75);

  for (const Debtor& d : Default().debtors) {
    const Tenant* t = FindTenant(d.tenant_id);
    ++languages[d.tenant_id][d.preferred_language];
    countries[d.tenant_id].insert(d.country);
    EXPECT_NE(std::find(t->languages.begin(), t->languages.end(), d.preferred_language),
              t->languages.end());
    EXPECT_NE(std::find(t->segments.begin(), t->segments.end(), d.segment), t->segments.end());
    if (d.country == "IT") {
      EXPECT_EQ(d.time_zone, "Europe/Rome");
    }
    if (d.country == "FI") {
      EXPECT_EQ(d.time_zone, "Europe/Helsinki");
    }
    if (d.country == "NL") {
      EXPECT_EQ(d.time_zone, "Europe/Amsterdam");
    }
    if (d.country == "GB") {
      EXPECT_EQ(d.time_zone, "Europe/London");
    }
    if (d.country == "US") {
      EXPECT_EQ(d.time_zone.substr(0, 8), "America/");
    }
    if (d.country == "NL") {
      EXPECT_EQ(d.preferred_language, "nl");
    }
    if (d.tenant_id == "vigna-rossa") {
      EXPECT_EQ(d.type, DebtorType::kBusiness);
    }
  }
  EXPECT_GT(languages["aurora-energia"]["it"], 150);
  EXPECT_GT(languages["aurora-energia"]["en"], 0);
  EXPECT_GT(languages["lumo-huolto"]["fi"], 55);
  EXPECT_GT(languages["lumo-huolto"]["en"], 0);
  EXPECT_EQ(countries["aurora-energia"], (std::set<std::string>{"IT"}));
  EXPECT_EQ(countries["lumo-huolto"], (std::set<std::string>{"FI"}));
  EXPECT_EQ(countries["vigna-rossa"], (std::set<std::string>{"IT", "NL", "FI", "GB", "US"}));
}

TEST(PortfolioTest, LinesAddUpExactlyAsTheInvoiceServiceChecks) {
  for (const Invoice& inv : Default().invoices) {
    ASSERT_FALSE(inv.lines.empty()) << inv.invoice_number;
    int64_t gross = 0;
    for (const InvoiceLine& l : inv.lines) {
      const int64_t net = (l.quantity_milli * l.unit_price.minor_units + 500) / 1000;
      const int64_t vat = (net * l.vat_rate_bp + 5000) / 10000;
      EXPECT_EQ(l.net_amount.minor_units, net) << inv.invoice_number;
      EXPECT_EQ(l.vat_amount.minor_units, vat) << inv.invoice_number;
      EXPECT_EQ(l.gross_amount.minor_units, net + vat) << inv.invoice_number;
      EXPECT_GT(l.quantity_milli, 0);
      EXPECT_FALSE(l.description.empty());
      gross += l.gross_amount.minor_units;
    }
    EXPECT_EQ(gross, inv.amount.minor_units) << inv.invoice_number;
  }
}

TEST(PortfolioTest, HistoryOutcomesAreConsistent) {
  std::map<HistoryOutcome, int> outcomes;
  for (const Invoice& inv : Default().invoices) {
    ++outcomes[inv.outcome];
    switch (inv.outcome) {
      case HistoryOutcome::kPaidOnTime:
        ASSERT_TRUE(inv.paid_on.has_value());
        EXPECT_LE(*inv.paid_on, inv.due_date);
        EXPECT_GE(*inv.paid_on, inv.issue_date);
        break;
      case HistoryOutcome::kPaidLate:
        ASSERT_TRUE(inv.paid_on.has_value());
        EXPECT_GT(*inv.paid_on, inv.due_date);
        EXPECT_LE(*inv.paid_on, kToday);
        break;
      case HistoryOutcome::kOpenOverdue:
        EXPECT_FALSE(inv.paid_on.has_value());
        EXPECT_LT(inv.due_date, kToday);
        break;
      case HistoryOutcome::kOpenNotDue:
        EXPECT_FALSE(inv.paid_on.has_value());
        EXPECT_GE(inv.due_date, kToday);
        break;
    }
    if (inv.payment.has_value()) {
      EXPECT_EQ(inv.payment->day, *inv.paid_on);
      EXPECT_EQ(inv.payment->amount, inv.amount);
      EXPECT_EQ(inv.payment->method, "bank transfer");
      if (!inv.payment->reference.empty()) {
        EXPECT_EQ(inv.payment->reference, inv.payment_reference);
      }
    }
  }
  for (HistoryOutcome o : {HistoryOutcome::kPaidOnTime, HistoryOutcome::kPaidLate,
                           HistoryOutcome::kOpenNotDue, HistoryOutcome::kOpenOverdue}) {
    EXPECT_GT(outcomes[o], 20) << HistoryOutcomeName(o);
  }
  EXPECT_GT(outcomes[HistoryOutcome::kPaidOnTime], outcomes[HistoryOutcome::kOpenOverdue]);
}

TEST(PortfolioTest, DebtorsCarryRealisticContactDataAndTheirProfile) {
  const std::regex e164("\\+[1-9][0-9]{7,14}");
  const std::regex email("[a-z0-9.\\-]+@([a-z0-9\\-]+\\.example|example\\.(com|net|org))");
  std::set<std::string> ids;
  for (const Debtor& d : Default().debtors) {
    EXPECT_TRUE(ids.insert(d.debtor_id).second) << d.debtor_id;
    if (d.type == DebtorType::kConsumer) {
      EXPECT_FALSE(d.given_name.empty());
      EXPECT_FALSE(d.family_name.empty());
      EXPECT_TRUE(d.legal_name.empty());
    } else {
      EXPECT_FALSE(d.legal_name.empty());
      EXPECT_FALSE(d.registration_number.empty());
      bool escalation = false;
      for (const ContactPoint& cp : d.contact_points) {
        escalation |= cp.role == ContactRole::kEscalation && !cp.person_name.empty();
      }
      EXPECT_TRUE(escalation) << d.debtor_id;
    }
    bool phone = false, postal = false;
    std::set<std::string> cp_ids;
    for (const ContactPoint& cp : d.contact_points) {
      EXPECT_TRUE(cp_ids.insert(cp.contact_point_id).second);
      switch (cp.kind) {
        case ContactKind::kEmail:
          EXPECT_TRUE(std::regex_match(cp.email, email)) << cp.email;
          break;
        case ContactKind::kPhone:
          phone = true;
          EXPECT_TRUE(std::regex_match(cp.phone, e164)) << cp.phone;
          break;
        case ContactKind::kPostal:
          postal = true;
          EXPECT_EQ(cp.postal.country, d.country);
          EXPECT_FALSE(cp.postal.lines.empty());
          EXPECT_FALSE(cp.postal.city.empty());
          EXPECT_FALSE(cp.postal.postal_code.empty());
          break;
      }
    }
    EXPECT_TRUE(phone && postal) << d.debtor_id;
    bool preferred_granted = false;
    for (const ChannelConsent& c : d.consents) {
      preferred_granted |= c.channel == d.preferred_channel && c.granted;
    }
    EXPECT_TRUE(preferred_granted) << d.debtor_id;
    EXPECT_FALSE(d.tags.empty());
    EXPECT_EQ(d.profile.debtor_id, d.debtor_id);
    EXPECT_EQ(d.profile.tenant_id, d.tenant_id);
    EXPECT_EQ(d.profile.language, d.preferred_language);
    EXPECT_EQ(d.profile.type, d.type);
    EXPECT_EQ(d.profile.band, d.risk_band);
    EXPECT_EQ(d.profile.preferred_channel, d.preferred_channel);
  }
}

TEST(PortfolioTest, RegistrationNumbersHaveValidCheckDigits) {
  for (const Debtor& d : Default().debtors) {
    if (d.type != DebtorType::kBusiness) continue;
    const std::string& n = d.registration_number;
    if (d.country == "IT") {
      ASSERT_EQ(n.size(), 13u) << n;
      int sum = 0;
      for (size_t i = 0; i < 11; ++i) {
        int v = n[2 + i] - '0';
        if (i % 2 == 1) v = v * 2 > 9 ? v * 2 - 9 : v * 2;
        sum += v;
      }
      EXPECT_EQ(sum % 10, 0) << n;
    } else if (d.country == "FI") {
      ASSERT_EQ(n.size(), 9u) << n;
      static const int kWeights[] = {7, 9, 10, 5, 8, 4, 2};
      int sum = 0;
      for (size_t i = 0; i < 7; ++i) sum += (n[i] - '0') * kWeights[i];
      const int rem = sum % 11;
      EXPECT_EQ(n[8] - '0', rem == 0 ? 0 : 11 - rem) << n;
    }
  }
}

TEST(PortfolioTest, OpenBalanceSumsOpenInvoices) {
  int with_balance = 0;
  for (const Debtor& d : Default().debtors) {
    int64_t sum = 0;
    for (const Invoice* inv : InvoicesOf(Default(), d.tenant_id, d.debtor_id)) {
      if (IsOpen(*inv)) sum += inv->amount.minor_units;
    }
    EXPECT_EQ(OpenBalance(Default(), d.tenant_id, d.debtor_id).minor_units, sum);
    with_balance += sum > 0 ? 1 : 0;
  }
  EXPECT_GT(with_balance, 50);
}

// Money is integer minor units everywhere; no source of the model uses floating point.
TEST(PortfolioTest, NoFloatingPointInTheModel) {
  static_assert(std::is_same_v<decltype(rules::Money::minor_units), int64_t>);
  static_assert(std::is_same_v<decltype(Tenant::min_amount_minor), int64_t>);
  static_assert(std::is_same_v<decltype(InvoiceLine::quantity_milli), int64_t>);
  const std::filesystem::path dir = DEMO_MODEL_SOURCE_DIR;
  const std::regex floating(std::string("\\b(dou") + "ble|flo" + "at|long dou" + "ble)\\b");
  int checked = 0;
  for (const char* name : {"random.h", "random.cc", "people.h", "people.cc", "replies.h",
                           "replies.cc", "behaviour.h", "behaviour.cc", "portfolio.h",
                           "portfolio.cc"}) {
    std::ifstream in(dir / name);
    if (!in) continue;  // sources not available where the test runs
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_FALSE(std::regex_search(text.str(), floating)) << name;
    ++checked;
  }
  ASSERT_GT(checked, 0) << "sources not found in " << DEMO_MODEL_SOURCE_DIR;
}

}  // namespace
}  // namespace concerto::demo::model
