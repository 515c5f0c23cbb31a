// PaymentHandler: the payment service's platform::Handler. Debtor accounts ("<tenant>/<debtor>")
// take invoice events (the mirror of open invoices), dunning FeesApplied (costs and interest to
// allocate), fired promise/plan timers and the API's commands, through the pure account decider;
// unmatched payments ("<tenant>/unmatched/<payment_id>") wait for an operator. Index entries
// written with each unit of work let the API find the account of a reference, an invoice, a
// payment or a plan.
#pragma once

#include <optional>
#include <string>

#include "libs/platform/handler.h"
#include "services/payment/domain/account.h"

namespace concerto::payment {

// Index fields (values: the account's aggregate key).
std::string ReferenceIndex(const std::string& tenant, const std::string& normalized_reference);
std::string InvoiceNumberIndex(const std::string& tenant, const std::string& invoice_number);
std::string InvoiceIdIndex(const std::string& tenant, const std::string& invoice_id);
std::string PaymentIndex(const std::string& tenant, const std::string& payment_id);
std::string PlanIndex(const std::string& tenant, const std::string& plan_id);

// UnmatchedKey is the aggregate of a payment in the unmatched queue.
std::string UnmatchedKey(const std::string& tenant, const std::string& payment_id);
inline constexpr char kUnmatchedInfix[] = "/unmatched/";

class PaymentHandler final : public platform::Handler {
 public:
  explicit PaymentHandler(PaymentConfig config = {}) : config_(config) {}
  absl::StatusOr<platform::Effects> Apply(const std::optional<std::string>& state,
                                          const platform::Input& input, absl::Time now) override;

 private:
  const PaymentConfig config_;
};

}  // namespace concerto::payment
