#include "services/payment/app/payment_service.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "concerto/platform/v1/store.pb.h"
#include "libs/core/stable_hash.h"
#include "libs/platform/runtime/field_errors.h"
#include "libs/platform/unit_of_work.h"
#include "services/payment/app/command.pb.h"
#include "services/payment/app/payment_handler.h"
#include "services/payment/domain/account.h"
#include "services/payment/statement/camt053_parser.h"
#include "libs/rules/creditor_reference.h"
#include "services/payment/statement/statement_csv_parser.h"

namespace concerto::payment {
namespace {

using platform::FieldErrors;
using platform::ToGrpc;

constexpr int kMaxRemittanceTokens = 8;
constexpr size_t kMaxStatementBytes = 32 * 1024 * 1024;

std::string CommandId(const common::v1::RequestContext& ctx, absl::string_view suffix = "") {
  return absl::StrCat(ctx.tenant(), "/", ctx.idempotency_key(), suffix);
}

platform::Input MakeInput(const std::string& tenant, std::string id, std::string aggregate_key,
                          const app::PaymentCommand& cmd) {
  platform::Input in;
  in.kind = platform::Input::Kind::kCommand;
  in.id = std::move(id);
  in.aggregate_key = std::move(aggregate_key);
  in.tenant = tenant;
  in.command = cmd.SerializeAsString();
  return in;
}

// Run executes one command and decodes its reply into `reply`.
grpc::Status Run(platform::EventProcessor* processor, platform::Input in,
                 google::protobuf::Message* reply) {
  const std::string command = in.command;
  auto outcome = processor->Execute(std::move(in));
  if (!outcome.ok()) return ToGrpc(outcome.status());
  auto bytes = platform::ReplyOfCommand(*outcome, command, kNotFoundPayload);
  if (!bytes.ok()) return ToGrpc(bytes.status());
  if (!reply->ParseFromString(*bytes)) return grpc::Status(grpc::StatusCode::INTERNAL, "bad reply");
  return grpc::Status::OK;
}

// Tokens: the words of a remittance text that could be an invoice number or an RF reference.
std::vector<std::string> Tokens(const std::string& text) {
  std::vector<std::string> out;
  for (absl::string_view word : absl::StrSplit(text, absl::ByAnyChar(" \t\r\n,;:/()"),
                                               absl::SkipEmpty())) {
    if (word.size() < 3 || word.size() > 64) continue;
    out.emplace_back(word);
    if (static_cast<int>(out.size()) == kMaxRemittanceTokens) break;
  }
  return out;
}

v1::UnmatchedPayment UnmatchedFrom(const std::string& payment_id,
                                   const v1::RecordPaymentRequest& r, const PaymentTarget& target,
                                   const std::string& statement_id) {
  v1::UnmatchedPayment p;
  p.set_payment_id(payment_id);
  *p.mutable_amount() = r.amount();
  *p.mutable_value_date() = r.value_date();
  p.set_method(r.method());
  p.set_reason(target.reason);
  p.set_explanation(target.explanation);
  p.set_structured_reference(r.structured_reference());
  p.set_remittance_info(r.remittance_info());
  p.set_statement_id(statement_id);
  return p;
}

// PaymentInput is the command for one payment: to its account, or into the unmatched queue.
platform::Input PaymentInput(const std::string& tenant, std::string id,
                             const std::string& payment_id, const v1::RecordPaymentRequest& r,
                             const PaymentTarget& target, const std::string& statement_id) {
  app::PaymentCommand cmd;
  // Personal data of the payer is not needed once the payment is placed, so it is not stored:
  // the IBAN never, the remittance text only for an operator who has to place it by hand.
  v1::RecordPaymentRequest stored = r;
  stored.clear_payer_iban();
  if (!target.account_key.empty()) {
    stored.clear_remittance_info();
    auto* record = cmd.mutable_record();
    record->set_payment_id(payment_id);
    *record->mutable_request() = std::move(stored);
    record->set_statement_id(statement_id);
    return MakeInput(tenant, std::move(id), target.account_key, cmd);
  }
  app::UnmatchedState* u = cmd.mutable_park()->mutable_unmatched();
  *u->mutable_payment() = UnmatchedFrom(payment_id, r, target, statement_id);
  *u->mutable_request() = std::move(stored);
  return MakeInput(tenant, std::move(id), UnmatchedKey(tenant, payment_id), cmd);
}

void CheckMoney(const common::v1::Money& m, const std::string& field, FieldErrors* e) {
  if (m.minor_units() <= 0) e->push_back({field + ".minor_units", "must be > 0"});
  if (m.currency().size() != 3) e->push_back({field + ".currency", "an ISO 4217 code is required"});
}

void ToEntryDate(absl::CivilDay day, common::v1::Date* out) {
  out->set_year(static_cast<int32_t>(day.year()));
  out->set_month(day.month());
  out->set_day(day.day());
}

}  // namespace

std::string PaymentIdFor(const std::string& tenant, const std::string& external_id,
                         const std::string& idempotency_key) {
  return absl::StrCat("pay-", core::DeterministicId(tenant, external_id.empty()
                                                                ? "key/" + idempotency_key
                                                                : "ext/" + external_id));
}

absl::StatusOr<std::vector<PaymentTarget>> PaymentServiceImpl::Resolve(
    const std::string& tenant, const std::vector<const v1::RecordPaymentRequest*>& payments) {
  std::vector<PaymentTarget> out(payments.size());
  // Candidate index fields per payment, in priority order.
  std::vector<std::vector<std::string>> candidates(payments.size());
  std::vector<std::string> fields;
  for (size_t i = 0; i < payments.size(); ++i) {
    const v1::RecordPaymentRequest& r = *payments[i];
    if (!r.debtor_id().empty()) {
      out[i].account_key = AccountKey(tenant, r.debtor_id());
      continue;
    }
    auto& c = candidates[i];
    if (r.invoice_ids_size() > 0) c.push_back(InvoiceIdIndex(tenant, r.invoice_ids(0)));
    const std::string ref = std::string(absl::StripAsciiWhitespace(r.structured_reference()));
    if (!ref.empty()) {
      if (rules::IsValidCreditorReference(ref)) c.push_back(ReferenceIndex(tenant, rules::NormalizeReference(ref)));
      c.push_back(InvoiceNumberIndex(tenant, ref));
    }
    for (const std::string& token : Tokens(r.remittance_info())) {
      if (rules::IsValidCreditorReference(token)) {
        c.push_back(ReferenceIndex(tenant, rules::NormalizeReference(token)));
      }
      c.push_back(InvoiceNumberIndex(tenant, token));
    }
    fields.insert(fields.end(), c.begin(), c.end());
  }
  auto found = processor_->LookupIndexMany(fields);
  if (!found.ok()) return found.status();
  size_t k = 0;
  for (size_t i = 0; i < payments.size(); ++i) {
    if (!out[i].account_key.empty()) continue;
    for (size_t j = 0; j < candidates[i].size(); ++j, ++k) {
      if (out[i].account_key.empty() && (*found)[k].has_value()) out[i].account_key = *(*found)[k];
    }
    if (!out[i].account_key.empty()) continue;
    const v1::RecordPaymentRequest& r = *payments[i];
    if (!r.structured_reference().empty() || r.invoice_ids_size() > 0) {
      out[i].reason = v1::UNMATCHED_REASON_UNKNOWN_REFERENCE;
      out[i].explanation = absl::StrCat(
          "reference ", r.invoice_ids_size() > 0 ? r.invoice_ids(0) : r.structured_reference(),
          " names no invoice of this client");
    } else {
      out[i].reason = v1::UNMATCHED_REASON_NO_REFERENCE;
      out[i].explanation = "no structured reference, and no invoice number in the remittance text";
    }
  }
  return out;
}

grpc::Status PaymentServiceImpl::RecordPayment(grpc::ServerContext*,
                                               const v1::RecordPaymentRequest* request,
                                               v1::RecordPaymentResponse* response) {
  FieldErrors e;
  platform::CheckRequestContext(request->context(), true, &e);
  CheckMoney(request->amount(), "amount", &e);
  if (!e.empty()) return ToGrpc(platform::InvalidArgument(e));
  const std::string& tenant = request->context().tenant();
  auto targets = Resolve(tenant, {request});
  if (!targets.ok()) return ToGrpc(targets.status());
  const std::string payment_id =
      PaymentIdFor(tenant, request->external_id(), request->context().idempotency_key());
  return Run(processor_,
             PaymentInput(tenant, CommandId(request->context()), payment_id, *request,
                          (*targets)[0], ""),
             response);
}

grpc::Status PaymentServiceImpl::ReversePayment(grpc::ServerContext*,
                                                const v1::ReversePaymentRequest* request,
                                                v1::ReversePaymentResponse* response) {
  FieldErrors e;
  platform::CheckRequestContext(request->context(), true, &e);
  platform::CheckRequired(request->payment_id(), "payment_id", &e);
  if (!e.empty()) return ToGrpc(platform::InvalidArgument(e));
  const std::string& tenant = request->context().tenant();
  auto account = processor_->LookupIndex(PaymentIndex(tenant, request->payment_id()));
  if (!account.ok()) return ToGrpc(account.status());
  if (!account->has_value()) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "payment_id: no such allocated payment");
  }
  app::PaymentCommand cmd;
  cmd.mutable_reverse()->set_reversal_id(
      absl::StrCat("rev-", core::DeterministicId(CommandId(request->context()), "reversal")));
  *cmd.mutable_reverse()->mutable_request() = *request;
  return Run(processor_, MakeInput(tenant, CommandId(request->context()), **account, cmd),
             response);
}

