// Test helpers for the payment domain: event and request builders and a harness that drives
// one debtor account through the decide functions on a simulated clock.
#pragma once

#include <cstdint>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "concerto/dunning/v1/case.pb.h"
#include "concerto/invoice/v1/invoice_events.pb.h"
#include "concerto/payment/v1/payment_events.pb.h"
#include "gtest/gtest.h"
#include "services/payment/domain/account.h"

namespace concerto::payment::testing {

// At is noon UTC of a day (or another hour).
inline absl::Time At(int y, int m, int d, int hour = 12) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hour, 0, 0), absl::UTCTimeZone());
}

inline common::v1::Money Money(int64_t minor, const std::string& currency = "EUR") {
  common::v1::Money m;
  m.set_minor_units(minor);
  m.set_currency(currency);
  return m;
}

inline common::v1::Date Date(int y, int m, int d) {
  common::v1::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

// InvoiceSpec describes an InvoiceIssued.
struct InvoiceSpec {
  std::string id = "";
  int64_t amount = 0;
  common::v1::Date due = {};
  std::string country = "IT";
  std::string reference = "";
  std::string currency = "EUR";
  invoice::v1::DebtorType debtor_type = invoice::v1::DEBTOR_TYPE_BUSINESS;
};

inline invoice::v1::InvoiceIssued Issued(const InvoiceSpec& s) {
  invoice::v1::InvoiceIssued e;
  e.set_invoice_id(s.id);
  e.set_invoice_number("N-" + s.id);
  e.set_debtor_id("d1");
  *e.mutable_issue_date() = Date(2025, 12, 1);
  *e.mutable_due_date() = s.due;
  *e.mutable_amount() = Money(s.amount, s.currency);
  *e.mutable_open_balance() = Money(s.amount, s.currency);
  e.set_debtor_type(s.debtor_type);
  e.set_country(s.country);
  e.set_payment_reference(s.reference);
  return e;
}

// PayReq is a RecordPaymentRequest of `minor` in `currency`.
inline v1::RecordPaymentRequest PayReq(int64_t minor, const std::string& currency = "EUR") {
  v1::RecordPaymentRequest r;
  *r.mutable_amount() = Money(minor, currency);
  r.set_method(v1::PAYMENT_METHOD_TRANSFER);
  return r;
}

// Harness holds one account ("t1/d1") and the last decision.
struct Harness {
  state::v1::PaymentAccount account = *NewAccount("t1/d1");
  absl::Time now = At(2026, 1, 10);
  PaymentConfig config;
  AccountDecision last;

  // Take keeps a successful decision (its state becomes the account).
  absl::Status Take(absl::StatusOr<AccountDecision> d) {
    if (!d.ok()) return d.status();
    last = std::move(*d);
    account = last.state;
    return absl::OkStatus();
  }

  absl::Status Invoice(const google::protobuf::Message& event) {
    return Take(ApplyInvoiceEvent(account, event.GetDescriptor()->full_name(),
                                  event.SerializeAsString(), now));
  }
  absl::Status Issue(const InvoiceSpec& spec) { return Invoice(Issued(spec)); }

  // Fees applies a FeesApplied with one line per (invoice_id, kind, minor) triple.
  absl::Status Fees(const std::vector<std::tuple<std::string, std::string, int64_t>>& lines,
                    int step = 1) {
    dunning::v1::FeesApplied e;
    e.set_debtor_id("d1");
    e.set_step(step);
    for (const auto& [invoice_id, kind, minor] : lines) {
      auto* l = e.add_lines();
      l->set_invoice_id(invoice_id);
      l->set_kind(kind);
      *l->mutable_amount() = Money(minor);
    }
    return Take(ApplyCaseEvent(account, "concerto.dunning.v1.FeesApplied", e.SerializeAsString(),
                               now));
  }

  absl::Status Pay(const std::string& payment_id, const v1::RecordPaymentRequest& r) {
    return Take(RecordPayment(account, payment_id, r, now));
  }
  absl::Status Pay(const std::string& payment_id, int64_t minor) {
    return Pay(payment_id, PayReq(minor));
  }

  absl::Status Reverse(const std::string& reversal_id, const std::string& payment_id,
                       int64_t minor = -1) {
    v1::ReversePaymentRequest r;
    r.set_payment_id(payment_id);
    r.set_reason(v1::REVERSAL_REASON_CHARGEBACK);
    if (minor >= 0) *r.mutable_amount() = Money(minor);
    return Take(ReversePayment(account, reversal_id, r, now));
  }

  absl::Status Timer(const std::string& kind) { return Take(ApplyTimer(account, kind, "", now)); }

  const state::v1::InvoiceMirror& Inv(const std::string& id) const {
    for (const auto& i : account.invoices()) {
      if (i.invoice_id() == id) return i;
    }
    ADD_FAILURE() << "no invoice " << id;
    static const state::v1::InvoiceMirror kNone;
    return kNone;
  }

  std::vector<std::string> Types() const {
    std::vector<std::string> out;
    for (const auto& e : last.events) out.push_back(e.type);
    return out;
  }

  // Event returns the i-th event of the last decision as an M (fails the test otherwise).
  template <typename M>
  const M& Event(size_t i) const {
    static const M kEmpty;
    if (i >= last.events.size()) {
      ADD_FAILURE() << "no event " << i;
      return kEmpty;
    }
    const M* m = dynamic_cast<const M*>(last.events[i].message.get());
    if (m == nullptr) {
      ADD_FAILURE() << "event " << i << " is " << last.events[i].type;
      return kEmpty;
    }
    return *m;
  }

  template <typename M>
  const M& Reply() const {
    static const M kEmpty;
    const M* m = dynamic_cast<const M*>(last.reply.get());
    if (m == nullptr) {
      ADD_FAILURE() << "reply is not a " << M::descriptor()->name();
      return kEmpty;
    }
    return *m;
  }

  int64_t Credit(const std::string& currency = "EUR") const {
    for (const auto& c : account.credit()) {
      if (c.currency() == currency) return c.minor_units();
    }
    return 0;
  }
};

}  // namespace concerto::payment::testing
