#include "deploy/local/demo/model/portfolio.h"

#include <algorithm>
#include <array>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "deploy/local/demo/model/random.h"
#include "libs/rules/creditor_reference.h"

namespace concerto::demo::model {
namespace {

// How a tenant bills.
enum class Billing {
  kMonthlyBills,  // utility: one bill a month per customer
  kOrders,        // winery: orders at irregular intervals
  kJobs,          // installer: installations and repairs; housing companies also quarterly fees
};

// A weighted choice of a country and the share of its debtors who speak English instead of the
// country's language.
struct CountryShare {
  const char* country;
  int weight;
  int english_per_10000;
};

// SegmentSpec is how the debtors of one segment of a tenant look.
struct SegmentSpec {
  const char* name;
  DebtorType type;
  int share_per_10000;  // of the tenant's debtors
  std::vector<CountryShare> countries;
  // The size of an invoice (the lines are fitted to it): log-normal median and spread, bounds.
  int64_t median_minor;
  int sigma_milli;
  int64_t min_minor;
  int64_t max_minor;
  // Preferred channel weights in the order email, sms, letter, phone, portal.
  std::array<int, 5> channel_weights;
  std::array<int, 3> band_weights;  // low, medium, high
  BusinessKind business_kind;
  Billing billing;
};

struct TenantSpec {
  Tenant tenant;
  std::vector<SegmentSpec> segments;
};

constexpr Channel kChannelOrder[] = {Channel::kEmail, Channel::kSms, Channel::kLetter,
                                     Channel::kPhone, Channel::kPortal};

const std::vector<TenantSpec>& Specs() {
  static const std::vector<TenantSpec> kSpecs = [] {
    std::vector<TenantSpec> specs;
    {
      TenantSpec s;
      s.tenant = {"aurora-energia", "Aurora Energia S.p.A.", "IT", "Europe/Rome", "it", "EUR",
                  "AE", 30, 4000, 250000, 6000, {"residential", "business"}, {"it", "en"}};
      s.segments = {
          {"residential", DebtorType::kConsumer, 8000, {{"IT", 1, 800}}, 9500, 550, 4000, 40000,
           {5000, 2500, 800, 700, 1000}, {5000, 3500, 1500}, BusinessKind::kUtilityCustomer,
           Billing::kMonthlyBills},
          {"business", DebtorType::kBusiness, 2000, {{"IT", 1, 300}}, 42000, 650, 15000, 250000,
           {7500, 500, 500, 1000, 500}, {5500, 3500, 1000}, BusinessKind::kUtilityCustomer,
           Billing::kMonthlyBills},
      };
      specs.push_back(std::move(s));
    }
    {
      TenantSpec s;
      s.tenant = {"vigna-rossa", "Vigna Rossa Società Agricola S.r.l.", "IT", "Europe/Rome", "it",
                  "EUR", "VR", 60, 80000, 1500000, 1500,
                  {"italy-horeca", "export-eu", "export-overseas"}, {"it", "nl", "fi", "en"}};
      s.segments = {
          {"italy-horeca", DebtorType::kBusiness, 4500, {{"IT", 1, 0}}, 260000, 600, 80000,
           1500000, {7000, 0, 500, 2500, 0}, {4500, 4000, 1500}, BusinessKind::kWineTrade,
           Billing::kOrders},
          {"export-eu", DebtorType::kBusiness, 3500, {{"NL", 55, 0}, {"FI", 45, 2000}}, 420000,
           600, 80000, 1500000, {7500, 0, 500, 2000, 0}, {5000, 4000, 1000},
           BusinessKind::kWineTrade, Billing::kOrders},
          {"export-overseas", DebtorType::kBusiness, 2000, {{"GB", 60, 0}, {"US", 40, 0}},
           520000, 600, 80000, 1500000, {8000, 0, 500, 1500, 0}, {4500, 4000, 1500},
           BusinessKind::kWineTrade, Billing::kOrders},
      };
      specs.push_back(std::move(s));
    }
    {
      TenantSpec s;
      s.tenant = {"lumo-huolto", "Lumo Huolto Oy", "FI", "Europe/Helsinki", "fi", "EUR", "LH", 14,
                  15000, 300000, 2500, {"household", "housing-company", "business"}, {"fi", "en"}};
      s.segments = {
          {"household", DebtorType::kConsumer, 6500, {{"FI", 1, 1200}}, 45000, 700, 15000,
           300000, {4200, 4500, 300, 1000, 0}, {5500, 3300, 1200}, BusinessKind::kSmallBusiness,
           Billing::kJobs},
          {"housing-company", DebtorType::kBusiness, 2500, {{"FI", 1, 500}}, 120000, 550, 15000,
           300000, {8000, 0, 1500, 500, 0}, {6000, 3200, 800}, BusinessKind::kHousingCompany,
           Billing::kJobs},
          {"business", DebtorType::kBusiness, 1000, {{"FI", 1, 500}}, 80000, 650, 15000, 300000,
           {7500, 500, 500, 1500, 0}, {5500, 3500, 1000}, BusinessKind::kSmallBusiness,
           Billing::kJobs},
      };
      specs.push_back(std::move(s));
    }
    return specs;
  }();
  return kSpecs;
}

std::string LanguageOf(std::string_view country) {
  if (country == "IT") return "it";
  if (country == "FI") return "fi";
  if (country == "NL") return "nl";
  return "en";
}

// ---- invoice lines (computed exactly as the invoice service checks them) ----

int64_t RoundDiv(int64_t num, int64_t den) { return (num + den / 2) / den; }  // num >= 0

InvoiceLine MakeLine(int line_no, std::string description, int64_t quantity_milli,
                     int64_t unit_price, int vat_rate_bp, std::string vat_code) {
  InvoiceLine line;
  line.line_no = line_no;
  line.description = std::move(description);
  line.quantity_milli = quantity_milli;
  const int64_t net = RoundDiv(quantity_milli * unit_price, 1000);
  const int64_t vat = RoundDiv(net * vat_rate_bp, 10000);
  line.unit_price = rules::Money{unit_price, "EUR"};
  line.net_amount = rules::Money{net, "EUR"};
  line.vat_rate_bp = vat_rate_bp;
  line.vat_amount = rules::Money{vat, "EUR"};
  line.gross_amount = rules::Money{net + vat, "EUR"};
  line.vat_code = std::move(vat_code);
  return line;
}

InvoiceLine Recompute(const InvoiceLine& l) {
  return MakeLine(l.line_no, l.description, l.quantity_milli, l.unit_price.minor_units,
                  l.vat_rate_bp, l.vat_code);
}

int64_t SumGross(const std::vector<InvoiceLine>& lines) {
  int64_t sum = 0;
  for (const InvoiceLine& l : lines) sum += l.gross_amount.minor_units;
  return sum;
}

// FitLines changes the first line's quantity by whole units until the total is in [min, max].
void FitLines(std::vector<InvoiceLine>& lines, int64_t min, int64_t max) {
  for (int guard = 0; guard < 100000 && SumGross(lines) < min; ++guard) {
    lines[0].quantity_milli += 1000;
    lines[0] = Recompute(lines[0]);
  }
  for (int guard = 0; guard < 100000 && SumGross(lines) > max &&
                      lines[0].quantity_milli > 1000;
       ++guard) {
    lines[0].quantity_milli -= 1000;
    lines[0] = Recompute(lines[0]);
  }
}

// Whole units of `unit_price` whose net is about `net_target` (at least one).
int64_t UnitsFor(int64_t net_target, int64_t unit_price) {
  return std::max<int64_t>(1, RoundDiv(net_target, unit_price));
}

int64_t NetOf(int64_t gross, int vat_bp) { return RoundDiv(gross * 10000, 10000 + vat_bp); }

const char* const kMesi[] = {"gennaio", "febbraio", "marzo",     "aprile",   "maggio",
                             "giugno",  "luglio",   "agosto",    "settembre", "ottobre",
                             "novembre", "dicembre"};

// Aurora: electricity in kWh and gas in Smc for the previous month.
std::vector<InvoiceLine> UtilityLines(const std::string& product, absl::CivilDay issue,
                                      int64_t target, bool business, Rng& r) {
  const int vat = business ? 2200 : 1000;
  const absl::CivilMonth period = absl::CivilMonth(issue) - 1;
  const std::string when =
      absl::StrCat(kMesi[static_cast<size_t>(period.month() - 1)], " ", period.year());
  const int64_t kwh_price = business ? r.Between(21, 27) : r.Between(24, 32);  // cents, net
  const int64_t smc_price = r.Between(95, 125);
  const int64_t fixed = business ? 1800 : 900;  // monthly fixed charge, net
  std::vector<InvoiceLine> lines;
  const int64_t net = std::max<int64_t>(1, NetOf(target, vat) - fixed);
  int64_t electricity_share = 100;
  if (product == "gas") electricity_share = 0;
  if (product == "dual-fuel") electricity_share = r.Between(35, 65);
  const int64_t e_net = net * electricity_share / 100;
  const int64_t g_net = net - e_net;
  if (electricity_share > 0) {
    lines.push_back(MakeLine(static_cast<int>(lines.size()) + 1,
                             absl::StrCat("Energia elettrica ", when, " (kWh)"),
                             UnitsFor(e_net, kwh_price) * 1000, kwh_price, vat, ""));
  }
  if (electricity_share < 100) {
    lines.push_back(MakeLine(static_cast<int>(lines.size()) + 1,
                             absl::StrCat("Gas naturale ", when, " (Smc)"),
                             UnitsFor(g_net, smc_price) * 1000, smc_price, vat, ""));
  }
  lines.push_back(MakeLine(static_cast<int>(lines.size()) + 1, "Quota fissa e oneri di sistema",
                           1000, fixed, vat, ""));
  return lines;
}

struct Wine {
  const char* name;
  int64_t case_price;  // net per case of 6 bottles, cents
};
const Wine kWines[] = {
    {"Barbera d'Alba DOC 2022", 5400},   {"Dolcetto d'Alba DOC 2023", 4500},
    {"Nebbiolo d'Alba DOC 2021", 7800},  {"Barolo DOCG 2019", 19800},
    {"Barbaresco DOCG 2020", 16200},     {"Langhe Arneis DOC 2023", 5100},
    {"Moscato d'Asti DOCG 2023", 4800},  {"Roero Riserva DOCG 2020", 9600}};

// Vigna Rossa: cases of wine; VAT 22% in Italy, reverse charge in the EU, export outside it.
std::vector<InvoiceLine> WineLines(const std::string& country, int64_t target, Rng& r) {
  const bool italy = country == "IT";
  const bool eu = country == "NL" || country == "FI";
  const int vat = italy ? 2200 : 0;
  const std::string code = italy ? "" : eu ? "reverse-charge" : "export-exempt";
  const size_t kinds = static_cast<size_t>(r.Between(1, 4));
  std::vector<size_t> picked;
  while (picked.size() < kinds) {
    const size_t w = static_cast<size_t>(r.Below(std::size(kWines)));
    if (std::find(picked.begin(), picked.end(), w) == picked.end()) picked.push_back(w);
  }
  const int64_t shipping = italy ? 0 : r.Chance(6000) ? r.Between(8, 30) * 1000 : 0;
  const int64_t net = std::max<int64_t>(1, NetOf(target, vat) - shipping);
  std::vector<InvoiceLine> lines;
  for (size_t i = 0; i < picked.size(); ++i) {
    const Wine& w = kWines[picked[i]];
    const int64_t share = net / static_cast<int64_t>(picked.size());
    const std::string desc =
        italy ? absl::StrCat(w.name, " - cartone 6 bottiglie")
              : absl::StrCat(w.name, " - case of 6 bottles");
    lines.push_back(MakeLine(static_cast<int>(i) + 1, desc, UnitsFor(share, w.case_price) * 1000,
                             w.case_price, vat, code));
  }
  if (shipping > 0) {
    lines.push_back(MakeLine(static_cast<int>(lines.size()) + 1, "Transport / shipping", 1000,
                             shipping, vat, code));
  }
  return lines;
}

// Lumo Huolto: hours of work, materials and travel; Finnish VAT 25.5% from 1 Sep 2024, 24%
// before.
std::vector<InvoiceLine> JobLines(const std::string& job, absl::CivilDay issue, int64_t target,
                                  Rng& r) {
  const int vat = issue >= absl::CivilDay(2024, 9, 1) ? 2550 : 2400;
  const int64_t hourly = r.Between(62, 78) * 100;
  const int64_t travel = r.Chance(7000) ? 3900 : 0;
  const int64_t net = std::max<int64_t>(1, NetOf(target, vat) - travel);
  const int64_t work_net = net * r.Between(40, 80) / 100;
  const int64_t half_hours = std::max<int64_t>(1, RoundDiv(work_net * 2, hourly));
  std::vector<InvoiceLine> lines;
  lines.push_back(MakeLine(1, absl::StrCat(job, " - työ (h)"), half_hours * 500, hourly, vat, ""));
  const int64_t materials = net - RoundDiv(half_hours * 500 * hourly, 1000);
  if (materials > 0) {
    lines.push_back(MakeLine(2, "Tarvikkeet ja materiaalit", 1000, materials, vat, ""));
  }
  if (travel > 0) {
    lines.push_back(MakeLine(static_cast<int>(lines.size()) + 1, "Matkakulut", 1000, travel, vat,
                             ""));
  }
  return lines;
}

// ---- debtors ----

struct Draft {
  absl::CivilDay issue;
  std::vector<InvoiceLine> lines;
  size_t debtor;  // index into the tenant's debtors
  int seq;        // order within the debtor
};

ChannelConsent Consent(Channel c, bool granted, const char* source) {
  return ChannelConsent{c, granted, source};
}

// Month factors in percent: heating dominates gas bills, cooling lifts electricity in summer.
constexpr int kGasSeason[] = {135, 125, 110, 95, 85, 85, 95, 90, 85, 95, 115, 130};
constexpr int kPowerSeason[] = {110, 105, 100, 95, 95, 105, 115, 110, 100, 95, 100, 110};

const char* const kJobsHousehold[] = {"Ilmalämpöpumpun asennus", "Ilmalämpöpumpun huolto",
                                      "Ilmanvaihtokoneen huolto", "Lämminvesivaraajan vaihto",
                                      "Lattialämmityksen korjaus", "Maalämpöpumpun huolto"};
const char* const kJobsBuilding[] = {"Ilmanvaihdon huolto", "Lämmönjakohuoneen huolto",
                                     "Vesikalusteiden korjaus", "Kiinteistön LVI-huolto",
                                     "Patteriverkoston tasapainotus"};

struct DebtorDraft {
  Debtor debtor;
  const SegmentSpec* segment = nullptr;
  std::string product;  // aurora: "luce", "gas", "dual-fuel"
  std::optional<absl::CivilDay> churned_on;
};

DebtorDraft MakeDebtor(const TenantSpec& spec, int index, uint64_t seed) {
  const Tenant& t = spec.tenant;
  DebtorDraft draft;
  Debtor& d = draft.debtor;
  Rng r = DecisionRng(seed, t.tenant_id, absl::StrCat("debtor/", index));
  d.debtor_id = absl::StrFormat("%s-D%05d", t.invoice_prefix, index + 1);
  d.tenant_id = t.tenant_id;

  std::vector<int> shares;
  for (const SegmentSpec& s : spec.segments) shares.push_back(s.share_per_10000);
  const SegmentSpec& seg = spec.segments[r.PickWeighted(shares)];
  draft.segment = &seg;
  d.segment = seg.name;
  d.type = seg.type;
  const bool consumer = seg.type == DebtorType::kConsumer;

  std::vector<int> country_weights;
  for (const CountryShare& c : seg.countries) country_weights.push_back(c.weight);
  const CountryShare& cs = seg.countries[r.PickWeighted(country_weights)];
  d.country = cs.country;
  d.preferred_language = r.Chance(cs.english_per_10000) ? "en" : LanguageOf(d.country);
  Place place = FakePlace(d.country, r);
  if (seg.business_kind == BusinessKind::kHousingCompany) {
    // A housing company's address is the building, without a flat.
    place.address.lines = {absl::StrCat(place.street, " ", place.number)};
  }
  d.time_zone = place.time_zone;
  // English speakers living in Italy or Finland carry English names.
  const std::string name_country =
      d.preferred_language == "en" && (d.country == "IT" || d.country == "FI") ? "GB" : d.country;

  // Preferred channel and consents.
  std::vector<int> channel_weights(seg.channel_weights.begin(), seg.channel_weights.end());
  d.preferred_channel = kChannelOrder[r.PickWeighted(channel_weights)];
  const char* source = consumer && r.Chance(3000) ? "web-form" : "contract";
  const bool has_email = !consumer || d.preferred_channel == Channel::kEmail ||
                         d.preferred_channel == Channel::kPortal || r.Chance(9000);
  auto granted = [&](Channel c, int per_10000) {
    return c == d.preferred_channel || r.Chance(per_10000);
  };
  d.consents.push_back(
      Consent(Channel::kEmail, has_email && granted(Channel::kEmail, 9500), source));
  d.consents.push_back(Consent(Channel::kSms, granted(Channel::kSms, consumer ? 8000 : 4000),
                               source));
  d.consents.push_back(Consent(Channel::kPhone, granted(Channel::kPhone, consumer ? 8500 : 9000),
                               source));
  d.consents.push_back(Consent(Channel::kLetter, true, source));
  if (d.preferred_channel == Channel::kPortal) {
    d.consents.push_back(Consent(Channel::kPortal, true, "web-form"));
  }

  // Names and contact points.
  int cp = 0;
  auto next_id = [&]() { return absl::StrCat(d.debtor_id, "-cp", ++cp); };
  if (consumer) {
    const PersonName person = FakePerson(name_country, r);
    d.given_name = person.given;
    d.family_name = person.family;
    if (has_email) {
      ContactPoint e{next_id(), ContactRole::kBilling, "", ContactKind::kEmail,
                     PersonEmail(person, r), "", {}, true};
      d.contact_points.push_back(std::move(e));
    }
    ContactPoint m{next_id(), ContactRole::kBilling, "", ContactKind::kPhone, "",
                   FakeMobile(d.country, r), {}, true};
    d.contact_points.push_back(std::move(m));
    ContactPoint a{next_id(), ContactRole::kBilling, "", ContactKind::kPostal, "", "",
                   place.address, true};
    d.contact_points.push_back(std::move(a));
  } else {
    d.legal_name = FakeBusinessName(seg.business_kind, d.country, place, r);
    d.registration_number = FakeRegistrationNumber(d.country, r);
    const std::string domain = BusinessDomain(d.legal_name);
    const std::string lang = d.preferred_language;
    const char* billing_box = lang == "it"   ? "amministrazione"
                              : lang == "fi" ? "laskutus"
                              : lang == "nl" ? "administratie"
                                             : "accounts";
    d.contact_points.push_back(ContactPoint{next_id(), ContactRole::kBilling, "",
                                            ContactKind::kEmail,
                                            absl::StrCat(billing_box, "@", domain), "", {}, true});
    d.contact_points.push_back(ContactPoint{next_id(), ContactRole::kBilling, "",
                                            ContactKind::kPhone, "", FakeLandline(d.country, r),
                                            {}, true});
    d.contact_points.push_back(ContactPoint{next_id(), ContactRole::kBilling, "",
                                            ContactKind::kPostal, "", "", place.address, true});
    // The owner, managing director or (housing companies) property manager.
    const PersonName boss = FakePerson(name_country, r);
    const std::string boss_name = absl::StrCat(boss.given, " ", boss.family);
    d.contact_points.push_back(ContactPoint{
        next_id(), ContactRole::kEscalation, boss_name, ContactKind::kEmail,
        absl::StrCat(AsciiSlug(boss.given, '-'), ".", AsciiSlug(boss.family, '-'), "@", domain),
        "", {}, true});
    d.contact_points.push_back(ContactPoint{next_id(), ContactRole::kEscalation, boss_name,
                                            ContactKind::kPhone, "", FakeMobile(d.country, r), {},
                                            true});
    d.contact_points.push_back(ContactPoint{next_id(), ContactRole::kLegal, "",
                                            ContactKind::kPostal, "", "", place.address, true});
  }

  // Risk band and the hidden profile.
  std::vector<int> bands(seg.band_weights.begin(), seg.band_weights.end());
  static constexpr RiskBand kBands[] = {RiskBand::kLow, RiskBand::kMedium, RiskBand::kHigh};
  d.risk_band = kBands[r.PickWeighted(bands)];
  d.profile = DrawProfile(SegmentKey{t.tenant_id, d.type, d.risk_band}, d.debtor_id,
                          d.preferred_language, d.preferred_channel, seed);
  d.vulnerable = consumer && r.Chance(100);

  // Tags.
  if (t.tenant_id == "aurora-energia") {
    static const char* const kProducts[] = {"luce", "gas", "dual-fuel"};
    draft.product = kProducts[r.PickWeighted({3500, 1500, 5000})];
    d.tags.push_back(draft.product);
    d.tags.push_back(consumer ? "domestico" : "pmi");
    if (d.preferred_channel == Channel::kEmail || d.preferred_channel == Channel::kPortal) {
      d.tags.push_back("bolletta-web");
    }
  } else if (t.tenant_id == "vigna-rossa") {
    if (d.segment == "italy-horeca") {
      d.tags.push_back("horeca");
    } else {
      d.tags.push_back("export");
      d.tags.push_back(r.Chance(5000) ? "importer" : "distributor");
    }
  } else {
    if (d.segment == "housing-company") {
      d.tags.push_back("maintenance-contract");
    } else {
      d.tags.push_back(r.Chance(6000) ? "heat-pump" : "ventilation");
      if (consumer) d.tags.push_back("household-deduction");
    }
  }
  if (d.risk_band == RiskBand::kHigh) d.tags.push_back("watchlist");
  return draft;
}

std::vector<absl::CivilDay> IssueDays(const DebtorDraft& draft, absl::CivilDay start,
                                      absl::CivilDay today, int months, Rng& r) {
  std::vector<absl::CivilDay> days;
  const int64_t span = std::max<int64_t>(1, today - start);
  auto scaled = [&](int64_t lo, int64_t hi) {
    return std::max<int64_t>(1, r.Between(lo, hi) * months / 12);
  };
  auto random_days = [&](int64_t count) {
    for (int64_t i = 0; i < count; ++i) days.push_back(start + r.Between(1, span));
  };
  switch (draft.segment->billing) {
    case Billing::kMonthlyBills: {
      const int bill_day = static_cast<int>(r.Between(1, 28));
      for (int i = 0; i <= months; ++i) {
        const absl::CivilMonth m = absl::CivilMonth(today) - i;
        const absl::CivilDay day(m.year(), m.month(), bill_day);
        if (day > start && day <= today) days.push_back(day);
      }
      break;
    }
    case Billing::kOrders:
      random_days(draft.debtor.segment == "italy-horeca" ? scaled(2, 8) : scaled(1, 5));
      break;
    case Billing::kJobs:
      if (draft.debtor.segment == "housing-company") {
        // Quarterly maintenance fee, early in each quarter, plus repairs.
        const int fee_day = static_cast<int>(r.Between(1, 10));
        for (int i = 0; i <= months; ++i) {
          const absl::CivilMonth m = absl::CivilMonth(today) - i;
          if ((m.month() - 1) % 3 != 0) continue;
          const absl::CivilDay day(m.year(), m.month(), fee_day);
          if (day > start && day <= today) days.push_back(day);
        }
        random_days(r.Between(0, 2));
      } else if (draft.debtor.segment == "household") {
        random_days(scaled(1, 3));
      } else {
        random_days(scaled(1, 4));
      }
      break;
  }
  if (days.empty()) days.push_back(start + r.Between(1, span));
  std::sort(days.begin(), days.end());
  return days;
}

std::vector<InvoiceLine> LinesFor(const DebtorDraft& draft, absl::CivilDay issue, int64_t base,
                                  bool quarterly_fee, Rng& r) {
  const SegmentSpec& seg = *draft.segment;
  const Debtor& d = draft.debtor;
  std::vector<InvoiceLine> lines;
  switch (seg.billing) {
    case Billing::kMonthlyBills: {
      const size_t mi = static_cast<size_t>(issue.month() - 1);
      const int season = draft.product == "luce" ? kPowerSeason[mi] : kGasSeason[mi];
      const int64_t target = std::clamp<int64_t>(
          base * season / 100 * r.Between(90, 110) / 100, seg.min_minor, seg.max_minor);
      lines = UtilityLines(draft.product, issue, target, d.type == DebtorType::kBusiness, r);
      break;
    }
    case Billing::kOrders:
      lines = WineLines(d.country,
                        r.LogNormal(seg.median_minor, seg.sigma_milli, seg.min_minor,
                                    seg.max_minor),
                        r);
      break;
    case Billing::kJobs: {
      if (quarterly_fee) {
        const int vat = issue >= absl::CivilDay(2024, 9, 1) ? 2550 : 2400;
        lines.push_back(MakeLine(1,
                                 absl::StrCat("Kiinteistön huoltosopimus ",
                                              (issue.month() - 1) / 3 + 1, "/", issue.year()),
                                 1000, NetOf(base, vat), vat, ""));
      } else {
        const bool household = d.segment == "household";
        const std::string job = household ? r.Pick(kJobsHousehold) : r.Pick(kJobsBuilding);
        lines = JobLines(job, issue,
                         r.LogNormal(seg.median_minor, seg.sigma_milli, seg.min_minor,
                                     seg.max_minor),
                         r);
      }
      break;
    }
  }
  FitLines(lines, seg.min_minor, seg.max_minor);
  return lines;
}

}  // namespace

const std::vector<Tenant>& Tenants() {
  static const std::vector<Tenant> kTenants = [] {
    std::vector<Tenant> out;
    for (const TenantSpec& s : Specs()) out.push_back(s.tenant);
    return out;
  }();
  return kTenants;
}

const Tenant* FindTenant(std::string_view tenant_id) {
  for (const Tenant& t : Tenants()) {
    if (t.tenant_id == tenant_id) return &t;
  }
  return nullptr;
}

std::vector<int> SplitDebtors(int total) {
  const std::vector<Tenant>& tenants = Tenants();
  std::vector<int> counts(tenants.size(), 0);
  if (total <= 0) return counts;
  // Largest remainders.
  std::vector<std::pair<int64_t, size_t>> remainders;
  int assigned = 0;
  for (size_t i = 0; i < tenants.size(); ++i) {
    const int64_t exact = static_cast<int64_t>(total) * tenants[i].debtor_share_per_10000;
    counts[i] = static_cast<int>(exact / kPer10000);
    assigned += counts[i];
    remainders.push_back({-(exact % kPer10000), i});
  }
  std::sort(remainders.begin(), remainders.end());
  for (size_t k = 0; assigned < total; k = (k + 1) % remainders.size()) {
    ++counts[remainders[k].second];
    ++assigned;
  }
  // Every tenant gets at least one debtor when there are enough, taken from the largest.
  if (total >= static_cast<int>(tenants.size())) {
    for (int& c : counts) {
      if (c > 0) continue;
      auto largest = std::max_element(counts.begin(), counts.end());
      --*largest;
      c = 1;
    }
  }
  return counts;
}

const char* HistoryOutcomeName(HistoryOutcome outcome) {
  switch (outcome) {
    case HistoryOutcome::kPaidOnTime: return "paid_on_time";
    case HistoryOutcome::kPaidLate: return "paid_late";
    case HistoryOutcome::kOpenNotDue: return "open_not_due";
    case HistoryOutcome::kOpenOverdue: return "open_overdue";
  }
  return "open_not_due";
}

Portfolio GeneratePortfolio(const PortfolioOptions& options) {
  Portfolio out;
  out.options = options;
  out.tenants = Tenants();
  const int months = std::max(1, options.history_months);
  const absl::CivilDay today = options.today;
  const absl::CivilDay start = [&] {
    const absl::CivilMonth m = absl::CivilMonth(today) - months;
    return absl::CivilDay(m.year(), m.month(), 1) +
           (std::min<int64_t>(today.day(), 28) - 1);
  }();
  const std::vector<int> counts = SplitDebtors(options.debtors);

  for (size_t ti = 0; ti < Specs().size(); ++ti) {
    const TenantSpec& spec = Specs()[ti];
    const Tenant& tenant = spec.tenant;
    std::vector<DebtorDraft> drafts;
    std::vector<Draft> invoices;
    for (int i = 0; i < counts[ti]; ++i) {
      DebtorDraft draft = MakeDebtor(spec, i, options.seed);
      Rng r = DecisionRng(options.seed, draft.debtor.debtor_id, "invoices");
      const SegmentSpec& seg = *draft.segment;
      // A churner of the utility may have left already: no bills after that day.
      if (tenant.tenant_id == "aurora-energia" && draft.debtor.profile.archetype ==
                                                      Archetype::kChurner &&
          r.Chance(2000)) {
        draft.churned_on = today - r.Between(20, 120);
        draft.debtor.customer_status = CustomerStatus::kChurned;
      }
      const int64_t base =
          r.LogNormal(seg.median_minor, seg.sigma_milli, seg.min_minor, seg.max_minor);
      const std::vector<absl::CivilDay> days = IssueDays(draft, start, today, months, r);
      int seq = 0;
      for (const absl::CivilDay day : days) {
        if (draft.churned_on.has_value() && day > *draft.churned_on) continue;
        const bool quarterly_fee = draft.debtor.segment == "housing-company" &&
                                   (day.month() - 1) % 3 == 0 && day.day() <= 10;
        invoices.push_back(Draft{day, LinesFor(draft, day, base, quarterly_fee, r),
                                 drafts.size(), seq++});
      }
      drafts.push_back(std::move(draft));
    }
    std::stable_sort(invoices.begin(), invoices.end(), [](const Draft& a, const Draft& b) {
      if (a.issue != b.issue) return a.issue < b.issue;
      if (a.debtor != b.debtor) return a.debtor < b.debtor;
      return a.seq < b.seq;
    });
    std::map<int, int> per_year;
    for (const Draft& draft : invoices) {
      const DebtorDraft& owner = drafts[draft.debtor];
      Invoice inv;
      inv.invoice_number = absl::StrFormat("%s-%04d-%06d", tenant.invoice_prefix,
                                           draft.issue.year(), ++per_year[draft.issue.year()]);
      inv.tenant_id = tenant.tenant_id;
      inv.debtor_id = owner.debtor.debtor_id;
      inv.issue_date = draft.issue;
      inv.due_date = draft.issue + tenant.payment_terms_days;
      inv.lines = draft.lines;
      inv.amount = rules::Money{SumGross(draft.lines), tenant.currency};
      inv.payment_reference = rules::CreditorReferenceForInvoiceNumber(inv.invoice_number);

      std::optional<PayAt> pay = SpontaneousPayment(
          owner.debtor.profile,
          InvoiceRef{inv.invoice_number, inv.issue_date, inv.due_date, inv.amount},
          options.seed);
      if (!pay.has_value() && inv.due_date < today - 150) {
        // Long-unpaid invoices of the past were collected in the end (history only).
        Rng late = DecisionRng(options.seed, inv.debtor_id,
                               absl::StrCat("history-collected/", inv.invoice_number));
        PayAt collected;
        collected.day = inv.due_date + late.Between(90, 150);
        collected.amount = inv.amount;
        collected.invoice_numbers = {inv.invoice_number};
        collected.reference = inv.payment_reference;
        pay = std::move(collected);
      }
      if (pay.has_value() && pay->day <= today) {
        inv.outcome = pay->day <= inv.due_date ? HistoryOutcome::kPaidOnTime
                                               : HistoryOutcome::kPaidLate;
        inv.paid_on = pay->day;
        inv.payment = std::move(pay);
      } else {
        inv.outcome = today > inv.due_date ? HistoryOutcome::kOpenOverdue
                                           : HistoryOutcome::kOpenNotDue;
      }
      out.invoices.push_back(std::move(inv));
    }
    for (DebtorDraft& d : drafts) out.debtors.push_back(std::move(d.debtor));
  }
  return out;
}

const Debtor* FindDebtor(const Portfolio& portfolio, std::string_view tenant_id,
                         std::string_view debtor_id) {
  for (const Debtor& d : portfolio.debtors) {
    if (d.tenant_id == tenant_id && d.debtor_id == debtor_id) return &d;
  }
  return nullptr;
}

std::vector<const Invoice*> InvoicesOf(const Portfolio& portfolio, std::string_view tenant_id,
                                       std::string_view debtor_id) {
  std::vector<const Invoice*> out;
  for (const Invoice& inv : portfolio.invoices) {
    if (inv.tenant_id == tenant_id && inv.debtor_id == debtor_id) out.push_back(&inv);
  }
  return out;
}

bool IsOpen(const Invoice& invoice) {
  return invoice.outcome == HistoryOutcome::kOpenNotDue ||
         invoice.outcome == HistoryOutcome::kOpenOverdue;
}

rules::Money OpenBalance(const Portfolio& portfolio, std::string_view tenant_id,
                         std::string_view debtor_id) {
  rules::Money sum{0, "EUR"};
  for (const Invoice* inv : InvoicesOf(portfolio, tenant_id, debtor_id)) {
    if (!IsOpen(*inv)) continue;
    sum.currency = inv->amount.currency;
    sum.minor_units += inv->amount.minor_units;
  }
  return sum;
}

}  // namespace concerto::demo::model
