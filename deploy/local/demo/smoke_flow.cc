#include "deploy/local/demo/smoke_flow.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "concerto/common/v1/envelope.pb.h"
#include "concerto/platform/v1/admin.grpc.pb.h"
#include "concerto/platform/v1/events.pb.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/grpcpp.h"
#include "libs/core/stable_hash.h"
#include "libs/core/status_macros.h"
#include "libs/platform/kafka/kafka.h"
#include "libs/platform/kafka/traceparent.h"
#include "libs/platform/runtime/grpc_status.h"

namespace concerto::local {
namespace {

using google::protobuf::util::TimeUtil;
namespace admin = concerto::platform::v1;

const std::map<std::string, std::string>& OutputTopics() {
  static const auto* topics = new std::map<std::string, std::string>{
      {"invoice", "invoice.events"},       {"dunning", "case.events"},
      {"contact-channel", "contact.events"}, {"payment", "payment.events"},
      {"legal-escalation", "legal.events"}};
  return *topics;
}

absl::Time FromProto(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(ts));
}

absl::StatusOr<admin::Status> GetStatus(const std::string& address) {
  auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  auto stub = admin::Admin::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  admin::Status status;
  grpc::Status s = stub->GetStatus(&ctx, admin::GetStatusRequest(), &status);
  if (!s.ok()) return platform::FromGrpcStatus(s);
  return status;
}

}  // namespace

std::string InputTopicOf(const std::string& service) {
  if (service == "invoice") return "payment.events";
  if (service == "contact-channel" || service == "legal-escalation") return "case.events";
  return "invoice.events";  // dunning, payment
}

absl::StatusOr<SmokeReport> RunSmokeFlow(const StackAddresses& addresses,
                                         absl::Duration timeout) {
  SmokeReport report;
  const std::string nonce = core::DeterministicId(absl::FormatTime(absl::Now()), "smoke");
  platform::kafka::KafkaOptions kafka;
  kafka.brokers = addresses.kafka_brokers;
  kafka.client_id = "concerto-smoke";

  // Listen on every output topic first, from the start: Pongs are told apart by causation id.
  platform::kafka::ConsumerOptions co;
  co.kafka = kafka;
  co.group_id = "smoke-" + nonce;
  for (const auto& [service, address] : addresses.grpc) {
    if (OutputTopics().count(service)) co.topics.push_back(OutputTopics().at(service));
  }
  std::sort(co.topics.begin(), co.topics.end());
  co.topics.erase(std::unique(co.topics.begin(), co.topics.end()), co.topics.end());
  CONCERTO_ASSIGN_OR_RETURN(auto consumer, platform::kafka::Consumer::Create(co));
  CONCERTO_ASSIGN_OR_RETURN(auto producer, platform::kafka::Producer::Create(kafka));

  // Join the group before sending, so the figures measure the services, not the join.
  const absl::Time join_deadline = absl::Now() + timeout;
  while (consumer->Assignment().empty()) {
    if (absl::Now() > join_deadline) return absl::DeadlineExceededError("smoke consumer: no join");
    CONCERTO_ASSIGN_OR_RETURN(auto early, consumer->Poll(1, absl::Milliseconds(100)));
    (void)early;  // nothing of this run can be there yet
  }

  std::map<std::string, std::string> ping_ids;  // ping event id -> service
  std::vector<platform::kafka::Record> pings;
  for (const auto& [service, address] : addresses.grpc) {
    platform::v1::Ping ping;
    ping.set_note(service);
    common::v1::Envelope env;
    env.set_event_id(absl::StrCat("smoke-", nonce, "-", service));
    env.set_tenant("smoke");
    env.set_aggregate_key("smoke-" + service);
    env.set_type("concerto.platform.v1.Ping");
    env.set_schema_version(1);
    *env.mutable_occurred_at() = TimeUtil::GetCurrentTime();
    env.set_correlation_id(env.event_id());
    env.set_payload(ping.SerializeAsString());
    env.set_producer("concerto-smoke");
    ping_ids[env.event_id()] = service;
    pings.push_back({InputTopicOf(service), env.aggregate_key(), env.SerializeAsString(),
                     {{std::string(platform::kafka::kTraceparentHeader),
                       platform::kafka::NewTraceparent()}}});
  }
  const absl::Time sent = absl::Now();
  CONCERTO_RETURN_IF_ERROR(producer->ProduceAll(pings, absl::Seconds(30)));

  const absl::Time deadline = absl::Now() + timeout;
  while (report.pong_after.size() < ping_ids.size()) {
    if (absl::Now() > deadline) {
      std::string missing;
      for (const auto& [id, service] : ping_ids) {
        if (!report.pong_after.count(service)) absl::StrAppend(&missing, " ", service);
      }
      return absl::DeadlineExceededError(absl::StrCat("no Pong within ",
                                                      absl::FormatDuration(timeout), " from:",
                                                      missing));
    }
    CONCERTO_ASSIGN_OR_RETURN(auto messages, consumer->Poll(256, absl::Milliseconds(100)));
    for (const auto& m : messages) {
      common::v1::Envelope env;
      if (!env.ParseFromString(m.value) || env.type() != "concerto.platform.v1.Pong") continue;
      auto it = ping_ids.find(env.causation_id());
      if (it == ping_ids.end()) continue;
      report.pong_after.emplace(it->second, absl::Now() - sent);
    }
  }
  consumer->Close();

  // The shared simulated clock: advance it through one service, every service must follow.
  const std::string first = addresses.grpc.begin()->second;
  CONCERTO_ASSIGN_OR_RETURN(admin::Status before, GetStatus(first));
  report.clock_before = FromProto(before.clock_now());
  {
    auto stub = admin::Admin::NewStub(grpc::CreateChannel(first, grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    admin::AdvanceClockRequest req;
    *req.mutable_by() = TimeUtil::SecondsToDuration(24 * 3600);
    admin::ClockReply reply;
    grpc::Status s = stub->AdvanceClock(&ctx, req, &reply);
    if (!s.ok()) return platform::FromGrpcStatus(s);
    report.clock_after = FromProto(reply.now());
  }
  for (const auto& [service, address] : addresses.grpc) {
    while (true) {
      absl::StatusOr<admin::Status> st = GetStatus(address);
      if (st.ok() && FromProto(st->clock_now()) >= report.clock_after && st->quiescent()) break;
      if (absl::Now() > deadline) {
        return absl::DeadlineExceededError(absl::StrCat(
            service, " did not reach the advanced clock and quiescence: ",
            st.ok() ? st->ShortDebugString() : st.status().ToString()));
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
  }
  return report;
}

}  // namespace concerto::local
