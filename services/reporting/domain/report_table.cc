// FormatReportTable: the plain-text rendering of a Report (see kpi_fold.h).
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "libs/rules/kpi.h"
#include "libs/rules/money.h"
#include "services/reporting/domain/kpi_fold.h"

namespace concerto::reporting {
namespace {

// Money renders "EUR 412.50"; an unknown currency falls back to its raw minor units, so the
// table never hides an amount.
std::string Money(int64_t minor, const std::string& currency) {
  absl::StatusOr<std::string> s = rules::FormatMoney(rules::Money{minor, currency});
  if (s.ok()) return *s;
  return absl::StrCat(currency.empty() ? "???" : currency, " ", minor, " (minor units)");
}

// Amount is Money without the currency code ("412.50"), for lists inside one currency.
std::string Amount(int64_t minor, const std::string& currency) {
  const std::string m = Money(minor, currency);
  const size_t space = m.find(' ');
  return space == std::string::npos ? m : m.substr(space + 1);
}

// Hundredths renders 5238 as "52.38" (and -5 as "-0.05").
std::string Hundredths(int64_t v) {
  const uint64_t magnitude = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  return absl::StrFormat("%s%d.%02d", v < 0 ? "-" : "", magnitude / 100, magnitude % 100);
}

std::string Percent(const std::optional<int64_t>& bp) {
  return bp.has_value() ? absl::StrCat(Hundredths(*bp), "%") : "n/a";
}

std::string FigureText(const Figure& f, const std::string& suffix) {
  if (f.value.has_value()) return absl::StrFormat("%.2f%s", *f.value, suffix);
  return absl::StrCat("n/a (", f.undefined_reason, ")");
}

using CurrencyValue = std::function<std::string(const std::string&, const CurrencyKpis&)>;

// PerCurrency joins one entry per currency: "EUR 12.00; USD 3.00", or "none".
std::string PerCurrency(const GroupKpis& g, const CurrencyValue& value) {
  std::vector<std::string> parts;
  for (const auto& [currency, k] : g.by_currency) parts.push_back(value(currency, k));
  return parts.empty() ? "none" : absl::StrJoin(parts, "; ");
}

std::string Ageing(const std::string& currency, const AgeingAmounts& amounts) {
  std::vector<std::string> parts;
  for (int i = 0; i < kAgeingBucketCount; ++i) {
    // AgeingBucketName returns a std::string_view, which Debian's absl::StrCat does not take.
    const std::string name(rules::AgeingBucketName(static_cast<rules::AgeingBucket>(i)));
    parts.push_back(absl::StrCat(name, " ", Amount(amounts[i], currency)));
  }
  return absl::StrCat(currency, " ", absl::StrJoin(parts, ", "));
}

CurrencyValue CurrencyFigure(Figure CurrencyKpis::*member, std::string suffix) {
  return [member, suffix](const std::string& currency, const CurrencyKpis& k) {
    return absl::StrCat(currency, " ", FigureText(k.*member, suffix));
  };
}

CurrencyValue CurrencyMoney(int64_t CurrencyKpis::*member) {
  return [member](const std::string& currency, const CurrencyKpis& k) {
    return Money(k.*member, currency);
  };
}

std::string Count(int64_t n) { return absl::StrCat(n); }

// WithReasons: "79 (quiet_hours 30, weekday_or_holiday 43)".
std::string WithReasons(int64_t n, const std::map<std::string, int64_t>& by_reason) {
  if (by_reason.empty()) return Count(n);
  return absl::StrCat(n, " (", absl::StrJoin(by_reason, ", ", absl::PairFormatter(" ")), ")");
}

// Counted renders "1 answer", "3 answers".
std::string Counted(int64_t n, const char* noun) {
  return absl::StrCat(n, " ", noun, n == 1 ? "" : "s");
}

// KpiLine is one KPI: its name (the line's first words) and how a group's value reads.
struct KpiLine {
  const char* name;
  std::function<std::string(const GroupKpis&)> value;
};

const std::vector<KpiLine>& Lines() {
  static const auto* const kLines = new std::vector<KpiLine>{
      {"invoices placed",
       [](const GroupKpis& g) {
         return PerCurrency(g, [](const std::string& c, const CurrencyKpis& k) {
           return absl::StrCat(Money(k.placed, c), " in ", Counted(k.invoices_placed, "invoice"));
         });
       }},
      {"collected", [](const GroupKpis& g) { return PerCurrency(g, CurrencyMoney(&CurrencyKpis::collected)); }},
      {"collection rate",
       [](const GroupKpis& g) {
         return PerCurrency(g, [](const std::string& c, const CurrencyKpis& k) {
           return absl::StrCat(c, " ", Percent(k.collection_rate_bp), " (",
                               Money(k.collected_on_placed, c), " of ", Money(k.placed, c),
                               " placed)");
         });
       }},
      {"credit sales",
       [](const GroupKpis& g) { return PerCurrency(g, CurrencyMoney(&CurrencyKpis::credit_sales)); }},
      {"opening receivables",
       [](const GroupKpis& g) {
         return PerCurrency(g, CurrencyMoney(&CurrencyKpis::opening_receivables));
       }},
      {"closing receivables",
       [](const GroupKpis& g) {
         return PerCurrency(g, [](const std::string& c, const CurrencyKpis& k) {
           return absl::StrCat(Money(k.closing_receivables, c), " (current ",
                               Amount(k.closing_current_receivables, c), ")");
         });
       }},
      {"ageing at start",
       [](const GroupKpis& g) {
         return PerCurrency(g, [](const std::string& c, const CurrencyKpis& k) {
           return Ageing(c, k.ageing_opening);
         });
       }},
      {"ageing at end",
       [](const GroupKpis& g) {
         return PerCurrency(g, [](const std::string& c, const CurrencyKpis& k) {
           return Ageing(c, k.ageing_closing);
         });
       }},
      {"count-back dso",
       [](const GroupKpis& g) {
         return PerCurrency(g, CurrencyFigure(&CurrencyKpis::count_back_dso_days, " days"));
       }},
      {"simple dso",
       [](const GroupKpis& g) {
         return PerCurrency(g, CurrencyFigure(&CurrencyKpis::simple_dso_days, " days"));
       }},
      {"best possible dso",
       [](const GroupKpis& g) {
         return PerCurrency(g, CurrencyFigure(&CurrencyKpis::best_possible_dso_days, " days"));
       }},
      {"add",
       [](const GroupKpis& g) {
         return PerCurrency(g, CurrencyFigure(&CurrencyKpis::add_days, " days"));
       }},
      {"cei",
       [](const GroupKpis& g) {
         return PerCurrency(g, CurrencyFigure(&CurrencyKpis::cei_percent, "%"));
       }},
      {"expected credit loss",
       [](const GroupKpis& g) {
         return PerCurrency(g, [](const std::string& c, const CurrencyKpis& k) {
           return k.expected_credit_loss.has_value()
                      ? Money(*k.expected_credit_loss, c)
                      : absl::StrCat(c, " n/a (", k.expected_credit_loss_note, ")");
         });
       }},
      {"escalations requested",
       [](const GroupKpis& g) {
         return absl::StrCat(g.escalations_requested, " (", g.escalations_rejected,
                             " rejected by legal)");
       }},
      {"escalated to legal",
       [](const GroupKpis& g) { return PerCurrency(g, CurrencyMoney(&CurrencyKpis::escalated)); }},
      {"legal ratio",
       [](const GroupKpis& g) {
         return absl::StrCat(
             PerCurrency(g, CurrencyFigure(&CurrencyKpis::legal_ratio_percent, "%")),
             " (goal < 5%)");
       }},
      {"promises made", [](const GroupKpis& g) { return Count(g.promises_made); }},
      {"promises kept",
       [](const GroupKpis& g) {
         return absl::StrCat(g.promises_kept, " of ", g.promises_kept + g.promises_broken,
                             " resolved (", Percent(g.promises_kept_bp), ")");
       }},
      {"promises broken", [](const GroupKpis& g) { return Count(g.promises_broken); }},
      {"plans created", [](const GroupKpis& g) { return Count(g.plans_created); }},
      {"plans completed", [](const GroupKpis& g) { return Count(g.plans_completed); }},
      {"plans broken", [](const GroupKpis& g) { return Count(g.plans_broken); }},
      {"contacts requested", [](const GroupKpis& g) { return Count(g.contacts_requested); }},
      {"contacts sent", [](const GroupKpis& g) { return Count(g.contacts_sent); }},
      {"contacts suppressed",
       [](const GroupKpis& g) { return WithReasons(g.contacts_suppressed, g.suppressed_by_reason); }},
      {"contacts deferred",
       [](const GroupKpis& g) { return WithReasons(g.contacts_deferred, g.deferred_by_reason); }},
      {"contacts per 1,000 collected",
       [](const GroupKpis& g) {
         return PerCurrency(g, [](const std::string& c, const CurrencyKpis& k) {
           if (!k.contacts_per_1000_collected_centi.has_value()) {
             return absl::StrCat(c, " n/a (nothing collected)");
           }
           return absl::StrCat(c, " ", Hundredths(*k.contacts_per_1000_collected_centi), " (",
                               k.contacts_sent, " sent / ", Money(k.collected, c),
                               " collected)");
         });
       }},
      {"cases opened", [](const GroupKpis& g) { return Count(g.cases_opened); }},
      {"cases closed", [](const GroupKpis& g) { return Count(g.cases_closed); }},
      {"relationship saved",
       [](const GroupKpis& g) {
         return absl::StrCat(FigureText(g.relationship_saved_percent, "%"), " (",
                             g.relationships_saved, " of ", Counted(g.cases_closed, "closed case"),
                             ")");
       }},
      {"csat",
       [](const GroupKpis& g) {
         if (!g.csat_average_centi.has_value()) return std::string("n/a (no answers)");
         return absl::StrCat(Hundredths(*g.csat_average_centi), " average of ",
                             Counted(g.csat_responses, "answer"));
       }},
      {"nps",
       [](const GroupKpis& g) {
         if (!g.nps_centi.has_value()) return std::string("n/a (no answers)");
         return absl::StrCat(*g.nps_centi > 0 ? "+" : "", Hundredths(*g.nps_centi), " (",
                             Counted(g.nps_responses, "answer"), ": ", g.nps_promoters,
                             " promoters, ", g.nps_passives, " passives, ", g.nps_detractors,
                             " detractors)");
       }},
  };
  return *kLines;
}

}  // namespace

std::string FormatReportTable(const Report& report) {
  std::string out = absl::StrFormat(
      "period %s..%s (%d days)\n", absl::FormatCivilTime(report.period_start),
      absl::FormatCivilTime(report.period_end), report.period_days);
  // Per tenant: the tenant, its arms by strategy and variant, then debtors without a case.
  std::vector<std::pair<const std::string*, std::vector<std::pair<std::string, const GroupKpis*>>>>
      tenants;
  size_t name_width = 0, tenant_width = 0, label_width = 0;
  for (const KpiLine& line : Lines()) name_width = std::max(name_width, std::strlen(line.name));
  for (const auto& [tenant, t] : report.tenants) {
    std::vector<std::pair<std::string, const GroupKpis*>> groups = {{"all", &t.total}};
    for (const auto& [arm, g] : t.arms) {
      if (!arm.strategy_id.empty()) groups.emplace_back(ArmLabel(arm), &g);
    }
    if (const auto it = t.arms.find(ArmKey{}); it != t.arms.end()) {
      groups.emplace_back(ArmLabel(it->first), &it->second);
    }
    tenant_width = std::max(tenant_width, tenant.size());
    for (const auto& [label, g] : groups) label_width = std::max(label_width, label.size());
    tenants.emplace_back(&tenant, std::move(groups));
  }
  // Columns as wide as their longest entry, so every value starts in the same column.
  for (const auto& [tenant, groups] : tenants) {
    for (const KpiLine& line : Lines()) {
      for (const auto& [label, g] : groups) {
        absl::StrAppendFormat(&out, "%-*s %-*s %-*s %s\n", name_width, line.name, tenant_width,
                              *tenant, label_width, label, line.value(*g));
      }
    }
  }
  return out;
}

}  // namespace concerto::reporting
