// Structured logging for every service: one JSON object per line on stderr, carrying the
// service, the instance and the correlation id of the unit of work being handled.
#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace concerto::platform {

/// LogLevel orders the severities; lines below the minimum (SetMinLogLevel) are dropped.
enum class LogLevel { kDebug, kInfo, kWarn, kError };

/// LogField is one extra key/value of a log line; values are always JSON strings.
using LogField = std::pair<std::string_view, std::string>;

/// InitLogging sets the `service` and `instance` written on every line. Call once in main().
void InitLogging(std::string service, std::string instance);

/// SetMinLogLevel drops lines below `level` (default kInfo).
void SetMinLogLevel(LogLevel level);

/// MinLogLevel returns the current minimum level.
LogLevel MinLogLevel();

/// ParseLogLevel reads "debug", "info", "warn"/"warning", "error" (any case).
absl::StatusOr<LogLevel> ParseLogLevel(std::string_view name);

/// LogLevelName returns "debug", "info", "warn" or "error".
std::string_view LogLevelName(LogLevel level);

/// Log writes one line, e.g.
///   {"ts":"2024-05-01T08:00:00.000123Z","level":"info","service":"dunning","instance":"d-1",
///    "msg":"case opened","correlation_id":"evt-42","case_id":"c-7"}
/// `correlation_id` appears only inside a ScopedCorrelationId. A field whose key collides with
/// one of the fixed keys is written as "field.<key>".
void Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {});

/// LogDebug logs at kDebug.
inline void LogDebug(std::string_view msg, std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kDebug, msg, fields);
}
/// LogInfo logs at kInfo.
inline void LogInfo(std::string_view msg, std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kInfo, msg, fields);
}
/// LogWarn logs at kWarn.
inline void LogWarn(std::string_view msg, std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kWarn, msg, fields);
}
/// LogError logs at kError.
inline void LogError(std::string_view msg, std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kError, msg, fields);
}

/// ScopedCorrelationId sets the calling thread's correlation id for its lifetime and restores
/// the previous one (scopes nest):
///   ScopedCorrelationId cid(event.id());
///   LogInfo("handled");  // carries "correlation_id":"<event id>"
class ScopedCorrelationId {
 public:
  explicit ScopedCorrelationId(std::string id);
  ~ScopedCorrelationId();
  ScopedCorrelationId(const ScopedCorrelationId&) = delete;
  ScopedCorrelationId& operator=(const ScopedCorrelationId&) = delete;

 private:
  std::string previous_;
};

/// CurrentCorrelationId returns the calling thread's correlation id ("" outside any scope).
std::string CurrentCorrelationId();

/// LogSink receives each complete line, without the trailing newline.
using LogSink = std::function<void(std::string_view line)>;

/// SetLogSink redirects lines (tests); an empty sink restores stderr. Lines reach the sink one
/// at a time (calls are serialized).
void SetLogSink(LogSink sink);

/// FormatLogLine builds the JSON line Log would write at time `ts` (no trailing newline), using
/// the service, instance and correlation id of the calling thread.
std::string FormatLogLine(LogLevel level, absl::Time ts, std::string_view msg,
                          std::initializer_list<LogField> fields = {});

/// AppendJsonString appends `s` as a quoted JSON string: '"', '\\' and control characters are
/// escaped, invalid UTF-8 bytes become U+FFFD, so every line stays valid JSON.
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace concerto::platform
