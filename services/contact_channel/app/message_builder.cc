#include "services/contact_channel/app/message_builder.h"

#include "absl/strings/str_cat.h"
#include "libs/core/calendar.h"
#include "libs/rules/creditor_reference.h"
#include "services/contact_channel/app/facts.h"

namespace concerto::contact {
namespace {

absl::CivilDay DayOf(const common::v1::Date& d) {
  return absl::CivilDay(d.year(), d.month(), d.day());
}

}  // namespace

const CreditorProfile& MessageSettings::CreditorFor(const std::string& tenant) const {
  static const CreditorProfile* const kDefault = new CreditorProfile();
  auto it = creditors.find(tenant);
  if (it != creditors.end()) return it->second;
  it = creditors.find("");
  return it != creditors.end() ? it->second : *kDefault;
}

std::string FallbackTemplate(app::RequestKind kind) {
  switch (kind) {
    case app::REQUEST_KIND_FINAL_NOTICE:
      return "final-notice";
    case app::REQUEST_KIND_REISSUE:
      return "invoice-reissue";
    case app::REQUEST_KIND_CALL_TASK:
    case app::REQUEST_KIND_HUMAN:
      return "call-script";
    default:
      return "reminder-1";
  }
}

absl::StatusOr<MessageContext> BuildContext(const app::DebtorRecord& record,
                                            const app::Attempt& attempt,
                                            const invoice::v1::Debtor& debtor,
                                            DebtorDirectory* directory,
                                            const MessageSettings& settings,
                                            const KeyedHasher& hasher, absl::Time now) {
  MessageContext ctx;
  ctx.tenant = record.tenant();
  ctx.language = attempt.language().empty() ? LanguageOf(debtor) : attempt.language();
  ctx.template_name = attempt.ref().template_id().empty() ? FallbackTemplate(attempt.spec().kind())
                                                          : attempt.ref().template_id();
  ctx.debtor_display_name = DisplayNameOf(debtor);
  ctx.country = JurisdictionOf(debtor);
  std::string currency = attempt.spec().total().currency();
  std::string first_reference;
  int64_t open_sum = 0;
  for (const auto& inv : attempt.spec().invoices()) {
    InvoiceLineView line;
    std::string number, reference;
    auto known = attempt.spec().invoice_numbers().find(inv.invoice_id());
    if (known != attempt.spec().invoice_numbers().end()) number = known->second;
    if (directory != nullptr) {
      absl::StatusOr<invoice::v1::Invoice> found = directory->GetInvoice(record.tenant(), inv.invoice_id());
      if (found.ok()) {
        if (number.empty()) number = found->invoice_number();
        reference = found->payment_reference();
      } else if (found.status().code() == absl::StatusCode::kUnavailable) {
        return found.status();  // try again later rather than print a wrong reference
      }
    }
    if (number.empty()) number = inv.invoice_id();
    if (reference.empty() || !rules::IsValidCreditorReference(reference)) {
      reference = rules::CreditorReferenceForInvoiceNumber(number);
    }
    if (first_reference.empty()) first_reference = rules::NormalizeReference(reference);
    line.invoice_number = number;
    line.due_date = DayOf(inv.due_date());
    const std::string c = inv.open_balance().currency().empty() ? currency : inv.open_balance().currency();
    if (currency.empty()) currency = c;
    line.open_balance = rules::Money{inv.open_balance().minor_units(), c};
    open_sum += inv.open_balance().minor_units();
    ctx.invoices.push_back(std::move(line));
  }
  if (currency.empty()) currency = "EUR";
  for (auto& line : ctx.invoices) {
    if (line.open_balance.currency.empty()) line.open_balance.currency = currency;
  }
  int64_t total = attempt.spec().has_total() && attempt.spec().total().minor_units() > 0
                      ? attempt.spec().total().minor_units()
                      : open_sum;
  int64_t fees = 0;
  if (record.fees().currency() == currency) fees = record.fees().minor_units();
  ctx.fees = rules::Money{fees, currency};
  ctx.total = rules::Money{total + fees, currency};
  const absl::TimeZone zone = [&] {
    absl::StatusOr<absl::TimeZone> z = core::LoadZone(ZoneOf(debtor));
    return z.ok() ? *z : absl::UTCTimeZone();
  }();
  const absl::CivilDay today = absl::ToCivilDay(now, zone);
  if (attempt.spec().kind() == app::REQUEST_KIND_FINAL_NOTICE && attempt.spec().has_expires() &&
      attempt.spec().expires().year() > 0) {
    ctx.pay_by = DayOf(attempt.spec().expires());
  } else {
    ctx.pay_by = today + settings.pay_by_days;
  }
  const CreditorProfile& creditor = settings.CreditorFor(record.tenant());
  ctx.creditor_name = creditor.name;
  ctx.creditor_iban = creditor.iban;
  ctx.creditor_bic = creditor.bic;
  ctx.rf_reference = first_reference;
  ctx.self_service_url = absl::StrCat(settings.self_service_url, "/", record.tenant(), "/",
                                      SelfServiceToken(record.tenant(), record.debtor_id(), hasher));
  return ctx;
}

absl::StatusOr<RenderedMessage> RenderAttempt(const MessageRenderer& renderer, MessageContext& ctx,
                                              app::RequestKind kind) {
  absl::StatusOr<RenderedMessage> m = renderer.Render(ctx);
  if (m.status().code() == absl::StatusCode::kNotFound &&
      ctx.template_name != FallbackTemplate(kind)) {
    ctx.template_name = FallbackTemplate(kind);
    m = renderer.Render(ctx);
  }
  return m;
}

}  // namespace concerto::contact
