#include "services/legal_escalation/app/legal_handler.h"

#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "concerto/platform/v1/store.pb.h"
#include "services/legal_escalation/app/command.pb.h"
#include "services/legal_escalation/domain/legal_account.h"

namespace concerto::legal {
namespace {

absl::Status AccountNotFound(const std::string& aggregate_key) {
  absl::Status s = absl::FailedPreconditionError(
      absl::StrCat("legal_case_id: no legal case for account ", aggregate_key));
  s.SetPayload(kNotFoundPayload, absl::Cord("1"));
  return s;
}

const common::v1::RequestContext* ContextOf(const app::LegalCommand& cmd) {
  switch (cmd.command_case()) {
    case app::LegalCommand::kRecordStage:
      return &cmd.record_stage().context();
    case app::LegalCommand::kRecordCost:
      return &cmd.record_cost().context();
    case app::LegalCommand::kSettle:
      return &cmd.settle().context();
    case app::LegalCommand::kClose:
      return &cmd.close().context();
    case app::LegalCommand::kRecall:
      return &cmd.recall().context();
    default:
      return nullptr;
  }
}

absl::Time OccurredAt(const platform::Input& input, absl::Time now) {
  if (!input.event.has_occurred_at()) return now;
  return absl::FromUnixSeconds(input.event.occurred_at().seconds()) +
         absl::Nanoseconds(input.event.occurred_at().nanos());
}

absl::StatusOr<LegalDecision> ApplyCommand(const state::v1::LegalAccount& account,
                                           const platform::Input& input, absl::Time now,
                                           const TenantLegalConfig& config) {
  app::LegalCommand cmd;
  if (!cmd.ParseFromString(input.command)) {
    return absl::InvalidArgumentError(
        "command: does not decode as concerto.legal.app.LegalCommand");
  }
  const common::v1::RequestContext* ctx = ContextOf(cmd);
  if (ctx == nullptr) return absl::InvalidArgumentError("command: no command set");
  // Another tenant's account does not exist for the caller.
  if (ctx->tenant() != account.tenant() || input.tenant != account.tenant()) {
    return AccountNotFound(input.aggregate_key);
  }
  const CommandActor actor{ctx->actor().id()};
  switch (cmd.command_case()) {
    case app::LegalCommand::kRecordStage:
      return RecordStage(account, cmd.record_stage(), input.id, actor, now, config);
    case app::LegalCommand::kRecordCost:
      return RecordCost(account, cmd.record_cost(), input.id, actor, now, config);
    case app::LegalCommand::kSettle:
      return Settle(account, cmd.settle(), input.id, actor, now, config);
    case app::LegalCommand::kClose:
      return Close(account, cmd.close(), input.id, actor, now, config);
    case app::LegalCommand::kRecall:
      return Recall(account, cmd.recall(), input.id, actor, now, config);
    default:
      return absl::InvalidArgumentError("command: no command set");
  }
}

}  // namespace

std::string LegalCaseIndex(const std::string& tenant, const std::string& legal_case_id) {
  return absl::StrCat(tenant, "/lc/", legal_case_id);
}

absl::StatusOr<platform::Effects> LegalHandler::Apply(const std::optional<std::string>& state,
                                                      const platform::Input& input,
                                                      absl::Time now) {
  state::v1::LegalAccount account;
  if (state.has_value()) {
    if (!account.ParseFromString(*state))
      return absl::DataLossError("legal account does not decode");
  } else {
    if (input.kind == platform::Input::Kind::kCommand) return AccountNotFound(input.aggregate_key);
    auto fresh = NewAccount(input.aggregate_key);
    if (!fresh.ok()) return fresh.status();
    account = *std::move(fresh);
  }
  const TenantLegalConfig& config = config_->For(account.tenant());
  absl::StatusOr<LegalDecision> d;
  switch (input.kind) {
    case platform::Input::Kind::kEvent:
      if (!absl::StartsWith(input.event.type(), "concerto.dunning.v1.")) {
        return absl::UnimplementedError(
            absl::StrCat("legal-escalation: does not act on ", input.event.type()));
      }
      d = ApplyCaseEvent(account, input.event.type(), input.event.payload(), input.id,
                         OccurredAt(input, now), now, config);
      break;
    case platform::Input::Kind::kTimer:
      return absl::UnimplementedError("legal-escalation: arms no timers");
    case platform::Input::Kind::kCommand:
      d = ApplyCommand(account, input, now, config);
      break;
  }
  if (!d.ok()) return d.status();
  platform::Effects fx;
  if (d->changed) fx.new_state = d->state.SerializeAsString();
  for (const auto& e : d->events) {
    fx.events.push_back({kLegalEventsTopic, "", account.tenant(), e->GetDescriptor()->full_name(),
                         e->SerializeAsString(), 1});
  }
  if (!d->opened_legal_case_id.empty()) {
    fx.index_put.emplace_back(LegalCaseIndex(account.tenant(), d->opened_legal_case_id),
                              input.aggregate_key);
  }
  if (input.kind == platform::Input::Kind::kCommand) {
    platform::v1::StoredReply stored;
    stored.set_command(input.command);
    if (d->reply.has_value()) stored.set_reply(d->reply->SerializeAsString());
    fx.result = stored.SerializeAsString();
  }
  return fx;
}

}  // namespace concerto::legal
