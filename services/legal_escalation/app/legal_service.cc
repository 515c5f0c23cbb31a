#include "services/legal_escalation/app/legal_service.h"

#include <sodium.h>

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "concerto/platform/v1/store.pb.h"
#include "libs/platform/runtime/field_errors.h"
#include "libs/platform/unit_of_work.h"
#include "services/legal_escalation/app/command.pb.h"
#include "services/legal_escalation/app/legal_handler.h"
#include "services/legal_escalation/domain/dossier.h"
#include "services/legal_escalation/domain/legal_account.h"

namespace concerto::legal {
namespace {

using platform::FieldErrors;
using platform::ToGrpc;

constexpr size_t kMaxNote = 2000;
constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;

grpc::Status NotFound(const std::string& what) {
  return grpc::Status(grpc::StatusCode::NOT_FOUND, what);
}

std::string CommandId(const common::v1::RequestContext& ctx) {
  return absl::StrCat(ctx.tenant(), "/", ctx.idempotency_key());
}

void CheckOptionalText(const std::string& value, const std::string& field, size_t max,
                       FieldErrors* e) {
  if (!value.empty()) platform::CheckRequired(value, field, e, max);
}

void CheckOptionalDate(bool set, const common::v1::Date& d, const std::string& field,
                       FieldErrors* e) {
  if (set && !platform::ValidDate(d)) e->push_back({field, "not a valid calendar date"});
}

void CheckMoney(const common::v1::Money& m, const std::string& field, bool allow_zero,
                FieldErrors* e) {
  if (allow_zero ? m.minor_units() < 0 : m.minor_units() <= 0) {
    e->push_back({field + ".minor_units", allow_zero ? "must be >= 0" : "must be > 0"});
  }
  if (m.currency().size() != 3) e->push_back({field + ".currency", "an ISO 4217 code is required"});
}

// LatestCase is the most recent legal case of the account, or null.
const state::v1::LegalCaseRecord* LatestCase(const state::v1::LegalAccount& account) {
  return account.cases_size() == 0 ? nullptr : &account.cases(account.cases_size() - 1);
}

bool Contains(const google::protobuf::RepeatedField<int>& values, int v) {
  return values.empty() || std::find(values.begin(), values.end(), v) != values.end();
}

}  // namespace

std::string Sha256Hex(const std::string& bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * sizeof(digest));
  for (unsigned char c : digest) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

absl::StatusOr<std::string> LegalServiceImpl::AccountOf(const std::string& tenant,
                                                        const std::string& legal_case_id) {
  auto key = processor_->LookupIndex(LegalCaseIndex(tenant, legal_case_id));
  if (!key.ok()) return key.status();
  if (!key->has_value()) {
    return absl::NotFoundError(absl::StrCat("legal_case_id: no legal case ", legal_case_id));
  }
  return **key;
}

absl::StatusOr<std::optional<state::v1::LegalAccount>> LegalServiceImpl::LoadAccount(
    const std::string& key) {
  auto state = processor_->ReadAggregate(key);
  if (!state.ok()) return state.status();
  if (!state->has_value()) return std::optional<state::v1::LegalAccount>();
  state::v1::LegalAccount account;
  if (!account.ParseFromString(**state))
    return absl::DataLossError("legal account does not decode");
  return std::optional<state::v1::LegalAccount>(std::move(account));
}

namespace {

// Writer runs one command on the account of its legal case.
template <typename Request>
grpc::Status RunCommand(platform::EventProcessor* processor, const std::string& account_key,
                        const Request& request, app::LegalCommand cmd,
                        v1::LegalCaseResponse* response) {
  platform::Input in;
  in.kind = platform::Input::Kind::kCommand;
  in.id = CommandId(request.context());
  in.aggregate_key = account_key;
  in.tenant = request.context().tenant();
  in.command = cmd.SerializeAsString();
  const std::string command = in.command;
  auto outcome = processor->Execute(std::move(in));
  if (!outcome.ok()) return ToGrpc(outcome.status());
  auto bytes = platform::ReplyOfCommand(*outcome, command, kNotFoundPayload);
  if (!bytes.ok()) return ToGrpc(bytes.status());
  if (!response->ParseFromString(*bytes)) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "bad stored reply");
  }
  return grpc::Status::OK;
}

}  // namespace

