// Test-only: the invoice service in-process on a real redis-server and the embedded broker —
// the event processor running the InvoiceHandler, a KeyStore with a fresh master key, and
// InvoiceService on a grpc::Server (in-process channel, plus a loopback TCP port for the CLI) —
// and helpers to build requests and read what reached Kafka. Shared by the integration tests.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "concerto/common/v1/envelope.pb.h"
#include "concerto/invoice/v1/invoice_api.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/platform/event_processor.h"
#include "libs/platform/kafka/kafka.h"
#include "libs/platform/redis/redis_client.h"
#include "libs/testing/embedded_kafka.h"
#include "libs/testing/redis_server.h"
#include "services/invoice/app/invoice_handler.h"
#include "services/invoice/app/invoice_service.h"
#include "services/invoice/app/personal_data.h"
#include "services/invoice/domain/dates.h"

namespace concerto::invoice::testing {

// kStart is the simulated "now" of the integration tests: 2026-01-10 12:00 UTC.
inline absl::Time Start() {
  return absl::FromCivil(absl::CivilSecond(2026, 1, 10, 12, 0, 0), absl::UTCTimeZone());
}

// Ctx is a request context of `tenant`; writes pass an idempotency key.
inline common::v1::RequestContext Ctx(const std::string& tenant, const std::string& key = "") {
  common::v1::RequestContext c;
  c.set_tenant(tenant);
  c.set_idempotency_key(key);
  c.mutable_actor()->set_id("erp-1");
  c.mutable_actor()->set_role(common::v1::Actor::ROLE_CLIENT);
  return c;
}

inline common::v1::Money Eur(int64_t minor) {
  common::v1::Money m;
  m.set_minor_units(minor);
  m.set_currency("EUR");
  return m;
}

// Spec is an invoice of `debtor`: EUR `minor`, issued 2025-12-01, due 2025-12-31.
inline v1::InvoiceSpec Spec(const std::string& number, const std::string& debtor, int64_t minor) {
  v1::InvoiceSpec s;
  s.set_invoice_number(number);
  s.set_debtor_id(debtor);
  *s.mutable_issue_date() = ToDate(absl::CivilDay(2025, 12, 1));
  *s.mutable_due_date() = ToDate(absl::CivilDay(2025, 12, 31));
  s.set_currency("EUR");
  *s.mutable_amount() = Eur(minor);
  return s;
}

// Fields lists the field paths of a gRPC error's BadRequest details.
inline std::vector<std::string> Fields(const grpc::Status& s) {
  std::vector<std::string> out;
  for (const platform::FieldError& e : platform::BadRequestOf(s)) out.push_back(e.field);
  return out;
}

// Env is one running service; create it once per test binary (the broker join takes seconds).
class Env {
 public:
  static std::unique_ptr<Env> Create(ImportOptions import_options = {}) {
    auto env = std::unique_ptr<Env>(new Env());
    if (!env->Init(import_options)) return nullptr;
    return env;
  }
  ~Env() {
    if (server) server->Shutdown();
    if (processor) processor->Stop();
  }

  // WaitOutboxEmpty waits until every committed event has been relayed to Kafka.
  bool WaitOutboxEmpty(absl::Duration timeout = absl::Seconds(30)) {
    const absl::Time until = absl::Now() + timeout;
    while (absl::Now() < until) {
      if (processor->GetStatus().outbox_depth() == 0) return true;
      absl::SleepFor(absl::Milliseconds(20));
    }
    return false;
  }

