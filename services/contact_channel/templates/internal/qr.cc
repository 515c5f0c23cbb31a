#include "services/contact_channel/templates/internal/qr.h"

#include <qrencode.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace concerto::contact::internal {

absl::StatusOr<QrMatrix> EncodeEpcQr(const std::string& payload) {
  if (payload.empty()) return absl::InvalidArgumentError("epc_qr_payload: empty");
  QRcode* code = QRcode_encodeString8bit(payload.c_str(), 0, QR_ECLEVEL_M);
  if (code == nullptr) {
    const int err = errno;
    if (err == ERANGE) {
      return absl::InvalidArgumentError("epc_qr_payload: too long for a QR code");
    }
    return absl::InternalError(absl::StrCat("libqrencode: ", std::strerror(err)));
  }
  QrMatrix m;
  m.version = code->version;
  m.width = code->width;
  m.dark.resize(static_cast<size_t>(m.width) * m.width);
  for (size_t i = 0; i < m.dark.size(); ++i) m.dark[i] = (code->data[i] & 1) != 0;
  QRcode_free(code);
  if (m.version > kMaxEpcQrVersion) {
    return absl::InvalidArgumentError(absl::StrCat("epc_qr_payload: needs QR version ", m.version,
                                                   ", EPC069-12 allows at most ",
                                                   kMaxEpcQrVersion));
  }
  return m;
}

}  // namespace concerto::contact::internal
