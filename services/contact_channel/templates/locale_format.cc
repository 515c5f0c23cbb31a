#include "services/contact_channel/templates/locale_format.h"

#include <array>
#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace concerto::contact {
namespace {

constexpr std::array<const char*, 12> kMonthsIt = {
    "gennaio", "febbraio", "marzo",     "aprile",  "maggio",   "giugno",
    "luglio",  "agosto",   "settembre", "ottobre", "novembre", "dicembre"};
constexpr std::array<const char*, 12> kMonthsEn = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};
constexpr std::array<const char*, 12> kMonthsNl = {
    "januari", "februari", "maart",     "april",   "mei",      "juni",
    "juli",    "augustus", "september", "oktober", "november", "december"};

// Symbol returns the sign printed for a currency, or nullopt to print its ISO code.
std::optional<std::string> Symbol(absl::string_view currency) {
  if (currency == "EUR") return std::string("\xE2\x82\xAC");  // €
  if (currency == "GBP") return std::string("\xC2\xA3");      // £
  if (currency == "USD") return std::string("$");
  return std::nullopt;
}

// GroupDigits inserts `sep` every three digits from the right of a run of decimal digits.
std::string GroupDigits(const std::string& digits, absl::string_view sep) {
  std::string out;
  const size_t n = digits.size();
  for (size_t i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % 3 == 0) absl::StrAppend(&out, sep);
    out.push_back(digits[i]);
  }
  return out;
}

}  // namespace

std::string NormalizeLanguage(absl::string_view language) {
  std::string primary(language.substr(0, language.find_first_of("-_")));
  absl::AsciiStrToLower(&primary);
  return IsSupportedLanguage(primary) ? primary : "en";
}

bool IsSupportedLanguage(absl::string_view language) {
  return language == "it" || language == "en" || language == "fi" || language == "nl";
}

absl::StatusOr<std::string> FormatMoneyFor(absl::string_view language, const rules::Money& money,
                                           absl::string_view field) {
  const std::optional<int> exponent = rules::MinorUnitExponent(money.currency);
  if (!exponent.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": unknown currency '", money.currency, "'"));
  }
  const std::string lang = NormalizeLanguage(language);
  const bool negative = money.minor_units < 0;
  // Work in unsigned so that INT64_MIN has a magnitude.
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(money.minor_units)
                                      : static_cast<uint64_t>(money.minor_units);
  uint64_t scale = 1;
  for (int i = 0; i < *exponent; ++i) scale *= 10;
  const std::string whole = absl::StrCat(magnitude / scale);
  const std::string fraction =
      *exponent > 0 ? absl::StrFormat("%0*d", *exponent, magnitude % scale) : "";

  const bool english = lang == "en";
  const std::string grouped = GroupDigits(whole, english ? "," : lang == "fi" ? kNbsp : ".");
  std::string number = grouped;
  if (!fraction.empty()) absl::StrAppend(&number, english ? "." : ",", fraction);

  const std::optional<std::string> symbol = Symbol(money.currency);
  const std::string sign = negative ? "-" : "";
  if (english) {  // €1,234.56, -€1,234.56, CHF 1,234.56
    return symbol.has_value() ? absl::StrCat(sign, *symbol, number)
                              : absl::StrCat(sign, money.currency, kNbsp, number);
  }
  if (lang == "nl") {  // € 1.234,56, € -1.234,56
    return absl::StrCat(symbol.value_or(money.currency), kNbsp, sign, number);
  }
  // it and fi: 1.234,56 € / 1 234,56 €
  return absl::StrCat(sign, number, kNbsp, symbol.value_or(money.currency));
}

std::string FormatDateLong(absl::string_view language, absl::CivilDay day) {
  const std::string lang = NormalizeLanguage(language);
  const int d = day.day();
  const int m = day.month();
  const int64_t y = day.year();
  if (lang == "fi") return absl::StrCat(d, ".", m, ".", y);
  const auto& months = lang == "it" ? kMonthsIt : lang == "nl" ? kMonthsNl : kMonthsEn;
  return absl::StrCat(d, " ", months[m - 1], " ", y);
}

std::string FormatDateShort(absl::string_view language, absl::CivilDay day) {
  const std::string lang = NormalizeLanguage(language);
  const int d = day.day();
  const int m = day.month();
  const int64_t y = day.year();
  if (lang == "fi") return absl::StrCat(d, ".", m, ".", y);
  if (lang == "it") return absl::StrFormat("%02d/%02d/%d", d, m, y);
  if (lang == "nl") return absl::StrFormat("%02d-%02d-%d", d, m, y);
  return absl::StrCat(d, " ", std::string(kMonthsEn[m - 1]).substr(0, 3), " ", y);
}

std::string NormalizeIban(absl::string_view iban) {
  std::string out;
  for (char c : iban) {
    if (c == ' ') continue;
    out.push_back(absl::ascii_toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

bool IsValidIban(absl::string_view iban) {
  const std::string n = NormalizeIban(iban);
  if (n.size() < 15 || n.size() > 34) return false;
  if (!absl::ascii_isupper(static_cast<unsigned char>(n[0])) ||
      !absl::ascii_isupper(static_cast<unsigned char>(n[1])) ||
      !absl::ascii_isdigit(static_cast<unsigned char>(n[2])) ||
      !absl::ascii_isdigit(static_cast<unsigned char>(n[3]))) {
    return false;
  }
  // Move the first four characters to the end, letters become 10..35, then MOD 97 == 1.
  const std::string rearranged = n.substr(4) + n.substr(0, 4);
  int remainder = 0;
  for (char c : rearranged) {
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      remainder = (remainder * 10 + (c - '0')) % 97;
    } else if (absl::ascii_isupper(static_cast<unsigned char>(c))) {
      remainder = (remainder * 100 + (c - 'A' + 10)) % 97;
    } else {
      return false;
    }
  }
  return remainder == 1;
}

std::string FormatIbanPrintable(absl::string_view iban) {
  const std::string n = NormalizeIban(iban);
  std::string out;
  for (size_t i = 0; i < n.size(); ++i) {
    if (i > 0 && i % 4 == 0) out.push_back(' ');
    out.push_back(n[i]);
  }
  return out;
}

}  // namespace concerto::contact
