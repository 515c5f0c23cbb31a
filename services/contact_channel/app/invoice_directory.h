// DebtorDirectory: where the contact-channel service reads personal data and invoice details
// when it acts — the invoice service's GetDebtorContact and GetInvoice — behind an interface, so
// the dispatcher and the API are tested with a fake. Nothing read here is stored or logged.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "concerto/invoice/v1/invoice_api.grpc.pb.h"

namespace concerto::contact {

// DebtorDirectory reads debtor master data and invoices of the invoice service.
class DebtorDirectory {
 public:
  virtual ~DebtorDirectory() = default;
  // GetDebtorContact: the debtor's master data for `purpose` (recorded by the invoice service
  // for audit). FAILED_PRECONDITION when erased or restricted, NOT_FOUND when unknown,
  // UNAVAILABLE when the invoice service cannot be reached (retry later).
  virtual absl::StatusOr<invoice::v1::Debtor> GetDebtorContact(
      const std::string& tenant, const std::string& debtor_id,
      invoice::v1::ContactPurpose purpose, const std::string& case_id) = 0;
  // GetInvoice: one invoice by its service id (number and payment reference for messages).
  virtual absl::StatusOr<invoice::v1::Invoice> GetInvoice(const std::string& tenant,
                                                          const std::string& invoice_id) = 0;
};

// GrpcDebtorDirectory calls the invoice service at `target` ("host:port") as the system actor
// "contact-channel", each call with `timeout`.
class GrpcDebtorDirectory final : public DebtorDirectory {
 public:
  explicit GrpcDebtorDirectory(const std::string& target,
                               absl::Duration timeout = absl::Seconds(5));
  absl::StatusOr<invoice::v1::Debtor> GetDebtorContact(const std::string& tenant,
                                                       const std::string& debtor_id,
                                                       invoice::v1::ContactPurpose purpose,
                                                       const std::string& case_id) override;
  absl::StatusOr<invoice::v1::Invoice> GetInvoice(const std::string& tenant,
                                                  const std::string& invoice_id) override;

 private:
  std::unique_ptr<invoice::v1::InvoiceService::Stub> stub_;
  const absl::Duration timeout_;
};

// UnavailableDirectory answers UNAVAILABLE: the service runs without --invoice-target, so
// attempts wait (their watchdogs retry) until it is configured.
class UnavailableDirectory final : public DebtorDirectory {
 public:
  absl::StatusOr<invoice::v1::Debtor> GetDebtorContact(const std::string&, const std::string&,
                                                       invoice::v1::ContactPurpose,
                                                       const std::string&) override;
  absl::StatusOr<invoice::v1::Invoice> GetInvoice(const std::string&, const std::string&) override;
};

}  // namespace concerto::contact
