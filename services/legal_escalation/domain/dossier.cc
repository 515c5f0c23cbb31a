#include "services/legal_escalation/domain/dossier.h"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "concerto/dunning/v1/strategy.pb.h"
#include "services/legal_escalation/domain/internal/convert.h"

namespace concerto::legal {
namespace {

using internal::AmountText;
using internal::DateText;
using internal::TimestampText;

constexpr char kContactSource[] = "concerto.invoice.v1.InvoiceService/GetDebtorContact";
constexpr char kContactPurpose[] = "CONTACT_PURPOSE_LEGAL_DOSSIER";
constexpr size_t kTextWidth = 100;

// Json is a small JSON value with ordered object keys.
class Json {
 public:
  enum class Kind { kNull, kString, kInt, kBool, kObject, kArray };

  static Json Null() { return Json(Kind::kNull); }
  static Json Str(std::string s) {
    Json j(Kind::kString);
    j.str_ = std::move(s);
    return j;
  }
  static Json Int(int64_t n) {
    Json j(Kind::kInt);
    j.int_ = n;
    return j;
  }
  static Json Bool(bool b) {
    Json j(Kind::kBool);
    j.bool_ = b;
    return j;
  }
  static Json Object() { return Json(Kind::kObject); }
  static Json Array() { return Json(Kind::kArray); }

  // Set adds a key (objects), Push an element (arrays); both return *this for chaining.
  Json& Set(std::string key, Json value) {
    members_.emplace_back(std::move(key), std::move(value));
    return *this;
  }
  Json& Push(Json value) {
    members_.emplace_back("", std::move(value));
    return *this;
  }

  void Write(int indent, std::string* out) const {
    switch (kind_) {
      case Kind::kNull:
        out->append("null");
        return;
      case Kind::kString:
        Quote(str_, out);
        return;
      case Kind::kInt:
        absl::StrAppend(out, int_);
        return;
      case Kind::kBool:
        out->append(bool_ ? "true" : "false");
        return;
      case Kind::kObject:
      case Kind::kArray:
        break;
    }
    const bool object = kind_ == Kind::kObject;
    if (members_.empty()) {
      out->append(object ? "{}" : "[]");
      return;
    }
    out->push_back(object ? '{' : '[');
    for (size_t i = 0; i < members_.size(); ++i) {
      out->append(i == 0 ? "\n" : ",\n");
      out->append(static_cast<size_t>(indent + 2), ' ');
      if (object) {
        Quote(members_[i].first, out);
        out->append(": ");
      }
      members_[i].second.Write(indent + 2, out);
    }
    out->push_back('\n');
    out->append(static_cast<size_t>(indent), ' ');
    out->push_back(object ? '}' : ']');
  }

 private:
  explicit Json(Kind kind) : kind_(kind) {}

  static void Quote(absl::string_view s, std::string* out) {
    out->push_back('"');
    for (unsigned char c : s) {
      switch (c) {
        case '"':
          out->append("\\\"");
          break;
        case '\\':
          out->append("\\\\");
          break;
        case '\n':
          out->append("\\n");
          break;
        case '\r':
          out->append("\\r");
          break;
        case '\t':
          out->append("\\t");
          break;
        default:
          if (c < 0x20) {
            absl::StrAppendFormat(out, "\\u%04x", c);
          } else {
            out->push_back(static_cast<char>(c));
          }
      }
    }
    out->push_back('"');
  }

