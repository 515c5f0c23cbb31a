#include "libs/platform/runtime/metrics.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/platform/runtime/internal/string_view.h"
#include "libs/platform/runtime/logging.h"

namespace concerto::platform {
namespace {

constexpr int kCounter = 0;
constexpr int kGauge = 1;

bool NameChar(char c, bool first, bool allow_colon) {
  if (absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_') return true;
  if (allow_colon && c == ':') return true;
  return !first && absl::ascii_isdigit(static_cast<unsigned char>(c));
}

std::string Sanitize(std::string name, bool allow_colon) {
  if (name.empty()) return "_";
  for (size_t i = 0; i < name.size(); ++i) {
    if (!NameChar(name[i], i == 0, allow_colon)) {
      if (i == 0 && absl::ascii_isdigit(static_cast<unsigned char>(name[0]))) {
        name.insert(0, "_");
        continue;
      }
      name[i] = '_';
    }
  }
  return name;
}

MetricLabels SanitizeLabels(MetricLabels labels) {
  MetricLabels out;
  for (auto& [k, v] : labels) out[Sanitize(k, /*allow_colon=*/false)] = std::move(v);
  return out;
}

std::string EscapeHelp(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') {
      out.append("\\\\");
    } else if (c == '\n') {
      out.append("\\n");
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string EscapeLabelValue(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') {
      out.append("\\\\");
    } else if (c == '\n') {
      out.append("\\n");
    } else if (c == '"') {
      out.append("\\\"");
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void AppendSeries(std::string& out, const std::string& name, const MetricLabels& labels,
                  std::string_view value) {
  out.append(name);
  if (!labels.empty()) {
    out.push_back('{');
    bool first = true;
    for (const auto& [k, v] : labels) {
      if (!first) out.push_back(',');
      first = false;
      absl::StrAppend(&out, k, "=\"", EscapeLabelValue(v), "\"");
    }
    out.push_back('}');
  }
  absl::StrAppend(&out, " ", internal::AbslView(value), "\n");
}

}  // namespace

void Gauge::Add(double d) { value_.fetch_add(d, std::memory_order_relaxed); }

std::string FormatMetricValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  if (ec != std::errc()) return absl::StrCat(v);
  return std::string(buf, end);
}

struct MetricsRegistry::Family {
  std::string help;
  int type = kCounter;
  std::map<MetricLabels, std::unique_ptr<Counter>> counters;
  std::map<MetricLabels, std::unique_ptr<Gauge>> gauges;
  std::map<MetricLabels, std::shared_ptr<std::function<double()>>> callbacks;
  // Metrics handed out on a type clash: usable, never rendered.
  std::vector<std::unique_ptr<Counter>> orphan_counters;
  std::vector<std::unique_ptr<Gauge>> orphan_gauges;
};

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

MetricsRegistry& MetricsRegistry::Default() {
  static MetricsRegistry* registry = new MetricsRegistry();
  return *registry;
}

// Requires mu_. Returns the family, or nullptr (after logging) on a type clash.
MetricsRegistry::Family* MetricsRegistry::GetFamily(std::string& name, std::string help, int type) {
  name = Sanitize(std::move(name), /*allow_colon=*/true);
  auto& family = families_[name];
  if (family == nullptr) {
    family = std::make_unique<Family>();
    family->help = std::move(help);
    family->type = type;
  }
  if (family->type != type) {
    LogError("metric registered twice with different types", {{"metric", name}});
    return nullptr;
  }
  return family.get();
}

Counter* MetricsRegistry::GetCounter(std::string name, std::string help, MetricLabels labels) {
  std::lock_guard<std::mutex> lock(mu_);
  Family* family = GetFamily(name, std::move(help), kCounter);
  if (family == nullptr) {
    Family& clash = *families_[name];
    clash.orphan_counters.push_back(std::make_unique<Counter>());
    return clash.orphan_counters.back().get();
  }
  auto& counter = family->counters[SanitizeLabels(std::move(labels))];
  if (counter == nullptr) counter = std::make_unique<Counter>();
  return counter.get();
}

Gauge* MetricsRegistry::GetGauge(std::string name, std::string help, MetricLabels labels) {
  std::lock_guard<std::mutex> lock(mu_);
  Family* family = GetFamily(name, std::move(help), kGauge);
  if (family == nullptr) {
    Family& clash = *families_[name];
    clash.orphan_gauges.push_back(std::make_unique<Gauge>());
    return clash.orphan_gauges.back().get();
  }
  auto& gauge = family->gauges[SanitizeLabels(std::move(labels))];
  if (gauge == nullptr) gauge = std::make_unique<Gauge>();
  return gauge.get();
}

void MetricsRegistry::AddCallbackGauge(std::string name, std::string help, MetricLabels labels,
                                       std::function<double()> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  Family* family = GetFamily(name, std::move(help), kGauge);
  if (family == nullptr) return;
  family->callbacks[SanitizeLabels(std::move(labels))] =
      std::make_shared<std::function<double()>>(std::move(fn));
}

void MetricsRegistry::RemoveCallbackGauge(std::string name, MetricLabels labels) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = families_.find(Sanitize(std::move(name), /*allow_colon=*/true));
  if (it == families_.end()) return;
  it->second->callbacks.erase(SanitizeLabels(std::move(labels)));
}

std::string MetricsRegistry::Render() const {
  // Snapshot under the lock; call callbacks and format outside it.
  struct Sample {
    bool is_int = false;
    int64_t int_value = 0;
    double value = 0;
    std::shared_ptr<std::function<double()>> fn;
  };
  struct Snapshot {
    std::string name;
    std::string help;
    int type;
    std::map<MetricLabels, Sample> series;
  };
  std::vector<Snapshot> snapshot;
  {
    std::lock_guard<std::mutex> lock(mu_);
    snapshot.reserve(families_.size());
    for (const auto& [name, family] : families_) {
      Snapshot s{name, family->help, family->type, {}};
      for (const auto& [labels, c] : family->counters) {
        s.series[labels] = Sample{true, c->Value(), 0, nullptr};
      }
      for (const auto& [labels, g] : family->gauges) {
        s.series[labels] = Sample{false, 0, g->Value(), nullptr};
      }
      for (const auto& [labels, fn] : family->callbacks) {
        s.series[labels] = Sample{false, 0, 0, fn};
      }
      if (!s.series.empty()) snapshot.push_back(std::move(s));
    }
  }
  std::string out;
  for (Snapshot& s : snapshot) {
    absl::StrAppend(&out, "# HELP ", s.name, " ", EscapeHelp(s.help), "\n");
    absl::StrAppend(&out, "# TYPE ", s.name, " ", s.type == kCounter ? "counter" : "gauge", "\n");
    for (const auto& [labels, sample] : s.series) {
      std::string value;
      if (sample.is_int) {
        value = absl::StrCat(sample.int_value);
      } else if (sample.fn != nullptr) {
        value = FormatMetricValue(*sample.fn ? (*sample.fn)() : std::nan(""));
      } else {
        value = FormatMetricValue(sample.value);
      }
      AppendSeries(out, s.name, labels, value);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// MetricsHttpServer

namespace {

constexpr size_t kMaxRequestBytes = 8192;
constexpr size_t kMaxConnections = 64;
constexpr absl::Duration kRequestTimeout = absl::Seconds(5);

struct Connection {
  int fd;
  std::string buffer;
  absl::Time deadline;
};

std::string HttpResponse(absl::string_view status, absl::string_view content_type,
                         absl::string_view body, bool include_body) {
  std::string out =
      absl::StrCat("HTTP/1.0 ", status, "\r\nContent-Type: ", content_type,
                   "\r\nContent-Length: ", body.size(), "\r\nConnection: close\r\n\r\n");
  if (include_body) out.append(body.data(), body.size());
  return out;
}

void SendAllAndClose(int fd, const std::string& data) {
  // Switch to blocking with a send timeout: a stuck client cannot hold the loop for long.
  const int flags = ::fcntl(fd, F_GETFL, 0);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  timeval tv{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    sent += static_cast<size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);
  ::close(fd);
}

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsHttpServer>> MetricsHttpServer::Start(
    int port, MetricsRegistry* registry, std::string bind_address) {
  if (registry == nullptr) return absl::InvalidArgumentError("metrics: registry is null");
  if (port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("metrics: port ", port, " is out of range"));
  }
  if (bind_address.empty() || bind_address == "localhost") bind_address = "127.0.0.1";
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  int family = AF_INET;
  {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
    std::string host = bind_address;
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
      host = host.substr(1, host.size() - 2);
    }
    if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
      v4->sin_family = AF_INET;
      v4->sin_port = htons(static_cast<uint16_t>(port));
      addr_len = sizeof(sockaddr_in);
    } else if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
      family = AF_INET6;
      v6->sin6_family = AF_INET6;
      v6->sin6_port = htons(static_cast<uint16_t>(port));
      addr_len = sizeof(sockaddr_in6);
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("metrics: bind address '", bind_address, "' is not a numeric IP address"));
    }
  }
  const int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat("metrics: socket: ", std::strerror(errno)));
  }
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), addr_len) != 0 || ::listen(fd, 64) != 0) {
    const int err = errno;
    ::close(fd);
    return absl::UnavailableError(absl::StrCat("metrics: cannot listen on ", bind_address, ":",
                                               port, ": ", std::strerror(err)));
  }
  sockaddr_storage bound{};
  socklen_t bound_len = sizeof(bound);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_len);
  const int actual_port =
      ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in*>(&bound)->sin_port
                              : reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    const int err = errno;
    ::close(fd);
    return absl::UnavailableError(absl::StrCat("metrics: pipe: ", std::strerror(err)));
  }
  return std::unique_ptr<MetricsHttpServer>(
      new MetricsHttpServer(fd, pipe_fds[0], pipe_fds[1], actual_port, registry));
}

