// Builders shared by the legal-escalation domain tests: escalation requests, case facts, a
// tenant configuration with Italian and Dutch segments, and case events as (type, payload).
#pragma once

#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "concerto/dunning/v1/case.pb.h"
#include "services/legal_escalation/domain/legal_config.h"
#include "services/legal_escalation/domain/legal_state.pb.h"

namespace concerto::legal::testing {

// Day is a CivilDay.
inline absl::CivilDay Day(int y, int m, int d) { return absl::CivilDay(y, m, d); }

// At is 10:00 UTC on a day.
inline absl::Time At(int y, int m, int d) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, 10, 0, 0), absl::UTCTimeZone());
}

inline common::v1::Date Date(int y, int m, int d) {
  common::v1::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

inline common::v1::Money Eur(int64_t minor) {
  common::v1::Money m;
  m.set_minor_units(minor);
  m.set_currency("EUR");
  return m;
}

// Config: segments it-b2b (IT business), nl-consumer, nl-b2b; partners studio-rossi (IT) and
// incasso-nl (NL).
inline TenantLegalConfig Config() {
  TenantLegalConfig c;
  c.segments["it-b2b"] = {"IT", dunning::v1::DEBTOR_TYPE_BUSINESS};
  c.segments["nl-consumer"] = {"NL", dunning::v1::DEBTOR_TYPE_CONSUMER};
  c.segments["nl-b2b"] = {"NL", dunning::v1::DEBTOR_TYPE_BUSINESS};
  c.partners = {{"studio-rossi", {"IT"}}, {"incasso-nl", {"NL"}}};
  return c;
}

// Request: the strategy's escalation step 7 for debtor d1, two invoices, `minor` EUR.
inline dunning::v1::EscalationRequested Request(int64_t minor = 50000, int step = 7,
                                                const std::string& segment = "it-b2b") {
  dunning::v1::EscalationRequested r;
  r.mutable_assignment()->set_strategy_id("standard");
  r.mutable_assignment()->set_version(1);
  r.mutable_assignment()->set_segment(segment);
  r.set_debtor_id("d1");
  r.set_step(step);
  auto* a = r.add_invoices();
  a->set_invoice_id("inv-1");
  *a->mutable_open_balance() = Eur(minor / 2);
  *a->mutable_due_date() = Date(2025, 12, 31);
  auto* b = r.add_invoices();
  b->set_invoice_id("inv-2");
  *b->mutable_open_balance() = Eur(minor - minor / 2);
  *b->mutable_due_date() = Date(2026, 1, 15);
  *r.mutable_balance() = Eur(minor);
  r.set_reason("escalate to legal");
  return r;
}

// Facts: cycle 1 of segment it-b2b, final notice at step 6 sent 2026-02-01 expiring 2026-02-08,
// step 7 reached, now LEGAL.
inline state::v1::CaseFacts Facts(const std::string& segment = "it-b2b") {
  state::v1::CaseFacts f;
  f.set_sequence(1);
  f.set_state(dunning::v1::CASE_STATE_LEGAL);
  f.set_max_step(7);
  f.set_final_notice_step(6);
  *f.mutable_final_notice_sent_on() = Date(2026, 2, 1);
  *f.mutable_final_notice_expires() = Date(2026, 2, 8);
  f.set_strategy_id("standard");
  f.set_segment(segment);
  f.set_events_seen(12);
  return f;
}

// Assignment of the test strategy in `segment`.
inline dunning::v1::StrategyAssignment Assignment(const std::string& segment = "it-b2b") {
  dunning::v1::StrategyAssignment a;
  a.set_strategy_id("standard");
  a.set_version(1);
  a.set_segment(segment);
  return a;
}

}  // namespace concerto::legal::testing