grpc::Status PaymentServiceImpl::ImportStatement(grpc::ServerContext*,
                                                 const v1::ImportStatementRequest* request,
                                                 v1::ImportStatementResponse* response) {
  FieldErrors e;
  platform::CheckRequestContext(request->context(), false, &e);
  if (request->format() == v1::STATEMENT_FORMAT_UNSPECIFIED) {
    e.push_back({"format", "CAMT053 or CSV"});
  }
  if (request->content().empty()) e.push_back({"content", "required"});
  if (request->content().size() > kMaxStatementBytes) {
    e.push_back({"content", "at most 32 MiB per request; split the file"});
  }
  if (!e.empty()) return ToGrpc(platform::InvalidArgument(e));
  const std::string& tenant = request->context().tenant();
  const ParsedStatement parsed = request->format() == v1::STATEMENT_FORMAT_CAMT053
                                     ? ParseCamt053(request->content())
                                     : ParseStatementCsv(request->content());
  response->set_statement_id(parsed.statement_id);
  for (const EntryError& fe : parsed.file_errors) {
    auto* f = response->add_file_errors();
    f->set_line(fe.line);
    f->set_field(fe.field);
    f->set_problem(fe.problem);
  }
  // Entry results in file order: rejected entries and imported ones.
  struct Row {
    int64_t line;
    v1::EntryResult result;
  };
  std::vector<Row> rows;
  for (const EntryError& bad : parsed.entry_errors) {
    v1::EntryResult r;
    r.set_line(bad.line);
    r.set_entry_reference(bad.entry_reference);
    r.set_outcome(v1::ENTRY_OUTCOME_REJECTED);
    auto* err = r.add_errors();
    err->set_line(bad.line);
    err->set_field(bad.field);
    err->set_problem(bad.problem);
    rows.push_back({bad.line, std::move(r)});
  }
  std::vector<v1::RecordPaymentRequest> payments;
  std::vector<const StatementEntry*> credits;
  for (const StatementEntry& entry : parsed.entries) {
    if (!entry.credit) {
      v1::EntryResult r;
      r.set_line(entry.line);
      r.set_entry_reference(entry.entry_reference);
      r.set_outcome(v1::ENTRY_OUTCOME_SKIPPED);
      rows.push_back({entry.line, std::move(r)});
      continue;
    }
    v1::RecordPaymentRequest p;
    *p.mutable_context() = request->context();
    p.set_external_id(entry.entry_reference);
    p.mutable_amount()->set_minor_units(entry.amount.minor_units);
    p.mutable_amount()->set_currency(entry.amount.currency);
    p.set_method(v1::PAYMENT_METHOD_TRANSFER);
    ToEntryDate(entry.value_date, p.mutable_value_date());
    p.set_debtor_id(entry.debtor_id);
    p.set_structured_reference(entry.structured_reference);
    p.set_remittance_info(entry.remittance_info);
    p.set_payer_iban(entry.payer_iban);
    payments.push_back(std::move(p));
    credits.push_back(&entry);
  }
  std::vector<const v1::RecordPaymentRequest*> refs;
  for (const auto& p : payments) refs.push_back(&p);
  auto targets = Resolve(tenant, refs);
  if (!targets.ok()) return ToGrpc(targets.status());
  std::vector<platform::Input> inputs;
  std::vector<std::string> payment_ids;
  for (size_t i = 0; i < payments.size(); ++i) {
    // The entry's bank reference is its identity: the same entry in any file is recorded once.
    payment_ids.push_back(PaymentIdFor(tenant, credits[i]->entry_reference, ""));
    inputs.push_back(PaymentInput(tenant, absl::StrCat(tenant, "/entry/", credits[i]->entry_reference),
                                  payment_ids.back(), payments[i], (*targets)[i],
                                  parsed.statement_id));
  }
  auto outcomes = processor_->ExecuteAll(inputs);
  if (!outcomes.ok()) return ToGrpc(outcomes.status());
  for (size_t i = 0; i < outcomes->size(); ++i) {
    const platform::ItemOutcome& o = (*outcomes)[i];
    v1::EntryResult r;
    r.set_line(credits[i]->line);
    r.set_entry_reference(credits[i]->entry_reference);
    r.set_payment_id(payment_ids[i]);
    if (o.kind == platform::ItemOutcome::Kind::kDuplicate) {
      r.set_outcome(v1::ENTRY_OUTCOME_DUPLICATE);
    } else if (o.kind == platform::ItemOutcome::Kind::kApplied) {
      platform::v1::StoredReply stored;
      v1::RecordPaymentResponse reply;
      if (stored.ParseFromString(o.result) && reply.ParseFromString(stored.reply()) &&
          reply.status() == v1::PAYMENT_STATUS_ALLOCATED) {
        r.set_outcome(v1::ENTRY_OUTCOME_MATCHED);
      } else {
        r.set_outcome(v1::ENTRY_OUTCOME_UNMATCHED);
        r.set_unmatched_reason(reply.unmatched_reason());
      }
    } else {
      r.set_outcome(v1::ENTRY_OUTCOME_REJECTED);
      auto* err = r.add_errors();
      err->set_line(credits[i]->line);
      const platform::FieldErrors fe = platform::FieldErrorsOf(o.handler_status);
      err->set_field(fe.empty() ? "" : fe[0].field);
      err->set_problem(fe.empty() ? std::string(o.handler_status.message()) : fe[0].description);
    }
    rows.push_back({credits[i]->line, std::move(r)});
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& a, const Row& b) { return a.line < b.line; });
  for (Row& row : rows) {
    switch (row.result.outcome()) {
      case v1::ENTRY_OUTCOME_MATCHED: response->set_matched(response->matched() + 1); break;
      case v1::ENTRY_OUTCOME_UNMATCHED: response->set_unmatched(response->unmatched() + 1); break;
      case v1::ENTRY_OUTCOME_DUPLICATE: response->set_duplicates(response->duplicates() + 1); break;
      case v1::ENTRY_OUTCOME_REJECTED: response->set_rejected(response->rejected() + 1); break;
      default: break;
    }
    *response->add_results() = std::move(row.result);
  }
  response->set_entries(static_cast<int64_t>(rows.size()));
  return grpc::Status::OK;
}

