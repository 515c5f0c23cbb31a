#include "services/contact_channel/domain/reply_classifier.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace concerto::contact {
namespace {

using v1::DisputeReason;
using v1::HardshipKind;

// ---- tokens ----

// Token is one word, number or currency sign of the normalised reply.
struct Token {
  std::string text;  // words: lower case, accents folded; numbers: digits and inner separators
  bool number = false;
  bool symbol = false;        // "€", "£", "$", "%"
  bool trailing_dot = false;  // "15.3." (Finnish dates), "15." before a month
  bool dash_cents = false;    // "50,-" (Dutch: no cents)
  bool glued = false;         // no space before it: "100e", "15th", "€50"
  bool boundary = false;      // punctuation (, . ; : ! ? newline) before it: a clause break
};

// FoldLatin maps a Latin-1 / Latin Extended-A letter to lower-case ASCII ("ä" -> "a",
// "ß" -> "ss"), or nullptr for anything else.
const char* FoldLatin(uint32_t cp) {
  if (cp >= 0xC0 && cp <= 0xFF) {
    static const char* const kTable[64] = {
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",   // C0
        "d", "n", "o", "o", "o", "o", "o", nullptr, "o", "u", "u", "u", "u", "y", "th", "ss",  // D0
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",   // E0
        "d", "n", "o", "o", "o", "o", "o", nullptr, "o", "u", "u", "u", "u", "y", "th", "y"};  // F0
    return kTable[cp - 0xC0];
  }
  switch (cp) {
    case 0x160: case 0x161: return "s";  // š (Finnish loanwords)
    case 0x17D: case 0x17E: return "z";  // ž
    case 0x152: case 0x153: return "oe";
    default: return nullptr;
  }
}

// DecodeUtf8 reads one code point at `i` and advances it; invalid bytes read as U+FFFD.
uint32_t DecodeUtf8(std::string_view s, size_t& i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + static_cast<size_t>(len) > s.size()) {
    ++i;
    return 0xFFFD;
  }
  uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (int k = 1; k < len; ++k) {
    const unsigned char cc = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
    if ((cc >> 6) != 0x2) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (cc & 0x3F);
  }
  i += static_cast<size_t>(len);
  return cp;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Tokenize normalises and splits a reply: letters folded to lower-case ASCII, English
// contractions expanded ("didn't" -> "did not", "can't" -> "can not"), other apostrophes split
// words ("l'ho" -> "l ho"), numbers kept whole with their inner separators ("1.234,56",
// "15/03", "2026-03-15").
std::vector<Token> Tokenize(std::string_view text) {
  std::vector<Token> out;
  std::string word;
  bool gap = true;       // something separated the next token from the previous one
  bool boundary = false;  // a clause break since the previous token
  auto push = [&](Token t) {
    t.glued = !gap && !out.empty();
    t.boundary = boundary && !out.empty();
    out.push_back(std::move(t));
    gap = false;
    boundary = false;
  };
  auto flush_word = [&]() {
    if (word.empty()) return;
    Token t;
    t.text = std::move(word);
    word.clear();
    push(std::move(t));
  };
  size_t i = 0;
  while (i < text.size()) {
    const size_t start = i;
    const char c = text[i];
    if (IsDigit(c)) {
      flush_word();
      Token t;
      t.number = true;
      while (i < text.size()) {
        const char d = text[i];
        if (IsDigit(d)) {
          t.text.push_back(d);
          ++i;
        } else if (std::strchr(".,/-:", d) != nullptr && d != '\0' && i + 1 < text.size() &&
                   IsDigit(text[i + 1])) {
          t.text.push_back(d);
          ++i;
        } else {
          break;
        }
      }
      if (i + 1 < text.size() && (text[i] == ',' || text[i] == '.') && text[i + 1] == '-') {
        t.dash_cents = true;  // "50,-"
        i += 2;
      } else if (i < text.size() && text[i] == '.' &&
                 (i + 1 >= text.size() || !IsDigit(text[i + 1]))) {
        t.trailing_dot = true;  // "15.3." or "15. maaliskuuta"
        ++i;
      }
      const bool ends_sentence = t.trailing_dot;
      push(std::move(t));
      if (ends_sentence) boundary = true;
      continue;
    }
    const uint32_t cp = DecodeUtf8(text, i);
    if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')) {
      word.push_back(absl::ascii_tolower(static_cast<char>(cp)));
      continue;
    }
    if (const char* folded = FoldLatin(cp)) {
      word.append(folded);
      continue;
    }
    if (cp == '\'' || cp == 0x2019 || cp == 0x2018 || cp == '`' || cp == 0xB4) {
      // English "n't": "didn't" -> "did" "not"; "can't" -> "can" "not"; "won't" -> "will" "not".
      if (!word.empty() && word.back() == 'n' && i < text.size() &&
          absl::ascii_tolower(text[i]) == 't' &&
          (i + 1 >= text.size() || !absl::ascii_isalpha(static_cast<unsigned char>(text[i + 1])))) {
        word.pop_back();
        if (word == "ca") word = "can";
        if (word == "wo") word = "will";
        if (word == "sha") word = "shall";
        flush_word();
        Token t;
        t.text = "not";
        push(std::move(t));
        ++i;  // the 't'
        continue;
      }
      flush_word();
      gap = true;
      continue;
    }
    flush_word();
    if (cp == 0x20AC || cp == 0xA3 || cp == '$' || cp == '%') {
      Token t;
      t.symbol = true;
      t.text = std::string(text.substr(start, i - start));
      push(std::move(t));
      continue;
    }
    gap = true;
    if (cp == ',' || cp == '.' || cp == ';' || cp == ':' || cp == '!' || cp == '?' || cp == '\n' ||
        cp == '(' || cp == ')') {
      boundary = true;
    }
  }
  flush_word();

  // Contractions written without an apostrophe, as SMS replies do.
  static const std::pair<const char*, const char*> kSplits[] = {
      {"cannot", "can"}, {"cant", "can"},     {"dont", "do"},   {"didnt", "did"},
      {"doesnt", "does"}, {"wont", "will"},   {"havent", "have"}, {"isnt", "is"},
      {"wasnt", "was"},  {"hasnt", "has"}};
  std::vector<Token> expanded;
  expanded.reserve(out.size());
  for (Token& t : out) {
    const char* first = nullptr;
    if (!t.number && !t.symbol) {
      for (const auto& [whole, head] : kSplits) {
        if (t.text == whole) first = head;
      }
    }
    if (first == nullptr) {
      expanded.push_back(std::move(t));
      continue;
    }
    Token head = t;
    head.text = first;
    Token neg;
    neg.text = "not";
    expanded.push_back(std::move(head));
    expanded.push_back(std::move(neg));
  }
  return expanded;
}

bool IsWord(const Token& t) { return !t.number && !t.symbol; }

// ---- rules ----

// A rule: a phrase pattern of one language for one kind. Pattern words are normalised like the
// reply; "word*" matches any word starting with "word"; "~" skips up to three words; a pattern
// never spans a clause break (punctuation).
struct RuleSpec {
  ReplyKind kind;
  const char* lang;
  const char* pattern;
  int detail;  // DisputeReason for disputes, HardshipKind for hardship, else 0
};

constexpr int kNR = v1::DISPUTE_REASON_NOT_RECEIVED;
constexpr int kQU = v1::DISPUTE_REASON_QUALITY;
constexpr int kWA = v1::DISPUTE_REASON_WRONG_AMOUNT;
constexpr int kNM = v1::DISPUTE_REASON_NOT_MY_DEBT;
constexpr int kCC = v1::DISPUTE_REASON_CANCELLED_CONTRACT;
constexpr int kDO = v1::DISPUTE_REASON_OTHER;
constexpr int kFIN = v1::HARDSHIP_KIND_FINANCIAL;
constexpr int kVUL = v1::HARDSHIP_KIND_VULNERABILITY;

using K = ReplyKind;