  // ConsumeAll reads `topic` from the beginning with a fresh consumer group until nothing new
  // has come for `quiet` (after the first assignment), and returns every envelope.
  std::vector<common::v1::Envelope> ConsumeAll(const std::string& topic,
                                               absl::Duration quiet = absl::Seconds(2)) {
    platform::kafka::ConsumerOptions o;
    o.kafka = kafka_options;
    o.group_id = absl::StrCat("test-reader-", topic, "-", ++readers_);
    o.topics = {topic};
    o.session_timeout = absl::Seconds(3);
    auto consumer = platform::kafka::Consumer::Create(o);
    EXPECT_TRUE(consumer.ok()) << consumer.status();
    std::vector<common::v1::Envelope> out;
    if (!consumer.ok()) return out;
    const absl::Time give_up = absl::Now() + absl::Seconds(60);
    absl::Time last = absl::InfiniteFuture();
    while (absl::Now() < give_up) {
      auto batch = (*consumer)->Poll(1000, absl::Milliseconds(100));
      if (!batch.ok()) break;
      if (last == absl::InfiniteFuture() && !(*consumer)->Assignment().empty()) last = absl::Now();
      for (const platform::kafka::Message& m : *batch) {
        common::v1::Envelope e;
        EXPECT_TRUE(e.ParseFromString(m.value));
        out.push_back(std::move(e));
        last = absl::Now();
      }
      if (last != absl::InfiniteFuture() && absl::Now() - last > quiet) break;
    }
    return out;
  }

  platform::SimulatedClock clock{Start()};
  InvoiceHandler handler;
  std::unique_ptr<concerto::testing::RedisServer> redis;
  std::unique_ptr<concerto::testing::EmbeddedKafka> kafka;
  platform::kafka::KafkaOptions kafka_options;
  std::unique_ptr<platform::EventProcessor> processor;
  std::unique_ptr<KeyStore> keys;
  std::unique_ptr<InvoiceServiceImpl> service;
  std::unique_ptr<grpc::Server> server;
  int port = 0;
  std::unique_ptr<v1::InvoiceService::Stub> stub;
  std::unique_ptr<platform::kafka::Producer> producer;

 private:
  Env() = default;

  bool Init(ImportOptions import_options) {
    auto r = concerto::testing::RedisServer::Start();
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return false;
    redis = std::move(*r);
    concerto::testing::EmbeddedKafka::Options ko;
    for (const char* t : {"payment.events", "invoice.events", "invoice.dlq"}) {
      ko.topics.push_back({t, 8});
    }
    auto k = concerto::testing::EmbeddedKafka::Start(ko);
    EXPECT_TRUE(k.ok()) << k.status();
    if (!k.ok()) return false;
    kafka = std::move(*k);
    kafka_options.brokers = kafka->bootstrap();
    platform::ProcessorOptions o;
    o.service = "invoice";
    o.input_topics = {"payment.events"};
    o.shards = 8;
    o.session_timeout = absl::Seconds(3);
    auto p = platform::EventProcessor::Create(o, kafka_options, redis->address(), &handler, &clock);
    EXPECT_TRUE(p.ok()) << p.status();
    if (!p.ok()) return false;
    processor = std::move(*p);
    const absl::Status started = processor->Start();
    EXPECT_TRUE(started.ok()) << started;
    if (!started.ok()) return false;
    auto key_client = platform::redis::RedisClient::Connect(redis->address());
    EXPECT_TRUE(key_client.ok()) << key_client.status();
    if (!key_client.ok()) return false;
    keys = std::make_unique<KeyStore>(*std::move(key_client), crypto::GenerateMasterKey(), 8);
    service =
        std::make_unique<InvoiceServiceImpl>(processor.get(), keys.get(), &clock, import_options);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.SetMaxReceiveMessageSize(64 << 20);
    builder.RegisterService(service.get());
    server = builder.BuildAndStart();
    EXPECT_NE(server, nullptr);
    if (server == nullptr) return false;
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(64 << 20);
    stub = v1::InvoiceService::NewStub(server->InProcessChannel(args));
    auto prod = platform::kafka::Producer::Create(kafka_options);
    EXPECT_TRUE(prod.ok()) << prod.status();
    if (!prod.ok()) return false;
    producer = std::move(*prod);
    return true;
  }

  int readers_ = 0;
};

}  // namespace concerto::invoice::testing
