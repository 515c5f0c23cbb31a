#include "services/reporting/domain/kpi_fold.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "concerto/common/v1/envelope.pb.h"
#include "concerto/common/v1/types.pb.h"
#include "concerto/contact/v1/contact_events.pb.h"
#include "concerto/dunning/v1/case.pb.h"
#include "concerto/invoice/v1/invoice_events.pb.h"
#include "concerto/legal/v1/legal_events.pb.h"
#include "concerto/payment/v1/payment_events.pb.h"
#include "libs/rules/kpi.h"
#include "libs/rules/money.h"

namespace concerto::reporting {
namespace {

namespace cv1 = ::concerto::common::v1;
namespace inv = ::concerto::invoice::v1;
namespace pay = ::concerto::payment::v1;
namespace dun = ::concerto::dunning::v1;
namespace con = ::concerto::contact::v1;
namespace leg = ::concerto::legal::v1;

// The payload schema version this fold understands; newer ones are skipped (event catalogue,
// "Schema evolution"). 0 is an unset field and means 1.
constexpr uint32_t kMaxSchemaVersion = 1;

// ---- the folded history ----

struct DatedAmount {
  absl::CivilDay day;
  int64_t minor = 0;
};

struct DueChange {
  absl::CivilDay effective;  // day the new due date took effect
  absl::CivilDay due;
};

// InvoiceRec keeps deltas, not "balance after" values: deltas add up to the same open balance
// whatever order the invoice and payment topics are read in.
struct InvoiceRec {
  std::string debtor_id;
  std::string currency;
  bool issued = false;
  absl::CivilDay issue_day;
  std::optional<absl::CivilDay> due;  // as issued
  std::vector<DueChange> due_changes;  // arrival order
  std::vector<DatedAmount> balance;    // deltas to the open balance
  std::vector<DatedAmount> sales;      // deltas to net credit sales
};

// PaymentLine is one allocation (negative when reversed).
struct PaymentLine {
  absl::CivilDay day;
  std::string debtor_id;
  std::string invoice_id;
  std::string currency;
  int64_t total = 0;
  int64_t principal = 0;
};

enum class FactKind : uint8_t {
  kPromiseMade,
  kPromiseKept,
  kPromiseBroken,
  kPlanCreated,
  kPlanCompleted,
  kPlanBroken,
  kContactRequested,
  kContactSent,
  kContactSuppressed,
  kEscalation,
  kCaseOpened,
  kCaseClosed,
  kSurvey,
};

// Fact is one dated, countable thing that happened to a debtor.
struct Fact {
  absl::CivilDay day;
  FactKind kind = FactKind::kCaseOpened;
  int a = 0;          // suppression reason, final case state, CSAT (0: none)
  int b = -1;         // NPS (-1: none)
  bool flag = false;  // closed case: it went to legal in this cycle; suppression: deferred
  int64_t minor = 0;  // escalated value
  std::string currency;
  std::string id;  // escalation request event id
};

struct DebtorRec {
  std::optional<ArmKey> arm;  // latest case assignment
  bool in_legal = false;      // the current case cycle reached LEGAL (and was not rejected)
  std::vector<std::pair<absl::CivilDay, int>> statuses;  // customer status history
  std::vector<Fact> facts;
  std::string fallback_currency;  // first currency seen when the debtor has no invoice
};

struct TenantState {
  absl::flat_hash_map<std::string, InvoiceRec> invoices;
  absl::flat_hash_map<std::string, DebtorRec> debtors;
  std::vector<PaymentLine> payments;
  // EscalationRequested event ids the legal service rejected (EscalationRejected).
  absl::flat_hash_set<std::string> rejected_escalations;
};

}  // namespace

struct PortfolioFold::State {
  FoldOptions options;
  FoldStats stats;
  absl::flat_hash_set<std::string> seen_ids;
  std::map<std::string, TenantState> tenants;
  std::optional<absl::CivilDay> first_day;  // earliest day of any recorded flow
};

namespace {

// ---- apply: one handler per event type ----

// Ctx is what a handler works on: the tenant's history and the envelope with its day.
struct Ctx {
  std::optional<absl::CivilDay>* first_day;
  TenantState* tenant;
  const cv1::Envelope* envelope;
  absl::CivilDay day;  // occurred_at in the fold's time zone

