#include "services/invoice/app/invoice_service.h"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "libs/platform/runtime/field_errors.h"
#include "libs/platform/runtime/logging.h"
#include "services/invoice/app/api_validation.h"
#include "services/invoice/app/invoice_handler.h"
#include "services/invoice/app/invoice_query.h"
#include "services/invoice/domain/ageing.h"
#include "services/invoice/domain/dates.h"

namespace concerto::invoice {
namespace {

using platform::InvalidArgument;
using platform::ToGrpc;

constexpr char kIdempotencyReused[] = "already used for a different request";
constexpr char kNumberTaken[] = "already issued to another debtor";

std::string Deterministic(const google::protobuf::Message& m) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream raw(&bytes);
    google::protobuf::io::CodedOutputStream out(&raw);
    out.SetSerializationDeterministic(true);
    m.SerializeToCodedStream(&out);
  }
  return bytes;
}

platform::Input CommandInput(const std::string& id, const std::string& tenant,
                             const std::string& account_key, std::string command) {
  platform::Input in;
  in.kind = platform::Input::Kind::kCommand;
  in.id = id;
  in.aggregate_key = account_key;
  in.tenant = tenant;
  in.command = std::move(command);
  return in;
}

const char* PurposeName(v1::ContactPurpose p) {
  switch (p) {
    case v1::CONTACT_PURPOSE_CONTACT_ATTEMPT:
      return "contact_attempt";
    case v1::CONTACT_PURPOSE_CALL_TASK:
      return "call_task";
    case v1::CONTACT_PURPOSE_LEGAL_DOSSIER:
      return "legal_dossier";
    case v1::CONTACT_PURPOSE_CONSOLE_VIEW:
      return "console_view";
    case v1::CONTACT_PURPOSE_PAYMENT_MATCHING:
      return "payment_matching";
    default:
      return "unspecified";
  }
}

void SetDaysPastDue(v1::Invoice* inv, absl::CivilDay today) {
  if (inv->has_due_date() && IsValidDate(inv->due_date())) {
    inv->set_days_past_due(DaysPastDue(*inv, today));
  }
}

// RowResult is what the API decided about one import row before (or instead of) the domain.
v1::ImportRowResult Rejected(int64_t line, const FieldErrors& errors) {
  v1::ImportRowResult r;
  r.set_line(line);
  r.set_outcome(v1::ISSUE_OUTCOME_REJECTED);
  for (const FieldError& e : errors) {
    v1::FieldError* f = r.add_errors();
    f->set_line(line);
    f->set_field(e.field);
    f->set_problem(e.description);
  }
  return r;
}

// StatusFieldErrors turns a rejection of a whole import chunk into row errors.
FieldErrors StatusFieldErrors(const absl::Status& s) {
  if (s.code() == absl::StatusCode::kInvalidArgument) {
    FieldErrors e = DomainFieldErrors(std::string(s.message()), "");
    if (!e.empty()) return e;
  }
  return {{"", std::string(s.message())}};
}

}  // namespace

std::string CanonicalCommand(const std::string& command, const crypto::DataKey* key,
                             const std::string& account_key) {
  app::InvoiceCommand cmd;
  if (!cmd.ParseFromString(command)) return command;
  auto canon = [&](app::DebtorUpsertCommand* u) {
    std::string clear;
    if (key != nullptr && !u->encrypted_personal_data().empty()) {
      absl::StatusOr<std::string> p =
          crypto::Decrypt(*key, u->encrypted_personal_data(), account_key);
      if (p.ok()) clear = *std::move(p);
    }
    u->set_encrypted_personal_data(std::move(clear));  // compared in memory, never stored
    u->clear_changed_personal_fields();
  };
  if (cmd.has_upsert_debtor()) canon(cmd.mutable_upsert_debtor()->mutable_upsert());
  if (cmd.has_import_rows()) {
    for (app::ImportItem& row : *cmd.mutable_import_rows()->mutable_rows()) {
      if (row.has_debtor()) canon(row.mutable_debtor());
    }
  }
  std::string out = Deterministic(cmd);
  cmd.Clear();
  return out;
}

