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
#include "libs/platform/runtime/field_errors.h"

namespace concerto::dunning {

using platform::BadRequestOf;
using platform::FieldError;
using platform::FieldErrors;
using platform::FieldErrorsOf;
using platform::InvalidArgument;
using platform::kBadRequestTypeUrl;
using platform::ToGrpc;

using platform::ValidTenant;

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

using platform::ValidDate;

}  // namespace concerto::dunning
