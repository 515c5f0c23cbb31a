#include "services/legal_escalation/app/legal_config_loader.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/core/calendar.h"
#include "libs/rules/money.h"

namespace concerto::legal {
namespace {

constexpr char kPrefix[] = "legal.";
constexpr char kTenantPrefix[] = "legal.tenants.";
const std::set<std::string>& Keys() {
  static const auto* keys = new std::set<std::string>{
      "min-balance", "partners", "in-house-fallback", "jurisdiction", "segments", "zone"};
  return *keys;
}

absl::Status Bad(const std::string& key, const std::string& value, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat(key, ": \"", value, "\" ", why));
}

std::vector<std::string> Items(const std::string& value) {
  std::vector<std::string> out;
  for (absl::string_view item : absl::StrSplit(value, ',', absl::SkipWhitespace())) {
    out.emplace_back(absl::StripAsciiWhitespace(item));
  }
  return out;
}

absl::Status ApplyKey(const std::string& full_key, const std::string& key, const std::string& value,
                      TenantLegalConfig* c) {
  if (key == "min-balance") {
    c->min_balance_minor.clear();
    for (const std::string& item : Items(value)) {
      auto m = rules::ParseMoney(item);
      if (!m.ok() || m->minor_units < 0) {
        return Bad(full_key, value, "is not a list of amounts like \"EUR 100.00\"");
      }
      c->min_balance_minor[m->currency] = m->minor_units;
    }
  } else if (key == "partners") {
    c->partners.clear();
    for (const std::string& item : Items(value)) {
      std::vector<std::string> kv = absl::StrSplit(item, absl::MaxSplits('=', 1));
      const std::string id(absl::StripAsciiWhitespace(kv[0]));
      if (id.empty()) return Bad(full_key, value, "has a partner without an id");
      Partner p{id, {}};
      if (kv.size() == 2) {
        for (absl::string_view j : absl::StrSplit(kv[1], '|', absl::SkipWhitespace())) {
          p.jurisdictions.push_back(absl::AsciiStrToUpper(absl::StripAsciiWhitespace(j)));
        }
      }
      c->partners.push_back(std::move(p));
    }
  } else if (key == "in-house-fallback") {
    const std::string v = absl::AsciiStrToLower(value);
    if (v == "true" || v == "1" || v == "yes" || v == "on") {
      c->in_house_fallback = true;
    } else if (v == "false" || v == "0" || v == "no" || v == "off") {
      c->in_house_fallback = false;
    } else {
      return Bad(full_key, value, "is not a boolean");
    }
  } else if (key == "jurisdiction") {
    c->default_jurisdiction = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(value));
  } else if (key == "segments") {
    c->segments.clear();
    for (const std::string& item : Items(value)) {
      std::vector<std::string> kv = absl::StrSplit(item, absl::MaxSplits('=', 1));
      if (kv.size() != 2 || kv[0].empty()) {
        return Bad(full_key, value, "is not a list like \"it-b2b=IT/business\"");
      }
      std::vector<std::string> jt = absl::StrSplit(kv[1], absl::MaxSplits('/', 1));
      SegmentProfile p;
      p.jurisdiction = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(jt[0]));
      if (jt.size() == 2) {
        const std::string t = absl::AsciiStrToLower(absl::StripAsciiWhitespace(jt[1]));
        if (t == "consumer") {
          p.debtor_type = dunning::v1::DEBTOR_TYPE_CONSUMER;
        } else if (t == "business") {
          p.debtor_type = dunning::v1::DEBTOR_TYPE_BUSINESS;
        } else if (!t.empty()) {
          return Bad(full_key, value, "has a debtor type other than consumer or business");
        }
      }
      c->segments[std::string(absl::StripAsciiWhitespace(kv[0]))] = p;
    }
  } else if (key == "zone") {
    auto zone = core::LoadZone(value);
    if (!zone.ok()) return Bad(full_key, value, "is not a time zone");
    c->zone = *zone;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<LegalConfig> LoadLegalConfig(const platform::Config& config) {
  LegalConfig out;
  // Service-wide keys first, so that every tenant starts from them.
  for (const std::string& key : Keys()) {
    const std::string full = absl::StrCat(kPrefix, key);
    if (!config.Has(full)) continue;
    if (absl::Status s = ApplyKey(full, key, config.GetString(full), &out.defaults); !s.ok()) {
      return s;
    }
  }
  for (const auto& [full, value] : config.values()) {
    if (!absl::StartsWith(full, kPrefix)) continue;
    if (!absl::StartsWith(full, kTenantPrefix)) {
      if (Keys().count(full.substr(sizeof(kPrefix) - 1)) == 0) {
        return Bad(full, value, "names no legal setting");
      }
      continue;
    }
    const std::string rest = full.substr(sizeof(kTenantPrefix) - 1);
    const size_t dot = rest.rfind('.');
    if (dot == std::string::npos || dot == 0) {
      return Bad(full, value, "is not legal.tenants.<tenant>.<key>");
    }
    const std::string tenant = rest.substr(0, dot);
    const std::string key = rest.substr(dot + 1);
    if (Keys().count(key) == 0) return Bad(full, value, "names no legal setting");
    auto [it, inserted] = out.tenants.try_emplace(tenant, out.defaults);
    if (absl::Status s = ApplyKey(full, key, value, &it->second); !s.ok()) return s;
  }
  return out;
}

}  // namespace concerto::legal
