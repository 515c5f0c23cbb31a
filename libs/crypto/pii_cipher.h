// Encryption of personal data at rest (DESIGN.md, "Personal data"): every debtor's personal
// fields are encrypted with the debtor's own data key, and that data key is stored only sealed by
// the deployment's master key. Destroying a debtor's sealed key makes every copy of its data
// unreadable (crypto-shredding). Both layers use libsodium's XChaCha20-Poly1305 (IETF AEAD) with a
// random 192-bit nonce, so nonces can be drawn at random without a counter.
//
//   MasterKey master = *LoadMasterKeyFile("/run/secrets/concerto-master-key");
//   DataKey key = GenerateDataKey();
//   std::string sealed = SealDataKey(master, key, "acme/D-17");      // store beside the debtor
//   std::string blob = Encrypt(key, personal_bytes, "acme/D-17");     // nonce || ciphertext
//   absl::StatusOr<std::string> clear = Decrypt(*OpenDataKey(master, sealed, "acme/D-17"),
//                                               blob, "acme/D-17");
//
// Associated data binds a ciphertext to its owner: a sealed key or a blob copied to another debtor
// does not open there. Error messages never contain key material or plaintext.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace concerto::crypto {

// kKeyBytes is the size of every key here (crypto_aead_xchacha20poly1305_ietf_KEYBYTES).
inline constexpr size_t kKeyBytes = 32;
// kNonceBytes is the random nonce that prefixes every ciphertext.
inline constexpr size_t kNonceBytes = 24;
// kTagBytes is the Poly1305 authentication tag appended to every ciphertext.
inline constexpr size_t kTagBytes = 16;
// kOverheadBytes is how much longer a ciphertext is than its plaintext.
inline constexpr size_t kOverheadBytes = kNonceBytes + kTagBytes;

// KeyMaterial is 32 secret bytes, wiped with sodium_memzero when destroyed or overwritten (a
// moved-from key is wiped too). The two key kinds derive from it so that a master key cannot be
// passed where a data key is expected.
class KeyMaterial {
 public:
  KeyMaterial(const KeyMaterial& other);
  KeyMaterial(KeyMaterial&& other) noexcept;
  KeyMaterial& operator=(const KeyMaterial& other);
  KeyMaterial& operator=(KeyMaterial&& other) noexcept;
  ~KeyMaterial();

  // data points at the kKeyBytes key bytes.
  const uint8_t* data() const { return bytes_.data(); }
  // size is kKeyBytes.
  static constexpr size_t size() { return kKeyBytes; }

 protected:
  KeyMaterial();  // all zero; filled by the factories
  uint8_t* mutable_data() { return bytes_.data(); }

 private:
  std::array<uint8_t, kKeyBytes> bytes_;
};

// MasterKey seals and opens data keys. It is supplied by the deployment (a file or an environment
// variable), never stored in the repository, an image or Redis.
class MasterKey final : public KeyMaterial {
 private:
  friend MasterKey GenerateMasterKey();
  friend absl::StatusOr<MasterKey> ParseMasterKey(std::string_view text);
  friend absl::StatusOr<MasterKey> LoadMasterKeyFile(const std::string& path);
  MasterKey() = default;
};

// DataKey encrypts one debtor's personal fields.
class DataKey final : public KeyMaterial {
 private:
  friend DataKey GenerateDataKey();
  friend absl::StatusOr<DataKey> OpenDataKey(const MasterKey& master, std::string_view sealed,
                                             std::string_view debtor_key);
  DataKey() = default;
};

// InitSodium runs sodium_init exactly once (thread-safe). Every function here calls it; a service
// may call it at start to fail early. INTERNAL when libsodium cannot initialise (no entropy).
absl::Status InitSodium();

// GenerateMasterKey draws a new random master key (for `concertoctl`-style key generation).
MasterKey GenerateMasterKey();

// ParseMasterKey reads a master key written as text: 64 hex digits or standard base64 (with or
// without '=' padding); surrounding whitespace is ignored. INVALID_ARGUMENT otherwise (the message
// never echoes the text).
absl::StatusOr<MasterKey> ParseMasterKey(std::string_view text);

// LoadMasterKeyFile reads a master key file: exactly 32 raw bytes, or the text ParseMasterKey
// accepts. NOT_FOUND / PERMISSION_DENIED when it cannot be read; INVALID_ARGUMENT naming the path
// when its content is not a key. The read buffer is wiped.
absl::StatusOr<MasterKey> LoadMasterKeyFile(const std::string& path);

// MasterKeyToBase64 renders a key as the base64 text ParseMasterKey reads (to write a new key
// file).
std::string MasterKeyToBase64(const MasterKey& key);

// GenerateDataKey draws a new random data key for one debtor.
DataKey GenerateDataKey();

// SealDataKey encrypts `data_key` under `master`, bound to `debtor_key` ("<tenant>/<debtor_id>")
// as associated data. Returns nonce || ciphertext (kKeyBytes + kOverheadBytes bytes).
std::string SealDataKey(const MasterKey& master, const DataKey& data_key,
                        std::string_view debtor_key);

// OpenDataKey reverses SealDataKey. PERMISSION_DENIED when it does not authenticate (another
// master key, another debtor, or altered bytes); DATA_LOSS when it has the wrong length.
absl::StatusOr<DataKey> OpenDataKey(const MasterKey& master, std::string_view sealed,
                                    std::string_view debtor_key);

// Encrypt encrypts `plaintext` with `key`, authenticating `associated_data` too (which is not
// stored: the same bytes must be given to Decrypt). Returns nonce || ciphertext.
std::string Encrypt(const DataKey& key, std::string_view plaintext,
                    std::string_view associated_data);

// Decrypt reverses Encrypt. DATA_LOSS when the input is too short to be a ciphertext or does not
// authenticate (another key, other associated data, or altered bytes); the plaintext of a failed
// decryption is wiped and never returned.
absl::StatusOr<std::string> Decrypt(const DataKey& key, std::string_view ciphertext,
                                    std::string_view associated_data);

}  // namespace concerto::crypto