absl::CivilDay InvoiceServiceImpl::Today() const {
  return absl::ToCivilDay(clock_->Now(), absl::UTCTimeZone());
}

absl::StatusOr<std::optional<Account>> InvoiceServiceImpl::LoadAccount(const std::string& key) {
  absl::StatusOr<std::optional<std::string>> state = processor_->ReadAggregate(key);
  if (!state.ok()) return state.status();
  if (!state->has_value()) return std::optional<Account>();
  Account a;
  if (!a.ParseFromString(**state)) return absl::DataLossError("debtor account does not decode");
  return std::optional<Account>(std::move(a));
}

absl::StatusOr<std::string> InvoiceServiceImpl::AccountOfInvoice(const std::string& tenant,
                                                                 const v1::InvoiceRef& ref) {
  const bool by_id = ref.ref_case() == v1::InvoiceRef::kInvoiceId;
  const std::string field = by_id ? InvoiceIdIndex(tenant, ref.invoice_id())
                                  : InvoiceNumberIndex(tenant, ref.invoice_number());
  absl::StatusOr<std::optional<std::string>> key = processor_->LookupIndex(field);
  if (!key.ok()) return key.status();
  if (!key->has_value()) {
    return absl::NotFoundError(by_id ? "invoice.invoice_id: no such invoice in this tenant"
                                     : "invoice.invoice_number: no such invoice in this tenant");
  }
  return **key;
}

absl::StatusOr<std::string> InvoiceServiceImpl::Run(const common::v1::RequestContext& ctx,
                                                    const std::string& account_key,
                                                    const app::InvoiceCommand& command,
                                                    const crypto::DataKey* key) {
  std::string bytes = command.SerializeAsString();
  absl::StatusOr<platform::ItemOutcome> outcome = processor_->Execute(CommandInput(
      absl::StrCat(ctx.tenant(), "/", ctx.idempotency_key()), ctx.tenant(), account_key, bytes));
  if (!outcome.ok()) return OriginalStatus(outcome.status());
  using Kind = platform::ItemOutcome::Kind;
  switch (outcome->kind) {
    case Kind::kApplied:
    case Kind::kDuplicate: {
      app::StoredReply stored;
      if (!stored.ParseFromString(outcome->result)) {
        return absl::InternalError("stored command result does not decode");
      }
      if (outcome->kind == Kind::kDuplicate && stored.command() != bytes &&
          CanonicalCommand(stored.command(), key, account_key) !=
              CanonicalCommand(bytes, key, account_key)) {
        return InvalidArgument({{"context.idempotency_key", kIdempotencyReused}});
      }
      return stored.reply();
    }
    case Kind::kRejected:
    case Kind::kSkipped:
      return OriginalStatus(outcome->handler_status);
    default:
      return outcome->handler_status.ok() ? absl::InternalError("command was not applied")
                                          : outcome->handler_status;
  }
}

