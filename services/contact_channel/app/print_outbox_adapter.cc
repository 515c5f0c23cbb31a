#include "services/contact_channel/app/print_outbox_adapter.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace concerto::contact {
namespace {

absl::Status Errno(const std::string& step) {
  return absl::InternalError(absl::StrCat(step, ": ", std::strerror(errno)));
}

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

// FileSafe: attempt ids are "att-<hex>", but a file name must never leave the folder.
bool FileSafe(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  }
  return id[0] != '.';
}

}  // namespace

absl::Status WriteFileAtomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return Errno("open temporary file");
  size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      absl::Status s = Errno("write");
      close(fd);
      return s;
    }
    written += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) {
    absl::Status s = Errno("fsync");
    close(fd);
    return s;
  }
  if (close(fd) != 0) return Errno("close");
  if (rename(tmp.c_str(), path.c_str()) != 0) return Errno("rename");
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  const int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return absl::OkStatus();
}

SendResult PrintOutboxAdapter::Send(const OutboundMessage& m) {
  SendResult result;
  if (!FileSafe(m.attempt_id) || m.document.empty() || m.postal_address.empty()) {
    result.kind = SendResult::Kind::kRejected;
    result.code = m.postal_address.empty() ? "print no-address" : "print no-document";
    return result;
  }
  const std::string pdf = absl::StrCat(dir_, "/", m.attempt_id, ".pdf");
  result.provider_message_id = absl::StrCat(m.attempt_id, ".pdf");
  if (Exists(pdf)) {
    result.kind = SendResult::Kind::kAccepted;  // the same letter, written before a crash
    result.code = "print exists";
    return result;
  }
  mkdir(dir_.c_str(), 0750);
  if (absl::Status s = WriteFileAtomically(absl::StrCat(dir_, "/", m.attempt_id, ".address.txt"),
                                           m.postal_address);
      !s.ok()) {
    result.kind = SendResult::Kind::kTransient;
    result.code = absl::StrCat("print ", s.message());
    return result;
  }
  if (absl::Status s = WriteFileAtomically(pdf, m.document); !s.ok()) {
    result.kind = SendResult::Kind::kTransient;
    result.code = absl::StrCat("print ", s.message());
    return result;
  }
  result.kind = SendResult::Kind::kAccepted;
  result.code = "print written";
  return result;
}

}  // namespace concerto::contact

namespace concerto::contact {

SendResult MessageOutboxAdapter::Send(const OutboundMessage& m) {
  SendResult result;
  if (!FileSafe(m.attempt_id) || m.address.empty()) {
    result.kind = SendResult::Kind::kRejected;
    result.code = m.address.empty() ? "outbox no-address" : "outbox bad-id";
    return result;
  }
  const bool sms = m.channel == v1::CHANNEL_SMS;
  const std::string name = absl::StrCat(m.attempt_id, sms ? ".sms.txt" : ".email.txt");
  const std::string path = absl::StrCat(dir_, "/", name);
  result.provider_message_id = name;
  if (Exists(path)) {
    result.kind = SendResult::Kind::kAccepted;
    result.code = "outbox exists";
    return result;
  }
  mkdir(dir_.c_str(), 0750);
  const std::string content =
      sms ? absl::StrCat("To: ", m.address, "\n\n", m.rendered.sms, "\n")
          : absl::StrCat("From: ", m.sender_name, "\nTo: ", m.recipient_name, " <", m.address,
                         ">\nSubject: ", m.rendered.subject, "\n\n", m.rendered.text, "\n");
  if (absl::Status s = WriteFileAtomically(path, content); !s.ok()) {
    result.kind = SendResult::Kind::kTransient;
    result.code = absl::StrCat("outbox ", s.message());
    return result;
  }
  result.kind = SendResult::Kind::kAccepted;
  result.code = "outbox written";
  return result;
}

}  // namespace concerto::contact
