#include "deploy/local/demo/portfolio_run.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "concerto/contact/v1/contact_api.grpc.pb.h"
#include "concerto/contact/v1/contact_events.pb.h"
#include "concerto/dunning/v1/case.pb.h"
#include "concerto/invoice/v1/invoice_api.grpc.pb.h"
#include "concerto/invoice/v1/invoice_events.pb.h"
#include "concerto/payment/v1/payment_api.grpc.pb.h"
#include "concerto/payment/v1/payment_events.pb.h"
#include "concerto/platform/v1/admin.grpc.pb.h"
#include "deploy/local/demo/event_tap.h"
#include "deploy/local/demo/model/portfolio.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/grpcpp.h"
#include "libs/rules/creditor_reference.h"
#include "services/invoice/domain/invoice_csv.h"
#include "libs/platform/runtime/grpc_status.h"
#include "services/payment/statement/camt053_writer.h"

namespace concerto::demo {
namespace {

namespace m = model;
using google::protobuf::util::TimeUtil;

const std::vector<std::string>& DomainTopics() {
  static const auto* topics = new std::vector<std::string>{
      "invoice.events", "case.events", "contact.events", "payment.events", "legal.events"};
  return *topics;
}

void ToDate(absl::CivilDay d, common::v1::Date* out) {
  out->set_year(static_cast<int32_t>(d.year()));
  out->set_month(d.month());
  out->set_day(d.day());
}

absl::CivilDay FromDate(const common::v1::Date& d) { return absl::CivilDay(d.year(), d.month(), d.day()); }

void ToMoney(const rules::Money& m, common::v1::Money* out) {
  out->set_minor_units(m.minor_units);
  out->set_currency(m.currency);
}

common::v1::RequestContext Context(const std::string& tenant, const std::string& key) {
  common::v1::RequestContext c;
  c.set_tenant(tenant);
  c.set_idempotency_key(key);
  c.mutable_actor()->set_id("demo-driver");
  return c;
}

// A debtor as the invoice service's master data (personal data included: it is encrypted there).
invoice::v1::Debtor ToDebtor(const m::Debtor& d) {
  invoice::v1::Debtor out;
  out.set_debtor_id(d.debtor_id);
  out.set_type(static_cast<invoice::v1::DebtorType>(d.type));
  out.set_given_name(d.given_name);
  out.set_family_name(d.family_name);
  out.set_legal_name(d.legal_name);
  out.set_registration_number(d.registration_number);
  for (const m::ContactPoint& cp : d.contact_points) {
    invoice::v1::ContactPoint* p = out.add_contact_points();
    p->set_contact_point_id(cp.contact_point_id);
    p->set_role(static_cast<invoice::v1::ContactRole>(cp.role));
    p->set_person_name(cp.person_name);
    p->set_primary(cp.primary);
    switch (cp.kind) {
      case m::ContactKind::kEmail: p->set_email(cp.email); break;
      case m::ContactKind::kPhone: p->set_phone(cp.phone); break;
      case m::ContactKind::kPostal: {
        invoice::v1::PostalAddress* a = p->mutable_postal();
        for (const auto& line : cp.postal.lines) a->add_lines(line);
        a->set_postal_code(cp.postal.postal_code);
        a->set_city(cp.postal.city);
        a->set_region(cp.postal.region);
        a->set_country(cp.postal.country);
        break;
      }
    }
  }
  out.set_preferred_channel(static_cast<contact::v1::Channel>(d.preferred_channel));
  out.set_preferred_language(d.preferred_language);
  out.set_time_zone(d.time_zone);
  out.set_country(d.country);
  for (const m::ChannelConsent& c : d.consents) {
    invoice::v1::ChannelConsent* cc = out.add_consents();
    cc->set_channel(static_cast<contact::v1::Channel>(c.channel));
    cc->set_granted(c.granted);
    cc->set_source(c.source);
  }
  for (const auto& t : d.tags) out.add_tags(t);
  out.set_risk_band(static_cast<invoice::v1::RiskBand>(d.risk_band));
  out.set_customer_status(static_cast<invoice::v1::CustomerStatus>(d.customer_status));
  out.set_vulnerable(d.vulnerable);
  return out;
}

invoice::v1::InvoiceSpec ToSpec(const m::Invoice& inv, bool history_paid) {
  invoice::v1::InvoiceSpec s;
  s.set_invoice_number(inv.invoice_number);
  s.set_debtor_id(inv.debtor_id);
  ToDate(inv.issue_date, s.mutable_issue_date());
  ToDate(inv.due_date, s.mutable_due_date());
  s.set_currency(inv.amount.currency);
  ToMoney(inv.amount, s.mutable_amount());
  common::v1::Money open;
  open.set_currency(inv.amount.currency);
  open.set_minor_units(history_paid ? 0 : inv.amount.minor_units);
  *s.mutable_open_balance() = open;
  s.set_payment_reference(inv.payment_reference);
  return s;
}

// PortfolioFromCsv builds the portfolio from a client's invoice CSV (the invoice service's
// layout): one client "your-company", a debtor per debtor id (type, country, language and time
// zone from the CSV's debtor columns where given), the behaviour model's default profile for
// them. Bad rows are reported and left out; an open balance of zero is a paid invoice.
absl::StatusOr<m::Portfolio> PortfolioFromCsv(const std::string& path, uint64_t seed) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("invoices: cannot read ", path));
  std::stringstream bytes;
  bytes << in.rdbuf();
  const invoice::CsvParseResult parsed = invoice::ParseInvoiceCsv(bytes.str());
  for (const auto& e : parsed.errors) {
    std::fprintf(stderr, "%s:%lld: %s: %s (row left out)\n", path.c_str(),
                 static_cast<long long>(e.line), e.column.c_str(), e.problem.c_str());
  }
  if (parsed.rows.empty()) return absl::InvalidArgumentError(absl::StrCat("invoices: no good rows in ", path));
  m::Portfolio p;
  m::Tenant t;
  t.tenant_id = "your-company";
  t.display_name = "Your Company";
  t.country = "IT";
  t.time_zone = "Europe/Rome";
  t.language = "en";
  t.currency = parsed.rows.front().invoice.currency;
  p.tenants.push_back(t);
  std::map<std::string, size_t> debtor_index;
  for (const invoice::CsvRow& row : parsed.rows) {
    const invoice::CsvInvoice& ci = row.invoice;
    if (!debtor_index.count(ci.debtor_id)) {
      m::Debtor d;
      d.debtor_id = ci.debtor_id;
      d.tenant_id = t.tenant_id;
      const bool business = row.debtor && row.debtor->type == invoice::CsvDebtorType::kBusiness;
      d.type = business ? m::DebtorType::kBusiness : m::DebtorType::kConsumer;
      d.legal_name = business ? ci.debtor_id : "";
      d.given_name = business ? "" : "Customer";
      d.family_name = business ? "" : ci.debtor_id;
      d.country = row.debtor && !row.debtor->country.empty() ? row.debtor->country : t.country;
      d.preferred_language = row.debtor && !row.debtor->language.empty() ? row.debtor->language : "en";
      d.time_zone = row.debtor && !row.debtor->time_zone.empty() ? row.debtor->time_zone : t.time_zone;
      m::ContactPoint email;
      email.contact_point_id = absl::StrCat(ci.debtor_id, "-cp1");
      email.kind = m::ContactKind::kEmail;
      email.email = absl::StrCat(ci.debtor_id, "@example.invalid");
      email.primary = true;
      d.contact_points.push_back(email);
      d.consents.push_back({m::Channel::kEmail, true, "contract"});
      d.profile = m::DrawProfile({t.tenant_id, d.type, m::RiskBand::kMedium}, d.debtor_id,
                                 d.preferred_language, m::Channel::kEmail, seed);
      debtor_index[ci.debtor_id] = p.debtors.size();
      p.debtors.push_back(std::move(d));
    }
    m::Invoice inv;
    inv.invoice_number = ci.invoice_number;
    inv.tenant_id = t.tenant_id;
    inv.debtor_id = ci.debtor_id;
    inv.issue_date = ci.issue_date;
    inv.due_date = ci.due_date;
    inv.amount = rules::Money{ci.amount_minor, ci.currency};
    inv.payment_reference = ci.payment_reference.empty()
                                ? rules::CreditorReferenceForInvoiceNumber(ci.invoice_number)
                                : ci.payment_reference;
    if (ci.open_balance_minor.has_value() && *ci.open_balance_minor == 0) {
      inv.outcome = m::HistoryOutcome::kPaidOnTime;
      inv.paid_on = ci.due_date;
    } else {
      inv.outcome = m::HistoryOutcome::kOpenOverdue;
    }
    p.invoices.push_back(std::move(inv));
  }
  return p;
}