grpc::Status InvoiceServiceImpl::UpsertDebtor(grpc::ServerContext*,
                                              const v1::UpsertDebtorRequest* request,
                                              v1::UpsertDebtorResponse* response) {
  if (FieldErrors e = ValidateUpsertDebtor(*request); !e.empty()) return ToGrpc(InvalidArgument(e));
  if (keys_ == nullptr) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "personal data: no key store");
  }
  const common::v1::RequestContext& ctx = request->context();
  const v1::Debtor& debtor = request->debtor();
  const std::string key = AccountKey(ctx.tenant(), debtor.debtor_id());
  absl::StatusOr<crypto::DataKey> data_key = keys_->GetOrCreate(key);
  if (!data_key.ok()) return ToGrpc(data_key.status());
  absl::StatusOr<std::optional<Account>> current = LoadAccount(key);
  if (!current.ok()) return ToGrpc(current.status());

  // Which personal fields change: against what is stored (readable), else against nothing.
  v1::Debtor before;
  if (current->has_value() &&
      (*current)->personal_data_status() == state::v1::PERSONAL_DATA_STATUS_PRESENT &&
      !(*current)->encrypted_personal_data().empty()) {
    absl::StatusOr<v1::Debtor> old =
        DecryptPersonal(*data_key, key, (*current)->encrypted_personal_data());
    if (old.ok()) before = *std::move(old);
  }
  const v1::Debtor personal = PersonalPartOf(debtor);
  app::InvoiceCommand cmd;
  app::UpsertDebtorCommand* up = cmd.mutable_upsert_debtor();
  *up->mutable_context() = ctx;
  app::DebtorUpsertCommand* u = up->mutable_upsert();
  *u->mutable_profile() = ProfileOf(debtor);
  u->set_encrypted_personal_data(EncryptPersonal(*data_key, key, personal));
  for (std::string& f : ChangedPersonalFields(before, personal)) {
    u->add_changed_personal_fields(std::move(f));
  }
  u->set_expected_version(request->expected_version());
  before.Clear();

  absl::StatusOr<std::string> reply = Run(ctx, key, cmd, &*data_key);
  if (!reply.ok()) return ToGrpc(ApiStatus(reply.status(), "debtor.", {"expected_version"}));
  if (!response->ParseFromString(*reply)) return grpc::Status(grpc::StatusCode::INTERNAL, "reply");
  return grpc::Status::OK;
}

grpc::Status InvoiceServiceImpl::IssueInvoice(grpc::ServerContext*,
                                              const v1::IssueInvoiceRequest* request,
                                              v1::IssueInvoiceResponse* response) {
  if (FieldErrors e = ValidateIssueInvoice(*request); !e.empty()) return ToGrpc(InvalidArgument(e));
  const common::v1::RequestContext& ctx = request->context();
  const v1::InvoiceSpec& spec = request->invoice();
  const std::string key = AccountKey(ctx.tenant(), spec.debtor_id());
  // Tenant-wide uniqueness of the number.
  absl::StatusOr<std::optional<std::string>> owner =
      processor_->LookupIndex(InvoiceNumberIndex(ctx.tenant(), spec.invoice_number()));
  if (!owner.ok()) return ToGrpc(owner.status());
  if (owner->has_value() && **owner != key) {
    return ToGrpc(InvalidArgument({{"invoice.invoice_number", kNumberTaken}}));
  }
  app::InvoiceCommand cmd;
  *cmd.mutable_issue() = *request;
  absl::StatusOr<std::string> reply = Run(ctx, key, cmd);
  if (!reply.ok()) return ToGrpc(ApiStatus(reply.status(), "invoice."));
  if (!response->ParseFromString(*reply)) return grpc::Status(grpc::StatusCode::INTERNAL, "reply");
  SetDaysPastDue(response->mutable_invoice(), Today());
  return grpc::Status::OK;
}

template <typename Reply>
grpc::Status InvoiceServiceImpl::RunOnInvoice(const common::v1::RequestContext& ctx,
                                              const v1::InvoiceRef& ref, const FieldErrors& errors,
                                              const app::InvoiceCommand& command, Reply* response) {
  if (!errors.empty()) return ToGrpc(InvalidArgument(errors));
  absl::StatusOr<std::string> key = AccountOfInvoice(ctx.tenant(), ref);
  if (!key.ok()) return ToGrpc(key.status());
  absl::StatusOr<std::string> reply = Run(ctx, *key, command);
  if (!reply.ok()) return ToGrpc(ApiStatus(reply.status(), ""));
  if (!response->ParseFromString(*reply)) return grpc::Status(grpc::StatusCode::INTERNAL, "reply");
  SetDaysPastDue(response->mutable_invoice(), Today());
  return grpc::Status::OK;
}

grpc::Status InvoiceServiceImpl::AdjustInvoice(grpc::ServerContext*,
                                               const v1::AdjustInvoiceRequest* request,
                                               v1::AdjustInvoiceResponse* response) {
  app::InvoiceCommand cmd;
  *cmd.mutable_adjust() = *request;
  return RunOnInvoice(request->context(), request->invoice(), ValidateAdjustInvoice(*request), cmd,
                      response);
}

