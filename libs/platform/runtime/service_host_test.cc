#include "libs/platform/runtime/service_host.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "concerto/platform/v1/admin.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/sync_stream.h"
#include "gtest/gtest.h"
#include "libs/platform/clock.h"
#include "libs/platform/runtime/admin_service.h"
#include "libs/testing/status_matchers.h"

namespace concerto::platform {
namespace {

namespace v1 = ::concerto::platform::v1;
using ::concerto::testing::IsOk;
using ::concerto::testing::StatusIs;
using ::grpc::health::v1::HealthCheckRequest;
using ::grpc::health::v1::HealthCheckResponse;
using ::testing::HasSubstr;

std::shared_ptr<grpc::Channel> Connect(int port) {
  return grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
}

void SetDeadline(grpc::ClientContext& ctx) {
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
}

// HealthOf returns the overall health status, or the RPC's error code (as a negative number).
int HealthOf(grpc::Channel* channel) {
  auto stub = grpc::health::v1::Health::NewStub(
      std::shared_ptr<grpc::Channel>(channel, [](grpc::Channel*) {}));
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  HealthCheckRequest request;
  HealthCheckResponse response;
  grpc::Status status = stub->Check(&ctx, request, &response);
  if (!status.ok()) return -static_cast<int>(status.error_code());
  return response.status();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

ServiceHostOptions TestOptions() {
  ServiceHostOptions options;
  options.service = "test";
  options.instance = "test-0";
  options.grpc_bind = "127.0.0.1";
  options.metrics_bind = "127.0.0.1";
  return options;
}

TEST(ServiceHostTest, HealthIsNotServingUntilSetServingThenServing) {
  SystemClock clock;
  AdminServiceImpl admin(&clock, nullptr, nullptr);
  auto host = ServiceHost::Start(TestOptions(), {&admin});
  ASSERT_THAT(host, IsOk());
  ASSERT_GT((*host)->grpc_port(), 0);
  auto channel = Connect((*host)->grpc_port());
  EXPECT_EQ(HealthOf(channel.get()), HealthCheckResponse::NOT_SERVING);
  (*host)->SetServing(true);
  EXPECT_EQ(HealthOf(channel.get()), HealthCheckResponse::SERVING);
  (*host)->SetServing(false);
  EXPECT_EQ(HealthOf(channel.get()), HealthCheckResponse::NOT_SERVING);
  (*host)->Shutdown(absl::Seconds(1));
}

TEST(ServiceHostTest, RegisteredServiceAnswersOverRealChannelWithMappedErrors) {
  SimulatedClock clock(absl::FromUnixSeconds(1700000000));
  AdminServiceImpl admin(
      &clock,
      [&](absl::Time t) {
        clock.Set(t);
        return absl::OkStatus();
      },
      [] {
        v1::Status s;
        s.set_service("test");
        return s;
      });
  auto host = ServiceHost::Start(TestOptions(), {&admin});
  ASSERT_THAT(host, IsOk());
  auto stub = v1::Admin::NewStub(Connect((*host)->grpc_port()));
  {
    grpc::ClientContext ctx;
    SetDeadline(ctx);
    v1::Status status;
    ASSERT_TRUE(stub->GetStatus(&ctx, v1::GetStatusRequest(), &status).ok());
    EXPECT_EQ(status.service(), "test");
    EXPECT_TRUE(status.simulated_clock());
    EXPECT_EQ(status.clock_now().seconds(), 1700000000);
  }
  {
    grpc::ClientContext ctx;
    SetDeadline(ctx);
    v1::AdvanceClockRequest request;
    request.mutable_by()->set_seconds(-1);
    v1::ClockReply reply;
    grpc::Status status = stub->AdvanceClock(&ctx, request, &reply);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("by"));
  }
}

TEST(ServiceHostTest, ReflectionListsRegisteredServices) {
  SystemClock clock;
  AdminServiceImpl admin(&clock, nullptr, nullptr);
  auto host = ServiceHost::Start(TestOptions(), {&admin});
  ASSERT_THAT(host, IsOk());
  auto channel = Connect((*host)->grpc_port());
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  // Raw bytes of ServerReflectionRequest{list_services: ""} (field 7, length-delimited).
  const grpc::internal::RpcMethod method(
      "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
      grpc::internal::RpcMethod::BIDI_STREAMING);
  std::unique_ptr<grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>> stream(
      grpc::internal::ClientReaderWriterFactory<grpc::ByteBuffer, grpc::ByteBuffer>::Create(
          channel.get(), method, &ctx));
  const std::string request_bytes("\x3a\x00", 2);
  grpc::Slice slice(request_bytes);
  ASSERT_TRUE(stream->Write(grpc::ByteBuffer(&slice, 1)));
  stream->WritesDone();
  grpc::ByteBuffer response;
  ASSERT_TRUE(stream->Read(&response));
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(response.Dump(&slices).ok());
  std::string bytes;
  for (const grpc::Slice& s : slices)
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  EXPECT_THAT(bytes, HasSubstr("concerto.platform.v1.Admin"));
  EXPECT_THAT(bytes, HasSubstr("grpc.health.v1.Health"));
  EXPECT_THAT(bytes, HasSubstr("grpc.reflection.v1alpha.ServerReflection"));
  while (stream->Read(&response)) {
  }
  EXPECT_TRUE(stream->Finish().ok());
}

TEST(ServiceHostTest, PortFileNamesBothPortsAndMetricsAreServed) {
  const std::string port_file = ::testing::TempDir() + "/service_host_ports";
  ::unlink(port_file.c_str());
  MetricsRegistry registry;
  registry.GetCounter("host_test_total", "h")->Increment(4);
  ServiceHostOptions options = TestOptions();
  options.metrics_port = 0;
  options.port_file = port_file;
  options.metrics_registry = &registry;
  auto host = ServiceHost::Start(options, {});
  ASSERT_THAT(host, IsOk());
  ASSERT_GT((*host)->metrics_port(), 0);
  EXPECT_EQ(ReadFile(port_file), absl::StrCat("grpc=", (*host)->grpc_port(),
                                              "\nmetrics=", (*host)->metrics_port(), "\n"));

  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>((*host)->metrics_port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  const std::string request = "GET /metrics HTTP/1.0\r\n\r\n";
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string response;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof(buf), 0)) > 0) response.append(buf, static_cast<size_t>(n));
  ::close(fd);
  EXPECT_THAT(response, HasSubstr("host_test_total 4\n"));
}

