// Neutral-wording checks for what third parties may see (private to templates/): an e-mail
// subject, an SMS (its lock-screen preview first of all) and the envelope window must not reveal
// that the recipient owes money (Italian privacy regulator, 30 Nov 2005; FCA CONC 7; Reg F).
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace concerto::contact::internal {

// RevealingWords lists the lower-case stems that reveal a debt or its collection, in it, en,
// fi, nl (and de/sv "inkasso"): "debt", "collection", "debito", "recupero", "perintä", "incasso",
// "velka", "schuld", and a few more.
const std::vector<std::string>& RevealingWords();

// FindRevealingWord returns the first stem of RevealingWords() that `text` contains, matching
// case-insensitively (ASCII and Ä/Ö/Å), or "" when the text is neutral.
std::string FindRevealingWord(absl::string_view text);

// Utf8Prefix returns the first `max_chars` UTF-8 characters of `text`.
absl::string_view Utf8Prefix(absl::string_view text, size_t max_chars);

// Utf8Length counts the UTF-8 characters (code points) of `text`.
size_t Utf8Length(absl::string_view text);

}  // namespace concerto::contact::internal