  Kind kind_;
  std::string str_;
  int64_t int_ = 0;
  bool bool_ = false;
  std::vector<std::pair<std::string, Json>> members_;
};

Json MoneyJson(const common::v1::Money& m) {
  return Json::Object()
      .Set("minor_units", Json::Int(m.minor_units()))
      .Set("currency", Json::Str(m.currency()))
      .Set("text", Json::Str(AmountText(m)));
}

Json DateJson(const common::v1::Date& d) {
  return internal::HasDate(d) ? Json::Str(DateText(d)) : Json::Null();
}

Json TimeJson(const google::protobuf::Timestamp& ts) {
  const std::string t = TimestampText(ts);
  return t.empty() ? Json::Null() : Json::Str(t);
}

std::string DebtorTypeName(dunning::v1::DebtorType t) {
  switch (t) {
    case dunning::v1::DEBTOR_TYPE_CONSUMER:
      return "CONSUMER";
    case dunning::v1::DEBTOR_TYPE_BUSINESS:
      return "BUSINESS";
    default:
      return "UNKNOWN";
  }
}

// Figures are the amounts of a case derived for the dossier.
struct Figures {
  std::string currency;
  int64_t recoverable_costs = 0;
  // claimed + recoverable costs - recovered, or the agreed settlement - recovered once settled;
  // zero once closed or recalled (never below zero).
  int64_t outstanding = 0;
};

Figures FiguresOf(const state::v1::LegalCaseRecord& rec) {
  const v1::LegalCase& lc = rec.legal_case();
  Figures f;
  f.currency = lc.claimed().currency();
  for (const auto& c : lc.costs())
    f.recoverable_costs += c.recoverable() ? c.amount().minor_units() : 0;
  // A settlement replaces the claim with the agreed amount.
  f.outstanding =
      lc.status() == v1::LEGAL_CASE_STATUS_SETTLED && rec.has_settlement()
          ? rec.settlement().amount().minor_units() - lc.recovered().minor_units()
          : lc.claimed().minor_units() + f.recoverable_costs - lc.recovered().minor_units();
  if (f.outstanding < 0 || lc.status() == v1::LEGAL_CASE_STATUS_CLOSED ||
      lc.status() == v1::LEGAL_CASE_STATUS_RECALLED) {
    f.outstanding = 0;
  }
  return f;
}

struct FreeTextCounts {
  int operator_notes = 0;
  int stage_notes = 0;
  int cost_descriptions = 0;
};

FreeTextCounts CountFreeText(const state::v1::LegalCaseRecord& rec) {
  FreeTextCounts n;
  n.operator_notes = rec.notes_size();
  for (const auto& s : rec.legal_case().stages()) n.stage_notes += s.note().empty() ? 0 : 1;
  for (const auto& c : rec.legal_case().costs())
    n.cost_descriptions += c.description().empty() ? 0 : 1;
  return n;
}

std::string PersonalDataNote(const std::string& debtor_id) {
  return absl::StrCat(
      "No personal data in this dossier. The debtor's name, address and contact "
      "points are read when the partner needs them from ",
      kContactSource, " (debtor_id ", debtor_id, ", purpose ", kContactPurpose,
      "; audited there).");
}

// Wrap appends `text` to `out` as lines of at most kTextWidth characters; continuation lines
// are indented by `hang` spaces.
void Wrap(const std::string& text, size_t hang, std::vector<std::string>* out) {
  if (text.size() <= kTextWidth) {
    out->push_back(text);
    return;
  }
  const size_t indent = std::min(text.find_first_not_of(' '), text.size());
  std::string line(indent, ' ');
  bool empty = true;  // no word on `line` yet
  for (absl::string_view word :
       absl::StrSplit(absl::string_view(text).substr(indent), ' ', absl::SkipEmpty())) {
    if (!empty && line.size() + 1 + word.size() > kTextWidth) {
      out->push_back(line);
      line = std::string(hang, ' ');
      empty = true;
    }
    if (!empty) line.push_back(' ');
    absl::StrAppend(&line, word);
    empty = false;
  }
  if (!empty) out->push_back(line);
}

std::string PdfEscape(absl::string_view line) {
  std::string out;
  for (unsigned char c : line) {
    if (c == '(' || c == ')' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c > 0x7e) {
      out.push_back('?');
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

}  // namespace

std::string DossierJson(const state::v1::LegalAccount& account,
                        const state::v1::LegalCaseRecord& rec, absl::Time generated_at) {
  const v1::LegalCase& lc = rec.legal_case();
  const Figures fig = FiguresOf(rec);
  google::protobuf::Timestamp generated;
  internal::SetTimestamp(generated_at, &generated);

  Json legal_case = Json::Object();
  legal_case.Set("legal_case_id", Json::Str(lc.legal_case_id()))
      .Set("case_id", Json::Str(lc.case_id()))
      .Set("debtor_id", Json::Str(lc.debtor_id()))
      .Set("escalation_request_id", Json::Str(lc.escalation_request_id()))
      .Set("status", Json::Str(internal::StatusName(lc.status())))
      .Set("stage", Json::Str(internal::StageName(lc.stage())))
      .Set("partner_id", Json::Str(lc.partner_id()))
      .Set("jurisdiction", lc.jurisdiction().empty() ? Json::Null() : Json::Str(lc.jurisdiction()))
      .Set("debtor_type", Json::Str(DebtorTypeName(rec.debtor_type())))
      .Set("opened_at", TimeJson(lc.opened_at()))
      .Set("closed_at", TimeJson(lc.closed_at()))
      .Set("outcome", lc.outcome() == v1::LEGAL_OUTCOME_UNSPECIFIED
                          ? Json::Null()
                          : Json::Str(internal::OutcomeName(lc.outcome())));

  Json claim = Json::Object();
  claim.Set("claimed", MoneyJson(lc.claimed()))
      .Set("costs_total", MoneyJson(lc.costs_total()))
      .Set("recoverable_costs", MoneyJson(internal::MoneyOf(fig.recoverable_costs, fig.currency)))
      .Set("recovered", MoneyJson(lc.recovered()))
      .Set("written_off", MoneyJson(rec.has_written_off() ? rec.written_off()
                                                          : internal::MoneyOf(0, fig.currency)))
      .Set("outstanding", MoneyJson(internal::MoneyOf(fig.outstanding, fig.currency)));

  Json invoices = Json::Array();
  for (const auto& inv : rec.invoices()) {
    invoices.Push(Json::Object()
                      .Set("invoice_id", Json::Str(inv.invoice_id()))
                      .Set("open_balance", MoneyJson(inv.open_balance()))
                      .Set("due_date", DateJson(inv.due_date())));
  }
  if (rec.invoices_size() == 0) {
    for (const auto& id : lc.invoice_ids())
      invoices.Push(Json::Object().Set("invoice_id", Json::Str(id)));
  }

  Json eligibility = Json::Array();
  for (const auto& c : rec.eligibility()) {
    eligibility.Push(Json::Object()
                         .Set("rule", Json::Str(c.rule()))
                         .Set("passed", Json::Bool(c.passed()))
                         .Set("defaulted", Json::Bool(c.defaulted()))
                         .Set("explanation", Json::Str(c.explanation())));
  }

  Json stages = Json::Array();
  for (const auto& s : lc.stages()) {
    stages.Push(Json::Object()
                    .Set("stage", Json::Str(internal::StageName(s.stage())))
                    .Set("effective_on", DateJson(s.effective_on()))
                    .Set("term_ends_on", DateJson(s.term_ends_on()))
                    .Set("court_reference", s.court_reference().empty()
                                                ? Json::Null()
                                                : Json::Str(s.court_reference()))
                    .Set("recorded_at", TimeJson(s.recorded_at()))
                    .Set("recorded_by", Json::Str(s.recorded_by())));
  }

  Json costs = Json::Array();
  for (const auto& c : lc.costs()) {
    costs.Push(Json::Object()
                   .Set("cost_id", Json::Str(c.cost_id()))
                   .Set("kind", Json::Str(internal::CostKindName(c.kind())))
                   .Set("amount", MoneyJson(c.amount()))
                   .Set("recoverable", Json::Bool(c.recoverable()))
                   .Set("incurred_on", DateJson(c.incurred_on())));
  }

  Json settlement = Json::Null();
  if (rec.has_settlement()) {
    settlement = Json::Object()
                     .Set("amount", MoneyJson(rec.settlement().amount()))
                     .Set("agreed_on", DateJson(rec.settlement().agreed_on()))
                     .Set("plan_id", rec.settlement().plan_id().empty()
                                         ? Json::Null()
                                         : Json::Str(rec.settlement().plan_id()));
  }
  Json recall = Json::Null();
  if (lc.status() == v1::LEGAL_CASE_STATUS_RECALLED) {
    recall = Json::Object()
                 .Set("reason", Json::Str(internal::RecallReasonName(rec.recall_reason())))
                 .Set("recalled_at", TimeJson(rec.recalled_at()));
  }

  Json timeline = Json::Array();
  for (const auto& t : rec.timeline()) {
    timeline.Push(Json::Object()
                      .Set("at", TimeJson(t.at()))
                      .Set("what", Json::Str(t.what()))
                      .Set("actor", Json::Str(t.actor()))
                      .Set("cause_id", Json::Str(t.cause_id())));
  }

  const FreeTextCounts free = CountFreeText(rec);
  Json root = Json::Object();
  root.Set("schema", Json::Str(kDossierSchema))
      .Set("generated_at", TimeJson(generated))
      .Set("tenant", Json::Str(account.tenant()))
      .Set("legal_case", std::move(legal_case))
      .Set("claim", std::move(claim))
      .Set("invoices", std::move(invoices))
      .Set("eligibility", std::move(eligibility))
      .Set("stages", std::move(stages))
      .Set("costs", std::move(costs))
      .Set("settlement", std::move(settlement))
      .Set("recall", std::move(recall))
      .Set("timeline", std::move(timeline))
      .Set("personal_data", Json::Object()
                                .Set("included", Json::Bool(false))
                                .Set("source", Json::Str(kContactSource))
                                .Set("purpose", Json::Str(kContactPurpose))
                                .Set("debtor_id", Json::Str(lc.debtor_id()))
                                .Set("note", Json::Str(PersonalDataNote(lc.debtor_id()))))
      .Set("not_exported", Json::Object()
                               .Set("operator_notes", Json::Int(free.operator_notes))
                               .Set("stage_notes", Json::Int(free.stage_notes))
                               .Set("cost_descriptions", Json::Int(free.cost_descriptions))
                               .Set("reason", Json::Str("free text may contain personal data: "
                                                        "read it in the console")));
  std::string out;
  root.Write(0, &out);
  out.push_back('\n');
  return out;
}

std::string DossierText(const state::v1::LegalAccount& account,
                        const state::v1::LegalCaseRecord& rec, absl::Time generated_at) {
  const v1::LegalCase& lc = rec.legal_case();
  const Figures fig = FiguresOf(rec);
  google::protobuf::Timestamp generated;
  internal::SetTimestamp(generated_at, &generated);
  std::vector<std::string> lines;
  auto line = [&lines](std::string s, size_t hang = 4) { Wrap(s, hang, &lines); };
  auto blank = [&lines] { lines.emplace_back(); };

  line(absl::StrCat("LEGAL DOSSIER ", lc.legal_case_id(), " (", kDossierSchema, ")"));
  line(absl::StrCat("Generated ", TimestampText(generated), " for tenant ", account.tenant()));
  blank();
  line(absl::StrCat("Debtor ", lc.debtor_id(), " | dunning case ", lc.case_id(),
                    " | escalation request ", lc.escalation_request_id()));
  line(absl::StrCat("Status ", internal::StatusName(lc.status()), " | stage ",
                    internal::StageName(lc.stage()), " | partner ", lc.partner_id(),
                    " | jurisdiction ", lc.jurisdiction().empty() ? "unknown" : lc.jurisdiction(),
                    " | debtor type ", DebtorTypeName(rec.debtor_type())));
  line(absl::StrCat("Opened ", TimestampText(lc.opened_at()),
                    lc.closed_at().seconds() != 0
                        ? absl::StrCat(" | closed ", TimestampText(lc.closed_at()))
                        : "",
                    lc.outcome() != v1::LEGAL_OUTCOME_UNSPECIFIED
                        ? absl::StrCat(" | outcome ", internal::OutcomeName(lc.outcome()))
                        : ""));
  blank();
  line("CLAIM");
  line(absl::StrFormat("  %-20s %s", "claimed", AmountText(lc.claimed())));
  line(absl::StrFormat("  %-20s %s", "costs total", AmountText(lc.costs_total())));
  line(absl::StrFormat("  %-20s %s", "recoverable costs",
                       AmountText(fig.recoverable_costs, fig.currency)));
  line(absl::StrFormat("  %-20s %s", "recovered", AmountText(lc.recovered())));
  if (rec.has_written_off()) {
    line(absl::StrFormat("  %-20s %s", "written off", AmountText(rec.written_off())));
  }
  line(absl::StrFormat("  %-20s %s", "outstanding", AmountText(fig.outstanding, fig.currency)));
  blank();
  line(absl::StrCat("INVOICES (", lc.invoice_ids_size(), ")"));
  for (const auto& inv : rec.invoices()) {
    line(absl::StrFormat("  %-30s %-20s due %s", inv.invoice_id(), AmountText(inv.open_balance()),
                         DateText(inv.due_date())));
  }
  blank();
  line("ELIGIBILITY (rules checked when the escalation was accepted)");
  for (const auto& c : rec.eligibility()) {
    line(absl::StrCat("  [", c.passed() ? "ok" : "FAILED", "] ", c.rule(), ": ", c.explanation(),
                      c.defaulted() ? " [documented default]" : ""),
         6);
  }
  blank();
  line("STAGES");
  for (const auto& s : lc.stages()) {
    line(absl::StrCat(
             "  ", DateText(s.effective_on()), "  ", internal::StageName(s.stage()),
             internal::HasDate(s.term_ends_on())
                 ? absl::StrCat(", term ends ", DateText(s.term_ends_on()))
                 : "",
             s.court_reference().empty() ? "" : absl::StrCat(", court ref ", s.court_reference()),
             " (by ", s.recorded_by(), ")"),
         6);
  }
  blank();
  line(absl::StrCat("COSTS (", lc.costs_size(), ")"));
  for (const auto& c : lc.costs()) {
    line(absl::StrFormat("  %s  %-18s %-20s %s  %s", DateText(c.incurred_on()),
                         internal::CostKindName(c.kind()), AmountText(c.amount()),
                         c.recoverable() ? "recoverable" : "not recoverable", c.cost_id()));
  }
  if (rec.has_settlement()) {
    blank();
    line(absl::StrCat("SETTLEMENT ", AmountText(rec.settlement().amount()), " agreed on ",
                      DateText(rec.settlement().agreed_on()),
                      rec.settlement().plan_id().empty()
                          ? ""
                          : absl::StrCat(", repayment plan ", rec.settlement().plan_id())));
  }
  if (lc.status() == v1::LEGAL_CASE_STATUS_RECALLED) {
    blank();
    line(absl::StrCat("RECALLED by the client at ", TimestampText(rec.recalled_at()), ", reason ",
                      internal::RecallReasonName(rec.recall_reason())));
  }
  blank();
  line("TIMELINE");
  for (const auto& t : rec.timeline()) {
    line(absl::StrCat("  ", TimestampText(t.at()), "  ", t.what(), " (", t.actor(), ")"), 6);
  }
  blank();
  line("PERSONAL DATA");
  line(absl::StrCat("  ", PersonalDataNote(lc.debtor_id())), 2);
  const FreeTextCounts free = CountFreeText(rec);
  line(
      absl::StrCat("  Not exported (free text may contain personal data; read it in the console): ",
                   free.operator_notes, " operator note(s), ", free.stage_notes, " stage note(s), ",
                   free.cost_descriptions, " cost description(s)."),
      2);
  return absl::StrCat(absl::StrJoin(lines, "\n"), "\n");
}

std::string TextToPdf(const std::string& text) {
  constexpr int kLinesPerPage = 80;
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  if (lines.empty()) lines.emplace_back();
  const int pages = static_cast<int>((lines.size() + kLinesPerPage - 1) / kLinesPerPage);

  std::string out = "%PDF-1.4\n";
  std::vector<size_t> offsets;  // offsets[i] = byte offset of object i + 1
  auto object = [&](const std::string& body) {
    offsets.push_back(out.size());
    absl::StrAppend(&out, offsets.size(), " 0 obj\n", body, "\nendobj\n");
  };
  object("<< /Type /Catalog /Pages 2 0 R >>");
  std::vector<std::string> kids;
  for (int p = 0; p < pages; ++p) kids.push_back(absl::StrCat(4 + 2 * p, " 0 R"));
  object(
      absl::StrCat("<< /Type /Pages /Kids [", absl::StrJoin(kids, " "), "] /Count ", pages, " >>"));
  object("<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>");
  for (int p = 0; p < pages; ++p) {
    object(
        absl::StrCat("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << "
                     "/Font << /F1 3 0 R >> >> /Contents ",
                     5 + 2 * p, " 0 R >>"));
    std::string content = "BT\n/F1 9 Tf\n10 TL\n36 806 Td\n";
    const size_t first = static_cast<size_t>(p) * kLinesPerPage;
    for (size_t i = first; i < lines.size() && i < first + kLinesPerPage; ++i) {
      absl::StrAppend(&content, "(", PdfEscape(lines[i]), ") Tj T*\n");
    }
    content.append("ET");
    object(absl::StrCat("<< /Length ", content.size(), " >>\nstream\n", content, "\nendstream"));
  }
  const size_t xref = out.size();
  absl::StrAppend(&out, "xref\n0 ", offsets.size() + 1, "\n0000000000 65535 f \n");
  for (size_t off : offsets) absl::StrAppendFormat(&out, "%010d 00000 n \n", off);
  absl::StrAppend(&out, "trailer\n<< /Size ", offsets.size() + 1, " /Root 1 0 R >>\nstartxref\n",
                  xref, "\n%%EOF\n");
  return out;
}

}  // namespace concerto::legal