TEST(ServiceHostTest, PortFileSaysMetricsDisabled) {
  const std::string port_file = ::testing::TempDir() + "/service_host_ports_nometrics";
  ServiceHostOptions options = TestOptions();
  options.port_file = port_file;
  auto host = ServiceHost::Start(options, {});
  ASSERT_THAT(host, IsOk());
  EXPECT_EQ((*host)->metrics_port(), -1);
  EXPECT_EQ(ReadFile(port_file), absl::StrCat("grpc=", (*host)->grpc_port(), "\nmetrics=-1\n"));
}

TEST(ServiceHostTest, ShutdownLetsInFlightRpcFinishThenRefusesCalls) {
  SystemClock clock;
  std::atomic<bool> entered{false};
  AdminServiceImpl admin(&clock, nullptr, [&] {
    entered = true;
    absl::SleepFor(absl::Milliseconds(300));
    v1::Status s;
    s.set_service("slow");
    return s;
  });
  auto host = ServiceHost::Start(TestOptions(), {&admin});
  ASSERT_THAT(host, IsOk());
  auto channel = Connect((*host)->grpc_port());
  (*host)->SetServing(true);
  grpc::Status in_flight_status;
  v1::Status in_flight_reply;
  std::thread caller([&] {
    auto stub = v1::Admin::NewStub(channel);
    grpc::ClientContext ctx;
    SetDeadline(ctx);
    in_flight_status = stub->GetStatus(&ctx, v1::GetStatusRequest(), &in_flight_reply);
  });
  while (!entered) absl::SleepFor(absl::Milliseconds(5));
  const absl::Time start = absl::Now();
  (*host)->Shutdown(absl::Seconds(5));
  caller.join();
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_TRUE(in_flight_status.ok()) << in_flight_status.error_message();
  EXPECT_EQ(in_flight_reply.service(), "slow");
  EXPECT_LT(HealthOf(channel.get()), 0);  // the server is gone
  (*host)->Shutdown(absl::Seconds(1));    // idempotent
}

TEST(ServiceHostTest, MetricsPortInUseIsUnavailable) {
  const int blocker = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(blocker, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(blocker, 1), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(blocker, reinterpret_cast<sockaddr*>(&addr), &len);
  ServiceHostOptions options = TestOptions();
  options.metrics_port = ntohs(addr.sin_port);
  EXPECT_THAT(ServiceHost::Start(options, {}), StatusIs(absl::StatusCode::kUnavailable));
  ::close(blocker);
}

TEST(HostOptionsFromConfigTest, ReadsKeysWithDefaults) {
  auto defaults = HostOptionsFromConfig(Config::FromMap({}), "dunning");
  ASSERT_THAT(defaults, IsOk());
  EXPECT_EQ(defaults->service, "dunning");
  EXPECT_THAT(defaults->instance, HasSubstr(absl::StrCat("-", ::getpid())));
  EXPECT_EQ(defaults->grpc_port, 0);
  EXPECT_EQ(defaults->grpc_bind, "0.0.0.0");
  EXPECT_EQ(defaults->metrics_port, -1);
  EXPECT_EQ(defaults->port_file, "");

  auto set = HostOptionsFromConfig(Config::FromMap({{"instance", "d-1"},
                                                    {"grpc-port", "7001"},
                                                    {"grpc-bind", "127.0.0.1"},
                                                    {"metrics-port", "9101"},
                                                    {"port-file", "/tmp/p"}}),
                                   "dunning");
  ASSERT_THAT(set, IsOk());
  EXPECT_EQ(set->instance, "d-1");
  EXPECT_EQ(set->grpc_port, 7001);
  EXPECT_EQ(set->grpc_bind, "127.0.0.1");
  EXPECT_EQ(set->metrics_port, 9101);
  EXPECT_EQ(set->port_file, "/tmp/p");
}

TEST(HostOptionsFromConfigTest, BadPortIsInvalidArgumentNamingKey) {
  auto bad = HostOptionsFromConfig(Config::FromMap({{"grpc-port", "70000"}}), "x");
  EXPECT_THAT(bad, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(bad.status().message(), HasSubstr("grpc-port"));
  auto text = HostOptionsFromConfig(Config::FromMap({{"metrics-port", "abc"}}), "x");
  EXPECT_THAT(text, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(text.status().message(), HasSubstr("metrics-port"));
}

}  // namespace
}  // namespace concerto::platform