// Call runs a unary RPC, retrying while the service says UNAVAILABLE (restarting, or its Redis
// or broker is): every request of the driver carries an idempotency key, so a retry is safe.
template <typename Request, typename Response, typename Method>
grpc::Status Call(Method method, const Request& request, Response* response) {
  absl::Duration backoff = absl::Milliseconds(50);
  const absl::Time deadline = absl::Now() + absl::Seconds(120);
  while (true) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    grpc::Status s = method(&ctx, request, response);
    const bool transient = s.error_code() == grpc::StatusCode::UNAVAILABLE ||
                           s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
    if (!transient || absl::Now() + backoff > deadline) return s;
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(2));
  }
}

// Scheduled is something a debtor does on a given day.
struct Scheduled {
  std::string tenant;
  std::string debtor_id;
  int order = 0;  // position among the debtor's actions of the day (deterministic)
  m::Action action;
};

struct DebtorState {
  const m::Debtor* debtor = nullptr;
  m::CaseStage stage = m::CaseStage::kDunning;
  int replies = 0;
  int contacts = 0;
  bool churned = false;
};

class Driver {
 public:
  Driver(const local::StackAddresses& stack, const RunOptions& options)
      : stack_(stack), options_(options) {
    auto channel = [&](const std::string& service) {
      return grpc::CreateChannel(stack.grpc.at(service), grpc::InsecureChannelCredentials());
    };
    invoices_ = invoice::v1::InvoiceService::NewStub(channel("invoice"));
    payments_ = payment::v1::PaymentService::NewStub(channel("payment"));
    contacts_ = contact::v1::ContactService::NewStub(channel("contact-channel"));
    admin_ = platform::v1::Admin::NewStub(channel("dunning"));
    for (const auto& [service, address] : stack.grpc) {
      status_stubs_.push_back(platform::v1::Admin::NewStub(channel(service)));
    }
  }