// The rule table, by kind in precedence order. Within a kind, the hint's language is tried
// first, then the table order; so a more specific phrase is listed before a general one.
const RuleSpec kRules[] = {
    // -- opt-out phrases (single STOP words are handled first, see kFirstWordOptOut) --
    {K::kOptOut, "en", "unsubscrib*", 0},
    {K::kOptOut, "en", "opt out", 0},
    {K::kOptOut, "en", "optout", 0},
    {K::kOptOut, "en", "do not contact", 0},
    {K::kOptOut, "en", "do not call", 0},
    {K::kOptOut, "en", "do not text", 0},
    {K::kOptOut, "en", "do not message", 0},
    {K::kOptOut, "en", "do not email", 0},
    {K::kOptOut, "en", "stop calling", 0},
    {K::kOptOut, "en", "stop texting", 0},
    {K::kOptOut, "en", "stop messaging", 0},
    {K::kOptOut, "en", "stop contacting", 0},
    {K::kOptOut, "en", "stop sending", 0},
    {K::kOptOut, "en", "remove me", 0},
    {K::kOptOut, "en", "remove my number", 0},
    {K::kOptOut, "en", "take me off", 0},
    {K::kOptOut, "it", "disiscriv*", 0},
    {K::kOptOut, "it", "cancellami", 0},
    {K::kOptOut, "it", "cancellatemi", 0},
    {K::kOptOut, "it", "non contattatemi", 0},
    {K::kOptOut, "it", "non mi contattate", 0},
    {K::kOptOut, "it", "non voglio essere contattat*", 0},
    {K::kOptOut, "it", "non chiamatemi", 0},
    {K::kOptOut, "it", "non mi chiamate", 0},
    {K::kOptOut, "it", "non mi chiami", 0},
    {K::kOptOut, "it", "non scrivetemi", 0},
    {K::kOptOut, "it", "non mi scrivete", 0},
    {K::kOptOut, "it", "smettete*", 0},
    {K::kOptOut, "it", "smettetela", 0},
    {K::kOptOut, "it", "rimuov* ~ mio numero", 0},
    {K::kOptOut, "it", "non voglio piu ricevere", 0},
    {K::kOptOut, "fi", "lopettakaa", 0},
    {K::kOptOut, "fi", "alkaa soittako", 0},
    {K::kOptOut, "fi", "alkaa ottako yhteytta", 0},
    {K::kOptOut, "fi", "alkaa lahettako", 0},
    {K::kOptOut, "fi", "en halua ~ viesteja", 0},
    {K::kOptOut, "fi", "poista* numeroni", 0},
    {K::kOptOut, "nl", "afmelden", 0},
    {K::kOptOut, "nl", "uitschrijven", 0},
    {K::kOptOut, "nl", "bel me niet meer", 0},
    {K::kOptOut, "nl", "bel mij niet meer", 0},
    {K::kOptOut, "nl", "niet meer bellen", 0},
    {K::kOptOut, "nl", "geen berichten meer", 0},
    {K::kOptOut, "nl", "geen sms meer", 0},
    {K::kOptOut, "nl", "niet meer contacteren", 0},
    {K::kOptOut, "nl", "neem geen contact", 0},
    {K::kOptOut, "nl", "laat me met rust", 0},

    // -- wrong person --
    {K::kWrongPerson, "en", "wrong number", 0},
    {K::kWrongPerson, "en", "wrong person", 0},
    {K::kWrongPerson, "en", "you have the wrong", 0},
    {K::kWrongPerson, "en", "no one by that name", 0},
    {K::kWrongPerson, "en", "nobody by that name", 0},
    {K::kWrongPerson, "en", "not live here", 0},
    {K::kWrongPerson, "en", "do not know this person", 0},
    {K::kWrongPerson, "en", "do not know who", 0},
    {K::kWrongPerson, "en", "not my number", 0},
    {K::kWrongPerson, "en", "never heard of", 0},
    {K::kWrongPerson, "it", "numero sbagliato", 0},
    {K::kWrongPerson, "it", "persona sbagliata", 0},
    {K::kWrongPerson, "it", "sbagliato numero", 0},
    {K::kWrongPerson, "it", "sbagliato persona", 0},
    {K::kWrongPerson, "it", "non sono io", 0},
    {K::kWrongPerson, "it", "non sono il signor*", 0},
    {K::kWrongPerson, "it", "non sono la signora", 0},
    {K::kWrongPerson, "it", "non conosco ~ persona", 0},
    {K::kWrongPerson, "it", "non conosco nessun*", 0},
    {K::kWrongPerson, "it", "non abita ~ qui", 0},
    {K::kWrongPerson, "it", "non e il mio numero", 0},
    {K::kWrongPerson, "fi", "vaara* numero*", 0},
    {K::kWrongPerson, "fi", "vaara henkilo", 0},
    {K::kWrongPerson, "fi", "en tunne", 0},
    {K::kWrongPerson, "fi", "ei asu ~ taalla", 0},
    {K::kWrongPerson, "fi", "ei ole minun numeroni", 0},
    {K::kWrongPerson, "fi", "en ole oikea henkilo", 0},
    {K::kWrongPerson, "nl", "verkeerd* nummer", 0},
    {K::kWrongPerson, "nl", "verkeerde persoon", 0},
    {K::kWrongPerson, "nl", "ken ik niet", 0},
    {K::kWrongPerson, "nl", "ken deze persoon niet", 0},
    {K::kWrongPerson, "nl", "woont hier niet", 0},
    {K::kWrongPerson, "nl", "dat ben ik niet", 0},

    // -- hardship: vulnerability first, it matters more when both are said --
    {K::kHardship, "it", "malat*", kVUL},
    {K::kHardship, "it", "ospedal*", kVUL},
    {K::kHardship, "it", "ricoverat*", kVUL},
    {K::kHardship, "it", "lutto", kVUL},
    {K::kHardship, "it", "e morto", kVUL},
    {K::kHardship, "it", "e morta", kVUL},
    {K::kHardship, "it", "decedut*", kVUL},
    {K::kHardship, "it", "depression*", kVUL},
    {K::kHardship, "it", "perso il lavoro", kFIN},
    {K::kHardship, "it", "perso ~ lavoro", kFIN},
    {K::kHardship, "it", "senza lavoro", kFIN},
    {K::kHardship, "it", "disoccupat*", kFIN},
    {K::kHardship, "it", "licenziat*", kFIN},
    {K::kHardship, "it", "cassa integrazione", kFIN},
    {K::kHardship, "it", "difficolta economic*", kFIN},
    {K::kHardship, "it", "difficolta finanziar*", kFIN},
    {K::kHardship, "it", "non posso pagare", kFIN},
    {K::kHardship, "it", "non riesco ~ pagare", kFIN},
    {K::kHardship, "it", "non ho ~ soldi", kFIN},
    {K::kHardship, "it", "sono in difficolta", kFIN},
    {K::kHardship, "en", "hospital*", kVUL},
    {K::kHardship, "en", "seriously ill", kVUL},
    {K::kHardship, "en", "i am ill", kVUL},
    {K::kHardship, "en", "been ill", kVUL},
    {K::kHardship, "en", "illness", kVUL},
    {K::kHardship, "en", "cancer", kVUL},
    {K::kHardship, "en", "bereave*", kVUL},
    {K::kHardship, "en", "passed away", kVUL},
    {K::kHardship, "en", "mental health", kVUL},
    {K::kHardship, "en", "depress*", kVUL},
    {K::kHardship, "en", "lost my job", kFIN},
    {K::kHardship, "en", "lost ~ job", kFIN},
    {K::kHardship, "en", "unemployed", kFIN},
    {K::kHardship, "en", "redundan*", kFIN},
    {K::kHardship, "en", "laid off", kFIN},
    {K::kHardship, "en", "out of work", kFIN},
    {K::kHardship, "en", "can not afford", kFIN},
    {K::kHardship, "en", "can not pay", kFIN},
    {K::kHardship, "en", "unable to pay", kFIN},
    {K::kHardship, "en", "struggling", kFIN},
    {K::kHardship, "en", "financial difficult*", kFIN},
    {K::kHardship, "en", "hardship", kFIN},
    {K::kHardship, "en", "no money", kFIN},
    {K::kHardship, "fi", "sairaala*", kVUL},
    {K::kHardship, "fi", "sairas*", kVUL},
    {K::kHardship, "fi", "kuoli", kVUL},
    {K::kHardship, "fi", "kuollut", kVUL},
    {K::kHardship, "fi", "masennu*", kVUL},
    {K::kHardship, "fi", "syopa*", kVUL},
    {K::kHardship, "fi", "tyoton", kFIN},
    {K::kHardship, "fi", "tyottoma*", kFIN},
    {K::kHardship, "fi", "menetin ~ tyo*", kFIN},
    {K::kHardship, "fi", "minut irtisanottiin", kFIN},
    {K::kHardship, "fi", "minut on irtisanottu", kFIN},
    {K::kHardship, "fi", "lomautet*", kFIN},
    {K::kHardship, "fi", "en pysty maksamaan", kFIN},
    {K::kHardship, "fi", "en voi maksaa", kFIN},
    {K::kHardship, "fi", "rahavaike*", kFIN},
    {K::kHardship, "fi", "taloudellis* vaike*", kFIN},
    {K::kHardship, "fi", "ei ole rahaa", kFIN},
    {K::kHardship, "fi", "velkaneuvo*", kFIN},
    {K::kHardship, "nl", "ziek*", kVUL},
    {K::kHardship, "nl", "overleden", kVUL},
    {K::kHardship, "nl", "depressie*", kVUL},
    {K::kHardship, "nl", "baan kwijt", kFIN},
    {K::kHardship, "nl", "baan verloren", kFIN},
    {K::kHardship, "nl", "werkloos", kFIN},
    {K::kHardship, "nl", "ontslagen", kFIN},
    {K::kHardship, "nl", "kan ~ niet betalen", kFIN},
    {K::kHardship, "nl", "financiele problemen", kFIN},
    {K::kHardship, "nl", "geldproblemen", kFIN},
    {K::kHardship, "nl", "schuldhulp*", kFIN},
    {K::kHardship, "nl", "geen geld", kFIN},
    {K::kHardship, "nl", "bijstand", kFIN},

    // -- disputes, by reason --
    {K::kDispute, "it", "mai ricevut*", kNR},
    {K::kDispute, "it", "non ~ ricevut*", kNR},
    {K::kDispute, "it", "mai arrivat*", kNR},
    {K::kDispute, "it", "non ~ arrivat*", kNR},
    {K::kDispute, "it", "non ~ consegnat*", kNR},
    {K::kDispute, "it", "difettos*", kQU},
    {K::kDispute, "it", "danneggiat*", kQU},
    {K::kDispute, "it", "rotto", kQU},
    {K::kDispute, "it", "rotta", kQU},
    {K::kDispute, "it", "rotti", kQU},
    {K::kDispute, "it", "non funzion*", kQU},
    {K::kDispute, "it", "guast*", kQU},
    {K::kDispute, "it", "scadente", kQU},
    {K::kDispute, "it", "importo ~ sbagliat*", kWA},
    {K::kDispute, "it", "importo ~ errat*", kWA},
    {K::kDispute, "it", "importo non ~ corrett*", kWA},
    {K::kDispute, "it", "fattura ~ sbagliat*", kWA},
    {K::kDispute, "it", "fattura ~ errat*", kWA},
    {K::kDispute, "it", "fattura non ~ corrett*", kWA},
    {K::kDispute, "it", "addebitat* due volte", kWA},
    {K::kDispute, "it", "doppio addebito", kWA},
    {K::kDispute, "it", "troppo alt*", kWA},
    {K::kDispute, "it", "mai ordinato", kNM},
    {K::kDispute, "it", "non e mio", kNM},
    {K::kDispute, "it", "non e il mio debito", kNM},
    {K::kDispute, "it", "mai firmato", kNM},
    {K::kDispute, "it", "disdett*", kCC},
    {K::kDispute, "it", "disdire", kCC},
    {K::kDispute, "it", "recesso", kCC},
    {K::kDispute, "it", "contratto ~ annullat*", kCC},
    {K::kDispute, "it", "contest*", kDO},
    {K::kDispute, "it", "reclamo", kDO},
    {K::kDispute, "it", "non sono d accordo", kDO},
    {K::kDispute, "it", "non riconosco", kDO},
    {K::kDispute, "en", "never received", kNR},
    {K::kDispute, "en", "never got", kNR},
    {K::kDispute, "en", "not receiv*", kNR},
    {K::kDispute, "en", "never arrived", kNR},
    {K::kDispute, "en", "not arrive*", kNR},
    {K::kDispute, "en", "never delivered", kNR},
    {K::kDispute, "en", "not delivered", kNR},
    {K::kDispute, "en", "damaged", kQU},
    {K::kDispute, "en", "broken", kQU},
    {K::kDispute, "en", "defective", kQU},
    {K::kDispute, "en", "faulty", kQU},
    {K::kDispute, "en", "not work*", kQU},
    {K::kDispute, "en", "stopped working", kQU},
    {K::kDispute, "en", "poor quality", kQU},
    {K::kDispute, "en", "wrong amount", kWA},
    {K::kDispute, "en", "incorrect amount", kWA},
    {K::kDispute, "en", "amount is wrong", kWA},
    {K::kDispute, "en", "overcharged", kWA},
    {K::kDispute, "en", "charged twice", kWA},
    {K::kDispute, "en", "double charged", kWA},
    {K::kDispute, "en", "invoice is wrong", kWA},
    {K::kDispute, "en", "invoice is incorrect", kWA},
    {K::kDispute, "en", "bill is wrong", kWA},
    {K::kDispute, "en", "never ordered", kNM},
    {K::kDispute, "en", "did not order", kNM},
    {K::kDispute, "en", "not my debt", kNM},
    {K::kDispute, "en", "not my bill", kNM},
    {K::kDispute, "en", "not my invoice", kNM},
    {K::kDispute, "en", "cancel* ~ contract", kCC},
    {K::kDispute, "en", "cancel* ~ subscription", kCC},
    {K::kDispute, "en", "contract ~ cancel*", kCC},
    {K::kDispute, "en", "terminated ~ contract", kCC},
    {K::kDispute, "en", "dispute*", kDO},
    {K::kDispute, "en", "disagree", kDO},
    {K::kDispute, "en", "complaint", kDO},
    {K::kDispute, "en", "do not agree", kDO},
    {K::kDispute, "en", "do not recogni*", kDO},
    {K::kDispute, "en", "do not owe", kDO},
    {K::kDispute, "fi", "en ole saanut", kNR},
    {K::kDispute, "fi", "en saanut", kNR},
    {K::kDispute, "fi", "ei ~ tullut", kNR},
    {K::kDispute, "fi", "ei ~ toimitettu", kNR},
    {K::kDispute, "fi", "ei ~ saapunut", kNR},
    {K::kDispute, "fi", "rikki", kQU},
    {K::kDispute, "fi", "rikkinai*", kQU},
    {K::kDispute, "fi", "viallinen", kQU},
    {K::kDispute, "fi", "vioittun*", kQU},
    {K::kDispute, "fi", "vaurioitun*", kQU},
    {K::kDispute, "fi", "ei toimi", kQU},
    {K::kDispute, "fi", "huono* laatu*", kQU},
    {K::kDispute, "fi", "lasku on vaarin", kWA},
    {K::kDispute, "fi", "vaarin laskutettu", kWA},
    {K::kDispute, "fi", "vaara summa", kWA},
    {K::kDispute, "fi", "summa on vaarin", kWA},
    {K::kDispute, "fi", "liian suuri", kWA},
    {K::kDispute, "fi", "laskutettu kahdesti", kWA},
    {K::kDispute, "fi", "laskutettu kahteen kertaan", kWA},
    {K::kDispute, "fi", "virheellinen", kWA},
    {K::kDispute, "fi", "en ~ tilannut", kNM},
    {K::kDispute, "fi", "ei ole minun velka*", kNM},
    {K::kDispute, "fi", "irtisanoin", kCC},
    {K::kDispute, "fi", "sopimus on irtisanottu", kCC},
    {K::kDispute, "fi", "peruutin", kCC},
    {K::kDispute, "fi", "peruin", kCC},
    {K::kDispute, "fi", "reklam*", kDO},
    {K::kDispute, "fi", "kiista*", kDO},
    {K::kDispute, "fi", "en hyvaksy", kDO},
    {K::kDispute, "fi", "en ole velkaa", kDO},
    {K::kDispute, "nl", "nooit ontvangen", kNR},
    {K::kDispute, "nl", "niet ontvangen", kNR},
    {K::kDispute, "nl", "niets ontvangen", kNR},
    {K::kDispute, "nl", "nooit geleverd", kNR},
    {K::kDispute, "nl", "niet geleverd", kNR},
    {K::kDispute, "nl", "niet aangekomen", kNR},
    {K::kDispute, "nl", "nooit gekregen", kNR},
    {K::kDispute, "nl", "beschadigd", kQU},
    {K::kDispute, "nl", "kapot", kQU},
    {K::kDispute, "nl", "defect", kQU},
    {K::kDispute, "nl", "werkt niet", kQU},
    {K::kDispute, "nl", "slechte kwaliteit", kQU},
    {K::kDispute, "nl", "factuur klopt niet", kWA},
    {K::kDispute, "nl", "rekening klopt niet", kWA},
    {K::kDispute, "nl", "bedrag klopt niet", kWA},
    {K::kDispute, "nl", "klopt niet", kWA},
    {K::kDispute, "nl", "verkeerd* bedrag", kWA},
    {K::kDispute, "nl", "dubbel gefactureerd", kWA},
    {K::kDispute, "nl", "nooit besteld", kNM},
    {K::kDispute, "nl", "niet besteld", kNM},
    {K::kDispute, "nl", "niet van mij", kNM},
    {K::kDispute, "nl", "opgezegd", kCC},
    {K::kDispute, "nl", "contract ~ beeindigd", kCC},
    {K::kDispute, "nl", "geannuleerd", kCC},
    {K::kDispute, "nl", "bezwaar", kDO},
    {K::kDispute, "nl", "reclamatie", kDO},
    {K::kDispute, "nl", "klacht", kDO},
    {K::kDispute, "nl", "niet mee eens", kDO},
    {K::kDispute, "nl", "niet akkoord", kDO},
    {K::kDispute, "nl", "betwist*", kDO},

    // -- already paid --
    {K::kPaidAlready, "it", "gia pagat*", 0},
    {K::kPaidAlready, "it", "ho ~ pagato", 0},
    {K::kPaidAlready, "it", "abbiamo ~ pagato", 0},
    {K::kPaidAlready, "it", "gia saldat*", 0},
    {K::kPaidAlready, "it", "ho ~ saldato", 0},
    {K::kPaidAlready, "it", "ho ~ bonifico", 0},
    {K::kPaidAlready, "it", "bonifico effettuato", 0},
    {K::kPaidAlready, "it", "ho ~ versato", 0},
    {K::kPaidAlready, "it", "pagamento effettuato", 0},
    {K::kPaidAlready, "it", "pagamento eseguito", 0},
    {K::kPaidAlready, "it", "risulta pagat*", 0},
    {K::kPaidAlready, "en", "already paid", 0},
    {K::kPaidAlready, "en", "paid already", 0},
    {K::kPaidAlready, "en", "have paid", 0},
    {K::kPaidAlready, "en", "i paid", 0},
    {K::kPaidAlready, "en", "we paid", 0},
    {K::kPaidAlready, "en", "paid it", 0},
    {K::kPaidAlready, "en", "paid this", 0},
    {K::kPaidAlready, "en", "paid in full", 0},
    {K::kPaidAlready, "en", "been paid", 0},
    {K::kPaidAlready, "en", "was paid", 0},
    {K::kPaidAlready, "en", "already settled", 0},
    {K::kPaidAlready, "en", "payment was made", 0},
    {K::kPaidAlready, "en", "made the payment", 0},
    {K::kPaidAlready, "en", "sent the payment", 0},
    {K::kPaidAlready, "en", "transferred the money", 0},
    {K::kPaidAlready, "fi", "maksoin", 0},
    {K::kPaidAlready, "fi", "olen ~ maksanut", 0},
    {K::kPaidAlready, "fi", "jo maksettu", 0},
    {K::kPaidAlready, "fi", "on ~ maksettu", 0},
    {K::kPaidAlready, "fi", "maksettu jo", 0},
    {K::kPaidAlready, "fi", "maksu on suoritettu", 0},
    {K::kPaidAlready, "fi", "suoritin maksun", 0},
    {K::kPaidAlready, "nl", "al betaald", 0},
    {K::kPaidAlready, "nl", "reeds betaald", 0},
    {K::kPaidAlready, "nl", "heb ~ betaald", 0},
    {K::kPaidAlready, "nl", "hebben ~ betaald", 0},
    {K::kPaidAlready, "nl", "is ~ betaald", 0},
    {K::kPaidAlready, "nl", "al overgemaakt", 0},
    {K::kPaidAlready, "nl", "heb ~ overgemaakt", 0},
    {K::kPaidAlready, "nl", "al voldaan", 0},

    // -- repayment plan requests --
    {K::kPlanRequest, "it", "rateizz*", 0},
    {K::kPlanRequest, "it", "a rate", 0},
    {K::kPlanRequest, "it", "in rate", 0},
    {K::kPlanRequest, "it", "piano di rientro", 0},
    {K::kPlanRequest, "it", "piano di pagamento", 0},
    {K::kPlanRequest, "it", "piano rateale", 0},
    {K::kPlanRequest, "it", "al mese", 0},
    {K::kPlanRequest, "it", "dilazion*", 0},
    {K::kPlanRequest, "en", "payment plan", 0},
    {K::kPlanRequest, "en", "repayment plan", 0},
    {K::kPlanRequest, "en", "instal*", 0},
    {K::kPlanRequest, "en", "pay in parts", 0},
    {K::kPlanRequest, "en", "pay monthly", 0},
    {K::kPlanRequest, "en", "per month", 0},
    {K::kPlanRequest, "en", "each month", 0},
    {K::kPlanRequest, "en", "every month", 0},
    {K::kPlanRequest, "en", "more time", 0},
    {K::kPlanRequest, "fi", "maksusuunnitelm*", 0},
    {K::kPlanRequest, "fi", "osamaks*", 0},
    {K::kPlanRequest, "fi", "erissa", 0},
    {K::kPlanRequest, "fi", "maksuer*", 0},
    {K::kPlanRequest, "fi", "maksuaika*", 0},
    {K::kPlanRequest, "fi", "lisaaika*", 0},
    {K::kPlanRequest, "fi", "kuukaudessa", 0},
    {K::kPlanRequest, "nl", "betalingsregeling", 0},
    {K::kPlanRequest, "nl", "regeling", 0},
    {K::kPlanRequest, "nl", "termijnen", 0},
    {K::kPlanRequest, "nl", "in delen", 0},
    {K::kPlanRequest, "nl", "gespreid", 0},
    {K::kPlanRequest, "nl", "per maand", 0},
    {K::kPlanRequest, "nl", "uitstel", 0},

    // -- promises to pay --
    {K::kPromise, "it", "pagher*", 0},
    {K::kPromise, "it", "paghiamo", 0},
    {K::kPromise, "it", "pago", 0},
    {K::kPromise, "it", "posso pagare", 0},
    {K::kPromise, "it", "potrei pagare", 0},
    {K::kPromise, "it", "riesco a pagare", 0},
    {K::kPromise, "it", "salder*", 0},
    {K::kPromise, "it", "verser*", 0},
    {K::kPromise, "it", "faro ~ bonifico", 0},
    {K::kPromise, "it", "provveder*", 0},
    {K::kPromise, "it", "effettuer*", 0},
    {K::kPromise, "it", "prometto", 0},
    {K::kPromise, "en", "will pay", 0},
    {K::kPromise, "en", "ll pay", 0},
    {K::kPromise, "en", "going to pay", 0},
    {K::kPromise, "en", "gonna pay", 0},
    {K::kPromise, "en", "shall pay", 0},
    {K::kPromise, "en", "can pay", 0},
    {K::kPromise, "en", "could pay", 0},
    {K::kPromise, "en", "promise to pay", 0},
    {K::kPromise, "en", "will ~ transfer", 0},
    {K::kPromise, "en", "will settle", 0},
    {K::kPromise, "en", "will make ~ payment", 0},
    {K::kPromise, "en", "will send ~ payment", 0},
    {K::kPromise, "fi", "maksan", 0},
    {K::kPromise, "fi", "maksamme", 0},
    {K::kPromise, "fi", "lupaan maksaa", 0},
    {K::kPromise, "fi", "voin maksaa", 0},
    {K::kPromise, "fi", "voisin maksaa", 0},
    {K::kPromise, "fi", "hoidan ~ lasku*", 0},
    {K::kPromise, "fi", "hoidan ~ maksu*", 0},
    {K::kPromise, "fi", "suoritan ~ maksu*", 0},
    {K::kPromise, "nl", "ik betaal", 0},
    {K::kPromise, "nl", "betaal ik", 0},
    {K::kPromise, "nl", "zal ~ betalen", 0},
    {K::kPromise, "nl", "ga ~ betalen", 0},
    {K::kPromise, "nl", "gaan ~ betalen", 0},
    {K::kPromise, "nl", "kan ~ betalen", 0},
    {K::kPromise, "nl", "maak ~ over", 0},
    {K::kPromise, "nl", "wordt ~ betaald", 0},

    // -- callback requests --
    {K::kCallbackRequest, "it", "richiamatemi", 0},
    {K::kCallbackRequest, "it", "richiamami", 0},
    {K::kCallbackRequest, "it", "mi richiam*", 0},
    {K::kCallbackRequest, "it", "chiamatemi", 0},
    {K::kCallbackRequest, "it", "chiamami", 0},
    {K::kCallbackRequest, "it", "mi chiami", 0},
    {K::kCallbackRequest, "it", "chiamarmi", 0},
    {K::kCallbackRequest, "it", "richiamarmi", 0},
    {K::kCallbackRequest, "it", "essere richiamat*", 0},
    {K::kCallbackRequest, "it", "parlare con ~ operatore", 0},
    {K::kCallbackRequest, "en", "call me", 0},
    {K::kCallbackRequest, "en", "call back", 0},
    {K::kCallbackRequest, "en", "ring me", 0},
    {K::kCallbackRequest, "en", "phone me", 0},
    {K::kCallbackRequest, "en", "give me a call", 0},
    {K::kCallbackRequest, "en", "speak to ~ someone", 0},
    {K::kCallbackRequest, "en", "talk to ~ someone", 0},
    {K::kCallbackRequest, "en", "speak to ~ person", 0},
    {K::kCallbackRequest, "fi", "soittakaa", 0},
    {K::kCallbackRequest, "fi", "soita minulle", 0},
    {K::kCallbackRequest, "fi", "voitteko soittaa", 0},
    {K::kCallbackRequest, "fi", "soittopyyn*", 0},
    {K::kCallbackRequest, "fi", "haluan puhua", 0},
    {K::kCallbackRequest, "nl", "bel me", 0},
    {K::kCallbackRequest, "nl", "bel mij", 0},
    {K::kCallbackRequest, "nl", "belt u ~ mij", 0},
    {K::kCallbackRequest, "nl", "belt u ~ me", 0},
    {K::kCallbackRequest, "nl", "terugbellen", 0},
    {K::kCallbackRequest, "nl", "teruggebeld", 0},
    {K::kCallbackRequest, "nl", "kunt u ~ bellen", 0},
};