grpc::Status InvoiceServiceImpl::CancelInvoice(grpc::ServerContext*,
                                               const v1::CancelInvoiceRequest* request,
                                               v1::CancelInvoiceResponse* response) {
  app::InvoiceCommand cmd;
  *cmd.mutable_cancel() = *request;
  return RunOnInvoice(request->context(), request->invoice(), ValidateCancelInvoice(*request), cmd,
                      response);
}

grpc::Status InvoiceServiceImpl::WriteOffInvoice(grpc::ServerContext*,
                                                 const v1::WriteOffInvoiceRequest* request,
                                                 v1::WriteOffInvoiceResponse* response) {
  app::InvoiceCommand cmd;
  *cmd.mutable_write_off() = *request;
  return RunOnInvoice(request->context(), request->invoice(), ValidateWriteOffInvoice(*request),
                      cmd, response);
}

grpc::Status InvoiceServiceImpl::ReissueInvoice(grpc::ServerContext*,
                                                const v1::ReissueInvoiceRequest* request,
                                                v1::ReissueInvoiceResponse* response) {
  app::InvoiceCommand cmd;
  *cmd.mutable_reissue() = *request;
  return RunOnInvoice(request->context(), request->invoice(), ValidateReissueInvoice(*request), cmd,
                      response);
}

grpc::Status InvoiceServiceImpl::GetInvoice(grpc::ServerContext*,
                                            const v1::GetInvoiceRequest* request,
                                            v1::GetInvoiceResponse* response) {
  if (FieldErrors e = ValidateGetInvoice(*request); !e.empty()) return ToGrpc(InvalidArgument(e));
  const std::string& tenant = request->context().tenant();
  absl::StatusOr<std::string> key = AccountOfInvoice(tenant, request->invoice());
  if (!key.ok()) return ToGrpc(key.status());
  absl::StatusOr<std::optional<Account>> account = LoadAccount(*key);
  if (!account.ok()) return ToGrpc(account.status());
  if (!account->has_value() || (*account)->tenant() != tenant) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "invoice: no such invoice in this tenant");
  }
  absl::StatusOr<const v1::Invoice*> inv = FindInvoice(**account, request->invoice());
  if (!inv.ok()) return ToGrpc(inv.status());
  *response->mutable_invoice() = **inv;
  SetDaysPastDue(response->mutable_invoice(), Today());
  return grpc::Status::OK;
}

grpc::Status InvoiceServiceImpl::ListInvoices(grpc::ServerContext*,
                                              const v1::ListInvoicesRequest* request,
                                              v1::ListInvoicesResponse* response) {
  if (FieldErrors e = ValidateListInvoices(*request); !e.empty()) return ToGrpc(InvalidArgument(e));
  const std::string& tenant = request->context().tenant();
  auto scanned = processor_->ScanAggregates(absl::StrCat(tenant, "/"));
  if (!scanned.ok()) return ToGrpc(scanned.status());
  std::vector<Account> accounts;
  accounts.reserve(scanned->size());
  for (const auto& [key, state] : *scanned) {
    Account a;
    if (!a.ParseFromString(state)) continue;  // not a debtor account (never written by us)
    accounts.push_back(std::move(a));
  }
  const absl::CivilDay as_of = request->has_as_of() ? ToCivilDay(request->as_of()) : Today();
  absl::StatusOr<v1::ListInvoicesResponse> page = ListInvoicesPage(accounts, *request, as_of);
  if (!page.ok()) return ToGrpc(ApiStatus(page.status(), ""));
  *response = *std::move(page);
  return grpc::Status::OK;
}

