#include "services/contact_channel/templates/letter.h"

#include <cairo-pdf.h>
#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/rules/creditor_reference.h"
#include "services/contact_channel/templates/internal/neutral_wording.h"
#include "services/contact_channel/templates/internal/qr.h"
#include "services/contact_channel/templates/locale_format.h"

namespace concerto::contact {
namespace {

// ---------------------------------------------------------------------------------------------
// A tiny display list: layout produces pages of drawing operations in layout units (points for
// the letter, CSS pixels for the e-mail); a painter replays them on a cairo surface.
// ---------------------------------------------------------------------------------------------

constexpr double kMm = 72.0 / 25.4;  // points per millimetre
constexpr char kFont[] = "DejaVu Sans";

struct Rgb {
  double r, g, b;
};
constexpr Rgb kInk{0.12, 0.16, 0.20};
constexpr Rgb kBrand{0.114, 0.306, 0.537};
constexpr Rgb kMuted{0.40, 0.44, 0.48};
constexpr Rgb kRule{0.78, 0.80, 0.83};
constexpr Rgb kPanel{0.957, 0.961, 0.969};
constexpr Rgb kWindow{0.933, 0.941, 0.953};
constexpr Rgb kWhite{1, 1, 1};

enum class Weight { kRegular, kBold };

struct Op {
  enum class Kind { kText, kFillRect, kStrokeRect, kLine, kCircle, kQr };
  Kind kind = Kind::kText;
  double x = 0, y = 0, w = 0, h = 0;  // text: baseline origin and measured width
  std::string text;
  Weight weight = Weight::kRegular;
  double size = 10;
  Rgb color = kInk;
  bool underline = false;
  bool dashed = false;
  std::string link;                            // text: a URL to link (PDF)
  std::shared_ptr<const internal::QrMatrix> qr;  // kQr
};
using Page = std::vector<Op>;

// SetFont selects the face and size with metrics that do not depend on the device, so that
// measuring and painting agree at any resolution.
void SetFont(cairo_t* cr, Weight weight, double size) {
  cairo_select_font_face(cr, kFont, CAIRO_FONT_SLANT_NORMAL,
                         weight == Weight::kBold ? CAIRO_FONT_WEIGHT_BOLD
                                                 : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
  cairo_font_options_t* options = cairo_font_options_create();
  cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
  cairo_set_font_options(cr, options);
  cairo_font_options_destroy(options);
}

// Measurer measures text widths on a scratch surface.
class Measurer {
 public:
  Measurer()
      : surface_(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1)),
        cr_(cairo_create(surface_)) {}
  ~Measurer() {
    cairo_destroy(cr_);
    cairo_surface_destroy(surface_);
  }
  Measurer(const Measurer&) = delete;
  Measurer& operator=(const Measurer&) = delete;

  double Width(absl::string_view text, Weight weight, double size) {
    SetFont(cr_, weight, size);
    const std::string s(text);
    cairo_text_extents_t extents;
    cairo_text_extents(cr_, s.c_str(), &extents);
    return extents.x_advance;
  }

 private:
  cairo_surface_t* surface_;
  cairo_t* cr_;
};

// Utf8Chars splits a string into its UTF-8 characters.
std::vector<std::string> Utf8Chars(absl::string_view s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    size_t n = 1;
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0xF0) {
      n = 4;
    } else if (c >= 0xE0) {
      n = 3;
    } else if (c >= 0xC0) {
      n = 2;
    }
    out.emplace_back(s.substr(i, n));
    i += n;
  }
  return out;
}

// Wrap breaks `text` into lines no wider than `max_width` at ASCII spaces (a no-break space
// keeps an amount together); a single word wider than a line is broken between characters.
std::vector<std::string> Wrap(Measurer& measure, absl::string_view text, Weight weight,
                              double size, double max_width) {
  std::vector<std::string> lines;
  std::string current;
  for (absl::string_view word : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
    const std::string candidate = current.empty() ? std::string(word) : absl::StrCat(current, " ", word);
    if (measure.Width(candidate, weight, size) <= max_width) {
      current = candidate;
      continue;
    }
    if (!current.empty()) lines.push_back(current);
    current.clear();
    if (measure.Width(word, weight, size) <= max_width) {
      current = std::string(word);
      continue;
    }
    for (const std::string& ch : Utf8Chars(word)) {  // an over-long word, e.g. a URL
      if (!current.empty() && measure.Width(current + ch, weight, size) > max_width) {
        lines.push_back(current);
        current.clear();
      }
      current += ch;
    }
  }
  if (!current.empty()) lines.push_back(current);
  if (lines.empty()) lines.emplace_back();
  return lines;
}

