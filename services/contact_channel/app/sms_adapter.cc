#include "services/contact_channel/app/sms_adapter.h"

#include <curl/curl.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace concerto::contact {
namespace {

size_t Collect(char* data, size_t size, size_t count, void* user) {
  auto* out = static_cast<std::string*>(user);
  const size_t n = size * count;
  if (out->size() < 64 * 1024) out->append(data, n);
  return n;
}

// IdOf extracts "id":"..." from a provider's JSON answer (no JSON library in the image).
std::string IdOf(const std::string& json) {
  const size_t key = json.find("\"id\"");
  if (key == std::string::npos) return "";
  size_t p = json.find(':', key);
  if (p == std::string::npos) return "";
  p = json.find('"', p);
  if (p == std::string::npos) return "";
  const size_t end = json.find('"', p + 1);
  if (end == std::string::npos || end - p - 1 > 128) return "";
  return json.substr(p + 1, end - p - 1);
}

}  // namespace

std::string JsonEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (u < 0x20) {
          out += absl::StrFormat("\\u%04x", u);
        } else {
          out.push_back(c);
        }
    }
  }
  return out;
}

std::string SmsRequestBody(const OutboundMessage& m, const SmsOptions& o) {
  return absl::StrCat("{\"to\":\"", JsonEscape(m.address), "\",\"from\":\"", JsonEscape(o.sender),
                      "\",\"text\":\"", JsonEscape(m.rendered.sms), "\",\"reference\":\"",
                      JsonEscape(m.attempt_id), "\"}");
}

SmsAdapter::SmsAdapter(SmsOptions options) : options_(std::move(options)) { InitCurl(); }

SendResult SmsAdapter::Send(const OutboundMessage& m) {
  SendResult result;
  if (m.address.empty() || m.rendered.sms.empty()) {
    result.kind = SendResult::Kind::kRejected;
    result.code = m.address.empty() ? "sms no-number" : "sms empty-text";
    return result;
  }
  const std::string body = SmsRequestBody(m, options_);
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    result.code = "curl init";
    return result;
  }
  std::string answer;
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, absl::StrCat("Idempotency-Key: ", m.attempt_id).c_str());
  if (!options_.api_token.empty()) {
    headers = curl_slist_append(headers, absl::StrCat("Authorization: Bearer ", options_.api_token).c_str());
  }
  curl_easy_setopt(curl, CURLOPT_URL, options_.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options_.connect_timeout)));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options_.timeout)));
  const CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);

  if (rc != CURLE_OK) {
    result.code = absl::StrCat("curl ", static_cast<int>(rc));
    const bool never_connected = rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
                                 rc == CURLE_COULDNT_RESOLVE_PROXY;
    result.kind = never_connected ? SendResult::Kind::kTransient : SendResult::Kind::kAmbiguous;
    return result;
  }
  result.code = absl::StrCat("http ", status);
  if (status >= 200 && status < 300) {
    result.kind = SendResult::Kind::kAccepted;
    result.provider_message_id = IdOf(answer);
    if (result.provider_message_id.empty()) result.provider_message_id = m.attempt_id;
  } else if (status == 408 || status == 429 || status >= 500) {
    result.kind = SendResult::Kind::kTransient;
  } else {
    result.kind = SendResult::Kind::kRejected;
  }
  return result;
}

}  // namespace concerto::contact
