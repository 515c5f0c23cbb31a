// Channel adapters against local fakes: the SMTP message (Message-ID from the attempt id,
// encoded subject, base64 parts) and how SMTP failures are classified; the SMS provider call
// (Idempotency-Key, JSON body, status classes) against a one-shot HTTP server on loopback; the
// print outbox (atomic, idempotent); the person key (normalised, keyed, not reversible).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/contact_channel/app/person_key.h"
#include "services/contact_channel/app/print_outbox_adapter.h"
#include "services/contact_channel/app/sms_adapter.h"
#include "services/contact_channel/app/smtp_adapter.h"
#include "services/contact_channel/app/test_support.h"

namespace concerto::contact {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

OutboundMessage Message() {
  OutboundMessage m;
  m.attempt_id = "att-0123456789abcdef";
  m.tenant = "acme";
  m.channel = v1::CHANNEL_EMAIL;
  m.address = "maria@example.org";
  m.recipient_name = "Maria Rossì";
  m.sender_name = "Aurora Energia S.p.A.";
  m.rendered.subject = "Promemoria di pagamento – fattura N-1";
  m.rendered.text = "Gentile Maria,\nimporto 150,00 €\nRF18539007547034\n";
  m.rendered.html = "<p>Gentile Maria</p>";
  m.rendered.sms = "Aurora: promemoria 150,00 EUR https://pay.example/p";
  return m;
}

TEST(SmtpMessage, CarriesAMessageIdFromTheAttemptAndDecodableParts) {
  SmtpOptions o;
  o.from_address = "billing@aurora.example";
  const std::string mime =
      BuildMimeMessage(Message(), o, absl::FromUnixSeconds(1773136800));  // 2026-03-10 10:00Z
  EXPECT_THAT(mime, HasSubstr("Message-ID: <att-0123456789abcdef@contact.concerto>\r\n"));
  EXPECT_THAT(mime, HasSubstr("From: \"Aurora Energia S.p.A.\" <billing@aurora.example>\r\n"));
  EXPECT_THAT(mime, HasSubstr("Subject: =?UTF-8?B?"));
  EXPECT_THAT(mime, HasSubstr("Date: Tue, 10 Mar 2026 10:00:00 +0000\r\n"));
  EXPECT_THAT(mime, HasSubstr("Content-Type: multipart/alternative;"));
  // The text part decodes back to the rendered text.
  const size_t start = mime.find("Content-Transfer-Encoding: base64\r\n\r\n");
  ASSERT_NE(start, std::string::npos);
  const size_t body = start + std::string("Content-Transfer-Encoding: base64\r\n\r\n").size();
  const size_t end = mime.find("--=_concerto_", body);
  std::string b64 = mime.substr(body, end - body);
  b64.erase(std::remove(b64.begin(), b64.end(), '\r'), b64.end());
  b64.erase(std::remove(b64.begin(), b64.end(), '\n'), b64.end());
  std::string text;
  ASSERT_TRUE(absl::Base64Unescape(b64, &text));
  EXPECT_EQ(text, Message().rendered.text);
  for (absl::string_view line : absl::StrSplit(mime, "\r\n")) EXPECT_LE(line.size(), 998u);
}

TEST(SmtpAdapter, NoServerIsTransientAndABadAddressIsRejected) {
  const int port = [] {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    socklen_t len = sizeof(a);
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    close(fd);  // nobody listens there now
    return ntohs(a.sin_port);
  }();
  SmtpOptions o;
  o.url = absl::StrCat("smtp://127.0.0.1:", port);
  o.connect_timeout = absl::Seconds(2);
  SmtpAdapter smtp(o);
  EXPECT_FALSE(smtp.deduplicates());
  SendResult r = smtp.Send(Message());
  EXPECT_EQ(r.kind, SendResult::Kind::kTransient) << r.code;
  OutboundMessage bad = Message();
  bad.address = "x@y>\r\nRCPT TO:<z@w";
  EXPECT_EQ(smtp.Send(bad).kind, SendResult::Kind::kRejected);
}

// OneShotHttp accepts one request on loopback and answers it with `status` and `body`.
class OneShotHttp {
 public:
  OneShotHttp(int status, std::string body) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    listen(fd_, 1);
    socklen_t len = sizeof(a);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this, status, body] {
      const int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      char buf[8192];
      while (true) {
        const ssize_t n = read(c, buf, sizeof(buf));
        if (n <= 0) break;
        request_.append(buf, static_cast<size_t>(n));
        const size_t head = request_.find("\r\n\r\n");
        if (head == std::string::npos) continue;
        size_t length = 0;
        const size_t cl = request_.find("Content-Length: ");
        if (cl != std::string::npos) length = std::stoul(request_.substr(cl + 16));
        if (request_.size() >= head + 4 + length) break;
      }
      const std::string reply = absl::StrCat("HTTP/1.1 ", status, " X\r\nContent-Length: ",
                                             body.size(), "\r\nConnection: close\r\n\r\n", body);
      const ssize_t ignored = write(c, reply.data(), reply.size());
      (void)ignored;
      close(c);
    });
  }
  ~OneShotHttp() {
    if (thread_.joinable()) thread_.join();
    close(fd_);
  }
  std::string url() const { return absl::StrCat("http://127.0.0.1:", port_, "/v1/messages"); }
  std::string request() {
    if (thread_.joinable()) thread_.join();
    return request_;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::string request_;
};