// STOP and its synonyms: an opt-out when the reply is just the word, or starts with it (SMS
// "STOP", "Stop please", "BASTA!"). TCPA lists STOP, QUIT, END, CANCEL, UNSUBSCRIBE; the others
// are the words debtors use in Italy (basta), Finland (lopeta), the Netherlands (afmelden) and
// neighbouring languages (stopp, arret, alt).
constexpr const char* kFirstWordOptOut[] = {"stop",   "stopp",     "arret",       "lopeta",
                                            "basta",  "stopall",   "unsubscribe", "afmelden",
                                            "uitschrijven", "disiscrivimi"};
// Words too common to trust except as the whole reply ("End", "Cancel").
constexpr const char* kWholeReplyOptOut[] = {"alt", "end", "quit", "cancel", "revoke", "optout"};
// Courtesy words that may follow a whole-reply keyword ("STOP please", "quit thanks").
constexpr const char* kCourtesy[] = {"please", "pls", "thanks", "thank", "you", "grazie", "kiitos",
                                     "bedankt", "dank", "all", "now", "per", "favore", "alsjeblieft"};

const char* KindSlug(ReplyKind k) {
  switch (k) {
    case K::kOptOut: return "opt_out";
    case K::kWrongPerson: return "wrong_person";
    case K::kHardship: return "hardship";
    case K::kDispute: return "dispute";
    case K::kPaidAlready: return "paid_already";
    case K::kPlanRequest: return "plan_request";
    case K::kPromise: return "promise";
    case K::kCallbackRequest: return "callback";
    case K::kUnknown: return "unknown";
  }
  return "?";
}

