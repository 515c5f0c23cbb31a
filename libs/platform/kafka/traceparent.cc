#include "libs/platform/kafka/traceparent.h"

#include <cstdint>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace concerto::platform::kafka {
namespace {

// RandomHex returns `words` random non-zero 64-bit words as lower-case hex (16 chars each).
std::string RandomHex(int words) {
  thread_local absl::BitGen gen;
  while (true) {
    std::string out;
    bool all_zero = true;
    for (int i = 0; i < words; ++i) {
      const uint64_t w = absl::Uniform<uint64_t>(gen);
      all_zero = all_zero && w == 0;
      absl::StrAppend(&out, absl::Hex(w, absl::kZeroPad16));
    }
    if (!all_zero) return out;  // an all-zero id is invalid in W3C Trace Context
  }
}

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isdigit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return s.find_first_not_of('0') != std::string_view::npos;
}

}  // namespace

std::string NewTraceparent() { return absl::StrCat("00-", RandomHex(2), "-", RandomHex(1), "-01"); }

std::string ChildTraceparent(std::string_view parent) {
  // version(2) - trace id(32) - span id(16) - flags(2)
  if (parent.size() < 55 || parent[2] != '-' || parent[35] != '-' || parent[52] != '-') {
    return NewTraceparent();
  }
  const std::string_view trace_id = parent.substr(3, 32);
  if (!IsLowerHex(trace_id)) return NewTraceparent();
  return absl::StrCat("00-", absl::string_view(trace_id.data(), trace_id.size()), "-", RandomHex(1),
                      "-01");
}

std::optional<std::string> FindHeader(const Headers& headers, std::string_view key) {
  for (const auto& [name, value] : headers) {
    if (name == key) return value;
  }
  return std::nullopt;
}

}  // namespace concerto::platform::kafka
