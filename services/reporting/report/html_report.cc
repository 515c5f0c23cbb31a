// RenderHtmlReport: the HTML + SVG rendering of a Report (see html_report.h). Hand-written SVG:
// horizontal bar charts (grouped per tenant, one bar per arm), stacked ageing bars and line
// charts for the daily series; geometry is computed in double and printed with one decimal,
// money is never converted to floating point for display.
#include "services/reporting/report/html_report.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "libs/rules/kpi.h"
#include "libs/rules/money.h"
#include "services/reporting/domain/kpi_fold.h"

namespace concerto::reporting {
namespace {

// ---------------------------------------------------------------------------------------------
// Text: escaping and exact number formatting.
// ---------------------------------------------------------------------------------------------

// Esc escapes text for HTML and XML (element content and quoted attribute values) and drops the
// control characters XML 1.0 does not allow.
std::string Esc(const std::string& s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\t':
      case '\n':
      case '\r':
        out += c;
        break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) out += c;
        break;
    }
  }
  return out;
}

uint64_t Magnitude(int64_t v) {
  return v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
}

// Grouped renders 1234567 as "1,234,567".
std::string Grouped(uint64_t v) {
  const std::string digits = absl::StrCat(v);
  std::string out;
  const size_t n = digits.size();
  for (size_t i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// Signed renders -1234567 as "-1,234,567".
std::string Signed(int64_t v) { return absl::StrCat(v < 0 ? "-" : "", Grouped(Magnitude(v))); }

// Amount renders minor units in major units with grouping, exactly: 123456 EUR -> "1,234.56",
// -5 EUR -> "-0.05", 1200 JPY -> "1,200". An unknown currency keeps its minor units ("12,345").
std::string Amount(int64_t minor, const std::string& currency) {
  const std::optional<int> exponent = rules::MinorUnitExponent(currency);
  const std::string sign = minor < 0 ? "-" : "";
  const uint64_t magnitude = Magnitude(minor);
  if (!exponent.has_value() || *exponent <= 0) return sign + Grouped(magnitude);
  uint64_t scale = 1;
  for (int i = 0; i < *exponent; ++i) scale *= 10;
  const std::string fraction = absl::StrCat(magnitude % scale);
  return absl::StrCat(sign, Grouped(magnitude / scale), ".",
                      std::string(static_cast<size_t>(*exponent) - fraction.size(), '0'), fraction);
}

// Money renders "EUR 1,234.56"; an unknown currency shows its raw minor units, so no amount is
// ever hidden or guessed.
std::string Money(int64_t minor, const std::string& currency) {
  if (!rules::MinorUnitExponent(currency).has_value()) {
    return absl::StrCat(currency.empty() ? "???" : currency, " ", Amount(minor, currency),
                        " (minor units)");
  }
  return absl::StrCat(currency, " ", Amount(minor, currency));
}

// Hundredths renders 5238 as "52.38" (and -5 as "-0.05").
std::string Hundredths(int64_t v) {
  const uint64_t magnitude = Magnitude(v);
  return absl::StrFormat("%s%d.%02d", v < 0 ? "-" : "", magnitude / 100, magnitude % 100);
}

std::string PercentBp(const std::optional<int64_t>& bp) {
  return bp.has_value() ? absl::StrCat(Hundredths(*bp), "%") : "n/a";
}

// Value is a Figure's value when it is defined and finite.
std::optional<double> Value(const Figure& f) {
  if (f.value.has_value() && std::isfinite(*f.value)) return f.value;
  return std::nullopt;
}

std::string Fixed2(double v) { return absl::StrFormat("%.2f", v); }

// FigureText renders a Figure to 2 decimals with a suffix, or "n/a (why)".
std::string FigureText(const Figure& f, const std::string& suffix) {
  if (const std::optional<double> v = Value(f)) return absl::StrCat(Fixed2(*v), suffix);
  return absl::StrCat("n/a (", f.undefined_reason.empty() ? "undefined" : f.undefined_reason, ")");
}

std::string DayText(absl::CivilDay day) { return absl::FormatCivilTime(day); }

// Counted renders "1 invoice", "3 invoices".
std::string Counted(int64_t n, const std::string& noun) {
  return absl::StrCat(n, " ", noun, n == 1 ? "" : "s");
}

// C renders an SVG coordinate.
std::string C(double v) { return absl::StrFormat("%.1f", v); }

// CodePoints counts the UTF-8 code points of s.
size_t CodePoints(const std::string& s) {
  size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

// Truncate keeps at most max code points of s, ending in an ellipsis when it cut.
std::string Truncate(const std::string& s, size_t max) {
  if (CodePoints(s) <= max) return s;
  size_t kept = 0;
  size_t i = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (kept == max - 1) break;
      ++kept;
    }
  }
  return s.substr(0, i) + "\u2026";
}

// TextWidth estimates the rendered width of s at `font_size` px (system sans-serif).
double TextWidth(const std::string& s, double font_size) {
  return static_cast<double>(CodePoints(s)) * font_size * 0.58;
}

// kWidth is the width of every chart, in px.
constexpr double kWidth = 760;

// Fit truncates a text that starts at x so that it ends inside the chart.
std::string Fit(const std::string& s, double x, double font_size) {
  const double room = kWidth - 8 - x;
  const size_t max_chars = room <= 0 ? 1 : static_cast<size_t>(room / (font_size * 0.58));
  return Truncate(s, std::max<size_t>(max_chars, 2));
}

// ---------------------------------------------------------------------------------------------
// Groups (the tenant total and its arms) and their colours.
// ---------------------------------------------------------------------------------------------

// Series is what a bar stands for; it picks the colour and the legend entry.
enum class Series { kAll, kChampion, kChallenger, kUnassigned, kOther };

// Colours: every one has at least 5:1 contrast on white (WCAG 1.4.11 asks 3:1 for graphics),
// and text drawn in them stays above 4.5:1.
const char* ColorOf(Series s) {
  switch (s) {
    case Series::kAll:
      return "#4a4a4a";
    case Series::kChampion:
      return "#1f5f9e";
    case Series::kChallenger:
      return "#b34700";
    case Series::kUnassigned:
      return "#6b4c9a";
    case Series::kOther:
      return "#005f73";
  }
  return "#4a4a4a";
}

const char* LegendOf(Series s) {
  switch (s) {
    case Series::kAll:
      return "all (tenant total)";
    case Series::kChampion:
      return "champion";
    case Series::kChallenger:
      return "challenger";
    case Series::kUnassigned:
      return "unassigned (no case)";
    case Series::kOther:
      return "other variant";
  }
  return "";
}

// Group is one column of a tenant: the total ("all") or one arm.
struct Group {
  std::string label;
  const GroupKpis* kpis = nullptr;
  Series series = Series::kAll;
};

// GroupsOf lists the tenant total, its arms by strategy and variant, then debtors without a case
// (the order of FormatReportTable).
std::vector<Group> GroupsOf(const TenantKpis& t) {
  std::vector<Group> groups = {{"all", &t.total, Series::kAll}};
  // Arms by strategy; within a strategy the champion first, then the challenger, then any other
  // variant (by name: the map order), so the two compared arms sit side by side.
  std::vector<std::pair<const ArmKey*, const GroupKpis*>> arms;
  for (const auto& [arm, g] : t.arms) {
    if (!arm.strategy_id.empty()) arms.emplace_back(&arm, &g);
  }
  const auto rank = [](const std::string& variant) {
    return variant == "champion" ? 0 : variant == "challenger" ? 1 : 2;
  };
  std::stable_sort(arms.begin(), arms.end(), [&](const auto& a, const auto& b) {
    if (a.first->strategy_id != b.first->strategy_id) {
      return a.first->strategy_id < b.first->strategy_id;
    }
    return rank(a.first->variant) < rank(b.first->variant);
  });
  for (const auto& [arm, g] : arms) {
    const int r = rank(arm->variant);
    const Series s = r == 0 ? Series::kChampion : r == 1 ? Series::kChallenger : Series::kOther;
    groups.push_back({ArmLabel(*arm), g, s});
  }
  for (const auto& [arm, g] : t.arms) {
    if (arm.strategy_id.empty()) groups.push_back({ArmLabel(arm), &g, Series::kUnassigned});
  }
  return groups;
}

// ---------------------------------------------------------------------------------------------
// SVG building blocks.
// ---------------------------------------------------------------------------------------------

constexpr char kFontFamily[] =
    "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif";
constexpr char kInk[] = "#1a1a1a";
constexpr char kMuted[] = "#4d4d4d";
constexpr char kGrid[] = "#d9d9d9";
constexpr char kAxis[] = "#767676";
constexpr char kGoal[] = "#a00000";
// A white outline behind a text, so a grid or goal line under it does not cut through it.
constexpr char kHalo[] = "stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\"";

// Text is an SVG <text> element; `attrs` are extra attributes (already safe).
std::string Text(double x, double y, const std::string& text, const std::string& attrs = "") {
  return absl::StrCat("<text x=\"", C(x), "\" y=\"", C(y), "\"", attrs.empty() ? "" : " ", attrs,
                      ">", Esc(text), "</text>\n");
}

std::string Line(double x1, double y1, double x2, double y2, const std::string& attrs) {
  return absl::StrCat("<line x1=\"", C(x1), "\" y1=\"", C(y1), "\" x2=\"", C(x2), "\" y2=\"", C(y2),
                      "\" ", attrs, "/>\n");
}

std::string Rect(double x, double y, double w, double h, const std::string& fill,
                 const std::string& extra = "") {
  return absl::StrCat("<rect x=\"", C(x), "\" y=\"", C(y), "\" width=\"", C(w), "\" height=\"",
                      C(h), "\" fill=\"", fill, "\"", extra.empty() ? "" : " ", extra, "/>\n");
}

// Svg wraps a chart body: root element with its accessible name (<title>) and description
// (<desc>), a white background and the visible title. Ids are prefixed with the chart id so the
// charts can be inlined side by side in one page.
std::string Svg(const std::string& id, double height, const std::string& title,
                const std::string& description, const std::string& body) {
  const std::string h = absl::StrFormat("%.0f", std::ceil(height));
  return absl::StrCat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"", kWidth, "\" height=\"", h,
      "\" viewBox=\"0 0 ", kWidth, " ", h, "\" role=\"img\" aria-labelledby=\"", id, "-title ", id,
      "-desc\" font-family=\"", kFontFamily, "\" font-size=\"12\" fill=\"", kInk, "\">\n",
      "<title id=\"", id, "-title\">", Esc(title), "</title>\n", "<desc id=\"", id, "-desc\">",
      Esc(description), "</desc>\n", Rect(0, 0, kWidth, std::ceil(height), "#ffffff"),
      Text(16, 24, title, "font-size=\"16\" font-weight=\"700\""), body, "</svg>\n");
}