  absl::StatusOr<RunResult> Run() {
    if (options_.invoices_csv.empty()) {
      m::PortfolioOptions po;
      po.seed = options_.seed;
      po.debtors = options_.debtors;
      po.today = options_.start + options_.days;
      portfolio_ = m::GeneratePortfolio(po);
    } else {
      auto from_csv = PortfolioFromCsv(options_.invoices_csv, options_.seed);
      if (!from_csv.ok()) return from_csv.status();
      portfolio_ = *std::move(from_csv);
    }
    for (const m::Debtor& d : portfolio_.debtors) {
      states_[{d.tenant_id, d.debtor_id}].debtor = &d;
    }
    auto tap = EventTap::Create(stack_.kafka_brokers,
                                absl::StrCat("demo-", options_.seed, "-", absl::ToUnixNanos(absl::Now())),
                                DomainTopics());
    if (!tap.ok()) return tap.status();
    tap_ = *std::move(tap);

    clock_ = absl::FromCivil(options_.start, absl::UTCTimeZone());
    history_.push_back({clock_, {}});
    if (absl::Status s = ImportDay(options_.start, /*first=*/true); !s.ok()) return s;
    if (absl::Status s = Settle(); !s.ok()) return s;
    for (int day = 0; day < options_.days; ++day) {
      const absl::CivilDay today = options_.start + day;
      if (options_.before_day) {
        if (absl::Status s = options_.before_day(day); !s.ok()) return s;
      }
      if (day > 0) {
        const int64_t before = counts_["invoices"];
        if (absl::Status s = ImportDay(today, false); !s.ok()) return s;
        // Every service knows today's invoices before money for them arrives.
        if (counts_["invoices"] != before) {
          if (absl::Status s = Settle(); !s.ok()) return s;
        }
      }
      if (absl::Status s = ActOn(today); !s.ok()) return s;
      if (absl::Status s = Settle(); !s.ok()) return s;
      // The day in two moves (10:00 and midnight UTC), each once everything is quiet: steps
      // due in the morning go out in office hours, and what the contact policy deferred to the
      // next allowed moment gets its chance.
      for (int hours : {10, 14}) {
        if (absl::Status s = AdvanceClock(absl::Hours(hours)); !s.ok()) return s;
        if (absl::Status s = Settle(); !s.ok()) return s;
      }
      RecordDay(today);
      if (options_.verbose || (day + 1) % 10 == 0) {
        std::printf("  day %3d (%s): %lld events, %lld payments, %lld replies so far\n", day + 1,
                    absl::FormatCivilTime(today).c_str(),
                    static_cast<long long>(events_), static_cast<long long>(counts_["payments"]),
                    static_cast<long long>(counts_["replies"]));
        std::fflush(stdout);
      }
    }
    RunResult result;
    result.history = std::move(history_);
    result.report = fold_.Snapshot(options_.start, options_.start + (options_.days - 1));
    result.series = std::move(series_);
    result.counts = counts_;
    result.counts["events"] = events_;
    for (auto& [debtor, entries] : ledgers_) {
      std::sort(entries.begin(), entries.end());
      result.ledgers[debtor] = entries;
    }
    return result;
  }

