// ChannelAdapter: the one interface every outbound channel implements — e-mail over SMTP, SMS
// over an HTTP provider, letters into the print outbox, call tasks into operator queues. The
// dispatcher calls Send only after SENDING is committed, with the attempt id as the idempotency
// key, and classifies the answer; an adapter that deduplicates on that key may be called again
// for the same attempt after a crash, one that cannot (SMTP) never is.
#pragma once

#include <memory>
#include <string>

#include "concerto/contact/v1/contact_events.pb.h"
#include "services/contact_channel/templates/message_renderer.h"

namespace concerto::contact {

// OutboundMessage is one message ready to go (personal data: never log it).
struct OutboundMessage {
  std::string attempt_id;  // the idempotency key
  std::string tenant;
  v1::Channel channel = v1::CHANNEL_UNSPECIFIED;
  std::string address;         // e-mail address or E.164 number
  std::string recipient_name;  // the debtor's display name
  std::string sender_name;     // the creditor's name
  RenderedMessage rendered;
  std::string document;        // letters: the PDF
  std::string postal_address;  // letters: the address block for the print provider's merge
  std::string queue;           // call tasks: the operator queue
};

// SendResult is how a provider call ended.
struct SendResult {
  enum class Kind {
    kAccepted,   // the provider took it
    kRejected,   // refused for good (e.g. SMTP 550): the address does not work
    kTransient,  // certainly not taken (no connection, 4xx): safe to try again later
    kAmbiguous,  // may or may not have been taken (timeout after the message was handed over)
  };
  Kind kind = Kind::kTransient;
  std::string provider_message_id;
  // Status code and class only (e.g. "smtp 550", "http 503", "curl 28"): never an address.
  std::string code;
};

// ChannelAdapter sends one message through one provider.
class ChannelAdapter {
 public:
  virtual ~ChannelAdapter() = default;
  // provider names the provider in ContactAttemptSent ("smtp", "sms-http", "print-outbox",
  // "call-queue").
  virtual std::string provider() const = 0;
  // deduplicates: the provider recognises a repeated attempt id (so a crashed send may be
  // repeated); SMTP does not.
  virtual bool deduplicates() const = 0;
  // Send hands `message` to the provider (blocking, bounded by the adapter's timeouts).
  virtual SendResult Send(const OutboundMessage& message) = 0;
};

// InitCurl runs curl_global_init once (thread-safe); the libcurl adapters call it when built.
void InitCurl();

// CallQueueAdapter "sends" a call task: the task itself is recorded in the debtor's contact
// record when the send completes, so it is idempotent and never fails.
class CallQueueAdapter final : public ChannelAdapter {
 public:
  std::string provider() const override { return "call-queue"; }
  bool deduplicates() const override { return true; }
  SendResult Send(const OutboundMessage& message) override;
};

}  // namespace concerto::contact
