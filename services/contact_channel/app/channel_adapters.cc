#include <curl/curl.h>

#include <mutex>

#include "absl/strings/str_cat.h"
#include "services/contact_channel/app/channel_adapter.h"

namespace concerto::contact {

void InitCurl() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

SendResult CallQueueAdapter::Send(const OutboundMessage& message) {
  SendResult r;
  r.kind = SendResult::Kind::kAccepted;
  r.provider_message_id = absl::StrCat(message.queue, "/", message.attempt_id);
  return r;
}

}  // namespace concerto::contact
