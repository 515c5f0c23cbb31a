#include "services/contact_channel/app/invoice_directory.h"

#include <chrono>

#include "grpcpp/grpcpp.h"

namespace concerto::contact {
namespace {

absl::Status FromGrpc(const grpc::Status& s, const char* what) {
  // Only the code and the service's message (which carries no personal data) are kept.
  const std::string message = std::string(what) + ": " + s.error_message();
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()), message);
}

void Fill(common::v1::RequestContext* ctx, const std::string& tenant) {
  ctx->set_tenant(tenant);
  ctx->mutable_actor()->set_id("contact-channel");
  ctx->mutable_actor()->set_role(common::v1::Actor::ROLE_SYSTEM);
}

}  // namespace

GrpcDebtorDirectory::GrpcDebtorDirectory(const std::string& target, absl::Duration timeout)
    : stub_(invoice::v1::InvoiceService::NewStub(
          grpc::CreateChannel(target, grpc::InsecureChannelCredentials()))),
      timeout_(timeout) {}

absl::StatusOr<invoice::v1::Debtor> GrpcDebtorDirectory::GetDebtorContact(
    const std::string& tenant, const std::string& debtor_id, invoice::v1::ContactPurpose purpose,
    const std::string& case_id) {
  invoice::v1::GetDebtorContactRequest req;
  Fill(req.mutable_context(), tenant);
  req.set_debtor_id(debtor_id);
  req.set_purpose(purpose);
  req.set_case_id(case_id);
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
  invoice::v1::GetDebtorContactResponse resp;
  grpc::Status s = stub_->GetDebtorContact(&ctx, req, &resp);
  if (!s.ok()) return FromGrpc(s, "GetDebtorContact");
  return resp.debtor();
}

absl::StatusOr<invoice::v1::Invoice> GrpcDebtorDirectory::GetInvoice(const std::string& tenant,
                                                                     const std::string& invoice_id) {
  invoice::v1::GetInvoiceRequest req;
  Fill(req.mutable_context(), tenant);
  req.mutable_invoice()->set_invoice_id(invoice_id);
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
  invoice::v1::GetInvoiceResponse resp;
  grpc::Status s = stub_->GetInvoice(&ctx, req, &resp);
  if (!s.ok()) return FromGrpc(s, "GetInvoice");
  return resp.invoice();
}

absl::StatusOr<invoice::v1::Debtor> UnavailableDirectory::GetDebtorContact(
    const std::string&, const std::string&, invoice::v1::ContactPurpose, const std::string&) {
  return absl::UnavailableError("GetDebtorContact: no --invoice-target configured");
}

absl::StatusOr<invoice::v1::Invoice> UnavailableDirectory::GetInvoice(const std::string&,
                                                                      const std::string&) {
  return absl::UnavailableError("GetInvoice: no --invoice-target configured");
}

}  // namespace concerto::contact
