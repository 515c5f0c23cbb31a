// Personal data at rest for the invoice service (DESIGN.md, "Personal data"): the master key, the
// per-debtor data keys and the encryption of a Debtor's personal part.
//
//   - Master key: supplied by the deployment (--pii-master-key-file, or CONCERTO_PII_MASTER_KEY
//     holding base64 or hex). Only for local runs and demos, when neither is given and
//     --pii-dev-key is on (the default), a key is generated once into the Redis key
//     "invoice:master-key-dev" and shared by every instance — with a warning in the log, because
//     a master key stored beside the data it protects is no protection.
//   - Data keys: one per debtor account, random, stored only sealed by the master key in the
//     Redis hash "invoice:{<shard>}:keys" (field: the account key "<tenant>/<debtor_id>"; the
//     hash tag is the account's shard, so it sits on the same Redis Cluster slot as the account),
//     apart from the state, the outbox and the processed results. Created with HSETNX and read
//     back, so two instances creating a debtor's key at once end up using the same one.
//   - Erasure destroys the sealed data key (HDEL): every copy of the ciphertext — in the state,
//     in stored command results, in backups and replicas — becomes unreadable.
// Nothing here logs or returns key material or plaintext in a Status message.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "concerto/invoice/v1/invoice_api.pb.h"
#include "libs/crypto/pii_cipher.h"
#include "libs/platform/redis/redis_client.h"

namespace concerto::invoice {

// kDevMasterKeyRedisKey holds the generated development master key (base64).
inline constexpr char kDevMasterKeyRedisKey[] = "invoice:master-key-dev";
// kMasterKeyEnv is the environment variable that may hold the master key as text.
inline constexpr char kMasterKeyEnv[] = "CONCERTO_PII_MASTER_KEY";

// MasterKeySource says where the master key comes from (first match wins).
struct MasterKeySource {
  std::string file;                               // --pii-master-key-file
  std::string text;                               // CONCERTO_PII_MASTER_KEY (base64 or hex)
  bool allow_dev_key = true;                      // --pii-dev-key
  platform::redis::RedisClient* redis = nullptr;  // for the development key
};

// LoadedMasterKey is the key and whether it is the development key.
struct LoadedMasterKey {
  crypto::MasterKey key;
  bool development = false;
};

// LoadMasterKey reads the master key from the file, else the text, else (allow_dev_key) the
// development key in Redis, generating it with SET NX when absent. FAILED_PRECONDITION when no
// source applies; the errors of LoadMasterKeyFile / ParseMasterKey otherwise (never echoing a key).
absl::StatusOr<LoadedMasterKey> LoadMasterKey(const MasterKeySource& source);

// KeyStore keeps the sealed per-debtor data keys in Redis. Thread-safe (one connection, which
// serializes its commands).
class KeyStore {
 public:
  // `shards` must be the processor's shard count (the hash tag of a debtor's keys).
  KeyStore(std::unique_ptr<platform::redis::RedisClient> client, crypto::MasterKey master,
           int shards);

  // HashKey is the Redis hash of shard `shard`: "invoice:{<shard>}:keys".
  static std::string HashKey(int shard);

  // GetOrCreate returns the debtor's data key, creating and storing it (HSETNX, then read back)
  // when there is none. UNAVAILABLE when Redis cannot be reached; PERMISSION_DENIED when the
  // stored key does not open with this master key.
  absl::StatusOr<crypto::DataKey> GetOrCreate(const std::string& account_key);

  // Find returns the debtor's data key, nullopt when there is none (never created, or destroyed
  // by an erasure).
  absl::StatusOr<std::optional<crypto::DataKey>> Find(const std::string& account_key);

  // Destroy deletes the sealed data key (crypto-shredding). Deleting a missing key is OK.
  absl::Status Destroy(const std::string& account_key);

 private:
  std::string HashOf(const std::string& account_key) const;

  std::unique_ptr<platform::redis::RedisClient> client_;
  const crypto::MasterKey master_;
  const int shards_;
};

// EncryptPersonal serializes and encrypts a Debtor's personal part (domain PersonalPartOf) with
// the debtor's data key, bound to the account key.
std::string EncryptPersonal(const crypto::DataKey& key, const std::string& account_key,
                            const v1::Debtor& personal);

// DecryptPersonal reverses EncryptPersonal; DATA_LOSS when it does not authenticate or decode.
absl::StatusOr<v1::Debtor> DecryptPersonal(const crypto::DataKey& key,
                                           const std::string& account_key, std::string_view blob);

}  // namespace concerto::invoice