// LegendEntry is one swatch of a legend: a filled square, or a (dashed) line.
struct LegendEntry {
  std::string color;
  std::string name;
  bool line = false;
  std::string dash;  // stroke-dasharray for a line entry
};

// Legend draws the entries left to right from (16, y), wrapping; returns the y below it.
double Legend(std::string* out, const std::vector<LegendEntry>& entries, double y) {
  if (entries.empty()) return y;
  double x = 16;
  *out += "<g aria-hidden=\"true\">\n";
  for (const LegendEntry& e : entries) {
    const double w = 22 + TextWidth(e.name, 12) + 18;
    if (x + w > kWidth - 8 && x > 16) {
      x = 16;
      y += 20;
    }
    if (e.line) {
      *out += Line(
          x, y - 4, x + 16, y - 4,
          absl::StrCat("stroke=\"", e.color, "\" stroke-width=\"2.5\"",
                       e.dash.empty() ? "" : absl::StrCat(" stroke-dasharray=\"", e.dash, "\"")));
    } else {
      *out += Rect(x, y - 10, 12, 12, e.color);
    }
    *out += Text(x + 22, y, e.name);
    x += w;
  }
  *out += "</g>\n";
  return y + 12;
}

// ---------------------------------------------------------------------------------------------
// Horizontal grouped bar chart.
// ---------------------------------------------------------------------------------------------

struct Bar {
  std::string label;            // left of the bar (an arm)
  std::optional<double> value;  // nullopt: no bar; value_text says why
  std::string value_text;       // right of the bar
  Series series = Series::kAll;
};

struct BarGroup {
  std::string heading;  // tenant (and currency)
  std::vector<Bar> bars;
};

struct BarChart {
  std::string id;              // file stem; prefixes the ids inside the SVG
  std::string title;           // accessible name and visible title
  std::string description;     // accessible description
  std::string caption;         // visible line under the title (unit, what a bar is)
  std::string tick_suffix;     // "%" or ""
  bool integer_ticks = false;  // counts: no fractional ticks
  std::vector<BarGroup> groups;
  std::optional<double> goal;  // vertical dashed line
  std::string goal_label;
  std::optional<double> axis_max;  // preferred upper end (used when no value exceeds it)
};

struct Axis {
  double min = 0;
  double max = 1;
  double step = 1;
  int ticks = 1;
};

// NiceAxis covers [lo, hi] (lo <= 0 <= hi) with about five steps of 1, 2 or 5 x 10^k (at least
// 1 with integer_ticks).
Axis NiceAxis(double lo, double hi, bool integer_ticks) {
  if (!(hi > lo)) hi = lo + 1;
  const double raw = (hi - lo) / 5;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  double step = 10 * p;
  for (const double m : {1.0, 2.0, 5.0}) {
    if (m * p >= raw * (1 - 1e-9)) {
      step = m * p;
      break;
    }
  }
  if (integer_ticks) step = std::max(step, 1.0);
  Axis a;
  a.step = step;
  a.min = std::floor(lo / step + 1e-9) * step;
  a.max = std::ceil(hi / step - 1e-9) * step;
  a.ticks = static_cast<int>(std::llround((a.max - a.min) / step));
  if (a.ticks < 1) {
    a.ticks = 1;
    a.max = a.min + step;
  }
  return a;
}

std::string TickText(double v, const std::string& suffix) {
  if (std::fabs(v) < 1e-12) v = 0;
  return absl::StrCat(absl::StrFormat("%g", v), suffix);
}

constexpr double kLabelRight = 242;  // bar labels end here
constexpr double kPlotLeft = 250;
constexpr double kPlotRight = 600;

std::string RenderBarChart(const BarChart& c) {
  std::string body;
  body += Text(16, 44, c.caption, absl::StrCat("fill=\"", kMuted, "\""));

  std::vector<LegendEntry> legend;
  {
    std::vector<bool> used(5, false);
    for (const BarGroup& g : c.groups) {
      for (const Bar& b : g.bars) used[static_cast<size_t>(b.series)] = true;
    }
    for (size_t i = 0; i < used.size(); ++i) {
      if (used[i])
        legend.push_back(
            {ColorOf(static_cast<Series>(i)), LegendOf(static_cast<Series>(i)), false, ""});
    }
    if (c.goal.has_value()) legend.push_back({kGoal, c.goal_label, true, "6 4"});
  }
  double y = Legend(&body, legend, 68);

  if (c.groups.empty()) {
    body += Text(16, y + 24, "No data for this chart in this period.",
                 absl::StrCat("fill=\"", kMuted, "\""));
    return Svg(c.id, y + 44, c.title, c.description, body);
  }

  double lo = 0;
  double hi = 0;
  for (const BarGroup& g : c.groups) {
    for (const Bar& b : g.bars) {
      if (!b.value.has_value()) continue;
      lo = std::min(lo, *b.value);
      hi = std::max(hi, *b.value);
    }
  }
  if (c.goal.has_value()) hi = std::max(hi, *c.goal * 1.25);
  if (c.axis_max.has_value() && hi <= *c.axis_max) hi = *c.axis_max;
  const Axis axis = NiceAxis(lo, hi, c.integer_ticks);
  const auto x_of = [&](double v) {
    return kPlotLeft + (v - axis.min) / (axis.max - axis.min) * (kPlotRight - kPlotLeft);
  };

  const double plot_top = y + (c.goal.has_value() ? 22 : 10);
  double cursor = plot_top;
  std::string rows;
  for (const BarGroup& g : c.groups) {
    rows += Text(16, cursor + 16, Truncate(g.heading, 90), "font-weight=\"700\"");
    cursor += 24;
    for (const Bar& b : g.bars) {
      rows += absl::StrCat("<g><title>",
                           Esc(absl::StrCat(g.heading, " \u00b7 ", b.label, ": ", b.value_text)),
                           "</title>\n");
      rows += Text(kLabelRight, cursor + 15, Truncate(b.label, 36), "text-anchor=\"end\"");
      const double zero = x_of(0);
      if (b.value.has_value()) {
        const double end = x_of(*b.value);
        double left = std::min(zero, end);
        double width = std::fabs(end - zero);
        if (*b.value != 0 && width < 1) {
          width = 1;
          if (*b.value < 0) left = zero - 1;
        }
        rows += Rect(left, cursor + 4, width, 14, ColorOf(b.series));
        const double x = std::max(zero, end) + 6;
        rows += Text(x, cursor + 15, Fit(b.value_text, x, 12), kHalo);
      } else {
        rows += Text(zero + 6, cursor + 15, Fit(b.value_text, zero + 6, 12),
                     absl::StrCat("fill=\"", kMuted, "\" font-style=\"italic\" ", kHalo));
      }
      rows += "</g>\n";
      cursor += 22;
    }
    cursor += 6;
  }
  const double plot_bottom = cursor;

  std::string grid = "<g aria-hidden=\"true\">\n";
  for (int i = 0; i <= axis.ticks; ++i) {
    const double v = axis.min + i * axis.step;
    const double x = x_of(v);
    const bool is_zero = std::fabs(v) < axis.step * 1e-6;
    grid += Line(x, plot_top, x, plot_bottom,
                 absl::StrCat("stroke=\"", is_zero ? kAxis : kGrid, "\" stroke-width=\"1\""));
    grid += Text(x, plot_bottom + 16, TickText(v, c.tick_suffix),
                 absl::StrCat("text-anchor=\"middle\" fill=\"", kMuted, "\""));
  }
  grid += "</g>\n";

  std::string goal;
  if (c.goal.has_value()) {
    const double x = x_of(*c.goal);
    goal += absl::StrCat("<g><title>", Esc(c.goal_label), "</title>\n");
    goal +=
        Line(x, plot_top - 16, x, plot_bottom,
             absl::StrCat("stroke=\"", kGoal, "\" stroke-width=\"2\" stroke-dasharray=\"6 4\""));
    const bool fits_right = x + 4 + TextWidth(c.goal_label, 12) < kWidth - 4;
    goal += Text(fits_right ? x + 4 : x - 4, plot_top - 6, c.goal_label,
                 absl::StrCat("fill=\"", kGoal, "\" font-weight=\"700\"",
                              fits_right ? "" : " text-anchor=\"end\""));
    goal += "</g>\n";
  }
  // The goal line under the bars and their (haloed) texts.
  body += grid + goal + rows;
  return Svg(c.id, plot_bottom + 30, c.title, c.description, body);
}

