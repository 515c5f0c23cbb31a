// ContactService over gRPC: call outcomes and inbound messages (classified into ReplyClassified,
// DisputeRaised, HardshipReported and consent changes), the attempts of a debtor with the
// policy's reasons, the tenant's contact policy, template previews, opt-out and opt-in, and
// survey answers. Every write is a command through the unit of work on the debtor's contact
// record (or the tenant's policies, or a person ledger); tenant scope on every call; bad input
// is INVALID_ARGUMENT naming the field. Personal data in requests (a call note, a message body,
// a sender address, a survey comment) is used and dropped: it is never stored or emitted.
#pragma once

#include <string>

#include "concerto/contact/v1/contact_api.grpc.pb.h"
#include "libs/platform/clock.h"
#include "services/contact_channel/app/aggregate_bus.h"
#include "services/contact_channel/app/contact_state.pb.h"
#include "services/contact_channel/app/invoice_directory.h"
#include "services/contact_channel/app/message_builder.h"
#include "services/contact_channel/app/person_key.h"
#include "services/contact_channel/templates/message_renderer.h"

namespace concerto::contact {

// ContactServiceImpl implements concerto.contact.v1.ContactService.
class ContactServiceImpl : public v1::ContactService::Service {
 public:
  ContactServiceImpl(AggregateBus* bus, DebtorDirectory* directory,
                     const MessageRenderer* renderer, const platform::Clock* clock,
                     MessageSettings settings, const std::string& person_key_secret);

  grpc::Status RecordCallOutcome(grpc::ServerContext*, const v1::RecordCallOutcomeRequest* request,
                                 v1::RecordCallOutcomeResponse* response) override;
  grpc::Status RecordInboundMessage(grpc::ServerContext*,
                                    const v1::RecordInboundMessageRequest* request,
                                    v1::RecordInboundMessageResponse* response) override;
  grpc::Status ListAttempts(grpc::ServerContext*, const v1::ListAttemptsRequest* request,
                            v1::ListAttemptsResponse* response) override;
  grpc::Status GetPolicy(grpc::ServerContext*, const v1::GetPolicyRequest* request,
                         v1::GetPolicyResponse* response) override;
  grpc::Status PutPolicy(grpc::ServerContext*, const v1::PutPolicyRequest* request,
                         v1::PutPolicyResponse* response) override;
  grpc::Status PreviewTemplate(grpc::ServerContext*, const v1::PreviewTemplateRequest* request,
                               v1::PreviewTemplateResponse* response) override;
  grpc::Status OptOut(grpc::ServerContext*, const v1::OptOutRequest* request,
                      v1::ConsentState* response) override;
  grpc::Status OptIn(grpc::ServerContext*, const v1::OptInRequest* request,
                     v1::ConsentState* response) override;
  grpc::Status RecordSurveyAnswer(grpc::ServerContext*, const v1::RecordSurveyAnswerRequest* request,
                                  v1::RecordSurveyAnswerResponse* response) override;

 private:
  absl::StatusOr<std::optional<app::DebtorRecord>> ReadRecord(const std::string& tenant,
                                                              const std::string& debtor_id);
  absl::StatusOr<app::TenantPolicies> ReadPolicies(const std::string& tenant);
  grpc::Status Consent(const common::v1::RequestContext& ctx, const std::string& debtor_id,
                       v1::Channel channel, const std::string& contact_point_id,
                       const std::string& source, bool opt_out, v1::ConsentState* response);
  // RecordCallInLedger counts a call in the person ledger (best effort after the call outcome
  // is committed; a failure is logged and the next call outcome or attempt still counts).
  void RecordCallInLedger(const std::string& tenant, const std::string& debtor_id,
                          const v1::RecordCallOutcomeRequest& request, const std::string& reply_id);

  AggregateBus* bus_;
  DebtorDirectory* directory_;
  const MessageRenderer* renderer_;
  const platform::Clock* clock_;
  const MessageSettings settings_;
  const KeyedHasher hasher_;
};

// ToApiAttempt is how ListAttempts shows an attempt.
v1::ContactAttempt ToApiAttempt(const app::Attempt& attempt);

}  // namespace concerto::contact