MetricsHttpServer::MetricsHttpServer(int listen_fd, int wake_read_fd, int wake_write_fd, int port,
                                     MetricsRegistry* registry)
    : listen_fd_(listen_fd),
      wake_read_fd_(wake_read_fd),
      wake_write_fd_(wake_write_fd),
      port_(port),
      registry_(registry),
      thread_([this] { Run(); }) {}

MetricsHttpServer::~MetricsHttpServer() { Stop(); }

void MetricsHttpServer::Stop() {
  std::call_once(stop_once_, [this] {
    const char byte = 1;
    while (::write(wake_write_fd_, &byte, 1) < 0 && errno == EINTR) {
    }
    if (thread_.joinable()) thread_.join();
    ::close(listen_fd_);
    ::close(wake_read_fd_);
    ::close(wake_write_fd_);
  });
}

void MetricsHttpServer::Run() {
  std::vector<Connection> conns;
  auto respond = [this](Connection& c) {
    // Request line: METHOD SP PATH SP VERSION.
    const std::string_view request(c.buffer);
    const std::string_view line = request.substr(0, request.find_first_of("\r\n"));
    std::vector<absl::string_view> parts =
        absl::StrSplit(internal::AbslView(line), ' ', absl::SkipEmpty());
    std::string response;
    if (parts.size() < 2) {
      response = HttpResponse("400 Bad Request", "text/plain", "bad request\n", true);
    } else {
      const absl::string_view method = parts[0];
      absl::string_view path = parts[1];
      path = path.substr(0, path.find('?'));
      if (method != "GET" && method != "HEAD") {
        response =
            HttpResponse("405 Method Not Allowed", "text/plain", "method not allowed\n", true);
      } else if (path != "/metrics") {
        response = HttpResponse("404 Not Found", "text/plain", "not found\n", method == "GET");
      } else {
        response = HttpResponse("200 OK", "text/plain; version=0.0.4; charset=utf-8",
                                registry_->Render(), method == "GET");
      }
    }
    SendAllAndClose(c.fd, response);
    c.fd = -1;
  };

  while (true) {
    std::vector<pollfd> fds;
    fds.push_back({wake_read_fd_, POLLIN, 0});
    fds.push_back({listen_fd_, POLLIN, 0});
    absl::Time next_deadline = absl::InfiniteFuture();
    for (const Connection& c : conns) {
      fds.push_back({c.fd, POLLIN, 0});
      next_deadline = std::min(next_deadline, c.deadline);
    }
    int timeout_ms = -1;
    if (next_deadline != absl::InfiniteFuture()) {
      timeout_ms = static_cast<int>(
          std::max<int64_t>(0, absl::ToInt64Milliseconds(next_deadline - absl::Now()) + 1));
    }
    const int n = ::poll(fds.data(), fds.size(), timeout_ms);
    if (n < 0 && errno != EINTR) {
      LogError("metrics: poll failed", {{"error", std::strerror(errno)}});
      break;
    }
    if (fds[0].revents != 0) break;  // Stop()
    const absl::Time now = absl::Now();
    for (size_t i = 0; i < conns.size(); ++i) {
      Connection& c = conns[i];
      const short revents = fds[i + 2].revents;
      if (revents != 0) {
        char buf[2048];
        const ssize_t got = ::recv(c.fd, buf, sizeof(buf), 0);
        if (got > 0) {
          c.buffer.append(buf, static_cast<size_t>(got));
          if (absl::StrContains(c.buffer, "\r\n\r\n") || absl::StrContains(c.buffer, "\n\n")) {
            respond(c);
          } else if (c.buffer.size() > kMaxRequestBytes) {
            SendAllAndClose(c.fd, HttpResponse("431 Request Header Fields Too Large", "text/plain",
                                               "request too large\n", true));
            c.fd = -1;
          }
        } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
          ::close(c.fd);
          c.fd = -1;
        }
      }
      if (c.fd >= 0 && now >= c.deadline) {
        ::close(c.fd);
        c.fd = -1;
      }
    }
    conns.erase(
        std::remove_if(conns.begin(), conns.end(), [](const Connection& c) { return c.fd < 0; }),
        conns.end());
    if (fds[1].revents != 0) {
      while (true) {
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) break;
        if (conns.size() >= kMaxConnections) {
          ::close(fd);
          continue;
        }
        conns.push_back(Connection{fd, {}, now + kRequestTimeout});
      }
    }
  }
  for (Connection& c : conns) ::close(c.fd);
}

}  // namespace concerto::platform