// The words that negate a promise, a payment claim, a plan or a callback in the same clause
// ("non pagherò", "I will not pay", "en maksa", "ik betaal niet").
bool IsNegation(std::string_view lang, std::string_view w) {
  if (lang == "it") return w == "non" || w == "mai";
  if (lang == "en") return w == "not" || w == "never";
  if (lang == "fi") return w == "en" || w == "ei" || w == "emme" || w == "ette" || w == "eivat";
  if (lang == "nl") return w == "niet" || w == "nooit" || w == "geen";
  return false;
}

bool Negatable(ReplyKind k) {
  return k == K::kPromise || k == K::kPaidAlready || k == K::kPlanRequest ||
         k == K::kCallbackRequest;
}

struct Pattern {
  struct Part {
    enum Type { kWord, kPrefix, kGap } type;
    std::string text;
  };
  std::vector<Part> parts;
};

Pattern ParsePattern(std::string_view spec) {
  Pattern p;
  for (absl::string_view w : absl::StrSplit(absl::string_view(spec.data(), spec.size()), ' ',
                                            absl::SkipEmpty())) {
    if (w == "~") {
      p.parts.push_back({Pattern::Part::kGap, ""});
    } else if (absl::EndsWith(w, "*")) {
      p.parts.push_back({Pattern::Part::kPrefix, std::string(w.substr(0, w.size() - 1))});
    } else {
      p.parts.push_back({Pattern::Part::kWord, std::string(w)});
    }
  }
  return p;
}

