#include "libs/crypto/pii_cipher.h"

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace concerto::crypto {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kDebtor[] = "acme/D-17";
constexpr char kPersonal[] = "Zebulon Quixote, zebulon.quixote@example.test, +390612345678";

std::string Hex(const KeyMaterial& key) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < key.size(); ++i) {
    out += kDigits[key.data()[i] >> 4];
    out += kDigits[key.data()[i] & 15];
  }
  return out;
}

std::string Raw(const KeyMaterial& key) {
  return std::string(reinterpret_cast<const char*>(key.data()), key.size());
}

TEST(PiiCipher, RoundTripAndCiphertextDoesNotContainThePlaintext) {
  const DataKey key = GenerateDataKey();
  const std::string blob = Encrypt(key, kPersonal, kDebtor);
  EXPECT_EQ(blob.size(), std::string(kPersonal).size() + kOverheadBytes);
  EXPECT_THAT(blob, Not(HasSubstr("Zebulon")));
  EXPECT_THAT(blob, Not(HasSubstr("example.test")));
  EXPECT_THAT(blob, Not(HasSubstr("+3906")));
  absl::StatusOr<std::string> clear = Decrypt(key, blob, kDebtor);
  ASSERT_TRUE(clear.ok()) << clear.status();
  EXPECT_EQ(*clear, kPersonal);
}

TEST(PiiCipher, EmptyPlaintextRoundTrips) {
  const DataKey key = GenerateDataKey();
  const std::string blob = Encrypt(key, "", kDebtor);
  EXPECT_EQ(blob.size(), kOverheadBytes);
  absl::StatusOr<std::string> clear = Decrypt(key, blob, kDebtor);
  ASSERT_TRUE(clear.ok()) << clear.status();
  EXPECT_EQ(*clear, "");
}

TEST(PiiCipher, SameInputEncryptsDifferentlyEachTime) {
  const DataKey key = GenerateDataKey();
  EXPECT_NE(Encrypt(key, kPersonal, kDebtor), Encrypt(key, kPersonal, kDebtor));
}

