// Test helpers for the invoice domain tests: builders for specs and payment events, and event
// decoding. Test-only.
#pragma once

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "concerto/payment/v1/payment_events.pb.h"
#include "gtest/gtest.h"
#include "services/invoice/domain/account.h"
#include "services/invoice/domain/dates.h"

namespace concerto::invoice::testing {

inline constexpr char kTenant[] = "acme";
inline constexpr char kDebtor[] = "D-17";

// Now is the fixed clock of the tests: 2025-03-10 09:00 UTC.
inline absl::Time Now() {
  return absl::FromCivil(absl::CivilSecond(2025, 3, 10, 9, 0, 0), absl::UTCTimeZone());
}

inline common::v1::Money Eur(int64_t minor) {
  common::v1::Money m;
  m.set_minor_units(minor);
  m.set_currency("EUR");
  return m;
}

// D builds a Date (normalised like absl::CivilDay: use set_day for impossible dates).
inline common::v1::Date D(int y, int m, int d) { return ToDate(absl::CivilDay(y, m, d)); }

// Spec is a valid invoice without lines: EUR amount, issued 2025-03-01, due 2025-03-31.
inline v1::InvoiceSpec Spec(const std::string& number, int64_t amount_minor) {
  v1::InvoiceSpec s;
  s.set_invoice_number(number);
  s.set_debtor_id(kDebtor);
  *s.mutable_issue_date() = D(2025, 3, 1);
  *s.mutable_due_date() = D(2025, 3, 31);
  s.set_currency("EUR");
  *s.mutable_amount() = Eur(amount_minor);
  return s;
}

inline v1::InvoiceRef Ref(const std::string& number) {
  v1::InvoiceRef r;
  r.set_invoice_number(number);
  return r;
}

// Must unwraps a StatusOr in a test (fails the test on error).
template <typename T>
T Must(absl::StatusOr<T> s) {
  EXPECT_TRUE(s.ok()) << s.status();
  if (!s.ok()) return T{};
  return *std::move(s);
}

// WithInvoices returns an account holding the given invoices (each issued once).
inline Account WithInvoices(const std::vector<v1::InvoiceSpec>& specs) {
  Account a = NewAccount(kTenant, kDebtor);
  for (const v1::InvoiceSpec& s : specs) a = Must(IssueInvoice(a, s, Now())).state;
  return a;
}

// Decode parses the payload of the event of type T at `index` (fails the test on a mismatch).
template <typename T>
T Decode(const std::vector<OutputEvent>& events, size_t index) {
  T msg;
  EXPECT_LT(index, events.size());
  if (index >= events.size()) return msg;
  EXPECT_EQ(events[index].type, T::descriptor()->full_name());
  EXPECT_TRUE(msg.ParseFromString(events[index].payload));
  return msg;
}

// Allocated builds a PaymentAllocated payload: (invoice number, principal minor) pairs.
inline std::string Allocated(const std::string& payment_id,
                             const std::vector<std::pair<std::string, int64_t>>& parts) {
  payment::v1::PaymentAllocated m;
  m.set_payment_id(payment_id);
  m.set_debtor_id(kDebtor);
  for (const auto& [number, minor] : parts) {
    payment::v1::Allocation* a = m.add_allocations();
    a->set_invoice_number(number);
    *a->mutable_principal() = Eur(minor);
    *a->mutable_total() = Eur(minor);
  }
  return m.SerializeAsString();
}

inline std::string Reversed(const std::string& payment_id) {
  payment::v1::PaymentReversed m;
  m.set_payment_id(payment_id);
  m.set_reversal_id("rev-" + payment_id);
  m.set_debtor_id(kDebtor);
  return m.SerializeAsString();
}

inline constexpr char kAllocatedType[] = "concerto.payment.v1.PaymentAllocated";
inline constexpr char kReversedType[] = "concerto.payment.v1.PaymentReversed";

}  // namespace concerto::invoice::testing