 private:
  // ImportDay sends the invoices issued on `day` (on the first day: the whole history up to it,
  // with the invoices the history says were paid imported as paid) through the bulk import.
  absl::Status ImportDay(absl::CivilDay day, bool first) {
    std::map<std::string, std::vector<invoice::v1::ImportRow>> rows;  // by tenant
    std::set<std::pair<std::string, std::string>> debtors_sent;
    int64_t line = 0;
    for (const m::Invoice& inv : portfolio_.invoices) {
      const bool due_now = first ? inv.issue_date <= day : inv.issue_date == day;
      if (!due_now) continue;
      const bool history = inv.issue_date < options_.start;
      const bool history_paid = history && inv.paid_on.has_value() && *inv.paid_on < options_.start;
      auto key = std::make_pair(inv.tenant_id, inv.debtor_id);
      if (!imported_debtors_.count(key) && debtors_sent.insert(key).second) {
        invoice::v1::ImportRow row;
        row.set_line(++line);
        *row.mutable_debtor() = ToDebtor(*states_[key].debtor);
        rows[inv.tenant_id].push_back(std::move(row));
      }
      invoice::v1::ImportRow row;
      row.set_line(++line);
      *row.mutable_invoice() = ToSpec(inv, history_paid);
      rows[inv.tenant_id].push_back(std::move(row));
      if (!history_paid) {
        // Without any contact, the debtor may pay this invoice by itself.
        const m::InvoiceRef ref{inv.invoice_number, inv.issue_date, inv.due_date, inv.amount};
        if (auto pay = m::SpontaneousPayment(states_[key].debtor->profile, ref, options_.seed);
            pay.has_value() && pay->day >= day) {
          Schedule(inv.tenant_id, inv.debtor_id, *pay);
        }
      }
    }
    for (auto& [tenant, tenant_rows] : rows) {
      invoice::v1::ImportInvoicesResponse resp;
      grpc::Status s;
      absl::Duration backoff = absl::Milliseconds(50);
      for (int attempt = 0; attempt < 40; ++attempt) {
        grpc::ClientContext ctx;
        resp.Clear();
        auto writer = invoices_->ImportInvoices(&ctx, &resp);
        invoice::v1::ImportInvoicesRequest msg;
        *msg.mutable_context() =
            Context(tenant, absl::StrCat("import-", absl::FormatCivilTime(day)));
        msg.set_report_rejected_only(true);
        for (const auto& row : tenant_rows) {
          *msg.add_rows() = row;
          if (msg.rows_size() == 500) {
            writer->Write(msg);
            msg.clear_rows();
          }
        }
        if (msg.rows_size() > 0) writer->Write(msg);
        writer->WritesDone();
        s = writer->Finish();
        if (s.error_code() != grpc::StatusCode::UNAVAILABLE) break;
        absl::SleepFor(backoff);  // the same stream again: rows already in are duplicates
        backoff = std::min(backoff * 2, absl::Seconds(2));
      }
      if (!s.ok()) return platform::FromGrpcStatus(s);
      if (resp.rejected() > 0) {
        return absl::InternalError(absl::StrCat("import of ", tenant, " rejected ", resp.rejected(),
                                                " rows: ", resp.results(0).ShortDebugString()));
      }
      counts_["invoices"] += resp.created();
    }
    for (const auto& key : debtors_sent) imported_debtors_.insert(key);
    return absl::OkStatus();
  }

  void Schedule(const std::string& tenant, const std::string& debtor, m::Action action) {
    absl::CivilDay day = std::visit(
        [](const auto& a) -> absl::CivilDay {
          using T = std::decay_t<decltype(a)>;
          if constexpr (std::is_same_v<T, m::PayInstalments>) {
            return a.payments.empty() ? absl::CivilDay() : a.payments.front().day;
          } else {
            return a.day;
          }
        },
        action);
    if (std::holds_alternative<m::PayInstalments>(action)) {
      for (const m::PayAt& p : std::get<m::PayInstalments>(action).payments) {
        Schedule(tenant, debtor, p);
      }
      return;
    }
    auto& list = agenda_[day];
    list.push_back({tenant, debtor, static_cast<int>(list.size()), std::move(action)});
  }

