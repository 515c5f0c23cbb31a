// PaymentService over gRPC: payments, reversals, bank statement imports, the unmatched queue,
// promises to pay and repayment plans. Every write is a command through the unit of work on
// the debtor's account (or, for a payment that names no known debtor, on its unmatched-queue
// entry); the account of a reference, an invoice, a payment or a plan is found through the
// index the handler writes. Tenant scope on every call; bad input is INVALID_ARGUMENT naming
// the field.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "concerto/payment/v1/payment_api.grpc.pb.h"
#include "libs/platform/clock.h"
#include "libs/platform/event_processor.h"

namespace concerto::payment {

// PaymentTarget is where a payment goes: a debtor account, or the unmatched queue with a reason.
struct PaymentTarget {
  std::string account_key;  // empty: unmatched
  v1::UnmatchedReason reason = v1::UNMATCHED_REASON_UNSPECIFIED;
  std::string explanation;
};

class PaymentServiceImpl final : public v1::PaymentService::Service {
 public:
  PaymentServiceImpl(platform::EventProcessor* processor, const platform::Clock* clock)
      : processor_(processor), clock_(clock) {}

  grpc::Status RecordPayment(grpc::ServerContext*, const v1::RecordPaymentRequest* request,
                             v1::RecordPaymentResponse* response) override;
  grpc::Status ReversePayment(grpc::ServerContext*, const v1::ReversePaymentRequest* request,
                              v1::ReversePaymentResponse* response) override;
  grpc::Status ImportStatement(grpc::ServerContext*, const v1::ImportStatementRequest* request,
                               v1::ImportStatementResponse* response) override;
  grpc::Status ListUnmatched(grpc::ServerContext*, const v1::ListUnmatchedRequest* request,
                             v1::ListUnmatchedResponse* response) override;
  grpc::Status AssignUnmatched(grpc::ServerContext*, const v1::AssignUnmatchedRequest* request,
                               v1::RecordPaymentResponse* response) override;
  grpc::Status MakePromise(grpc::ServerContext*, const v1::MakePromiseRequest* request,
                           v1::MakePromiseResponse* response) override;
  grpc::Status ProposePlan(grpc::ServerContext*, const v1::ProposePlanRequest* request,
                           v1::PlanResponse* response) override;
  grpc::Status AcceptPlan(grpc::ServerContext*, const v1::AcceptPlanRequest* request,
                          v1::PlanResponse* response) override;
  grpc::Status GetPlan(grpc::ServerContext*, const v1::GetPlanRequest* request,
                       v1::PlanResponse* response) override;

  // Resolve finds the targets of many payments in one index round trip: the debtor named, else
  // the first invoice id, else the structured reference (RF, then as an invoice number), else
  // an invoice number among the words of the remittance text.
  absl::StatusOr<std::vector<PaymentTarget>> Resolve(
      const std::string& tenant, const std::vector<const v1::RecordPaymentRequest*>& payments);

 private:
  platform::EventProcessor* processor_;
  const platform::Clock* clock_;
};

// PaymentIdFor is the payment id of a payment with this external id (or, without one, this
// idempotency key) in `tenant`: the same bank transaction always gets the same id.
std::string PaymentIdFor(const std::string& tenant, const std::string& external_id,
                         const std::string& idempotency_key);

}  // namespace concerto::payment