struct CompiledRule {
  const RuleSpec* spec;
  Pattern pattern;
  std::string id;
};

const std::vector<CompiledRule>& CompiledRules() {
  static const auto* rules = [] {
    auto* v = new std::vector<CompiledRule>();
    for (const RuleSpec& r : kRules) {
      v->push_back({&r, ParsePattern(r.pattern),
                    absl::StrCat(r.lang, ".", KindSlug(r.kind), ":", r.pattern)});
    }
    return v;
  }();
  return *rules;
}

constexpr int kMaxGap = 3;

bool MatchFrom(const Pattern& p, size_t pi, const std::vector<Token>& t, size_t ti, size_t* end) {
  if (pi == p.parts.size()) {
    *end = ti;
    return true;
  }
  const Pattern::Part& part = p.parts[pi];
  if (part.type == Pattern::Part::kGap) {
    for (int g = 0; g <= kMaxGap; ++g) {
      const size_t skipped_end = ti + static_cast<size_t>(g);
      if (g > 0 && (skipped_end > t.size() || t[skipped_end - 1].boundary)) break;
      if (MatchFrom(p, pi + 1, t, skipped_end, end)) return true;
    }
    return false;
  }
  if (ti >= t.size() || !IsWord(t[ti])) return false;
  if (pi > 0 && t[ti].boundary) return false;  // phrases stay inside one clause
  const bool ok = part.type == Pattern::Part::kWord ? t[ti].text == part.text
                                                     : absl::StartsWith(t[ti].text, part.text);
  return ok && MatchFrom(p, pi + 1, t, ti + 1, end);
}

bool NegatedAt(const std::vector<Token>& t, size_t begin, size_t end, std::string_view lang) {
  // Up to two words before, within the clause.
  for (size_t k = 1; k <= 2 && k <= begin; ++k) {
    if (t[begin - k + 1].boundary) break;
    if (IsNegation(lang, t[begin - k].text)) return true;
  }
  for (size_t i = begin; i < end; ++i) {
    if (IsNegation(lang, t[i].text)) return true;
  }
  // Dutch puts the negation after the verb: "ik betaal niet".
  if (lang == "nl" && end < t.size() && !t[end].boundary &&
      (t[end].text == "niet" || t[end].text == "nooit")) {
    return true;
  }
  return false;
}

struct Match {
  const CompiledRule* rule = nullptr;
  size_t begin = 0;
  size_t end = 0;
};

std::optional<Match> FindRule(const CompiledRule& rule, const std::vector<Token>& tokens) {
  for (size_t i = 0; i < tokens.size(); ++i) {
    size_t end = 0;
    if (!MatchFrom(rule.pattern, 0, tokens, i, &end)) continue;
    if (Negatable(rule.spec->kind) && NegatedAt(tokens, i, end, rule.spec->lang)) continue;
    return Match{&rule, i, end};
  }
  return std::nullopt;
}

// SpanText shows tokens as written: glued ones ("20th", "100e", "€50") stay glued.
std::string SpanText(const std::vector<Token>& t, size_t begin, size_t end) {
  std::string out;
  for (size_t i = begin; i < end && i < t.size(); ++i) {
    if (i > begin && !t[i].glued) out.push_back(' ');
    out.append(t[i].text);
  }
  return out;
}

// ---- amounts ----

// kMaxAmountDigits keeps amounts far from int64 overflow (10^15 minor units).
constexpr size_t kMaxAmountDigits = 15;

// ParseGroupedInt reads "1.234" / "1,234,567" / "150" (groups of three after the first) with
// `sep` as the only separator allowed.
std::optional<int64_t> ParseGroupedInt(std::string_view s, char sep) {
  if (s.empty()) return std::nullopt;
  std::vector<std::string_view> groups;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      groups.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  std::string digits;
  for (size_t g = 0; g < groups.size(); ++g) {
    const std::string_view grp = groups[g];
    if (grp.empty() || !std::all_of(grp.begin(), grp.end(), IsDigit)) return std::nullopt;
    if (groups.size() > 1 && (g == 0 ? grp.size() > 3 : grp.size() != 3)) return std::nullopt;
    digits.append(grp);
  }
  if (digits.size() > kMaxAmountDigits) return std::nullopt;
  int64_t v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

}  // namespace

std::optional<int64_t> ParseAmountMinor(std::string_view s) {
  if (s.empty()) return std::nullopt;
  for (char c : s) {
    if (!IsDigit(c) && c != '.' && c != ',') return std::nullopt;
  }
  const size_t last = s.find_last_of(".,");
  if (last == std::string_view::npos) {
    std::optional<int64_t> whole = ParseGroupedInt(s, '\0');
    if (!whole) return std::nullopt;
    return *whole * 100;
  }
  const char sep = s[last];
  const char other = sep == '.' ? ',' : '.';
  const size_t decimals = s.size() - last - 1;
  if (decimals == 1 || decimals == 2) {
    // `sep` is the decimal separator; the integer part may group with the other one.
    const std::string_view int_part = s.substr(0, last);
    if (int_part.find(sep) != std::string_view::npos) return std::nullopt;
    std::optional<int64_t> whole = ParseGroupedInt(int_part, other);
    if (!whole) return std::nullopt;
    const std::string_view frac = s.substr(last + 1);
    if (!std::all_of(frac.begin(), frac.end(), IsDigit)) return std::nullopt;
    int64_t cents = (frac[0] - '0') * 10 + (decimals == 2 ? frac[1] - '0' : 0);
    return *whole * 100 + cents;
  }
  if (decimals == 3) {
    // A thousands group: "1.234" is 1234 in it/nl/fi and "1,234" in en.
    if (s.find(other) != std::string_view::npos) return std::nullopt;
    std::optional<int64_t> whole = ParseGroupedInt(s, sep);
    if (!whole) return std::nullopt;
    return *whole * 100;
  }
  return std::nullopt;
}

