#include "services/invoice/app/invoice_handler.h"

#include <utility>
#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/platform/runtime/logging.h"
#include "services/invoice/app/command.pb.h"
#include "services/invoice/domain/ageing.h"

namespace concerto::invoice {
namespace {

using state::v1::DebtorProfile;

// ToEffects maps a domain decision onto the unit of work: state, events, index entries and (for
// commands) the stored reply.
template <typename Reply>
platform::Effects ToEffects(const Account& before, Decision<Reply>& d, const platform::Input& input,
                            const google::protobuf::Message* reply) {
  platform::Effects fx;
  if (d.changed) fx.new_state = d.state.SerializeAsString();
  for (OutputEvent& e : d.events) {
    fx.events.push_back(
        {kInvoiceEventsTopic, "", d.state.tenant(), std::move(e.type), std::move(e.payload), 1});
  }
  // Every invoice this input created: its number and id now name this account.
  if (d.changed) {
    for (const auto& [number, invoice] : d.state.invoices()) {
      if (before.invoices().count(number) > 0) continue;
      fx.index_put.emplace_back(InvoiceNumberIndex(d.state.tenant(), number), input.aggregate_key);
      fx.index_put.emplace_back(InvoiceIdIndex(d.state.tenant(), invoice.invoice_id()),
                                input.aggregate_key);
    }
  }
  if (input.kind == platform::Input::Kind::kCommand) {
    app::StoredReply stored;
    stored.set_command(input.command);
    if (reply != nullptr) stored.set_reply(reply->SerializeAsString());
    fx.result = stored.SerializeAsString();
  }
  // Notes are ids only (e.g. an allocation to an unknown invoice that was skipped).
  for (const std::string& note : d.notes) {
    platform::LogInfo("invoice: input note",
                      {{"aggregate", input.aggregate_key}, {"input_id", input.id}, {"note", note}});
  }
  return fx;
}

// AsPermanent keeps a command's rejection from being retried by the unit of work (see
// kOriginalCodePayload).
absl::Status AsPermanent(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kPermissionDenied: {
      absl::Status out = absl::FailedPreconditionError(s.message());
      out.SetPayload(kOriginalCodePayload, absl::Cord(absl::StrCat(static_cast<int>(s.code()))));
      return out;
    }
    default:
      return s;
  }
}

DebtorUpsert ToDomain(const app::DebtorUpsertCommand& c) {
  DebtorUpsert u;
  u.profile = c.profile();
  u.encrypted_personal_data = c.encrypted_personal_data();
  u.changed_personal_fields.assign(c.changed_personal_fields().begin(),
                                   c.changed_personal_fields().end());
  u.expected_version = c.expected_version();
  return u;
}

// FillOnlyUpsert turns import defaults into an upsert of the current profile with its empty
// fields filled: nothing the debtor already has is overwritten, personal data is kept.
DebtorUpsert FillOnlyUpsert(const Account& a, const app::DebtorDefaults& d) {
  DebtorUpsert u;
  u.profile = a.has_debtor() ? a.debtor() : DebtorProfile();
  u.profile.set_debtor_id(a.debtor_id());
  if (u.profile.type() == v1::DEBTOR_TYPE_UNSPECIFIED) u.profile.set_type(d.type());
  if (u.profile.country().empty()) u.profile.set_country(d.country());
  if (u.profile.preferred_language().empty()) {
    u.profile.set_preferred_language(d.preferred_language());
  }
  if (u.profile.time_zone().empty()) u.profile.set_time_zone(d.time_zone());
  return u;
}

// Merge appends decision `d` (applied to `total->state`) to `total`.
void Merge(Decision<v1::ImportInvoicesResponse>* total, Decision<v1::ImportInvoicesResponse> d) {
  total->state = std::move(d.state);
  total->changed = total->changed || d.changed;
  for (OutputEvent& e : d.events) total->events.push_back(std::move(e));
  for (std::string& n : d.notes) total->notes.push_back(std::move(n));
  v1::ImportInvoicesResponse& r = total->reply;
  r.set_rows(r.rows() + d.reply.rows());
  r.set_created(r.created() + d.reply.created());
  r.set_duplicates(r.duplicates() + d.reply.duplicates());
  r.set_adjusted(r.adjusted() + d.reply.adjusted());
  r.set_rejected(r.rejected() + d.reply.rejected());
  r.set_debtors_upserted(r.debtors_upserted() + d.reply.debtors_upserted());
  for (v1::ImportRowResult& row : *d.reply.mutable_results()) {
    *r.add_results() = std::move(row);
  }
}

// ApplyImport applies one chunk of import rows in order. Invoice rows carry empty debtor defaults
// so that a debtor never upserted gets its profile created with its first invoice; a defaults row
// is applied on its own, as a fill-only upsert of the profile as it stands at that row.
absl::StatusOr<Decision<v1::ImportInvoicesResponse>> ApplyImport(const Account& account,
                                                                 const app::ImportRowsCommand& cmd,
                                                                 absl::Time now) {
  Decision<v1::ImportInvoicesResponse> total;
  total.state = account;
  std::vector<ImportItem> segment;
  auto flush = [&]() -> absl::Status {
    if (segment.empty()) return absl::OkStatus();
    absl::StatusOr<Decision<v1::ImportInvoicesResponse>> d = ImportRows(total.state, segment, now);
    segment.clear();
    if (!d.ok()) return d.status();
    Merge(&total, *std::move(d));
    return absl::OkStatus();
  };
  for (int i = 0; i < cmd.rows_size(); ++i) {
    const app::ImportItem& row = cmd.rows(i);
    ImportItem item;
    item.line = row.line() > 0 ? row.line() : i + 1;
    switch (row.item_case()) {
      case app::ImportItem::kInvoice:
        item.item = row.invoice();
        item.debtor_defaults = DebtorDefaults{};
        segment.push_back(std::move(item));
        break;
      case app::ImportItem::kDebtor:
        item.item = ToDomain(row.debtor());
        segment.push_back(std::move(item));
        break;
      case app::ImportItem::kDefaults:
        if (absl::Status s = flush(); !s.ok()) return s;
        item.item = FillOnlyUpsert(total.state, row.defaults());
        segment.push_back(std::move(item));
        if (absl::Status s = flush(); !s.ok()) return s;
        break;
      default:
        return absl::InvalidArgumentError(absl::StrCat("rows[", i, "]: no invoice or debtor"));
    }
  }
  if (absl::Status s = flush(); !s.ok()) return s;
  return total;
}

template <typename Reply>
absl::StatusOr<platform::Effects> Finish(const Account& before, absl::StatusOr<Decision<Reply>> d,
                                         const platform::Input& input) {
  if (!d.ok()) return d.status();
  return ToEffects(before, *d, input, &d->reply);
}

absl::StatusOr<platform::Effects> ApplyCommand(const Account& account, bool exists,
                                               const app::InvoiceCommand& cmd,
                                               const platform::Input& input, absl::Time now) {
  switch (cmd.command_case()) {
    case app::InvoiceCommand::kUpsertDebtor:
      return Finish(account, UpsertDebtor(account, ToDomain(cmd.upsert_debtor().upsert()), now),
                    input);
    case app::InvoiceCommand::kIssue:
      return Finish(account, IssueInvoice(account, cmd.issue().invoice(), now), input);
    case app::InvoiceCommand::kImportRows:
      return Finish(account, ApplyImport(account, cmd.import_rows(), now), input);
    case app::InvoiceCommand::kAdjust:
      return Finish(account, AdjustInvoice(account, cmd.adjust(), now), input);
    case app::InvoiceCommand::kCancel:
      return Finish(account, CancelInvoice(account, cmd.cancel(), now), input);
    case app::InvoiceCommand::kWriteOff:
      return Finish(account, WriteOffInvoice(account, cmd.write_off(), now), input);
    case app::InvoiceCommand::kReissue:
      return Finish(account, ReissueInvoice(account, cmd.reissue(), input.id, now), input);
    case app::InvoiceCommand::kErase: {
      if (!exists) return absl::NotFoundError("debtor_id: no such debtor in this tenant");
      Erasure erasure;
      if (std::optional<RetentionDuty> duty = RetentionDutyOf(account, now); duty.has_value()) {
        erasure.restrict_until = duty->until;
        erasure.retention_basis = duty->basis;
      }
      return Finish(account, EraseDebtor(account, erasure, now), input);
    }
    default:
      return absl::InvalidArgumentError("command: no command set");
  }
}

}  // namespace

