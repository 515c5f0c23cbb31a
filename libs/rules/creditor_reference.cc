#include "libs/rules/creditor_reference.h"

#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/core/stable_hash.h"

namespace concerto::rules {
namespace {

__extension__ typedef unsigned __int128 Uint128;

// The shortest normalized reference: "RF" + 2 digits + 1 character.
constexpr size_t kMinReferenceLength = 5;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpperAlnum(char c) { return IsDigit(c) || (c >= 'A' && c <= 'Z'); }

// Mod97 returns the ISO 7064 MOD 97-10 remainder of `text` with letters read as 10..35.
// Precondition: every character is 0-9 or A-Z.
int Mod97(absl::string_view text) {
  int remainder = 0;
  for (char c : text) {
    if (IsDigit(c)) {
      remainder = (remainder * 10 + (c - '0')) % 97;
    } else {
      remainder = (remainder * 100 + (c - 'A' + 10)) % 97;
    }
  }
  return remainder;
}

// WithCheckDigits returns "RF" + check digits + payload. Precondition: `payload` is 1..21
// characters 0-9/A-Z.
std::string WithCheckDigits(absl::string_view payload) {
  const int check = 98 - Mod97(absl::StrCat(payload, "RF00"));
  return absl::StrCat("RF", check / 10, check % 10, payload);
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
  return WithCheckDigits(normalized);
}

bool IsValidCreditorReference(absl::string_view reference) {
  const std::string normalized = NormalizeReference(reference);
  if (normalized.size() < kMinReferenceLength || normalized.size() > kMaxCreditorReferenceLength) {
    return false;
  }
  if (normalized[0] != 'R' || normalized[1] != 'F') return false;
  if (!IsDigit(normalized[2]) || !IsDigit(normalized[3])) return false;
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

bool LooksLikeCreditorReference(absl::string_view text) {
  return text.size() >= 4 && absl::ascii_toupper(static_cast<unsigned char>(text[0])) == 'R' &&
         absl::ascii_toupper(static_cast<unsigned char>(text[1])) == 'F' && IsDigit(text[2]) &&
         IsDigit(text[3]);
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

std::string CreditorReferenceForInvoiceNumber(absl::string_view invoice_number) {
  std::string payload;
  for (char c : invoice_number) {
    const char u = absl::ascii_toupper(static_cast<unsigned char>(c));
    if (IsUpperAlnum(u)) payload += u;
  }
  if (payload.empty() || payload.size() > kMaxCreditorReferencePayload) {
    // Issued invoices carry this reference: the hash, its bytes and the base-36 digits must
    // never change.
    const core::Hash128 h =
        core::Murmur3x64_128(std::string_view(invoice_number.data(), invoice_number.size()));
    Uint128 v = (static_cast<Uint128>(h.hi) << 64) | h.lo;
    static constexpr char kBase36[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    payload.assign(kMaxCreditorReferencePayload, '0');
    for (size_t i = 0; i < kMaxCreditorReferencePayload; ++i) {
      payload[kMaxCreditorReferencePayload - 1 - i] = kBase36[static_cast<int>(v % 36)];
      v /= 36;
    }
  }
  return WithCheckDigits(payload);
}

}  // namespace concerto::rules
