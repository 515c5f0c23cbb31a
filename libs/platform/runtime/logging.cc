#include "libs/platform/runtime/logging.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <mutex>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/platform/runtime/internal/string_view.h"

namespace concerto::platform {
namespace {

struct LogState {
  std::mutex mu;
  std::string service;
  std::string instance;
  LogSink sink;
};

LogState& State() {
  static LogState* state = new LogState();  // never destroyed: logging works during exit
  return *state;
}

std::atomic<LogLevel> min_level{LogLevel::kInfo};
thread_local std::string current_correlation_id;

// Length of the valid UTF-8 sequence at the start of `s`, or 0 if it is not valid.
size_t Utf8SequenceLength(std::string_view s) {
  const auto b0 = static_cast<unsigned char>(s[0]);
  size_t len;
  uint32_t min;
  uint32_t cp;
  if (b0 < 0x80) return 1;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, min = 0x80, cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, min = 0x800, cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, min = 0x10000, cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (s.size() < len) return 0;
  for (size_t i = 1; i < len; ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

void WriteToStderr(std::string_view line) {
  std::string buf;
  buf.reserve(line.size() + 1);
  buf.append(line);
  buf.push_back('\n');
  const char* p = buf.data();
  size_t left = buf.size();
  while (left > 0) {
    const ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

bool IsReservedKey(std::string_view key) {
  return key == "ts" || key == "level" || key == "service" || key == "instance" || key == "msg" ||
         key == "correlation_id";
}

void AppendField(std::string& out, std::string_view key, std::string_view value) {
  out.push_back(',');
  AppendJsonString(out, key);
  out.push_back(':');
  AppendJsonString(out, value);
}

}  // namespace

void InitLogging(std::string service, std::string instance) {
  LogState& state = State();
  std::lock_guard<std::mutex> lock(state.mu);
  state.service = std::move(service);
  state.instance = std::move(instance);
}

void SetMinLogLevel(LogLevel level) { min_level.store(level, std::memory_order_relaxed); }

LogLevel MinLogLevel() { return min_level.load(std::memory_order_relaxed); }

absl::StatusOr<LogLevel> ParseLogLevel(std::string_view name) {
  const std::string s = absl::AsciiStrToLower(internal::AbslView(name));
  if (s == "debug") return LogLevel::kDebug;
  if (s == "info") return LogLevel::kInfo;
  if (s == "warn" || s == "warning") return LogLevel::kWarn;
  if (s == "error") return LogLevel::kError;
  return absl::InvalidArgumentError(absl::StrCat("log level '", internal::AbslView(name),
                                                 "' is not one of debug, info, warn, error"));
}

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const size_t len = Utf8SequenceLength(s.substr(i));
      if (len == 0) {
        out.append("\xEF\xBF\xBD");  // U+FFFD
        ++i;
      } else {
        out.append(s.substr(i, len));
        i += len;
      }
      continue;
    }
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out.append("\\u00");
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out.push_back('"');
}

std::string FormatLogLine(LogLevel level, absl::Time ts, std::string_view msg,
                          std::initializer_list<LogField> fields) {
  std::string service;
  std::string instance;
  {
    LogState& state = State();
    std::lock_guard<std::mutex> lock(state.mu);
    service = state.service;
    instance = state.instance;
  }
  std::string out;
  out.reserve(160 + msg.size());
  out.append("{\"ts\":");
  AppendJsonString(out, absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", ts, absl::UTCTimeZone()));
  AppendField(out, "level", LogLevelName(level));
  AppendField(out, "service", service);
  AppendField(out, "instance", instance);
  AppendField(out, "msg", msg);
  if (!current_correlation_id.empty()) AppendField(out, "correlation_id", current_correlation_id);
  for (const auto& [key, value] : fields) {
    if (IsReservedKey(key)) {
      AppendField(out, absl::StrCat("field.", internal::AbslView(key)), value);
    } else {
      AppendField(out, key, value);
    }
  }
  out.push_back('}');
  return out;
}

void Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) {
  if (level < MinLogLevel()) return;
  const std::string line = FormatLogLine(level, absl::Now(), msg, fields);
  LogState& state = State();
  // One lock around the write: lines from different threads never interleave.
  std::lock_guard<std::mutex> lock(state.mu);
  if (state.sink) {
    state.sink(line);
  } else {
    WriteToStderr(line);
  }
}

void SetLogSink(LogSink sink) {
  LogState& state = State();
  std::lock_guard<std::mutex> lock(state.mu);
  state.sink = std::move(sink);
}

ScopedCorrelationId::ScopedCorrelationId(std::string id)
    : previous_(std::exchange(current_correlation_id, std::move(id))) {}

ScopedCorrelationId::~ScopedCorrelationId() { current_correlation_id = std::move(previous_); }

std::string CurrentCorrelationId() { return current_correlation_id; }

}  // namespace concerto::platform
