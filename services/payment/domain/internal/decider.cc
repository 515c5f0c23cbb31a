#include "services/payment/domain/internal/decider.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/rules/money.h"

namespace concerto::payment::internal {

common::v1::Money Money(int64_t minor_units, const std::string& currency) {
  common::v1::Money m;
  m.set_minor_units(minor_units);
  m.set_currency(currency);
  return m;
}

std::string FormatAmount(int64_t minor_units, const std::string& currency) {
  auto text = rules::FormatMoney(rules::Money{minor_units, currency});
  return text.ok() ? *text : absl::StrCat(currency, " ", minor_units, " (minor units)");
}

void SetDate(absl::CivilDay day, common::v1::Date* out) {
  out->set_year(static_cast<int32_t>(day.year()));
  out->set_month(day.month());
  out->set_day(day.day());
}

absl::CivilDay ToDay(const common::v1::Date& date) {
  return absl::CivilDay(date.year(), date.month(), date.day());
}

void SetTimestamp(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t seconds = absl::ToUnixSeconds(t);
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(seconds))));
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

absl::CivilDay UtcDay(absl::Time t) { return absl::ToCivilDay(t, absl::UTCTimeZone()); }

absl::Time StartOfDay(absl::CivilDay day) { return absl::FromCivil(day, absl::UTCTimeZone()); }

std::string FormatDay(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

absl::Status Invalid(const std::string& field, const std::string& problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

absl::Status NotFound(const std::string& field, const std::string& problem) {
  absl::Status s = absl::FailedPreconditionError(absl::StrCat(field, ": ", problem));
  s.SetPayload(kNotFoundPayload, absl::Cord("1"));
  return s;
}

absl::Status CheckAmount(const common::v1::Money& money, const std::string& field,
                         bool allow_zero) {
  if (money.currency().empty()) return Invalid(field + ".currency", "must be set");
  if (!rules::MinorUnitExponent(money.currency()).has_value()) {
    return Invalid(field + ".currency", absl::StrCat("unknown currency \"", money.currency(), "\""));
  }
  if (money.minor_units() < 0 || (!allow_zero && money.minor_units() == 0)) {
    return Invalid(field + ".minor_units", allow_zero ? "must be >= 0" : "must be > 0");
  }
  if (money.minor_units() > kMaxMinorUnits) {
    return Invalid(field + ".minor_units", absl::StrCat("must be at most ", kMaxMinorUnits));
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::CivilDay> CheckDate(const common::v1::Date& date, bool is_set,
                                         const std::string& field) {
  if (!is_set) return Invalid(field, "must be set");
  const absl::CivilDay day = ToDay(date);
  if (date.year() < 1900 || date.year() > 9999 || day.year() != date.year() ||
      day.month() != date.month() || day.day() != date.day()) {
    return Invalid(field, absl::StrFormat("%d-%d-%d is not a calendar date", date.year(),
                                          date.month(), date.day()));
  }
  return day;
}

absl::Status CheckDebtor(const state::v1::PaymentAccount& account, const std::string& debtor_id,
                         const std::string& field) {
  if (debtor_id.empty() || account.debtor_id().empty() || debtor_id == account.debtor_id()) {
    return absl::OkStatus();
  }
  return Invalid(field, absl::StrCat("names debtor ", debtor_id, ", this account is debtor ",
                                     account.debtor_id()));
}

state::v1::InvoiceMirror* FindInvoice(state::v1::PaymentAccount* account,
                                      const std::string& invoice_id) {
  for (auto& inv : *account->mutable_invoices()) {
    if (inv.invoice_id() == invoice_id) return &inv;
  }
  return nullptr;
}

state::v1::PaymentRecord* FindPayment(state::v1::PaymentAccount* account,
                                      const std::string& payment_id) {
  for (auto& p : *account->mutable_payments()) {
    if (p.payment_id() == payment_id) return &p;
  }
  return nullptr;
}

void RecomputeOpen(state::v1::InvoiceMirror* invoice) {
  if (invoice->status() != state::v1::InvoiceMirror::STATUS_OPEN) {
    invoice->set_open_principal(0);
    return;
  }
  // A credit note after a payment can leave the invoice overpaid: nothing is open then, and
  // the surplus is the invoice service's business (refund or credit), not a negative balance.
  const int64_t open = invoice->amount() - invoice->paid_outside() - invoice->written_off() -
                       invoice->principal_paid();
  invoice->set_open_principal(std::max<int64_t>(0, open));
}

int64_t AddCredit(state::v1::PaymentAccount* account, const std::string& currency,
                  int64_t delta) {
  auto* credit = account->mutable_credit();
  for (int i = 0; i < credit->size(); ++i) {
    common::v1::Money* m = credit->Mutable(i);
    if (m->currency() != currency) continue;
    const int64_t applied = std::max(delta, -m->minor_units());
    m->set_minor_units(m->minor_units() + applied);
    if (m->minor_units() == 0) credit->DeleteSubrange(i, 1);
    return applied;
  }
  if (delta <= 0) return 0;
  *credit->Add() = Money(delta, currency);
  std::sort(credit->begin(), credit->end(),
            [](const common::v1::Money& a, const common::v1::Money& b) {
              return a.currency() < b.currency();
            });
  return delta;
}

bool DueOrder(const state::v1::InvoiceMirror& a, const state::v1::InvoiceMirror& b) {
  auto key = [](const state::v1::InvoiceMirror& i) {
    return std::make_tuple(ToDay(i.due_date()), ToDay(i.issue_date()), i.invoice_id());
  };
  return key(a) < key(b);
}

Builder::Builder(const state::v1::PaymentAccount& account, absl::Time now)
    : original_(account.SerializeAsString()), now_(now) {
  decision_.state = account;
}

void Builder::Arm(std::string kind, absl::Time due, std::string payload) {
  decision_.timers_add.push_back({std::move(kind), due, std::move(payload)});
}

void Builder::Disarm(std::string kind, absl::Time due) {
  decision_.timers_remove.push_back({std::move(kind), due});
}

AccountDecision Builder::Finish(bool changed, std::unique_ptr<google::protobuf::Message> reply) {
  decision_.changed = changed;
  decision_.reply = std::move(reply);
  return std::move(decision_);
}

AccountDecision Builder::FinishIfChanged(std::unique_ptr<google::protobuf::Message> reply) {
  const bool changed = !decision_.events.empty() || !decision_.timers_add.empty() ||
                       !decision_.timers_remove.empty() ||
                       decision_.state.SerializeAsString() != original_;
  return Finish(changed, std::move(reply));
}

}  // namespace concerto::payment::internal
