// concerto-contact-channel: wiring only. Contact records, person ledgers and tenant policies on
// the platform runtime (ContactHandler, wrapped so its watchdog timers hint the dispatcher); the
// dispatcher with its channel adapters; the invoice service client for personal data; the gRPC
// ContactService. Flags (or CONCERTO_* / YAML), besides the platform's:
//   --invoice-target=host:port        the invoice service (GetDebtorContact, GetInvoice)
//   --smtp-url=smtp://host:port       e-mail relay (--smtp-from, --smtp-user, --smtp-password)
//   --sms-url=https://...             SMS provider API (--sms-token, --sms-sender)
//   --print-outbox=DIR                where letters go
//   --message-outbox=DIR              local stand-in for e-mail and SMS providers (when no
//                                     --smtp-url / --sms-url): messages become files in DIR
//   --person-key-secret=...           key of the person hash (keep it secret and stable)
//   --self-service-url, --pay-by-days, --creditor-name/-iban/-bic and
//   --creditor.<tenant>.name|iban|bic message settings
//   --dispatch-recheck=60s            watchdog period of an active attempt
//   --dispatch-workers=2, --dispatch-sweep=5m, --send-retry-backoff=30s
#include <cstdio>
#include <map>
#include <memory>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "libs/platform/runtime/config.h"
#include "libs/platform/runtime/logging.h"
#include "libs/platform/service_main.h"
#include "services/contact_channel/app/aggregate_bus.h"
#include "services/contact_channel/app/channel_adapter.h"
#include "services/contact_channel/app/contact_handler.h"
#include "services/contact_channel/app/contact_service.h"
#include "services/contact_channel/app/dispatcher.h"
#include "services/contact_channel/app/invoice_directory.h"
#include "services/contact_channel/app/print_outbox_adapter.h"
#include "services/contact_channel/app/sms_adapter.h"
#include "services/contact_channel/app/smtp_adapter.h"

namespace {

namespace contact = concerto::contact;
namespace platform = concerto::platform;

// Settings read from the configuration before the platform starts.
struct Settings {
  contact::HandlerOptions handler;
  contact::DispatcherOptions dispatcher;
  std::string invoice_target;
  contact::SmtpOptions smtp;
  contact::SmsOptions sms;
  std::string print_outbox;
  std::string message_outbox;
};

absl::Status Read(const platform::Config& c, Settings* s) {
  auto duration = [&](const char* key, absl::Duration* out) -> absl::Status {
    auto d = c.GetDuration(key, *out);
    if (!d.ok()) return d.status();
    *out = *d;
    return absl::OkStatus();
  };
  if (auto st = duration("dispatch-recheck", &s->handler.recheck); !st.ok()) return st;
  if (auto st = duration("send-retry-backoff", &s->handler.retry_backoff); !st.ok()) return st;
  if (auto st = duration("dispatch-sweep", &s->dispatcher.sweep_interval); !st.ok()) return st;
  auto workers = c.GetInt("dispatch-workers", s->dispatcher.workers);
  if (!workers.ok()) return workers.status();
  s->dispatcher.workers = static_cast<int>(*workers);
  auto pay_by = c.GetInt("pay-by-days", s->dispatcher.messages.pay_by_days);
  if (!pay_by.ok()) return pay_by.status();
  s->dispatcher.messages.pay_by_days = static_cast<int>(*pay_by);
  s->dispatcher.messages.self_service_url =
      c.GetString("self-service-url", s->dispatcher.messages.self_service_url);
  s->dispatcher.person_key_secret = c.GetString("person-key-secret", s->dispatcher.person_key_secret);
  contact::CreditorProfile fallback;
  fallback.name = c.GetString("creditor-name", fallback.name);
  fallback.iban = c.GetString("creditor-iban", fallback.iban);
  fallback.bic = c.GetString("creditor-bic", fallback.bic);
  s->dispatcher.messages.creditors[""] = fallback;
  for (const auto& [key, value] : c.values()) {
    // creditor.<tenant>.<field>
    if (!absl::StartsWith(key, "creditor.")) continue;
    std::vector<std::string> parts = absl::StrSplit(key, '.');
    if (parts.size() != 3) continue;
    auto [it, inserted] = s->dispatcher.messages.creditors.try_emplace(parts[1], fallback);
    if (parts[2] == "name") it->second.name = value;
    if (parts[2] == "iban") it->second.iban = value;
    if (parts[2] == "bic") it->second.bic = value;
  }
  s->invoice_target = c.GetString("invoice-target", "");
  s->smtp.url = c.GetString("smtp-url", "");
  s->smtp.from_address = c.GetString("smtp-from", s->smtp.from_address);
  s->smtp.username = c.GetString("smtp-user", "");
  s->smtp.password = c.GetString("smtp-password", "");
  s->sms.url = c.GetString("sms-url", "");
  s->sms.api_token = c.GetString("sms-token", "");
  s->sms.sender = c.GetString("sms-sender", "Concerto");
  s->print_outbox = c.GetString("print-outbox", "");
  s->message_outbox = c.GetString("message-outbox", "");
  return absl::OkStatus();
}

// ContactApi is the gRPC service together with everything the dispatcher needs; the platform
// destroys it before the event processor, which stops the dispatcher first.
class ContactApi final : public contact::ContactServiceImpl {
 public:
  struct Parts {
    std::unique_ptr<contact::ProcessorBus> bus;
    std::unique_ptr<contact::DebtorDirectory> directory;
    std::unique_ptr<contact::MessageRenderer> renderer;
    std::vector<std::unique_ptr<contact::ChannelAdapter>> adapters;
    std::unique_ptr<contact::Dispatcher> dispatcher;
  };
  ContactApi(std::unique_ptr<Parts> parts, const platform::Clock* clock,
             const contact::DispatcherOptions& options, contact::HintingHandler* hinting)
      : contact::ContactServiceImpl(parts->bus.get(), parts->directory.get(), parts->renderer.get(),
                                    clock, options.messages, options.person_key_secret),
        parts_(std::move(parts)),
        hinting_(hinting) {
    hinting_->set_dispatcher(parts_->dispatcher.get());
    parts_->dispatcher->Start();
  }
  ~ContactApi() override {
    hinting_->set_dispatcher(nullptr);
    parts_->dispatcher->Stop();
  }