// UrlSpan finds the next http(s) URL in `line` at or after `from`: [start, end).
std::optional<std::pair<size_t, size_t>> UrlSpan(absl::string_view line, size_t from) {
  size_t start = line.find("http", from);
  while (start != absl::string_view::npos && !absl::StartsWith(line.substr(start), "https://") &&
         !absl::StartsWith(line.substr(start), "http://")) {
    start = line.find("http", start + 4);
  }
  if (start == absl::string_view::npos) return std::nullopt;
  size_t end = line.find(' ', start);
  if (end == absl::string_view::npos) end = line.size();
  while (end > start && absl::string_view(".,;:!?)").find(line[end - 1]) != absl::string_view::npos) {
    if (line[end - 1] == ')' && line.substr(start, end - start).find('(') != absl::string_view::npos) {
      break;
    }
    --end;
  }
  return std::make_pair(start, end);
}

// Canvas collects the ops of one page and knows how to measure.
struct Canvas {
  Measurer* measure;
  Page* page;

  // Text draws one line at baseline (x, y) and returns its width; `links` colours URLs.
  double Text(double x, double y, absl::string_view line, Weight weight, double size, Rgb color,
              bool links = false) {
    double cursor = x;
    size_t pos = 0;
    auto emit = [&](absl::string_view s, Rgb c, bool underline, const std::string& link) {
      if (s.empty()) return;
      Op op;
      op.kind = Op::Kind::kText;
      op.x = cursor;
      op.y = y;
      op.text = std::string(s);
      op.weight = weight;
      op.size = size;
      op.color = c;
      op.underline = underline;
      op.link = link;
      op.w = measure->Width(s, weight, size);
      cursor += op.w;
      page->push_back(std::move(op));
    };
    while (links && pos < line.size()) {
      std::optional<std::pair<size_t, size_t>> span = UrlSpan(line, pos);
      if (!span.has_value()) break;
      emit(line.substr(pos, span->first - pos), color, false, "");
      const absl::string_view url = line.substr(span->first, span->second - span->first);
      emit(url, kBrand, true, std::string(url));
      pos = span->second;
    }
    emit(line.substr(pos), color, false, "");
    return cursor - x;
  }

  // Value draws a payment detail; with `url` it is a link (a wrapped URL links every piece).
  void Value(double x, double y, absl::string_view text, double size, const std::string& url) {
    if (text.empty()) return;
    Text(x, y, text, Weight::kRegular, size, url.empty() ? kInk : kBrand);
    if (!url.empty()) {
      page->back().underline = true;
      page->back().link = url;
    }
  }

  void Rect(double x, double y, double w, double h, Rgb color, bool fill, bool dashed = false) {
    Op op;
    op.kind = fill ? Op::Kind::kFillRect : Op::Kind::kStrokeRect;
    op.x = x;
    op.y = y;
    op.w = w;
    op.h = h;
    op.color = color;
    op.dashed = dashed;
    page->push_back(std::move(op));
  }

  void Line(double x1, double y1, double x2, double y2, Rgb color, double width,
            bool dashed = false) {
    Op op;
    op.kind = Op::Kind::kLine;
    op.x = x1;
    op.y = y1;
    op.w = x2;
    op.h = y2;
    op.size = width;
    op.color = color;
    op.dashed = dashed;
    page->push_back(std::move(op));
  }

  void Circle(double cx, double cy, double r, Rgb color) {
    Op op;
    op.kind = Op::Kind::kCircle;
    op.x = cx;
    op.y = cy;
    op.w = r;
    op.color = color;
    page->push_back(std::move(op));
  }

