#include "services/contact_channel/templates/internal/template_source.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace concerto::contact::internal {
namespace {

// ScopeEntry is one open section while checking.
struct ScopeEntry {
  std::string name;
  const TemplateField* field = nullptr;
  int line = 0;
};

const TemplateField* FindTopLevel(absl::string_view name) {
  for (const TemplateField& f : TemplateFields()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

bool IsValidName(absl::string_view name) {
  if (name.empty() || !absl::ascii_islower(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return absl::ascii_islower(static_cast<unsigned char>(c)) ||
           absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '_';
  });
}

int CountNewlines(absl::string_view s) {
  return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

}  // namespace

const std::vector<TemplateField>& TemplateFields() {
  static const auto* const kFields = new std::vector<TemplateField>{
      {"creditor_name", FieldKind::kValue, {}},
      {"debtor_name", FieldKind::kValue, {}},
      {"total", FieldKind::kValue, {}},
      {"fees", FieldKind::kValue, {}},
      {"invoices_total", FieldKind::kValue, {}},
      {"pay_by", FieldKind::kValue, {}},
      {"pay_by_short", FieldKind::kValue, {}},
      {"iban", FieldKind::kValue, {}},
      {"bic", FieldKind::kValue, {}},
      {"rf_reference", FieldKind::kValue, {}},
      {"self_service_url", FieldKind::kValue, {}},
      {"country", FieldKind::kValue, {}},
      {"invoice_count", FieldKind::kValue, {}},
      {"first_invoice_number", FieldKind::kValue, {}},
      {"collection_costs", FieldKind::kValue, {}},
      {"has_fees", FieldKind::kFlag, {}},
      {"has_iban", FieldKind::kFlag, {}},
      {"has_bic", FieldKind::kFlag, {}},
      {"has_reference", FieldKind::kFlag, {}},
      {"has_url", FieldKind::kFlag, {}},
      {"has_invoices", FieldKind::kFlag, {}},
      {"multiple_invoices", FieldKind::kFlag, {}},
      {"has_collection_costs", FieldKind::kFlag, {}},
      {"invoices",
       FieldKind::kList,
       {"invoice_number", "due_date", "due_date_short", "open_balance"}},
  };
  return *kFields;
}

const std::vector<std::string>& TemplatePartials() {
  static const auto* const kPartials = new std::vector<std::string>{
      "invoice_list", "payment_details", "help", "statutory_notice"};
  return *kPartials;
}

absl::Status CheckMustache(absl::string_view source, absl::string_view where, int first_line) {
  std::vector<ScopeEntry> stack;
  int line = first_line;
  size_t pos = 0;
  auto error = [&](const std::string& what) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": ", what));
  };
  while (true) {
    const size_t open = source.find("{{", pos);
    if (open == absl::string_view::npos) break;
    line += CountNewlines(source.substr(pos, open - pos));
    const bool triple = open + 2 < source.size() && source[open + 2] == '{';
    const absl::string_view closer = triple ? "}}}" : "}}";
    const size_t body_begin = open + (triple ? 3 : 2);
    const size_t close = source.find(closer, body_begin);
    if (close == absl::string_view::npos) {
      return error(absl::StrCat("tag opened at line ", line, " is never closed"));
    }
    const absl::string_view body = source.substr(body_begin, close - body_begin);
    const int tag_line = line;
    line += CountNewlines(body);
    pos = close + closer.size();

    absl::string_view inner = absl::StripAsciiWhitespace(body);
    char sigil = triple ? '&' : '\0';
    if (!triple && !inner.empty() && absl::string_view("!#^/>&=").find(inner[0]) !=
                                         absl::string_view::npos) {
      sigil = inner[0];
      inner = absl::StripAsciiWhitespace(inner.substr(1));
    }
    if (sigil == '!') continue;  // comment
    if (sigil == '=') {
      return error(absl::StrCat("set-delimiter tags are not supported (line ", tag_line, ")"));
    }
    const std::string name(inner);
    if (!IsValidName(name)) {
      return error(absl::StrCat("invalid field name '", name, "' at line ", tag_line,
                                " (lower-case letters, digits and '_')"));
    }
    if (sigil == '>') {
      const auto& partials = TemplatePartials();
      if (std::find(partials.begin(), partials.end(), name) == partials.end()) {
        return error(absl::StrCat("unknown partial '", name, "' at line ", tag_line));
      }
      continue;
    }
    if (sigil == '/') {
      if (stack.empty()) {
        return error(absl::StrCat("'{{/", name, "}}' at line ", tag_line, " closes no section"));
      }
      if (stack.back().name != name) {
        return error(absl::StrCat("section '", stack.back().name, "' opened at line ",
                                  stack.back().line, " is closed by '{{/", name, "}}' at line ",
                                  tag_line));
      }
      stack.pop_back();
      continue;
    }

    // Resolve the name: item fields of the open lists (innermost first), then the top level.
    const TemplateField* field = nullptr;
    bool is_item_field = false;
    for (auto it = stack.rbegin(); it != stack.rend(); ++it) {
      if (it->field == nullptr || it->field->kind != FieldKind::kList) continue;
      const auto& items = it->field->item_fields;
      if (std::find(items.begin(), items.end(), name) != items.end()) {
        is_item_field = true;
        break;
      }
    }
    if (!is_item_field) field = FindTopLevel(name);
    if (!is_item_field && field == nullptr) {
      for (const TemplateField& f : TemplateFields()) {
        if (std::find(f.item_fields.begin(), f.item_fields.end(), name) != f.item_fields.end()) {
          return error(absl::StrCat("field '", name, "' at line ", tag_line,
                                    " is only available inside {{#", f.name, "}}...{{/", f.name,
                                    "}}"));
        }
      }
      return error(absl::StrCat("unknown field '", name, "' at line ", tag_line));
    }
    if (sigil == '#' || sigil == '^') {
      stack.push_back(ScopeEntry{name, field, tag_line});
      continue;
    }
    // A plain or unescaped variable.
    if (field != nullptr && field->kind == FieldKind::kList) {
      return error(absl::StrCat("field '", name, "' at line ", tag_line, " is a list: use {{#",
                                name, "}}...{{/", name, "}}"));
    }
    if (field != nullptr && field->kind == FieldKind::kFlag) {
      return error(absl::StrCat("field '", name, "' at line ", tag_line,
                                " is a condition: use {{#", name, "}}...{{/", name, "}}"));
    }
  }
  if (!stack.empty()) {
    return error(absl::StrCat("section '", stack.back().name, "' opened at line ",
                              stack.back().line, " is never closed"));
  }
  return absl::OkStatus();
}