 private:
  std::unique_ptr<Parts> parts_;
  contact::HintingHandler* hinting_;
};

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  {
    auto config = platform::Config::Load(argc, argv);
    if (config.ok()) {
      if (absl::Status s = Read(*config, &settings); !s.ok()) {
        std::fprintf(stderr, "contact-channel: %s\n", s.ToString().c_str());
        return 2;
      }
    }  // else RunService reports the bad configuration itself
  }
  auto renderer = contact::MessageRenderer::BuiltIn();
  if (!renderer.ok()) {
    std::fprintf(stderr, "contact-channel: templates: %s\n", renderer.status().ToString().c_str());
    return 2;
  }
  settings.dispatcher.incarnation = contact::NewIncarnation();
  contact::ContactHandler handler(settings.handler);
  contact::HintingHandler hinting(&handler);

  platform::ServiceDefinition service;
  service.name = "contact-channel";
  service.input_topics = {"case.events", "invoice.events"};
  service.output_topic = contact::kContactEventsTopic;
  service.domain = &hinting;
  service.apis = [&](const platform::ServiceContext& ctx) {
    auto parts = std::make_unique<ContactApi::Parts>();
    parts->bus = std::make_unique<contact::ProcessorBus>(ctx.processor);
    if (settings.invoice_target.empty()) {
      platform::LogWarn("no --invoice-target: contact attempts wait until it is configured");
      parts->directory = std::make_unique<contact::UnavailableDirectory>();
    } else {
      parts->directory = std::make_unique<contact::GrpcDebtorDirectory>(settings.invoice_target);
    }
    parts->renderer = std::make_unique<contact::MessageRenderer>(*renderer);
    std::map<contact::v1::Channel, contact::ChannelAdapter*> adapters;
    auto add = [&](contact::v1::Channel channel, std::unique_ptr<contact::ChannelAdapter> a) {
      adapters[channel] = a.get();
      parts->adapters.push_back(std::move(a));
    };
    add(contact::v1::CHANNEL_PHONE, std::make_unique<contact::CallQueueAdapter>());
    if (!settings.smtp.url.empty()) {
      add(contact::v1::CHANNEL_EMAIL, std::make_unique<contact::SmtpAdapter>(settings.smtp));
    } else if (!settings.message_outbox.empty()) {
      add(contact::v1::CHANNEL_EMAIL,
          std::make_unique<contact::MessageOutboxAdapter>(settings.message_outbox));
    }
    if (!settings.sms.url.empty()) {
      add(contact::v1::CHANNEL_SMS, std::make_unique<contact::SmsAdapter>(settings.sms));
    } else if (!settings.message_outbox.empty()) {
      add(contact::v1::CHANNEL_SMS,
          std::make_unique<contact::MessageOutboxAdapter>(settings.message_outbox));
    }
    if (!settings.print_outbox.empty()) {
      add(contact::v1::CHANNEL_LETTER,
          std::make_unique<contact::PrintOutboxAdapter>(settings.print_outbox));
    }
    parts->dispatcher = std::make_unique<contact::Dispatcher>(
        settings.dispatcher, parts->bus.get(), parts->directory.get(), parts->renderer.get(),
        std::move(adapters), ctx.clock);
    std::vector<std::unique_ptr<grpc::Service>> apis;
    apis.push_back(
        std::make_unique<ContactApi>(std::move(parts), ctx.clock, settings.dispatcher, &hinting));
    return apis;
  };
  return platform::RunService(argc, argv, service);
}
