// Message templates and rendering for the contact-channel service: one MessageContext (who, what
// is open, how to pay, in which language and jurisdiction) becomes an e-mail (subject, text,
// HTML), an SMS, the envelope window text and the EPC069-12 SEPA QR payload.
//
// Templates are mustache (mstch) sources with the parts subject, text and sms, built in for
// it, en, fi, nl and every template name, and overridable per tenant (Put). Amounts and dates are
// formatted for the language (locale_format.h); a final notice carries the statutory paragraph of
// the debtor's jurisdiction. What third parties may see (subject, SMS, envelope) is checked to
// stay neutral. See README.md for the template format and the fields.
//
// Personal data: the debtor's name is rendered into the message and never written to logs or
// error messages.
//
//   CONCERTO_ASSIGN_OR_RETURN(MessageRenderer renderer, MessageRenderer::BuiltIn());
//   CONCERTO_ASSIGN_OR_RETURN(RenderedMessage m, renderer.Render(ctx));
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "libs/rules/money.h"

namespace concerto::contact {

// InvoiceLineView is one open invoice as the debtor sees it.
struct InvoiceLineView {
  std::string invoice_number;
  absl::CivilDay due_date;
  rules::Money open_balance;
};

// MessageContext is everything one message says. All amounts share one currency.
struct MessageContext {
  std::string tenant;
  std::string language;            // "it", "en", "fi", "nl"; unknown -> "en"
  std::string template_name;       // "reminder-1", "reminder-2", "final-notice", "plan-offer",
                                   // "invoice-reissue", "call-script"
  std::string debtor_display_name; // personal data: rendered, never logged
  std::vector<InvoiceLineView> invoices;
  rules::Money total;              // open balance to pay (what the QR asks for; includes fees)
  rules::Money fees;               // fees and interest claimed (may be zero), part of total
  absl::CivilDay pay_by;           // deadline printed (final notice: term end)
  std::string creditor_name;       // branding
  std::string creditor_iban;
  std::string creditor_bic;
  std::string rf_reference;        // ISO 11649 reference for the payment
  std::string self_service_url;    // debtor's self-service link
  std::string country;             // jurisdiction: legal wording (e.g. IT "diffida", NL 14-day letter)
};

// RenderedMessage is one message on every channel.
struct RenderedMessage {
  std::string subject;        // e-mail subject (neutral: never reveals a debt to third parties)
  std::string text;           // plain-text body
  std::string html;           // HTML body
  std::string sms;            // SMS text (<= 320 chars, neutral preview: no "debt"/"collection" in
                              // the first 60 chars)
  std::string envelope_text;  // what prints on the envelope window (creditor name only, never
                              // "debt collection")
  std::string epc_qr_payload; // EPC069-12 SEPA credit transfer QR payload
                              // (BCD/002/1/SCT/BIC/name/IBAN/EURxx.xx//RF.../...)
};

// MessageRenderer holds the built-in templates and the tenants' overrides and renders messages.
// Render is const and safe to call from many threads; Put is not safe concurrently with Render
// (build the renderer, then share it; or copy, Put, and swap).
class MessageRenderer {
 public:
  // BuiltIn returns a renderer with the built-in templates for it, en, fi, nl and every
  // template name above (each checked as Put would check it).
  static absl::StatusOr<MessageRenderer> BuiltIn();

  // Put stores a tenant's override of (language, template_name). The source is checked: its
  // parts, its mustache (unknown field, unbalanced section: INVALID_ARGUMENT naming the field
  // and line) and a trial render (subject and SMS neutral, SMS <= 320 characters).
  absl::Status Put(const std::string& tenant, const std::string& language,
                   const std::string& template_name, const std::string& mustache_source);

  // Render renders ctx with the tenant's override of (language, template_name), else the
  // built-in one; NOT_FOUND if neither exists. INVALID_ARGUMENT naming the field for an
  // inconsistent context (currencies differ, bad IBAN or RF reference, a creditor name that
  // would reveal a debt on the envelope, an SMS over 320 characters).
  absl::StatusOr<RenderedMessage> Render(const MessageContext& ctx) const;

 private:
  // Parts is one checked template source.
  struct Parts {
    std::string subject;
    std::string text;
    std::string sms;
  };

  MessageRenderer() = default;

  // Key is tenant (empty for built-ins), language and template name joined by '\0'.
  static std::string Key(const std::string& tenant, const std::string& language,
                         const std::string& template_name);

  std::map<std::string, Parts> templates_;
};

}  // namespace concerto::contact