  // ActOn performs what debtors do today: bank transfers arrive as one camt.053 statement per
  // tenant; replies go to the contact service; plan requests to the payment service.
  absl::Status ActOn(absl::CivilDay today) {
    auto it = agenda_.find(today);
    if (it == agenda_.end()) return absl::OkStatus();
    std::vector<Scheduled> todo = std::move(it->second);
    agenda_.erase(it);
    std::stable_sort(todo.begin(), todo.end(), [](const Scheduled& a, const Scheduled& b) {
      return std::tie(a.tenant, a.debtor_id, a.order) < std::tie(b.tenant, b.debtor_id, b.order);
    });
    std::map<std::string, std::vector<payment::StatementEntry>> statements;
    std::map<std::string, std::string> payer_of;  // entry reference -> debtor id
    for (const Scheduled& s : todo) {
      DebtorState& st = states_[{s.tenant, s.debtor_id}];
      if (const auto* pay = std::get_if<m::PayAt>(&s.action)) {
        if (AlreadySettled(*pay)) {
          ++counts_["payments not needed"];  // the debtor had paid it another way meanwhile
          continue;
        }
        payment::StatementEntry e;
        e.entry_reference = absl::StrCat(s.tenant, "-", s.debtor_id, "-",
                                         absl::FormatCivilTime(today), "-", s.order);
        e.amount = pay->amount;
        e.booking_date = e.value_date = today;
        payer_of[e.entry_reference] = s.debtor_id;
        e.structured_reference = pay->reference;
        e.remittance_info = pay->remittance.empty() ? absl::StrJoin(pay->invoice_numbers, " ")
                                                    : pay->remittance;
        statements[s.tenant].push_back(std::move(e));
      } else if (const auto* reply = std::get_if<m::Reply>(&s.action)) {
        if (absl::Status r = SendReply(s, *reply, &st); !r.ok()) return r;
      } else if (const auto* plan = std::get_if<m::RequestPlan>(&s.action)) {
        if (absl::Status r = AskForPlan(s.tenant, s.debtor_id, plan->instalments, today); !r.ok()) {
          return r;
        }
      } else if (std::holds_alternative<m::Churn>(s.action) && !st.churned) {
        st.churned = true;
        invoice::v1::UpsertDebtorRequest up;
        *up.mutable_context() = Context(s.tenant, absl::StrCat("churn-", s.debtor_id));
        *up.mutable_debtor() = ToDebtor(*st.debtor);
        up.mutable_debtor()->set_customer_status(invoice::v1::CUSTOMER_STATUS_CHURNED);
        invoice::v1::UpsertDebtorResponse resp;
        grpc::Status g = Call(
            [&](grpc::ClientContext* c, const auto& r, auto* o) { return invoices_->UpsertDebtor(c, r, o); },
            up, &resp);
        if (!g.ok()) return platform::FromGrpcStatus(g);
        ++counts_["churned"];
      }
    }
    for (auto& [tenant, entries] : statements) {
      const std::string id = absl::StrCat(tenant, "-", absl::FormatCivilTime(today));
      payment::v1::ImportStatementRequest req;
      *req.mutable_context() = Context(tenant, absl::StrCat("statement-", id));
      req.set_format(payment::v1::STATEMENT_FORMAT_CAMT053);
      req.set_content(payment::WriteCamt053(id, "IT60X0542811101000000123456",
                                            entries.front().amount.currency, entries));
      payment::v1::ImportStatementResponse resp;
      grpc::Status g = Call(
          [&](grpc::ClientContext* c, const auto& r, auto* o) { return payments_->ImportStatement(c, r, o); },
          req, &resp);
      if (!g.ok()) return platform::FromGrpcStatus(g);
      counts_["payments"] += static_cast<int64_t>(entries.size());
      counts_["payments unmatched"] += resp.unmatched();
      // The operator works the unmatched queue: the payer is recognised (by name and account,
      // which the demo knows) and the payment assigned to the debtor's oldest invoices.
      for (const auto& r : resp.results()) {
        if (r.outcome() != payment::v1::ENTRY_OUTCOME_UNMATCHED) continue;
        if (options_.verbose) {
          std::printf("    unmatched %s: %s\n", r.entry_reference().c_str(),
                      payment::v1::UnmatchedReason_Name(r.unmatched_reason()).c_str());
        }
        payment::v1::AssignUnmatchedRequest assign;
        *assign.mutable_context() = Context(tenant, absl::StrCat("assign-", r.entry_reference()));
        assign.set_payment_id(r.payment_id());
        assign.set_debtor_id(payer_of[r.entry_reference()]);
        payment::v1::RecordPaymentResponse assigned;
        if (Call([&](grpc::ClientContext* c, const auto& r, auto* o) {
              return payments_->AssignUnmatched(c, r, o);
            }, assign, &assigned).ok()) {
          ++counts_["payments assigned by an operator"];
        }
      }
    }
    return absl::OkStatus();
  }

  absl::Status SendReply(const Scheduled& s, const m::Reply& reply, DebtorState* st) {
    contact::v1::RecordInboundMessageRequest req;
    const std::string id = absl::StrCat(s.tenant, "-", s.debtor_id, "-",
                                        absl::FormatCivilTime(reply.day), "-", s.order);
    *req.mutable_context() = Context(s.tenant, absl::StrCat("reply-", id));
    req.set_channel(reply.channel == m::Channel::kSms ? contact::v1::CHANNEL_SMS
                                                      : contact::v1::CHANNEL_EMAIL);
    req.set_provider_message_id(id);
    req.set_debtor_id(s.debtor_id);
    req.set_body(reply.text);
    contact::v1::RecordInboundMessageResponse resp;
    grpc::Status g = Call(
        [&](grpc::ClientContext* c, const auto& r, auto* o) { return contacts_->RecordInboundMessage(c, r, o); },
        req, &resp);
    if (!g.ok()) return platform::FromGrpcStatus(g);
    ++counts_["replies"];
    ++st->replies;
    const contact::v1::Classification& c = resp.classification();
    // What the operator does with a classified reply: a promise is recorded with the payment
    // service, a plan request becomes a plan.
    if (c.kind() == contact::v1::REPLY_KIND_PROMISE && c.has_promise() &&
        c.promise().has_amount() && c.promise().has_date()) {
      payment::v1::MakePromiseRequest p;
      *p.mutable_context() = Context(s.tenant, absl::StrCat("promise-", id));
      p.set_debtor_id(s.debtor_id);
      *p.mutable_amount() = c.promise().amount();
      *p.mutable_due_date() = c.promise().date();
      p.set_grace_days(-1);
      p.set_source(payment::v1::PROMISE_SOURCE_REPLY);
      payment::v1::MakePromiseResponse made;
      grpc::Status pg = Call(
          [&](grpc::ClientContext* c, const auto& r, auto* o) { return payments_->MakePromise(c, r, o); },
          p, &made);
      if (pg.ok()) ++counts_["promises recorded"];
      st->stage = m::CaseStage::kPromised;
    } else if (c.kind() == contact::v1::REPLY_KIND_PLAN_REQUEST || reply.intent == m::ReplyIntent::kPlanRequest) {
      return AskForPlan(s.tenant, s.debtor_id, std::max(2, reply.instalments), reply.day);
    } else if (c.kind() == contact::v1::REPLY_KIND_DISPUTE) {
      st->stage = m::CaseStage::kDisputed;
    } else if (c.kind() == contact::v1::REPLY_KIND_HARDSHIP) {
      st->stage = m::CaseStage::kHardship;
    }
    return absl::OkStatus();
  }