TEST(SmsAdapter, PostsJsonWithTheAttemptAsIdempotencyKey) {
  OneShotHttp server(201, R"({"id":"msg-42","status":"queued"})");
  SmsOptions o;
  o.url = server.url();
  o.api_token = "tok";
  o.sender = "Aurora";
  SmsAdapter sms(o);
  EXPECT_TRUE(sms.deduplicates());
  OutboundMessage m = Message();
  m.channel = v1::CHANNEL_SMS;
  m.address = "+390612345678";
  SendResult r = sms.Send(m);
  EXPECT_EQ(r.kind, SendResult::Kind::kAccepted) << r.code;
  EXPECT_EQ(r.provider_message_id, "msg-42");
  const std::string req = server.request();
  EXPECT_THAT(req, HasSubstr("POST /v1/messages HTTP/1.1"));
  EXPECT_THAT(req, HasSubstr("Idempotency-Key: att-0123456789abcdef"));
  EXPECT_THAT(req, HasSubstr("Authorization: Bearer tok"));
  EXPECT_THAT(req, HasSubstr(R"("to":"+390612345678")"));
  EXPECT_THAT(req, HasSubstr(R"("reference":"att-0123456789abcdef")"));
}

TEST(SmsAdapter, StatusClasses) {
  OutboundMessage m = Message();
  m.address = "+390612345678";
  for (auto [status, kind] : {std::pair{503, SendResult::Kind::kTransient},
                              std::pair{429, SendResult::Kind::kTransient},
                              std::pair{400, SendResult::Kind::kRejected}}) {
    OneShotHttp server(status, "{}");
    SmsOptions o;
    o.url = server.url();
    SmsAdapter sms(o);
    EXPECT_EQ(sms.Send(m).kind, kind) << status;
  }
  EXPECT_EQ(JsonEscape("a\"b\\c\nd\x01"), "a\\\"b\\\\c\\nd\\u0001");
}

TEST(PrintOutbox, WritesAtomicallyOnceAndRefusesAnIncompleteLetter) {
  const std::string dir = absl::StrCat(::testing::TempDir(), "/print-outbox-test");
  std::filesystem::remove_all(dir);
  PrintOutboxAdapter print(dir);
  OutboundMessage m = Message();
  m.channel = v1::CHANNEL_LETTER;
  m.document = "%PDF-1.5 fake";
  m.postal_address = "Maria Rossi\nVia Roma 1\n00100 Roma\n";
  SendResult r = print.Send(m);
  ASSERT_EQ(r.kind, SendResult::Kind::kAccepted) << r.code;
  EXPECT_EQ(r.provider_message_id, "att-0123456789abcdef.pdf");
  std::ifstream in(absl::StrCat(dir, "/att-0123456789abcdef.pdf"));
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "%PDF-1.5 fake");
  m.document = "%PDF-1.5 other";  // a repeated send of the same attempt changes nothing
  EXPECT_EQ(print.Send(m).kind, SendResult::Kind::kAccepted);
  std::ifstream again(absl::StrCat(dir, "/att-0123456789abcdef.pdf"));
  std::string same((std::istreambuf_iterator<char>(again)), std::istreambuf_iterator<char>());
  EXPECT_EQ(same, "%PDF-1.5 fake");
  m.postal_address.clear();
  m.attempt_id = "att-other";
  EXPECT_EQ(print.Send(m).kind, SendResult::Kind::kRejected);
  m.attempt_id = "../escape";
  m.postal_address = "x";
  EXPECT_EQ(print.Send(m).kind, SendResult::Kind::kRejected);
}

TEST(PersonKey, SamePersonSameKeyAcrossSpellingsAndNothingReadable) {
  KeyedHasher hasher("secret");
  const std::string a =
      PersonKeyOf(testing::Debtor("d1", "+39 06 1234 567", "Maria@Example.org"), "acme", hasher);
  const std::string b =
      PersonKeyOf(testing::Debtor("g7", "0039-06-1234567", "other@example.org"), "globex", hasher);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.size(), 33u);
  EXPECT_THAT(a, Not(HasSubstr("1234")));
  EXPECT_NE(a, PersonKeyOf(testing::Debtor("d1", "+39 06 1234 567"), "acme", KeyedHasher("other")));
  // Without a phone number, the e-mail address (case-insensitive) identifies the person.
  EXPECT_EQ(PersonKeyOf(testing::Debtor("d1", "", " Maria@Example.org"), "acme", hasher),
            PersonKeyOf(testing::Debtor("x9", "", "maria@example.org"), "globex", hasher));
  invoice::v1::Debtor none;
  none.set_debtor_id("d1");
  EXPECT_TRUE(absl::StartsWith(PersonKeyOf(none, "acme", hasher), "a"));
  EXPECT_EQ(NormalizePhone("+39 (06) 1234-567"), "+39061234567");
}

}  // namespace
}  // namespace concerto::contact