grpc::Status LegalServiceImpl::GetLegalCase(grpc::ServerContext*,
                                            const v1::GetLegalCaseRequest* request,
                                            v1::LegalCaseResponse* response) {
  FieldErrors e;
  platform::CheckRequestContext(request->context(), false, &e);
  switch (request->ref_case()) {
    case v1::GetLegalCaseRequest::kLegalCaseId:
      platform::CheckRequired(request->legal_case_id(), "legal_case_id", &e);
      break;
    case v1::GetLegalCaseRequest::kCaseId:
      platform::CheckRequired(request->case_id(), "case_id", &e);
      break;
    default:
      e.push_back({"legal_case_id", "legal_case_id or case_id is required"});
  }
  if (!e.empty()) return ToGrpc(platform::InvalidArgument(e));
  const std::string& tenant = request->context().tenant();
  if (request->ref_case() == v1::GetLegalCaseRequest::kLegalCaseId) {
    auto key = AccountOf(tenant, request->legal_case_id());
    if (!key.ok()) return ToGrpc(key.status());
    auto account = LoadAccount(*key);
    if (!account.ok()) return ToGrpc(account.status());
    const state::v1::LegalCaseRecord* rec =
        account->has_value() ? FindCase(**account, request->legal_case_id()) : nullptr;
    if (rec == nullptr) return NotFound("legal_case_id: no such legal case");
    *response->mutable_legal_case() = rec->legal_case();
    return grpc::Status::OK;
  }
  // case_id: "<debtor_id>#<sequence>" names one dunning cycle; a bare debtor id its latest case.
  const std::string& case_id = request->case_id();
  if (const size_t hash = case_id.rfind('#'); hash != std::string::npos && hash > 0) {
    auto account = LoadAccount(AccountKey(tenant, case_id.substr(0, hash)));
    if (!account.ok()) return ToGrpc(account.status());
    if (account->has_value()) {
      for (auto it = (*account)->cases().rbegin(); it != (*account)->cases().rend(); ++it) {
        if (it->legal_case().case_id() == case_id) {
          *response->mutable_legal_case() = it->legal_case();
          return grpc::Status::OK;
        }
      }
    }
  }
  auto account = LoadAccount(AccountKey(tenant, case_id));
  if (!account.ok()) return ToGrpc(account.status());
  const state::v1::LegalCaseRecord* rec = account->has_value() ? LatestCase(**account) : nullptr;
  if (rec == nullptr) return NotFound("case_id: no legal case for this dunning case");
  *response->mutable_legal_case() = rec->legal_case();
  return grpc::Status::OK;
}

grpc::Status LegalServiceImpl::ListLegalCases(grpc::ServerContext*,
                                              const v1::ListLegalCasesRequest* request,
                                              v1::ListLegalCasesResponse* response) {
  FieldErrors e;
  platform::CheckRequestContext(request->context(), false, &e);
  int64_t offset = 0;
  if (!request->page_token().empty() &&
      (!absl::SimpleAtoi(request->page_token(), &offset) || offset < 0)) {
    e.push_back({"page_token", "not a token this service issued"});
  }
  if (request->page_size() < 0 || request->page_size() > kMaxPageSize) {
    e.push_back({"page_size", absl::StrCat("between 0 and ", kMaxPageSize)});
  }
  for (int i = 0; i < request->statuses_size(); ++i) {
    const int s = request->statuses(i);
    if (s == v1::LEGAL_CASE_STATUS_UNSPECIFIED || !v1::LegalCaseStatus_IsValid(s)) {
      e.push_back({absl::StrCat("statuses[", i, "]"), "not a legal case status"});
    }
  }
  for (int i = 0; i < request->stages_size(); ++i) {
    const int s = request->stages(i);
    if (s == v1::LEGAL_STAGE_UNSPECIFIED || !v1::LegalStage_IsValid(s)) {
      e.push_back({absl::StrCat("stages[", i, "]"), "not a legal stage"});
    }
  }
  CheckOptionalText(request->partner_id(), "partner_id", 128, &e);
  CheckOptionalText(request->debtor_id(), "debtor_id", 128, &e);
  CheckOptionalText(request->jurisdiction(), "jurisdiction", 8, &e);
  if (!e.empty()) return ToGrpc(platform::InvalidArgument(e));
  const std::string& tenant = request->context().tenant();
  std::vector<v1::LegalCase> matched;
  auto collect = [&](const std::string& state) {
    state::v1::LegalAccount account;
    if (!account.ParseFromString(state)) return;
    for (const auto& rec : account.cases()) {
      const v1::LegalCase& lc = rec.legal_case();
      if (!Contains(request->statuses(), lc.status()) || !Contains(request->stages(), lc.stage())) {
        continue;
      }
      if (!request->partner_id().empty() && lc.partner_id() != request->partner_id()) continue;
      if (!request->debtor_id().empty() && lc.debtor_id() != request->debtor_id()) continue;
      if (!request->jurisdiction().empty() && absl::AsciiStrToUpper(lc.jurisdiction()) !=
                                                  absl::AsciiStrToUpper(request->jurisdiction())) {
        continue;
      }
      matched.push_back(lc);
    }
  };
  if (!request->debtor_id().empty()) {
    auto state = processor_->ReadAggregate(AccountKey(tenant, request->debtor_id()));
    if (!state.ok()) return ToGrpc(state.status());
    if (state->has_value()) collect(**state);
  } else {
    auto all = processor_->ScanAggregates(absl::StrCat(tenant, "/"));
    if (!all.ok()) return ToGrpc(all.status());
    for (const auto& [key, state] : *all) collect(state);
  }
  // Newest first, then by id: a stable order for paging.
  std::sort(matched.begin(), matched.end(), [](const v1::LegalCase& a, const v1::LegalCase& b) {
    if (a.opened_at().seconds() != b.opened_at().seconds()) {
      return a.opened_at().seconds() > b.opened_at().seconds();
    }
    return a.legal_case_id() < b.legal_case_id();
  });
  const int64_t page = request->page_size() == 0 ? kDefaultPageSize : request->page_size();
  const int64_t total = static_cast<int64_t>(matched.size());
  for (int64_t i = offset; i < total && i < offset + page; ++i) {
    *response->add_legal_cases() = std::move(matched[i]);
  }
  if (offset + page < total) response->set_next_page_token(absl::StrCat(offset + page));
  response->set_total_count(total);
  return grpc::Status::OK;
}

