// W3C Trace Context helpers for Kafka headers: a `traceparent` value travels with every event so
// one collection case can be followed across services.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "libs/platform/kafka/types.h"

namespace concerto::platform::kafka {

// kTraceparentHeader is the header name that carries the traceparent.
inline constexpr std::string_view kTraceparentHeader = "traceparent";

// NewTraceparent starts a trace: "00-<32 hex trace id>-<16 hex span id>-01" with random ids.
std::string NewTraceparent();

// ChildTraceparent keeps the trace id of `parent` with a new random span id; a malformed parent
// starts a new trace instead.
std::string ChildTraceparent(std::string_view parent);

// FindHeader returns the value of the first header named `key`, if any.
std::optional<std::string> FindHeader(const Headers& headers, std::string_view key);

}  // namespace concerto::platform::kafka
