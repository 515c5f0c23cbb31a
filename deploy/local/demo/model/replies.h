// The words of the demo's debtors: reply texts in Italian, English, Finnish and Dutch (a promise
// to pay with amount and date, a dispute by reason, hardship, a plan request, "paid already"),
// written the way people write them, and the amounts and dates inside them in each language's
// own format ("1.250,50 euro il 15/03", "€1,250.50 on 2026-03-15", "1250,50 euroa 15.3.",
// "1.250,50 euro op 15-03"). The texts are chosen so that the contact service's rule-based reply
// classifier reads them as what they mean (the model's test checks every variant against it).
// Pure: no I/O, no floating point.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"
#include "deploy/local/demo/model/behaviour.h"

namespace concerto::demo::model {

// ReplyContent is what a reply must say.
struct ReplyContent {
  ReplyIntent intent = ReplyIntent::kPromise;
  std::string language;   // "it", "en", "fi", "nl"; any other language writes English
  bool business = false;  // "we" rather than "I" where the language shows it
  int64_t amount_minor = 0;  // kPromise: euros in cents
  absl::CivilDay date;       // kPromise: pay-by day; kPaidAlready: paid-on day
  DisputeReason reason = DisputeReason::kWrongAmount;  // kDispute
  bool goods = false;  // kDispute: goods delivered (wine) rather than a service (energy, works)
  bool vulnerable = false;                             // kHardship: illness or bereavement
  int instalments = 3;                                 // kPlanRequest
};

// ReplyLanguages returns the languages with their own texts: {"it", "en", "fi", "nl"}.
const std::vector<std::string>& ReplyLanguages();

// ReplyLanguage maps a debtor language onto one of ReplyLanguages() ("en" for any other).
std::string ReplyLanguage(std::string_view language);

// ReplyVariantCount is the number of wordings for `content` (its intent, language, and reason or
// vulnerability); ComposeReply takes the variant modulo this count.
int ReplyVariantCount(const ReplyContent& content);

// ComposeReply writes the reply text of wording `variant`.
std::string ComposeReply(const ReplyContent& content, int variant);

// FormatAmount writes an amount of euro cents as people of `language` write it: whole euros
// without decimals ("150"), else "150,50" (it, fi, nl) or "150.50" (en); thousands grouped with
// "." (it, nl) or "," (en), never in Finnish ("1250,50").
std::string FormatAmount(int64_t minor, std::string_view language);

// FormatDay writes a day without its year in the language's short form: "15/03" (it), "15.3."
// (fi), "15-03" (nl), "2026-03-15" (en: ISO, unambiguous for UK and US readers); `long_form`
// gives "15 marzo", "March 15th", "15. maaliskuuta", "15 maart".
std::string FormatDay(absl::CivilDay day, std::string_view language, bool long_form);

}  // namespace concerto::demo::model
