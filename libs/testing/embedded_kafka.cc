#include "libs/testing/embedded_kafka.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

namespace concerto::testing {
namespace {

constexpr absl::Duration kStartTimeout = absl::Seconds(20);
constexpr absl::Duration kControlTimeout = absl::Seconds(10);

// Fd closes a socket when it goes out of scope.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

}  // namespace

absl::StatusOr<std::unique_ptr<EmbeddedKafka>> EmbeddedKafka::Start(const Options& options) {
  SubprocessOptions sub;
  sub.argv = {BinaryPath("bin/concerto-kafka"), absl::StrCat("--brokers=", options.brokers)};
  if (!options.topics.empty()) {
    sub.argv.push_back(absl::StrCat(
        "--topics=", absl::StrJoin(options.topics, ",", [](std::string* out, const auto& t) {
          absl::StrAppend(out, t.first, ":", t.second);
        })));
  }
  auto process = Subprocess::Start(sub);
  if (!process.ok()) return process.status();
  std::unique_ptr<EmbeddedKafka> kafka(new EmbeddedKafka());
  kafka->process_ = std::move(*process);

  auto bootstrap = kafka->process_->ReadUntilPrefix("bootstrap=", kStartTimeout);
  if (!bootstrap.ok()) return bootstrap.status();
  kafka->bootstrap_ = *bootstrap;
  auto control = kafka->process_->ReadUntilPrefix("control=", kStartTimeout);
  if (!control.ok()) return control.status();
  const absl::string_view hostport = *control;
  const auto colon = hostport.rfind(':');
  if (colon == absl::string_view::npos ||
      !absl::SimpleAtoi(hostport.substr(colon + 1), &kafka->control_port_)) {
    return absl::InternalError(absl::StrCat("concerto-kafka: bad control line: ", hostport));
  }
  auto ready = kafka->process_->ReadUntilPrefix("ready", kStartTimeout);
  if (!ready.ok()) return ready.status();
  return kafka;
}

EmbeddedKafka::~EmbeddedKafka() {
  if (process_ != nullptr) process_->Stop(absl::Seconds(5));
}

absl::Status EmbeddedKafka::Control(const std::string& command) {
  Fd sock{socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  if (sock.fd < 0) return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(control_port_));
  if (connect(sock.fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    return absl::UnavailableError(absl::StrCat("connect to kafka control: ", std::strerror(errno)));
  }
  const std::string line = command + "\n";
  for (size_t sent = 0; sent < line.size();) {
    const ssize_t n = send(sock.fd, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return absl::UnavailableError("send to kafka control failed");
    sent += static_cast<size_t>(n);
  }
  const absl::Time deadline = absl::Now() + kControlTimeout;
  std::string reply;
  while (reply.find('\n') == std::string::npos) {
    pollfd pfd{sock.fd, POLLIN, 0};
    const int wait_ms = static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
    if (wait_ms <= 0 || poll(&pfd, 1, wait_ms) <= 0) {
      return absl::DeadlineExceededError(absl::StrCat("kafka control: no reply to ", command));
    }
    char buf[1024];
    const ssize_t n = recv(sock.fd, buf, sizeof(buf), 0);
    if (n <= 0) return absl::UnavailableError("kafka control closed the connection");
    reply.append(buf, static_cast<size_t>(n));
  }
  reply.resize(reply.find('\n'));
  if (reply == "ok") return absl::OkStatus();
  absl::string_view message = reply;
  absl::ConsumePrefix(&message, "error ");
  return absl::InvalidArgumentError(absl::StrCat("kafka control '", command, "': ", message));
}

absl::Status EmbeddedKafka::BrokerDown(int id) { return Control(absl::StrCat("broker-down ", id)); }

absl::Status EmbeddedKafka::BrokerUp(int id) { return Control(absl::StrCat("broker-up ", id)); }

absl::Status EmbeddedKafka::CreateTopic(const std::string& name, int partitions) {
  return Control(absl::StrCat("create-topic ", name, " ", partitions));
}

}  // namespace concerto::testing