// ---------------------------------------------------------------------------------------------
// The bar charts of the report.
// ---------------------------------------------------------------------------------------------

// CurrencyBars builds one group per tenant and currency with one bar per tenant group (total and
// arms) that has that currency; `value` gives the bar's value and text.
using CurrencyBarValue = std::function<std::pair<std::optional<double>, std::string>(
    const std::string&, const CurrencyKpis&)>;

std::vector<BarGroup> CurrencyBars(const Report& report, const CurrencyBarValue& value) {
  std::vector<BarGroup> out;
  for (const auto& [tenant, t] : report.tenants) {
    const std::vector<Group> groups = GroupsOf(t);
    for (const auto& [currency, unused] : t.total.by_currency) {
      BarGroup bg;
      bg.heading = absl::StrCat(tenant, " \u00b7 ", currency);
      for (const Group& g : groups) {
        const auto it = g.kpis->by_currency.find(currency);
        if (it == g.kpis->by_currency.end()) continue;
        auto [v, text] = value(currency, it->second);
        bg.bars.push_back({g.label, v, std::move(text), g.series});
      }
      out.push_back(std::move(bg));
    }
  }
  return out;
}

CurrencyBarValue FigureBar(Figure CurrencyKpis::*member, std::string suffix) {
  return [member, suffix](const std::string&, const CurrencyKpis& k) {
    return std::make_pair(Value(k.*member), FigureText(k.*member, suffix));
  };
}

std::string PeriodText(const Report& r) {
  return absl::StrCat(DayText(r.period_start), " to ", DayText(r.period_end), " (",
                      Counted(r.period_days, "day"), ")");
}

// ChartFile is a rendered chart: its file name, title and description for the page.
struct ChartFile {
  std::string id;
  std::string title;
  std::string description;
  std::string svg;
};

ChartFile MakeBarChart(BarChart c) {
  std::string svg = RenderBarChart(c);
  return {c.id, c.title, c.description, std::move(svg)};
}

ChartFile CollectionRateChart(const Report& r) {
  BarChart c;
  c.id = "collection_rate";
  c.title = "Collection rate by tenant and arm";
  c.description = absl::StrCat(
      "Horizontal bars, one group per tenant and currency, one bar per arm (champion and "
      "challenger side by side, with the tenant total): principal collected by the period end on "
      "the invoices placed in collection in the period, divided by their placed value. Higher is "
      "better. Period ",
      PeriodText(r), ".");
  c.caption = "Percent of the value placed in the period that was collected (higher is better)";
  c.tick_suffix = "%";
  c.axis_max = 100;
  c.groups = CurrencyBars(r, [](const std::string& currency, const CurrencyKpis& k) {
    std::optional<double> v;
    if (k.collection_rate_bp.has_value()) v = static_cast<double>(*k.collection_rate_bp) / 100.0;
    std::string text =
        k.collection_rate_bp.has_value()
            ? absl::StrCat(PercentBp(k.collection_rate_bp), " of ", Money(k.placed, currency))
            : "n/a (nothing placed)";
    return std::make_pair(v, std::move(text));
  });
  return MakeBarChart(std::move(c));
}

ChartFile LegalRatioChart(const Report& r) {
  BarChart c;
  c.id = "legal_ratio";
  c.title = "Legal ratio by tenant and arm (goal: under 5%)";
  c.description = absl::StrCat(
      "Horizontal bars, one group per tenant and currency, one bar per arm: value escalated to "
      "legal divided by value placed in collection in the period. A dashed line marks the 5% "
      "goal; bars left of it meet the goal. Lower is better. Period ",
      PeriodText(r), ".");
  c.caption = "Percent of the value placed that was escalated to legal (lower is better)";
  c.tick_suffix = "%";
  c.goal = 5.0;
  c.goal_label = "goal: under 5%";
  c.groups = CurrencyBars(r, FigureBar(&CurrencyKpis::legal_ratio_percent, "%"));
  return MakeBarChart(std::move(c));
}

ChartFile CountBackDsoChart(const Report& r) {
  BarChart c;
  c.id = "count_back_dso";
  c.title = "Count-back DSO by tenant and arm";
  c.description = absl::StrCat(
      "Horizontal bars, one group per tenant and currency, one bar per arm: days of sales, "
      "counted back month by month from the period end, that the closing receivables represent. "
      "Lower is better. At ",
      DayText(r.period_end), ".");
  c.caption = "Days of sales outstanding at the period end, count-back method (lower is better)";
  c.groups = CurrencyBars(r, FigureBar(&CurrencyKpis::count_back_dso_days, " days"));
  return MakeBarChart(std::move(c));
}

ChartFile CeiChart(const Report& r) {
  BarChart c;
  c.id = "cei";
  c.title = "Collection effectiveness index (CEI) by tenant and arm";
  c.description = absl::StrCat(
      "Horizontal bars, one group per tenant and currency, one bar per arm: the share of what "
      "could have been collected in the period that was collected, the period taken as one unit. "
      "100% is perfect; higher is better. Period ", PeriodText(r), ".");
  c.caption = "Percent of collectable receivables collected (higher is better, 100% is perfect)";
  c.tick_suffix = "%";
  c.axis_max = 100;
  c.groups = CurrencyBars(r, FigureBar(&CurrencyKpis::cei_percent, "%"));
  return MakeBarChart(std::move(c));
}

ChartFile AddChart(const Report& r) {
  BarChart c;
  c.id = "add";
  c.title = "Average days delinquent (ADD) by tenant and arm";
  c.description = absl::StrCat(
      "Horizontal bars, one group per tenant and currency, one bar per arm: DSO minus best "
      "possible DSO, the days receivables stay out because of late payment. Lower is better. "
      "Period ",
      PeriodText(r), ".");
  c.caption = "Days lost to late payment: DSO minus best possible DSO (lower is better)";
  c.groups = CurrencyBars(r, FigureBar(&CurrencyKpis::add_days, " days"));
  return MakeBarChart(std::move(c));
}

ChartFile SuppressedChart(const Report& r) {
  BarChart c;
  c.id = "contacts_suppressed";
  c.title = "Contacts suppressed by the contact policy, by reason";
  c.description = absl::StrCat(
      "Horizontal bars, one group per tenant and suppression reason, one bar per arm: contact "
      "attempts the contact policy dropped or handed to a person (frequency caps, no consent and "
      "the like; attempts it only deferred to the next allowed moment are in the table). Only "
      "reasons that occurred are shown. Period ",
      PeriodText(r), ".");
  c.caption = "Number of contact attempts suppressed, per reason";
  c.integer_ticks = true;
  for (const auto& [tenant, t] : r.tenants) {
    const std::vector<Group> groups = GroupsOf(t);
    for (const auto& [reason, unused] : t.total.suppressed_by_reason) {
      BarGroup bg;
      bg.heading = absl::StrCat(tenant, " \u00b7 ", reason);
      for (const Group& g : groups) {
        const auto it = g.kpis->suppressed_by_reason.find(reason);
        const int64_t n = it == g.kpis->suppressed_by_reason.end() ? 0 : it->second;
        if (g.series == Series::kUnassigned && n == 0) continue;
        bg.bars.push_back({g.label, static_cast<double>(n), absl::StrCat(n), g.series});
      }
      c.groups.push_back(std::move(bg));
    }
  }
  return MakeBarChart(std::move(c));
}

// ---------------------------------------------------------------------------------------------
// Ageing: stacked bars at the start and at the end of the period.
// ---------------------------------------------------------------------------------------------

// Bucket colours, from green (not due) to dark red (90+); white text on each is above 4.5:1.
constexpr const char* kBucketColors[kAgeingBucketCount] = {"#2e7d32", "#7a5c00", "#b35c00",
                                                           "#c62828", "#6a1b1b"};

std::string BucketName(int i) {
  return std::string(rules::AgeingBucketName(static_cast<rules::AgeingBucket>(i)));
}