grpc::Status PaymentServiceImpl::ListUnmatched(grpc::ServerContext*,
                                               const v1::ListUnmatchedRequest* request,
                                               v1::ListUnmatchedResponse* response) {
  FieldErrors e;
  platform::CheckRequestContext(request->context(), false, &e);
  int64_t offset = 0;
  if (!request->page_token().empty() && !absl::SimpleAtoi(request->page_token(), &offset)) {
    e.push_back({"page_token", "not a token this service issued"});
  }
  if (request->page_size() < 0 || request->page_size() > 1000) {
    e.push_back({"page_size", "between 0 and 1000"});
  }
  if (!e.empty()) return ToGrpc(platform::InvalidArgument(e));
  auto all = processor_->ScanAggregates(absl::StrCat(request->context().tenant(), kUnmatchedInfix));
  if (!all.ok()) return ToGrpc(all.status());
  std::vector<v1::UnmatchedPayment> open;
  for (const auto& [key, state] : *all) {
    app::UnmatchedState u;
    if (!u.ParseFromString(state) || u.assigned()) continue;
    open.push_back(u.payment());
  }
  std::sort(open.begin(), open.end(), [](const auto& a, const auto& b) {
    auto day = [](const common::v1::Date& d) { return d.year() * 10000 + d.month() * 100 + d.day(); };
    if (day(a.value_date()) != day(b.value_date())) return day(a.value_date()) < day(b.value_date());
    return a.payment_id() < b.payment_id();
  });
  const int64_t page = request->page_size() == 0 ? 100 : request->page_size();
  for (int64_t i = offset; i < static_cast<int64_t>(open.size()) && i < offset + page; ++i) {
    *response->add_payments() = open[i];
  }
  if (offset + page < static_cast<int64_t>(open.size())) {
    response->set_next_page_token(absl::StrCat(offset + page));
  }
  response->set_total_count(static_cast<int64_t>(open.size()));
  return grpc::Status::OK;
}