  absl::Status AskForPlan(const std::string& tenant, const std::string& debtor, int instalments,
                          absl::CivilDay day) {
    payment::v1::ProposePlanRequest p;
    const std::string key = absl::StrCat(tenant, "-", debtor, "-", absl::FormatCivilTime(day));
    *p.mutable_context() = Context(tenant, absl::StrCat("plan-", key));
    p.set_debtor_id(debtor);
    p.set_instalment_count(std::clamp(instalments, 2, 12));
    p.set_frequency(payment::v1::PLAN_FREQUENCY_MONTHLY);
    ToDate(day + 7, p.mutable_first_due_date());
    p.set_proposed_by(payment::v1::PLAN_PARTY_DEBTOR);
    payment::v1::PlanResponse proposed;
    if (!Call([&](grpc::ClientContext* c, const auto& r, auto* o) { return payments_->ProposePlan(c, r, o); },
              p, &proposed).ok()) {
      return absl::OkStatus();  // nothing open
    }
    payment::v1::AcceptPlanRequest a;
    *a.mutable_context() = Context(tenant, absl::StrCat("accept-", key));
    a.set_plan_id(proposed.plan().plan_id());
    a.set_accepted_by(payment::v1::PLAN_PARTY_OPERATOR);
    payment::v1::PlanResponse accepted;
    if (Call([&](grpc::ClientContext* c, const auto& r, auto* o) { return payments_->AcceptPlan(c, r, o); },
             a, &accepted).ok()) {
      ++counts_["plans"];
      states_[{tenant, debtor}].stage = m::CaseStage::kOnPlan;
    }
    return absl::OkStatus();
  }