std::string BucketLegend(int i) {
  return i == 0 ? "current (not yet due)" : absl::StrCat(BucketName(i), " days past due");
}

ChartFile AgeingChart(const Report& r) {
  ChartFile f;
  f.id = "ageing";
  f.title = "Ageing of receivables at the start and at the end of the period";
  const std::string start_text = absl::StrCat("end of ", DayText(r.period_start - 1));
  const std::string end_text = DayText(r.period_end);
  f.description = absl::StrCat(
      "Stacked horizontal bars, one pair per tenant and currency: open balances by days past due "
      "(current, 1-30, 31-60, 61-90, 90+) at the start (",
      start_text, ") and at the end (", end_text,
      ") of the period. The longer the red part, the older the debt. The two bars of a "
      "tenant and currency share a scale; the total is written after each bar.");

  std::string body;
  body += Text(16, 44, "Open balances by days past due; amounts in each tenant's currency",
               absl::StrCat("fill=\"", kMuted, "\""));
  std::vector<LegendEntry> legend;
  for (int i = 0; i < kAgeingBucketCount; ++i)
    legend.push_back({kBucketColors[i], BucketLegend(i), false, ""});
  double y = Legend(&body, legend, 68) + 10;

  // Geometry only (amounts are printed exactly): a pair's longer bar spans the plot.
  const auto positive_total = [](const AgeingAmounts& a) {
    double t = 0;
    for (const int64_t v : a) t += v > 0 ? static_cast<double>(v) : 0.0;
    return t;
  };

  bool any = false;
  for (const auto& [tenant, t] : r.tenants) {
    for (const auto& [currency, k] : t.total.by_currency) {
      any = true;
      const std::string heading = absl::StrCat(tenant, " \u00b7 ", currency);
      body += Text(16, y + 16, Truncate(heading, 90), "font-weight=\"700\"");
      y += 24;
      const std::pair<std::string, const AgeingAmounts*> rows[] = {
          {absl::StrCat("at start (", start_text, ")"), &k.ageing_opening},
          {absl::StrCat("at end (", end_text, ")"), &k.ageing_closing}};
      for (const auto& [label, amounts] : rows) {
        int64_t total = 0;
        for (const int64_t v : *amounts) total += v;
        body += absl::StrCat(
            "<g><title>",
            Esc(absl::StrCat(heading, " \u00b7 ", label, ": ", Money(total, currency))),
            "</title>\n");
        body += Text(kLabelRight, y + 17, Truncate(label, 36), "text-anchor=\"end\"");
        body += "</g>\n";
        double x = kPlotLeft;
        const double s =
            std::max(positive_total(k.ageing_opening), positive_total(k.ageing_closing));
        for (int i = 0; i < kAgeingBucketCount; ++i) {
          const int64_t v = (*amounts)[static_cast<size_t>(i)];
          if (v <= 0 || s <= 0) continue;
          const double w = static_cast<double>(v) / s * (kPlotRight - kPlotLeft);
          const std::string amount = Amount(v, currency);
          body += absl::StrCat("<g><title>",
                               Esc(absl::StrCat(heading, " \u00b7 ", label, " \u00b7 ",
                                                BucketName(i), ": ", Money(v, currency))),
                               "</title>\n");
          body += Rect(x, y + 3, w, 20, kBucketColors[i], "stroke=\"#ffffff\" stroke-width=\"1\"");
          if (w >= TextWidth(amount, 11) + 6) {
            body += Text(x + w / 2, y + 17, amount,
                         "text-anchor=\"middle\" fill=\"#ffffff\" font-size=\"11\"");
          }
          body += "</g>\n";
          x += w;
        }
        body += Text(x + 6, y + 17,
                     total == 0 ? absl::StrCat(Money(0, currency), " (nothing open)")
                                : Money(total, currency));
        y += 26;
      }
      y += 8;
    }
  }
  if (!any) {
    body +=
        Text(16, y + 14, "No receivables in this period.", absl::StrCat("fill=\"", kMuted, "\""));
    y += 30;
  }
  f.svg = Svg(f.id, y + 12, f.title, f.description, body);
  return f;
}

// ---------------------------------------------------------------------------------------------
// Line charts (daily series), one panel per tenant.
// ---------------------------------------------------------------------------------------------

struct IntAxis {
  int64_t min = 0;
  int64_t max = 1;
  int64_t step = 1;
};

int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}
int64_t CeilDiv(int64_t a, int64_t b) { return -FloorDiv(-a, b); }

// kAxisLimit bounds the values a line chart's axis covers (larger ones are clamped; geometry
// only), so the axis arithmetic below cannot overflow.
constexpr int64_t kAxisLimit = int64_t{1} << 60;

// NiceIntAxis covers [lo, hi] (lo <= 0 <= hi) with at most six integer steps of 1, 2 or 5 x 10^k.
IntAxis NiceIntAxis(int64_t lo, int64_t hi) {
  lo = std::clamp(lo, -kAxisLimit, int64_t{0});
  hi = std::clamp(hi, int64_t{0}, kAxisLimit);
  if (hi <= lo) hi = lo + 1;
  const int64_t raw = std::max<int64_t>(1, (hi - lo + 5) / 6);
  int64_t step = 0;
  for (int64_t p = 1; step == 0; p *= 10) {
    for (const int64_t m : {1, 2, 5}) {
      if (m * p >= raw) {
        step = m * p;
        break;
      }
    }
  }
  IntAxis a;
  a.step = step;
  a.min = FloorDiv(lo, step) * step;
  a.max = CeilDiv(hi, step) * step;
  if (a.max <= a.min) a.max = a.min + step;
  return a;
}

struct LineSeries {
  std::string name;
  std::string color;
  std::string dash;                                        // stroke-dasharray, empty for solid
  std::vector<std::pair<absl::CivilDay, int64_t>> points;  // by day
};

struct Panel {
  std::string heading;
  std::vector<LineSeries> lines;
  std::function<std::string(int64_t)> format;  // tick and value labels
};

constexpr double kLineLeft = 110;
constexpr double kLineRight = 570;
constexpr double kPanelHeight = 150;