namespace {

// CurrencyOfWord names the currency of a word or sign, or "".
std::string_view CurrencyOf(const Token& t, bool glued_to_number) {
  const std::string& w = t.text;
  if (t.symbol) {
    if (w == "€") return "EUR";
    if (w == "£") return "GBP";
    if (w == "$") return "USD";
    return "";
  }
  if (w == "euro" || w == "euros" || w == "eur" || w == "euroa" || w == "euron" ||
      w == "eurolla" || w == "eu") {
    return "EUR";
  }
  if (w == "e" && glued_to_number) return "EUR";  // Finnish "100e"
  if (w == "pounds" || w == "pound" || w == "gbp" || w == "quid") return "GBP";
  if (w == "dollars" || w == "dollar" || w == "usd" || w == "bucks") return "USD";
  return "";
}

// Words after a number that make it a count, not money ("3 rate", "30 days", "2 viikkoa").
bool IsUnitWord(const std::string& w) {
  static const char* const kUnits[] = {
      "giorni", "giorno", "settimane", "settimana", "mesi", "mese", "rate", "ore", "volte",
      "days", "day", "weeks", "week", "months", "month", "hours", "times", "instalments",
      "installments", "paivaa", "paiva", "paivan", "viikkoa", "viikon", "kuukautta", "kuukauden",
      "tuntia", "kertaa", "erissa", "erassa", "dagen", "dag", "weken", "week", "maanden",
      "maand", "uur", "keer", "termijnen", "x"};
  for (const char* u : kUnits) {
    if (w == u) return true;
  }
  return false;
}

// Words before a number that make it an identifier ("fattura n. 1234", "invoice 5678").
bool IsIdWord(const std::string& w) {
  static const char* const kIds[] = {"n",       "nr",      "no",     "num",    "numero",
                                     "number",  "fattura", "invoice", "lasku", "laskun",
                                     "factuur", "pratica", "ref",    "viite",  "order"};
  for (const char* u : kIds) {
    if (w == u) return true;
  }
  return false;
}

struct Amount {
  int64_t minor = 0;
  std::string currency;
  std::string source;
};

// FindAmount: the number next to a currency word or sign wins; else the first plain number
// within four words after the matched keyword. Tokens used by the date are skipped.
std::optional<Amount> FindAmount(const std::vector<Token>& t, const std::vector<bool>& used,
                                 const Match& m) {
  auto parse = [&](size_t i) -> std::optional<int64_t> {
    if (i >= t.size() || !t[i].number || used[i]) return std::nullopt;
    return ParseAmountMinor(t[i].text);
  };
  for (size_t i = 0; i < t.size(); ++i) {
    std::optional<int64_t> v = parse(i);
    if (!v) continue;
    if (i + 1 < t.size() && !t[i + 1].boundary) {
      const std::string_view cur = CurrencyOf(t[i + 1], t[i + 1].glued);
      if (!cur.empty()) {
        return Amount{*v, std::string(cur), absl::StrCat(t[i].text, t[i].dash_cents ? ",-" : "",
                                                         t[i + 1].glued ? "" : " ", t[i + 1].text)};
      }
    }
    if (i > 0 && !t[i].boundary) {
      const std::string_view cur = CurrencyOf(t[i - 1], false);
      if (!cur.empty()) {
        return Amount{*v, std::string(cur),
                      absl::StrCat(t[i - 1].text, t[i].glued ? "" : " ", t[i].text)};
      }
    }
  }
  for (size_t i = m.end; i < t.size() && i < m.end + 4; ++i) {
    if (i > m.end && t[i].boundary) break;
    std::optional<int64_t> v = parse(i);
    if (!v) continue;
    if (i + 1 < t.size() && (IsUnitWord(t[i + 1].text) || t[i + 1].text == "%")) continue;
    if (i > 0 && IsIdWord(t[i - 1].text)) continue;
    return Amount{*v, "", t[i].text};
  }
  return std::nullopt;
}

// ---- dates ----

struct FoundDate {
  absl::CivilDay day;
  std::string source;
  std::string how;  // how the year or day was inferred, for the explanation
};

bool ValidDate(int64_t y, int m, int d) {
  if (m < 1 || m > 12 || d < 1 || d > 31) return false;
  const absl::CivilDay day(y, m, d);
  return day.year() == y && day.month() == m && day.day() == d;
}

// NearestYear puts month/day in the year that brings it nearest to `ref` (ties go forward):
// "15/03" read on 2025-12-20 is 2026-03-15 for a promise, and "28/12" read on 2026-01-05 is
// 2025-12-28 for a payment made.
std::optional<absl::CivilDay> NearestYear(int m, int d, absl::CivilDay ref) {
  std::optional<absl::CivilDay> best;
  int64_t best_dist = 0;
  for (int64_t y = ref.year() - 1; y <= ref.year() + 1; ++y) {
    if (!ValidDate(y, m, d)) continue;
    const absl::CivilDay c(y, m, d);
    const int64_t dist = c >= ref ? c - ref : ref - c;
    if (!best || dist < best_dist || (dist == best_dist && c > *best)) {
      best = c;
      best_dist = dist;
    }
  }
  return best;
}

// A lone day of the month: the next such day for what is to come (promises, callbacks), the
// last one for a payment already made.
std::optional<absl::CivilDay> DayOfMonth(int d, absl::CivilDay ref, bool past) {
  if (d < 1 || d > 31) return std::nullopt;
  absl::CivilMonth month(ref);
  for (int k = 0; k < 13; ++k) {
    const absl::CivilMonth mm = past ? month - k : month + k;
    if (!ValidDate(mm.year(), mm.month(), d)) continue;
    const absl::CivilDay c(mm.year(), mm.month(), d);
    if (past ? c <= ref : c >= ref) return c;
  }
  return std::nullopt;
}

int MonthOf(const std::string& w) {
  struct Name {
    const char* word;
    int month;
    bool prefix;
  };
  static const Name kMonths[] = {
      // it
      {"gennaio", 1, false}, {"febbraio", 2, false}, {"marzo", 3, false}, {"aprile", 4, false},
      {"maggio", 5, false}, {"giugno", 6, false}, {"luglio", 7, false}, {"agosto", 8, false},
      {"settembre", 9, false}, {"ottobre", 10, false}, {"novembre", 11, false},
      {"dicembre", 12, false},
      // en
      {"january", 1, false}, {"february", 2, false}, {"march", 3, false}, {"april", 4, false},
      {"may", 5, false}, {"june", 6, false}, {"july", 7, false}, {"august", 8, false},
      {"september", 9, false}, {"october", 10, false}, {"november", 11, false},
      {"december", 12, false}, {"jan", 1, false}, {"feb", 2, false}, {"mar", 3, false},
      {"apr", 4, false}, {"jun", 6, false}, {"jul", 7, false}, {"aug", 8, false},
      {"sep", 9, false}, {"sept", 9, false}, {"oct", 10, false}, {"nov", 11, false},
      {"dec", 12, false},
      // fi (inflected: maaliskuuta, maaliskuun, maaliskuussa)
      {"tammikuu", 1, true}, {"helmikuu", 2, true}, {"maaliskuu", 3, true},
      {"huhtikuu", 4, true}, {"toukokuu", 5, true}, {"kesakuu", 6, true}, {"heinakuu", 7, true},
      {"elokuu", 8, true}, {"syyskuu", 9, true}, {"lokakuu", 10, true},
      {"marraskuu", 11, true}, {"joulukuu", 12, true},
      // nl
      {"januari", 1, false}, {"februari", 2, false}, {"maart", 3, false}, {"mei", 5, false},
      {"juni", 6, false}, {"juli", 7, false}, {"augustus", 8, false}, {"oktober", 10, false}};
  for (const Name& n : kMonths) {
    if (n.prefix ? absl::StartsWith(w, n.word) : w == n.word) return n.month;
  }
  return 0;
}

// WeekdayOf returns 1 (Monday) .. 7 (Sunday) for a weekday name, else 0.
int WeekdayOf(const std::string& w) {
  static const char* const kDays[][4] = {
      {"lunedi", "monday", "maanantai", "maandag"},  {"martedi", "tuesday", "tiistai", "dinsdag"},
      {"mercoledi", "wednesday", "keskiviikko", "woensdag"},
      {"giovedi", "thursday", "torstai", "donderdag"}, {"venerdi", "friday", "perjantai", "vrijdag"},
      {"sabato", "saturday", "lauantai", "zaterdag"}, {"domenica", "sunday", "sunnuntai", "zondag"}};
  for (int d = 0; d < 7; ++d) {
    for (int l = 0; l < 4; ++l) {
      // Finnish adds -na ("perjantaina"): a prefix match.
      if (l == 2 ? absl::StartsWith(w, kDays[d][l]) : w == kDays[d][l]) return d + 1;
    }
  }
  return 0;
}

bool IsOrdinalSuffix(const Token& t) {
  return t.glued && (t.text == "th" || t.text == "st" || t.text == "nd" || t.text == "rd" ||
                     t.text == "e" || t.text == "ste" || t.text == "de");
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsDigit);
}

