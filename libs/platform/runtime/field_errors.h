// The error model of every Concerto API: a bad request is INVALID_ARGUMENT whose message lists
// every problem ("debtor_id: required\namount.minor_units: must be > 0") and whose gRPC error
// details carry a google.rpc.BadRequest with one field violation per problem.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace concerto::platform {

// FieldError names a request field ("context.tenant", "rows[3].due_date") and what is wrong.
struct FieldError {
  std::string field;
  std::string description;
};
using FieldErrors = std::vector<FieldError>;

// The type URL of google.rpc.BadRequest, used as the absl::Status payload key and the Any type.
inline constexpr char kBadRequestTypeUrl[] = "type.googleapis.com/google.rpc.BadRequest";

// InvalidArgument builds INVALID_ARGUMENT from `errors` (OK when empty).
absl::Status InvalidArgument(const FieldErrors& errors);

// FieldErrorsOf returns the field violations of an INVALID_ARGUMENT: the attached BadRequest, or
// else the "field: what" lines of the message (the domain's style, with "path (line N): what"
// read as field "path", description "line N: what").
FieldErrors FieldErrorsOf(const absl::Status& status);

// ToGrpc converts a status for the wire; INVALID_ARGUMENT carries its field violations in the
// grpc-status-details-bin trailer (a google.rpc.Status holding a google.rpc.BadRequest).
grpc::Status ToGrpc(const absl::Status& status);

// BadRequestOf decodes the field violations of a grpc::Status (tests and clients).
FieldErrors BadRequestOf(const grpc::Status& status);

}  // namespace concerto::platform
