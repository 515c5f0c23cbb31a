// SmtpAdapter: e-mail over SMTP with libcurl (smtp://host:port, or smtps://), MAIL FROM / RCPT TO
// / DATA with a MIME multipart/alternative message (text and HTML, UTF-8, base64) whose
// Message-ID is derived from the attempt id. SMTP servers do not deduplicate, so an attempt
// whose outcome was lost in a crash is never sent again (it becomes UNKNOWN).
#pragma once

#include <string>

#include "absl/time/time.h"
#include "services/contact_channel/app/channel_adapter.h"

namespace concerto::contact {

// SmtpOptions configure the SMTP relay.
struct SmtpOptions {
  std::string url;                                 // "smtp://127.0.0.1:2525"
  std::string from_address = "no-reply@concerto.example";
  std::string username;                            // empty: no AUTH
  std::string password;
  bool require_tls = false;                        // STARTTLS required (smtp://) when true
  std::string message_id_domain = "contact.concerto";
  absl::Duration connect_timeout = absl::Seconds(10);
  absl::Duration timeout = absl::Seconds(60);
};

// MessageIdFor is the Message-ID of an attempt: "<attempt_id@domain>".
std::string MessageIdFor(const std::string& attempt_id, const std::string& domain);

// BuildMimeMessage renders the RFC 5322 message (CRLF line ends) the adapter sends: Date, From
// (the creditor's name), To, Subject (RFC 2047 when not ASCII), Message-ID, and the text and
// HTML parts in base64.
std::string BuildMimeMessage(const OutboundMessage& message, const SmtpOptions& options,
                             absl::Time now);

// SmtpAdapter sends through one SMTP relay.
class SmtpAdapter final : public ChannelAdapter {
 public:
  explicit SmtpAdapter(SmtpOptions options);
  std::string provider() const override { return "smtp"; }
  bool deduplicates() const override { return false; }
  // Send: 2xx accepted (provider id = the Message-ID); 5xx rejected; 4xx, or a failure before
  // DATA, transient; a failure after the message was handed over (no final reply), ambiguous.
  SendResult Send(const OutboundMessage& message) override;

 private:
  const SmtpOptions options_;
};

}  // namespace concerto::contact
