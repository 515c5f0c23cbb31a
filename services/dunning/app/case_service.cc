#include "services/dunning/app/case_service.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "services/dunning/app/dunning_handler.h"

namespace concerto::dunning {

platform::Input CommandInput(const common::v1::RequestContext& ctx, const std::string& debtor_id,
                             const app::CaseCommand& command) {
  platform::Input in;
  in.kind = platform::Input::Kind::kCommand;
  in.id = absl::StrCat(ctx.tenant(), "/", ctx.idempotency_key());
  in.aggregate_key = CaseKey(ctx.tenant(), debtor_id);
  in.tenant = ctx.tenant();
  in.command = command.SerializeAsString();
  return in;
}

absl::StatusOr<v1::CaseCommandResponse> CommandOutcome(const platform::ItemOutcome& outcome,
                                                       const std::string& command) {
  using Kind = platform::ItemOutcome::Kind;
  switch (outcome.kind) {
    case Kind::kApplied:
    case Kind::kDuplicate: {
      app::CommandResult stored;
      if (!stored.ParseFromString(outcome.result)) {
        return absl::InternalError("stored command result does not decode");
      }
      if (outcome.kind == Kind::kDuplicate && stored.command() != command) {
        return InvalidArgument(
            {{"context.idempotency_key", "already used for a different request"}});
      }
      return stored.response();
    }
    case Kind::kRejected:
      if (outcome.handler_status.GetPayload(kCaseNotFoundPayload).has_value()) {
        return absl::NotFoundError("debtor_id: no case for this debtor");
      }
      return outcome.handler_status;
    default:
      return outcome.handler_status.ok() ? absl::InternalError("command was not applied")
                                         : outcome.handler_status;
  }
}

absl::CivilDay CaseServiceImpl::Today() const {
  return absl::ToCivilDay(clock_->Now(), absl::UTCTimeZone());
}

grpc::Status CaseServiceImpl::Run(const common::v1::RequestContext& ctx,
                                  const std::string& debtor_id, const FieldErrors& errors,
                                  const app::CaseCommand& command,
                                  v1::CaseCommandResponse* response) {
  if (!errors.empty()) return ToGrpc(InvalidArgument(errors));
  platform::Input in = CommandInput(ctx, debtor_id, command);
  std::string serialized = in.command;
  absl::StatusOr<platform::ItemOutcome> outcome = processor_->Execute(std::move(in));
  if (!outcome.ok()) return ToGrpc(outcome.status());
  absl::StatusOr<v1::CaseCommandResponse> reply = CommandOutcome(*outcome, serialized);
  if (!reply.ok()) return ToGrpc(reply.status());
  *response = *std::move(reply);
  return grpc::Status::OK;
}

grpc::Status CaseServiceImpl::GetCase(grpc::ServerContext*, const v1::GetCaseRequest* request,
                                      v1::GetCaseResponse* response) {
  if (FieldErrors e = ValidateGetCase(*request); !e.empty()) return ToGrpc(InvalidArgument(e));
  auto c = reader_->Get(request->context().tenant(), request->debtor_id());
  if (!c.ok()) return ToGrpc(c.status());
  if (!c->has_value()) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "debtor_id: no case for this debtor");
  }
  *response->mutable_case_() = **std::move(c);
  return grpc::Status::OK;
}

grpc::Status CaseServiceImpl::ListCases(grpc::ServerContext*, const v1::ListCasesRequest* request,
                                        v1::ListCasesResponse* response) {
  if (FieldErrors e = ValidateListCases(*request); !e.empty()) return ToGrpc(InvalidArgument(e));
  auto page = reader_->List(*request, Today());
  if (!page.ok()) return ToGrpc(page.status());
  *response = *std::move(page);
  return grpc::Status::OK;
}

grpc::Status CaseServiceImpl::PauseCase(grpc::ServerContext*, const v1::PauseCaseRequest* request,
                                        v1::CaseCommandResponse* response) {
  app::CaseCommand cmd;
  *cmd.mutable_pause() = *request;
  return Run(request->context(), request->debtor_id(), ValidatePause(*request), cmd, response);
}

grpc::Status CaseServiceImpl::ResumeCase(grpc::ServerContext*,
                                         const v1::ResumeCaseRequest* request,
                                         v1::CaseCommandResponse* response) {
  app::CaseCommand cmd;
  *cmd.mutable_resume() = *request;
  return Run(request->context(), request->debtor_id(), ValidateResume(*request), cmd, response);
}

grpc::Status CaseServiceImpl::RecordDispute(grpc::ServerContext*,
                                            const v1::RecordDisputeRequest* request,
                                            v1::CaseCommandResponse* response) {
  app::CaseCommand cmd;
  *cmd.mutable_record_dispute() = *request;
  return Run(request->context(), request->debtor_id(), ValidateRecordDispute(*request), cmd,
             response);
}

grpc::Status CaseServiceImpl::ResolveDispute(grpc::ServerContext*,
                                             const v1::ResolveDisputeRequest* request,
                                             v1::CaseCommandResponse* response) {
  app::CaseCommand cmd;
  *cmd.mutable_resolve_dispute() = *request;
  return Run(request->context(), request->debtor_id(), ValidateResolveDispute(*request), cmd,
             response);
}

grpc::Status CaseServiceImpl::RecordPromise(grpc::ServerContext*,
                                            const v1::RecordPromiseRequest* request,
                                            v1::CaseCommandResponse* response) {
  app::CaseCommand cmd;
  *cmd.mutable_record_promise() = *request;
  return Run(request->context(), request->debtor_id(), ValidateRecordPromise(*request, Today()),
             cmd, response);
}

grpc::Status CaseServiceImpl::AddNote(grpc::ServerContext*, const v1::AddNoteRequest* request,
                                      v1::CaseCommandResponse* response) {
  app::CaseCommand cmd;
  *cmd.mutable_add_note() = *request;
  return Run(request->context(), request->debtor_id(), ValidateAddNote(*request), cmd, response);
}

grpc::Status CaseServiceImpl::AssignAgent(grpc::ServerContext*,
                                          const v1::AssignAgentRequest* request,
                                          v1::CaseCommandResponse* response) {
  app::CaseCommand cmd;
  *cmd.mutable_assign_agent() = *request;
  return Run(request->context(), request->debtor_id(), ValidateAssignAgent(*request), cmd,
             response);
}

grpc::Status CaseServiceImpl::RequestEscalation(grpc::ServerContext*,
                                                const v1::RequestEscalationRequest* request,
                                                v1::CaseCommandResponse* response) {
  app::CaseCommand cmd;
  *cmd.mutable_request_escalation() = *request;
  return Run(request->context(), request->debtor_id(), ValidateRequestEscalation(*request), cmd,
             response);
}

}  // namespace concerto::dunning
