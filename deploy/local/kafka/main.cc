// concerto-kafka: an embedded Kafka broker for tests, demos and local runs (librdkafka's mock
// cluster), with a line-based TCP control port for fault injection. Wiring only: the cluster and
// the commands live in mock_broker.cc.
//
//   concerto-kafka --brokers=3 --topics=events:8,commands:8
//   stdout: bootstrap=127.0.0.1:PORT[,...] / control=127.0.0.1:PORT / ready
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "deploy/local/kafka/mock_broker.h"

ABSL_FLAG(int, brokers, 1, "Number of mock brokers (ids 1..N).");
ABSL_FLAG(std::string, topics, "",
          "Topics to create at start: name:partitions,name:partitions (replication min(3, N)).");

namespace {

using concerto::deploy::kafka::MockBroker;

int Fail(const std::string& message) {
  std::fprintf(stderr, "concerto-kafka: %s\n", message.c_str());
  return 1;
}

// Listen opens a TCP listener on 127.0.0.1 with an ephemeral port; returns fd and port.
int Listen(int* port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || listen(fd, 16) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return -1;
  }
  *port = ntohs(addr.sin_port);
  return fd;
}

void Reply(int fd, const std::string& reply) {
  const std::string line = reply + "\n";
  size_t sent = 0;
  while (sent < line.size()) {
    const ssize_t n = send(fd, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<size_t>(n);
  }
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);

  // Block the stop signals before librdkafka starts threads, so only the signalfd sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  const int signal_fd = signalfd(-1, &stop_signals, SFD_CLOEXEC);
  if (signal_fd < 0) return Fail(std::string("signalfd: ") + std::strerror(errno));

  auto broker = MockBroker::Start(absl::GetFlag(FLAGS_brokers));
  if (!broker.ok()) return Fail(std::string(broker.status().message()));
  for (absl::string_view spec :
       absl::StrSplit(absl::GetFlag(FLAGS_topics), ',', absl::SkipWhitespace())) {
    std::pair<std::string, std::string> parts = absl::StrSplit(spec, absl::MaxSplits(':', 1));
    int partitions = 0;
    if (!absl::SimpleAtoi(parts.second, &partitions)) {
      return Fail("--topics: expected name:partitions, got " + std::string(spec));
    }
    if (auto s = (*broker)->CreateTopic(parts.first, partitions); !s.ok()) {
      return Fail(std::string(s.message()));
    }
  }

  int control_port = 0;
  const int listen_fd = Listen(&control_port);
  if (listen_fd < 0) return Fail(std::string("control listener: ") + std::strerror(errno));

  std::printf("bootstrap=%s\n", (*broker)->bootstrap().c_str());
  std::fflush(stdout);
  std::printf("control=127.0.0.1:%d\n", control_port);
  std::fflush(stdout);
  std::printf("ready\n");
  std::fflush(stdout);

  std::map<int, std::string> clients;  // fd -> bytes received but not yet a full line
  while (true) {
    std::vector<pollfd> fds = {{signal_fd, POLLIN, 0}, {listen_fd, POLLIN, 0}};
    for (const auto& [fd, buffer] : clients) fds.push_back({fd, POLLIN, 0});
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return Fail(std::string("poll: ") + std::strerror(errno));
    }
    if (fds[0].revents != 0) break;  // SIGTERM or SIGINT
    if (fds[1].revents & POLLIN) {
      const int fd = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) clients[fd] = "";
    }
    for (size_t i = 2; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      const int fd = fds[i].fd;
      char buf[4096];
      const ssize_t n = recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) {
        close(fd);
        clients.erase(fd);
        continue;
      }
      std::string& buffer = clients[fd];
      buffer.append(buf, static_cast<size_t>(n));
      for (size_t nl; (nl = buffer.find('\n')) != std::string::npos;) {
        std::string line = buffer.substr(0, nl);
        buffer.erase(0, nl + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        Reply(fd, (*broker)->Execute(line));
      }
    }
  }
  for (const auto& [fd, buffer] : clients) close(fd);
  close(listen_fd);
  broker->reset();  // destroys the cluster
  return 0;
}
