#include "services/contact_channel/domain/reply_classifier.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace concerto::contact {
namespace {

using ::testing::HasSubstr;

// The reference day of the table: Sunday 2026-03-01.
constexpr absl::CivilDay kRef(2026, 3, 1);

struct Reply {
  const char* text;
  const char* lang;
  ReplyKind kind;
  int64_t amount = -1;       // minor units; -1: none expected
  const char* currency = "";
  absl::CivilDay date = absl::CivilDay(1970, 1, 1);  // 1970-01-01: none expected
  int detail = 0;  // DisputeReason or HardshipKind; 0: not checked
};

constexpr absl::CivilDay kNone(1970, 1, 1);

absl::CivilDay D(int y, int m, int d) { return absl::CivilDay(y, m, d); }

using K = ReplyKind;
constexpr int kNR = v1::DISPUTE_REASON_NOT_RECEIVED;
constexpr int kQU = v1::DISPUTE_REASON_QUALITY;
constexpr int kWA = v1::DISPUTE_REASON_WRONG_AMOUNT;
constexpr int kDO = v1::DISPUTE_REASON_OTHER;
constexpr int kFIN = v1::HARDSHIP_KIND_FINANCIAL;
constexpr int kVUL = v1::HARDSHIP_KIND_VULNERABILITY;

// Real-looking replies in the four languages, with what the classifier must read from them.
const std::vector<Reply>& Table() {
  static const auto* table = new std::vector<Reply>{
      // -- Italian --
      {"Pagherò 150 euro il 15/03", "it", K::kPromise, 15000, "EUR", D(2026, 3, 15)},
      {"Salve, pagherò 150,50 € entro il 20 marzo", "it", K::kPromise, 15050, "EUR",
       D(2026, 3, 20)},
      {"Vi pago domani 1.234,56 euro", "it", K::kPromise, 123456, "EUR", D(2026, 3, 2)},
      {"pagherò a fine mese", "it", K::kPromise, -1, "", D(2026, 3, 31)},
      {"Non ho mai ricevuto la merce", "it", K::kDispute, -1, "", kNone, kNR},
      {"La fattura è sbagliata, l'importo è errato", "it", K::kDispute, -1, "", kNone, kWA},
      {"Il prodotto è arrivato rotto", "it", K::kDispute, -1, "", kNone, kQU},
      {"Contesto la fattura n. 2025/118", "it", K::kDispute, -1, "", kNone, kDO},
      {"Ho perso il lavoro, non riesco a pagare", "it", K::kHardship, -1, "", kNone, kFIN},
      {"Sono in cassa integrazione, mia moglie è in ospedale", "it", K::kHardship, -1, "", kNone,
       kVUL},
      {"Ho già pagato il 10/02 con bonifico", "it", K::kPaidAlready, -1, "", D(2026, 2, 10)},
      {"Numero sbagliato, non conosco questa persona", "it", K::kWrongPerson},
      {"Potete richiamarmi domani mattina?", "it", K::kCallbackRequest, -1, "", D(2026, 3, 2)},
      {"Vorrei rateizzare il debito, posso pagare 50 euro al mese", "it", K::kPlanRequest, 5000,
       "EUR"},
      {"STOP", "it", K::kOptOut},
      {"Basta messaggi!", "it", K::kOptOut},
      {"Non contattatemi più", "it", K::kOptOut},
      {"Non pagherò mai questa fattura", "it", K::kUnknown},
      {"Ok grazie", "it", K::kUnknown},
      // -- English --
      {"I will pay 200 on 2026-03-15", "en", K::kPromise, 20000, "", D(2026, 3, 15)},
      {"I'll pay £75.50 next Friday", "en", K::kPromise, 7550, "GBP", D(2026, 3, 6)},
      {"I will transfer 1,250.00 by the 20th", "en", K::kPromise, 125000, "", D(2026, 3, 20)},
      {"The goods were damaged when they arrived", "en", K::kDispute, -1, "", kNone, kQU},
      {"I never received the invoice", "en", K::kDispute, -1, "", kNone, kNR},
      {"I was charged twice for the same order", "en", K::kDispute, -1, "", kNone, kWA},
      {"I will not pay, the goods were damaged", "en", K::kDispute, -1, "", kNone, kQU},
      {"I lost my job last month and can't pay right now", "en", K::kHardship, -1, "", kNone, kFIN},
      {"My husband passed away in January", "en", K::kHardship, -1, "", kNone, kVUL},
      {"I already paid this on 28 February", "en", K::kPaidAlready, -1, "", D(2026, 2, 28)},
      {"Wrong number, I don't know who that is", "en", K::kWrongPerson},
      {"Please call me back after 5pm", "en", K::kCallbackRequest},
      {"Can I set up a payment plan? I could do $100 per month", "en", K::kPlanRequest, 10000,
       "USD"},
      {"UNSUBSCRIBE", "en", K::kOptOut},
      {"Stop calling me", "en", K::kOptOut},
      {"please stop texting me", "en", K::kOptOut},
      {"Hello?", "en", K::kUnknown},
      // -- Finnish --
      {"Maksan 100 euroa 15.3.", "fi", K::kPromise, 10000, "EUR", D(2026, 3, 15)},
      {"Maksan 250e perjantaina", "fi", K::kPromise, 25000, "EUR", D(2026, 3, 6)},
      {"Maksan 1.234,56 € ensi viikolla", "fi", K::kPromise, 123456, "EUR", D(2026, 3, 8)},
      {"Maksan 80,50 euroa 1.4.", "fi", K::kPromise, 8050, "EUR", D(2026, 4, 1)},
      {"Lasku on väärin, summa ei täsmää", "fi", K::kDispute, -1, "", kNone, kWA},
      {"En ole saanut tavaraa", "fi", K::kDispute, -1, "", kNone, kNR},
      {"Olen työtön enkä pysty maksamaan nyt", "fi", K::kHardship, -1, "", kNone, kFIN},
      {"Maksoin jo 12.2.2026", "fi", K::kPaidAlready, -1, "", D(2026, 2, 12)},
      {"Väärä numero", "fi", K::kWrongPerson},
      {"Soittakaa minulle huomenna", "fi", K::kCallbackRequest, -1, "", D(2026, 3, 2)},
      {"Voinko maksaa osamaksulla?", "fi", K::kPlanRequest},
      {"LOPETA", "fi", K::kOptOut},
      // -- Dutch --
      {"Ik betaal 50 euro op 15-03", "nl", K::kPromise, 5000, "EUR", D(2026, 3, 15)},
      {"Volgende week betaal ik € 75,-", "nl", K::kPromise, 7500, "EUR", D(2026, 3, 8)},
      {"De factuur klopt niet", "nl", K::kDispute, -1, "", kNone, kWA},
      {"Ik heb het pakket nooit ontvangen", "nl", K::kDispute, -1, "", kNone, kNR},
      {"Het apparaat is kapot", "nl", K::kDispute, -1, "", kNone, kQU},
      {"Ik ben mijn baan kwijt", "nl", K::kHardship, -1, "", kNone, kFIN},
      {"Is al betaald op 2 februari", "nl", K::kPaidAlready, -1, "", D(2026, 2, 2)},
      {"Verkeerd nummer, ken ik niet", "nl", K::kWrongPerson},
      {"Kunt u mij morgen terugbellen?", "nl", K::kCallbackRequest, -1, "", D(2026, 3, 2)},
      {"Ik wil graag een betalingsregeling", "nl", K::kPlanRequest},
      {"Afmelden", "nl", K::kOptOut},
  };
  return *table;
}

TEST(Classifier, TableOfRealReplies) {
  ASSERT_GE(Table().size(), 40u);
  for (const Reply& r : Table()) {
    SCOPED_TRACE(r.text);
    const ReplyClassification c = Classify(r.text, r.lang, kRef);
    EXPECT_EQ(ReplyKindName(c.kind), ReplyKindName(r.kind)) << c.explanation;
    if (r.amount >= 0) {
      EXPECT_EQ(c.amount_minor, std::optional<int64_t>(r.amount)) << c.explanation;
    } else {
      EXPECT_EQ(c.amount_minor, std::nullopt) << c.explanation;
    }
    EXPECT_EQ(c.currency, r.currency) << c.explanation;
    if (r.date != kNone) {
      EXPECT_EQ(c.date, std::optional<absl::CivilDay>(r.date)) << c.explanation;
    } else {
      EXPECT_EQ(c.date, std::nullopt) << c.explanation;
    }
    if (r.kind == K::kDispute && r.detail != 0) {
      EXPECT_EQ(c.dispute_reason, r.detail) << c.explanation;
    }
    if (r.kind == K::kHardship && r.detail != 0) {
      EXPECT_EQ(c.hardship, r.detail) << c.explanation;
    }
    EXPECT_FALSE(c.rule_id.empty());
    EXPECT_FALSE(c.explanation.empty());
    if (r.kind != K::kUnknown && r.kind != K::kOptOut) {
      EXPECT_EQ(c.language, r.lang);
    }
  }
}

TEST(Classifier, ExplainsTheRuleAndTheWords) {
  const ReplyClassification c = Classify("Pagherò 150 euro il 15/03", "it", kRef);
  EXPECT_EQ(c.rule_id, "it.promise:pagher*");
  EXPECT_THAT(c.explanation, HasSubstr("it.promise:pagher* matched \"paghero\""));
  EXPECT_THAT(c.explanation, HasSubstr("amount 15000 minor units EUR from \"150 euro\""));
  EXPECT_THAT(c.explanation,
              HasSubstr("date 2026-03-15 from \"15/03\" (year nearest to the reference day)"));
  EXPECT_THAT(Classify("I will transfer 1,250.00 by the 20th", "en", kRef).explanation,
              HasSubstr("date 2026-03-20 from \"the 20th\""));
  EXPECT_EQ(ToProto(c.kind), v1::REPLY_KIND_PROMISE);

  const ReplyClassification stop = Classify("STOP", "en", kRef);
  EXPECT_EQ(stop.rule_id, "opt_out.keyword");
  EXPECT_EQ(stop.explanation, "opt-out keyword \"stop (first word)\"");

  const ReplyClassification none = Classify("Chi siete?", "it", kRef);
  EXPECT_EQ(none.kind, K::kUnknown);
  EXPECT_EQ(none.rule_id, "none");
  EXPECT_EQ(ToProto(none.kind), v1::REPLY_KIND_OTHER);
}

TEST(Classifier, StopSynonymsAsWholeReplyOrFirstWord) {
  for (const char* text : {"STOP", "Stop.", "STOPP", "ARRET", "Arrêt", "ALT", "LOPETA", "BASTA",
                           "UNSUBSCRIBE", "END", "QUIT", "Cancel", "stop all", "STOP please",
                           "quit thanks", "Afmelden"}) {
    EXPECT_EQ(Classify(text, "", kRef).kind, K::kOptOut) << text;
  }
  // Common words stop nothing inside a sentence.
  EXPECT_NE(Classify("I want to cancel the contract, it ended last year", "en", kRef).kind,
            K::kOptOut);
  EXPECT_NE(Classify("alt the end", "en", kRef).kind, K::kOptOut);
  // A policy's own keyword.
  ClassifyOptions options;
  options.language_hint = "it";
  options.reference_day = kRef;
  options.extra_opt_out_keywords = {"ANNULLA", "non disturbare"};
  EXPECT_EQ(Classify("annulla", options).kind, K::kOptOut);
  EXPECT_EQ(Classify("Non disturbare grazie", options).kind, K::kOptOut);
  EXPECT_EQ(Classify("Annulla", "it", kRef).kind, K::kUnknown);
}

TEST(Classifier, PrecedenceHardshipBeforePromiseOptOutFirst) {
  EXPECT_EQ(Classify("Ho perso il lavoro ma pagherò 50 euro", "it", kRef).kind, K::kHardship);
  EXPECT_EQ(Classify("Stop calling me, I already paid", "en", kRef).kind, K::kOptOut);
  EXPECT_EQ(Classify("Ho già pagato, richiamatemi", "it", kRef).kind, K::kPaidAlready);
  EXPECT_EQ(Classify("bel me niet meer", "nl", kRef).kind, K::kOptOut);
  EXPECT_EQ(Classify("bel me morgen", "nl", kRef).kind, K::kCallbackRequest);
}

TEST(Classifier, NegationStaysInsideTheClause) {
  EXPECT_EQ(Classify("Non preoccupatevi, pagherò venerdì", "it", kRef).kind, K::kPromise);
  EXPECT_EQ(Classify("No, I will pay tomorrow", "en", kRef).kind, K::kPromise);
  EXPECT_EQ(Classify("ik betaal niet", "nl", kRef).kind, K::kUnknown);
  EXPECT_EQ(Classify("non ho ancora pagato", "it", kRef).kind, K::kUnknown);
}

TEST(Classifier, YearAndDayInference) {
  // Late December: a promise for 10/01 is next January; a payment on 28/12 read in early January
  // was last December.
  EXPECT_EQ(Classify("I will pay on 10/01", "en", D(2025, 12, 20)).date, D(2026, 1, 10));
  EXPECT_EQ(Classify("Paid already on 28/12", "en", D(2026, 1, 5)).date, D(2025, 12, 28));
  // A lone day of the month: the next one for a promise, the last one for a payment made.
  EXPECT_EQ(Classify("pagherò il 25", "it", kRef).date, D(2026, 3, 25));
  EXPECT_EQ(Classify("ho pagato il 25", "it", kRef).date, D(2026, 2, 25));
  // 31 skips months without it.
  EXPECT_EQ(Classify("pagherò il 31", "it", D(2026, 4, 1)).date, D(2026, 5, 31));
  // en-US reads month first; elsewhere day first unless the second number cannot be a month.
  EXPECT_EQ(Classify("I will pay $40 on 03/04", "en-US", kRef).date, D(2026, 3, 4));
  EXPECT_EQ(Classify("I will pay $40 on 03/04", "en", kRef).date, D(2026, 4, 3));
  EXPECT_EQ(Classify("pagherò il 03/15", "it", kRef).date, D(2026, 3, 15));
  // 29 February only in a leap year.
  EXPECT_EQ(Classify("pagherò il 29/02", "it", D(2028, 1, 10)).date, D(2028, 2, 29));
  EXPECT_EQ(Classify("pagherò il 29/02/2027", "it", kRef).date, std::nullopt);
  // Weekdays: the next one after the reference day; for a payment made, the last one.
  EXPECT_EQ(Classify("I will pay on Sunday", "en", kRef).date, D(2026, 3, 8));
  EXPECT_EQ(Classify("I paid on Friday", "en", kRef).date, D(2026, 2, 27));
  // Named months with a year, and the English order.
  EXPECT_EQ(Classify("I will pay on March 15th, 2027", "en", kRef).date, D(2027, 3, 15));
  EXPECT_EQ(Classify("maksan 15. maaliskuuta", "fi", kRef).date, D(2026, 3, 15));
  EXPECT_EQ(Classify("ik betaal op de 15e", "nl", kRef).date, D(2026, 3, 15));
  EXPECT_EQ(Classify("I will pay the day after tomorrow", "en", kRef).date, D(2026, 3, 3));
  // "Within N days".
  EXPECT_EQ(Classify("pagherò entro 10 giorni", "it", kRef).date, D(2026, 3, 11));
  EXPECT_EQ(Classify("maksan 14 päivän kuluessa", "fi", kRef).date, D(2026, 3, 15));
  EXPECT_EQ(Classify("ik betaal binnen 5 dagen", "nl", kRef).date, D(2026, 3, 6));
}

TEST(Classifier, AmountsAreNotDatesOrCounts) {
  // "15.50" is an amount, "15.3." a date.
  ReplyClassification c = Classify("I will pay 15.50 tomorrow", "en", kRef);
  EXPECT_EQ(c.amount_minor, std::optional<int64_t>(1550));
  EXPECT_EQ(c.date, D(2026, 3, 2));
  // A count of instalments or days is not money.
  c = Classify("pagherò entro 10 giorni", "it", kRef);
  EXPECT_EQ(c.amount_minor, std::nullopt);
  // The amount with a currency wins over a plain number nearer the keyword.
  c = Classify("ik betaal 2 keer 40 euro", "nl", kRef);
  EXPECT_EQ(c.amount_minor, std::optional<int64_t>(4000));
  // An invoice number is not an amount.
  c = Classify("pagherò fattura 1234 domani", "it", kRef);
  EXPECT_EQ(c.amount_minor, std::nullopt);
  c = Classify("Ho pagato EUR 99,90 il 27 febbraio", "it", kRef);
  EXPECT_EQ(c.kind, K::kPaidAlready);
  EXPECT_EQ(c.amount_minor, std::optional<int64_t>(9990));
  EXPECT_EQ(c.currency, "EUR");
  EXPECT_EQ(c.date, D(2026, 2, 27));
}

TEST(ParseAmountMinor, ExactMinorUnits) {
  const std::vector<std::pair<const char*, int64_t>> ok = {
      {"150", 15000},       {"150,50", 15050},       {"150.50", 15050},   {"150,5", 15050},
      {"1.234,56", 123456}, {"1,234.56", 123456},    {"1.234", 123400},   {"1,234", 123400},
      {"0,05", 5},          {"12.345.678,90", 1234567890}};
  for (const auto& [text, minor] : ok) {
    EXPECT_EQ(ParseAmountMinor(text), std::optional<int64_t>(minor)) << text;
  }
  for (const char* bad : {"", "1.23.4", "1,2345", "12.34,56", "1.234.56", "1,234,56.7.8", "abc",
                          "15/03", "10:30", "1234567890123456"}) {
    EXPECT_EQ(ParseAmountMinor(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace concerto::contact
