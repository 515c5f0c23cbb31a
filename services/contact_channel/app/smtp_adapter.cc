#include "services/contact_channel/app/smtp_adapter.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace concerto::contact {
namespace {

bool IsAscii(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    const unsigned char u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x7f;
  });
}

// EncodedWord encodes a header value as RFC 2047 base64 words when it is not plain ASCII.
std::string EncodedWord(const std::string& s) {
  if (IsAscii(s)) return s;
  // Split on UTF-8 character boundaries so each encoded word stays under 75 characters.
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    size_t end = std::min(s.size(), i + 45);
    while (end < s.size() && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
    if (!out.empty()) out += "\r\n ";
    absl::StrAppend(&out, "=?UTF-8?B?", absl::Base64Escape(s.substr(i, end - i)), "?=");
    i = end;
  }
  return out;
}

std::string QuotedName(const std::string& name) {
  if (!IsAscii(name)) return EncodedWord(name);
  std::string out = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

// Base64Lines wraps base64 at 76 characters per line, CRLF-terminated.
std::string Base64Lines(const std::string& data) {
  const std::string b64 = absl::Base64Escape(data);
  std::string out;
  for (size_t i = 0; i < b64.size(); i += 76) absl::StrAppend(&out, b64.substr(i, 76), "\r\n");
  return out;
}

std::string OneLine(std::string s) {
  for (char& c : s) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return s;
}

struct Upload {
  const std::string* data;
  size_t offset = 0;
};

size_t ReadBody(char* buffer, size_t size, size_t count, void* user) {
  auto* u = static_cast<Upload*>(user);
  const size_t n = std::min(size * count, u->data->size() - u->offset);
  std::memcpy(buffer, u->data->data() + u->offset, n);
  u->offset += n;
  return n;
}

}  // namespace

std::string MessageIdFor(const std::string& attempt_id, const std::string& domain) {
  return absl::StrCat("<", attempt_id, "@", domain, ">");
}

std::string BuildMimeMessage(const OutboundMessage& m, const SmtpOptions& o, absl::Time now) {
  const std::string boundary = absl::StrCat("=_concerto_", m.attempt_id);
  std::string out;
  absl::StrAppend(&out, "Date: ",
                  absl::FormatTime("%a, %d %b %Y %H:%M:%S +0000", now, absl::UTCTimeZone()), "\r\n");
  absl::StrAppend(&out, "From: ", QuotedName(OneLine(m.sender_name)), " <", o.from_address, ">\r\n");
  if (m.recipient_name.empty()) {
    absl::StrAppend(&out, "To: <", OneLine(m.address), ">\r\n");
  } else {
    absl::StrAppend(&out, "To: ", QuotedName(OneLine(m.recipient_name)), " <", OneLine(m.address),
                    ">\r\n");
  }
  absl::StrAppend(&out, "Subject: ", EncodedWord(OneLine(m.rendered.subject)), "\r\n");
  absl::StrAppend(&out, "Message-ID: ", MessageIdFor(m.attempt_id, o.message_id_domain), "\r\n");
  absl::StrAppend(&out, "X-Concerto-Attempt: ", m.attempt_id, "\r\n");
  absl::StrAppend(&out, "MIME-Version: 1.0\r\n");
  absl::StrAppend(&out, "Content-Type: multipart/alternative; boundary=\"", boundary, "\"\r\n");
  absl::StrAppend(&out, "\r\n");
  absl::StrAppend(&out, "--", boundary, "\r\n");
  absl::StrAppend(&out, "Content-Type: text/plain; charset=UTF-8\r\n");
  absl::StrAppend(&out, "Content-Transfer-Encoding: base64\r\n\r\n");
  absl::StrAppend(&out, Base64Lines(m.rendered.text));
  if (!m.rendered.html.empty()) {
    absl::StrAppend(&out, "--", boundary, "\r\n");
    absl::StrAppend(&out, "Content-Type: text/html; charset=UTF-8\r\n");
    absl::StrAppend(&out, "Content-Transfer-Encoding: base64\r\n\r\n");
    absl::StrAppend(&out, Base64Lines(m.rendered.html));
  }
  absl::StrAppend(&out, "--", boundary, "--\r\n");
  return out;
}

SmtpAdapter::SmtpAdapter(SmtpOptions options) : options_(std::move(options)) { InitCurl(); }

SendResult SmtpAdapter::Send(const OutboundMessage& m) {
  SendResult result;
  if (m.address.empty() || m.address.find_first_of("\r\n<>") != std::string::npos) {
    result.kind = SendResult::Kind::kRejected;
    result.code = "smtp invalid-address";
    return result;
  }
  const std::string body = BuildMimeMessage(m, options_, absl::Now());
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    result.code = "curl init";
    return result;  // transient
  }
  Upload upload{&body, 0};
  const std::string from = absl::StrCat("<", options_.from_address, ">");
  const std::string to = absl::StrCat("<", m.address, ">");
  curl_slist* rcpt = curl_slist_append(nullptr, to.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, options_.url.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadBody);
  curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options_.connect_timeout)));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options_.timeout)));
  if (!options_.username.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, options_.username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, options_.password.c_str());
  }
  if (options_.require_tls) curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  const CURLcode rc = curl_easy_perform(curl);
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(curl);

  if (rc == CURLE_OK) {
    result.kind = SendResult::Kind::kAccepted;
    result.provider_message_id = MessageIdFor(m.attempt_id, options_.message_id_domain);
    result.code = absl::StrCat("smtp ", code);
    return result;
  }
  result.code = code > 0 ? absl::StrCat("smtp ", code, " (curl ", static_cast<int>(rc), ")")
                         : absl::StrCat("curl ", static_cast<int>(rc));
  if (code >= 500) {
    result.kind = SendResult::Kind::kRejected;
  } else if (code >= 400) {
    result.kind = SendResult::Kind::kTransient;  // the server refused it for now
  } else if (code == 354 || upload.offset > 0) {
    // The message (or part of it) was handed over and no final reply came: it may have been
    // accepted.
    result.kind = SendResult::Kind::kAmbiguous;
  } else {
    result.kind = SendResult::Kind::kTransient;  // nothing was handed over
  }
  return result;
}

}  // namespace concerto::contact
