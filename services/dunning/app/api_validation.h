// Request validation of the dunning gRPC APIs (pure, no I/O) and the error model: a bad request
// is INVALID_ARGUMENT whose message lists every problem ("debtor_id: required; ...") and whose
// gRPC error details carry a google.rpc.BadRequest with one field violation per problem.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "concerto/dunning/v1/dunning_api.pb.h"
#include "grpcpp/support/status.h"

namespace concerto::dunning {

// FieldError names a request field ("context.tenant", "amount.minor_units") and what is wrong.
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
// else the "field: what" lines of the message (the engine's and the YAML parser's style, with
// "path (line N): what" read as field "path", description "line N: what").
FieldErrors FieldErrorsOf(const absl::Status& status);

// ToGrpc converts a status for the wire; INVALID_ARGUMENT carries its field violations in the
// grpc-status-details-bin trailer (a google.rpc.Status holding a google.rpc.BadRequest).
grpc::Status ToGrpc(const absl::Status& status);

// BadRequestOf decodes the field violations of a grpc::Status (tests and clients).
FieldErrors BadRequestOf(const grpc::Status& status);

// ValidTenant: letters, digits, '.', '_' and '-', 1..64 characters (no '/', no glob characters:
// the tenant is part of Redis keys and SCAN patterns).
bool ValidTenant(std::string_view tenant);

// Validate* return every problem of a request. `today` is the tenant's calendar day (a promise
// cannot be for a day already past).
FieldErrors ValidateGetCase(const v1::GetCaseRequest& r);
FieldErrors ValidateListCases(const v1::ListCasesRequest& r);
FieldErrors ValidatePause(const v1::PauseCaseRequest& r);
FieldErrors ValidateResume(const v1::ResumeCaseRequest& r);
FieldErrors ValidateRecordDispute(const v1::RecordDisputeRequest& r);
FieldErrors ValidateResolveDispute(const v1::ResolveDisputeRequest& r);
FieldErrors ValidateRecordPromise(const v1::RecordPromiseRequest& r, absl::CivilDay today);
FieldErrors ValidateAddNote(const v1::AddNoteRequest& r);
FieldErrors ValidateAssignAgent(const v1::AssignAgentRequest& r);
FieldErrors ValidateRequestEscalation(const v1::RequestEscalationRequest& r);

FieldErrors ValidatePutStrategy(const v1::PutStrategyRequest& r);
FieldErrors ValidateGetStrategy(const v1::GetStrategyRequest& r);
FieldErrors ValidateListVersions(const v1::ListVersionsRequest& r);
FieldErrors ValidateActivateStrategy(const v1::ActivateStrategyRequest& r);
FieldErrors ValidateSimulate(const v1::SimulateRequest& r);

// ValidDate is true for a real calendar day between 1900-01-01 and 9999-12-31.
bool ValidDate(const common::v1::Date& d);

}  // namespace concerto::dunning