  void Qr(double x, double y, double size, std::shared_ptr<const internal::QrMatrix> qr) {
    Op op;
    op.kind = Op::Kind::kQr;
    op.x = x;
    op.y = y;
    op.w = size;
    op.qr = std::move(qr);
    page->push_back(std::move(op));
  }
};

// EscapeTagAttribute quotes a URL for a cairo tag attribute string.
std::string EscapeTagAttribute(absl::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

// PaintQr draws a QR code with its 4-module quiet zone into the square (x, y, size). With
// `snap` the modules are whole device pixels, so a PNG preview stays sharp and scannable.
void PaintQr(cairo_t* cr, const Op& op, bool snap) {
  const internal::QrMatrix& qr = *op.qr;
  const int modules = qr.width + 8;
  cairo_save(cr);
  double x = op.x;
  double y = op.y;
  double size = op.w;
  if (snap) {
    double dummy = 0;
    cairo_user_to_device(cr, &x, &y);
    cairo_user_to_device_distance(cr, &size, &dummy);
    cairo_identity_matrix(cr);
    const double module = std::max(1.0, std::floor(size / modules));
    const double total = module * modules;
    x = std::round(x + (size - total) / 2);
    y = std::round(y + (size - total) / 2);
    size = total;
  }
  const double module = size / modules;
  cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, x, y, size, size);
  cairo_fill(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  for (int row = 0; row < qr.width; ++row) {
    int col = 0;
    while (col < qr.width) {
      if (!qr.At(col, row)) {
        ++col;
        continue;
      }
      const int run_start = col;
      while (col < qr.width && qr.At(col, row)) ++col;
      cairo_rectangle(cr, x + (4 + run_start) * module, y + (4 + row) * module,
                      (col - run_start) * module, module);
    }
  }
  cairo_fill(cr);
  cairo_restore(cr);
}

// Paint replays one page. `snap_qr` for raster output, `links` to tag URLs (PDF).
void Paint(cairo_t* cr, const Page& page, bool snap_qr, bool links) {
  for (const Op& op : page) {
    cairo_set_source_rgb(cr, op.color.r, op.color.g, op.color.b);
    switch (op.kind) {
      case Op::Kind::kText: {
        SetFont(cr, op.weight, op.size);
        const bool tag = links && !op.link.empty();
        if (tag) {
          const std::string attributes = absl::StrCat("uri='", EscapeTagAttribute(op.link), "'");
          cairo_tag_begin(cr, CAIRO_TAG_LINK, attributes.c_str());
        }
        cairo_move_to(cr, op.x, op.y);
        cairo_show_text(cr, op.text.c_str());
        if (tag) cairo_tag_end(cr, CAIRO_TAG_LINK);
        if (op.underline) {
          cairo_set_line_width(cr, op.size * 0.06);
          cairo_move_to(cr, op.x, op.y + op.size * 0.15);
          cairo_line_to(cr, op.x + op.w, op.y + op.size * 0.15);
          cairo_stroke(cr);
        }
        break;
      }
      case Op::Kind::kFillRect:
        cairo_rectangle(cr, op.x, op.y, op.w, op.h);
        cairo_fill(cr);
        break;
      case Op::Kind::kStrokeRect:
        cairo_set_line_width(cr, 0.75);
        cairo_rectangle(cr, op.x, op.y, op.w, op.h);
        cairo_stroke(cr);
        break;
      case Op::Kind::kLine: {
        cairo_set_line_width(cr, op.size);
        const double dash[] = {3.0, 2.5};
        if (op.dashed) cairo_set_dash(cr, dash, 2, 0);
        cairo_move_to(cr, op.x, op.y);
        cairo_line_to(cr, op.w, op.h);
        cairo_stroke(cr);
        cairo_set_dash(cr, nullptr, 0, 0);
        break;
      }
      case Op::Kind::kCircle:
        cairo_arc(cr, op.x, op.y, op.w, 0, 2 * M_PI);
        cairo_fill(cr);
        break;
      case Op::Kind::kQr:
        PaintQr(cr, op, snap_qr);
        break;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Shared content
// ---------------------------------------------------------------------------------------------

// Labels are the fixed words of the payment slip and the mail header in one language.
struct Labels {
  const char* payment_details;
  const char* beneficiary;
  const char* amount;
  const char* reference;
  const char* pay_by;
  const char* online;
  const char* scan;
  const char* from;
  const char* to;
  const char* page;
};

const Labels& LabelsFor(absl::string_view language) {
  static const Labels kEn{"Payment details", "Beneficiary", "Amount", "Reference", "Pay by",
                          "Online", "Scan with your banking app to pay", "From", "To", "Page"};
  static const Labels kIt{"Dati per il pagamento", "Beneficiario", "Importo", "Riferimento",
                          "Da pagare entro il", "Online",
                          "Inquadri il codice con l'app della Sua banca per pagare", "Da", "A",
                          "Pagina"};
  static const Labels kFi{"Maksutiedot", "Saaja", "Summa", "Viite", "Eräpäivä", "Verkossa",
                          "Maksa skannaamalla koodi pankkisovelluksellasi", "Lähettäjä",
                          "Vastaanottaja", "Sivu"};
  static const Labels kNl{"Betaalgegevens", "Begunstigde", "Bedrag", "Betalingskenmerk",
                          "Uiterlijk betalen op", "Online", "Scan de code met uw bank-app om te betalen",
                          "Van", "Aan", "Pagina"};
  if (language == "it") return kIt;
  if (language == "fi") return kFi;
  if (language == "nl") return kNl;
  return kEn;
}

std::string OneLine(absl::string_view s) {
  std::vector<absl::string_view> words =
      absl::StrSplit(s, absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty());
  return absl::StrJoin(words, " ");
}

// SlipRow is one label/value pair of the payment details.
struct SlipRow {
  std::string label;
  std::string value;
  bool link = false;
};

// PaymentFacts are the formatted payment details and the QR code of a message.
struct PaymentFacts {
  std::vector<SlipRow> rows;
  std::shared_ptr<const internal::QrMatrix> qr;  // null without a payload
  std::string reference;
  std::string pay_by;
};

absl::StatusOr<PaymentFacts> MakePaymentFacts(const MessageContext& ctx, const RenderedMessage& m,
                                              const std::string& language) {
  const Labels& labels = LabelsFor(language);
  PaymentFacts facts;
  absl::StatusOr<std::string> total = FormatMoneyFor(language, ctx.total, "total");
  if (!total.ok()) return total.status();
  facts.reference = OneLine(ctx.rf_reference);
  if (rules::IsValidCreditorReference(facts.reference)) {
    facts.reference = rules::FormatPrintable(rules::NormalizeReference(facts.reference));
  }
  facts.pay_by = FormatDateLong(language, ctx.pay_by);
  facts.rows.push_back({labels.beneficiary, OneLine(ctx.creditor_name)});
  if (!ctx.creditor_iban.empty()) facts.rows.push_back({"IBAN", FormatIbanPrintable(ctx.creditor_iban)});
  if (!ctx.creditor_bic.empty()) facts.rows.push_back({"BIC", NormalizeIban(ctx.creditor_bic)});
  facts.rows.push_back({labels.amount, *total});
  if (!facts.reference.empty()) facts.rows.push_back({labels.reference, facts.reference});
  facts.rows.push_back({labels.pay_by, facts.pay_by});
  if (!OneLine(ctx.self_service_url).empty()) {
    facts.rows.push_back({labels.online, OneLine(ctx.self_service_url), true});
  }
  if (!m.epc_qr_payload.empty()) {
    absl::StatusOr<internal::QrMatrix> qr = internal::EncodeEpcQr(m.epc_qr_payload);
    if (!qr.ok()) return qr.status();
    facts.qr = std::make_shared<const internal::QrMatrix>(*std::move(qr));
  }
  return facts;
}

// BodyLine is one visual line of the text body.
struct BodyLine {
  std::string text;
  double indent = 0;
  bool bullet = false;  // draw "•" in the indent
  bool gap = false;     // a paragraph break, no text
};

// LayoutBody wraps the text body: paragraphs at blank lines, "• " lines with a hanging indent.
std::vector<BodyLine> LayoutBody(Measurer& measure, const std::string& text, double size,
                                 double width, double bullet_indent) {
  std::vector<BodyLine> out;
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    const absl::string_view line = absl::StripTrailingAsciiWhitespace(raw);
    if (line.empty()) {
      if (!out.empty() && !out.back().gap) out.push_back(BodyLine{"", 0, false, true});
      continue;
    }
    const bool bullet = absl::StartsWith(line, "• ");
    const double indent = bullet ? bullet_indent : 0;
    const absl::string_view content = bullet ? line.substr(std::string("• ").size()) : line;
    bool first = true;
    for (std::string& piece : Wrap(measure, content, Weight::kRegular, size, width - indent)) {
      out.push_back(BodyLine{std::move(piece), indent, bullet && first, false});
      first = false;
    }
  }
  while (!out.empty() && out.back().gap) out.pop_back();
  return out;
}

// ---------------------------------------------------------------------------------------------
// The letter (A4, points)
// ---------------------------------------------------------------------------------------------

constexpr double kPageW = 210 * kMm;
constexpr double kPageH = 297 * kMm;
constexpr double kLeft = 25 * kMm;
constexpr double kRight = kPageW - 20 * kMm;
constexpr double kBodySize = 9.5;
constexpr double kBodyLead = 12.6;
constexpr double kGapLead = 6.0;

absl::StatusOr<std::vector<Page>> LayoutLetter(const MessageContext& ctx,
                                               const RenderedMessage& m) {
  const std::string language = NormalizeLanguage(ctx.language);
  const Labels& labels = LabelsFor(language);
  absl::StatusOr<PaymentFacts> facts = MakePaymentFacts(ctx, m, language);
  if (!facts.ok()) return facts.status();
  Measurer measure;
  std::vector<Page> pages(1);
  Canvas c{&measure, &pages.back()};
  const std::string sender = OneLine(m.envelope_text);

  // Letterhead.
  c.Text(kLeft, 20 * kMm, sender, Weight::kBold, 15, kBrand);
  c.Line(kLeft, 23.5 * kMm, kRight, 23.5 * kMm, kBrand, 1.2);

  // Window (DIN 5008 form B, C5/6 and DL window at 20 mm / 45 mm, 85 x 45 mm): the return line
  // shows only the envelope text, then the addressee.
  c.Text(20 * kMm + 5 * kMm, 50 * kMm, sender, Weight::kRegular, 7, kMuted);
  c.Line(25 * kMm, 51.2 * kMm, 25 * kMm + measure.Width(sender, Weight::kRegular, 7), 51.2 * kMm,
         kMuted, 0.4);
  double y = 60 * kMm;
  for (const std::string& l :
       Wrap(measure, OneLine(ctx.debtor_display_name), Weight::kRegular, 10.5, 75 * kMm)) {
    c.Text(25 * kMm, y, l, Weight::kRegular, 10.5, kInk);
    y += 13;
  }

  // Reference block on the right.
  double info_y = 52 * kMm;
  auto info = [&](const std::string& label, const std::string& value) {
    c.Text(125 * kMm, info_y, label, Weight::kRegular, 7.5, kMuted);
    c.Text(125 * kMm, info_y + 11, value, Weight::kRegular, 9.5, kInk);
    info_y += 26;
  };
  if (!facts->reference.empty()) info(labels.reference, facts->reference);
  info(labels.pay_by, facts->pay_by);

  // Subject and body.
  y = 98 * kMm;
  const double width = kRight - kLeft;
  for (const std::string& l : Wrap(measure, m.subject, Weight::kBold, 11, width)) {
    c.Text(kLeft, y, l, Weight::kBold, 11, kInk);
    y += 15;
  }
  y += 8;

  // The slip: height from its rows, at least enough for the QR code and its caption.
  const double row_h = 5.4 * kMm;
  const double wrap_h = 4.2 * kMm;
  double label_w = 0;
  for (const SlipRow& row : facts->rows) {
    label_w = std::max(label_w, measure.Width(row.label, Weight::kRegular, 8));
  }
  const double value_x = kLeft + std::max(30 * kMm, label_w + 4 * kMm);
  const double value_width = (facts->qr ? kRight - 48 * kMm : kRight) - value_x;
  std::vector<std::vector<std::string>> values;
  double rows_h = 0;
  for (const SlipRow& row : facts->rows) {
    values.push_back(Wrap(measure, row.value, Weight::kRegular, 10, value_width));
    rows_h += row_h + static_cast<double>(values.back().size() - 1) * wrap_h;
  }
  const double slip_h = std::max(facts->qr ? 62 * kMm : 0.0, 17 * kMm + rows_h + 2 * kMm);
  const double slip_top = kPageH - 10 * kMm - slip_h;
  const double page_bottom = kPageH - 20 * kMm;

  const std::vector<BodyLine> body = LayoutBody(measure, m.text, kBodySize, width, 4 * kMm);
  for (const BodyLine& line : body) {
    const double lead = line.gap ? kGapLead : kBodyLead;
    if (y + lead > page_bottom) {
      pages.emplace_back();
      c.page = &pages.back();
      c.Text(kLeft, 15 * kMm, sender, Weight::kBold, 9, kBrand);
      y = 28 * kMm;
      if (line.gap) continue;
    }
    if (!line.gap) {
      if (line.bullet) c.Text(kLeft + 1 * kMm, y, "•", Weight::kRegular, kBodySize, kInk);
      c.Text(kLeft + line.indent, y, line.text, Weight::kRegular, kBodySize, kInk, true);
    }
    y += lead;
  }
  if (y > slip_top - 4 * kMm) {  // no room left for the slip on this page
    pages.emplace_back();
    c.page = &pages.back();
    c.Text(kLeft, 15 * kMm, sender, Weight::kBold, 9, kBrand);
  }

  // Payment slip.
  c.Line(8 * kMm, slip_top, kPageW - 8 * kMm, slip_top, kMuted, 0.6, /*dashed=*/true);
  c.Text(8 * kMm, slip_top - 1.2 * kMm, "\xE2\x9C\x82", Weight::kRegular, 9, kMuted);  // ✂
  c.Text(kLeft, slip_top + 9 * kMm, labels.payment_details, Weight::kBold, 11, kBrand);
  double row_y = slip_top + 17 * kMm;
  for (size_t i = 0; i < facts->rows.size(); ++i) {
    const SlipRow& row = facts->rows[i];
    c.Text(kLeft, row_y, row.label, Weight::kRegular, 8, kMuted);
    for (size_t j = 0; j < values[i].size(); ++j) {
      if (j > 0) row_y += wrap_h;
      c.Value(value_x, row_y, values[i][j], 10, row.link ? row.value : "");
    }
    row_y += row_h;
  }
  if (facts->qr) {
    const double qr_size = 42 * kMm;
    const double qr_x = kRight - qr_size;
    const double qr_y = slip_top + 4 * kMm;
    c.Qr(qr_x, qr_y, qr_size, facts->qr);
    double cap_y = qr_y + qr_size + 3.5 * kMm;
    for (const std::string& l : Wrap(measure, labels.scan, Weight::kRegular, 7, qr_size + 6 * kMm)) {
      const double w = measure.Width(l, Weight::kRegular, 7);
      c.Text(qr_x + (qr_size - w) / 2, cap_y, l, Weight::kRegular, 7, kMuted);
      cap_y += 9;
    }
  }

  // Page numbers when there is more than one page.
  if (pages.size() > 1) {
    for (size_t i = 0; i < pages.size(); ++i) {
      Canvas pc{&measure, &pages[i]};
      const std::string label = absl::StrCat(labels.page, " ", i + 1, " / ", pages.size());
      pc.Text(kRight - measure.Width(label, Weight::kRegular, 7), kPageH - 5 * kMm, label,
              Weight::kRegular, 7, kMuted);
    }
  }
  return pages;
}

// ---------------------------------------------------------------------------------------------
// The e-mail (CSS pixels)
// ---------------------------------------------------------------------------------------------

constexpr double kMailW = 720;

absl::StatusOr<std::pair<Page, double>> LayoutEmail(const MessageContext& ctx,
                                                    const RenderedMessage& m) {
  const std::string language = NormalizeLanguage(ctx.language);
  const Labels& labels = LabelsFor(language);
  absl::StatusOr<PaymentFacts> facts = MakePaymentFacts(ctx, m, language);
  if (!facts.ok()) return facts.status();
  Measurer measure;
  Page content;
  Canvas c{&measure, &content};
  const std::string sender = OneLine(m.envelope_text);

  // Message header, as a mail client shows it.
  double y = 40;
  for (const std::string& l : Wrap(measure, m.subject, Weight::kBold, 19, kMailW - 48)) {
    c.Text(24, y, l, Weight::kBold, 19, kInk);
    y += 26;
  }
  y += 6;
  const double avatar_y = y + 8;
  const std::string initial = sender.empty() ? "?" : Utf8Chars(sender).front();
  const double iw = measure.Width(initial, Weight::kBold, 17);
  c.Text(24 + 18 - iw / 2, avatar_y + 10, initial, Weight::kBold, 17, kWhite);
  c.Text(72, y + 4, absl::StrCat(labels.from, ": ", sender), Weight::kBold, 13, kInk);
  c.Text(72, y + 24, absl::StrCat(labels.to, ": ", OneLine(ctx.debtor_display_name)),
         Weight::kRegular, 13, kMuted);
  y += 46;
  const double header_bottom = y;

  // The branded message card.
  const double card_x = 40;
  const double card_w = kMailW - 80;
  const double card_top = header_bottom + 24;
  const double band_h = 56;
  c.Text(card_x + 24, card_top + 36, sender, Weight::kBold, 20, kWhite);
  y = card_top + band_h + 34;
  const double text_x = card_x + 24;
  const double text_w = card_w - 48;
  for (const BodyLine& line : LayoutBody(measure, m.text, 15, text_w, 22)) {
    if (line.gap) {
      y += 14;
      continue;
    }
    if (line.bullet) c.Text(text_x + 6, y, "•", Weight::kRegular, 15, kInk);
    c.Text(text_x + line.indent, y, line.text, Weight::kRegular, 15, kInk, true);
    y += 22;
  }

  // Payment box with the QR code.
  y += 16;
  const double box_top = y;
  const double qr_size = 150;
  const double label_x = text_x + 16;
  double label_w = 0;
  for (const SlipRow& row : facts->rows) {
    label_w = std::max(label_w, measure.Width(row.label, Weight::kRegular, 12));
  }
  const double value_x = label_x + std::max(96.0, label_w + 16);
  const double value_w = (facts->qr ? text_x + text_w - qr_size - 32 : text_x + text_w - 16) - value_x;
  double row_y = box_top + 34;
  c.Text(label_x, row_y, labels.payment_details, Weight::kBold, 15, kBrand);
  row_y += 30;
  for (const SlipRow& row : facts->rows) {
    c.Text(label_x, row_y, row.label, Weight::kRegular, 12, kMuted);
    bool first = true;
    for (const std::string& piece : Wrap(measure, row.value, Weight::kRegular, 14, value_w)) {
      if (!first) row_y += 19;
      first = false;
      c.Value(value_x, row_y, piece, 14, row.link ? row.value : "");
    }
    row_y += 26;
  }
  double box_bottom = row_y - 4;
  if (facts->qr) {
    const double qr_x = text_x + text_w - 16 - qr_size;
    const double qr_y = box_top + 20;
    c.Qr(qr_x, qr_y, qr_size, facts->qr);
    double cap_y = qr_y + qr_size + 16;
    for (const std::string& l : Wrap(measure, labels.scan, Weight::kRegular, 11, qr_size + 10)) {
      const double w = measure.Width(l, Weight::kRegular, 11);
      c.Text(qr_x + (qr_size - w) / 2, cap_y, l, Weight::kRegular, 11, kMuted);
      cap_y += 15;
    }
    box_bottom = std::max(box_bottom, cap_y + 4);
  }
  const double card_bottom = box_bottom + 28;
  const double height = card_bottom + 32;

  // Backgrounds first, then the content.
  Page page;
  Canvas bg{&measure, &page};
  bg.Rect(0, 0, kMailW, height, kWindow, true);
  bg.Rect(0, 0, kMailW, header_bottom, kWhite, true);
  bg.Line(0, header_bottom, kMailW, header_bottom, kRule, 1);
  bg.Circle(24 + 18, avatar_y + 4, 18, kBrand);
  bg.Rect(card_x, card_top, card_w, card_bottom - card_top, kWhite, true);
  bg.Rect(card_x, card_top, card_w, band_h, kBrand, true);
  bg.Rect(text_x, box_top, text_w, box_bottom - box_top, kPanel, true);
  bg.Rect(text_x, box_top, text_w, box_bottom - box_top, kRule, false);
  page.insert(page.end(), content.begin(), content.end());
  return std::make_pair(std::move(page), height);
}

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

absl::Status CheckDpi(int dpi) {
  if (dpi < 36 || dpi > 300) {
    return absl::InvalidArgumentError(absl::StrCat("dpi: ", dpi, " is outside 36..300"));
  }
  return absl::OkStatus();
}

absl::Status CairoError(absl::string_view what, cairo_status_t status) {
  return absl::InternalError(absl::StrCat(what, ": ", cairo_status_to_string(status)));
}

// RasterPages paints pages of `page_w` x `page_h` layout units at `scale` device pixels per unit,
// one below the other, and returns the PNG bytes.
absl::StatusOr<std::string> RasterPages(const std::vector<Page>& pages, double page_w,
                                        double page_h, double scale) {
  const int w = static_cast<int>(std::ceil(page_w * scale));
  const int h = static_cast<int>(std::ceil(page_h * scale));
  const int gap = pages.size() > 1 ? static_cast<int>(std::round(8 * scale)) : 0;
  const int total_h = h * static_cast<int>(pages.size()) + gap * static_cast<int>(pages.size() - 1);
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, total_h);
  cairo_t* cr = cairo_create(surface);
  cairo_set_source_rgb(cr, 0.6, 0.62, 0.65);
  cairo_paint(cr);
  for (size_t i = 0; i < pages.size(); ++i) {
    cairo_save(cr);
    cairo_translate(cr, 0, static_cast<double>(i) * (h + gap));
    cairo_rectangle(cr, 0, 0, w, h);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_fill(cr);
    cairo_scale(cr, scale, scale);
    Paint(cr, pages[i], /*snap_qr=*/true, /*links=*/false);
    cairo_restore(cr);
  }
  std::string png;
  cairo_status_t status = cairo_status(cr);
  if (status == CAIRO_STATUS_SUCCESS) {
    status = cairo_surface_write_to_png_stream(surface, &AppendToString, &png);
  }
  cairo_destroy(cr);
  cairo_surface_destroy(surface);
  if (status != CAIRO_STATUS_SUCCESS) return CairoError("png", status);
  return png;
}

}  // namespace

absl::StatusOr<std::string> RenderLetterPdf(const MessageContext& ctx, const RenderedMessage& m) {
  absl::StatusOr<std::vector<Page>> pages = LayoutLetter(ctx, m);
  if (!pages.ok()) return pages.status();
  std::string pdf;
  cairo_surface_t* surface =
      cairo_pdf_surface_create_for_stream(&AppendToString, &pdf, kPageW, kPageH);
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, m.subject.c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Concerto");
  cairo_t* cr = cairo_create(surface);
  for (const Page& page : *pages) {
    Paint(cr, page, /*snap_qr=*/false, /*links=*/true);
    cairo_show_page(cr);
  }
  cairo_status_t status = cairo_status(cr);
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  if (status == CAIRO_STATUS_SUCCESS) status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (status != CAIRO_STATUS_SUCCESS) return CairoError("pdf", status);
  return pdf;
}

absl::StatusOr<std::string> RenderLetterPng(const MessageContext& ctx, const RenderedMessage& m,
                                            int dpi) {
  if (absl::Status s = CheckDpi(dpi); !s.ok()) return s;
  absl::StatusOr<std::vector<Page>> pages = LayoutLetter(ctx, m);
  if (!pages.ok()) return pages.status();
  return RasterPages(*pages, kPageW, kPageH, dpi / 72.0);
}

absl::StatusOr<std::string> RenderEmailPng(const MessageContext& ctx, const RenderedMessage& m,
                                           int dpi) {
  if (absl::Status s = CheckDpi(dpi); !s.ok()) return s;
  absl::StatusOr<std::pair<Page, double>> laid_out = LayoutEmail(ctx, m);
  if (!laid_out.ok()) return laid_out.status();
  return RasterPages({laid_out->first}, kMailW, laid_out->second, dpi / 96.0);
}

}  // namespace concerto::contact
