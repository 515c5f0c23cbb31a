// concerto-render-examples --out=DIR: renders, for it, en, fi and nl, the letter "final-notice"
// (PNG and PDF) and the e-mail "reminder-1" (PNG) of a realistic, fictional sample context into
// DIR: letter_final_notice_<lang>.png/.pdf and email_reminder_1_<lang>.png (docs/examples/).
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/rules/creditor_reference.h"
#include "services/contact_channel/templates/letter.h"
#include "services/contact_channel/templates/message_renderer.h"

ABSL_FLAG(std::string, out, "", "directory to write the example PNG and PDF files into");
ABSL_FLAG(int, dpi, 96, "resolution of the PNG files");

namespace concerto::contact {
namespace {

rules::Money Eur(int64_t cents) { return rules::Money{cents, "EUR"}; }

// SampleContext is a fictional but realistic case per language: creditor, debtor, two open
// invoices, fees where the jurisdiction allows them, and a pay-by date.
MessageContext SampleContext(const std::string& language) {
  MessageContext ctx;
  ctx.tenant = "examples";
  ctx.language = language;
  if (language == "it") {
    ctx.debtor_display_name = "Giulia Bianchi";
    ctx.invoices = {{"FT-2025/004217", absl::CivilDay(2025, 11, 30), Eur(48'250)},
                    {"FT-2025/004388", absl::CivilDay(2025, 12, 31), Eur(72'940)}};
    ctx.fees = Eur(1'237);  // late interest
    ctx.pay_by = absl::CivilDay(2026, 3, 9);
    ctx.creditor_name = "Aurora Energia S.p.A.";
    ctx.creditor_iban = "IT60X0542811101000000123456";
    ctx.creditor_bic = "BPMOIT22XXX";
    ctx.country = "IT";
  } else if (language == "fi") {
    ctx.debtor_display_name = "Aino Virtanen";
    ctx.invoices = {{"2025-118734", absl::CivilDay(2025, 12, 15), Eur(8'990)},
                    {"2026-000412", absl::CivilDay(2026, 1, 15), Eur(11'460)}};
    ctx.fees = Eur(1'000);  // two written reminders (513/1999 §10 a)
    ctx.pay_by = absl::CivilDay(2026, 3, 2);
    ctx.creditor_name = "Revontuli Energia Oy";
    ctx.creditor_iban = "FI2112345600000785";
    ctx.creditor_bic = "NDEAFIHH";
    ctx.country = "FI";
  } else if (language == "nl") {
    ctx.debtor_display_name = "Daan de Vries";
    ctx.invoices = {{"PI-25-10981", absl::CivilDay(2025, 12, 1), Eur(185'000)},
                    {"PI-26-00127", absl::CivilDay(2026, 1, 5), Eur(64'500)}};
    ctx.fees = Eur(0);  // the 14-day letter comes before any collection costs
    ctx.pay_by = absl::CivilDay(2026, 3, 6);
    ctx.creditor_name = "Polder Installatietechniek B.V.";
    ctx.creditor_iban = "NL91ABNA0417164300";
    ctx.creditor_bic = "ABNANL2A";
    ctx.country = "NL";
  } else {
    ctx.debtor_display_name = "Sarah O'Connor";
    ctx.invoices = {{"HLW-2025-0871", absl::CivilDay(2025, 12, 20), Eur(34'680)},
                    {"HLW-2026-0044", absl::CivilDay(2026, 1, 20), Eur(21'900)}};
    ctx.fees = Eur(4'000);  // EUR 40 compensation (Directive 2011/7/EU)
    ctx.pay_by = absl::CivilDay(2026, 3, 6);
    ctx.creditor_name = "Harbour Lane Wines Ltd";
    ctx.creditor_iban = "IE29AIBK93115212345678";
    ctx.creditor_bic = "AIBKIE2D";
    ctx.country = "IE";
  }
  int64_t sum = 0;
  for (const InvoiceLineView& line : ctx.invoices) sum += line.open_balance.minor_units;
  ctx.total = Eur(sum + ctx.fees.minor_units);
  ctx.rf_reference = rules::CreditorReferenceForInvoiceNumber(ctx.invoices.front().invoice_number);
  ctx.self_service_url = absl::StrCat("https://pay.concerto.example/", language, "/k7Qm2xWz");
  return ctx;
}

absl::Status WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", path));
  std::printf("wrote %s (%zu bytes)\n", path.c_str(), bytes.size());
  return absl::OkStatus();
}

absl::Status Run(const std::string& dir, int dpi) {
  absl::StatusOr<MessageRenderer> renderer = MessageRenderer::BuiltIn();
  if (!renderer.ok()) return renderer.status();
  for (const char* language : {"it", "en", "fi", "nl"}) {
    MessageContext ctx = SampleContext(language);

    ctx.template_name = "final-notice";
    absl::StatusOr<RenderedMessage> letter = renderer->Render(ctx);
    if (!letter.ok()) return letter.status();
    absl::StatusOr<std::string> png = RenderLetterPng(ctx, *letter, dpi);
    if (!png.ok()) return png.status();
    absl::StatusOr<std::string> pdf = RenderLetterPdf(ctx, *letter);
    if (!pdf.ok()) return pdf.status();
    absl::Status s = WriteFile(absl::StrCat(dir, "/letter_final_notice_", language, ".png"), *png);
    if (!s.ok()) return s;
    s = WriteFile(absl::StrCat(dir, "/letter_final_notice_", language, ".pdf"), *pdf);
    if (!s.ok()) return s;

    ctx.template_name = "reminder-1";
    absl::StatusOr<RenderedMessage> email = renderer->Render(ctx);
    if (!email.ok()) return email.status();
    absl::StatusOr<std::string> email_png = RenderEmailPng(ctx, *email, dpi);
    if (!email_png.ok()) return email_png.status();
    s = WriteFile(absl::StrCat(dir, "/email_reminder_1_", language, ".png"), *email_png);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace
}  // namespace concerto::contact

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string dir = absl::GetFlag(FLAGS_out);
  if (dir.empty()) {
    std::fprintf(stderr, "usage: concerto-render-examples --out=DIR [--dpi=96]\n");
    return 2;
  }
  const absl::Status status = concerto::contact::Run(dir, absl::GetFlag(FLAGS_dpi));
  if (!status.ok()) {
    std::fprintf(stderr, "concerto-render-examples: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