std::string UnescapedForm(absl::string_view source) {
  std::string out;
  size_t pos = 0;
  while (true) {
    const size_t open = source.find("{{", pos);
    if (open == absl::string_view::npos) break;
    const bool triple = open + 2 < source.size() && source[open + 2] == '{';
    const absl::string_view closer = triple ? "}}}" : "}}";
    const size_t close = source.find(closer, open + 2);
    if (close == absl::string_view::npos) break;
    const size_t end = close + closer.size();
    absl::StrAppend(&out, source.substr(pos, open - pos));
    const absl::string_view inner = absl::StripAsciiWhitespace(source.substr(open + 2, close - open - 2));
    if (triple || inner.empty() ||
        absl::string_view("!#^/>&={").find(inner[0]) != absl::string_view::npos) {
      absl::StrAppend(&out, source.substr(open, end - open));
    } else {
      absl::StrAppend(&out, "{{&", inner, "}}");
    }
    pos = end;
  }
  absl::StrAppend(&out, source.substr(pos));
  return out;
}

absl::StatusOr<TemplateParts> ParseTemplateSource(absl::string_view source,
                                                  absl::string_view where) {
  struct Part {
    std::string name;
    int first_line = 0;
    std::vector<absl::string_view> lines;
  };
  std::vector<Part> parts;
  int line_no = 0;
  for (absl::string_view raw : absl::StrSplit(source, '\n')) {
    ++line_no;
    absl::string_view line = absl::StripSuffix(raw, "\r");
    const absl::string_view trimmed = absl::StripAsciiWhitespace(line);
    if (trimmed.size() >= 6 && absl::StartsWith(trimmed, "---") && absl::EndsWith(trimmed, "---")) {
      const std::string name(absl::StripAsciiWhitespace(trimmed.substr(3, trimmed.size() - 6)));
      if (name != "subject" && name != "text" && name != "sms") {
        return absl::InvalidArgumentError(absl::StrCat(where, ": unknown part '", name,
                                                       "' at line ", line_no,
                                                       " (expected subject, text or sms)"));
      }
      for (const Part& p : parts) {
        if (p.name == name) {
          return absl::InvalidArgumentError(absl::StrCat(where, ": part '", name, "' at line ",
                                                         line_no, " repeats line ", p.first_line - 1));
        }
      }
      parts.push_back(Part{name, line_no + 1, {}});
      continue;
    }
    if (parts.empty()) {
      if (!trimmed.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ": text before the first part marker at line ", line_no,
            " (start with '--- subject ---')"));
      }
      continue;
    }
    parts.back().lines.push_back(line);
  }
  TemplateParts out;
  for (const char* required : {"subject", "text", "sms"}) {
    const auto it = std::find_if(parts.begin(), parts.end(),
                                 [&](const Part& p) { return p.name == required; });
    if (it == parts.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": missing part '", required, "' ('--- ", required, " ---')"));
    }
    const std::string body = absl::StrJoin(it->lines, "\n");
    if (absl::StripAsciiWhitespace(body).empty()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": part '", required, "' is empty"));
    }
    absl::Status status =
        CheckMustache(body, absl::StrCat(where, ", part ", required), it->first_line);
    if (!status.ok()) return status;
    std::string& slot = it->name == "subject" ? out.subject : it->name == "text" ? out.text : out.sms;
    slot = body;
  }
  return out;
}

}  // namespace concerto::contact::internal