grpc::Status InvoiceServiceImpl::GetDebtorContact(grpc::ServerContext*,
                                                  const v1::GetDebtorContactRequest* request,
                                                  v1::GetDebtorContactResponse* response) {
  if (FieldErrors e = ValidateGetDebtorContact(*request); !e.empty()) {
    return ToGrpc(InvalidArgument(e));
  }
  if (keys_ == nullptr) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "personal data: no key store");
  }
  const common::v1::RequestContext& ctx = request->context();
  const std::string key = AccountKey(ctx.tenant(), request->debtor_id());
  absl::StatusOr<std::optional<Account>> account = LoadAccount(key);
  if (!account.ok()) return ToGrpc(account.status());
  if (!account->has_value() || !(*account)->has_debtor()) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "debtor_id: no such debtor in this tenant");
  }
  const Account& a = **account;
  // Every read of personal data leaves an audit line: ids and the purpose, never values.
  platform::LogInfo("personal data read", {{"tenant", ctx.tenant()},
                                           {"debtor_id", request->debtor_id()},
                                           {"purpose", PurposeName(request->purpose())},
                                           {"case_id", request->case_id()},
                                           {"actor", ctx.actor().id()}});
  switch (a.personal_data_status()) {
    case state::v1::PERSONAL_DATA_STATUS_ERASED:
      (void)keys_->Destroy(key);  // in case the erasure's own key deletion did not happen
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "debtor erased");
    case state::v1::PERSONAL_DATA_STATUS_RESTRICTED:
      return grpc::Status(
          grpc::StatusCode::FAILED_PRECONDITION,
          absl::StrCat("restricted: kept under a retention duty until ",
                       absl::FormatCivilTime(ToCivilDay(a.retention_until())), ", not readable"));
    default:
      break;
  }
  v1::Debtor personal;
  if (!a.encrypted_personal_data().empty()) {
    absl::StatusOr<std::optional<crypto::DataKey>> data_key = keys_->Find(key);
    if (!data_key.ok()) return ToGrpc(data_key.status());
    if (!data_key->has_value()) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "debtor erased: the data key is destroyed");
    }
    absl::StatusOr<v1::Debtor> clear =
        DecryptPersonal(**data_key, key, a.encrypted_personal_data());
    if (!clear.ok()) return ToGrpc(clear.status());
    personal = *std::move(clear);
  }
  v1::Debtor debtor = ComposeDebtor(a.debtor(), personal);
  personal.Clear();
  if (request->role() != v1::CONTACT_ROLE_UNSPECIFIED) {
    auto* points = debtor.mutable_contact_points();
    points->erase(
        std::remove_if(points->begin(), points->end(),
                       [&](const v1::ContactPoint& c) { return c.role() != request->role(); }),
        points->end());
  }
  *response->mutable_debtor() = std::move(debtor);
  return grpc::Status::OK;
}

grpc::Status InvoiceServiceImpl::EraseDebtor(grpc::ServerContext*,
                                             const v1::EraseDebtorRequest* request,
                                             v1::EraseDebtorResponse* response) {
  if (FieldErrors e = ValidateEraseDebtor(*request); !e.empty()) return ToGrpc(InvalidArgument(e));
  if (keys_ == nullptr) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "personal data: no key store");
  }
  const common::v1::RequestContext& ctx = request->context();
  const std::string key = AccountKey(ctx.tenant(), request->debtor_id());
  app::InvoiceCommand cmd;
  *cmd.mutable_erase() = *request;
  absl::StatusOr<std::string> reply = Run(ctx, key, cmd);
  if (!reply.ok()) return ToGrpc(ApiStatus(reply.status(), ""));
  if (!response->ParseFromString(*reply)) return grpc::Status(grpc::StatusCode::INTERNAL, "reply");
  if (response->outcome() == v1::ERASE_OUTCOME_ERASED) {
    // Crypto-shredding: after the erasure is committed, so that a crash in between is repaired
    // by the client's retry (same key: the stored reply, and the deletion again).
    if (absl::Status s = keys_->Destroy(key); !s.ok()) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                          "erasure recorded but the data key could not be destroyed yet; retry "
                          "with the same idempotency key");
    }
  }
  platform::LogInfo("debtor erasure", {{"tenant", ctx.tenant()},
                                       {"debtor_id", request->debtor_id()},
                                       {"outcome", v1::EraseOutcome_Name(response->outcome())},
                                       {"reason_code", request->reason_code()},
                                       {"actor", ctx.actor().id()}});
  return grpc::Status::OK;
}

