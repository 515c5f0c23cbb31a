// Unit tests of the contact-channel templates: rendering per language, tenant overrides,
// template checks, neutral wording, the EPC QR payload and code, letters and e-mail previews.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include <cairo.h>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/rules/fees.h"
#include "services/contact_channel/templates/internal/builtin_templates.h"
#include "services/contact_channel/templates/internal/neutral_wording.h"
#include "services/contact_channel/templates/internal/qr.h"
#include "services/contact_channel/templates/internal/template_source.h"
#include "services/contact_channel/templates/letter.h"
#include "services/contact_channel/templates/locale_format.h"
#include "services/contact_channel/templates/message_renderer.h"

namespace concerto::contact {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kNb = kNbsp;

rules::Money Eur(int64_t cents) { return rules::Money{cents, "EUR"}; }

const std::vector<std::string>& Languages() {
  static const auto* const kLanguages = new std::vector<std::string>{"it", "en", "fi", "nl"};
  return *kLanguages;
}

// Context is the standard case of these tests: 482.50 + 729.40 open, 40.00 fees, 1,251.90 to
// pay by 15 Feb 2026.
MessageContext Context(const std::string& language, const std::string& template_name,
                       const std::string& country = "IT") {
  MessageContext ctx;
  ctx.tenant = "acme";
  ctx.language = language;
  ctx.template_name = template_name;
  ctx.debtor_display_name = "Maria Rossi";
  ctx.invoices = {{"INV-2025-0042", absl::CivilDay(2025, 11, 30), Eur(48'250)},
                  {"INV-2025-0057", absl::CivilDay(2025, 12, 31), Eur(72'940)}};
  ctx.total = Eur(125'190);
  ctx.fees = Eur(4'000);
  ctx.pay_by = absl::CivilDay(2026, 2, 15);
  ctx.creditor_name = "Aurora Energia S.p.A.";
  ctx.creditor_iban = "IT60X0542811101000000123456";
  ctx.creditor_bic = "BPMOIT22XXX";
  ctx.rf_reference = "RF18539007547034";
  ctx.self_service_url = "https://pay.example.com/acme/k7Qm2xWz";
  ctx.country = country;
  return ctx;
}

// Expected is how the standard case reads in one language.
struct Expected {
  std::string total, fees, first_balance, second_balance, pay_by, pay_by_short, first_due;
};

Expected ExpectedFor(const std::string& language) {
  if (language == "it") {
    return {"1.251,90" + kNb + "€", "40,00" + kNb + "€", "482,50" + kNb + "€",
            "729,40" + kNb + "€",   "15 febbraio 2026",  "15/02/2026",
            "30 novembre 2025"};
  }
  if (language == "fi") {
    return {"1" + kNb + "251,90" + kNb + "€", "40,00" + kNb + "€", "482,50" + kNb + "€",
            "729,40" + kNb + "€", "15.2.2026", "15.2.2026", "30.11.2025"};
  }
  if (language == "nl") {
    return {"€" + kNb + "1.251,90", "€" + kNb + "40,00", "€" + kNb + "482,50",
            "€" + kNb + "729,40",   "15 februari 2026",  "15-02-2026",
            "30 november 2025"};
  }
  return {"€1,251.90", "€40.00", "€482.50", "€729.40", "15 February 2026", "15 Feb 2026",
          "30 November 2025"};
}

MessageRenderer BuiltIn() {
  absl::StatusOr<MessageRenderer> r = MessageRenderer::BuiltIn();
  EXPECT_TRUE(r.ok()) << r.status();
  return *std::move(r);
}

// ---- locale formatting ----

TEST(LocaleFormat, MoneyPerLanguage) {
  EXPECT_EQ(*FormatMoneyFor("it", Eur(123'456)), "1.234,56" + kNb + "€");
  EXPECT_EQ(*FormatMoneyFor("nl", Eur(123'456)), "€" + kNb + "1.234,56");
  EXPECT_EQ(*FormatMoneyFor("fi", Eur(123'456)), "1" + kNb + "234,56" + kNb + "€");
  EXPECT_EQ(*FormatMoneyFor("en", Eur(123'456)), "€1,234.56");
  EXPECT_EQ(*FormatMoneyFor("en-GB", Eur(123'456'789'01)), "€123,456,789.01");
  EXPECT_EQ(*FormatMoneyFor("de", Eur(5)), "€0.05");  // unknown language -> en
  EXPECT_EQ(*FormatMoneyFor("en", Eur(-4'000)), "-€40.00");
  EXPECT_EQ(*FormatMoneyFor("nl", Eur(-4'000)), "€" + kNb + "-40,00");
  EXPECT_EQ(*FormatMoneyFor("it", Eur(-4'000)), "-40,00" + kNb + "€");
  EXPECT_EQ(*FormatMoneyFor("en", rules::Money{99'900, "GBP"}), "£999.00");
  EXPECT_EQ(*FormatMoneyFor("it", rules::Money{1'200'000, "JPY"}), "1.200.000" + kNb + "JPY");
  EXPECT_EQ(*FormatMoneyFor("en", rules::Money{150, "CHF"}), "CHF" + kNb + "1.50");
  absl::StatusOr<std::string> bad = FormatMoneyFor("en", rules::Money{1, "XXX"}, "total");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("total"));
}

TEST(LocaleFormat, DatesPerLanguage) {
  const absl::CivilDay day(2026, 3, 5);
  EXPECT_EQ(FormatDateLong("it", day), "5 marzo 2026");
  EXPECT_EQ(FormatDateLong("en", day), "5 March 2026");
  EXPECT_EQ(FormatDateLong("fi", day), "5.3.2026");
  EXPECT_EQ(FormatDateLong("nl", day), "5 maart 2026");
  EXPECT_EQ(FormatDateShort("it", day), "05/03/2026");
  EXPECT_EQ(FormatDateShort("en", day), "5 Mar 2026");
  EXPECT_EQ(FormatDateShort("fi", day), "5.3.2026");
  EXPECT_EQ(FormatDateShort("nl", day), "05-03-2026");
}

TEST(LocaleFormat, LanguagesAndIbans) {
  EXPECT_EQ(NormalizeLanguage("it-IT"), "it");
  EXPECT_EQ(NormalizeLanguage("NL"), "nl");
  EXPECT_EQ(NormalizeLanguage("sv"), "en");
  EXPECT_EQ(NormalizeLanguage(""), "en");
  EXPECT_TRUE(IsValidIban("IT60X0542811101000000123456"));
  EXPECT_TRUE(IsValidIban("nl91 abna 0417 1643 00"));
  EXPECT_TRUE(IsValidIban("FI2112345600000785"));
  EXPECT_TRUE(IsValidIban("BE72000000001616"));
  EXPECT_FALSE(IsValidIban("IT61X0542811101000000123456"));
  EXPECT_FALSE(IsValidIban("NL91"));
  EXPECT_EQ(FormatIbanPrintable("IT60X0542811101000000123456"), "IT60 X054 2811 1010 0000 0123 456");
}

// ---- rendering ----

TEST(MessageRenderer, BuiltInHasEveryTemplateInEveryLanguage) {
  const MessageRenderer renderer = BuiltIn();
  EXPECT_EQ(internal::BuiltinTemplates().size(), 24u);
  for (const std::string& language : Languages()) {
    for (const std::string& name : internal::BuiltinTemplateNames()) {
      absl::StatusOr<RenderedMessage> m = renderer.Render(Context(language, name));
      EXPECT_TRUE(m.ok()) << language << "/" << name << ": " << m.status();
    }
  }
}

TEST(MessageRenderer, EveryTemplateShowsAmountsAndDatesFormattedForItsLanguage) {
  const MessageRenderer renderer = BuiltIn();
  for (const std::string& language : Languages()) {
    const Expected e = ExpectedFor(language);
    for (const std::string& name : internal::BuiltinTemplateNames()) {
      SCOPED_TRACE(absl::StrCat(language, "/", name));
      absl::StatusOr<RenderedMessage> m = renderer.Render(Context(language, name));
      ASSERT_TRUE(m.ok()) << m.status();
      EXPECT_THAT(m->text, HasSubstr(e.total));
      EXPECT_THAT(m->text, HasSubstr(e.first_balance));
      EXPECT_THAT(m->text, HasSubstr(e.second_balance));
      EXPECT_THAT(m->text, HasSubstr(e.pay_by));
      EXPECT_THAT(m->text, HasSubstr(e.first_due));
      EXPECT_THAT(m->text, HasSubstr("INV-2025-0042"));
      EXPECT_THAT(m->text, HasSubstr("Maria Rossi"));
      EXPECT_THAT(m->html, HasSubstr(e.total));
      EXPECT_THAT(m->html, HasSubstr(e.pay_by));
      if (name != "call-script") {
        EXPECT_THAT(m->text, HasSubstr(e.fees));
        EXPECT_THAT(m->text, HasSubstr("IT60 X054 2811 1010 0000 0123 456"));
        EXPECT_THAT(m->text, HasSubstr("RF18 5390 0754 7034"));
        EXPECT_THAT(m->sms, HasSubstr(e.total));
      }
      if (name != "call-script" && name != "plan-offer") {
        EXPECT_THAT(m->sms, HasSubstr(e.pay_by_short));
      }
      // No placeholder survives, no empty line runs.
      EXPECT_THAT(m->text, Not(HasSubstr("{{")));
      EXPECT_THAT(m->text, Not(HasSubstr("\n\n\n")));
      EXPECT_EQ(m->envelope_text, "Aurora Energia S.p.A.");
      EXPECT_EQ(m->epc_qr_payload, EpcQrPayload(Context(language, name)));
    }
  }
}

TEST(MessageRenderer, SingleInvoiceAndNoFeesReadNaturally) {
  const MessageRenderer renderer = BuiltIn();
  MessageContext ctx = Context("en", "reminder-1");
  ctx.invoices.resize(1);
  ctx.fees = Eur(0);
  ctx.total = Eur(48'250);
  absl::StatusOr<RenderedMessage> m = renderer.Render(ctx);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_THAT(m->text, HasSubstr("the invoice below is still open"));
  EXPECT_THAT(m->text, Not(HasSubstr("fees and interest")));
  EXPECT_THAT(m->text, HasSubstr("Amount to pay: €482.50\n"));
}

TEST(MessageRenderer, UnknownLanguageFallsBackToEnglish) {
  const MessageRenderer renderer = BuiltIn();
  absl::StatusOr<RenderedMessage> m = renderer.Render(Context("de", "reminder-1"));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_THAT(m->text, HasSubstr("Dear Maria Rossi,"));
  EXPECT_THAT(m->text, HasSubstr("€1,251.90"));
}

TEST(MessageRenderer, UnknownTemplateIsNotFound) {
  const MessageRenderer renderer = BuiltIn();
  absl::StatusOr<RenderedMessage> m = renderer.Render(Context("it", "welcome"));
  EXPECT_EQ(m.status().code(), absl::StatusCode::kNotFound);
}

TEST(MessageRenderer, FinalNoticeCarriesTheStatutoryWordingOfTheJurisdiction) {
  const MessageRenderer renderer = BuiltIn();
  absl::StatusOr<RenderedMessage> it = renderer.Render(Context("it", "final-notice", "IT"));
  ASSERT_TRUE(it.ok()) << it.status();
  EXPECT_THAT(it->text, HasSubstr("diffida ad adempiere ai sensi dell'art. 1454 del Codice civile"));
  EXPECT_THAT(it->text, HasSubstr("entro il 15 febbraio 2026"));
  EXPECT_THAT(it->text, HasSubstr("decreto ingiuntivo"));

  absl::StatusOr<RenderedMessage> nl = renderer.Render(Context("nl", "final-notice", "NL"));
  ASSERT_TRUE(nl.ok()) << nl.status();
  EXPECT_THAT(nl->text, HasSubstr("artikel 6:96 lid 6"));
  EXPECT_THAT(nl->text, HasSubstr("14 dagen"));
  EXPECT_THAT(nl->text, HasSubstr("vanaf de dag na ontvangst"));
  // WIK on the principal (the invoices, not the fees).
  absl::StatusOr<rules::Money> wik = rules::WikCollectionCosts(Eur(121'190), false);
  ASSERT_TRUE(wik.ok());
  EXPECT_THAT(nl->text, HasSubstr(absl::StrCat("incassokosten in rekening. Deze bedragen ",
                                               *FormatMoneyFor("nl", *wik))));

  absl::StatusOr<RenderedMessage> fi = renderer.Render(Context("fi", "final-notice", "FI"));
  ASSERT_TRUE(fi.ok()) << fi.status();
  EXPECT_THAT(fi->text, HasSubstr("Tämä on maksuvaatimus."));
  EXPECT_THAT(fi->text, HasSubstr("513/1999"));

  absl::StatusOr<RenderedMessage> gb = renderer.Render(Context("en", "final-notice", "uk"));
  ASSERT_TRUE(gb.ok()) << gb.status();
  EXPECT_THAT(gb->text, HasSubstr("MoneyHelper"));

  // The Italian wording in English for an Italian jurisdiction; a neutral one elsewhere.
  absl::StatusOr<RenderedMessage> it_en = renderer.Render(Context("en", "final-notice", "IT"));
  ASSERT_TRUE(it_en.ok());
  EXPECT_THAT(it_en->text, HasSubstr("Article 1454 of the Italian Civil Code"));
  absl::StatusOr<RenderedMessage> ie = renderer.Render(Context("en", "final-notice", "IE"));
  ASSERT_TRUE(ie.ok());
  EXPECT_THAT(ie->text, HasSubstr("This is our final notice."));
  EXPECT_THAT(ie->text, Not(HasSubstr("1454")));

  // Only the final notice is firm: reminders carry no statutory paragraph.
  absl::StatusOr<RenderedMessage> r1 = renderer.Render(Context("it", "reminder-1", "IT"));
  ASSERT_TRUE(r1.ok());
  EXPECT_THAT(r1->text, Not(HasSubstr("diffida")));
}

TEST(MessageRenderer, HelpfulToneOffersPlanAndHardshipContact) {
  const MessageRenderer renderer = BuiltIn();
  absl::StatusOr<RenderedMessage> m = renderer.Render(Context("en", "reminder-1"));
  ASSERT_TRUE(m.ok());
  EXPECT_THAT(m->text, HasSubstr("payment plan"));
  EXPECT_THAT(m->text, HasSubstr("https://pay.example.com/acme/k7Qm2xWz"));
  EXPECT_THAT(m->text, HasSubstr("If you have paid in the meantime, thank you"));
  absl::StatusOr<RenderedMessage> plan = renderer.Render(Context("en", "plan-offer"));
  ASSERT_TRUE(plan.ok());
  EXPECT_THAT(plan->text, HasSubstr("illness or a loss of income"));
  absl::StatusOr<RenderedMessage> call = renderer.Render(Context("en", "call-script"));
  ASSERT_TRUE(call.ok());
  EXPECT_THAT(call->text, HasSubstr("do not mention the reason for the call"));
}

TEST(MessageRenderer, TextIsPlainAndHtmlIsEscaped) {
  const MessageRenderer renderer = BuiltIn();
  MessageContext ctx = Context("en", "reminder-1");
  ctx.debtor_display_name = "Rossi & <Figli>";
  ctx.creditor_name = "Smith & Sons";
  absl::StatusOr<RenderedMessage> m = renderer.Render(ctx);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_THAT(m->text, HasSubstr("Dear Rossi & <Figli>,"));
  EXPECT_THAT(m->sms, HasSubstr("Smith & Sons:"));
  EXPECT_THAT(m->html, HasSubstr("Dear Rossi &amp; &lt;Figli&gt;,"));
  EXPECT_THAT(m->html, Not(HasSubstr("<Figli>")));
  EXPECT_THAT(m->html, HasSubstr("<a href=\"https://pay.example.com/acme/k7Qm2xWz\""));
  EXPECT_THAT(m->html, HasSubstr("<li>Invoice INV-2025-0042"));
  EXPECT_TRUE(absl::StartsWith(m->html, "<!DOCTYPE html>"));
}

TEST(MessageRenderer, OptionalPaymentFieldsDisappearCleanly) {
  const MessageRenderer renderer = BuiltIn();
  MessageContext ctx = Context("nl", "reminder-2");
  ctx.creditor_iban.clear();
  ctx.creditor_bic.clear();
  ctx.rf_reference.clear();
  ctx.self_service_url.clear();
  absl::StatusOr<RenderedMessage> m = renderer.Render(ctx);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_THAT(m->text, Not(HasSubstr("IBAN")));
  EXPECT_THAT(m->text, Not(HasSubstr("Betalingskenmerk")));
  EXPECT_THAT(m->text, Not(HasSubstr("http")));
  EXPECT_EQ(m->epc_qr_payload, "");
}

TEST(MessageRenderer, InconsistentContextsAreRejectedNamingTheField) {
  const MessageRenderer renderer = BuiltIn();
  MessageContext ctx = Context("en", "reminder-1");
  ctx.fees = rules::Money{100, "GBP"};
  EXPECT_THAT(renderer.Render(ctx).status().message(), HasSubstr("fees"));
  ctx = Context("en", "reminder-1");
  ctx.invoices[1].open_balance.currency = "USD";
  EXPECT_THAT(renderer.Render(ctx).status().message(), HasSubstr("invoices[1].open_balance"));
  ctx = Context("en", "reminder-1");
  ctx.creditor_iban = "IT61X0542811101000000123456";
  absl::Status s = renderer.Render(ctx).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("creditor_iban"));
  EXPECT_THAT(s.message(), Not(HasSubstr("Maria")));  // personal data never in errors
  ctx = Context("en", "reminder-1");
  ctx.rf_reference = "RF19539007547034";
  EXPECT_THAT(renderer.Render(ctx).status().message(), HasSubstr("rf_reference"));
  ctx = Context("en", "reminder-1");
  ctx.total.currency = "XXX";
  EXPECT_THAT(renderer.Render(ctx).status().message(), HasSubstr("total"));
}

TEST(MessageRenderer, RendersConcurrently) {
  const MessageRenderer renderer = BuiltIn();
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const std::string& language = Languages()[(t + i) % 4];
        absl::StatusOr<RenderedMessage> m = renderer.Render(Context(language, "reminder-2"));
        if (!m.ok() || !absl::StrContains(m->text, ExpectedFor(language).total)) ++failures[t];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(failures, std::vector<int>(4, 0));
}

// ---- tenant overrides and template checks ----

constexpr char kOverride[] = R"(--- subject ---
Hello from {{creditor_name}}
--- text ---
Hi {{debtor_name}}, please pay {{total}} by {{pay_by}}.
{{#invoices}}
- {{invoice_number}} {{open_balance}}
{{/invoices}}
--- sms ---
{{creditor_name}}: {{total}} by {{pay_by_short}}
)";

TEST(MessageRenderer, TenantOverrideWins) {
  MessageRenderer renderer = BuiltIn();
  ASSERT_TRUE(renderer.Put("acme", "it", "reminder-1", kOverride).ok());
  absl::StatusOr<RenderedMessage> m = renderer.Render(Context("it", "reminder-1"));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->subject, "Hello from Aurora Energia S.p.A.");
  EXPECT_EQ(m->text, "Hi Maria Rossi, please pay 1.251,90" + kNb +
                         "€ by 15 febbraio 2026.\n- INV-2025-0042 482,50" + kNb +
                         "€\n- INV-2025-0057 729,40" + kNb + "€\n");
  EXPECT_EQ(m->sms, "Aurora Energia S.p.A.: 1.251,90" + kNb + "€ by 15/02/2026");

  // Other tenants, other languages and other templates keep the built-ins.
  MessageContext other = Context("it", "reminder-1");
  other.tenant = "globex";
  EXPECT_THAT(renderer.Render(other)->text, HasSubstr("Gentile Maria Rossi,"));
  EXPECT_THAT(renderer.Render(Context("en", "reminder-1"))->text, HasSubstr("Dear Maria Rossi,"));
  EXPECT_THAT(renderer.Render(Context("it", "reminder-2"))->text, HasSubstr("Gentile"));

  // A tenant may add a template of its own.
  ASSERT_TRUE(renderer.Put("acme", "en", "welcome", kOverride).ok());
  EXPECT_TRUE(renderer.Render(Context("en", "welcome")).ok());
  EXPECT_EQ(renderer.Render(Context("it", "welcome")).status().code(),
            absl::StatusCode::kNotFound);
}

absl::Status PutText(const std::string& text, const std::string& sms = "{{creditor_name}}") {
  MessageRenderer renderer = BuiltIn();
  return renderer.Put("acme", "en", "reminder-1",
                      absl::StrCat("--- subject ---\nHello\n--- text ---\n", text,
                                   "\n--- sms ---\n", sms, "\n"));
}

TEST(MessageRenderer, BadTemplatesNameTheField) {
  absl::Status s = PutText("Dear {{debtor_nmae}},");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("unknown field 'debtor_nmae' at line 4"));
  EXPECT_THAT(s.message(), HasSubstr("part text"));

  s = PutText("{{#invoices}}{{invoice_number}}");
  EXPECT_THAT(s.message(), HasSubstr("section 'invoices' opened at line 4 is never closed"));

  s = PutText("{{#invoices}}{{/has_fees}}");
  EXPECT_THAT(s.message(), HasSubstr("section 'invoices'"));
  EXPECT_THAT(s.message(), HasSubstr("{{/has_fees}}"));

  s = PutText("due {{due_date}}");
  EXPECT_THAT(s.message(), HasSubstr("field 'due_date'"));
  EXPECT_THAT(s.message(), HasSubstr("{{#invoices}}"));

  s = PutText("{{invoices}}");
  EXPECT_THAT(s.message(), HasSubstr("'invoices'"));

  s = PutText("Total {{total");
  EXPECT_THAT(s.message(), HasSubstr("never closed"));

  s = PutText("{{> signature}}");
  EXPECT_THAT(s.message(), HasSubstr("unknown partial 'signature'"));

  s = PutText("{{=<% %>=}}");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);

  MessageRenderer renderer = BuiltIn();
  s = renderer.Put("acme", "en", "reminder-1", "--- subject ---\nx\n--- text ---\ny\n");
  EXPECT_THAT(s.message(), HasSubstr("missing part 'sms'"));
  s = renderer.Put("acme", "en", "reminder-1", "--- subject ---\nx\n--- body ---\ny\n");
  EXPECT_THAT(s.message(), HasSubstr("unknown part 'body'"));
  s = renderer.Put("acme", "xx", "reminder-1", kOverride);
  EXPECT_THAT(s.message(), HasSubstr("language"));
  s = renderer.Put("acme", "en", "Reminder 1", kOverride);
  EXPECT_THAT(s.message(), HasSubstr("template_name"));
  s = renderer.Put("", "en", "reminder-1", kOverride);
  EXPECT_THAT(s.message(), HasSubstr("tenant"));
  // A rejected template leaves the built-in in place.
  EXPECT_THAT(renderer.Render(Context("en", "reminder-1"))->text, HasSubstr("Dear Maria Rossi,"));
}

TEST(MessageRenderer, OverridesThatRevealTheDebtOrRunLongAreRejected) {
  absl::Status s = PutText("fine", "{{creditor_name}}: debt collection notice");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("sms"));
  MessageRenderer renderer = BuiltIn();
  s = renderer.Put("acme", "it", "reminder-1",
                   "--- subject ---\nRecupero crediti\n--- text ---\nx\n--- sms ---\nx\n");
  EXPECT_THAT(s.message(), HasSubstr("subject"));
  s = PutText("fine", std::string(330, 'a'));
  EXPECT_THAT(s.message(), HasSubstr("sms: 330 characters"));
}

// ---- neutral wording on what third parties see ----

TEST(NeutralWording, SmsSubjectAndEnvelopeNeverRevealTheDebt) {
  const MessageRenderer renderer = BuiltIn();
  const std::vector<std::string> words = {"debt",    "collection", "debito", "recupero",
                                          "perintä", "incasso",    "velka",  "schuld"};
  for (const std::string& language : Languages()) {
    for (const std::string& name : internal::BuiltinTemplateNames()) {
      for (const char* country : {"IT", "NL", "FI", "GB", "IE"}) {
        SCOPED_TRACE(absl::StrCat(language, "/", name, "/", country));
        MessageContext ctx = Context(language, name, country);
        // A long creditor name and a long self-service link: the SMS must still fit.
        ctx.creditor_name = "Aurora Energia e Servizi S.p.A.";
        ctx.self_service_url =
            "https://pay.concerto.example/aurora-energia/3q9Xk2LmZ8vN4pR7tY1wB6cD0eF5gH";
        absl::StatusOr<RenderedMessage> m = renderer.Render(ctx);
        ASSERT_TRUE(m.ok()) << m.status();
        EXPECT_LE(internal::Utf8Length(m->sms), 320u) << m->sms;
        const std::string preview(internal::Utf8Prefix(m->sms, 60));
        for (const std::string& word : words) {
          EXPECT_EQ(internal::FindRevealingWord(word), word);  // the checker knows it
          for (const std::string* neutral : {&m->sms, &m->subject, &m->envelope_text}) {
            std::string lower = *neutral;
            for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            EXPECT_THAT(lower, Not(HasSubstr(word))) << *neutral;
          }
          EXPECT_THAT(preview, Not(HasSubstr(word)));
        }
        EXPECT_EQ(m->envelope_text, ctx.creditor_name);
      }
    }
  }
}

TEST(NeutralWording, CaseInsensitiveAndFinnishCapitals) {
  EXPECT_EQ(internal::FindRevealingWord("Acme INCASSO B.V."), "incasso");
  EXPECT_EQ(internal::FindRevealingWord("PERINTÄ OY"), "perintä");
  EXPECT_EQ(internal::FindRevealingWord("Aurora Energia"), "");
}

TEST(NeutralWording, ACreditorNameThatRevealsCollectionIsRejected) {
  const MessageRenderer renderer = BuiltIn();
  MessageContext ctx = Context("nl", "reminder-1", "NL");
  ctx.creditor_name = "Polder Incasso B.V.";
  absl::Status s = renderer.Render(ctx).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("creditor_name"));
}

// ---- EPC069-12 QR payload and code ----

TEST(EpcQr, KnownExampleMatchesTheLayout) {
  MessageContext ctx;
  ctx.creditor_bic = "BPOTBEB1";
  ctx.creditor_name = "Red Cross of Belgium";
  ctx.creditor_iban = "BE72 0000 0000 1616";
  ctx.total = Eur(1'234);
  ctx.rf_reference = "RF18 5390 0754 7034";
  EXPECT_EQ(EpcQrPayload(ctx),
            "BCD\n002\n1\nSCT\nBPOTBEB1\nRed Cross of Belgium\nBE72000000001616\nEUR12.34\n\n"
            "RF18539007547034");
}

TEST(EpcQr, AmountsReferencesAndRefusals) {
  MessageContext ctx = Context("en", "reminder-1");
  EXPECT_EQ(EpcQrPayload(ctx),
            "BCD\n002\n1\nSCT\nBPMOIT22XXX\nAurora Energia S.p.A.\nIT60X0542811101000000123456\n"
            "EUR1251.90\n\nRF18539007547034");
  ctx.total = Eur(100);
  EXPECT_THAT(EpcQrPayload(ctx), HasSubstr("\nEUR1.00\n"));
  ctx.total = Eur(99'999'999'999);
  EXPECT_THAT(EpcQrPayload(ctx), HasSubstr("\nEUR999999999.99\n"));
  // Without an RF reference: the invoice numbers as unstructured remittance (element 11).
  ctx.total = Eur(1'234);
  ctx.rf_reference.clear();
  ctx.creditor_bic.clear();
  EXPECT_EQ(EpcQrPayload(ctx),
            "BCD\n002\n1\nSCT\n\nAurora Energia S.p.A.\nIT60X0542811101000000123456\nEUR12.34\n\n\n"
            "INV-2025-0042 INV-2025-0057");
  // No QR code when it cannot be paid by SEPA transfer.
  MessageContext gbp = Context("en", "reminder-1");
  gbp.total = rules::Money{1'234, "GBP"};
  EXPECT_EQ(EpcQrPayload(gbp), "");
  MessageContext zero = Context("en", "reminder-1");
  zero.total = Eur(0);
  EXPECT_EQ(EpcQrPayload(zero), "");
  MessageContext bad_iban = Context("en", "reminder-1");
  bad_iban.creditor_iban = "IT00X0542811101000000123456";
  EXPECT_EQ(EpcQrPayload(bad_iban), "");
  // The name is cut at 70 characters.
  MessageContext long_name = Context("en", "reminder-1");
  long_name.creditor_name = std::string(90, 'N');
  EXPECT_THAT(EpcQrPayload(long_name), HasSubstr("\n" + std::string(70, 'N') + "\nIT60"));
}

TEST(EpcQr, TheQrMatrixEncodesThePayload) {
  const std::string payload = EpcQrPayload(Context("fi", "final-notice", "FI"));
  ASSERT_FALSE(payload.empty());
  absl::StatusOr<internal::QrMatrix> qr = internal::EncodeEpcQr(payload);
  ASSERT_TRUE(qr.ok()) << qr.status();
  EXPECT_GE(qr->version, 1);
  EXPECT_LE(qr->version, 13);
  EXPECT_EQ(qr->width, 17 + 4 * qr->version);
  ASSERT_EQ(qr->dark.size(), static_cast<size_t>(qr->width * qr->width));
  // The finder pattern's corners are dark, its separator light.
  EXPECT_TRUE(qr->At(0, 0));
  EXPECT_TRUE(qr->At(6, 6));
  EXPECT_FALSE(qr->At(7, 7));
  // The longest EPC payload (331 bytes) still fits in version 13; more does not.
  absl::StatusOr<internal::QrMatrix> longest = internal::EncodeEpcQr(std::string(331, 'x'));
  ASSERT_TRUE(longest.ok()) << longest.status();
  EXPECT_LE(longest->version, 13);
  EXPECT_FALSE(internal::EncodeEpcQr(std::string(400, 'x')).ok());
  EXPECT_FALSE(internal::EncodeEpcQr("").ok());
}

// ---- letters and e-mail previews ----

// PngSize reads width and height from a PNG's IHDR chunk.
std::pair<uint32_t, uint32_t> PngSize(const std::string& png) {
  auto be32 = [&](size_t at) {
    return (static_cast<uint32_t>(static_cast<unsigned char>(png[at])) << 24) |
           (static_cast<uint32_t>(static_cast<unsigned char>(png[at + 1])) << 16) |
           (static_cast<uint32_t>(static_cast<unsigned char>(png[at + 2])) << 8) |
           static_cast<uint32_t>(static_cast<unsigned char>(png[at + 3]));
  };
  return {be32(16), be32(20)};
}

const std::string kPngSignature("\x89PNG\r\n\x1a\n", 8);

size_t CountPages(const std::string& pdf) {
  size_t n = 0;
  for (size_t at = pdf.find("/Type /Page"); at != std::string::npos;
       at = pdf.find("/Type /Page", at + 1)) {
    if (pdf.compare(at, 12, "/Type /Pages") != 0) ++n;
  }
  return n;
}

TEST(Letter, PdfAndPngOfEveryLanguage) {
  const MessageRenderer renderer = BuiltIn();
  for (const std::string& language : Languages()) {
    SCOPED_TRACE(language);
    const MessageContext ctx = Context(language, "final-notice", "IT");
    absl::StatusOr<RenderedMessage> m = renderer.Render(ctx);
    ASSERT_TRUE(m.ok()) << m.status();

    absl::StatusOr<std::string> pdf = RenderLetterPdf(ctx, *m);
    ASSERT_TRUE(pdf.ok()) << pdf.status();
    EXPECT_TRUE(absl::StartsWith(*pdf, "%PDF-"));
    EXPECT_GT(pdf->size(), 5'000u);
    EXPECT_LT(pdf->size(), 2'000'000u);
    EXPECT_EQ(CountPages(*pdf), 1u);
    EXPECT_THAT(*pdf, HasSubstr("%%EOF"));

    absl::StatusOr<std::string> png = RenderLetterPng(ctx, *m);
    ASSERT_TRUE(png.ok()) << png.status();
    EXPECT_EQ(png->substr(0, 8), kPngSignature);
    EXPECT_EQ(PngSize(*png), std::make_pair(794u, 1123u));  // A4 at 96 dpi
    EXPECT_GT(png->size(), 10'000u);
    EXPECT_LT(png->size(), 400'000u);

    absl::StatusOr<std::string> email = RenderEmailPng(ctx, *m);
    ASSERT_TRUE(email.ok()) << email.status();
    EXPECT_EQ(email->substr(0, 8), kPngSignature);
    const auto [w, h] = PngSize(*email);
    EXPECT_EQ(w, 720u);
    EXPECT_GT(h, 600u);
    EXPECT_LT(h, 4000u);
  }
}

struct PngReader {
  const std::string* png;
  size_t at = 0;
};

cairo_status_t ReadPng(void* closure, unsigned char* data, unsigned int length) {
  auto* reader = static_cast<PngReader*>(closure);
  if (reader->at + length > reader->png->size()) return CAIRO_STATUS_READ_ERROR;
  std::copy_n(reader->png->data() + reader->at, length, reinterpret_cast<char*>(data));
  reader->at += length;
  return CAIRO_STATUS_SUCCESS;
}

// ExpectPngShowsQr finds the pure-black pixels of `png` (only QR modules are pure black), takes
// their bounding box as the symbol and checks every module's centre against `qr`.
void ExpectPngShowsQr(const std::string& png, const internal::QrMatrix& qr) {
  PngReader reader{&png};
  cairo_surface_t* image = cairo_image_surface_create_from_png_stream(&ReadPng, &reader);
  ASSERT_EQ(cairo_surface_status(image), CAIRO_STATUS_SUCCESS);
  const int w = cairo_image_surface_get_width(image);
  const int h = cairo_image_surface_get_height(image);
  const int stride = cairo_image_surface_get_stride(image);
  const unsigned char* data = cairo_image_surface_get_data(image);
  auto black = [&](int x, int y) {
    const uint32_t px = *reinterpret_cast<const uint32_t*>(data + y * stride + x * 4);
    return (px & 0xFFFFFF) == 0;
  };
  int x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      if (!black(x, y)) continue;
      x0 = std::min(x0, x);
      y0 = std::min(y0, y);
      x1 = std::max(x1, x);
      y1 = std::max(y1, y);
    }
  }
  ASSERT_GE(x1, 0) << "no QR code in the image";
  const int side = x1 - x0 + 1;
  EXPECT_EQ(side, y1 - y0 + 1);
  ASSERT_EQ(side % qr.width, 0) << "modules are whole pixels";
  const int module = side / qr.width;
  EXPECT_GE(module, 2);
  int mismatches = 0;
  for (int row = 0; row < qr.width; ++row) {
    for (int col = 0; col < qr.width; ++col) {
      if (black(x0 + col * module + module / 2, y0 + row * module + module / 2) != qr.At(col, row)) {
        ++mismatches;
      }
    }
  }
  EXPECT_EQ(mismatches, 0);
  cairo_surface_destroy(image);
}

TEST(Letter, ThePicturesShowTheQrCodeOfThePayload) {
  const MessageRenderer renderer = BuiltIn();
  const MessageContext ctx = Context("it", "final-notice", "IT");
  absl::StatusOr<RenderedMessage> m = renderer.Render(ctx);
  ASSERT_TRUE(m.ok()) << m.status();
  absl::StatusOr<internal::QrMatrix> qr = internal::EncodeEpcQr(m->epc_qr_payload);
  ASSERT_TRUE(qr.ok()) << qr.status();
  absl::StatusOr<std::string> letter = RenderLetterPng(ctx, *m, 150);
  ASSERT_TRUE(letter.ok()) << letter.status();
  ExpectPngShowsQr(*letter, *qr);
  absl::StatusOr<std::string> email = RenderEmailPng(ctx, *m);
  ASSERT_TRUE(email.ok()) << email.status();
  ExpectPngShowsQr(*email, *qr);
}

TEST(Letter, DpiScalesAndIsChecked) {
  const MessageRenderer renderer = BuiltIn();
  const MessageContext ctx = Context("en", "reminder-1");
  absl::StatusOr<RenderedMessage> m = renderer.Render(ctx);
  ASSERT_TRUE(m.ok());
  absl::StatusOr<std::string> png = RenderLetterPng(ctx, *m, 72);
  ASSERT_TRUE(png.ok());
  EXPECT_EQ(PngSize(*png), std::make_pair(596u, 842u));
  absl::Status s = RenderLetterPng(ctx, *m, 2000).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("dpi"));
  EXPECT_THAT(RenderEmailPng(ctx, *m, 10).status().message(), HasSubstr("dpi"));
}

TEST(Letter, LongLettersContinueOnMorePagesWithTheSlipOnTheLast) {
  const MessageRenderer renderer = BuiltIn();
  MessageContext ctx = Context("nl", "final-notice", "NL");
  ctx.invoices.clear();
  int64_t sum = 0;
  for (int i = 0; i < 60; ++i) {
    ctx.invoices.push_back({absl::StrCat("PI-26-", 1000 + i), absl::CivilDay(2026, 1, 1) + i,
                            Eur(10'000 + i)});
    sum += 10'000 + i;
  }
  ctx.total = Eur(sum + ctx.fees.minor_units);
  absl::StatusOr<RenderedMessage> m = renderer.Render(ctx);
  ASSERT_TRUE(m.ok()) << m.status();
  absl::StatusOr<std::string> pdf = RenderLetterPdf(ctx, *m);
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  EXPECT_GE(CountPages(*pdf), 2u);
  absl::StatusOr<std::string> png = RenderLetterPng(ctx, *m, 48);
  ASSERT_TRUE(png.ok());
  EXPECT_GT(PngSize(*png).second, 2u * 562u);  // pages stacked
}

TEST(Letter, OutsideTheEuroThereIsNoQrButStillALetter) {
  const MessageRenderer renderer = BuiltIn();
  MessageContext ctx = Context("en", "final-notice", "GB");
  ctx.total = rules::Money{125'190, "GBP"};
  ctx.fees = rules::Money{4'000, "GBP"};
  for (InvoiceLineView& line : ctx.invoices) line.open_balance.currency = "GBP";
  ctx.creditor_iban = "GB33BUKB20201555555555";
  absl::StatusOr<RenderedMessage> m = renderer.Render(ctx);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->epc_qr_payload, "");
  EXPECT_THAT(m->text, HasSubstr("£1,251.90"));
  absl::StatusOr<std::string> pdf = RenderLetterPdf(ctx, *m);
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  EXPECT_TRUE(absl::StartsWith(*pdf, "%PDF-"));
}

}  // namespace
}  // namespace concerto::contact