grpc::Status PaymentServiceImpl::AssignUnmatched(grpc::ServerContext*,
                                                 const v1::AssignUnmatchedRequest* request,
                                                 v1::RecordPaymentResponse* response) {
  FieldErrors e;
  platform::CheckRequestContext(request->context(), true, &e);
  platform::CheckRequired(request->payment_id(), "payment_id", &e);
  platform::CheckRequired(request->debtor_id(), "debtor_id", &e);
  if (!e.empty()) return ToGrpc(platform::InvalidArgument(e));
  const std::string& tenant = request->context().tenant();
  auto state = processor_->ReadAggregate(UnmatchedKey(tenant, request->payment_id()));
  if (!state.ok()) return ToGrpc(state.status());
  app::UnmatchedState u;
  if (!state->has_value() || !u.ParseFromString(**state)) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "payment_id: not in the unmatched queue");
  }
  if (u.assigned() && u.assigned_debtor_id() != request->debtor_id()) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                        "payment_id: already assigned to another debtor");
  }
  // First the account takes the payment (deduplicated by payment id), then the queue entry
  // closes: a crash in between is repaired by retrying the same request.
  v1::RecordPaymentRequest payment = u.request();
  *payment.mutable_context() = request->context();
  payment.set_debtor_id(request->debtor_id());
  payment.clear_invoice_ids();
  for (const auto& id : request->invoice_ids()) payment.add_invoice_ids(id);
  PaymentTarget target;
  target.account_key = AccountKey(tenant, request->debtor_id());
  grpc::Status s = Run(processor_,
                       PaymentInput(tenant, CommandId(request->context()), request->payment_id(),
                                    payment, target, u.payment().statement_id()),
                       response);
  if (!s.ok()) return s;
  app::PaymentCommand close;
  close.mutable_close_unmatched()->set_debtor_id(request->debtor_id());
  platform::v1::StoredReply ignored;
  return Run(processor_,
             MakeInput(tenant, CommandId(request->context(), "/close"),
                       UnmatchedKey(tenant, request->payment_id()), close),
             &ignored);
}