std::optional<int> SmallInt(std::string_view s) {
  int v = 0;
  if (!AllDigits(s) || s.size() > 4 || !absl::SimpleAtoi(absl::string_view(s.data(), s.size()), &v)) {
    return std::nullopt;
  }
  return v;
}

// Words that introduce a lone day of the month: "il 15", "entro il 20", "on the 15th",
// "op de 15e".
bool IsDayPreposition(const std::vector<Token>& t, size_t i) {
  if (i == 0 || t[i].boundary) return false;
  const std::string& w = t[i - 1].text;
  return w == "il" || w == "the" || w == "de" || w == "entro" || w == "by";
}

struct DateContext {
  absl::CivilDay ref;
  bool past = false;         // dates of a payment already made
  bool month_first = false;  // en-US: 03/04 is March 4
};

// NumericDate reads 2026-03-15, 15/03[/2026], 15-03[-2026], 15.3.[2026] (and 15.03 after a day
// preposition).
std::optional<FoundDate> NumericDate(const std::vector<Token>& t, size_t i, const DateContext& c) {
  const Token& tok = t[i];
  if (!tok.number) return std::nullopt;
  char sep = 0;
  for (char ch : tok.text) {
    if (ch == '/' || ch == '-' || ch == '.') {
      if (sep != 0 && ch != sep) return std::nullopt;
      sep = ch;
    }
  }
  if (sep == 0 || tok.text.find(',') != std::string::npos) return std::nullopt;
  std::vector<std::string> parts = absl::StrSplit(tok.text, sep);
  if (parts.size() < 2 || parts.size() > 3) return std::nullopt;
  if (sep == '.' && parts.size() == 2 && !tok.trailing_dot && !IsDayPreposition(t, i)) {
    return std::nullopt;  // "15.50" is an amount; "15.3." and "il 15.03" are dates
  }
  std::vector<int> n;
  for (const std::string& p : parts) {
    std::optional<int> v = SmallInt(p);
    if (!v) return std::nullopt;
    n.push_back(*v);
  }
  if (parts.size() == 3 && parts[0].size() == 4) {  // ISO 8601
    if (!ValidDate(n[0], n[1], n[2])) return std::nullopt;
    return FoundDate{absl::CivilDay(n[0], n[1], n[2]), tok.text, ""};
  }
  int d = n[0];
  int m = n[1];
  std::string how;
  if (sep == '/') {
    // Day first everywhere but the US; a number above 12 settles it either way.
    const bool swap = (c.month_first && n[0] <= 12 && n[1] <= 31) || (n[1] > 12 && n[0] <= 12);
    if (swap) {
      std::swap(d, m);
      how = "month first; ";
    }
  }
  if (parts.size() == 3) {
    int y = n[2];
    if (parts[2].size() == 2) y += 2000;
    if (parts[2].size() != 2 && parts[2].size() != 4) return std::nullopt;
    if (!ValidDate(y, m, d)) return std::nullopt;
    return FoundDate{absl::CivilDay(y, m, d), tok.text, ""};
  }
  std::optional<absl::CivilDay> day = NearestYear(m, d, c.ref);
  if (!day) return std::nullopt;
  return FoundDate{*day, tok.text, how + "year nearest to the reference day"};
}

// WordDate reads "15 marzo [2026]", "15th of March", "15. maaliskuuta", "March 15th[, 2026]".
std::optional<FoundDate> WordDate(const std::vector<Token>& t, size_t i, const DateContext& c,
                                  size_t* consumed_end) {
  auto year_at = [&](size_t k) -> std::optional<int> {
    if (k >= t.size() || !t[k].number) return std::nullopt;
    std::optional<int> y = SmallInt(t[k].text);
    if (!y || t[k].text.size() != 4) return std::nullopt;
    return y;
  };
  auto finish = [&](int d, int m, size_t k, std::string src) -> std::optional<FoundDate> {
    if (std::optional<int> y = year_at(k); y && ValidDate(*y, m, d)) {
      *consumed_end = k + 1;
      return FoundDate{absl::CivilDay(*y, m, d), absl::StrCat(src, " ", *y), ""};
    }
    std::optional<absl::CivilDay> day = NearestYear(m, d, c.ref);
    if (!day) return std::nullopt;
    *consumed_end = k;
    return FoundDate{*day, std::move(src), "year nearest to the reference day"};
  };
  if (t[i].number && AllDigits(t[i].text)) {
    std::optional<int> d = SmallInt(t[i].text);
    size_t k = i + 1;
    if (k < t.size() && IsOrdinalSuffix(t[k])) ++k;
    if (k < t.size() && t[k].text == "of") ++k;
    if (d && k < t.size() && IsWord(t[k])) {
      if (const int m = MonthOf(t[k].text); m > 0 && ValidDate(2000, m, *d)) {
        return finish(*d, m, k + 1, SpanText(t, i, k + 1));
      }
    }
    return std::nullopt;
  }
  if (!IsWord(t[i])) return std::nullopt;
  const int m = MonthOf(t[i].text);
  if (m == 0 || i + 1 >= t.size() || !t[i + 1].number || t[i + 1].boundary) return std::nullopt;
  std::optional<int> d = SmallInt(t[i + 1].text);
  if (!d || !ValidDate(2000, m, *d)) return std::nullopt;
  // "may" and "mar" are words too: a month name needs its day right after it.
  size_t k = i + 2;
  if (k < t.size() && IsOrdinalSuffix(t[k])) ++k;
  return finish(*d, m, k, SpanText(t, i, k));
}

// RelativeDate reads today / tomorrow / the day after, weekdays, next week, end of the month.
std::optional<FoundDate> RelativeDate(const std::vector<Token>& t, size_t i,
                                      const DateContext& c, size_t* consumed_end) {
  auto phrase = [&](std::initializer_list<const char*> words) {
    size_t k = i;
    for (const char* w : words) {
      if (k >= t.size() || t[k].text != w || (k > i && t[k].boundary)) return false;
      ++k;
    }
    *consumed_end = k;
    return true;
  };
  auto rel = [&](int64_t days, std::string src, const char* how) {
    return FoundDate{c.ref + days, std::move(src), how};
  };
  const std::string& w = t[i].text;
  if (phrase({"day", "after", "tomorrow"})) return rel(2, "day after tomorrow", "reference + 2");
  if (w == "dopodomani" || w == "ylihuomenna" || w == "overmorgen") {
    *consumed_end = i + 1;
    return rel(2, w, "reference + 2");
  }
  if (w == "domani" || w == "tomorrow" || w == "huomenna" || w == "morgen") {
    *consumed_end = i + 1;
    return rel(1, w, "reference + 1");
  }
  if (w == "oggi" || w == "today" || w == "tanaan" || w == "vandaag") {
    *consumed_end = i + 1;
    return rel(0, w, "the reference day");
  }
  // "entro 10 giorni", "within 10 days", "binnen 10 dagen", "10 paivan kuluessa".
  auto is_days = [](const std::string& u) {
    return u == "giorni" || u == "giorno" || u == "days" || u == "day" || u == "dagen" ||
           u == "dag";
  };
  if ((w == "entro" || w == "within" || w == "in" || w == "tra" || w == "fra" ||
       w == "binnen") &&
      i + 2 < t.size() && t[i + 1].number && is_days(t[i + 2].text) && !t[i + 1].boundary &&
      !t[i + 2].boundary) {
    if (std::optional<int> n = SmallInt(t[i + 1].text); n && *n <= 366) {
      *consumed_end = i + 3;
      return rel(*n, SpanText(t, i, i + 3), "reference + the days named");
    }
  }
  if (t[i].number && i + 2 < t.size() && t[i + 1].text == "paivan" &&
      (t[i + 2].text == "sisalla" || t[i + 2].text == "kuluessa")) {
    if (std::optional<int> n = SmallInt(t[i].text); n && *n <= 366) {
      *consumed_end = i + 3;
      return rel(*n, SpanText(t, i, i + 3), "reference + the days named");
    }
  }
  if (phrase({"next", "week"}) || phrase({"prossima", "settimana"}) ||
      phrase({"settimana", "prossima"}) || phrase({"ensi", "viikolla"}) ||
      phrase({"ensi", "viikon"}) || phrase({"volgende", "week"})) {
    return rel(7, SpanText(t, i, *consumed_end), "reference + 7 days");
  }
  if (phrase({"end", "of", "the", "month"}) || phrase({"end", "of", "month"}) ||
      phrase({"fine", "mese"}) || phrase({"fine", "del", "mese"}) ||
      phrase({"kuun", "lopussa"}) || phrase({"kuun", "loppuun"}) ||
      phrase({"kuukauden", "lopussa"}) || phrase({"eind", "van", "de", "maand"}) ||
      phrase({"einde", "van", "de", "maand"}) || phrase({"eind", "deze", "maand"})) {
    const absl::CivilDay last = absl::CivilDay(absl::CivilMonth(c.ref) + 1) - 1;
    return FoundDate{last, SpanText(t, i, *consumed_end), "last day of the reference month"};
  }
  if (const int wd = WeekdayOf(w); wd > 0) {
    const absl::Weekday target = static_cast<absl::Weekday>(wd - 1);
    *consumed_end = i + 1;
    const absl::CivilDay day = c.past ? absl::PrevWeekday(c.ref, target)
                                      : absl::NextWeekday(c.ref, target);
    return FoundDate{day, w, c.past ? "the last such weekday" : "the next such weekday"};
  }
  return std::nullopt;
}

