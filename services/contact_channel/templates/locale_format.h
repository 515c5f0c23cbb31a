// Locale formatting for debtor-facing messages of the contact-channel service: amounts and dates
// as a reader of Italian, English, Finnish or Dutch expects them, IBANs in groups of four. Pure
// functions over rules::Money and absl::CivilDay; no global locale, no floating point.
//
//   FormatMoneyFor("it", EUR 1234.56) == "1.234,56 €"      (CLDR it)
//   FormatMoneyFor("nl", EUR 1234.56) == "€ 1.234,56"      (CLDR nl)
//   FormatMoneyFor("fi", EUR 1234.56) == "1 234,56 €"      (CLDR fi; the spaces are U+00A0)
//   FormatMoneyFor("en", EUR 1234.56) == "€1,234.56"       (CLDR en)
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "libs/rules/money.h"

namespace concerto::contact {

// kNbsp is U+00A0 NO-BREAK SPACE in UTF-8: Finnish digit groups, and between amount and
// symbol, so that an amount never breaks across lines.
inline constexpr char kNbsp[] = "\xC2\xA0";

// NormalizeLanguage maps a language tag to one of "it", "en", "fi", "nl": the primary subtag,
// lower-cased ("it-IT" -> "it", "NL" -> "nl"); anything else -> "en".
std::string NormalizeLanguage(absl::string_view language);

// IsSupportedLanguage is true for exactly "it", "en", "fi" and "nl".
bool IsSupportedLanguage(absl::string_view language);

// FormatMoneyFor renders `money` for `language` (normalized first) with the currency's own number
// of decimals: EUR as "€", GBP "£", USD "$", other currencies by ISO code. INVALID_ARGUMENT
// naming `field` for a currency libs/rules does not know.
absl::StatusOr<std::string> FormatMoneyFor(absl::string_view language, const rules::Money& money,
                                           absl::string_view field = "money");

// FormatDateLong renders a date as printed in a letter: "15 febbraio 2026", "15 February 2026",
// "15.2.2026", "15 februari 2026".
std::string FormatDateLong(absl::string_view language, absl::CivilDay day);

// FormatDateShort renders a date compactly, for SMS and tables: "15/02/2026", "15 Feb 2026",
// "15.2.2026", "15-02-2026".
std::string FormatDateShort(absl::string_view language, absl::CivilDay day);

// NormalizeIban removes spaces and upper-cases: "it60 x054..." -> "IT60X054...".
std::string NormalizeIban(absl::string_view iban);

// IsValidIban checks the shape (country letters, check digits, 11..34 alphanumerics) and the
// ISO 13616 MOD 97 check of a normalized or printed IBAN.
bool IsValidIban(absl::string_view iban);

// FormatIbanPrintable prints an IBAN in groups of four: "IT60 X054 2811 1010 0000 0123 456".
std::string FormatIbanPrintable(absl::string_view iban);

}  // namespace concerto::contact
