#include "services/invoice/domain/payment_reference.h"

#include <cstdint>

#include "libs/core/stable_hash.h"

namespace concerto::invoice {
namespace {

__extension__ typedef unsigned __int128 Uint128;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
char Upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

// Mod97 is the ISO 7064 MOD 97-10 remainder of `text` with letters as two digits (A=10 .. Z=35).
int Mod97(std::string_view text) {
  int r = 0;
  for (char c : text) {
    if (IsDigit(c)) {
      r = (r * 10 + (c - '0')) % 97;
    } else {
      r = (r * 100 + (c - 'A' + 10)) % 97;
    }
  }
  return r;
}

}  // namespace

std::string RfReference(std::string_view payload) {
  const std::string rearranged = std::string(payload) + "RF00";
  const int check = 98 - Mod97(rearranged);
  std::string out = "RF";
  out += static_cast<char>('0' + check / 10);
  out += static_cast<char>('0' + check % 10);
  out += payload;
  return out;
}

std::string RfForInvoiceNumber(std::string_view invoice_number) {
  std::string payload;
  for (char c : invoice_number) {
    const char u = Upper(c);
    if (IsDigit(u) || IsUpper(u)) payload += u;
  }
  if (payload.empty() || payload.size() > kRfMaxPayload) {
    const core::Hash128 h = core::Murmur3x64_128(invoice_number);
    Uint128 v = (static_cast<Uint128>(h.hi) << 64) | h.lo;
    static constexpr char kBase36[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    payload.assign(kRfMaxPayload, '0');
    for (size_t i = 0; i < kRfMaxPayload; ++i) {
      payload[kRfMaxPayload - 1 - i] = kBase36[static_cast<int>(v % 36)];
      v /= 36;
    }
  }
  return RfReference(payload);
}

std::optional<std::string> NormalizeRf(std::string_view text) {
  std::string ref;
  for (char c : text) {
    if (c == ' ') continue;
    const char u = Upper(c);
    if (!IsDigit(u) && !IsUpper(u)) return std::nullopt;
    ref += u;
  }
  if (ref.size() < 5 || ref.size() > 4 + kRfMaxPayload || ref[0] != 'R' || ref[1] != 'F' ||
      !IsDigit(ref[2]) || !IsDigit(ref[3])) {
    return std::nullopt;
  }
  if (Mod97(ref.substr(4) + ref.substr(0, 4)) != 1) return std::nullopt;
  return ref;
}

bool LooksLikeRf(std::string_view text) {
  return text.size() >= 4 && Upper(text[0]) == 'R' && Upper(text[1]) == 'F' && IsDigit(text[2]) &&
         IsDigit(text[3]);
}

}  // namespace concerto::invoice