grpc::Status PaymentServiceImpl::MakePromise(grpc::ServerContext*,
                                             const v1::MakePromiseRequest* request,
                                             v1::MakePromiseResponse* response) {
  FieldErrors e;
  platform::CheckRequestContext(request->context(), true, &e);
  platform::CheckRequired(request->debtor_id(), "debtor_id", &e);
  if (!e.empty()) return ToGrpc(platform::InvalidArgument(e));
  app::PaymentCommand cmd;
  cmd.mutable_promise()->set_promise_id(
      absl::StrCat("prm-", core::DeterministicId(CommandId(request->context()), "promise")));
  *cmd.mutable_promise()->mutable_request() = *request;
  return Run(processor_,
             MakeInput(request->context().tenant(), CommandId(request->context()),
                       AccountKey(request->context().tenant(), request->debtor_id()), cmd),
             response);
}

grpc::Status PaymentServiceImpl::ProposePlan(grpc::ServerContext*,
                                             const v1::ProposePlanRequest* request,
                                             v1::PlanResponse* response) {
  FieldErrors e;
  platform::CheckRequestContext(request->context(), true, &e);
  platform::CheckRequired(request->debtor_id(), "debtor_id", &e);
  if (!e.empty()) return ToGrpc(platform::InvalidArgument(e));
  app::PaymentCommand cmd;
  cmd.mutable_propose()->set_plan_id(
      absl::StrCat("plan-", core::DeterministicId(CommandId(request->context()), "plan")));
  *cmd.mutable_propose()->mutable_request() = *request;
  return Run(processor_,
             MakeInput(request->context().tenant(), CommandId(request->context()),
                       AccountKey(request->context().tenant(), request->debtor_id()), cmd),
             response);
}

