// stack.env formatting and parsing, and file helpers (see stack_env.h).
#include "deploy/local/stack/stack_env.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace concerto::local {

std::string EnvKey(const std::string& service, const std::string& suffix) {
  return absl::StrCat(absl::AsciiStrToUpper(absl::StrReplaceAll(service, {{"-", "_"}})), "_",
                      suffix);
}

std::string FormatStackEnv(const StackAddresses& addresses) {
  std::string out = absl::StrCat("KAFKA_BROKERS=", addresses.kafka_brokers, "\n",
                                 "KAFKA_CONTROL=", addresses.kafka_control, "\n",
                                 "REDIS=", addresses.redis, "\n");
  for (const auto& [service, address] : addresses.grpc) {
    absl::StrAppend(&out, EnvKey(service, "GRPC"), "=", address, "\n");
    const auto metrics = addresses.metrics.find(service);
    if (metrics != addresses.metrics.end()) {
      absl::StrAppend(&out, EnvKey(service, "METRICS"), "=", metrics->second, "\n");
    }
  }
  return out;
}

absl::StatusOr<StackAddresses> ParseStackEnv(const std::string& text) {
  StackAddresses addresses;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    const auto eq = line.find('=');
    if (eq == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("stack.env: no '=' in line '", line, "'"));
    }
    const std::string key(line.substr(0, eq));
    const std::string value(line.substr(eq + 1));
    // Service keys map back to names: CONTACT_CHANNEL_GRPC -> contact-channel.
    auto service_of = [&key](absl::string_view suffix) {
      return absl::AsciiStrToLower(
          absl::StrReplaceAll(key.substr(0, key.size() - suffix.size()), {{"_", "-"}}));
    };
    if (key == "KAFKA_BROKERS") {
      addresses.kafka_brokers = value;
    } else if (key == "KAFKA_CONTROL") {
      addresses.kafka_control = value;
    } else if (key == "REDIS") {
      addresses.redis = value;
    } else if (absl::EndsWith(key, "_GRPC") && key.size() > 5) {
      addresses.grpc[service_of("_GRPC")] = value;
    } else if (absl::EndsWith(key, "_METRICS") && key.size() > 8) {
      addresses.metrics[service_of("_METRICS")] = value;
    }
  }
  return addresses;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": ", std::strerror(errno)));
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

absl::Status WriteFileAtomically(const std::string& path, const std::string& content) {
  const std::string temp = absl::StrCat(path, ".tmp.", getpid());
  const int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return absl::InternalError(absl::StrCat(temp, ": ", std::strerror(errno)));
  size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string error = std::strerror(errno);
      close(fd);
      unlink(temp.c_str());
      return absl::InternalError(absl::StrCat(temp, ": ", error));
    }
    written += static_cast<size_t>(n);
  }
  fsync(fd);
  close(fd);
  if (rename(temp.c_str(), path.c_str()) != 0) {
    const std::string error = std::strerror(errno);
    unlink(temp.c_str());
    return absl::InternalError(absl::StrCat("rename to ", path, ": ", error));
  }
  return absl::OkStatus();
}

absl::Status MakeDirs(const std::string& path) {
  if (path.empty()) return absl::InvalidArgumentError("empty directory path");
  std::string prefix;
  for (absl::string_view part : absl::StrSplit(path, '/')) {
    absl::StrAppend(&prefix, part, "/");
    if (part.empty() || part == ".") continue;
    if (mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
      return absl::InternalError(absl::StrCat("mkdir ", prefix, ": ", std::strerror(errno)));
    }
  }
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return absl::InternalError(absl::StrCat(path, ": not a directory"));
  }
  return absl::OkStatus();
}

}  // namespace concerto::local
