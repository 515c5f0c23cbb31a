#include "libs/platform/runtime/metrics.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/testing/status_matchers.h"

namespace concerto::platform {
namespace {

using ::concerto::testing::IsOk;
using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(MetricsRegistryTest, RendersCounterAndGaugeWithLabelsAndEscapingExactly) {
  MetricsRegistry registry;
  registry
      .GetCounter("concerto_units_total", "Units committed.\nPer shard \\ service.",
                  {{"shard", "1"}, {"service", "dunning"}})
      ->Increment(3);
  registry
      .GetCounter("concerto_units_total", "ignored second help",
                  {{"shard", "0"}, {"service", "dunning"}})
      ->Increment();
  Gauge* gauge = registry.GetGauge("concerto_outbox_depth", "Entries waiting.",
                                   {{"path", "C:\\tmp \"x\"\nnext"}});
  gauge->Set(2.5);
  registry.GetGauge("concerto_plain", "No labels.")->Set(-1);
  EXPECT_EQ(registry.Render(),
            "# HELP concerto_outbox_depth Entries waiting.\n"
            "# TYPE concerto_outbox_depth gauge\n"
            "concerto_outbox_depth{path=\"C:\\\\tmp \\\"x\\\"\\nnext\"} 2.5\n"
            "# HELP concerto_plain No labels.\n"
            "# TYPE concerto_plain gauge\n"
            "concerto_plain -1\n"
            "# HELP concerto_units_total Units committed.\\nPer shard \\\\ service.\n"
            "# TYPE concerto_units_total counter\n"
            "concerto_units_total{service=\"dunning\",shard=\"0\"} 1\n"
            "concerto_units_total{service=\"dunning\",shard=\"1\"} 3\n");
}

TEST(MetricsRegistryTest, SameNameAndLabelsReturnSameMetric) {
  MetricsRegistry registry;
  Counter* a = registry.GetCounter("c_total", "h", {{"k", "v"}});
  Counter* b = registry.GetCounter("c_total", "h", {{"k", "v"}});
  Counter* other = registry.GetCounter("c_total", "h", {{"k", "w"}});
  EXPECT_EQ(a, b);
  EXPECT_NE(a, other);
}

TEST(MetricsRegistryTest, CallbackGaugeIsReadAtRenderAndCanBeRemoved) {
  MetricsRegistry registry;
  double lag = 7;
  registry.AddCallbackGauge("consumer_lag", "Lag.", {{"shard", "2"}}, [&] { return lag; });
  EXPECT_THAT(registry.Render(), HasSubstr("consumer_lag{shard=\"2\"} 7\n"));
  lag = 0.125;
  EXPECT_THAT(registry.Render(), HasSubstr("consumer_lag{shard=\"2\"} 0.125\n"));
  registry.RemoveCallbackGauge("consumer_lag", {{"shard", "2"}});
  EXPECT_EQ(registry.Render(), "");
}

TEST(MetricsRegistryTest, InvalidNamesAreSanitized) {
  MetricsRegistry registry;
  registry.GetCounter("dunning.cases-opened", "h", {{"tenant-id", "t"}})->Increment();
  EXPECT_THAT(registry.Render(), HasSubstr("dunning_cases_opened{tenant_id=\"t\"} 1\n"));
}

TEST(MetricsRegistryTest, TypeClashReturnsWorkingUnrenderedMetric) {
  MetricsRegistry registry;
  registry.GetCounter("x", "h")->Increment(2);
  Gauge* clash = registry.GetGauge("x", "h");
  ASSERT_NE(clash, nullptr);
  clash->Set(9);
  EXPECT_EQ(registry.Render(), "# HELP x h\n# TYPE x counter\nx 2\n");
}

TEST(MetricsRegistryTest, ConcurrentIncrementsAreAllCounted) {
  MetricsRegistry registry;
  Counter* c = registry.GetCounter("hits_total", "h");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([c] {
      for (int i = 0; i < 10000; ++i) c->Increment();
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(c->Value(), 40000);
}

TEST(MetricsRegistryTest, SpecialValuesUsePrometheusSpelling) {
  EXPECT_EQ(FormatMetricValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatMetricValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatMetricValue(std::nan("")), "NaN");
  EXPECT_EQ(FormatMetricValue(0.1), "0.1");
  EXPECT_EQ(FormatMetricValue(1e21), "1e+21");
}

// HttpGet sends a raw HTTP request to 127.0.0.1:port and returns the whole response.
std::string HttpGet(int port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return "connect failed";
  }
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string response;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof(buf), 0)) > 0) response.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return response;
}

TEST(MetricsHttpServerTest, ServesMetricsOverRealSocketAnd404ForOtherPaths) {
  MetricsRegistry registry;
  registry.GetCounter("requests_total", "Requests.", {{"code", "ok"}})->Increment(5);
  auto server = MetricsHttpServer::Start(0, &registry, "127.0.0.1");
  ASSERT_THAT(server, IsOk());
  const int port = (*server)->port();
  ASSERT_GT(port, 0);

  const std::string body = registry.Render();
  const std::string ok = HttpGet(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_THAT(ok, StartsWith("HTTP/1.0 200 OK\r\n"));
  EXPECT_THAT(ok, HasSubstr("Content-Type: text/plain; version=0.0.4"));
  EXPECT_THAT(ok, HasSubstr("Content-Length: " + std::to_string(body.size()) + "\r\n"));
  EXPECT_EQ(ok.substr(ok.find("\r\n\r\n") + 4), body);

  const std::string missing = HttpGet(port, "GET /other HTTP/1.1\r\n\r\n");
  EXPECT_THAT(missing, StartsWith("HTTP/1.0 404 Not Found\r\n"));

  const std::string query = HttpGet(port, "GET /metrics?x=1 HTTP/1.0\r\n\r\n");
  EXPECT_THAT(query, StartsWith("HTTP/1.0 200 OK\r\n"));

  const std::string post = HttpGet(port, "POST /metrics HTTP/1.0\r\n\r\n");
  EXPECT_THAT(post, StartsWith("HTTP/1.0 405"));
}

TEST(MetricsHttpServerTest, ServesClientWhileAnotherIsIdle) {
  MetricsRegistry registry;
  registry.GetGauge("g", "h")->Set(1);
  auto server = MetricsHttpServer::Start(0, &registry, "127.0.0.1");
  ASSERT_THAT(server, IsOk());
  // An idle connection that never sends a request must not block others.
  const int idle = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>((*server)->port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(idle, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  EXPECT_THAT(HttpGet((*server)->port(), "GET /metrics HTTP/1.0\r\n\r\n"),
              StartsWith("HTTP/1.0 200 OK"));
  ::close(idle);
}

TEST(MetricsHttpServerTest, StopReleasesPortAndIsIdempotent) {
  MetricsRegistry registry;
  auto server = MetricsHttpServer::Start(0, &registry, "127.0.0.1");
  ASSERT_THAT(server, IsOk());
  const int port = (*server)->port();
  (*server)->Stop();
  (*server)->Stop();
  EXPECT_EQ(HttpGet(port, "GET /metrics HTTP/1.0\r\n\r\n"), "connect failed");
  auto again = MetricsHttpServer::Start(port, &registry, "127.0.0.1");
  EXPECT_THAT(again, IsOk());
}

TEST(MetricsHttpServerTest, BadBindAddressIsInvalidArgument) {
  MetricsRegistry registry;
  EXPECT_EQ(MetricsHttpServer::Start(0, &registry, "not-an-ip").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace concerto::platform
