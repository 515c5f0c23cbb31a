// MessageBuilder: the template context of one contact attempt — what the debtor owes (the
// attempt's invoices, their numbers and payment reference from the invoice service), how to pay
// (the tenant's creditor profile, the RF reference, the self-service link), by when, and in
// which language — and its rendering, with a fallback to the kind's standard template when the
// strategy names one that does not exist.
#pragma once

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "concerto/invoice/v1/invoice_api.pb.h"
#include "services/contact_channel/app/contact_state.pb.h"
#include "services/contact_channel/app/invoice_directory.h"
#include "services/contact_channel/app/person_key.h"
#include "services/contact_channel/templates/message_renderer.h"

namespace concerto::contact {

// CreditorProfile is how a tenant is named and paid in its messages.
struct CreditorProfile {
  std::string name = "Concerto Demo Creditor";
  std::string iban = "IT60X0542811101000000123456";
  std::string bic = "BPMOIT22XXX";
};

// MessageSettings are the deployment's message settings.
struct MessageSettings {
  std::map<std::string, CreditorProfile> creditors;  // by tenant; "" is the default
  // Base of the debtor's self-service link: "<base>/<tenant>/<token>".
  std::string self_service_url = "https://pay.concerto.example/p";
  int pay_by_days = 7;  // a reminder's deadline: today + this many days

  // CreditorFor returns the tenant's profile, else the default one.
  const CreditorProfile& CreditorFor(const std::string& tenant) const;
};

// FallbackTemplate is the standard template of a request kind ("reminder-1", "final-notice",
// "invoice-reissue", "call-script").
std::string FallbackTemplate(app::RequestKind kind);

// BuildContext assembles the context of `attempt` for `debtor` (personal data: the result is
// never logged). Invoice numbers and references come from the attempt (re-issues), else from
// the invoice service, else the invoice id stands in for the number and its RF reference is
// derived from it.
absl::StatusOr<MessageContext> BuildContext(const app::DebtorRecord& record,
                                            const app::Attempt& attempt,
                                            const invoice::v1::Debtor& debtor,
                                            DebtorDirectory* directory,
                                            const MessageSettings& settings,
                                            const KeyedHasher& hasher, absl::Time now);

// RenderAttempt renders `ctx`, falling back to FallbackTemplate(kind) when the named template
// does not exist.
absl::StatusOr<RenderedMessage> RenderAttempt(const MessageRenderer& renderer,
                                              MessageContext& ctx, app::RequestKind kind);

}  // namespace concerto::contact
