// The inbound reply classifier: a transparent, rule-based reading of a debtor's e-mail, SMS or
// call note in Italian, English, Finnish or Dutch, into what dunning acts on — a promise to pay
// (with amount and date), a dispute (with its reason), a callback request, hardship, wrong
// person, already paid, a plan request or an opt-out (STOP and its synonyms). Every answer names
// the rule and the words that matched, so an operator can see why, and a wrong answer is fixed
// by editing a table, not by retraining anything.
//
// Pure: no I/O, no clock (relative dates such as "domani" are read against a reference day the
// caller passes), no floating point (amounts are parsed to integer minor units).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"
#include "concerto/contact/v1/contact_events.pb.h"

namespace concerto::contact {

// ReplyKind is the class of a reply, in the classifier's order of precedence: when a reply says
// several things, the first kind in this order wins (an opt-out is honoured before anything
// else; hardship before a promise, so a struggling debtor reaches a human).
enum class ReplyKind {
  kOptOut,
  kWrongPerson,
  kHardship,
  kDispute,
  kPaidAlready,
  kPlanRequest,
  kPromise,
  kCallbackRequest,
  kUnknown,  // nothing matched: an operator reads it
};

// ReplyKindName returns "OPT_OUT", "PROMISE", ..., "UNKNOWN".
const char* ReplyKindName(ReplyKind kind);

// ToProto maps a kind onto concerto.contact.v1.ReplyKind (kUnknown -> REPLY_KIND_OTHER, "needs a
// human"; kCallbackRequest -> REPLY_KIND_CALLBACK).
v1::ReplyKind ToProto(ReplyKind kind);

// ReplyClassification is the classifier's answer.
struct ReplyClassification {
  ReplyKind kind = ReplyKind::kUnknown;
  // PROMISE, PAID_ALREADY, PLAN_REQUEST: the amount named, in minor units of `currency` at two
  // decimals (EUR, GBP, USD), parsed exactly. Unset when the reply names none.
  std::optional<int64_t> amount_minor;
  // "EUR", "GBP" or "USD" when the reply says so (euro, €, £, $...); empty: the case's currency.
  std::string currency;
  // PROMISE: pay-by date; PAID_ALREADY: paid-on date; CALLBACK_REQUEST: preferred day.
  std::optional<absl::CivilDay> date;
  v1::DisputeReason dispute_reason = v1::DISPUTE_REASON_UNSPECIFIED;  // DISPUTE
  v1::HardshipKind hardship = v1::HARDSHIP_KIND_UNSPECIFIED;          // HARDSHIP
  // Language of the rule that matched ("it", "en", "fi", "nl"; "" for language-neutral STOP
  // words); the hint when nothing matched.
  std::string language;
  // The rule that matched, e.g. "it.promise:pagher*"; "none" when nothing did.
  std::string rule_id;
  // Why, e.g. `it.promise:pagher* matched "paghero"; amount 15000 EUR from "150 euro"; date
  // 2026-03-15 from "15/03" (year nearest to the reference day)`. Words are shown normalised
  // (lower case, accents folded).
  std::string explanation;
};

// ClassifyOptions tune one classification.
struct ClassifyOptions {
  // ISO 639-1 of the channel's or debtor's language ("it", "en", "fi", "nl"); "en-US" reads
  // 03/04 as March 4. Rules of every language are tried; the hint's rules go first.
  std::string language_hint;
  // The day the reply was received (debtor's local calendar): "domani", "15/03" without a year
  // and "venerdì" are read against it.
  absl::CivilDay reference_day;
  // Extra opt-out keywords (ContactPolicy.opt_out_keywords), matched like STOP: as the whole
  // reply or its first word, case- and accent-insensitively.
  std::vector<std::string> extra_opt_out_keywords;
};

// Classify reads one reply.
//
// Amounts: "150", "150,50", "150.50", "1.234,56", "1,234.56", "€ 50,-", "100e" (fi); a group of
// exactly three digits after the last separator is a thousands group ("1.234" = 1234.00), one or
// two digits are decimals. The amount next to a currency word or sign wins; else the first plain
// number within four words after the matched keyword.
//
// Dates: 2026-03-15, 15/03[/2026], 15.3.[2026], 15-03[-2026], "15 marzo", "March 15th",
// "15. maaliskuuta", "15 maart", "il 15" / "on the 15th" / "op de 15e", today / tomorrow / the
// day after (it/en/fi/nl), weekdays (the next one after the reference day), "next week"
// (+7 days), "end of the month". Without a year, the year puts the date nearest to the reference
// day (ties go forward); a lone day of the month is the next such day for promises and callbacks
// and the last one for payments already made.
ReplyClassification Classify(std::string_view text, const ClassifyOptions& options);

// Classify with a language hint and reference day only.
ReplyClassification Classify(std::string_view text, std::string_view language_hint,
                             absl::CivilDay reference_day);

// ParseAmountMinor reads one amount token ("1.234,56") into minor units at two decimals, or
// nullopt when it is not an amount. Exposed for tests and for operator-entered amounts.
std::optional<int64_t> ParseAmountMinor(std::string_view token);

}  // namespace concerto::contact
