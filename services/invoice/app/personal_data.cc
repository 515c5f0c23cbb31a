#include "services/invoice/app/personal_data.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/core/stable_hash.h"

namespace concerto::invoice {
namespace {

using platform::redis::Reply;

absl::Status RedisError(const Reply& r, const char* what) {
  // Redis error replies name the command, never our values.
  return absl::UnavailableError(absl::StrCat("key store: ", what, ": ", r.str));
}

absl::StatusOr<crypto::MasterKey> DevMasterKey(platform::redis::RedisClient* redis) {
  if (redis == nullptr) {
    return absl::FailedPreconditionError("pii master key: no Redis for the development key");
  }
  const std::string fresh = crypto::MasterKeyToBase64(crypto::GenerateMasterKey());
  absl::StatusOr<Reply> set = redis->Command({"SET", kDevMasterKeyRedisKey, fresh, "NX"});
  if (!set.ok()) return set.status();
  if (set->IsError()) return RedisError(*set, "SET NX of the development master key");
  absl::StatusOr<Reply> get = redis->Command({"GET", kDevMasterKeyRedisKey});
  if (!get.ok()) return get.status();
  if (get->type != Reply::Type::kString) {
    return absl::UnavailableError("pii master key: the development key could not be read back");
  }
  return crypto::ParseMasterKey(get->str);
}

}  // namespace

absl::StatusOr<LoadedMasterKey> LoadMasterKey(const MasterKeySource& source) {
  if (!source.file.empty()) {
    absl::StatusOr<crypto::MasterKey> key = crypto::LoadMasterKeyFile(source.file);
    if (!key.ok()) return key.status();
    return LoadedMasterKey{*std::move(key), false};
  }
  if (!source.text.empty()) {
    absl::StatusOr<crypto::MasterKey> key = crypto::ParseMasterKey(source.text);
    if (!key.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(kMasterKeyEnv, ": not a master key (64 hex digits or base64 of 32 bytes)"));
    }
    return LoadedMasterKey{*std::move(key), false};
  }
  if (!source.allow_dev_key) {
    return absl::FailedPreconditionError(
        absl::StrCat("pii master key: none given; set --pii-master-key-file or ", kMasterKeyEnv,
                     " (or --pii-dev-key=true for a local development key)"));
  }
  absl::StatusOr<crypto::MasterKey> key = DevMasterKey(source.redis);
  if (!key.ok()) return key.status();
  return LoadedMasterKey{*std::move(key), true};
}

KeyStore::KeyStore(std::unique_ptr<platform::redis::RedisClient> client, crypto::MasterKey master,
                   int shards)
    : client_(std::move(client)), master_(std::move(master)), shards_(shards > 0 ? shards : 1) {}

std::string KeyStore::HashKey(int shard) { return absl::StrCat("invoice:{", shard, "}:keys"); }

std::string KeyStore::HashOf(const std::string& account_key) const {
  return HashKey(core::KafkaPartitionOf(account_key, shards_));
}

absl::StatusOr<crypto::DataKey> KeyStore::GetOrCreate(const std::string& account_key) {
  const std::string hash = HashOf(account_key);
  const std::string sealed = crypto::SealDataKey(master_, crypto::GenerateDataKey(), account_key);
  absl::StatusOr<std::vector<Reply>> replies =
      client_->Pipeline({{"HSETNX", hash, account_key, sealed}, {"HGET", hash, account_key}});
  if (!replies.ok()) return replies.status();
  if ((*replies)[0].IsError()) return RedisError((*replies)[0], "HSETNX");
  const Reply& stored = (*replies)[1];
  if (stored.IsError()) return RedisError(stored, "HGET");
  if (stored.type != Reply::Type::kString) {
    // Destroyed between the two commands by an erasure: the caller retries.
    return absl::UnavailableError("key store: the data key vanished while it was created");
  }
  return crypto::OpenDataKey(master_, stored.str, account_key);
}

absl::StatusOr<std::optional<crypto::DataKey>> KeyStore::Find(const std::string& account_key) {
  absl::StatusOr<Reply> r = client_->Command({"HGET", HashOf(account_key), account_key});
  if (!r.ok()) return r.status();
  if (r->IsError()) return RedisError(*r, "HGET");
  if (r->type != Reply::Type::kString) return std::optional<crypto::DataKey>();
  absl::StatusOr<crypto::DataKey> key = crypto::OpenDataKey(master_, r->str, account_key);
  if (!key.ok()) return key.status();
  return std::optional<crypto::DataKey>(*std::move(key));
}

absl::Status KeyStore::Destroy(const std::string& account_key) {
  absl::StatusOr<Reply> r = client_->Command({"HDEL", HashOf(account_key), account_key});
  if (!r.ok()) return r.status();
  if (r->IsError()) return RedisError(*r, "HDEL");
  return absl::OkStatus();
}

std::string EncryptPersonal(const crypto::DataKey& key, const std::string& account_key,
                            const v1::Debtor& personal) {
  std::string clear = personal.SerializeAsString();
  std::string blob = crypto::Encrypt(key, clear, account_key);
  std::fill(clear.begin(), clear.end(), '\0');
  return blob;
}

absl::StatusOr<v1::Debtor> DecryptPersonal(const crypto::DataKey& key,
                                           const std::string& account_key, std::string_view blob) {
  absl::StatusOr<std::string> clear = crypto::Decrypt(key, blob, account_key);
  if (!clear.ok()) return absl::DataLossError("personal data: does not decrypt");
  v1::Debtor personal;
  const bool ok = personal.ParseFromString(*clear);
  std::fill(clear->begin(), clear->end(), '\0');
  if (!ok) return absl::DataLossError("personal data: does not decode");
  return personal;
}

}  // namespace concerto::invoice
