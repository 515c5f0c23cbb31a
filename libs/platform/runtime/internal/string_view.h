// Bridges std::string_view (the runtime's public API) and absl::string_view, which Debian's
// Abseil build keeps as a distinct type.
#pragma once

#include <string_view>

#include "absl/strings/string_view.h"

namespace concerto::platform::internal {

// AbslView views the same characters as an absl::string_view.
inline absl::string_view AbslView(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

// StdView views the same characters as a std::string_view.
inline std::string_view StdView(absl::string_view s) {
  return std::string_view(s.data(), s.size());
}

}  // namespace concerto::platform::internal
