#include "services/contact_channel/app/person_key.h"

#include <sodium.h>

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace concerto::contact {

KeyedHasher::KeyedHasher(std::string_view secret) {
  if (sodium_init() < 0) {
    // Hashing without libsodium is not possible; crypto_generichash works without init on every
    // supported platform, sodium_init only picks faster implementations.
  }
  crypto_generichash(key_.data(), key_.size(), reinterpret_cast<const unsigned char*>(secret.data()),
                     secret.size(), nullptr, 0);
}

std::string KeyedHasher::Hex(std::string_view value, size_t bytes) const {
  bytes = std::clamp<size_t>(bytes, crypto_generichash_BYTES_MIN, crypto_generichash_BYTES_MAX);
  std::vector<unsigned char> out(bytes);
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(value.data()),
                     value.size(), key_.data(), key_.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes * 2);
  for (unsigned char c : out) {
    hex.push_back(kHex[c >> 4]);
    hex.push_back(kHex[c & 15]);
  }
  return hex;
}

std::string NormalizePhone(std::string_view phone) {
  std::string out;
  for (char c : phone) {
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) out.push_back(c);
    if (c == '+' && out.empty()) out.push_back(c);
  }
  if (out.size() > 2 && out[0] == '0' && out[1] == '0') out = "+" + out.substr(2);
  return out;
}

std::string NormalizeEmail(std::string_view email) {
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(absl::string_view(email.data(), email.size())));
}

std::string NormalizePostal(const invoice::v1::PostalAddress& a) {
  std::vector<std::string> parts(a.lines().begin(), a.lines().end());
  parts.push_back(a.postal_code());
  parts.push_back(a.city());
  parts.push_back(a.country());
  std::string joined = absl::AsciiStrToUpper(absl::StrJoin(parts, " "));
  std::string out;
  for (char c : joined) {
    const bool space = absl::ascii_isspace(static_cast<unsigned char>(c)) || c == ',';
    if (space) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string PersonKeyOf(const invoice::v1::Debtor& debtor, const std::string& tenant,
                        const KeyedHasher& hasher) {
  using invoice::v1::ContactPoint;
  std::vector<const ContactPoint*> points;
  for (const ContactPoint& cp : debtor.contact_points()) points.push_back(&cp);
  std::stable_sort(points.begin(), points.end(), [](const ContactPoint* a, const ContactPoint* b) {
    return a->primary() && !b->primary();
  });
  for (ContactPoint::ValueCase kind :
       {ContactPoint::kPhone, ContactPoint::kEmail, ContactPoint::kPostal}) {
    for (const ContactPoint* cp : points) {
      if (cp->value_case() != kind) continue;
      std::string normalized;
      switch (kind) {
        case ContactPoint::kPhone:
          normalized = absl::StrCat("tel:", NormalizePhone(cp->phone()));
          break;
        case ContactPoint::kEmail:
          normalized = absl::StrCat("mailto:", NormalizeEmail(cp->email()));
          break;
        default:
          normalized = absl::StrCat("post:", NormalizePostal(cp->postal()));
          break;
      }
      if (normalized.size() > 8) return absl::StrCat("p", hasher.Hex(normalized));
    }
  }
  return absl::StrCat("a", hasher.Hex(absl::StrCat("account:", tenant, "/", debtor.debtor_id())));
}

std::string SelfServiceToken(const std::string& tenant, const std::string& debtor_id,
                             const KeyedHasher& hasher) {
  return hasher.Hex(absl::StrCat("self-service:", tenant, "/", debtor_id), 12);
}

}  // namespace concerto::contact