TEST(PiiCipher, WrongKeyFailsWithDataLossAndNoPlaintext) {
  const DataKey key = GenerateDataKey();
  const DataKey other = GenerateDataKey();
  absl::StatusOr<std::string> clear = Decrypt(other, Encrypt(key, kPersonal, kDebtor), kDebtor);
  ASSERT_FALSE(clear.ok());
  EXPECT_EQ(clear.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(clear.status().message(), HasSubstr("does not authenticate"));
  EXPECT_THAT(std::string(clear.status().message()), Not(HasSubstr("Zebulon")));
}

TEST(PiiCipher, EveryTamperedByteFails) {
  const DataKey key = GenerateDataKey();
  const std::string blob = Encrypt(key, kPersonal, kDebtor);
  for (size_t i = 0; i < blob.size(); ++i) {
    std::string bad = blob;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    absl::StatusOr<std::string> clear = Decrypt(key, bad, kDebtor);
    ASSERT_FALSE(clear.ok()) << "byte " << i;
    EXPECT_EQ(clear.status().code(), absl::StatusCode::kDataLoss);
  }
  // Truncated and extended blobs fail too.
  EXPECT_FALSE(Decrypt(key, blob.substr(0, blob.size() - 1), kDebtor).ok());
  EXPECT_FALSE(Decrypt(key, blob + "x", kDebtor).ok());
  absl::StatusOr<std::string> short_blob = Decrypt(key, blob.substr(0, 10), kDebtor);
  ASSERT_FALSE(short_blob.ok());
  EXPECT_EQ(short_blob.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(short_blob.status().message(), HasSubstr("shorter than"));
}

TEST(PiiCipher, AssociatedDataIsBound) {
  const DataKey key = GenerateDataKey();
  const std::string blob = Encrypt(key, kPersonal, kDebtor);
  EXPECT_FALSE(Decrypt(key, blob, "acme/D-18").ok());
  EXPECT_FALSE(Decrypt(key, blob, "").ok());
  EXPECT_TRUE(Decrypt(key, blob, kDebtor).ok());
}

TEST(PiiCipher, SealedKeyOpensOnlyForItsDebtorAndMasterKey) {
  const MasterKey master = GenerateMasterKey();
  const DataKey key = GenerateDataKey();
  const std::string sealed = SealDataKey(master, key, kDebtor);
  EXPECT_EQ(sealed.size(), kKeyBytes + kOverheadBytes);
  EXPECT_THAT(sealed, Not(HasSubstr(Raw(key))));

  absl::StatusOr<DataKey> opened = OpenDataKey(master, sealed, kDebtor);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(Hex(*opened), Hex(key));
  // The opened key decrypts what the original encrypted.
  absl::StatusOr<std::string> clear = Decrypt(*opened, Encrypt(key, kPersonal, kDebtor), kDebtor);
  ASSERT_TRUE(clear.ok());
  EXPECT_EQ(*clear, kPersonal);

  absl::StatusOr<DataKey> moved = OpenDataKey(master, sealed, "acme/D-18");
  ASSERT_FALSE(moved.ok());
  EXPECT_EQ(moved.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(moved.status().message(), HasSubstr("another debtor"));

  absl::StatusOr<DataKey> other_master = OpenDataKey(GenerateMasterKey(), sealed, kDebtor);
  ASSERT_FALSE(other_master.ok());
  EXPECT_EQ(other_master.status().code(), absl::StatusCode::kPermissionDenied);

  std::string tampered = sealed;
  tampered[kNonceBytes + 3] ^= 0x40;
  EXPECT_EQ(OpenDataKey(master, tampered, kDebtor).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(OpenDataKey(master, sealed.substr(1), kDebtor).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(PiiCipher, MasterKeyTextFormsParse) {
  const MasterKey master = GenerateMasterKey();
  const std::string b64 = MasterKeyToBase64(master);
  EXPECT_EQ(b64.size(), 44u);

  absl::StatusOr<MasterKey> from_b64 = ParseMasterKey("  " + b64 + "\n");
  ASSERT_TRUE(from_b64.ok()) << from_b64.status();
  EXPECT_EQ(Hex(*from_b64), Hex(master));

  absl::StatusOr<MasterKey> unpadded = ParseMasterKey(b64.substr(0, 43));
  ASSERT_TRUE(unpadded.ok()) << unpadded.status();
  EXPECT_EQ(Hex(*unpadded), Hex(master));

  absl::StatusOr<MasterKey> from_hex = ParseMasterKey(Hex(master));
  ASSERT_TRUE(from_hex.ok()) << from_hex.status();
  EXPECT_EQ(Hex(*from_hex), Hex(master));

  for (const std::string& bad : {std::string(""), std::string("abc"), Hex(master).substr(2),
                                 Hex(master) + "00", std::string(64, 'g'), b64.substr(4)}) {
    absl::StatusOr<MasterKey> k = ParseMasterKey(bad);
    ASSERT_FALSE(k.ok()) << bad;
    EXPECT_EQ(k.status().code(), absl::StatusCode::kInvalidArgument);
    if (!bad.empty()) {
      EXPECT_THAT(std::string(k.status().message()), Not(HasSubstr(bad)));
    }
  }
}

TEST(PiiCipher, MasterKeyFileRawOrText) {
  const MasterKey master = GenerateMasterKey();
  const std::string dir = ::testing::TempDir();
  const std::string raw_path = dir + "/concerto_master_raw.key";
  const std::string text_path = dir + "/concerto_master_text.key";
  const std::string junk_path = dir + "/concerto_master_junk.key";
  auto write = [](const std::string& path, const std::string& content) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fwrite(content.data(), 1, content.size(), f);
    std::fclose(f);
  };
  write(raw_path, Raw(master));
  write(text_path, MasterKeyToBase64(master) + "\n");
  write(junk_path, "not a key at all\n");

  absl::StatusOr<MasterKey> raw = LoadMasterKeyFile(raw_path);
  ASSERT_TRUE(raw.ok()) << raw.status();
  EXPECT_EQ(Hex(*raw), Hex(master));
  absl::StatusOr<MasterKey> text = LoadMasterKeyFile(text_path);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(Hex(*text), Hex(master));

  absl::StatusOr<MasterKey> junk = LoadMasterKeyFile(junk_path);
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(junk.status().message(), HasSubstr(junk_path));
  EXPECT_EQ(LoadMasterKeyFile(dir + "/does-not-exist.key").status().code(),
            absl::StatusCode::kNotFound);
  std::remove(raw_path.c_str());
  std::remove(text_path.c_str());
  std::remove(junk_path.c_str());
}

TEST(PiiCipher, MovedFromKeyIsWiped) {
  DataKey key = GenerateDataKey();
  const std::string before = Hex(key);
  DataKey moved = std::move(key);
  EXPECT_EQ(Hex(moved), before);
  EXPECT_EQ(Hex(key), std::string(64, '0'));  // NOLINT(bugprone-use-after-move): checks the wipe
}

TEST(PiiCipher, InitIsSafeFromManyThreads) {
  std::vector<std::thread> threads;
  std::vector<int> ok(8, 0);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&ok, i] {
      ok[i] = InitSodium().ok();
      const DataKey key = GenerateDataKey();
      ok[i] &= Decrypt(key, Encrypt(key, "x", "ad"), "ad").ok();
    });
  }
  for (auto& t : threads) t.join();
  for (int v : ok) EXPECT_EQ(v, 1);
}

}  // namespace
}  // namespace concerto::crypto
