// LegalService over gRPC: read legal cases (one, or a filtered page), move them through their
// stages, book costs, record a settlement, close with an outcome, recall, and export the
// partner's dossier. Every write is a command through the unit of work on the debtor's account,
// found through the legal case index the handler writes. Tenant scope on every call (another
// tenant's case is NOT_FOUND); bad input is INVALID_ARGUMENT naming the field.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "concerto/legal/v1/legal_api.grpc.pb.h"
#include "libs/platform/clock.h"
#include "libs/platform/event_processor.h"
#include "services/legal_escalation/domain/legal_state.pb.h"

namespace concerto::legal {

// LegalServiceImpl serves every rpc of legal_api.proto over the processor's unit of work
// (writes) and its reads of committed state (GetLegalCase, ListLegalCases, ExportDossier).
class LegalServiceImpl final : public v1::LegalService::Service {
 public:
  LegalServiceImpl(platform::EventProcessor* processor, const platform::Clock* clock)
      : processor_(processor), clock_(clock) {}

  grpc::Status GetLegalCase(grpc::ServerContext*, const v1::GetLegalCaseRequest* request,
                            v1::LegalCaseResponse* response) override;
  grpc::Status ListLegalCases(grpc::ServerContext*, const v1::ListLegalCasesRequest* request,
                              v1::ListLegalCasesResponse* response) override;
  grpc::Status RecordStage(grpc::ServerContext*, const v1::RecordStageRequest* request,
                           v1::LegalCaseResponse* response) override;
  grpc::Status RecordCost(grpc::ServerContext*, const v1::RecordCostRequest* request,
                          v1::LegalCaseResponse* response) override;
  grpc::Status Settle(grpc::ServerContext*, const v1::SettleRequest* request,
                      v1::LegalCaseResponse* response) override;
  grpc::Status Close(grpc::ServerContext*, const v1::CloseRequest* request,
                     v1::LegalCaseResponse* response) override;
  grpc::Status Recall(grpc::ServerContext*, const v1::RecallRequest* request,
                      v1::LegalCaseResponse* response) override;
  grpc::Status ExportDossier(grpc::ServerContext*, const v1::ExportDossierRequest* request,
                             v1::ExportDossierResponse* response) override;

 private:
  // AccountOf is the account key of `legal_case_id` in `tenant` (NOT_FOUND otherwise).
  absl::StatusOr<std::string> AccountOf(const std::string& tenant,
                                        const std::string& legal_case_id);
  // LoadAccount reads a debtor account (nullopt: none).
  absl::StatusOr<std::optional<state::v1::LegalAccount>> LoadAccount(const std::string& key);

  platform::EventProcessor* processor_;
  const platform::Clock* clock_;
};

// Sha256Hex is the lower-case hex SHA-256 digest of `bytes`.
std::string Sha256Hex(const std::string& bytes);

}  // namespace concerto::legal
