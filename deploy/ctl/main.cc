// concertoctl: operations commands for a running Concerto deployment (local or Kubernetes).
//   concertoctl redrive --service=S --kafka-brokers=B [--idle=3s]
//       re-publish the dead letters of service S (after the fix shipped) to their topics
//   concertoctl status --admin=HOST:PORT
//       a service's admin status: clock, lag, outbox depth, timers, quiescence
//   concertoctl clock --admin=HOST:PORT (--advance=24h | --set=2026-03-01T00:00:00Z)
//       move the shared simulated clock (refused on the system clock)
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "concerto/platform/v1/admin.grpc.pb.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/grpcpp.h"
#include "libs/platform/dead_letters.h"
#include "libs/platform/runtime/config.h"

using namespace concerto;
using google::protobuf::util::TimeUtil;

namespace {

int Usage() {
  std::fprintf(stderr,
               "usage: concertoctl redrive --service=S --kafka-brokers=B [--idle=3s]\n"
               "       concertoctl status --admin=HOST:PORT\n"
               "       concertoctl clock --admin=HOST:PORT (--advance=DURATION | --set=RFC3339)\n");
  return 2;
}

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "concertoctl: %s\n", s.ToString().c_str());
  return 1;
}

std::unique_ptr<platform::v1::Admin::Stub> AdminStub(const std::string& address) {
  return platform::v1::Admin::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
}

void WithDeadline(grpc::ClientContext& ctx) {
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
}

}  // namespace

int main(int argc, char** argv) {
  // "concertoctl COMMAND --flags...": the command word takes the place of argv[0] for Config.
  if (argc < 2 || argv[1][0] == '-') return Usage();
  const std::string command = argv[1];
  auto config = platform::Config::Load(argc - 1, argv + 1);
  if (!config.ok()) return Fail(config.status());
  if (command == "redrive") {
    if (!config->Has("service") || !config->Has("kafka-brokers")) return Usage();
    auto idle = config->GetDuration("idle", absl::Seconds(3));
    if (!idle.ok()) return Fail(idle.status());
    platform::kafka::KafkaOptions kafka;
    kafka.brokers = config->GetString("kafka-brokers");
    kafka.client_id = "concertoctl";
    auto sent = platform::RedriveDeadLetters(kafka, config->GetString("service"), *idle);
    if (!sent.ok()) return Fail(sent.status());
    std::printf("re-driven=%d service=%s\n", *sent, config->GetString("service").c_str());
    return 0;
  }
  if (command == "status") {
    if (!config->Has("admin")) return Usage();
    auto stub = AdminStub(config->GetString("admin"));
    grpc::ClientContext ctx;
    WithDeadline(ctx);
    platform::v1::Status st;
    grpc::Status s = stub->GetStatus(&ctx, platform::v1::GetStatusRequest(), &st);
    if (!s.ok()) return Fail(absl::UnavailableError(s.error_message()));
    std::printf("%s\n", st.DebugString().c_str());
    return 0;
  }
  if (command == "clock") {
    if (!config->Has("admin") || (config->Has("advance") == config->Has("set"))) return Usage();
    auto stub = AdminStub(config->GetString("admin"));
    grpc::ClientContext ctx;
    WithDeadline(ctx);
    platform::v1::ClockReply reply;
    grpc::Status s;
    if (config->Has("advance")) {
      auto by = config->GetDuration("advance", absl::ZeroDuration());
      if (!by.ok()) return Fail(by.status());
      platform::v1::AdvanceClockRequest req;
      *req.mutable_by() = TimeUtil::MicrosecondsToDuration(absl::ToInt64Microseconds(*by));
      s = stub->AdvanceClock(&ctx, req, &reply);
    } else {
      platform::v1::SetClockRequest req;
      if (!TimeUtil::FromString(config->GetString("set"), req.mutable_now())) {
        return Fail(absl::InvalidArgumentError("set: not an RFC 3339 time"));
      }
      s = stub->SetClock(&ctx, req, &reply);
    }
    if (!s.ok()) return Fail(absl::FailedPreconditionError(s.error_message()));
    std::printf("now=%s\n", TimeUtil::ToString(reply.now()).c_str());
    return 0;
  }
  return Usage();
}