  absl::Status AdvanceClock(absl::Duration by) {
    platform::v1::AdvanceClockRequest req;
    *req.mutable_by() = TimeUtil::SecondsToDuration(absl::ToInt64Seconds(by));
    platform::v1::ClockReply reply;
    grpc::Status s = Call(
        [&](grpc::ClientContext* c, const auto& r, auto* o) { return admin_->AdvanceClock(c, r, o); },
        req, &reply);
    if (!s.ok()) return platform::FromGrpcStatus(s);
    clock_ = absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(reply.now()));
    history_.push_back({clock_, {}});
    return absl::OkStatus();
  }

  // Settle waits until every service is quiescent at the current clock, then reads what was
  // published and lets the debtors react, until nothing new comes.
  absl::Status Settle() {
    for (int round = 0; round < 50; ++round) {
      if (absl::Status s = WaitQuiescent(); !s.ok()) return s;
      auto envelopes = tap_->Drain();
      if (!envelopes.ok()) return envelopes.status();
      if (envelopes->empty()) return absl::OkStatus();
      for (const auto& env : *envelopes) Observe(env);
      history_.push_back({clock_, *std::move(envelopes)});
    }
    return absl::DeadlineExceededError("the stack kept producing events without settling");
  }

  absl::Status WaitQuiescent() {
    const absl::Time deadline = absl::Now() + absl::Seconds(120);
    int in_a_row = 0;
    while (in_a_row < 3) {
      bool all = true;
      for (const auto& stub : status_stubs_) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        platform::v1::Status st;
        const bool ok = stub->GetStatus(&ctx, platform::v1::GetStatusRequest(), &st).ok() &&
                        st.quiescent() &&
                        TimeUtil::TimestampToMicroseconds(st.clock_now()) >= absl::ToUnixMicros(clock_);
        all = all && ok;
        if (!all) break;
      }
      in_a_row = all ? in_a_row + 1 : 0;
      if (absl::Now() > deadline) return absl::DeadlineExceededError("stack did not become quiescent");
      absl::SleepFor(absl::Milliseconds(5));
    }
    return absl::OkStatus();
  }

  absl::CivilDay Today() const { return absl::ToCivilDay(clock_, absl::UTCTimeZone()); }

  void Observe(const common::v1::Envelope& env) {
    ++events_;
    fold_.Apply(env);
    const std::string& type = env.type();
    if (type == invoice::v1::InvoiceIssued::descriptor()->full_name()) {
      invoice::v1::InvoiceIssued m;
      if (m.ParseFromString(env.payload())) {
        numbers_[m.invoice_id()] = m.invoice_number();
        reference_numbers_[m.payment_reference()] = m.invoice_number();
      }
    } else if (type == invoice::v1::InvoiceSettled::descriptor()->full_name()) {
      invoice::v1::InvoiceSettled m;
      if (m.ParseFromString(env.payload())) settled_.insert(m.invoice_number());
    } else if (type == contact::v1::ContactAttemptSent::descriptor()->full_name()) {
      contact::v1::ContactAttemptSent m;
      if (!m.ParseFromString(env.payload())) return;
      OnContact(env.tenant(), m.attempt());
    } else if (type == dunning::v1::CaseClosed::descriptor()->full_name()) {
      dunning::v1::CaseClosed m;
      if (m.ParseFromString(env.payload())) OnCaseClosed(env, m);
    } else if (type == payment::v1::PaymentAllocated::descriptor()->full_name()) {
      payment::v1::PaymentAllocated m;
      if (!m.ParseFromString(env.payload())) return;
      for (const auto& a : m.allocations()) {
        ledgers_[absl::StrCat(env.tenant(), "/", m.debtor_id())].push_back(
            absl::StrCat(m.payment_id(), " allocated ", a.total().currency(), " ",
                         a.total().minor_units(), " -> ", a.invoice_id()));
      }
    } else if (type == payment::v1::PaymentReversed::descriptor()->full_name()) {
      payment::v1::PaymentReversed m;
      if (!m.ParseFromString(env.payload())) return;
      ledgers_[absl::StrCat(env.tenant(), "/", m.debtor_id())].push_back(
          absl::StrCat(m.payment_id(), " reversed ", m.amount().minor_units()));
    } else if (type == payment::v1::PromiseMade::descriptor()->full_name()) {
      payment::v1::PromiseMade m;
      if (!m.ParseFromString(env.payload())) return;
      auto it = states_.find({env.tenant(), m.debtor_id()});
      if (it == states_.end()) return;
      m::Promise promise{Today(), FromDate(m.due_date()),
                         rules::Money{m.amount().minor_units(), m.amount().currency()}, {}};
      const m::PromiseDecision d = m::KeepPromise(it->second.debtor->profile, promise, options_.seed);
      if (d.payment.has_value()) Schedule(env.tenant(), m.debtor_id(), *d.payment);
    } else if (type == payment::v1::PlanCreated::descriptor()->full_name()) {
      payment::v1::PlanCreated m;
      if (!m.ParseFromString(env.payload())) return;
      auto it = states_.find({env.tenant(), m.debtor_id()});
      if (it == states_.end() || m.instalment_count() <= 0) return;
      m::PlanTerms terms;
      terms.instalments = m.instalment_count();
      terms.total = rules::Money{m.total().minor_units(), m.total().currency()};
      terms.instalment_amount =
          rules::Money{(m.total().minor_units() + m.instalment_count() - 1) / m.instalment_count(),
                       m.total().currency()};
      terms.first_due = FromDate(m.first_due_date());
      terms.interval_days = 30;
      std::vector<std::string> numbers;
      for (const auto& id : m.invoice_ids()) numbers.push_back(numbers_[id]);
      Schedule(env.tenant(), m.debtor_id(),
               m::PlanPayments(it->second.debtor->profile, terms, numbers, options_.seed));
    }
  }

  // OnCaseClosed: some debtors answer the satisfaction survey offered when a case closes.
  void OnCaseClosed(const common::v1::Envelope& env, const dunning::v1::CaseClosed& closed) {
    auto it = states_.find({env.tenant(), closed.debtor_id()});
    if (it == states_.end()) return;
    DebtorState& st = it->second;
    m::CaseExperience experience;
    experience.contacts = st.contacts;
    switch (closed.final_state()) {
      case dunning::v1::CASE_STATE_PAID:
        experience.closed_how = st.stage == m::CaseStage::kOnPlan     ? m::CaseClosure::kPlanCompleted
                                : st.stage == m::CaseStage::kPromised ? m::CaseClosure::kPromiseKept
                                : st.contacts == 0                    ? m::CaseClosure::kPaidBeforeDue
                                                                      : m::CaseClosure::kPaid;
        break;
      case dunning::v1::CASE_STATE_WRITTEN_OFF:
        experience.closed_how = m::CaseClosure::kWrittenOff;
        break;
      default:
        experience.closed_how = m::CaseClosure::kPaid;
    }
    experience.preferred_channel_used = true;
    const std::string survey_key = absl::StrCat(env.tenant(), "-", closed.debtor_id(), "-", env.event_id());
    st.contacts = 0;
    st.stage = m::CaseStage::kDunning;
    if (!m::AnswersSurvey(st.debtor->profile, experience, options_.seed)) return;
    const m::SurveyResult answer = m::SurveyAnswer(st.debtor->profile, experience, options_.seed);
    contact::v1::RecordSurveyAnswerRequest req;
    *req.mutable_context() = Context(env.tenant(), absl::StrCat("survey-", survey_key));
    req.set_debtor_id(closed.debtor_id());
    req.set_trigger(contact::v1::SURVEY_TRIGGER_CASE_CLOSED);
    req.set_csat(answer.csat);
    req.set_nps(answer.nps);
    contact::v1::RecordSurveyAnswerResponse resp;
    if (Call([&](grpc::ClientContext* c, const auto& r, auto* o) {
          return contacts_->RecordSurveyAnswer(c, r, o);
        }, req, &resp).ok()) {
      ++counts_["survey answers"];
    }
  }

  // AlreadySettled: every invoice the payment is for is settled already.
  bool AlreadySettled(const m::PayAt& pay) const {
    std::vector<std::string> numbers = pay.invoice_numbers;
    if (auto it = reference_numbers_.find(pay.reference); it != reference_numbers_.end()) {
      numbers.push_back(it->second);
    }
    if (numbers.empty()) return false;
    for (const auto& n : numbers) {
      if (!settled_.count(n)) return false;
    }
    return true;
  }

  void OnContact(const std::string& tenant, const contact::v1::AttemptRef& attempt) {
    auto it = states_.find({tenant, attempt.debtor_id()});
    if (it == states_.end()) return;
    DebtorState& st = it->second;
    ++st.contacts;
    m::ContactEvent e;
    e.day = Today();
    e.channel = static_cast<m::Channel>(attempt.channel());
    const std::string& t = attempt.template_id();
    e.purpose = t.find("nudge") != std::string::npos   ? m::ContactPurpose::kPreDueNudge
                : t.find("final") != std::string::npos ? m::ContactPurpose::kFinalNotice
                : attempt.channel() == contact::v1::CHANNEL_PHONE ? m::ContactPurpose::kPhoneCall
                                                                  : m::ContactPurpose::kReminder;
    e.step = attempt.step();
    e.template_id = t;
    e.attempt_id = attempt.attempt_id();
    e.total_open = m::OpenBalance(portfolio_, tenant, attempt.debtor_id());
    for (const auto& id : attempt.invoice_ids()) {
      if (numbers_.count(id)) e.open_invoice_numbers.push_back(numbers_[id]);
    }
    e.preferred_channel_used = e.channel == st.debtor->preferred_channel;
    e.language = st.debtor->preferred_language;
    e.stage = st.stage;
    e.replies_so_far = st.replies;
    for (m::Action& a : m::React(st.debtor->profile, e, options_.seed)) {
      Schedule(tenant, attempt.debtor_id(), std::move(a));
    }
  }

  void RecordDay(absl::CivilDay today) {
    const reporting::Report r = fold_.Snapshot(options_.start, today);
    for (const auto& [tenant, k] : r.tenants) {
      reporting::DailyPoint p;
      p.day = today;
      p.tenant = tenant;
      for (const auto& [currency, c] : k.total.by_currency) {
        p.open_receivables_minor += c.closing_receivables;
        p.collected_minor += c.collected - last_collected_[tenant];
        last_collected_[tenant] = c.collected;
      }
      p.cases_open = k.total.cases_opened - k.total.cases_closed;
      p.in_legal = k.total.escalations_requested;
      series_.push_back(p);
    }
  }

  const local::StackAddresses& stack_;
  const RunOptions options_;
  std::unique_ptr<invoice::v1::InvoiceService::Stub> invoices_;
  std::unique_ptr<payment::v1::PaymentService::Stub> payments_;
  std::unique_ptr<contact::v1::ContactService::Stub> contacts_;
  std::unique_ptr<platform::v1::Admin::Stub> admin_;
  std::vector<std::unique_ptr<platform::v1::Admin::Stub>> status_stubs_;
  std::unique_ptr<EventTap> tap_;
  m::Portfolio portfolio_;
  std::map<std::pair<std::string, std::string>, DebtorState> states_;
  std::set<std::pair<std::string, std::string>> imported_debtors_;
  std::map<absl::CivilDay, std::vector<Scheduled>> agenda_;
  std::map<std::string, std::string> numbers_;  // invoice id -> number
  std::map<std::string, std::string> reference_numbers_;  // RF reference -> invoice number
  std::set<std::string> settled_;                          // settled invoice numbers
  std::map<std::string, int64_t> last_collected_;
  std::map<std::string, std::vector<std::string>> ledgers_;
  reporting::PortfolioFold fold_;
  std::vector<reporting::DailyPoint> series_;
  std::map<std::string, int64_t> counts_;
  std::vector<dunning::HistoryRound> history_;
  int64_t events_ = 0;
  absl::Time clock_ = absl::InfinitePast();
};

}  // namespace

absl::StatusOr<RunResult> RunPortfolio(const local::StackAddresses& stack,
                                       const RunOptions& options) {
  for (const char* service : {"invoice", "payment", "contact-channel", "dunning"}) {
    if (!stack.grpc.count(service)) {
      return absl::FailedPreconditionError(absl::StrCat("the stack runs no ", service, " service"));
    }
  }
  Driver driver(stack, options);
  return driver.Run();
}

}  // namespace concerto::demo