  void Note(absl::CivilDay d) const {
    if (!first_day->has_value() || d < **first_day) *first_day = d;
  }
  InvoiceRec& Invoice(const std::string& invoice_id, const std::string& debtor_id) const {
    InvoiceRec& r = tenant->invoices[invoice_id];
    if (r.debtor_id.empty()) r.debtor_id = debtor_id;
    return r;
  }
  DebtorRec& Debtor(const std::string& debtor_id) const { return tenant->debtors[debtor_id]; }
  // AddFact records a fact of `kind` on the event's day; the caller fills in its details.
  Fact& AddFact(const std::string& debtor_id, FactKind kind) const {
    Note(day);
    std::vector<Fact>& facts = Debtor(debtor_id).facts;
    facts.push_back(Fact{});
    facts.back().day = day;
    facts.back().kind = kind;
    return facts.back();
  }
};

std::optional<absl::CivilDay> DayOf(const cv1::Date& d) {
  if (d.year() == 0) return std::nullopt;
  return absl::CivilDay(d.year(), d.month(), d.day());
}

void SetCurrencyIfEmpty(std::string* currency, const cv1::Money& m) {
  if (currency->empty() && !m.currency().empty()) *currency = m.currency();
}

void Assign(const Ctx& c, const std::string& debtor_id, const dun::StrategyAssignment& a) {
  if (a.strategy_id().empty()) return;
  c.Debtor(debtor_id).arm = ArmKey{a.strategy_id(), a.variant()};
}

// invoice.events

void On(const inv::DebtorUpserted& e, const Ctx& c) {
  c.Debtor(e.debtor_id()).statuses.emplace_back(c.day, e.customer_status());
}

void On(const inv::InvoiceIssued& e, const Ctx& c) {
  InvoiceRec& r = c.Invoice(e.invoice_id(), e.debtor_id());
  if (r.issued) return;  // one invoice id is issued once
  r.issued = true;
  if (!e.amount().currency().empty()) r.currency = e.amount().currency();
  r.issue_day = DayOf(e.issue_date()).value_or(c.day);
  r.due = DayOf(e.due_date());
  const int64_t open =
      e.has_open_balance() ? e.open_balance().minor_units() : e.amount().minor_units();
  r.sales.push_back({r.issue_day, e.amount().minor_units()});
  r.balance.push_back({r.issue_day, open});
  c.Note(r.issue_day);
}

void On(const inv::InvoiceAdjusted& e, const Ctx& c) {
  InvoiceRec& r = c.Invoice(e.invoice_id(), e.debtor_id());
  SetCurrencyIfEmpty(&r.currency, e.delta());
  if (e.delta().minor_units() != 0) {
    r.sales.push_back({c.day, e.delta().minor_units()});
    r.balance.push_back({c.day, e.delta().minor_units()});
    c.Note(c.day);
  }
  if (std::optional<absl::CivilDay> due = DayOf(e.due_date())) {
    r.due_changes.push_back({c.day, *due});
  }
}

void On(const inv::InvoiceCancelled& e, const Ctx& c) {
  InvoiceRec& r = c.Invoice(e.invoice_id(), e.debtor_id());
  SetCurrencyIfEmpty(&r.currency, e.cancelled_balance());
  const int64_t cancelled = e.cancelled_balance().minor_units();
  if (cancelled == 0) return;
  r.sales.push_back({c.day, -cancelled});
  r.balance.push_back({c.day, -cancelled});
  c.Note(c.day);
}

void On(const inv::InvoiceWrittenOff& e, const Ctx& c) {
  InvoiceRec& r = c.Invoice(e.invoice_id(), e.debtor_id());
  SetCurrencyIfEmpty(&r.currency, e.written_off());
  if (e.written_off().minor_units() == 0) return;
  r.balance.push_back({c.day, -e.written_off().minor_units()});
  c.Note(c.day);
}

void On(const inv::InvoiceReissued& e, const Ctx& c) {
  InvoiceRec& r = c.Invoice(e.invoice_id(), e.debtor_id());
  if (std::optional<absl::CivilDay> due = DayOf(e.due_date())) {
    r.due_changes.push_back({c.day, *due});
  }
}

// payment.events

int64_t AllocationTotal(const pay::Allocation& a) {
  if (a.has_total()) return a.total().minor_units();
  return a.principal().minor_units() + a.interest().minor_units() + a.costs().minor_units();
}

std::string AllocationCurrency(const pay::Allocation& a) {
  for (const cv1::Money* m : {&a.total(), &a.principal(), &a.interest(), &a.costs()}) {
    if (!m->currency().empty()) return m->currency();
  }
  return "";
}

// Books allocations as collected (sign +1) or reversed (sign -1).
void BookAllocations(const Ctx& c, const std::string& debtor_id,
                     const google::protobuf::RepeatedPtrField<pay::Allocation>& allocations,
                     int sign) {
  for (const pay::Allocation& a : allocations) {
    std::string currency = AllocationCurrency(a);
    const int64_t principal = a.principal().minor_units();
    if (!a.invoice_id().empty()) {
      InvoiceRec& r = c.Invoice(a.invoice_id(), debtor_id);
      if (currency.empty()) currency = r.currency;
      if (r.currency.empty()) r.currency = currency;
      if (principal != 0) r.balance.push_back({c.day, -sign * principal});
    }
    if (!debtor_id.empty() && !currency.empty()) {
      std::string& fallback = c.Debtor(debtor_id).fallback_currency;
      if (fallback.empty()) fallback = currency;
    }
    c.tenant->payments.push_back(
        {c.day, debtor_id, a.invoice_id(), currency, sign * AllocationTotal(a), sign * principal});
    c.Note(c.day);
  }
}

void On(const pay::PaymentAllocated& e, const Ctx& c) {
  BookAllocations(c, e.debtor_id(), e.allocations(), +1);
}

void On(const pay::PaymentReversed& e, const Ctx& c) {
  if (e.reopened_size() > 0) {
    BookAllocations(c, e.debtor_id(), e.reopened(), -1);
  } else if (e.amount().minor_units() != 0) {
    // No per-invoice detail: the collected money goes back, no invoice reopens.
    c.tenant->payments.push_back(
        {c.day, e.debtor_id(), "", e.amount().currency(), -e.amount().minor_units(), 0});
    c.Note(c.day);
  }
}

void On(const pay::PromiseMade& e, const Ctx& c) {
  c.AddFact(e.debtor_id(), FactKind::kPromiseMade);
}
void On(const pay::PromiseKept& e, const Ctx& c) {
  c.AddFact(e.debtor_id(), FactKind::kPromiseKept);
}
void On(const pay::PromiseBroken& e, const Ctx& c) {
  c.AddFact(e.debtor_id(), FactKind::kPromiseBroken);
}
void On(const pay::PlanCreated& e, const Ctx& c) {
  c.AddFact(e.debtor_id(), FactKind::kPlanCreated);
}
void On(const pay::PlanCompleted& e, const Ctx& c) {
  c.AddFact(e.debtor_id(), FactKind::kPlanCompleted);
}
void On(const pay::PlanBroken& e, const Ctx& c) {
  c.AddFact(e.debtor_id(), FactKind::kPlanBroken);
}

// case.events: every event carries the assignment, which decides the debtor's arm.

void On(const dun::CaseOpened& e, const Ctx& c) {
  Assign(c, e.debtor_id(), e.assignment());
  DebtorRec& d = c.Debtor(e.debtor_id());
  d.in_legal = false;  // a new case cycle
  SetCurrencyIfEmpty(&d.fallback_currency, e.balance());
  c.AddFact(e.debtor_id(), FactKind::kCaseOpened);
}

void On(const dun::CaseTransitioned& e, const Ctx& c) {
  Assign(c, e.debtor_id(), e.assignment());
  DebtorRec& d = c.Debtor(e.debtor_id());
  if (e.to() == dun::CASE_STATE_LEGAL) {
    d.in_legal = true;
  } else if (e.from() == dun::CASE_STATE_LEGAL && e.to() == dun::CASE_STATE_AGENT_REVIEW) {
    d.in_legal = false;  // the legal partner rejected the case: no legal action happened
  }
}

template <typename T>
void OnContactRequest(const T& e, const Ctx& c) {
  Assign(c, e.debtor_id(), e.assignment());
  c.AddFact(e.debtor_id(), FactKind::kContactRequested);
}
void On(const dun::ContactRequested& e, const Ctx& c) { OnContactRequest(e, c); }
void On(const dun::CallTaskRequested& e, const Ctx& c) { OnContactRequest(e, c); }
void On(const dun::FinalNoticeRequested& e, const Ctx& c) { OnContactRequest(e, c); }
void On(const dun::PlanOffered& e, const Ctx& c) { OnContactRequest(e, c); }

void On(const dun::FeesApplied& e, const Ctx& c) { Assign(c, e.debtor_id(), e.assignment()); }

void On(const dun::EscalationRequested& e, const Ctx& c) {
  Assign(c, e.debtor_id(), e.assignment());
  DebtorRec& d = c.Debtor(e.debtor_id());
  d.in_legal = true;
  std::string currency = e.balance().currency();
  if (currency.empty()) currency = d.fallback_currency;
  Fact& f = c.AddFact(e.debtor_id(), FactKind::kEscalation);
  f.minor = e.balance().minor_units();
  f.currency = std::move(currency);
  f.id = c.envelope->event_id();
}

void On(const dun::CaseClosed& e, const Ctx& c) {
  Assign(c, e.debtor_id(), e.assignment());
  DebtorRec& d = c.Debtor(e.debtor_id());
  const bool went_legal = d.in_legal;
  d.in_legal = false;
  Fact& f = c.AddFact(e.debtor_id(), FactKind::kCaseClosed);
  f.a = e.final_state();
  f.flag = went_legal;
}

// contact.events

void On(const con::ContactAttemptSent& e, const Ctx& c) {
  c.AddFact(e.attempt().debtor_id(), FactKind::kContactSent);
}

void On(const con::ContactAttemptSuppressed& e, const Ctx& c) {
  Fact& f = c.AddFact(e.attempt().debtor_id(), FactKind::kContactSuppressed);
  f.a = e.reason();
  f.flag = e.has_deferred_until();  // deferred to the next allowed moment, not dropped
}

void On(const con::SurveyAnswered& e, const Ctx& c) {
  Fact& f = c.AddFact(e.debtor_id(), FactKind::kSurvey);
  f.a = e.has_csat() ? e.csat() : 0;
  f.b = e.has_nps() ? e.nps() : -1;
}

// legal.events

void On(const leg::EscalationRejected& e, const Ctx& c) {
  if (!e.escalation_request_id().empty()) {
    c.tenant->rejected_escalations.insert(e.escalation_request_id());
  }
}

// ---- dispatch by Envelope.type ----

using Handler = bool (*)(const Ctx&);

template <typename T>
bool Dispatch(const Ctx& c) {
  T msg;
  if (!msg.ParseFromString(c.envelope->payload())) return false;
  On(msg, c);
  return true;
}

template <typename T>
std::pair<std::string, Handler> Entry() {
  return {T::descriptor()->full_name(), &Dispatch<T>};
}

const absl::flat_hash_map<std::string, Handler>& Handlers() {
  static const auto* const kHandlers = new absl::flat_hash_map<std::string, Handler>{
      Entry<inv::DebtorUpserted>(),        Entry<inv::InvoiceIssued>(),
      Entry<inv::InvoiceAdjusted>(),       Entry<inv::InvoiceCancelled>(),
      Entry<inv::InvoiceWrittenOff>(),     Entry<inv::InvoiceReissued>(),
      Entry<pay::PaymentAllocated>(),      Entry<pay::PaymentReversed>(),
      Entry<pay::PromiseMade>(),           Entry<pay::PromiseKept>(),
      Entry<pay::PromiseBroken>(),         Entry<pay::PlanCreated>(),
      Entry<pay::PlanCompleted>(),         Entry<pay::PlanBroken>(),
      Entry<dun::CaseOpened>(),            Entry<dun::CaseTransitioned>(),
      Entry<dun::ContactRequested>(),      Entry<dun::CallTaskRequested>(),
      Entry<dun::FinalNoticeRequested>(),  Entry<dun::PlanOffered>(),
      Entry<dun::FeesApplied>(),           Entry<dun::EscalationRequested>(),
      Entry<dun::CaseClosed>(),            Entry<con::ContactAttemptSent>(),
      Entry<con::ContactAttemptSuppressed>(), Entry<con::SurveyAnswered>(),
      Entry<leg::EscalationRejected>(),
  };
  return *kHandlers;
}

absl::CivilDay OccurredDay(const cv1::Envelope& env, absl::TimeZone tz) {
  const absl::Time t = absl::FromUnixSeconds(env.occurred_at().seconds()) +
                       absl::Nanoseconds(env.occurred_at().nanos());
  return absl::ToCivilDay(t, tz);
}

// ---- snapshot ----

// Placement is when an invoice entered collection and with what open balance.
struct Placement {
  absl::CivilDay day;
  int64_t value = 0;
};

// DueAt is the due date in effect on `day` (the latest change effective by then).
std::optional<absl::CivilDay> DueAt(const InvoiceRec& r, absl::CivilDay day) {
  std::optional<absl::CivilDay> due = r.due;
  std::optional<absl::CivilDay> effective;
  for (const DueChange& ch : r.due_changes) {
    if (ch.effective > day) continue;
    if (!effective.has_value() || ch.effective >= *effective) {
      effective = ch.effective;
      due = ch.due;
    }
  }
  return due;
}

// BalanceAt is the open balance at the end of `day` (never negative).
int64_t BalanceAt(const InvoiceRec& r, absl::CivilDay day) {
  int64_t sum = 0;
  for (const DatedAmount& d : r.balance) {
    if (d.day <= day) sum += d.minor;
  }
  return std::max<int64_t>(sum, 0);
}

int BucketIndex(const InvoiceRec& r, absl::CivilDay day) {
  const std::optional<absl::CivilDay> due = DueAt(r, day);
  if (!due.has_value()) return static_cast<int>(rules::AgeingBucket::kCurrent);
  return static_cast<int>(rules::AgeingBucketFor(day - *due));
}

// PlacementOf: the first day after a due date (still in effect then) at whose start the
// invoice had an open balance, up to `last_day`.
std::optional<Placement> PlacementOf(const InvoiceRec& r, absl::CivilDay last_day) {
  std::vector<absl::CivilDay> dues;
  if (r.due.has_value()) dues.push_back(*r.due);
  for (const DueChange& ch : r.due_changes) dues.push_back(ch.due);
  std::optional<Placement> best;
  for (const absl::CivilDay due : dues) {
    const absl::CivilDay day = due + 1;
    if (day > last_day || day < r.issue_day) continue;
    if (DueAt(r, day) != due) continue;
    const int64_t value = BalanceAt(r, due);
    if (value <= 0) continue;
    if (!best.has_value() || day < best->day) best = Placement{day, value};
  }
  return best;
}

bool ActiveAt(const DebtorRec& d, absl::CivilDay day) {
  std::optional<absl::CivilDay> latest;
  int status = inv::CUSTOMER_STATUS_UNSPECIFIED;
  for (const auto& [when, s] : d.statuses) {
    if (when > day) continue;
    if (!latest.has_value() || when >= *latest) {
      latest = when;
      status = s;
    }
  }
  return status == inv::CUSTOMER_STATUS_ACTIVE;
}

int64_t RoundedRatio(rules::Int128 numerator, rules::Int128 denominator) {
  const rules::Int128 r = rules::RoundHalfAwayFromZero(numerator, denominator);
  if (r > std::numeric_limits<int64_t>::max()) return std::numeric_limits<int64_t>::max();
  if (r < std::numeric_limits<int64_t>::min()) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(r);
}

// BasisPoints = numerator / denominator x 10000, rounded once; unset for a zero denominator.
std::optional<int64_t> BasisPoints(int64_t numerator, int64_t denominator) {
  if (denominator <= 0) return std::nullopt;
  return RoundedRatio(rules::Int128{numerator} * 10'000, denominator);
}

Figure ToFigure(const absl::StatusOr<double>& v) {
  Figure f;
  if (v.ok()) {
    f.value = *v;
  } else {
    f.undefined_reason = std::string(v.status().message());
  }
  return f;
}

Figure Undefined(std::string reason) {
  Figure f;
  f.undefined_reason = std::move(reason);
  return f;
}

int DaysIn(absl::CivilMonth m) {
  return static_cast<int>(absl::CivilDay(m + 1) - absl::CivilDay(m));
}

// CountBack feeds rules::CountBackDso the months newest first from the period end's month (the
// last one cut at the period end). A month whose net sales are not positive holds no
// receivables: its days count whole, which rules::CountBackDso cannot take, so they are added
// to its result (an integer, exact in a double).
Figure CountBack(int64_t ar, const std::string& currency,
                 const std::map<absl::CivilMonth, int64_t>& monthly, absl::CivilDay end) {
  const rules::Money receivables{ar, currency};
  if (ar <= 0) return ToFigure(rules::CountBackDso(receivables, {}));
  if (monthly.empty()) return Undefined("no credit sales up to the period end");
  const absl::CivilMonth earliest = monthly.begin()->first;
  const absl::CivilMonth last(end);
  std::vector<rules::MonthSales> months;
  int64_t covered = 0;
  int zero_days = 0;
  for (absl::CivilMonth m = last; m >= earliest && covered < ar; --m) {
    const int days = m == last ? end.day() : DaysIn(m);
    const auto it = monthly.find(m);
    const int64_t sales = it == monthly.end() ? 0 : it->second;
    if (sales <= 0) {
      zero_days += days;
      continue;
    }
    months.push_back({rules::Money{sales, currency}, days});
    covered += sales;
  }
  if (covered < ar) {
    return Undefined(absl::StrCat("the credit sales since ", absl::FormatCivilTime(earliest),
                                  " do not cover the receivables"));
  }
  Figure f = ToFigure(rules::CountBackDso(receivables, months));
  if (f.value.has_value()) *f.value += zero_days;
  return f;
}

// GroupAcc accumulates one group's figures and its monthly sales per currency.
struct GroupAcc {
  GroupKpis kpis;
  std::map<std::string, std::map<absl::CivilMonth, int64_t>> monthly_sales;
};

std::string ReasonName(int reason) {
  const std::string& name =
      con::SuppressionReason_Name(static_cast<con::SuppressionReason>(reason));
  if (name.empty()) return absl::StrCat("reason_", reason);
  constexpr absl::string_view kPrefix = "SUPPRESSION_REASON_";
  std::string out = absl::StartsWith(name, kPrefix) ? name.substr(kPrefix.size()) : name;
  for (char& ch : out) ch = static_cast<char>(absl::ascii_tolower(static_cast<unsigned char>(ch)));
  return out;
}

void CountFact(const Fact& f, bool debtor_active, const std::string& debtor_currency,
             const absl::flat_hash_set<std::string>& rejected, GroupKpis& g) {
  switch (f.kind) {
    case FactKind::kPromiseMade:
      ++g.promises_made;
      break;
    case FactKind::kPromiseKept:
      ++g.promises_kept;
      break;
    case FactKind::kPromiseBroken:
      ++g.promises_broken;
      break;
    case FactKind::kPlanCreated:
      ++g.plans_created;
      break;
    case FactKind::kPlanCompleted:
      ++g.plans_completed;
      break;
    case FactKind::kPlanBroken:
      ++g.plans_broken;
      break;
    case FactKind::kContactRequested:
      ++g.contacts_requested;
      break;
    case FactKind::kContactSent:
      ++g.contacts_sent;
      if (!debtor_currency.empty()) ++g.by_currency[debtor_currency].contacts_sent;
      break;
    case FactKind::kContactSuppressed:
      if (f.flag) {
        ++g.contacts_deferred;
        ++g.deferred_by_reason[ReasonName(f.a)];
      } else {
        ++g.contacts_suppressed;
        ++g.suppressed_by_reason[ReasonName(f.a)];
      }
      break;
    case FactKind::kEscalation:
      ++g.escalations_requested;
      if (rejected.contains(f.id)) {
        ++g.escalations_rejected;
      } else {
        g.by_currency[f.currency].escalated += f.minor;
      }
      break;
    case FactKind::kCaseOpened:
      ++g.cases_opened;
      break;
    case FactKind::kCaseClosed: {
      ++g.cases_closed;
      const bool paid_or_settled =
          f.a == dun::CASE_STATE_PAID || f.a == dun::CASE_STATE_SETTLED;
      if (paid_or_settled && !f.flag && debtor_active) ++g.relationships_saved;
      break;
    }
    case FactKind::kSurvey:
      if (f.a >= 1 && f.a <= 5) {
        ++g.csat_responses;
        g.csat_sum += f.a;
      }
      if (f.b >= 0 && f.b <= 10) {
        ++g.nps_responses;
        if (f.b >= 9) {
          ++g.nps_promoters;
        } else if (f.b >= 7) {
          ++g.nps_passives;
        } else {
          ++g.nps_detractors;
        }
      }
      break;
  }
}

void FinishCurrency(const std::string& currency, const std::map<absl::CivilMonth, int64_t>& monthly,
                    const Report& report, const FoldOptions& options, CurrencyKpis& k) {
  const rules::Money sales{k.credit_sales, currency};
  const rules::Money closing{k.closing_receivables, currency};
  const rules::Money current{k.closing_current_receivables, currency};

  k.collection_rate_bp = BasisPoints(k.collected_on_placed, k.placed);
  k.count_back_dso_days = CountBack(k.closing_receivables, currency, monthly, report.period_end);
  if (k.credit_sales <= 0) {
    const std::string why = "no credit sales in the period";
    k.simple_dso_days = Undefined(why);
    k.best_possible_dso_days = Undefined(why);
  } else {
    k.simple_dso_days = ToFigure(rules::SimpleDso(closing, sales, report.period_days));
    k.best_possible_dso_days =
        ToFigure(rules::BestPossibleDso(current, sales, report.period_days));
  }
  if (k.simple_dso_days.value.has_value() && k.best_possible_dso_days.value.has_value()) {
    k.add_days.value = rules::AverageDaysDelinquent(*k.simple_dso_days.value,
                                                    *k.best_possible_dso_days.value);
  } else {
    k.add_days = Undefined(k.simple_dso_days.value.has_value()
                               ? k.best_possible_dso_days.undefined_reason
                               : k.simple_dso_days.undefined_reason);
  }
  // The period is one unit (N = 1, ADR 0009): what was collected of what was collectable.
  k.cei_percent = ToFigure(rules::CeiPercent(rules::Money{k.opening_receivables, currency}, sales,
                                             /*months=*/1, closing, current));
  k.legal_ratio_percent =
      k.placed <= 0 ? Undefined("nothing placed in the period")
                    : ToFigure(rules::LegalRatioPercent(rules::Money{k.escalated, currency},
                                                        rules::Money{k.placed, currency}));
  if (options.loss_rates.has_value()) {
    std::vector<rules::ProvisionRow> rows;
    for (int i = 0; i < kAgeingBucketCount; ++i) {
      rows.push_back({rules::Money{k.ageing_closing[i], currency}, (*options.loss_rates)[i]});
    }
    absl::StatusOr<rules::Money> ecl = rules::ExpectedCreditLoss(rows);
    if (ecl.ok()) {
      k.expected_credit_loss = ecl->minor_units;
    } else {
      k.expected_credit_loss_note = std::string(ecl.status().message());
    }
  } else {
    k.expected_credit_loss_note = "no provision matrix configured";
  }
  const std::optional<int> exponent = rules::MinorUnitExponent(currency);
  if (k.collected > 0 && exponent.has_value()) {
    rules::Int128 minor_per_1000 = 1000;
    for (int i = 0; i < *exponent; ++i) minor_per_1000 *= 10;
    k.contacts_per_1000_collected_centi =
        RoundedRatio(rules::Int128{k.contacts_sent} * minor_per_1000 * 100, k.collected);
  }
}

void Finish(GroupAcc& acc, const Report& report, const FoldOptions& options) {
  GroupKpis& g = acc.kpis;
  for (auto& [currency, k] : g.by_currency) {
    FinishCurrency(currency, acc.monthly_sales[currency], report, options, k);
  }
  g.promises_kept_bp = BasisPoints(g.promises_kept, g.promises_kept + g.promises_broken);
  g.relationship_saved_percent =
      g.cases_closed <= 0
          ? Undefined("no case closed in the period")
          : ToFigure(rules::RelationshipSavedPercent(g.relationships_saved, g.cases_closed));
  if (g.csat_responses > 0) {
    g.csat_average_centi = RoundedRatio(rules::Int128{g.csat_sum} * 100, g.csat_responses);
  }
  if (g.nps_responses > 0) {
    g.nps_centi = RoundedRatio(rules::Int128{g.nps_promoters - g.nps_detractors} * 10'000,
                               g.nps_responses);
  }
}

TenantKpis SnapshotTenant(const TenantState& t, const Report& report,
                          const FoldOptions& options) {
  const absl::CivilDay start = report.period_start;
  const absl::CivilDay end = report.period_end;
  const absl::CivilDay opening_day = start - 1;

  GroupAcc total;
  std::map<ArmKey, GroupAcc> arms;
  auto arm_of = [&t](const std::string& debtor_id) {
    const auto it = t.debtors.find(debtor_id);
    if (it == t.debtors.end() || !it->second.arm.has_value()) return ArmKey{};
    return *it->second.arm;
  };
  auto both = [&](const ArmKey& arm, auto&& fn) {
    fn(total);
    fn(arms[arm]);
  };

  // Invoices: sales, receivables, ageing, placement.
  absl::flat_hash_map<const InvoiceRec*, std::optional<Placement>> placements;
  // A debtor's currency: that of its earliest issued invoice (contacts per 1,000 collected);
  // ties go to the smaller code, so the hash map's order never shows.
  absl::flat_hash_map<std::string, std::pair<absl::CivilDay, const std::string*>> debtor_currency;
  for (const auto& [invoice_id, r] : t.invoices) {
    if (!r.issued || r.issue_day > end) continue;
    const std::optional<Placement> placement = PlacementOf(r, end);
    placements[&r] = placement;
    auto [it, inserted] = debtor_currency.try_emplace(r.debtor_id, r.issue_day, &r.currency);
    if (!inserted && (r.issue_day < it->second.first ||
                      (r.issue_day == it->second.first && r.currency < *it->second.second))) {
      it->second = {r.issue_day, &r.currency};
    }
    const int64_t opening = BalanceAt(r, opening_day);
    const int64_t closing = BalanceAt(r, end);
    const int opening_bucket = BucketIndex(r, opening_day);
    const int closing_bucket = BucketIndex(r, end);
    both(arm_of(r.debtor_id), [&](GroupAcc& g) {
      CurrencyKpis& k = g.kpis.by_currency[r.currency];
      std::map<absl::CivilMonth, int64_t>& monthly = g.monthly_sales[r.currency];
      for (const DatedAmount& s : r.sales) {
        if (s.day > end) continue;
        monthly[absl::CivilMonth(s.day)] += s.minor;
        if (s.day >= start) k.credit_sales += s.minor;
      }
      k.opening_receivables += opening;
      k.ageing_opening[opening_bucket] += opening;
      k.closing_receivables += closing;
      k.ageing_closing[closing_bucket] += closing;
      if (closing_bucket == static_cast<int>(rules::AgeingBucket::kCurrent)) {
        k.closing_current_receivables += closing;
      }
      if (placement.has_value() && placement->day >= start) {
        ++k.invoices_placed;
        k.placed += placement->value;
      }
    });
  }

  // Payments: collected, and principal collected on the invoices placed in the period.
  for (const PaymentLine& p : t.payments) {
    if (p.day < start || p.day > end) continue;
    const InvoiceRec* r = nullptr;
    if (const auto it = t.invoices.find(p.invoice_id); it != t.invoices.end()) r = &it->second;
    const std::string& debtor = !p.debtor_id.empty() || r == nullptr ? p.debtor_id : r->debtor_id;
    const std::string& currency = !p.currency.empty() || r == nullptr ? p.currency : r->currency;
    int64_t on_placed = 0;
    if (r != nullptr) {
      const auto it = placements.find(r);
      if (it != placements.end() && it->second.has_value() && it->second->day >= start &&
          p.day >= it->second->day) {
        on_placed = p.principal;
      }
    }
    both(arm_of(debtor), [&](GroupAcc& g) {
      CurrencyKpis& k = g.kpis.by_currency[currency];
      k.collected += p.total;
      k.collected_on_placed += on_placed;
    });
  }

  // Debtor facts.
  for (const auto& [debtor_id, d] : t.debtors) {
    const ArmKey arm = d.arm.value_or(ArmKey{});
    const bool active = ActiveAt(d, end);
    const auto cur = debtor_currency.find(debtor_id);
    const std::string& currency =
        cur != debtor_currency.end() ? *cur->second.second : d.fallback_currency;
    for (const Fact& f : d.facts) {
      if (f.day < start || f.day > end) continue;
      both(arm, [&](GroupAcc& g) { CountFact(f, active, currency, t.rejected_escalations, g.kpis); });
    }
  }

  TenantKpis out;
  Finish(total, report, options);
  out.total = std::move(total.kpis);
  for (auto& [arm, acc] : arms) {
    Finish(acc, report, options);
    out.arms.emplace(arm, std::move(acc.kpis));
  }
  return out;
}

}  // namespace

std::string ArmLabel(const ArmKey& arm) {
  if (arm.strategy_id.empty()) return "unassigned";
  return absl::StrCat(arm.strategy_id, "/", arm.variant.empty() ? "-" : arm.variant);
}

PortfolioFold::PortfolioFold(FoldOptions options) : state_(std::make_unique<State>()) {
  state_->options = std::move(options);
}
PortfolioFold::~PortfolioFold() = default;
PortfolioFold::PortfolioFold(PortfolioFold&&) noexcept = default;
PortfolioFold& PortfolioFold::operator=(PortfolioFold&&) noexcept = default;

void PortfolioFold::Apply(const common::v1::Envelope& envelope) {
  State& s = *state_;
  if (!envelope.event_id().empty() && s.seen_ids.contains(envelope.event_id())) {
    ++s.stats.duplicates;
    return;
  }
  const auto& handlers = Handlers();
  const auto handler = handlers.find(envelope.type());
  if (handler == handlers.end() || envelope.schema_version() > kMaxSchemaVersion) {
    ++s.stats.ignored;
    return;
  }
  const Ctx ctx{.first_day = &s.first_day,
                .tenant = &s.tenants[envelope.tenant()],
                .envelope = &envelope,
                .day = OccurredDay(envelope, s.options.time_zone)};
  if (!handler->second(ctx)) {
    ++s.stats.malformed;
    return;
  }
  if (!envelope.event_id().empty()) s.seen_ids.insert(envelope.event_id());
  ++s.stats.applied;
}

Report PortfolioFold::Snapshot(absl::CivilDay as_of) const {
  absl::CivilDay start = as_of;
  if (state_->first_day.has_value() && *state_->first_day < as_of) start = *state_->first_day;
  return Snapshot(start, as_of);
}

Report PortfolioFold::Snapshot(absl::CivilDay period_start, absl::CivilDay period_end) const {
  Report report;
  report.period_start = std::min(period_start, period_end);
  report.period_end = period_end;
  report.period_days = static_cast<int>(report.period_end - report.period_start) + 1;
  for (const auto& [tenant, t] : state_->tenants) {
    report.tenants.emplace(tenant, SnapshotTenant(t, report, state_->options));
  }
  return report;
}

const FoldStats& PortfolioFold::stats() const { return state_->stats; }

}  // namespace concerto::reporting
