#include "services/contact_channel/templates/message_renderer.h"

#include <algorithm>
#include <exception>
#include <utility>

#include <mstch/mstch.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/rules/creditor_reference.h"
#include "libs/rules/fees.h"
#include "services/contact_channel/templates/internal/builtin_templates.h"
#include "services/contact_channel/templates/internal/neutral_wording.h"
#include "services/contact_channel/templates/internal/template_source.h"
#include "services/contact_channel/templates/letter.h"
#include "services/contact_channel/templates/locale_format.h"

namespace concerto::contact {
namespace {

// kMaxSmsChars is the longest SMS we send: two concatenated segments' worth of text.
constexpr size_t kMaxSmsChars = 320;

// Rendering is everything one Render needs besides the template: the mustache context and the
// partials in the message's language.
struct Rendering {
  mstch::map context;
  std::map<std::string, std::string> partials;
};

// SingleLine collapses every run of whitespace (newlines included) into one space and trims.
std::string SingleLine(absl::string_view s) {
  std::vector<absl::string_view> words =
      absl::StrSplit(s, absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty());
  return absl::StrJoin(words, " ");
}

// TidyText trims trailing spaces of every line, keeps at most one blank line between
// paragraphs, drops leading and trailing blank lines and ends with one newline.
std::string TidyText(absl::string_view s) {
  std::vector<std::string> lines;
  bool previous_blank = true;  // drops leading blank lines
  for (absl::string_view raw : absl::StrSplit(s, '\n')) {
    absl::string_view line = absl::StripTrailingAsciiWhitespace(raw);
    const bool blank = line.empty();
    if (blank && previous_blank) continue;
    lines.emplace_back(line);
    previous_blank = blank;
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  return absl::StrCat(absl::StrJoin(lines, "\n"), "\n");
}

std::string HtmlEscape(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

// Linkify HTML-escapes a line and turns http(s) URLs into links.
std::string Linkify(absl::string_view line) {
  std::string out;
  size_t pos = 0;
  while (pos < line.size()) {
    size_t start = line.find("http", pos);
    while (start != absl::string_view::npos &&
           !absl::StartsWith(line.substr(start), "https://") &&
           !absl::StartsWith(line.substr(start), "http://")) {
      start = line.find("http", start + 4);
    }
    if (start == absl::string_view::npos) break;
    size_t end = line.find_first_of(" \t", start);
    if (end == absl::string_view::npos) end = line.size();
    absl::string_view url = line.substr(start, end - start);
    while (!url.empty() && absl::string_view(".,;:!?)").find(url.back()) != absl::string_view::npos &&
           !(url.back() == ')' && url.find('(') != absl::string_view::npos)) {
      url.remove_suffix(1);
    }
    absl::StrAppend(&out, HtmlEscape(line.substr(pos, start - pos)), "<a href=\"",
                    HtmlEscape(url), "\" style=\"color:#1d4e89\">", HtmlEscape(url), "</a>");
    pos = start + url.size();
  }
  absl::StrAppend(&out, HtmlEscape(line.substr(pos)));
  return out;
}

// TextToHtml lays the rendered text out as a branded HTML e-mail: paragraphs at blank lines,
// lines starting with "• " as a list, links clickable.
std::string TextToHtml(const std::string& language, const std::string& subject,
                       const std::string& creditor_name, const std::string& text) {
  std::string body;
  for (absl::string_view block : absl::StrSplit(text, "\n\n", absl::SkipWhitespace())) {
    std::vector<absl::string_view> lines = absl::StrSplit(absl::StripAsciiWhitespace(block), '\n');
    bool all_bullets = true;
    for (absl::string_view l : lines) all_bullets = all_bullets && absl::StartsWith(l, "• ");
    if (all_bullets) {
      absl::StrAppend(&body, "<ul style=\"margin:0 0 16px;padding-left:22px\">\n");
      for (absl::string_view l : lines) {
        absl::StrAppend(&body, "<li>", Linkify(absl::StripPrefix(l, "• ")), "</li>\n");
      }
      absl::StrAppend(&body, "</ul>\n");
      continue;
    }
    std::vector<std::string> html_lines;
    for (absl::string_view l : lines) html_lines.push_back(Linkify(l));
    absl::StrAppend(&body, "<p style=\"margin:0 0 16px\">", absl::StrJoin(html_lines, "<br>\n"),
                    "</p>\n");
  }
  return absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"", language, "\">\n<head>\n<meta charset=\"utf-8\">\n",
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
      HtmlEscape(subject), "</title>\n</head>\n",
      "<body style=\"margin:0;padding:0;background:#f4f5f7;font-family:'DejaVu Sans',Arial,"
      "Helvetica,sans-serif;color:#1f2933\">\n",
      "<div style=\"max-width:640px;margin:0 auto;background:#ffffff\">\n",
      "<div style=\"background:#1d4e89;color:#ffffff;padding:16px 24px;font-size:20px;"
      "font-weight:bold\">",
      HtmlEscape(creditor_name), "</div>\n",
      "<div style=\"padding:24px;font-size:15px;line-height:1.5\">\n", body, "</div>\n</div>\n",
      "</body>\n</html>\n");
}

// RenderPart renders one checked (UnescapedForm) mustache source.
absl::StatusOr<std::string> RenderPart(const std::string& source, const Rendering& r,
                                       absl::string_view part) {
  try {
    return mstch::render(source, r.context, r.partials);
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("rendering part ", part, ": ", e.what()));
  }
}

// GenericAddressee is the greeting's name when the debtor's display name is unknown.
std::string GenericAddressee(const std::string& language) {
  if (language == "it") return "Cliente";
  if (language == "fi") return "asiakkaamme";
  if (language == "nl") return "klant";
  return "customer";
}

// Money0 is zero in `currency`.
rules::Money Money0(const std::string& currency) { return rules::Money{0, currency}; }

// BuildRendering checks ctx and turns it into the mustache context and partials of `language`.
absl::StatusOr<Rendering> BuildRendering(const MessageContext& ctx, const std::string& language) {
  Rendering r;
  const std::string& currency = ctx.total.currency;
  absl::StatusOr<std::string> total = FormatMoneyFor(language, ctx.total, "total");
  if (!total.ok()) return total.status();

  rules::Money fees = ctx.fees;
  if (fees.currency.empty() && fees.minor_units == 0) fees = Money0(currency);
  if (fees.currency != currency) {
    return absl::InvalidArgumentError(absl::StrCat("fees: currency '", fees.currency,
                                                   "' differs from total's '", currency, "'"));
  }
  absl::StatusOr<std::string> fees_text = FormatMoneyFor(language, fees, "fees");
  if (!fees_text.ok()) return fees_text.status();

  const std::string creditor = SingleLine(ctx.creditor_name);
  if (creditor.empty()) return absl::InvalidArgumentError("creditor_name: required");
  if (const std::string word = internal::FindRevealingWord(creditor); !word.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "creditor_name: contains '", word,
        "', which would reveal the debt on the envelope and in SMS; use a neutral sender name"));
  }
  if (!ctx.creditor_iban.empty() && !IsValidIban(ctx.creditor_iban)) {
    return absl::InvalidArgumentError("creditor_iban: not a valid IBAN (format or check digits)");
  }
  const std::string bic = NormalizeIban(ctx.creditor_bic);
  if (!bic.empty() &&
      ((bic.size() != 8 && bic.size() != 11) ||
       !std::all_of(bic.begin(), bic.end(), [](char c) { return absl::ascii_isalnum(c); }))) {
    return absl::InvalidArgumentError("creditor_bic: not a valid BIC (8 or 11 letters and digits)");
  }
  std::string reference = SingleLine(ctx.rf_reference);
  if (rules::LooksLikeCreditorReference(reference)) {
    if (!rules::IsValidCreditorReference(reference)) {
      return absl::InvalidArgumentError(
          "rf_reference: not a valid ISO 11649 reference (check digits)");
    }
    reference = rules::FormatPrintable(rules::NormalizeReference(reference));
  }

