// The person key: how the contact-channel service recognises one person across creditors
// without storing who it is. It is a keyed BLAKE2b hash (libsodium, key from the deployment's
// secret) of one normalised contact point value, so the person ledger "person/<key>" holds for
// every tenant that collects from the same person, and the key reveals nothing without the
// secret (a plain hash of a phone number would be reversed by enumeration).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "concerto/invoice/v1/invoice_api.pb.h"

namespace concerto::contact {

// KeyedHasher hashes personal values with a secret key (BLAKE2b, libsodium crypto_generichash).
class KeyedHasher {
 public:
  // KeyedHasher derives its 32-byte key from `secret` (any length; never logged).
  explicit KeyedHasher(std::string_view secret);
  // Hex returns the first `bytes` bytes (1..32) of the keyed hash of `value`, in lower-case hex.
  std::string Hex(std::string_view value, size_t bytes = 16) const;

 private:
  std::array<unsigned char, 32> key_{};
};

// NormalizePhone keeps a leading '+' and the digits ("+39 06-1234 567" -> "+39061234567"); a
// leading "00" becomes '+'.
std::string NormalizePhone(std::string_view phone);
// NormalizeEmail trims and lower-cases an e-mail address.
std::string NormalizeEmail(std::string_view email);
// NormalizePostal joins lines, postal code, city and country upper-cased with single spaces.
std::string NormalizePostal(const invoice::v1::PostalAddress& address);

// PersonKeyOf is the person key of `debtor`: the hash of its first phone number (primary
// first), else of its first e-mail address, else of its postal address; without any contact
// point, a key of the debtor account itself ("<tenant>/<debtor_id>"), so caps still hold per
// account. Prefixed "p" (person) or "a" (account).
std::string PersonKeyOf(const invoice::v1::Debtor& debtor, const std::string& tenant,
                        const KeyedHasher& hasher);

// SelfServiceToken is the debtor's self-service link token: a keyed hash of the account, so a
// link cannot be guessed from a debtor id.
std::string SelfServiceToken(const std::string& tenant, const std::string& debtor_id,
                             const KeyedHasher& hasher);

}  // namespace concerto::contact
