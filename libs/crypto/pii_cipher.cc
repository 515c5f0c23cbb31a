#include "libs/crypto/pii_cipher.h"

#include <sodium.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace concerto::crypto {
namespace {

static_assert(kKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(kNonceBytes == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(kTagBytes == crypto_aead_xchacha20poly1305_ietf_ABYTES);

// RequireSodium is for the functions that cannot report an error (key generation, encryption):
// without an initialised libsodium there is no safe randomness, so nothing may continue.
void RequireSodium() {
  if (!InitSodium().ok()) {
    std::fputs("concerto::crypto: sodium_init failed; refusing to run without a CSPRNG\n", stderr);
    std::abort();
  }
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Seal is the one AEAD construction used for both layers: nonce || ciphertext.
std::string Seal(const uint8_t* key, std::string_view plaintext, std::string_view ad) {
  RequireSodium();
  std::string out(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(nonce, kNonceBytes);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + kNonceBytes, &written, Bytes(plaintext),
                                             plaintext.size(), Bytes(ad), ad.size(), nullptr, nonce,
                                             key);
  out.resize(kNonceBytes + static_cast<size_t>(written));
  return out;
}

// Open reverses Seal into `out` (resized to the plaintext); false when it does not authenticate,
// in which case `out` holds no plaintext.
bool Open(const uint8_t* key, std::string_view sealed, std::string_view ad, std::string* out) {
  RequireSodium();
  const auto* nonce = Bytes(sealed);
  const size_t body = sealed.size() - kNonceBytes;
  out->assign(body - kTagBytes, '\0');
  unsigned long long written = 0;
  const int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
      reinterpret_cast<unsigned char*>(out->data()), &written, nullptr, nonce + kNonceBytes, body,
      Bytes(ad), ad.size(), nonce, key);
  if (rc != 0) {
    sodium_memzero(out->data(), out->size());
    out->clear();
    return false;
  }
  out->resize(static_cast<size_t>(written));
  return true;
}

// Wipe zeroes a string that held secret bytes before it is released.
void Wipe(std::string* s) {
  if (!s->empty()) sodium_memzero(s->data(), s->size());
  s->clear();
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// DecodeKeyText decodes 64 hex digits or base64 of 32 bytes into `out`.
bool DecodeKeyText(std::string_view text, uint8_t* out) {
  size_t len = 0;
  const char* end = nullptr;
  if (text.size() == 2 * kKeyBytes) {
    return sodium_hex2bin(out, kKeyBytes, text.data(), text.size(), nullptr, &len, &end) == 0 &&
           len == kKeyBytes && end == text.data() + text.size();
  }
  for (int variant : {sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING}) {
    len = 0;
    end = nullptr;
    if (sodium_base642bin(out, kKeyBytes, text.data(), text.size(), nullptr, &len, &end, variant) ==
            0 &&
        len == kKeyBytes && end == text.data() + text.size()) {
      return true;
    }
  }
  sodium_memzero(out, kKeyBytes);
  return false;
}

}  // namespace

KeyMaterial::KeyMaterial() { bytes_.fill(0); }

KeyMaterial::KeyMaterial(const KeyMaterial& other) : bytes_(other.bytes_) {}

KeyMaterial::KeyMaterial(KeyMaterial&& other) noexcept : bytes_(other.bytes_) {
  sodium_memzero(other.bytes_.data(), other.bytes_.size());
}

KeyMaterial& KeyMaterial::operator=(const KeyMaterial& other) {
  bytes_ = other.bytes_;
  return *this;
}

KeyMaterial& KeyMaterial::operator=(KeyMaterial&& other) noexcept {
  if (this != &other) {
    bytes_ = other.bytes_;
    sodium_memzero(other.bytes_.data(), other.bytes_.size());
  }
  return *this;
}

KeyMaterial::~KeyMaterial() { sodium_memzero(bytes_.data(), bytes_.size()); }

absl::Status InitSodium() {
  // A function-local static is initialised exactly once even under concurrent first calls.
  static const bool ok = sodium_init() >= 0;
  if (!ok) return absl::InternalError("libsodium: sodium_init failed");
  return absl::OkStatus();
}

MasterKey GenerateMasterKey() {
  RequireSodium();
  MasterKey key;
  crypto_aead_xchacha20poly1305_ietf_keygen(key.mutable_data());
  return key;
}

absl::StatusOr<MasterKey> ParseMasterKey(std::string_view text) {
  RequireSodium();
  MasterKey key;
  if (!DecodeKeyText(Trim(text), key.mutable_data())) {
    return absl::InvalidArgumentError("master key: expected 64 hex digits or base64 of 32 bytes");
  }
  return key;
}

absl::StatusOr<MasterKey> LoadMasterKeyFile(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    const int err = errno;
    const std::string why = absl::StrCat("master key file ", path, ": ", std::strerror(err));
    if (err == ENOENT) return absl::NotFoundError(why);
    if (err == EACCES || err == EPERM) return absl::PermissionDeniedError(why);
    return absl::FailedPreconditionError(why);
  }
  // A key file is tiny; anything much larger is not a key and is not read in full.
  std::string content(256, '\0');
  const size_t n = std::fread(content.data(), 1, content.size(), f);
  const bool read_error = std::ferror(f) != 0;
  std::fclose(f);
  content.resize(n);
  if (read_error) {
    Wipe(&content);
    return absl::FailedPreconditionError(absl::StrCat("master key file ", path, ": read error"));
  }
  absl::StatusOr<MasterKey> key = absl::InvalidArgumentError("");
  if (content.size() == kKeyBytes) {
    MasterKey raw;
    std::memcpy(raw.mutable_data(), content.data(), kKeyBytes);
    key = std::move(raw);
  } else if (content.size() < 200) {
    key = ParseMasterKey(content);
  }
  Wipe(&content);
  if (!key.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "master key file ", path, ": expected 32 raw bytes, 64 hex digits or base64 of 32 bytes"));
  }
  return key;
}

