// Health, admin and Redis probes of the local stack (see probes.h).
#include "deploy/local/stack/probes.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "concerto/platform/v1/admin.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace concerto::local {
namespace {

constexpr absl::Duration kRetryPause = absl::Milliseconds(100);

absl::Status FromGrpc(const grpc::Status& status, const std::string& what) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat(what, ": ", status.error_message()));
}

std::shared_ptr<grpc::Channel> NewChannel(const std::string& address) {
  // A fresh channel per probe: no reconnect backoff carried over from earlier failures.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

// Closes a file descriptor when it goes out of scope.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

int RemainingMs(absl::Time deadline) {
  const int64_t ms = absl::ToInt64Milliseconds(deadline - absl::Now());
  return ms < 0 ? 0 : static_cast<int>(ms);
}

// Connect opens a TCP connection to host:port before `deadline`; returns the socket.
absl::StatusOr<int> Connect(const std::string& address, absl::Time deadline) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return absl::InvalidArgumentError(absl::StrCat("address '", address, "': want host:port"));
  }
  const std::string host = address.substr(0, colon);
  const std::string port = address.substr(colon + 1);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return absl::UnavailableError(absl::StrCat("resolve ", address, ": ", gai_strerror(rc)));
  }
  std::string last_error = "no address";
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    const int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) continue;
    int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd pfd{fd, POLLOUT, 0};
      rc = poll(&pfd, 1, RemainingMs(deadline));
      if (rc == 1) {
        int error = 0;
        socklen_t len = sizeof error;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len);
        rc = error == 0 ? 0 : -1;
        errno = error;
      } else {
        rc = -1;
        errno = ETIMEDOUT;
      }
    }
    if (rc == 0) {
      freeaddrinfo(found);
      return fd;
    }
    last_error = std::strerror(errno);
    close(fd);
  }
  freeaddrinfo(found);
  return absl::UnavailableError(absl::StrCat("connect ", address, ": ", last_error));
}

}  // namespace

absl::Status CheckHealth(const std::string& address, absl::Duration timeout) {
  auto stub = grpc::health::v1::Health::NewStub(NewChannel(address));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  context.set_wait_for_ready(true);  // wait for the connection within the deadline
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok()) {
    return absl::UnavailableError(absl::StrCat("health check of ", address, ": ",
                                               status.error_message(), " (code ",
                                               static_cast<int>(status.error_code()), ")"));
  }
  if (response.status() != grpc::health::v1::HealthCheckResponse::SERVING) {
    return absl::UnavailableError(
        absl::StrCat("health check of ", address, ": ",
                     grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status())));
  }
  return absl::OkStatus();
}

absl::Status WaitForHealth(const std::string& address, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  absl::Status last = absl::DeadlineExceededError("no health check made");
  while (true) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return last;
    last = CheckHealth(address, std::min(left, absl::Seconds(1)));
    if (last.ok()) return last;
    absl::SleepFor(std::min(kRetryPause, std::max(deadline - absl::Now(), absl::ZeroDuration())));
  }
}

absl::StatusOr<AdminSummary> GetAdminSummary(const std::string& address, absl::Duration timeout) {
  auto stub = concerto::platform::v1::Admin::NewStub(NewChannel(address));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  concerto::platform::v1::GetStatusRequest request;
  concerto::platform::v1::Status response;
  const grpc::Status status = stub->GetStatus(&context, request, &response);
  if (!status.ok()) return FromGrpc(status, absl::StrCat("Admin.GetStatus on ", address));
  AdminSummary summary;
  summary.quiescent = response.quiescent();
  summary.consumer_lag = response.consumer_lag();
  summary.outbox_depth = response.outbox_depth();
  return summary;
}

absl::StatusOr<std::string> RedisCommand(const std::string& address, const std::string& command,
                                         absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  absl::StatusOr<int> fd = Connect(address, deadline);
  if (!fd.ok()) return fd.status();
  FdCloser closer(*fd);
  const std::string wire = absl::StrCat(command, "\r\n");
  size_t sent = 0;
  while (sent < wire.size()) {
    pollfd pfd{*fd, POLLOUT, 0};
    if (poll(&pfd, 1, RemainingMs(deadline)) != 1) {
      return absl::UnavailableError(absl::StrCat("redis ", address, ": send timed out"));
    }
    const ssize_t n = send(*fd, wire.data() + sent, wire.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) {
      return absl::UnavailableError(absl::StrCat("redis ", address, ": ", std::strerror(errno)));
    }
    sent += static_cast<size_t>(n);
  }
  // Read until the reply is complete: one line, plus the payload for a bulk string.
  std::string reply;
  while (true) {
    const auto eol = reply.find("\r\n");
    if (eol != std::string::npos) {
      const std::string line = reply.substr(0, eol);
      if (line.empty())
        return absl::InternalError(absl::StrCat("redis ", address, ": empty reply"));
      if (line[0] == '-') {
        return absl::FailedPreconditionError(absl::StrCat("redis ", address, ": ", line.substr(1)));
      }
      if (line[0] != '$') return line;
      int64_t length = 0;
      if (!absl::SimpleAtoi(line.substr(1), &length)) {
        return absl::InternalError(absl::StrCat("redis ", address, ": bad reply '", line, "'"));
      }
      if (length < 0) return std::string("(nil)");
      if (reply.size() >= eol + 2 + static_cast<size_t>(length) + 2) {
        return reply.substr(eol + 2, static_cast<size_t>(length));
      }
    }
    pollfd pfd{*fd, POLLIN, 0};
    const int rc = poll(&pfd, 1, RemainingMs(deadline));
    if (rc < 0 && errno == EINTR) continue;
    if (rc != 1) return absl::UnavailableError(absl::StrCat("redis ", address, ": no reply"));
    char buf[4096];
    const ssize_t n = recv(*fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) {
      return absl::UnavailableError(absl::StrCat("redis ", address, ": connection closed"));
    }
    reply.append(buf, static_cast<size_t>(n));
  }
}

absl::Status PingRedis(const std::string& address, absl::Duration timeout) {
  absl::StatusOr<std::string> reply = RedisCommand(address, "PING", timeout);
  if (!reply.ok()) return reply.status();
  if (*reply != "+PONG") {
    return absl::UnavailableError(
        absl::StrCat("redis ", address, ": PING answered '", *reply, "'"));
  }
  return absl::OkStatus();
}

absl::Status WaitForRedis(const std::string& address, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  absl::Status last = absl::DeadlineExceededError("no PING sent");
  while (true) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return last;
    last = PingRedis(address, std::min(left, absl::Seconds(1)));
    if (last.ok()) return last;
    absl::SleepFor(std::min(kRetryPause, std::max(deadline - absl::Now(), absl::ZeroDuration())));
  }
}

absl::Status CanConnect(const std::string& address, absl::Duration timeout) {
  absl::StatusOr<int> fd = Connect(address, absl::Now() + timeout);
  if (!fd.ok()) return fd.status();
  close(*fd);
  return absl::OkStatus();
}

}  // namespace concerto::local
