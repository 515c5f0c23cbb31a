// HTML report: renders a KPI fold snapshot (reporting::Report) and, optionally, the daily series
// the demo records while it runs, as a self-contained index.html (inline CSS, the SVG charts
// inlined, no JavaScript, no external resources) plus one standalone .svg file per chart.
//
// Pure: no I/O, no clock. It returns the files' names and contents; the caller writes them to a
// folder. The output depends only on the inputs (render twice -> identical bytes).
// Money is formatted exactly from integer minor units (no floating point); percentages and day
// counts that come from Figure doubles are printed with 2 fixed decimals. Every string that
// reaches the HTML or an SVG (tenant names, arm labels, reasons, options) is escaped.
// How to read each KPI: docs/kpis.md; formulas: /work/shared/RULEBOOK.md "KPIs".
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/civil_time.h"
#include "services/reporting/domain/kpi_fold.h"

namespace concerto::reporting {

// ReportFile is one file of the rendered report: a bare file name ("index.html",
// "legal_ratio.svg", never a path) and its whole content (UTF-8).
struct ReportFile {
  std::string name;
  std::string content;
};

// HtmlReportOptions are the texts around the figures; all of them are escaped.
struct HtmlReportOptions {
  // Page title and heading; empty: "Concerto KPI report".
  std::string title;
  // One line under the title, e.g. "Simulated portfolio, champion vs challenger"; may be empty.
  std::string subtitle;
  // Facts about the run, shown in this order under the title (seed, days, debtors as text),
  // e.g. {{"seed", "42"}, {"days", "90"}, {"debtors", "1,000"}}.
  std::vector<std::pair<std::string, std::string>> run_facts;
};

// RenderHtmlReport renders index.html plus one .svg per chart (collection_rate, legal_ratio,
// ageing, count_back_dso, cei, add, contacts_suppressed). index.html comes first, the .svg
// files follow in the order the page shows them; each .svg is also inlined in index.html.
std::vector<ReportFile> RenderHtmlReport(const Report& report, const HtmlReportOptions& options);

// DailyPoint is one tenant's position at the end of one simulated day, recorded by the demo while
// it runs (one point per simulated day per tenant); the time charts draw them. Amounts are minor
// units of the tenant's currency: the single currency of that tenant in the Report (a tenant
// with several currencies, or absent from the Report, is drawn in raw minor units).
struct DailyPoint {
  absl::CivilDay day;
  std::string tenant;
  int64_t open_receivables_minor = 0;  // open balances at the end of the day
  int64_t collected_minor = 0;         // collected ON that day (drawn as a running total)
  int64_t cases_open = 0;              // cases open at the end of the day
  int64_t in_legal = 0;                // of which in the LEGAL state
};

// RenderHtmlReport renders as above, plus two time charts from the daily series:
// open_receivables.svg (open receivables and collected to date, one panel per tenant) and
// cases_open.svg (cases open and in legal, one panel per tenant). Points may come in any order;
// a second point for the same tenant and day replaces the first. An empty series renders
// exactly what the overload without a series renders.
std::vector<ReportFile> RenderHtmlReport(const Report& report,
                                         const std::vector<DailyPoint>& series,
                                         const HtmlReportOptions& options);

}  // namespace concerto::reporting
