#include "services/payment/statement/rf_reference.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace concerto::payment {
namespace {

// The shortest and longest normalized references: "RF" + 2 digits + 1..21 characters.
constexpr size_t kMinReferenceLength = 5;
constexpr size_t kMaxReferenceLength = 4 + kMaxCreditorReferencePayload;

bool IsUpperAlnum(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'); }

// Mod97 returns the ISO 7064 MOD 97-10 remainder of `text` with letters read as 10..35.
// Precondition: every character is 0-9 or A-Z.
int Mod97(absl::string_view text) {
  int remainder = 0;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      remainder = (remainder * 10 + (c - '0')) % 97;
    } else {
      remainder = (remainder * 100 + (c - 'A' + 10)) % 97;
    }
  }
  return remainder;
}

}  // namespace

std::string NormalizeReference(absl::string_view reference) {
  std::string out;
  out.reserve(reference.size());
  for (char c : reference) {
    if (c == ' ') continue;
    out.push_back(absl::ascii_toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

absl::StatusOr<std::string> MakeCreditorReference(absl::string_view payload) {
  const std::string normalized = NormalizeReference(payload);
  if (normalized.empty() || normalized.size() > kMaxCreditorReferencePayload) {
    return absl::InvalidArgumentError(absl::StrCat("creditor reference payload must have 1 to ",
                                                   kMaxCreditorReferencePayload,
                                                   " characters, got ", normalized.size()));
  }
  for (char c : normalized) {
    if (!IsUpperAlnum(c)) {
      return absl::InvalidArgumentError(
          "creditor reference payload may contain only letters A-Z and digits 0-9");
    }
  }
  const int check = 98 - Mod97(absl::StrCat(normalized, "RF00"));
  return absl::StrCat("RF", check / 10, check % 10, normalized);
}

bool IsValidCreditorReference(absl::string_view reference) {
  const std::string normalized = NormalizeReference(reference);
  if (normalized.size() < kMinReferenceLength || normalized.size() > kMaxReferenceLength) {
    return false;
  }
  if (normalized[0] != 'R' || normalized[1] != 'F') return false;
  if (!absl::ascii_isdigit(static_cast<unsigned char>(normalized[2])) ||
      !absl::ascii_isdigit(static_cast<unsigned char>(normalized[3]))) {
    return false;
  }
  for (char c : normalized) {
    if (!IsUpperAlnum(c)) return false;
  }
  // ISO 7064 MOD 97-10 check digits are 02..98: "RF01"/"RF00"/"RF99" would also pass the
  // remainder test below as aliases of "RF98"/"RF97"/"RF02".
  const int check = (normalized[2] - '0') * 10 + (normalized[3] - '0');
  if (check < 2 || check > 98) return false;
  // Move "RFcc" behind the payload; the whole must then be 1 mod 97.
  const absl::string_view view(normalized);
  return Mod97(absl::StrCat(view.substr(4), view.substr(0, 4))) == 1;
}

std::string FormatPrintable(absl::string_view reference) {
  const std::string normalized = NormalizeReference(reference);
  std::string out;
  out.reserve(normalized.size() + normalized.size() / 4);
  for (size_t i = 0; i < normalized.size(); ++i) {
    if (i > 0 && i % 4 == 0) out.push_back(' ');
    out.push_back(normalized[i]);
  }
  return out;
}

}  // namespace concerto::payment
