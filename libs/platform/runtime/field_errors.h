// The error model of every Concerto API: a bad request is INVALID_ARGUMENT whose message lists
// every problem ("debtor_id: required\namount.minor_units: must be > 0") and whose gRPC error
// details carry a google.rpc.BadRequest with one field violation per problem.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "concerto/common/v1/types.pb.h"
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

// ---- checks shared by every API's request validation ----

// ValidTenant: letters, digits, '.', '_' and '-', 1..64 characters (no '/', no glob characters:
// the tenant is part of Redis keys and SCAN patterns).
bool ValidTenant(std::string_view tenant);

// CheckRequestContext: tenant always; for writes also idempotency_key and actor.id.
void CheckRequestContext(const common::v1::RequestContext& ctx, bool write, FieldErrors* errors);

// CheckRequired: non-empty, at most `max` characters, no control characters.
void CheckRequired(const std::string& value, const std::string& field, FieldErrors* errors,
                   size_t max = 128);

// ValidDate: a real calendar day between the years 1900 and 9999.
bool ValidDate(const common::v1::Date& date);

}  // namespace concerto::platform
