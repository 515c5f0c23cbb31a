// SmsAdapter: SMS through an HTTP provider API with libcurl — POST of a JSON message to the
// provider's URL with the attempt id as the Idempotency-Key header, so a send repeated after a
// crash is recognised by the provider and not delivered twice.
#pragma once

#include <string>

#include "absl/time/time.h"
#include "services/contact_channel/app/channel_adapter.h"

namespace concerto::contact {

// SmsOptions configure the provider.
struct SmsOptions {
  std::string url;         // e.g. "https://sms.example/v1/messages"
  std::string api_token;   // sent as "Authorization: Bearer <token>" when set
  std::string sender;      // sender id shown on the phone
  absl::Duration connect_timeout = absl::Seconds(10);
  absl::Duration timeout = absl::Seconds(30);
};

// SmsRequestBody is the JSON the adapter posts:
// {"to":"+39...","from":"...","text":"...","reference":"<attempt id>"}.
std::string SmsRequestBody(const OutboundMessage& message, const SmsOptions& options);

// SmsAdapter posts to one provider.
class SmsAdapter final : public ChannelAdapter {
 public:
  explicit SmsAdapter(SmsOptions options);
  std::string provider() const override { return "sms-http"; }
  bool deduplicates() const override { return true; }
  // Send: 2xx accepted (provider id = the response's "id", else the attempt id); 408, 429 and
  // 5xx transient; other 4xx rejected; no answer ambiguous (the provider deduplicates).
  SendResult Send(const OutboundMessage& message) override;

 private:
  const SmsOptions options_;
};

// JsonEscape escapes a UTF-8 string for a JSON string literal (without the quotes).
std::string JsonEscape(const std::string& s);

}  // namespace concerto::contact