grpc::Status LegalServiceImpl::RecordStage(grpc::ServerContext*,
                                           const v1::RecordStageRequest* request,
                                           v1::LegalCaseResponse* response) {
  FieldErrors e;
  platform::CheckRequestContext(request->context(), true, &e);
  platform::CheckRequired(request->legal_case_id(), "legal_case_id", &e);
  if (request->stage() == v1::LEGAL_STAGE_UNSPECIFIED ||
      !v1::LegalStage_IsValid(request->stage())) {
    e.push_back(
        {"stage", "required: FORMAL_NOTICE, INJUNCTION, PROCEEDINGS, ENFORCEMENT or SETTLEMENT"});
  } else if (request->stage() == v1::LEGAL_STAGE_ACCEPTED ||
             request->stage() == v1::LEGAL_STAGE_CLOSED) {
    e.push_back({"stage", request->stage() == v1::LEGAL_STAGE_ACCEPTED
                              ? "ACCEPTED is where a legal case starts; it cannot be recorded"
                              : "CLOSED is recorded by Close (with an outcome) or Recall"});
  }
  CheckOptionalDate(request->has_effective_on(), request->effective_on(), "effective_on", &e);
  CheckOptionalDate(request->has_term_ends_on(), request->term_ends_on(), "term_ends_on", &e);
  CheckOptionalText(request->court_reference(), "court_reference", 128, &e);
  CheckOptionalText(request->note(), "note", kMaxNote, &e);
  if (!e.empty()) return ToGrpc(platform::InvalidArgument(e));
  auto key = AccountOf(request->context().tenant(), request->legal_case_id());
  if (!key.ok()) return ToGrpc(key.status());
  app::LegalCommand cmd;
  *cmd.mutable_record_stage() = *request;
  return RunCommand(processor_, *key, *request, std::move(cmd), response);
}

grpc::Status LegalServiceImpl::RecordCost(grpc::ServerContext*,
                                          const v1::RecordCostRequest* request,
                                          v1::LegalCaseResponse* response) {
  FieldErrors e;
  platform::CheckRequestContext(request->context(), true, &e);
  platform::CheckRequired(request->legal_case_id(), "legal_case_id", &e);
  const v1::CostEntry& cost = request->cost();
  if (!request->has_cost()) {
    e.push_back({"cost", "required"});
  } else {
    if (cost.kind() == v1::COST_KIND_UNSPECIFIED || !v1::CostKind_IsValid(cost.kind())) {
      e.push_back(
          {"cost.kind", "required: COURT_FEE, LAWYER_FEE, BAILIFF, PARTNER_COMMISSION or OTHER"});
    }
    CheckMoney(cost.amount(), "cost.amount", false, &e);
    CheckOptionalDate(cost.has_incurred_on(), cost.incurred_on(), "cost.incurred_on", &e);
    CheckOptionalText(cost.description(), "cost.description", kMaxNote, &e);
  }
  if (!e.empty()) return ToGrpc(platform::InvalidArgument(e));
  auto key = AccountOf(request->context().tenant(), request->legal_case_id());
  if (!key.ok()) return ToGrpc(key.status());
  app::LegalCommand cmd;
  *cmd.mutable_record_cost() = *request;
  cmd.mutable_record_cost()->mutable_cost()->clear_cost_id();  // output only
  return RunCommand(processor_, *key, *request, std::move(cmd), response);
}

