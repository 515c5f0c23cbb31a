#include "services/payment/statement/matching.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "libs/rules/creditor_reference.h"

namespace concerto::payment {
namespace {

// Tokens splits free text into candidate references.
std::vector<absl::string_view> Tokens(absl::string_view text) {
  std::vector<absl::string_view> tokens;
  for (absl::string_view token :
       absl::StrSplit(text, absl::ByAnyChar(" \t\r\n,;:()[]\"'"), absl::SkipEmpty())) {
    while (!token.empty() && token.back() == '.') token.remove_suffix(1);
    if (!token.empty()) tokens.push_back(token);
  }
  return tokens;
}

// IsPrintedGroup says whether `token` can be a group of a printed reference (1..4 A-Z/0-9).
bool IsPrintedGroup(absl::string_view token) {
  if (token.empty() || token.size() > 4) return false;
  for (char c : token) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// FindCreditorReference returns the first valid RF reference in `tokens`, either whole
// ("RF18539007547034") or printed in groups of four ("RF18 5390 0754 7034": the longest valid
// run of full groups, optionally ended by one shorter group).
std::string FindCreditorReference(const std::vector<absl::string_view>& tokens) {
  for (size_t i = 0; i < tokens.size(); ++i) {
    const absl::string_view head = tokens[i];
    if (!absl::StartsWithIgnoreCase(head, "RF")) continue;
    if (head.size() > 4) {
      if (rules::IsValidCreditorReference(head)) return rules::NormalizeReference(head);
      continue;
    }
    if (head.size() != 4) continue;
    std::string candidate(head);
    std::string longest_valid;
    for (size_t j = i + 1; j < tokens.size() && IsPrintedGroup(tokens[j]); ++j) {
      candidate.append(tokens[j].data(), tokens[j].size());
      if (candidate.size() > rules::kMaxCreditorReferenceLength) break;
      if (rules::IsValidCreditorReference(candidate)) longest_valid = candidate;
      if (tokens[j].size() < 4) break;  // a shorter group ends the reference
    }
    if (!longest_valid.empty()) return rules::NormalizeReference(longest_valid);
  }
  return "";
}

}  // namespace

MatchKey ClassifyReference(const StatementEntry& entry,
                           const IsKnownInvoiceNumber& is_known_invoice_number) {
  const absl::string_view structured = absl::StripAsciiWhitespace(entry.structured_reference);
  if (rules::IsValidCreditorReference(structured)) {
    return MatchKey{MatchKind::kCreditorReference, rules::NormalizeReference(structured)};
  }
  const std::vector<absl::string_view> tokens = Tokens(entry.remittance_info);
  if (std::string reference = FindCreditorReference(tokens); !reference.empty()) {
    return MatchKey{MatchKind::kCreditorReference, std::move(reference)};
  }
  if (!is_known_invoice_number) return MatchKey{};
  if (!structured.empty() && is_known_invoice_number(structured)) {
    return MatchKey{MatchKind::kInvoiceNumber, std::string(structured)};
  }
  for (absl::string_view token : tokens) {
    if (is_known_invoice_number(token)) {
      return MatchKey{MatchKind::kInvoiceNumber, std::string(token)};
    }
  }
  return MatchKey{};
}

}  // namespace concerto::payment