grpc::Status PaymentServiceImpl::AcceptPlan(grpc::ServerContext*,
                                            const v1::AcceptPlanRequest* request,
                                            v1::PlanResponse* response) {
  FieldErrors e;
  platform::CheckRequestContext(request->context(), true, &e);
  platform::CheckRequired(request->plan_id(), "plan_id", &e);
  if (!e.empty()) return ToGrpc(platform::InvalidArgument(e));
  auto account = processor_->LookupIndex(PlanIndex(request->context().tenant(), request->plan_id()));
  if (!account.ok()) return ToGrpc(account.status());
  if (!account->has_value()) return grpc::Status(grpc::StatusCode::NOT_FOUND, "plan_id: no such plan");
  app::PaymentCommand cmd;
  *cmd.mutable_accept() = *request;
  return Run(processor_,
             MakeInput(request->context().tenant(), CommandId(request->context()), **account, cmd),
             response);
}

grpc::Status PaymentServiceImpl::GetPlan(grpc::ServerContext*, const v1::GetPlanRequest* request,
                                         v1::PlanResponse* response) {
  FieldErrors e;
  platform::CheckRequestContext(request->context(), false, &e);
  platform::CheckRequired(request->plan_id(), "plan_id", &e);
  if (!e.empty()) return ToGrpc(platform::InvalidArgument(e));
  auto account = processor_->LookupIndex(PlanIndex(request->context().tenant(), request->plan_id()));
  if (!account.ok()) return ToGrpc(account.status());
  if (!account->has_value()) return grpc::Status(grpc::StatusCode::NOT_FOUND, "plan_id: no such plan");
  auto state = processor_->ReadAggregate(**account);
  if (!state.ok()) return ToGrpc(state.status());
  state::v1::PaymentAccount acct;
  if (!state->has_value() || !acct.ParseFromString(**state)) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "plan_id: no such plan");
  }
  const state::v1::PlanRecord* plan = FindPlan(acct, request->plan_id());
  if (plan == nullptr) return grpc::Status(grpc::StatusCode::NOT_FOUND, "plan_id: no such plan");
  *response->mutable_plan() = plan->plan();
  return grpc::Status::OK;
}

}  // namespace concerto::payment
