#include "services/contact_channel/templates/internal/neutral_wording.h"

#include "absl/strings/ascii.h"

namespace concerto::contact::internal {
namespace {

// FoldCase lower-cases ASCII letters and the Finnish/Swedish capitals Ä, Ö, Å (UTF-8).
std::string FoldCase(absl::string_view text) {
  std::string out(text);
  for (size_t i = 0; i < out.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(out[i]);
    if (c < 0x80) {
      out[i] = absl::ascii_tolower(c);
    } else if (c == 0xC3 && i + 1 < out.size()) {
      const unsigned char n = static_cast<unsigned char>(out[i + 1]);
      if (n == 0x84 || n == 0x96 || n == 0x85) out[i + 1] = static_cast<char>(n + 0x20);
      ++i;
    }
  }
  return out;
}

}  // namespace

const std::vector<std::string>& RevealingWords() {
  static const auto* const kWords = new std::vector<std::string>{
      // required everywhere
      "debt", "collection", "debito", "recupero", "perint\xC3\xA4", "incasso", "velka", "schuld",
      // more of the same meaning
      "inkasso", "overdue", "arrears", "unpaid", "insolut", "maksamat", "achterstal",
      "perinn\xC3\xA4", "debiti"};
  return *kWords;
}

std::string FindRevealingWord(absl::string_view text) {
  const std::string folded = FoldCase(text);
  for (const std::string& word : RevealingWords()) {
    if (folded.find(word) != std::string::npos) return word;
  }
  return "";
}

absl::string_view Utf8Prefix(absl::string_view text, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) != 0x80) {  // a lead byte starts a character
      if (chars == max_chars) return text.substr(0, i);
      ++chars;
    }
  }
  return text;
}

size_t Utf8Length(absl::string_view text) {
  size_t chars = 0;
  for (char ch : text) {
    if ((static_cast<unsigned char>(ch) & 0xC0) != 0x80) ++chars;
  }
  return chars;
}

}  // namespace concerto::contact::internal
