#include "services/contact_channel/app/facts.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/core/calendar.h"

namespace concerto::contact {
namespace {

using InvoicePoint = invoice::v1::ContactPoint;

int RoleRank(invoice::v1::ContactRole role) {
  switch (role) {
    case invoice::v1::CONTACT_ROLE_BILLING:
      return 0;
    case invoice::v1::CONTACT_ROLE_UNSPECIFIED:
      return 1;
    case invoice::v1::CONTACT_ROLE_ESCALATION:
      return 2;
    default:
      return 3;
  }
}

bool ConsentDenied(const invoice::v1::Debtor& d, v1::Channel channel) {
  for (const auto& c : d.consents()) {
    if (c.channel() == channel && !c.granted()) return true;
  }
  return false;
}

bool ConsentGranted(const invoice::v1::Debtor& d, v1::Channel channel) {
  for (const auto& c : d.consents()) {
    if (c.channel() == channel && c.granted()) return true;
  }
  return false;
}

// Opt-out state of the record: the latest entry per (channel, contact point) wins.
bool OptedOut(const app::DebtorRecord& r, v1::Channel channel, const std::string& point) {
  bool out = false;
  for (const auto& c : r.consents()) {
    if (c.channel() == channel && c.contact_point_id() == point) out = c.opted_out();
  }
  return out;
}

std::string CountryOf(const invoice::v1::Debtor& d) {
  std::string c = absl::AsciiStrToUpper(d.country());
  if (c == "GB") c = "UK";
  return c;
}

}  // namespace

app::FactsSnapshot BuildFacts(const invoice::v1::Debtor& debtor, const app::DebtorRecord& record) {
  app::FactsSnapshot f;
  f.set_country(CountryOf(debtor));
  f.set_time_zone(ZoneOf(debtor));
  f.set_preferred_channel(debtor.preferred_channel());
  f.set_vulnerable(debtor.vulnerable() || record.vulnerable());
  f.set_hardship(record.hardship());
  if (record.has_breathing_space_until()) {
    *f.mutable_breathing_space_until() = record.breathing_space_until();
  }
  f.set_erased(record.erased());
  std::vector<const InvoicePoint*> points;
  for (const InvoicePoint& cp : debtor.contact_points()) points.push_back(&cp);
  std::stable_sort(points.begin(), points.end(), [](const InvoicePoint* a, const InvoicePoint* b) {
    if (a->primary() != b->primary()) return a->primary();
    return RoleRank(a->role()) < RoleRank(b->role());
  });
  const bool us = f.country() == "US";
  auto add = [&](const InvoicePoint& cp, v1::Channel channel) {
    app::PolicyContactPoint* p = f.add_contact_points();
    p->set_id(cp.contact_point_id());
    p->set_channel(channel);
    p->set_opted_out(OptedOut(record, channel, cp.contact_point_id()));
    bool consent = !ConsentDenied(debtor, channel);
    if (channel == v1::CHANNEL_SMS && us) consent = ConsentGranted(debtor, channel);
    p->set_consent(consent);
  };
  for (const InvoicePoint* cp : points) {
    switch (cp->value_case()) {
      case InvoicePoint::kEmail:
        add(*cp, v1::CHANNEL_EMAIL);
        break;
      case InvoicePoint::kPhone:
        add(*cp, v1::CHANNEL_PHONE);
        add(*cp, v1::CHANNEL_SMS);
        break;
      case InvoicePoint::kPostal:
        add(*cp, v1::CHANNEL_LETTER);
        break;
      default:
        break;
    }
  }
  for (v1::Channel c : {v1::CHANNEL_EMAIL, v1::CHANNEL_SMS, v1::CHANNEL_LETTER, v1::CHANNEL_PHONE,
                        v1::CHANNEL_WHATSAPP, v1::CHANNEL_PORTAL}) {
    if (OptedOut(record, c, "")) f.add_opted_out_channels(c);
  }
  return f;
}

app::FactsSnapshot ErasedFacts() {
  app::FactsSnapshot f;
  f.set_erased(true);
  f.set_time_zone("UTC");
  return f;
}

DebtorFacts ToDebtorFacts(const app::FactsSnapshot& f) {
  DebtorFacts d;
  d.country = f.country();
  absl::StatusOr<absl::TimeZone> zone = core::LoadZone(f.time_zone().empty() ? "UTC" : f.time_zone());
  d.zone = zone.ok() ? *zone : absl::UTCTimeZone();
  for (const auto& p : f.contact_points()) {
    d.contact_points.push_back(ContactPoint{p.id(), p.channel(), p.opted_out(), p.consent()});
  }
  for (int c : f.opted_out_channels()) d.opted_out_channels.push_back(static_cast<v1::Channel>(c));
  d.preferred_channel = f.preferred_channel();
  d.vulnerable = f.vulnerable();
  d.hardship = f.hardship();
  if (f.has_breathing_space_until()) {
    d.breathing_space_until = absl::CivilDay(f.breathing_space_until().year(),
                                             f.breathing_space_until().month(),
                                             f.breathing_space_until().day());
  }
  d.erased = f.erased();
  return d;
}

v1::ContactPolicy DefaultPolicy(const std::string& jurisdiction) {
  v1::ContactPolicy p;
  std::string j = absl::AsciiStrToUpper(jurisdiction);
  if (j.size() != 2) j = "IT";
  p.set_jurisdiction(j);
  for (v1::Channel c : {v1::CHANNEL_EMAIL, v1::CHANNEL_SMS, v1::CHANNEL_PHONE}) {
    v1::QuietHours* q = p.add_quiet_hours();
    q->set_start_minute(21 * 60);
    q->set_end_minute(8 * 60);
    q->set_channel(c);
  }
  for (int d = 1; d <= 6; ++d) p.add_allowed_weekdays(d);
  p.set_skip_public_holidays(core::BusinessCalendar::ForCountry(j).ok());
  p.mutable_min_gap()->set_seconds(24 * 3600);
  const int64_t week = 7 * 24 * 3600;
  for (auto [channel, max] : {std::pair{v1::CHANNEL_EMAIL, 3}, std::pair{v1::CHANNEL_SMS, 3},
                              std::pair{v1::CHANNEL_PHONE, 7}}) {
    v1::ChannelCap* cap = p.add_caps();
    cap->set_channel(channel);
    cap->set_max_attempts(max);
    cap->mutable_window()->set_seconds(week);
    cap->set_count_across_tenants(true);
  }
  p.mutable_after_conversation_pause()->set_seconds(week);
  p.set_vulnerable_to_human(true);
  return p;
}

v1::ContactPolicy PolicyFor(const app::TenantPolicies& policies, const std::string& jurisdiction) {
  const std::string j = absl::AsciiStrToUpper(jurisdiction);
  auto it = policies.by_jurisdiction().find(j);
  if (it != policies.by_jurisdiction().end()) return it->second;
  return DefaultPolicy(j);
}

std::string JurisdictionOf(const invoice::v1::Debtor& debtor) {
  const std::string c = CountryOf(debtor);
  return c.size() == 2 ? c : "IT";
}

std::string LanguageOf(const invoice::v1::Debtor& debtor) {
  if (!debtor.preferred_language().empty()) {
    return absl::AsciiStrToLower(debtor.preferred_language().substr(0, 2));
  }
  const std::string c = CountryOf(debtor);
  if (c == "IT") return "it";
  if (c == "NL") return "nl";
  if (c == "FI") return "fi";
  return "en";
}

std::string ZoneOf(const invoice::v1::Debtor& debtor) {
  if (!debtor.time_zone().empty() && core::LoadZone(debtor.time_zone()).ok()) {
    return debtor.time_zone();
  }
  const std::string c = CountryOf(debtor);
  if (c == "IT") return "Europe/Rome";
  if (c == "NL") return "Europe/Amsterdam";
  if (c == "FI") return "Europe/Helsinki";
  if (c == "UK") return "Europe/London";
  if (c == "US") return "America/New_York";
  return "UTC";
}

std::string AddressOf(const invoice::v1::Debtor& debtor, const std::string& contact_point_id) {
  for (const InvoicePoint& cp : debtor.contact_points()) {
    if (cp.contact_point_id() != contact_point_id) continue;
    if (cp.has_email()) return cp.email();
    if (!cp.phone().empty()) return cp.phone();
  }
  return "";
}

std::string PostalBlockOf(const invoice::v1::Debtor& debtor, const std::string& contact_point_id) {
  for (const InvoicePoint& cp : debtor.contact_points()) {
    if (cp.contact_point_id() != contact_point_id || cp.value_case() != InvoicePoint::kPostal) {
      continue;
    }
    const invoice::v1::PostalAddress& a = cp.postal();
    std::vector<std::string> lines;
    lines.push_back(cp.person_name().empty() ? DisplayNameOf(debtor) : cp.person_name());
    for (const std::string& l : a.lines()) lines.push_back(l);
    lines.push_back(absl::StrJoin({a.postal_code(), a.city()}, " "));
    if (!a.region().empty()) lines.push_back(a.region());
    if (!a.country().empty()) lines.push_back(a.country());
    return absl::StrCat(absl::StrJoin(lines, "\n"), "\n");
  }
  return "";
}

std::string DisplayNameOf(const invoice::v1::Debtor& debtor) {
  if (!debtor.legal_name().empty()) return debtor.legal_name();
  std::vector<std::string> parts;
  if (!debtor.given_name().empty()) parts.push_back(debtor.given_name());
  if (!debtor.family_name().empty()) parts.push_back(debtor.family_name());
  return parts.empty() ? std::string("Customer") : absl::StrJoin(parts, " ");
}

}  // namespace concerto::contact
