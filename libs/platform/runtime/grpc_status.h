// Conversion between absl::Status and grpc::Status. The canonical codes are the same numbers,
// so a code crosses the RPC boundary unchanged in both directions.
#pragma once

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace concerto::platform {

/// ToGrpcStatus returns a grpc::Status with the same code and message.
grpc::Status ToGrpcStatus(const absl::Status& status);

/// FromGrpcStatus returns an absl::Status with the same code and message (UNKNOWN for a code
/// outside the canonical range).
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace concerto::platform
