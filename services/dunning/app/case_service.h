// CaseService: the dunning service's case API. Reads go to Redis through a CaseReader (the
// stored case, never another tenant's); writes validate the request, then run as commands
// through the event processor's unit of work (the same path as events: the pure handler decides,
// state + events + timers + the reply commit together). A retry with the same idempotency key
// gets the stored reply.
#pragma once

#include <memory>
#include <string>

#include "concerto/dunning/v1/dunning_api.grpc.pb.h"
#include "libs/platform/clock.h"
#include "libs/platform/event_processor.h"
#include "services/dunning/app/api_validation.h"
#include "services/dunning/app/case_reader.h"
#include "services/dunning/app/command.pb.h"

namespace concerto::dunning {

class CaseServiceImpl final : public v1::CaseService::Service {
 public:
  CaseServiceImpl(platform::EventProcessor* processor, std::unique_ptr<CaseReader> reader,
                  const platform::Clock* clock)
      : processor_(processor), reader_(std::move(reader)), clock_(clock) {}

  grpc::Status GetCase(grpc::ServerContext* context, const v1::GetCaseRequest* request,
                       v1::GetCaseResponse* response) override;
  grpc::Status ListCases(grpc::ServerContext* context, const v1::ListCasesRequest* request,
                         v1::ListCasesResponse* response) override;
  grpc::Status PauseCase(grpc::ServerContext* context, const v1::PauseCaseRequest* request,
                         v1::CaseCommandResponse* response) override;
  grpc::Status ResumeCase(grpc::ServerContext* context, const v1::ResumeCaseRequest* request,
                          v1::CaseCommandResponse* response) override;
  grpc::Status RecordDispute(grpc::ServerContext* context, const v1::RecordDisputeRequest* request,
                             v1::CaseCommandResponse* response) override;
  grpc::Status ResolveDispute(grpc::ServerContext* context,
                              const v1::ResolveDisputeRequest* request,
                              v1::CaseCommandResponse* response) override;
  grpc::Status RecordPromise(grpc::ServerContext* context, const v1::RecordPromiseRequest* request,
                             v1::CaseCommandResponse* response) override;
  grpc::Status AddNote(grpc::ServerContext* context, const v1::AddNoteRequest* request,
                       v1::CaseCommandResponse* response) override;
  grpc::Status AssignAgent(grpc::ServerContext* context, const v1::AssignAgentRequest* request,
                           v1::CaseCommandResponse* response) override;
  grpc::Status RequestEscalation(grpc::ServerContext* context,
                                 const v1::RequestEscalationRequest* request,
                                 v1::CaseCommandResponse* response) override;

 private:
  // Today is the calendar day (UTC) of the service clock.
  absl::CivilDay Today() const;
  // Run executes `command` for `debtor_id` of the context's tenant (after `errors` are empty).
  grpc::Status Run(const common::v1::RequestContext& ctx, const std::string& debtor_id,
                   const FieldErrors& errors, const app::CaseCommand& command,
                   v1::CaseCommandResponse* response);

  platform::EventProcessor* processor_;
  std::unique_ptr<CaseReader> reader_;
  const platform::Clock* clock_;
};

// CommandInput builds the platform input of a case command: id "<tenant>/<idempotency key>",
// aggregate "<tenant>/<debtor>", the serialized command.
platform::Input CommandInput(const common::v1::RequestContext& ctx, const std::string& debtor_id,
                             const app::CaseCommand& command);

// CommandOutcome turns the processor's outcome into the reply: the stored response for applied
// and duplicate commands (INVALID_ARGUMENT naming context.idempotency_key when the key was used
// for a different request), NOT_FOUND for a case that does not exist, else the rejection.
absl::StatusOr<v1::CaseCommandResponse> CommandOutcome(const platform::ItemOutcome& outcome,
                                                       const std::string& command);

}  // namespace concerto::dunning