  mstch::array invoices;
  rules::Money invoices_total = Money0(currency);
  for (size_t i = 0; i < ctx.invoices.size(); ++i) {
    const InvoiceLineView& line = ctx.invoices[i];
    const std::string field = absl::StrCat("invoices[", i, "].open_balance");
    if (line.open_balance.currency != currency) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": currency '",
                                                     line.open_balance.currency,
                                                     "' differs from total's '", currency, "'"));
    }
    absl::StatusOr<std::string> balance = FormatMoneyFor(language, line.open_balance, field);
    if (!balance.ok()) return balance.status();
    absl::StatusOr<rules::Money> sum = rules::AddMoney(invoices_total, line.open_balance);
    if (!sum.ok()) return sum.status();
    invoices_total = *sum;
    invoices.push_back(mstch::map{
        {"invoice_number", SingleLine(line.invoice_number)},
        {"due_date", FormatDateLong(language, line.due_date)},
        {"due_date_short", FormatDateShort(language, line.due_date)},
        {"open_balance", *balance},
    });
  }
  absl::StatusOr<std::string> invoices_total_text =
      FormatMoneyFor(language, invoices_total, "invoices");
  if (!invoices_total_text.ok()) return invoices_total_text.status();

  std::string country = absl::AsciiStrToUpper(SingleLine(ctx.country));
  if (country == "UK") country = "GB";

  // NL: the 14-day letter states the statutory collection costs (WIK) on the principal.
  std::string collection_costs;
  if (country == "NL" && currency == "EUR") {
    rules::Money principal = invoices_total;
    if (ctx.invoices.empty()) principal.minor_units = ctx.total.minor_units - fees.minor_units;
    if (principal.minor_units > 0) {
      absl::StatusOr<rules::Money> wik = rules::WikCollectionCosts(principal, /*add_vat=*/false);
      if (!wik.ok()) return wik.status();
      absl::StatusOr<std::string> wik_text = FormatMoneyFor(language, *wik, "collection_costs");
      if (!wik_text.ok()) return wik_text.status();
      collection_costs = *wik_text;
    }
  }

  const std::string url = SingleLine(ctx.self_service_url);
  std::string debtor_name = SingleLine(ctx.debtor_display_name);
  if (debtor_name.empty()) debtor_name = GenericAddressee(language);
  r.context = mstch::map{
      {"creditor_name", creditor},
      {"debtor_name", debtor_name},
      {"total", *total},
      {"fees", *fees_text},
      {"invoices_total", *invoices_total_text},
      {"pay_by", FormatDateLong(language, ctx.pay_by)},
      {"pay_by_short", FormatDateShort(language, ctx.pay_by)},
      {"iban", FormatIbanPrintable(ctx.creditor_iban)},
      {"bic", bic},
      {"rf_reference", reference},
      {"self_service_url", url},
      {"country", country},
      {"invoice_count", absl::StrCat(ctx.invoices.size())},
      {"first_invoice_number",
       ctx.invoices.empty() ? std::string() : SingleLine(ctx.invoices.front().invoice_number)},
      {"collection_costs", collection_costs},
      {"has_fees", fees.minor_units != 0},
      {"has_iban", !ctx.creditor_iban.empty()},
      {"has_bic", !bic.empty()},
      {"has_reference", !reference.empty()},
      {"has_url", !url.empty()},
      {"has_invoices", !ctx.invoices.empty()},
      {"multiple_invoices", ctx.invoices.size() > 1},
      {"has_collection_costs", !collection_costs.empty()},
      {"invoices", std::move(invoices)},
  };
  for (const char* name : {"invoice_list", "payment_details", "help"}) {
    const char* source = internal::BuiltinPartial(language, name);
    r.partials[name] = internal::UnescapedForm(source == nullptr ? "" : source);
  }
  const char* notice = internal::StatutoryNotice(country, language);
  r.partials["statutory_notice"] = internal::UnescapedForm(notice == nullptr ? "" : notice);
  return r;
}