// LoneDay reads "il 15", "entro il 20", "on the 15th", "op de 15e", "15. paivana".
std::optional<FoundDate> LoneDay(const std::vector<Token>& t, size_t i, const DateContext& c,
                                 size_t* consumed_end) {
  if (!t[i].number || !AllDigits(t[i].text)) return std::nullopt;
  size_t k = i + 1;
  const bool ordinal = k < t.size() && IsOrdinalSuffix(t[k]);
  if (ordinal) ++k;
  const bool finnish_day = t[i].trailing_dot && k < t.size() && absl::StartsWith(t[k].text, "paiv");
  if (!IsDayPreposition(t, i) && !finnish_day && !(ordinal && i > 0 && t[i - 1].text == "on")) {
    return std::nullopt;
  }
  if (k < t.size() && !t[k].boundary &&
      (!CurrencyOf(t[k], t[k].glued).empty() || IsUnitWord(t[k].text) || t[k].text == "%")) {
    return std::nullopt;  // "il 15%", "the 3 instalments", "de 50 euro"
  }
  std::optional<int> d = SmallInt(t[i].text);
  if (!d) return std::nullopt;
  std::optional<absl::CivilDay> day = DayOfMonth(*d, c.ref, c.past);
  if (!day) return std::nullopt;
  *consumed_end = finnish_day ? k + 1 : k;
  return FoundDate{*day, SpanText(t, i - (finnish_day ? 0 : 1), k),
                   c.past ? "the last such day of a month" : "the next such day of a month"};
}

// FindDate returns the first date of the reply (in reading order); the tokens it used are marked
// in `used` so the amount search skips them.
std::optional<FoundDate> FindDate(const std::vector<Token>& t, const DateContext& c,
                                  std::vector<bool>* used) {
  for (size_t i = 0; i < t.size(); ++i) {
    size_t end = i + 1;
    std::optional<FoundDate> found = NumericDate(t, i, c);
    if (!found) found = WordDate(t, i, c, &end);
    if (!found) found = RelativeDate(t, i, c, &end);
    if (!found) found = LoneDay(t, i, c, &end);
    if (!found) continue;
    for (size_t k = i; k < end && k < t.size(); ++k) (*used)[k] = true;
    return found;
  }
  return std::nullopt;
}

bool OneOf(const std::string& w, const auto& list) {
  for (const char* x : list) {
    if (w == x) return true;
  }
  return false;
}

// StopWord matches STOP and its synonyms (and the policy's keywords) as the whole reply or its
// first word; multi-word keywords match the reply's first words.
std::optional<std::string> StopWord(const std::vector<Token>& t,
                                    const std::vector<std::string>& extra) {
  if (t.empty()) return std::nullopt;
  for (const std::string& kw : extra) {
    const std::vector<Token> k = Tokenize(kw);
    if (k.empty() || k.size() > t.size()) continue;
    bool same = true;
    for (size_t i = 0; i < k.size() && same; ++i) same = k[i].text == t[i].text;
    if (same) return SpanText(t, 0, k.size()) + " (policy keyword)";
  }
  if (OneOf(t[0].text, kFirstWordOptOut)) return t[0].text + " (first word)";
  if (OneOf(t[0].text, kWholeReplyOptOut)) {
    for (size_t i = 1; i < t.size(); ++i) {
      if (!OneOf(t[i].text, kCourtesy)) return std::nullopt;
    }
    return t[0].text + " (whole reply)";
  }
  return std::nullopt;
}

}  // namespace

const char* ReplyKindName(ReplyKind kind) {
  switch (kind) {
    case K::kOptOut: return "OPT_OUT";
    case K::kWrongPerson: return "WRONG_PERSON";
    case K::kHardship: return "HARDSHIP";
    case K::kDispute: return "DISPUTE";
    case K::kPaidAlready: return "PAID_ALREADY";
    case K::kPlanRequest: return "PLAN_REQUEST";
    case K::kPromise: return "PROMISE";
    case K::kCallbackRequest: return "CALLBACK_REQUEST";
    case K::kUnknown: return "UNKNOWN";
  }
  return "?";
}

v1::ReplyKind ToProto(ReplyKind kind) {
  switch (kind) {
    case K::kOptOut: return v1::REPLY_KIND_OPT_OUT;
    case K::kWrongPerson: return v1::REPLY_KIND_WRONG_PERSON;
    case K::kHardship: return v1::REPLY_KIND_HARDSHIP;
    case K::kDispute: return v1::REPLY_KIND_DISPUTE;
    case K::kPaidAlready: return v1::REPLY_KIND_PAID_ALREADY;
    case K::kPlanRequest: return v1::REPLY_KIND_PLAN_REQUEST;
    case K::kPromise: return v1::REPLY_KIND_PROMISE;
    case K::kCallbackRequest: return v1::REPLY_KIND_CALLBACK;
    case K::kUnknown: return v1::REPLY_KIND_OTHER;
  }
  return v1::REPLY_KIND_OTHER;
}

ReplyClassification Classify(std::string_view text, const ClassifyOptions& options) {
  ReplyClassification out;
  const std::vector<Token> tokens = Tokenize(text);
  const std::string hint = absl::AsciiStrToLower(options.language_hint);
  const std::string hint_lang = hint.substr(0, std::min<size_t>(2, hint.size()));
  out.language = hint_lang;

  if (std::optional<std::string> stop = StopWord(tokens, options.extra_opt_out_keywords)) {
    out.kind = K::kOptOut;
    out.rule_id = "opt_out.keyword";
    out.explanation = absl::StrCat("opt-out keyword \"", *stop, "\"");
    return out;
  }

  std::optional<Match> match;
  for (ReplyKind kind : {K::kOptOut, K::kWrongPerson, K::kHardship, K::kDispute, K::kPaidAlready,
                         K::kPlanRequest, K::kPromise, K::kCallbackRequest}) {
    for (int pass = 0; pass < 2 && !match; ++pass) {
      for (const CompiledRule& rule : CompiledRules()) {
        if (rule.spec->kind != kind || (rule.spec->lang == hint_lang) != (pass == 0)) continue;
        if ((match = FindRule(rule, tokens))) break;
      }
    }
    if (match) break;
  }
  if (!match) {
    out.rule_id = "none";
    out.explanation = "no rule matched: an operator reads it";
    return out;
  }

  const RuleSpec& spec = *match->rule->spec;
  out.kind = spec.kind;
  out.language = spec.lang;
  out.rule_id = match->rule->id;
  out.explanation = absl::StrCat(out.rule_id, " matched \"",
                                 SpanText(tokens, match->begin, match->end), "\"");
  if (spec.kind == K::kDispute) out.dispute_reason = static_cast<DisputeReason>(spec.detail);
  if (spec.kind == K::kHardship) out.hardship = static_cast<HardshipKind>(spec.detail);

  const bool wants_date = spec.kind == K::kPromise || spec.kind == K::kPaidAlready ||
                          spec.kind == K::kPlanRequest || spec.kind == K::kCallbackRequest;
  const bool wants_amount = spec.kind == K::kPromise || spec.kind == K::kPaidAlready ||
                            spec.kind == K::kPlanRequest;
  std::vector<bool> used(tokens.size(), false);
  if (wants_date) {
    DateContext dc;
    dc.ref = options.reference_day;
    dc.past = spec.kind == K::kPaidAlready;
    dc.month_first = hint == "en-us" || hint == "en_us";
    if (std::optional<FoundDate> d = FindDate(tokens, dc, &used)) {
      out.date = d->day;
      absl::StrAppend(&out.explanation, "; date ", absl::FormatCivilTime(d->day), " from \"",
                      d->source, "\"");
      if (!d->how.empty()) absl::StrAppend(&out.explanation, " (", d->how, ")");
    }
  }
  if (wants_amount) {
    if (std::optional<Amount> a = FindAmount(tokens, used, *match)) {
      out.amount_minor = a->minor;
      out.currency = a->currency;
      absl::StrAppend(&out.explanation, "; amount ", a->minor, " minor units",
                      a->currency.empty() ? "" : " ", a->currency, " from \"", a->source, "\"");
    }
  }
  return out;
}

ReplyClassification Classify(std::string_view text, std::string_view language_hint,
                             absl::CivilDay reference_day) {
  ClassifyOptions options;
  options.language_hint = std::string(language_hint);
  options.reference_day = reference_day;
  return Classify(text, options);
}

}  // namespace concerto::contact
