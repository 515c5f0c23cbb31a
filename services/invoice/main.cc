// concerto-invoice: wiring only. Debtor accounts (master data, invoices, payments applied) on the
// platform runtime; it consumes payment.events (allocations and reversals), publishes
// invoice.events and serves InvoiceService.
//
// Personal data keys (services/invoice/app/personal_data.h):
//   --pii-master-key-file=PATH   the master key (32 raw bytes, or 64 hex digits / base64 text), or
//   CONCERTO_PII_MASTER_KEY      the master key as text in the environment;
//   --pii-dev-key=true|false     without either, generate/share a development key in Redis
//                                (default true; logged as NOT FOR PRODUCTION);
//   --pii-keystore-redis=H:P     where the sealed data keys live (default: --redis).
#include <cstdlib>
#include <memory>
#include <optional>
#include <vector>

#include "libs/crypto/pii_cipher.h"
#include "libs/platform/redis/redis_client.h"
#include "libs/platform/runtime/config.h"
#include "libs/platform/runtime/logging.h"
#include "libs/platform/service_main.h"
#include "services/invoice/app/invoice_handler.h"
#include "services/invoice/app/invoice_service.h"
#include "services/invoice/app/personal_data.h"

namespace {

// ConnectWithRetry waits up to ~10 s for Redis (the key store starts with the service).
absl::StatusOr<std::unique_ptr<concerto::platform::redis::RedisClient>> ConnectWithRetry(
    const std::string& address) {
  absl::StatusOr<std::unique_ptr<concerto::platform::redis::RedisClient>> client;
  for (int attempt = 0; attempt < 20; ++attempt) {
    client = concerto::platform::redis::RedisClient::Connect(address);
    if (client.ok()) return client;
    absl::SleepFor(absl::Milliseconds(500));
  }
  return client;
}

}  // namespace

int main(int argc, char** argv) {
  using concerto::platform::LogError;
  concerto::platform::InitLogging("invoice", "");
  std::string redis_address = "127.0.0.1:6379";
  std::string keystore_address;
  int shards = 8;
  concerto::invoice::MasterKeySource source;
  {
    // Only what the wiring needs is read here; RunService reads (and reports) the rest.
    auto config = concerto::platform::Config::Load(argc, argv);
    if (config.ok()) {
      redis_address = config->GetString("redis", redis_address);
      keystore_address = config->GetString("pii-keystore-redis", redis_address);
      auto n = config->GetInt("shards", shards);
      if (n.ok() && *n > 0) shards = static_cast<int>(*n);
      source.file = config->GetString("pii-master-key-file", "");
      auto dev = config->GetBool("pii-dev-key", true);
      source.allow_dev_key = dev.ok() && *dev;
    }
    if (keystore_address.empty()) keystore_address = redis_address;
    if (const char* text = std::getenv(concerto::invoice::kMasterKeyEnv); text != nullptr) {
      source.text = text;
    }
  }
  if (absl::Status s = concerto::crypto::InitSodium(); !s.ok()) {
    LogError("libsodium unavailable", {{"error", s.ToString()}});
    return 1;
  }
  auto keystore_client = ConnectWithRetry(keystore_address);
  if (!keystore_client.ok()) {
    LogError("key store unavailable", {{"error", keystore_client.status().ToString()}});
    return 1;
  }
  source.redis = keystore_client->get();
  absl::StatusOr<concerto::invoice::LoadedMasterKey> master =
      concerto::invoice::LoadMasterKey(source);
  if (!master.ok()) {
    LogError("pii master key unavailable", {{"error", master.status().ToString()}});
    return 2;
  }
  if (master->development) {
    concerto::platform::LogWarn(
        "PII master key: using the DEVELOPMENT key stored in Redis (invoice:master-key-dev); "
        "this is NOT for production: supply --pii-master-key-file or CONCERTO_PII_MASTER_KEY "
        "and set --pii-dev-key=false");
  }
  concerto::invoice::KeyStore keys(*std::move(keystore_client), master->key, shards);
  master = absl::StatusOr<concerto::invoice::LoadedMasterKey>(absl::CancelledError("wiped"));

  concerto::invoice::InvoiceHandler handler;
  concerto::platform::ServiceDefinition service;
  service.name = "invoice";
  service.input_topics = {"payment.events"};
  service.output_topic = "invoice.events";
  service.domain = &handler;
  service.apis = [&keys](const concerto::platform::ServiceContext& ctx) {
    std::vector<std::unique_ptr<grpc::Service>> apis;
    apis.push_back(
        std::make_unique<concerto::invoice::InvoiceServiceImpl>(ctx.processor, &keys, ctx.clock));
    return apis;
  };
  return concerto::platform::RunService(argc, argv, service);
}