grpc::Status InvoiceServiceImpl::ImportInvoices(
    grpc::ServerContext*, grpc::ServerReader<v1::ImportInvoicesRequest>* reader,
    v1::ImportInvoicesResponse* response) {
  v1::ImportInvoicesRequest message;
  common::v1::RequestContext ctx;
  bool first = true;
  bool rejected_only = false;
  std::vector<v1::ImportRow> rows;
  bool too_many = false;
  while (reader->Read(&message)) {
    if (first) {
      ctx = message.context();
      rejected_only = message.report_rejected_only();
      first = false;
    }
    if (too_many) continue;  // drain the stream, then refuse it
    if (static_cast<int64_t>(rows.size() + message.rows_size()) > import_options_.max_rows) {
      too_many = true;
      rows.clear();
      continue;
    }
    for (v1::ImportRow& row : *message.mutable_rows()) rows.push_back(std::move(row));
  }
  if (too_many) {
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        absl::StrCat("rows: at most ", import_options_.max_rows,
                                     " rows per stream; split the import"));
  }
  FieldErrors e;
  platform::CheckRequestContext(ctx, true, &e);
  if (!e.empty()) return ToGrpc(InvalidArgument(e));
  absl::StatusOr<v1::ImportInvoicesResponse> r = Import(ctx, std::move(rows), rejected_only);
  if (!r.ok()) return ToGrpc(r.status());
  *response = *std::move(r);
  return grpc::Status::OK;
}

