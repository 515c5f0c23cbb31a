#include "deploy/local/demo/model/replies.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "gtest/gtest.h"
#include "services/contact_channel/domain/reply_classifier.h"

namespace concerto::demo::model {
namespace {

using contact::ReplyKind;

const absl::CivilDay kReceived(2026, 3, 4);

ReplyKind KindOf(ReplyIntent intent) {
  switch (intent) {
    case ReplyIntent::kPromise: return ReplyKind::kPromise;
    case ReplyIntent::kDispute: return ReplyKind::kDispute;
    case ReplyIntent::kHardship: return ReplyKind::kHardship;
    case ReplyIntent::kPlanRequest: return ReplyKind::kPlanRequest;
    case ReplyIntent::kPaidAlready: return ReplyKind::kPaidAlready;
  }
  return ReplyKind::kUnknown;
}

// Every wording in every language reads, through the contact service's classifier, as what the
// model meant: the kind, the language, and for promises the exact amount and date.
TEST(RepliesTest, EveryWordingIsClassifiedAsMeant) {
  const std::vector<int64_t> amounts = {1'000, 15'000, 15'050, 125'000, 1'234'569};
  const std::vector<absl::CivilDay> dates = {absl::CivilDay(2026, 3, 15),
                                             absl::CivilDay(2026, 3, 21),
                                             absl::CivilDay(2026, 4, 1)};
  int checked = 0;
  for (const std::string& lang : ReplyLanguages()) {
    for (ReplyIntent intent : {ReplyIntent::kPromise, ReplyIntent::kDispute,
                               ReplyIntent::kHardship, ReplyIntent::kPlanRequest,
                               ReplyIntent::kPaidAlready}) {
      for (bool business : {false, true}) {
        for (DisputeReason reason :
             {DisputeReason::kNotReceived, DisputeReason::kQuality, DisputeReason::kWrongAmount,
              DisputeReason::kCancelledContract}) {
          for (bool vulnerable_or_goods : {false, true}) {
            const bool vulnerable = vulnerable_or_goods;
            ReplyContent c;
            c.goods = vulnerable_or_goods;
            c.intent = intent;
            c.language = lang;
            c.business = business;
            c.reason = reason;
            c.vulnerable = vulnerable;
            c.instalments = 4;
            for (int64_t amount : amounts) {
              for (absl::CivilDay date : dates) {
                c.amount_minor = amount;
                // A payment already made is dated before the reply is received.
                c.date = intent == ReplyIntent::kPaidAlready ? date - 20 : date;
                for (int v = 0; v < ReplyVariantCount(c); ++v) {
                  const std::string text = ComposeReply(c, v);
                  const contact::ReplyClassification got = contact::Classify(text, lang, kReceived);
                  ++checked;
                  EXPECT_EQ(got.kind, KindOf(intent)) << "[" << lang << "] " << text << " -> "
                                                      << got.rule_id << ": " << got.explanation;
                  EXPECT_EQ(got.language, lang) << text << " -> " << got.rule_id;
                  if (intent == ReplyIntent::kPromise) {
                    EXPECT_EQ(got.amount_minor, amount) << text << " -> " << got.explanation;
                    EXPECT_EQ(got.date, c.date) << text << " -> " << got.explanation;
                    EXPECT_TRUE(got.currency.empty() || got.currency == "EUR") << text;
                  }
                  if (intent == ReplyIntent::kPaidAlready) {
                    EXPECT_EQ(got.date, c.date) << text << " -> " << got.explanation;
                  }
                  if (intent == ReplyIntent::kDispute) {
                    EXPECT_EQ(static_cast<int>(got.dispute_reason), static_cast<int>(reason))
                        << text << " -> " << got.rule_id;
                  }
                  if (intent == ReplyIntent::kHardship) {
                    EXPECT_EQ(got.hardship, vulnerable
                                                ? contact::v1::HARDSHIP_KIND_VULNERABILITY
                                                : contact::v1::HARDSHIP_KIND_FINANCIAL)
                        << text << " -> " << got.rule_id;
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 1000);
}

TEST(RepliesTest, TheBriefsExamplesAreWrittenLikeThis) {
  ReplyContent c;
  c.intent = ReplyIntent::kPromise;
  c.amount_minor = 15'000;
  c.date = absl::CivilDay(2026, 3, 15);
  c.language = "it";
  EXPECT_EQ(ComposeReply(c, 0), "Buongiorno, pagherò 150 euro il 15/03. Grazie");
  c.language = "fi";
  EXPECT_EQ(ComposeReply(c, 0), "Maksan 150 euroa 15.3.");
  c.language = "en";
  EXPECT_EQ(ComposeReply(c, 0), "Hi, I will pay €150 on 2026-03-15. Sorry for the delay.");
  c.language = "nl";
  EXPECT_EQ(ComposeReply(c, 0), "Ik betaal 150 euro op 15-03.");
  c.language = "sv";  // no Swedish texts: English
  EXPECT_EQ(ComposeReply(c, 0), "Hi, I will pay €150 on 2026-03-15. Sorry for the delay.");
}

TEST(RepliesTest, AmountsAndDaysInEachLanguagesFormat) {
  EXPECT_EQ(FormatAmount(125'050, "it"), "1.250,50");
  EXPECT_EQ(FormatAmount(125'050, "nl"), "1.250,50");
  EXPECT_EQ(FormatAmount(125'050, "en"), "1,250.50");
  EXPECT_EQ(FormatAmount(125'050, "fi"), "1250,50");
  EXPECT_EQ(FormatAmount(15'000, "it"), "150");
  EXPECT_EQ(FormatAmount(105, "en"), "1.05");
  EXPECT_EQ(FormatAmount(123'456'700, "en"), "1,234,567");
  const absl::CivilDay d(2026, 3, 2);
  EXPECT_EQ(FormatDay(d, "it", false), "02/03");
  EXPECT_EQ(FormatDay(d, "it", true), "2 marzo");
  EXPECT_EQ(FormatDay(d, "fi", false), "2.3.");
  EXPECT_EQ(FormatDay(d, "fi", true), "2. maaliskuuta");
  EXPECT_EQ(FormatDay(d, "nl", false), "02-03");
  EXPECT_EQ(FormatDay(d, "nl", true), "2 maart");
  EXPECT_EQ(FormatDay(d, "en", false), "2026-03-02");
  EXPECT_EQ(FormatDay(d, "en", true), "March 2nd");
  EXPECT_EQ(FormatDay(absl::CivilDay(2026, 3, 11), "en", true), "March 11th");
  EXPECT_EQ(FormatDay(absl::CivilDay(2026, 3, 23), "en", true), "March 23rd");
}

}  // namespace
}  // namespace concerto::demo::model