// SampleContext is a realistic context used to trial-render a template when it is stored.
MessageContext SampleContext(const std::string& language) {
  MessageContext ctx;
  ctx.tenant = "sample";
  ctx.language = language;
  ctx.debtor_display_name = "Maria Esposito-Virtanen";
  ctx.invoices = {
      {"INV-2025-004217", absl::CivilDay(2025, 11, 30), rules::Money{48'250, "EUR"}},
      {"INV-2025-004388", absl::CivilDay(2025, 12, 31), rules::Money{72'940, "EUR"}},
  };
  ctx.total = rules::Money{125'190, "EUR"};
  ctx.fees = rules::Money{4'000, "EUR"};
  ctx.pay_by = absl::CivilDay(2026, 2, 15);
  ctx.creditor_name = "Example Utility Company S.p.A.";
  ctx.creditor_iban = "IT60X0542811101000000123456";
  ctx.creditor_bic = "BPMOIT22XXX";
  ctx.rf_reference = "RF18539007547034";
  ctx.self_service_url = "https://pay.example.com/s/7Hq2ZkP4xW9mA3";
  ctx.country = "IT";
  return ctx;
}

// RenderWith renders one template's parts against a prepared Rendering and checks what third
// parties may see.
absl::StatusOr<RenderedMessage> RenderWith(const std::string& subject_src,
                                           const std::string& text_src,
                                           const std::string& sms_src, const Rendering& r,
                                           const MessageContext& ctx,
                                           const std::string& language) {
  RenderedMessage m;
  absl::StatusOr<std::string> subject = RenderPart(subject_src, r, "subject");
  if (!subject.ok()) return subject.status();
  absl::StatusOr<std::string> text = RenderPart(text_src, r, "text");
  if (!text.ok()) return text.status();
  absl::StatusOr<std::string> sms = RenderPart(sms_src, r, "sms");
  if (!sms.ok()) return sms.status();

  m.subject = SingleLine(*subject);
  m.text = TidyText(*text);
  m.sms = SingleLine(*sms);
  m.envelope_text = SingleLine(ctx.creditor_name);
  if (m.subject.empty()) return absl::InvalidArgumentError("subject: renders empty");
  if (const std::string word = internal::FindRevealingWord(m.subject); !word.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("subject: contains '", word, "'; a subject must stay neutral"));
  }
  if (const std::string word = internal::FindRevealingWord(m.sms); !word.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("sms: contains '", word, "'; an SMS must stay neutral"));
  }
  if (const size_t n = internal::Utf8Length(m.sms); n > kMaxSmsChars) {
    return absl::InvalidArgumentError(absl::StrCat("sms: ", n, " characters, at most ",
                                                   kMaxSmsChars,
                                                   " (shorten the template, creditor_name or "
                                                   "self_service_url)"));
  }
  m.html = TextToHtml(language, m.subject, m.envelope_text, m.text);
  m.epc_qr_payload = EpcQrPayload(ctx);
  return m;
}

}  // namespace

std::string MessageRenderer::Key(const std::string& tenant, const std::string& language,
                                 const std::string& template_name) {
  return absl::StrCat(tenant, std::string(1, '\0'), language, std::string(1, '\0'),
                      template_name);
}

absl::StatusOr<MessageRenderer> MessageRenderer::BuiltIn() {
  // Partials and statutory paragraphs are checked like templates.
  for (const char* language : {"it", "en", "fi", "nl"}) {
    for (const std::string& name : internal::TemplatePartials()) {
      if (name == "statutory_notice") continue;
      const char* source = internal::BuiltinPartial(language, name);
      if (source == nullptr) {
        return absl::InternalError(absl::StrCat("built-in partial ", language, "/", name,
                                                " is missing"));
      }
      absl::Status s =
          internal::CheckMustache(source, absl::StrCat("built-in partial ", language, "/", name));
      if (!s.ok()) return s;
    }
    for (const std::string& country : internal::StatutoryNoticeCountries()) {
      const char* source = internal::StatutoryNotice(country, language);
      if (source == nullptr) {
        return absl::InternalError(absl::StrCat("statutory notice ", country, "/", language,
                                                " is missing"));
      }
      absl::Status s = internal::CheckMustache(
          source, absl::StrCat("statutory notice ", country, "/", language));
      if (!s.ok()) return s;
    }
  }
  MessageRenderer renderer;
  for (const internal::BuiltinTemplate& t : internal::BuiltinTemplates()) {
    absl::StatusOr<internal::TemplateParts> parts = internal::ParseTemplateSource(
        t.source, absl::StrCat("built-in ", t.language, "/", t.name));
    if (!parts.ok()) return parts.status();
    renderer.templates_[Key("", t.language, t.name)] =
        Parts{internal::UnescapedForm(parts->subject), internal::UnescapedForm(parts->text),
              internal::UnescapedForm(parts->sms)};
  }
  return renderer;
}

absl::Status MessageRenderer::Put(const std::string& tenant, const std::string& language,
                                  const std::string& template_name,
                                  const std::string& mustache_source) {
  if (tenant.empty()) return absl::InvalidArgumentError("tenant: required");
  if (!IsSupportedLanguage(language)) {
    return absl::InvalidArgumentError(
        absl::StrCat("language: '", language, "' is not one of it, en, fi, nl"));
  }
  if (template_name.empty() || template_name.size() > 64 ||
      !std::all_of(template_name.begin(), template_name.end(), [](char c) {
        return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-' || c == '_';
      })) {
    return absl::InvalidArgumentError(absl::StrCat(
        "template_name: '", template_name, "' must be 1..64 of a-z, 0-9, '-', '_'"));
  }
  absl::StatusOr<internal::TemplateParts> parts =
      internal::ParseTemplateSource(mustache_source, absl::StrCat(language, "/", template_name));
  if (!parts.ok()) return parts.status();
  Parts checked{internal::UnescapedForm(parts->subject), internal::UnescapedForm(parts->text),
                internal::UnescapedForm(parts->sms)};

  // Trial render: what third parties see must stay neutral and the SMS short.
  const MessageContext sample = SampleContext(language);
  absl::StatusOr<Rendering> rendering = BuildRendering(sample, language);
  if (!rendering.ok()) return rendering.status();
  absl::StatusOr<RenderedMessage> trial =
      RenderWith(checked.subject, checked.text, checked.sms, *rendering, sample, language);
  if (!trial.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(language, "/", template_name,
                                                   " (trial render): ", trial.status().message()));
  }
  templates_[Key(tenant, language, template_name)] = std::move(checked);
  return absl::OkStatus();
}

absl::StatusOr<RenderedMessage> MessageRenderer::Render(const MessageContext& ctx) const {
  const std::string language = NormalizeLanguage(ctx.language);
  auto it = templates_.end();
  if (!ctx.tenant.empty()) it = templates_.find(Key(ctx.tenant, language, ctx.template_name));
  if (it == templates_.end()) it = templates_.find(Key("", language, ctx.template_name));
  if (it == templates_.end()) {
    return absl::NotFoundError(absl::StrCat("no template '", ctx.template_name,
                                            "' in language '", language, "' for tenant '",
                                            ctx.tenant, "'"));
  }
  absl::StatusOr<Rendering> rendering = BuildRendering(ctx, language);
  if (!rendering.ok()) return rendering.status();
  return RenderWith(it->second.subject, it->second.text, it->second.sms, *rendering, ctx,
                    language);
}

}  // namespace concerto::contact