std::string InvoiceNumberIndex(const std::string& tenant, const std::string& invoice_number) {
  return absl::StrCat(tenant, "/inv/", invoice_number);
}

std::string InvoiceIdIndex(const std::string& tenant, const std::string& invoice_id) {
  return absl::StrCat(tenant, "/invid/", invoice_id);
}

absl::Status OriginalStatus(const absl::Status& status) {
  auto payload = status.GetPayload(kOriginalCodePayload);
  int code = 0;
  if (!payload.has_value() || !absl::SimpleAtoi(std::string(*payload), &code) || code <= 0 ||
      code > static_cast<int>(absl::StatusCode::kUnauthenticated)) {
    return status;
  }
  return absl::Status(static_cast<absl::StatusCode>(code), status.message());
}

std::optional<RetentionDuty> RetentionDutyOf(const Account& account, absl::Time now) {
  for (const auto& [number, invoice] : account.invoices()) {
    if (!IsOpenForAgeing(invoice)) continue;
    const absl::CivilDay today = absl::ToCivilDay(now, absl::UTCTimeZone());
    // CivilDay normalises 29 February of a year that is not a leap year to 1 March.
    return RetentionDuty{absl::CivilDay(today.year() + kRetentionYears, today.month(), today.day()),
                         "open invoices (claim under collection)"};
  }
  return std::nullopt;
}

absl::StatusOr<platform::Effects> InvoiceHandler::Apply(const std::optional<std::string>& state,
                                                        const platform::Input& input,
                                                        absl::Time now) {
  Account account;
  if (state.has_value()) {
    if (!account.ParseFromString(*state)) {
      return absl::DataLossError("debtor account state does not decode");
    }
  } else {
    absl::StatusOr<Account> fresh = NewAccountForKey(input.aggregate_key);
    if (!fresh.ok()) return fresh.status();
    account = *std::move(fresh);
  }
  switch (input.kind) {
    case platform::Input::Kind::kEvent: {
      absl::StatusOr<Decision<NoReply>> d =
          ApplyPaymentEvent(account, input.event.type(), input.event.payload(), now);
      if (!d.ok()) return d.status();
      return ToEffects(account, *d, input, nullptr);
    }
    case platform::Input::Kind::kTimer:
      return absl::UnimplementedError("invoice: no timers");
    case platform::Input::Kind::kCommand: {
      app::InvoiceCommand cmd;
      if (!cmd.ParseFromString(input.command)) {
        return absl::InvalidArgumentError("command: does not decode");
      }
      absl::StatusOr<platform::Effects> fx =
          ApplyCommand(account, state.has_value(), cmd, input, now);
      if (!fx.ok()) return AsPermanent(fx.status());
      return fx;
    }
  }
  return absl::InternalError("input: unknown kind");
}

}  // namespace concerto::invoice