std::string RenderPanel(const Panel& p, double* y) {
  std::string out;
  out += Text(16, *y + 16, Truncate(p.heading, 90), "font-weight=\"700\"");
  const double top = *y + 28;
  const double bottom = top + kPanelHeight;

  absl::CivilDay d0;
  absl::CivilDay d1;
  bool first = true;
  int64_t lo = 0;
  int64_t hi = 0;
  for (const LineSeries& s : p.lines) {
    for (const auto& [day, v] : s.points) {
      if (first || day < d0) d0 = day;
      if (first || day > d1) d1 = day;
      first = false;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  const IntAxis axis = NiceIntAxis(lo, hi);
  const int64_t days = first ? 0 : d1 - d0;
  const auto x_of = [&](absl::CivilDay day) {
    if (days == 0) return (kLineLeft + kLineRight) / 2;
    return kLineLeft +
           static_cast<double>(day - d0) / static_cast<double>(days) * (kLineRight - kLineLeft);
  };
  const auto y_of = [&](int64_t v) {
    const int64_t clamped = std::clamp(v, -kAxisLimit, kAxisLimit);
    return bottom - static_cast<double>(clamped - axis.min) /
                        static_cast<double>(axis.max - axis.min) * kPanelHeight;
  };

  out += "<g aria-hidden=\"true\">\n";
  for (int64_t v = axis.min; v <= axis.max; v += axis.step) {
    const double yy = y_of(v);
    out += Line(kLineLeft, yy, kLineRight, yy,
                absl::StrCat("stroke=\"", v == 0 ? kAxis : kGrid, "\" stroke-width=\"1\""));
    out += Text(kLineLeft - 6, yy + 4, p.format(v),
                absl::StrCat("text-anchor=\"end\" fill=\"", kMuted, "\" font-size=\"11\""));
  }
  if (!first) {
    std::vector<int64_t> offsets;
    for (int i = 0; i <= 5; ++i) {
      const int64_t o = days * i / 5;
      if (offsets.empty() || offsets.back() != o) offsets.push_back(o);
    }
    for (const int64_t o : offsets) {
      const double xx = x_of(d0 + o);
      out += Line(xx, bottom, xx, bottom + 4, absl::StrCat("stroke=\"", kAxis, "\""));
      out += Text(xx, bottom + 16, DayText(d0 + o),
                  absl::StrCat("text-anchor=\"middle\" fill=\"", kMuted, "\" font-size=\"11\""));
    }
  }
  out += Line(kLineLeft, bottom, kLineRight, bottom, absl::StrCat("stroke=\"", kAxis, "\""));
  out += "</g>\n";

  // End labels: the last value of each line, nudged apart vertically.
  struct EndLabel {
    double x;
    double y;
    std::string text;
    std::string color;
  };
  std::vector<EndLabel> labels;
  for (const LineSeries& s : p.lines) {
    if (s.points.empty()) continue;
    const auto& [first_day, first_value] = s.points.front();
    const auto& [last_day, last_value] = s.points.back();
    const auto peak =
        std::max_element(s.points.begin(), s.points.end(),
                         [](const auto& a, const auto& b) { return a.second < b.second; });
    out += absl::StrCat(
        "<g><title>",
        Esc(absl::StrCat(p.heading, " \u00b7 ", s.name, ": ", p.format(first_value), " on ",
                         DayText(first_day), ", ", p.format(last_value), " on ", DayText(last_day),
                         "; highest ", p.format(peak->second), " on ", DayText(peak->first))),
        "</title>\n");
    std::string points;
    for (const auto& [day, v] : s.points) {
      if (!points.empty()) points += ' ';
      absl::StrAppend(&points, C(x_of(day)), ",", C(y_of(v)));
    }
    out += absl::StrCat("<polyline points=\"", points, "\" fill=\"none\" stroke=\"", s.color,
                        "\" stroke-width=\"2\" stroke-linejoin=\"round\"",
                        s.dash.empty() ? "" : absl::StrCat(" stroke-dasharray=\"", s.dash, "\""),
                        "/>\n");
    out += absl::StrCat("<circle cx=\"", C(x_of(last_day)), "\" cy=\"", C(y_of(last_value)),
                        "\" r=\"3\" fill=\"", s.color, "\"/>\n");
    out += "</g>\n";
    labels.push_back({x_of(last_day) + 7, y_of(last_value) + 4,
                      absl::StrCat(s.name, ": ", p.format(last_value)), s.color});
  }
  std::sort(labels.begin(), labels.end(), [](const EndLabel& a, const EndLabel& b) {
    return a.y != b.y ? a.y < b.y : a.text < b.text;
  });
  for (size_t i = 1; i < labels.size(); ++i) {
    labels[i].y = std::max(labels[i].y, labels[i - 1].y + 13);
  }
  // Not below the x axis (its date labels): push the lowest labels back up.
  double limit = bottom + 4;
  for (size_t i = labels.size(); i-- > 0;) {
    labels[i].y = std::min(labels[i].y, limit);
    limit = labels[i].y - 13;
  }
  for (const EndLabel& l : labels) {
    // The line's name and its last value when it fits, else the value alone (the legend and the
    // line's <title> name it).
    const std::string text =
        l.x + TextWidth(l.text, 11) <= kWidth - 4 ? l.text : l.text.substr(l.text.rfind(": ") + 2);
    out += Text(l.x, l.y, text,
                absl::StrCat("fill=\"", l.color, "\" font-size=\"11\" aria-hidden=\"true\""));
  }

  if (first)
    out +=
        Text(kLineLeft + 8, top + 20, "No points recorded.", absl::StrCat("fill=\"", kMuted, "\""));
  *y = bottom + 34;
  return out;
}

ChartFile LineChart(std::string id, std::string title, std::string description,
                    const std::string& caption, const std::vector<LegendEntry>& legend,
                    const std::vector<Panel>& panels) {
  std::string body;
  body += Text(16, 44, caption, absl::StrCat("fill=\"", kMuted, "\""));
  double y = Legend(&body, legend, 68) + 6;
  for (const Panel& p : panels) body += RenderPanel(p, &y);
  ChartFile f{std::move(id), std::move(title), std::move(description), ""};
  f.svg = Svg(f.id, y, f.title, f.description, body);
  return f;
}

// TenantSeries are one tenant's daily points by day (a later point for a day replaces an
// earlier one).
using TenantSeries = std::map<std::string, std::map<absl::CivilDay, DailyPoint>>;

TenantSeries ByTenant(const std::vector<DailyPoint>& series) {
  TenantSeries out;
  for (const DailyPoint& p : series) out[p.tenant][p.day] = p;
  return out;
}

// TenantCurrency is the tenant's only currency in the report, or "" (raw minor units).
std::string TenantCurrency(const Report& r, const std::string& tenant) {
  const auto it = r.tenants.find(tenant);
  if (it == r.tenants.end() || it->second.total.by_currency.size() != 1) return "";
  const std::string& currency = it->second.total.by_currency.begin()->first;
  return rules::MinorUnitExponent(currency).has_value() ? currency : "";
}

std::function<std::string(int64_t)> MoneyFormat(const std::string& currency) {
  if (currency.empty()) return [](int64_t v) { return Signed(v); };
  return [currency](int64_t v) { return Amount(v, currency); };
}

constexpr char kBlue[] = "#1f5f9e";
constexpr char kGreen[] = "#2e7d32";
constexpr char kRed[] = "#b00020";

ChartFile OpenReceivablesChart(const Report& r, const TenantSeries& series) {
  std::vector<Panel> panels;
  for (const auto& [tenant, days] : series) {
    const std::string currency = TenantCurrency(r, tenant);
    Panel p;
    p.heading = absl::StrCat(tenant, " (", currency.empty() ? "minor units" : currency, ")");
    p.format = MoneyFormat(currency);
    LineSeries open{"open receivables", kBlue, "", {}};
    LineSeries collected{"collected to date", kGreen, "6 3", {}};
    int64_t running = 0;
    for (const auto& [day, point] : days) {
      open.points.emplace_back(day, point.open_receivables_minor);
      running += point.collected_minor;
      collected.points.emplace_back(day, running);
    }
    p.lines = {std::move(open), std::move(collected)};
    panels.push_back(std::move(p));
  }
  return LineChart(
      "open_receivables", "Open receivables and collected to date, day by day",
      "Line charts, one panel per tenant: open receivables at the end of each simulated day "
      "(solid) and the running total of money collected since the first recorded day (dashed). "
      "Amounts in the tenant's currency. Falling open receivables with a rising collected line "
      "mean the portfolio is being worked down.",
      "Amounts at the end of each simulated day, in each tenant's currency",
      {{kBlue, "open receivables", true, ""}, {kGreen, "collected to date", true, "6 3"}}, panels);
}

ChartFile CasesOpenChart(const TenantSeries& series) {
  std::vector<Panel> panels;
  for (const auto& [tenant, days] : series) {
    Panel p;
    p.heading = tenant;
    p.format = [](int64_t v) { return Signed(v); };
    LineSeries open{"cases open", kBlue, "", {}};
    LineSeries legal{"in legal", kRed, "6 3", {}};
    for (const auto& [day, point] : days) {
      open.points.emplace_back(day, point.cases_open);
      legal.points.emplace_back(day, point.in_legal);
    }
    p.lines = {std::move(open), std::move(legal)};
    panels.push_back(std::move(p));
  }
  return LineChart(
      "cases_open", "Cases open and cases in legal, day by day",
      "Line charts, one panel per tenant: collection cases open at the end of each simulated day "
      "(solid) and those of them in the legal state (dashed).",
      "Number of cases at the end of each simulated day",
      {{kBlue, "cases open", true, ""}, {kRed, "in legal", true, "6 3"}}, panels);
}

// ---------------------------------------------------------------------------------------------
// The KPI table: every KPI, its value per group and how to read it.
// ---------------------------------------------------------------------------------------------

using CurrencyText = std::function<std::string(const std::string&, const CurrencyKpis&)>;

// PerCurrency gives one line per currency; ratios get a "EUR: " prefix when the group has
// several currencies (money carries its code anyway).
std::vector<std::string> PerCurrency(const GroupKpis& g, const CurrencyText& text, bool prefix) {
  if (g.by_currency.empty()) return {"none"};
  std::vector<std::string> out;
  for (const auto& [currency, k] : g.by_currency) {
    out.push_back(
        absl::StrCat(prefix && g.by_currency.size() > 1 ? currency + ": " : "", text(currency, k)));
  }
  return out;
}

CurrencyText MoneyOf(int64_t CurrencyKpis::*member) {
  return [member](const std::string& c, const CurrencyKpis& k) { return Money(k.*member, c); };
}

CurrencyText FigureOf(Figure CurrencyKpis::*member, std::string suffix) {
  return [member, suffix](const std::string&, const CurrencyKpis& k) {
    return FigureText(k.*member, suffix);
  };
}

std::vector<std::string> AgeingLines(const GroupKpis& g, AgeingAmounts CurrencyKpis::*member) {
  if (g.by_currency.empty()) return {"none"};
  std::vector<std::string> out;
  for (const auto& [currency, k] : g.by_currency) {
    for (int i = 0; i < kAgeingBucketCount; ++i) {
      out.push_back(
          absl::StrCat(BucketName(i), ": ", Money((k.*member)[static_cast<size_t>(i)], currency)));
    }
  }
  return out;
}

std::string LegalStatus(const Figure& f) {
  const std::optional<double> v = Value(f);
  if (!v.has_value()) return "";
  return *v < 5.0 ? " \u2014 meets the goal (under 5%)" : " \u2014 above the 5% goal";
}

// KpiRow is one KPI of the table.
struct KpiRow {
  std::string name;
  std::string how;  // one line: how to read it, with the formula and its RULEBOOK reference
  std::function<std::vector<std::string>(const GroupKpis&)> value;
};

// WithReasons: the total, then one line per reason.
std::vector<std::string> WithReasons(int64_t total, const std::map<std::string, int64_t>& by_reason) {
  std::vector<std::string> out = {absl::StrCat(total, " in total")};
  for (const auto& [reason, n] : by_reason) out.push_back(absl::StrCat(reason, ": ", n));
  return out;
}

std::vector<std::string> One(std::string s) { return {std::move(s)}; }

const std::vector<KpiRow>& KpiRows() {
  static const auto* const kRows = new std::vector<KpiRow>{
      {"Invoices placed",
       "Invoices that fell overdue in the period with an open balance, valued at the end of their "
       "due date; the base of the collection rate and the legal ratio.",
       [](const GroupKpis& g) {
         return PerCurrency(
             g,
             [](const std::string& c, const CurrencyKpis& k) {
               return absl::StrCat(Money(k.placed, c), " in ",
                                   Counted(k.invoices_placed, "invoice"));
             },
             false);
       }},
      {"Collected",
       "Payments allocated in the period (principal + interest + costs), net of reversals; credit "
       "held on account is not collected.",
       [](const GroupKpis& g) { return PerCurrency(g, MoneyOf(&CurrencyKpis::collected), false); }},
      {"Collection rate",
       "Principal collected by the period end on the invoices placed in the period \u00f7 their "
       "placed value (reporting_api.proto collected \u00f7 placed; the RULEBOOK has no formula). "
       "Higher is better.",
       [](const GroupKpis& g) {
         return PerCurrency(
             g,
             [](const std::string& c, const CurrencyKpis& k) {
               if (!k.collection_rate_bp.has_value()) return std::string("n/a (nothing placed)");
               return absl::StrCat(PercentBp(k.collection_rate_bp), " (",
                                   Money(k.collected_on_placed, c), " of ", Money(k.placed, c),
                                   ")");
             },
             true);
       }},
      {"Credit sales",
       "Net invoicing of the period: issued + credit/debit notes \u2212 cancellations; the "
       "\u201ccredit sales\u201d of the RULEBOOK DSO and CEI formulas.",
       [](const GroupKpis& g) {
         return PerCurrency(g, MoneyOf(&CurrencyKpis::credit_sales), false);
       }},
      {"Opening receivables",
       "Open balances at the end of the day before the period: the \u201cbegin AR\u201d of the "
       "RULEBOOK CEI.",
       [](const GroupKpis& g) {
         return PerCurrency(g, MoneyOf(&CurrencyKpis::opening_receivables), false);
       }},
      {"Closing receivables",
       "Open balances at the period end, and the part not yet due (current): the AR and current "
       "AR of the RULEBOOK DSO and CEI formulas.",
       [](const GroupKpis& g) {
         return PerCurrency(
             g,
             [](const std::string& c, const CurrencyKpis& k) {
               return absl::StrCat(Money(k.closing_receivables, c), " (current ",
                                   Money(k.closing_current_receivables, c), ")");
             },
             false);
       }},
      {"Ageing at start",
       "Open balances by days past due at the period start (RULEBOOK ageing buckets: current, "
       "1\u201330, 31\u201360, 61\u201390, 90+); weight in the old buckets means old debt.",
       [](const GroupKpis& g) { return AgeingLines(g, &CurrencyKpis::ageing_opening); }},
      {"Ageing at end",
       "The same buckets at the period end; compare with the start: money moving right is "
       "getting older, money leaving the table was collected or written off.",
       [](const GroupKpis& g) { return AgeingLines(g, &CurrencyKpis::ageing_closing); }},
      {"Count-back DSO",
       "Days of sales the closing AR represents, counting back whole months of sales newest first "
       "(RULEBOOK count-back DSO). Lower is better; compare with the payment terms.",
       [](const GroupKpis& g) {
         return PerCurrency(g, FigureOf(&CurrencyKpis::count_back_dso_days, " days"), true);
       }},
      {"Simple DSO",
       "AR \u00f7 credit sales of the period \u00d7 days of the period (RULEBOOK simple DSO). "
       "Lower is better; jumpy when sales are small.",
       [](const GroupKpis& g) {
         return PerCurrency(g, FigureOf(&CurrencyKpis::simple_dso_days, " days"), true);
       }},
      {"Best possible DSO",
       "Current AR \u00f7 credit sales \u00d7 days (RULEBOOK best possible DSO): the DSO if "
       "every customer paid on time; set by the payment terms.",
       [](const GroupKpis& g) {
         return PerCurrency(g, FigureOf(&CurrencyKpis::best_possible_dso_days, " days"), true);
       }},
      {"ADD",
       "Average days delinquent = DSO \u2212 best possible DSO (RULEBOOK ADD, here with simple "
       "DSO as in worked example 6): days lost to late payment. Lower is better.",
       [](const GroupKpis& g) {
         return PerCurrency(g, FigureOf(&CurrencyKpis::add_days, " days"), true);
       }},
      {"CEI",
       "(begin AR + sales/N \u2212 end total AR) \u00f7 (begin AR + sales/N \u2212 end current "
       "AR) \u00d7 100, N = months (RULEBOOK CEI): share of the collectable money collected; "
       "100% is perfect.",
       [](const GroupKpis& g) {
         return PerCurrency(g, FigureOf(&CurrencyKpis::cei_percent, "%"), true);
       }},
      {"Expected credit loss",
       "\u03a3 closing balance of each ageing bucket \u00d7 its loss rate (RULEBOOK expected "
       "credit loss, IFRS 9 provision matrix); only when loss rates are configured.",
       [](const GroupKpis& g) {
         return PerCurrency(
             g,
             [](const std::string& c, const CurrencyKpis& k) {
               return k.expected_credit_loss.has_value()
                          ? Money(*k.expected_credit_loss, c)
                          : absl::StrCat("n/a (", k.expected_credit_loss_note, ")");
             },
             true);
       }},
      {"Escalations requested",
       "Cases the strategy sent to legal in the period, and how many the legal service rejected.",
       [](const GroupKpis& g) {
         return One(absl::StrCat(g.escalations_requested, " (", g.escalations_rejected,
                                 " rejected by legal)"));
       }},
      {"Escalated to legal",
       "Balance of the escalations in the period, minus those legal rejected: the numerator of "
       "the legal ratio.",
       [](const GroupKpis& g) { return PerCurrency(g, MoneyOf(&CurrencyKpis::escalated), false); }},
      {"Legal ratio",
       "Value escalated to legal \u00f7 value placed in collection (RULEBOOK legal ratio); goal: "
       "under 5%. Lower is better.",
       [](const GroupKpis& g) {
         return PerCurrency(
             g,
             [](const std::string&, const CurrencyKpis& k) {
               return absl::StrCat(FigureText(k.legal_ratio_percent, "%"),
                                   LegalStatus(k.legal_ratio_percent));
             },
             true);
       }},
      {"Promises made", "Promises to pay the debtors made in the period.",
       [](const GroupKpis& g) { return One(absl::StrCat(g.promises_made)); }},
      {"Promises kept",
       "Kept \u00f7 (kept + broken) of the promises that came due in the period; higher means "
       "promises are a reliable signal.",
       [](const GroupKpis& g) {
         return One(absl::StrCat(g.promises_kept, " of ", g.promises_kept + g.promises_broken,
                                 " resolved (", PercentBp(g.promises_kept_bp), ")"));
       }},
      {"Promises broken", "Promises that came due in the period without payment.",
       [](const GroupKpis& g) { return One(absl::StrCat(g.promises_broken)); }},
      {"Plans created", "Payment plans agreed in the period.",
       [](const GroupKpis& g) { return One(absl::StrCat(g.plans_created)); }},
      {"Plans completed",
       "Payment plans paid in full in the period; compare with plans broken: more completed than "
       "broken is good.",
       [](const GroupKpis& g) { return One(absl::StrCat(g.plans_completed)); }},
      {"Plans broken", "Payment plans that failed in the period (a missed instalment).",
       [](const GroupKpis& g) { return One(absl::StrCat(g.plans_broken)); }},
      {"Contacts requested",
       "Contact actions the strategy asked for (contact, call task, final notice, plan offer).",
       [](const GroupKpis& g) { return One(absl::StrCat(g.contacts_requested)); }},
      {"Contacts sent", "Contact attempts a provider accepted.",
       [](const GroupKpis& g) { return One(absl::StrCat(g.contacts_sent)); }},
      {"Contacts suppressed",
       "Attempts the contact policy dropped or handed to a person, by reason (frequency caps, "
       "no consent, vulnerability, ...): the rules working; many means the strategy asks for "
       "more than the rules allow.",
       [](const GroupKpis& g) { return WithReasons(g.contacts_suppressed, g.suppressed_by_reason); }},
      {"Contacts deferred",
       "Attempts the contact policy moved to the next allowed moment (quiet hours, weekends and "
       "holidays), by reason; they go out then.",
       [](const GroupKpis& g) { return WithReasons(g.contacts_deferred, g.deferred_by_reason); }},
      {"Contacts per 1,000 collected",
       "Contacts sent \u00f7 collected \u00d7 1,000 major units of the currency (per EUR 1,000): "
       "contact effort per money recovered; lower is more efficient.",
       [](const GroupKpis& g) {
         return PerCurrency(
             g,
             [](const std::string& c, const CurrencyKpis& k) {
               if (!k.contacts_per_1000_collected_centi.has_value())
                 return std::string("n/a (nothing collected)");
               return absl::StrCat(Hundredths(*k.contacts_per_1000_collected_centi), " (",
                                   k.contacts_sent, " sent / ", Money(k.collected, c), ")");
             },
             true);
       }},
      {"Cases opened", "Collection cases opened in the period.",
       [](const GroupKpis& g) { return One(absl::StrCat(g.cases_opened)); }},
      {"Cases closed", "Collection cases closed in the period, whatever the outcome.",
       [](const GroupKpis& g) { return One(absl::StrCat(g.cases_closed)); }},
      {"Relationship saved",
       "Closed cases paid or settled without legal whose debtor stays an active customer \u00f7 "
       "closed cases (RULEBOOK relationship saved). Higher is better.",
       [](const GroupKpis& g) {
         return One(absl::StrCat(FigureText(g.relationship_saved_percent, "%"), " (",
                                 g.relationships_saved, " of ",
                                 Counted(g.cases_closed, "closed case"), ")"));
       }},
      {"CSAT",
       "Average satisfaction survey answer, 1 (very unhappy) to 5 (very happy); 4 or more is good.",
       [](const GroupKpis& g) {
         if (!g.csat_average_centi.has_value()) return One("n/a (no answers)");
         return One(absl::StrCat(Hundredths(*g.csat_average_centi), " (",
                                 Counted(g.csat_responses, "answer"), ")"));
       }},
      {"NPS",
       "% promoters (9\u201310) \u2212 % detractors (0\u20136), from \u2212100 to +100; above 0 "
       "means more promoters than detractors.",
       [](const GroupKpis& g) {
         if (!g.nps_centi.has_value()) return One("n/a (no answers)");
         return One(absl::StrCat(*g.nps_centi > 0 ? "+" : "", Hundredths(*g.nps_centi), " (",
                                 Counted(g.nps_responses, "answer"), ": ", g.nps_promoters,
                                 " promoters, ", g.nps_passives, " passives, ", g.nps_detractors,
                                 " detractors)"));
       }},
  };
  return *kRows;
}

// ---------------------------------------------------------------------------------------------
// The page.
// ---------------------------------------------------------------------------------------------

constexpr char kCss[] = R"css(
:root { color-scheme: light; }
body { margin: 0; background: #ffffff; color: #1a1a1a; line-height: 1.45;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.8rem; margin: 0.6rem 0 0.2rem; }
h2 { font-size: 1.35rem; margin-top: 2.6rem; padding-bottom: 0.2rem; border-bottom: 2px solid #1f5f9e; }
h3 { font-size: 1.1rem; margin-top: 2rem; }
p.subtitle { margin: 0 0 1rem; color: #4d4d4d; font-size: 1.1rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.15rem 1rem; margin: 0.5rem 0 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
nav ul { padding-left: 1.2rem; }
a { color: #1f5f9e; }
a:focus, a:hover { outline: 2px solid #b34700; outline-offset: 2px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; margin: 0.5rem 0 1rem; }
caption { text-align: left; font-weight: 600; padding: 0.3rem 0; }
th, td { border: 1px solid #bfbfbf; padding: 0.35rem 0.5rem; text-align: left; vertical-align: top; }
thead th { background: #e8eff7; }
tbody th { font-weight: 600; white-space: nowrap; }
td.num { font-variant-numeric: tabular-nums; min-width: 7rem; }
td.how { color: #333333; font-size: 0.85rem; min-width: 18rem; }
.good { color: #1b5e20; font-weight: 600; }
.bad { color: #a00000; font-weight: 600; }
figure { margin: 1.5rem 0 2.2rem; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { color: #333333; font-size: 0.9rem; margin-top: 0.3rem; }
footer { margin-top: 3rem; color: #4d4d4d; font-size: 0.85rem; }
)css";

// Lines joins escaped lines with <br>.
std::string Lines(const std::vector<std::string>& lines) {
  std::vector<std::string> escaped;
  escaped.reserve(lines.size());
  for (const std::string& l : lines) escaped.push_back(Esc(l));
  return absl::StrJoin(escaped, "<br>");
}

std::string TenantAnchor(size_t index) { return absl::StrCat("tenant-", index + 1); }

// GlanceTable: one row per tenant group and currency with the headline figures.
std::string GlanceTable(const Report& r) {
  std::string out =
      "<div class=\"scroll\"><table>\n<caption>Headline figures per tenant and arm</caption>\n"
      "<thead><tr><th scope=\"col\">Tenant</th><th scope=\"col\">Group</th>"
      "<th scope=\"col\">Placed</th><th scope=\"col\">Collected</th>"
      "<th scope=\"col\">Collection rate</th><th scope=\"col\">Legal ratio (goal under 5%)</th>"
      "<th scope=\"col\">CEI</th><th scope=\"col\">Count-back DSO</th><th scope=\"col\">ADD</th>"
      "</tr></thead>\n<tbody>\n";
  for (const auto& [tenant, t] : r.tenants) {
    for (const Group& g : GroupsOf(t)) {
      if (g.kpis->by_currency.empty()) {
        absl::StrAppend(&out, "<tr><td>", Esc(tenant), "</td><td>", Esc(g.label),
                        "</td><td colspan=\"7\">no receivables</td></tr>\n");
        continue;
      }
      for (const auto& [currency, k] : g.kpis->by_currency) {
        std::string legal = Esc(FigureText(k.legal_ratio_percent, "%"));
        if (const std::optional<double> v = Value(k.legal_ratio_percent)) {
          legal = *v < 5.0 ? absl::StrCat("<span class=\"good\">", legal, " (meets goal)</span>")
                           : absl::StrCat("<span class=\"bad\">", legal, " (above goal)</span>");
        }
        absl::StrAppend(&out, "<tr><td>", Esc(tenant), "</td><td>", Esc(g.label),
                        "</td><td class=\"num\">", Esc(Money(k.placed, currency)),
                        "</td><td class=\"num\">", Esc(Money(k.collected, currency)),
                        "</td><td class=\"num\">", Esc(PercentBp(k.collection_rate_bp)),
                        "</td><td class=\"num\">", legal, "</td><td class=\"num\">",
                        Esc(FigureText(k.cei_percent, "%")), "</td><td class=\"num\">",
                        Esc(FigureText(k.count_back_dso_days, " days")), "</td><td class=\"num\">",
                        Esc(FigureText(k.add_days, " days")), "</td></tr>\n");
      }
    }
  }
  out += "</tbody>\n</table></div>\n";
  return out;
}

std::string TenantTable(const std::string& tenant, const TenantKpis& t) {
  const std::vector<Group> groups = GroupsOf(t);
  std::string out = absl::StrCat(
      "<div class=\"scroll\"><table>\n<caption>Every KPI of ", Esc(tenant),
      ", for the tenant and each arm</caption>\n<thead><tr><th scope=\"col\">KPI</th>");
  for (const Group& g : groups) absl::StrAppend(&out, "<th scope=\"col\">", Esc(g.label), "</th>");
  out += "<th scope=\"col\">How to read it</th></tr></thead>\n<tbody>\n";
  for (const KpiRow& row : KpiRows()) {
    absl::StrAppend(&out, "<tr><th scope=\"row\">", Esc(row.name), "</th>");
    for (const Group& g : groups)
      absl::StrAppend(&out, "<td class=\"num\">", Lines(row.value(*g.kpis)), "</td>");
    absl::StrAppend(&out, "<td class=\"how\">", Esc(row.how), "</td></tr>\n");
  }
  out += "</tbody>\n</table></div>\n";
  return out;
}

std::string SeriesTable(const Report& r, const TenantSeries& series) {
  std::string out =
      "<div class=\"scroll\"><table>\n<caption>The daily series in numbers</caption>\n"
      "<thead><tr><th scope=\"col\">Tenant</th><th scope=\"col\">Days</th>"
      "<th scope=\"col\">Open receivables, first day</th><th scope=\"col\">Open receivables, last "
      "day</th>"
      "<th scope=\"col\">Highest</th><th scope=\"col\">Collected over the days</th>"
      "<th scope=\"col\">Cases open, last day</th><th scope=\"col\">In legal, last day</th>"
      "</tr></thead>\n<tbody>\n";
  for (const auto& [tenant, days] : series) {
    const std::string currency = TenantCurrency(r, tenant);
    const auto money = [&](int64_t v) {
      return currency.empty() ? absl::StrCat(MoneyFormat("")(v), " minor units")
                              : Money(v, currency);
    };
    const DailyPoint& first = days.begin()->second;
    const DailyPoint& last = days.rbegin()->second;
    const DailyPoint* peak = &first;
    int64_t collected = 0;
    for (const auto& [day, p] : days) {
      if (p.open_receivables_minor > peak->open_receivables_minor) peak = &p;
      collected += p.collected_minor;
    }
    absl::StrAppend(
        &out, "<tr><td>", Esc(tenant), "</td><td class=\"num\">",
        Esc(absl::StrCat(DayText(first.day), " to ", DayText(last.day), " (",
                         Counted(static_cast<int64_t>(days.size()), "point"), ")")),
        "</td><td class=\"num\">", Esc(money(first.open_receivables_minor)),
        "</td><td class=\"num\">", Esc(money(last.open_receivables_minor)),
        "</td><td class=\"num\">",
        Esc(absl::StrCat(money(peak->open_receivables_minor), " on ", DayText(peak->day))),
        "</td><td class=\"num\">", Esc(money(collected)), "</td><td class=\"num\">",
        last.cases_open, "</td><td class=\"num\">", last.in_legal, "</td></tr>\n");
  }
  out += "</tbody>\n</table></div>\n";
  return out;
}

std::string FigureHtml(const ChartFile& c) {
  return absl::StrCat("<figure id=\"chart-", c.id, "\">\n", c.svg, "<figcaption>",
                      Esc(c.description), " Also as a file: <a href=\"", c.id, ".svg\">", c.id,
                      ".svg</a>.</figcaption>\n", "</figure>\n");
}

constexpr char kExplanation[] = R"html(
<h3>What this report is</h3>
<p>A snapshot of the KPI fold (<code>services/reporting</code>): every event the services
published (invoices, payments, cases, contacts, legal) folded into the KPIs of the RULEBOOK
&#8220;KPIs&#8221; table, per tenant and per strategy arm, over the period in the header. The
same fold feeds the demo&#39;s text table and the reporting service, so every figure has one
definition. The long form of each KPI, with its formula and what good looks like, is
<code>docs/kpis.md</code>.</p>
<h3>Champion and challenger</h3>
<p>Each debtor belongs to the arm (strategy id and variant) of the assignment on its latest case
event; its invoices, payments, contacts, promises, plans and surveys count for that arm. Debtors
without a case are &#8220;unassigned&#8221;. The arms add up to the tenant total (&#8220;all&#8221;).
Compare the champion and challenger bars of one tenant: the challenger wins when it collects more
(collection rate, CEI), sooner (DSO, ADD), with fewer legal escalations (legal ratio under 5%),
fewer contacts per money collected and without hurting the relationship (relationship saved,
CSAT, NPS).</p>
<h3>Numbers</h3>
<ul>
<li>Money is kept and shown per ISO 4217 currency, exactly, from integer minor units; amounts of
different currencies are never added up.</li>
<li>Percentages and days computed by a RULEBOOK formula (DSO, ADD, CEI, legal ratio,
relationship saved) are one division of exact integers, shown to 2 decimals. Rates this report
owns (collection rate, promises kept, CSAT, NPS, contacts per 1,000) are exact integer ratios
rounded once.</li>
<li>&#8220;n/a&#8221; means the figure is undefined for the period, with the reason: for example no
credit sales (no DSO) or nothing placed (no collection rate, no legal ratio).</li>
</ul>
<h3>Definitions to know</h3>
<ul>
<li><strong>Placed</strong>: an invoice is placed in collection on the day after its due date if
it still has an open balance; its placed value is that balance.</li>
<li><strong>Collection rate</strong> is a cohort: the money collected on the invoices placed in
the period, so it stays between 0 and 100%. Money collected on older placements counts in
&#8220;collected&#8221; but not in the rate.</li>
<li><strong>ADD</strong> is simple DSO minus best possible DSO over the same period and sales
(RULEBOOK worked example 6); count-back DSO is reported on its own.</li>
<li><strong>Legal ratio</strong> counts escalations requested in the period minus those the legal
service rejected. The goal is under 5%: the dashed line in the chart.</li>
<li><strong>Ageing</strong> at start is the position at the end of the day before the period;
ageing at end is at the last day of the period.</li>
</ul>
<h3>Reading the charts</h3>
<p>Bar charts have one group per tenant (and currency), one bar per arm, with the value written
next to each bar; hovering a bar shows its full label. The ageing chart stacks the five buckets
from current (green) to 90+ days (dark red). The time charts, when the run recorded a daily
series, show the end-of-day position of each simulated day.</p>
)html";

std::string IndexHtml(const Report& r, const TenantSeries& series, const HtmlReportOptions& options,
                      const std::vector<ChartFile>& charts) {
  const std::string title = options.title.empty() ? "Concerto KPI report" : options.title;
  std::string out = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
      Esc(title), "</title>\n<style>", kCss, "</style>\n</head>\n<body>\n<main>\n<header>\n<h1>",
      Esc(title), "</h1>\n");
  if (!options.subtitle.empty())
    absl::StrAppend(&out, "<p class=\"subtitle\">", Esc(options.subtitle), "</p>\n");
  out += "<dl class=\"facts\">\n";
  for (const auto& [name, value] : options.run_facts) {
    absl::StrAppend(&out, "<dt>", Esc(name), "</dt><dd>", Esc(value), "</dd>\n");
  }
  absl::StrAppend(&out, "<dt>period</dt><dd>", Esc(PeriodText(r)), "</dd>\n",
                  "<dt>tenants</dt><dd>",
                  r.tenants.size(), "</dd>\n</dl>\n</header>\n");

  out +=
      "<nav aria-label=\"Contents\">\n<ul>\n<li><a href=\"#glance\">At a glance</a></li>\n"
      "<li><a href=\"#charts\">Charts</a></li>\n<li><a href=\"#tenants\">Every KPI per "
      "tenant</a>\n<ul>\n";
  size_t index = 0;
  for (const auto& [tenant, unused] : r.tenants) {
    absl::StrAppend(&out, "<li><a href=\"#", TenantAnchor(index++), "\">", Esc(tenant),
                    "</a></li>\n");
  }
  out +=
      "</ul>\n</li>\n<li><a href=\"#explanation\">How to read this "
      "report</a></li>\n</ul>\n</nav>\n";

  out +=
      "<section id=\"glance\" aria-labelledby=\"glance-h\">\n<h2 id=\"glance-h\">At a "
      "glance</h2>\n";
  if (r.tenants.empty()) {
    out += "<p>No tenants: no events were folded for this period.</p>\n";
  } else {
    out += GlanceTable(r);
  }
  out += "</section>\n";

  out += "<section id=\"charts\" aria-labelledby=\"charts-h\">\n<h2 id=\"charts-h\">Charts</h2>\n";
  for (const ChartFile& c : charts) out += FigureHtml(c);
  if (series.empty()) {
    out += "<p>No daily series was recorded for this run, so there are no time charts.</p>\n";
  } else {
    out += SeriesTable(r, series);
  }
  out += "</section>\n";

  out +=
      "<section id=\"tenants\" aria-labelledby=\"tenants-h\">\n<h2 id=\"tenants-h\">Every KPI per "
      "tenant</h2>\n";
  if (r.tenants.empty()) out += "<p>No tenants.</p>\n";
  index = 0;
  for (const auto& [tenant, t] : r.tenants) {
    const std::string anchor = TenantAnchor(index++);
    absl::StrAppend(&out, "<section id=\"", anchor, "\" aria-labelledby=\"", anchor,
                    "-h\">\n<h3 id=\"", anchor, "-h\">", Esc(tenant), "</h3>\n",
                    TenantTable(tenant, t), "</section>\n");
  }
  out += "</section>\n";

  absl::StrAppend(&out, "<section id=\"explanation\" aria-labelledby=\"explanation-h\">\n",
                  "<h2 id=\"explanation-h\">How to read this report</h2>\n", kExplanation,
                  "</section>\n");
  out +=
      "<footer>\n<p>Generated by Concerto from the KPI fold. Formulas: RULEBOOK "
      "&#8220;KPIs&#8221;; how to read each KPI: "
      "docs/kpis.md.</p>\n</footer>\n</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace

std::vector<ReportFile> RenderHtmlReport(const Report& report, const HtmlReportOptions& options) {
  return RenderHtmlReport(report, std::vector<DailyPoint>{}, options);
}

std::vector<ReportFile> RenderHtmlReport(const Report& report,
                                         const std::vector<DailyPoint>& series,
                                         const HtmlReportOptions& options) {
  const TenantSeries by_tenant = ByTenant(series);
  std::vector<ChartFile> charts = {
      CollectionRateChart(report), LegalRatioChart(report), AgeingChart(report),
      CountBackDsoChart(report),   CeiChart(report),        AddChart(report),
      SuppressedChart(report)};
  if (!by_tenant.empty()) {
    charts.push_back(OpenReceivablesChart(report, by_tenant));
    charts.push_back(CasesOpenChart(by_tenant));
  }
  std::vector<ReportFile> files;
  files.push_back({"index.html", IndexHtml(report, by_tenant, options, charts)});
  for (ChartFile& c : charts) files.push_back({absl::StrCat(c.id, ".svg"), std::move(c.svg)});
  return files;
}

}  // namespace concerto::reporting