std::string MasterKeyToBase64(const MasterKey& key) {
  RequireSodium();
  std::string out(sodium_base64_ENCODED_LEN(kKeyBytes, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), key.data(), kKeyBytes, sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

DataKey GenerateDataKey() {
  RequireSodium();
  DataKey key;
  crypto_aead_xchacha20poly1305_ietf_keygen(key.mutable_data());
  return key;
}

std::string SealDataKey(const MasterKey& master, const DataKey& data_key,
                        std::string_view debtor_key) {
  return Seal(master.data(),
              std::string_view(reinterpret_cast<const char*>(data_key.data()), kKeyBytes),
              debtor_key);
}

absl::StatusOr<DataKey> OpenDataKey(const MasterKey& master, std::string_view sealed,
                                    std::string_view debtor_key) {
  if (sealed.size() != kKeyBytes + kOverheadBytes) {
    return absl::DataLossError(absl::StrCat("sealed data key: ", sealed.size(), " bytes, expected ",
                                            kKeyBytes + kOverheadBytes));
  }
  std::string clear;
  if (!Open(master.data(), sealed, debtor_key, &clear) || clear.size() != kKeyBytes) {
    Wipe(&clear);
    return absl::PermissionDeniedError(
        "sealed data key: does not open with this master key for this debtor (wrong master key, "
        "another debtor's key, or altered bytes)");
  }
  DataKey key;
  std::memcpy(key.mutable_data(), clear.data(), kKeyBytes);
  Wipe(&clear);
  return key;
}

std::string Encrypt(const DataKey& key, std::string_view plaintext,
                    std::string_view associated_data) {
  return Seal(key.data(), plaintext, associated_data);
}

absl::StatusOr<std::string> Decrypt(const DataKey& key, std::string_view ciphertext,
                                    std::string_view associated_data) {
  if (ciphertext.size() < kOverheadBytes) {
    return absl::DataLossError(absl::StrCat("ciphertext: ", ciphertext.size(),
                                            " bytes, shorter than the ", kOverheadBytes,
                                            " bytes of nonce and tag"));
  }
  std::string clear;
  if (!Open(key.data(), ciphertext, associated_data, &clear)) {
    return absl::DataLossError(
        "ciphertext: does not authenticate (wrong data key, other associated data, or altered "
        "bytes)");
  }
  return clear;
}

}  // namespace concerto::crypto