grpc::Status LegalServiceImpl::Settle(grpc::ServerContext*, const v1::SettleRequest* request,
                                      v1::LegalCaseResponse* response) {
  FieldErrors e;
  platform::CheckRequestContext(request->context(), true, &e);
  platform::CheckRequired(request->legal_case_id(), "legal_case_id", &e);
  CheckMoney(request->settlement_amount(), "settlement_amount", false, &e);
  CheckOptionalDate(request->has_agreed_on(), request->agreed_on(), "agreed_on", &e);
  CheckOptionalText(request->plan_id(), "plan_id", 128, &e);
  CheckOptionalText(request->note(), "note", kMaxNote, &e);
  if (!e.empty()) return ToGrpc(platform::InvalidArgument(e));
  auto key = AccountOf(request->context().tenant(), request->legal_case_id());
  if (!key.ok()) return ToGrpc(key.status());
  app::LegalCommand cmd;
  *cmd.mutable_settle() = *request;
  return RunCommand(processor_, *key, *request, std::move(cmd), response);
}

grpc::Status LegalServiceImpl::Close(grpc::ServerContext*, const v1::CloseRequest* request,
                                     v1::LegalCaseResponse* response) {
  FieldErrors e;
  platform::CheckRequestContext(request->context(), true, &e);
  platform::CheckRequired(request->legal_case_id(), "legal_case_id", &e);
  if (request->outcome() == v1::LEGAL_OUTCOME_UNSPECIFIED ||
      !v1::LegalOutcome_IsValid(request->outcome())) {
    e.push_back({"outcome", "required: PAID, SETTLED or UNCOLLECTABLE"});
  }
  if (request->has_recovered()) CheckMoney(request->recovered(), "recovered", true, &e);
  CheckOptionalDate(request->has_closed_on(), request->closed_on(), "closed_on", &e);
  CheckOptionalText(request->note(), "note", kMaxNote, &e);
  if (!e.empty()) return ToGrpc(platform::InvalidArgument(e));
  auto key = AccountOf(request->context().tenant(), request->legal_case_id());
  if (!key.ok()) return ToGrpc(key.status());
  app::LegalCommand cmd;
  *cmd.mutable_close() = *request;
  return RunCommand(processor_, *key, *request, std::move(cmd), response);
}

grpc::Status LegalServiceImpl::Recall(grpc::ServerContext*, const v1::RecallRequest* request,
                                      v1::LegalCaseResponse* response) {
  FieldErrors e;
  platform::CheckRequestContext(request->context(), true, &e);
  platform::CheckRequired(request->legal_case_id(), "legal_case_id", &e);
  if (request->reason() == v1::RECALL_REASON_UNSPECIFIED ||
      !v1::RecallReason_IsValid(request->reason())) {
    e.push_back(
        {"reason", "required: CLIENT_DECISION, PAID_TO_CLIENT, COMMERCIAL_AGREEMENT or ERROR"});
  }
  CheckOptionalText(request->note(), "note", kMaxNote, &e);
  if (!e.empty()) return ToGrpc(platform::InvalidArgument(e));
  auto key = AccountOf(request->context().tenant(), request->legal_case_id());
  if (!key.ok()) return ToGrpc(key.status());
  app::LegalCommand cmd;
  *cmd.mutable_recall() = *request;
  return RunCommand(processor_, *key, *request, std::move(cmd), response);
}

grpc::Status LegalServiceImpl::ExportDossier(grpc::ServerContext*,
                                             const v1::ExportDossierRequest* request,
                                             v1::ExportDossierResponse* response) {
  FieldErrors e;
  platform::CheckRequestContext(request->context(), false, &e);
  platform::CheckRequired(request->legal_case_id(), "legal_case_id", &e);
  if (request->format() != v1::DOSSIER_FORMAT_JSON && request->format() != v1::DOSSIER_FORMAT_PDF) {
    e.push_back({"format", "JSON or PDF"});
  }
  if (!e.empty()) return ToGrpc(platform::InvalidArgument(e));
  auto key = AccountOf(request->context().tenant(), request->legal_case_id());
  if (!key.ok()) return ToGrpc(key.status());
  auto account = LoadAccount(*key);
  if (!account.ok()) return ToGrpc(account.status());
  const state::v1::LegalCaseRecord* rec =
      account->has_value() ? FindCase(**account, request->legal_case_id()) : nullptr;
  if (rec == nullptr) return NotFound("legal_case_id: no such legal case");
  const absl::Time now = clock_->Now();
  if (request->format() == v1::DOSSIER_FORMAT_JSON) {
    response->set_content(DossierJson(**account, *rec, now));
    response->set_media_type("application/json");
    response->set_file_name(absl::StrCat(request->legal_case_id(), "-dossier.json"));
  } else {
    response->set_content(TextToPdf(DossierText(**account, *rec, now)));
    response->set_media_type("application/pdf");
    response->set_file_name(absl::StrCat(request->legal_case_id(), "-dossier.pdf"));
  }
  response->set_sha256(Sha256Hex(response->content()));
  return grpc::Status::OK;
}

}  // namespace concerto::legal
