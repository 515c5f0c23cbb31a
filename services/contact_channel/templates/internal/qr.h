// QR code matrix for the EPC069-12 payload (private to templates/): libqrencode at error
// correction level M, byte mode, as the EPC guidelines require (at most version 13).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace concerto::contact::internal {

// QrMatrix is a square of modules, row by row; true is dark.
struct QrMatrix {
  int version = 0;
  int width = 0;
  std::vector<bool> dark;

  // At says whether module (x, y) is dark; 0 <= x, y < width.
  bool At(int x, int y) const { return dark[static_cast<size_t>(y) * width + x]; }
};

// kMaxEpcQrVersion is the largest QR version EPC069-12 allows.
inline constexpr int kMaxEpcQrVersion = 13;

// EncodeEpcQr encodes `payload` at level M in byte mode. INVALID_ARGUMENT when empty or when it
// needs a version above kMaxEpcQrVersion; INTERNAL if libqrencode fails.
absl::StatusOr<QrMatrix> EncodeEpcQr(const std::string& payload);

}  // namespace concerto::contact::internal
