#include "libs/testing/redis_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace concerto::testing {

absl::StatusOr<std::unique_ptr<RedisServer>> RedisServer::Start(const Options& options) {
  std::unique_ptr<RedisServer> server(new RedisServer());
  server->options_ = options;
  char tmpl[] = "/tmp/concerto-redis-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return absl::InternalError("mkdtemp failed");
  server->dir_ = tmpl;
  server->port_ = FreePort();
  server->address_ = absl::StrCat("127.0.0.1:", server->port_);
  absl::Status s = server->Launch();
  if (!s.ok()) return s;
  return server;
}

RedisServer::~RedisServer() {
  process_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

absl::Status RedisServer::Launch() {
  SubprocessOptions opts;
  opts.argv = {"/usr/bin/redis-server", "--port", absl::StrCat(port_), "--bind", "127.0.0.1",
               "--dir", dir_, "--appendonly", "yes", "--appendfsync", options_.appendfsync,
               "--save", "", "--daemonize", "no", "--loglevel", "warning",
               "--logfile", dir_ + "/redis.log"};
  opts.capture_stdout = false;
  opts.stderr_path = dir_ + "/stderr.log";
  auto proc = Subprocess::Start(opts);
  if (!proc.ok()) return proc.status();
  process_ = std::move(*proc);
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline) {
    if (Ping().ok()) return absl::OkStatus();
    if (!process_->Running()) break;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return absl::UnavailableError(absl::StrCat("redis-server on port ", port_, " did not start"));
}

void RedisServer::Kill(int signal) {
  if (!process_) return;
  process_->Signal(signal);
  process_->Wait(absl::Seconds(20));
  process_.reset();
}

absl::Status RedisServer::Restart() {
  Kill(SIGKILL);
  return Launch();
}

absl::Status RedisServer::Ping() const {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  timeval tv{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  absl::Status result = absl::UnavailableError("redis: no PONG");
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      write(fd, "PING\r\n", 6) == 6) {
    char buf[16] = {};
    if (read(fd, buf, sizeof buf - 1) > 0 && std::string(buf).rfind("+PONG", 0) == 0) {
      result = absl::OkStatus();
    }
  }
  close(fd);
  return result;
}

}  // namespace concerto::testing