absl::StatusOr<v1::ImportInvoicesResponse> InvoiceServiceImpl::Import(
    const common::v1::RequestContext& ctx, std::vector<v1::ImportRow> rows, bool rejected_only) {
  const std::string& tenant = ctx.tenant();
  const size_t n = rows.size();
  std::vector<std::optional<v1::ImportRowResult>> results(n);
  std::vector<int64_t> lines(n);
  std::vector<std::string> keys(n);
  for (size_t i = 0; i < n; ++i) {
    lines[i] = rows[i].line() > 0 ? rows[i].line() : static_cast<int64_t>(i + 1);
    if (FieldErrors e = CheckImportRow(rows[i]); !e.empty()) {
      results[i] = Rejected(lines[i], e);
      continue;
    }
    keys[i] = AccountKey(tenant, rows[i].has_invoice() ? rows[i].invoice().debtor_id()
                                                       : rows[i].debtor().debtor_id());
    if (rows[i].has_debtor() && !IsDefaultsOnly(rows[i].debtor()) && keys_ == nullptr) {
      results[i] = Rejected(lines[i], {{"", "personal data: no key store"}});
    }
  }

  // Tenant-wide uniqueness of invoice numbers: the index, then the first debtor in the stream.
  std::vector<std::string> numbers;
  {
    std::unordered_map<std::string, bool> seen;
    for (size_t i = 0; i < n; ++i) {
      if (results[i].has_value() || !rows[i].has_invoice()) continue;
      const std::string& number = rows[i].invoice().invoice_number();
      if (!number.empty() && seen.emplace(number, true).second) numbers.push_back(number);
    }
  }
  std::unordered_map<std::string, std::string> owner;  // number -> account key
  const size_t chunk = static_cast<size_t>(std::max(1, import_options_.lookup_chunk));
  for (size_t start = 0; start < numbers.size(); start += chunk) {
    std::vector<std::string> fields;
    for (size_t k = start; k < std::min(numbers.size(), start + chunk); ++k) {
      fields.push_back(InvoiceNumberIndex(tenant, numbers[k]));
    }
    auto found = processor_->LookupIndexMany(fields);
    if (!found.ok()) return found.status();
    for (size_t k = 0; k < found->size(); ++k) {
      if ((*found)[k].has_value()) owner[numbers[start + k]] = *(*found)[k];
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (results[i].has_value() || !rows[i].has_invoice()) continue;
    const std::string& number = rows[i].invoice().invoice_number();
    if (number.empty()) continue;  // the domain names it
    auto [it, inserted] = owner.emplace(number, keys[i]);
    if (!inserted && it->second != keys[i]) {
      results[i] = Rejected(lines[i], {{"invoice_number", kNumberTaken}});
    }
  }

  // Group the remaining rows per debtor account, in stream order.
  struct Group {
    std::string key;
    std::string debtor_id;
    std::vector<size_t> rows;
    bool personal = false;  // has debtor rows with personal data
    std::optional<crypto::DataKey> data_key;
  };
  std::vector<Group> groups;
  std::unordered_map<std::string, size_t> group_of;
  for (size_t i = 0; i < n; ++i) {
    if (results[i].has_value()) continue;
    auto [it, inserted] = group_of.emplace(keys[i], groups.size());
    if (inserted) {
      groups.push_back(Group{
          keys[i],
          rows[i].has_invoice() ? rows[i].invoice().debtor_id() : rows[i].debtor().debtor_id(),
          {},
          false,
          std::nullopt});
    }
    Group& g = groups[it->second];
    g.rows.push_back(i);
    if (rows[i].has_debtor() && !IsDefaultsOnly(rows[i].debtor())) g.personal = true;
  }

  // Build the commands: one per debtor per chunk of rows. Personal parts are encrypted here.
  struct Chunk {
    size_t group = 0;
    std::vector<size_t> rows;
    std::string command;
  };
  std::vector<Chunk> chunks;
  std::vector<platform::Input> inputs;
  const size_t per_command = static_cast<size_t>(std::max(1, import_options_.rows_per_command));
  for (size_t gi = 0; gi < groups.size(); ++gi) {
    Group& g = groups[gi];
    v1::Debtor previous;  // personal part before the next debtor row
    if (g.personal) {
      absl::StatusOr<crypto::DataKey> dk = keys_->GetOrCreate(g.key);
      if (!dk.ok()) return dk.status();
      g.data_key = *std::move(dk);
      absl::StatusOr<std::optional<Account>> current = LoadAccount(g.key);
      if (!current.ok()) return current.status();
      if (current->has_value() &&
          (*current)->personal_data_status() == state::v1::PERSONAL_DATA_STATUS_PRESENT &&
          !(*current)->encrypted_personal_data().empty()) {
        auto old = DecryptPersonal(*g.data_key, g.key, (*current)->encrypted_personal_data());
        if (old.ok()) previous = *std::move(old);
      }
    }
    for (size_t start = 0, number = 0; start < g.rows.size(); start += per_command, ++number) {
      Chunk c;
      c.group = gi;
      app::InvoiceCommand cmd;
      app::ImportRowsCommand* import = cmd.mutable_import_rows();
      *import->mutable_context() = ctx;
      for (size_t k = start; k < std::min(g.rows.size(), start + per_command); ++k) {
        const size_t i = g.rows[k];
        c.rows.push_back(i);
        app::ImportItem* item = import->add_rows();
        item->set_line(lines[i]);
        if (rows[i].has_invoice()) {
          *item->mutable_invoice() = std::move(*rows[i].mutable_invoice());
          continue;
        }
        const v1::Debtor& d = rows[i].debtor();
        if (IsDefaultsOnly(d)) {
          app::DebtorDefaults* def = item->mutable_defaults();
          def->set_type(d.type());
          def->set_country(d.country());
          def->set_preferred_language(d.preferred_language());
          def->set_time_zone(d.time_zone());
          continue;
        }
        const v1::Debtor personal = PersonalPartOf(d);
        app::DebtorUpsertCommand* u = item->mutable_debtor();
        *u->mutable_profile() = ProfileOf(d);
        u->set_encrypted_personal_data(EncryptPersonal(*g.data_key, g.key, personal));
        for (std::string& f : ChangedPersonalFields(previous, personal)) {
          u->add_changed_personal_fields(std::move(f));
        }
        previous = personal;
        rows[i].mutable_debtor()->Clear();  // the clear text is not needed any more
      }
      c.command = cmd.SerializeAsString();
      inputs.push_back(CommandInput(
          absl::StrCat(tenant, "/", ctx.idempotency_key(), "/import/", g.debtor_id, "/", number),
          tenant, g.key, c.command));
      chunks.push_back(std::move(c));
    }
    previous.Clear();
  }

  // Run every command in pipelined batches; a retry of the stream is deduplicated per chunk.
  const absl::Duration deadline =
      std::max(absl::Seconds(30), absl::Milliseconds(5) * static_cast<int64_t>(n));
  absl::StatusOr<std::vector<platform::ItemOutcome>> outcomes =
      processor_->ExecuteAll(std::move(inputs), deadline);
  if (!outcomes.ok()) return outcomes.status();
  if (outcomes->size() != chunks.size()) return absl::InternalError("import: outcomes missing");

  v1::ImportInvoicesResponse out;
  using Kind = platform::ItemOutcome::Kind;
  for (size_t j = 0; j < chunks.size(); ++j) {
    const Chunk& c = chunks[j];
    const platform::ItemOutcome& o = (*outcomes)[j];
    auto reject_all = [&](const FieldErrors& errors) {
      for (size_t i : c.rows) results[i] = Rejected(lines[i], errors);
    };
    if (o.kind != Kind::kApplied && o.kind != Kind::kDuplicate) {
      reject_all(StatusFieldErrors(OriginalStatus(o.handler_status)));
      continue;
    }
    app::StoredReply stored;
    v1::ImportInvoicesResponse reply;
    if (!stored.ParseFromString(o.result) || !reply.ParseFromString(stored.reply())) {
      return absl::InternalError("import: stored result does not decode");
    }
    const Group& g = groups[c.group];
    const crypto::DataKey* dk = g.data_key.has_value() ? &*g.data_key : nullptr;
    if (o.kind == Kind::kDuplicate && stored.command() != c.command &&
        CanonicalCommand(stored.command(), dk, g.key) != CanonicalCommand(c.command, dk, g.key)) {
      reject_all({{"context.idempotency_key", kIdempotencyReused}});
      continue;
    }
    if (static_cast<size_t>(reply.results_size()) != c.rows.size()) {
      return absl::InternalError("import: results do not match the rows");
    }
    for (size_t k = 0; k < c.rows.size(); ++k) {
      results[c.rows[k]] = std::move(*reply.mutable_results(static_cast<int>(k)));
    }
    out.set_debtors_upserted(out.debtors_upserted() + reply.debtors_upserted());
  }

  out.set_rows(static_cast<int64_t>(n));
  for (size_t i = 0; i < n; ++i) {
    v1::ImportRowResult& r = *results[i];
    const bool invoice_row =
        rows[i].has_invoice() || rows[i].item_case() == v1::ImportRow::ITEM_NOT_SET;
    switch (r.outcome()) {
      case v1::ISSUE_OUTCOME_CREATED:
        if (invoice_row) out.set_created(out.created() + 1);
        break;
      case v1::ISSUE_OUTCOME_DUPLICATE:
        if (invoice_row) out.set_duplicates(out.duplicates() + 1);
        break;
      case v1::ISSUE_OUTCOME_ADJUSTED:
        if (invoice_row) out.set_adjusted(out.adjusted() + 1);
        break;
      case v1::ISSUE_OUTCOME_REJECTED:
        out.set_rejected(out.rejected() + 1);
        break;
      default:
        break;
    }
    if (!rejected_only || r.outcome() == v1::ISSUE_OUTCOME_REJECTED) {
      *out.add_results() = std::move(r);
    }
  }
  platform::LogInfo("import", {{"tenant", tenant},
                               {"rows", absl::StrCat(out.rows())},
                               {"created", absl::StrCat(out.created())},
                               {"duplicates", absl::StrCat(out.duplicates())},
                               {"adjusted", absl::StrCat(out.adjusted())},
                               {"rejected", absl::StrCat(out.rejected())},
                               {"debtors_upserted", absl::StrCat(out.debtors_upserted())}});
  return out;
}

}  // namespace concerto::invoice
