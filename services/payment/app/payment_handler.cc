#include "services/payment/app/payment_handler.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "concerto/platform/v1/store.pb.h"
#include "concerto/dunning/v1/case.pb.h"
#include "concerto/invoice/v1/invoice_events.pb.h"
#include "concerto/payment/v1/payment_events.pb.h"
#include "services/payment/app/command.pb.h"
#include "libs/rules/creditor_reference.h"

namespace concerto::payment {
namespace {

bool IsUnmatchedKey(const std::string& key) {
  return key.find(kUnmatchedInfix) != std::string::npos;
}

// Effects of an account decision: state, events on payment.events, timers, stored reply.
platform::Effects ToEffects(const std::string& aggregate_key, const std::string& tenant,
                            AccountDecision& d, const platform::Input& input) {
  platform::Effects fx;
  if (d.changed) fx.new_state = d.state.SerializeAsString();
  for (const AccountEvent& e : d.events) {
    fx.events.push_back({kPaymentEventsTopic, "", tenant, e.message->GetDescriptor()->full_name(),
                         e.message->SerializeAsString(), 1});
  }
  for (const AccountTimer& t : d.timers_add) fx.timers_add.push_back({t.kind, t.due, t.payload});
  for (const AccountTimerRef& t : d.timers_remove) {
    fx.timers_remove.push_back(platform::TimerId(aggregate_key, t.kind, t.due));
  }
  if (input.kind == platform::Input::Kind::kCommand) {
    platform::v1::StoredReply stored;
    stored.set_command(input.command);
    if (d.reply) stored.set_reply(d.reply->SerializeAsString());
    fx.result = stored.SerializeAsString();
  }
  return fx;
}

absl::StatusOr<platform::Effects> ApplyUnmatched(const std::optional<std::string>& state,
                                                 const platform::Input& input) {
  if (input.kind != platform::Input::Kind::kCommand) {
    return absl::UnimplementedError("unmatched payments take commands only");
  }
  app::PaymentCommand cmd;
  if (!cmd.ParseFromString(input.command)) {
    return absl::InvalidArgumentError("command: does not decode");
  }
  app::UnmatchedState current;
  if (state.has_value() && !current.ParseFromString(*state)) {
    return absl::DataLossError("unmatched state does not decode");
  }
  platform::Effects fx;
  platform::v1::StoredReply stored;
  stored.set_command(input.command);
  if (cmd.has_park()) {
    if (state.has_value()) {
      // Already queued (the same entry again): nothing changes.
      v1::RecordPaymentResponse reply;
      reply.set_payment_id(current.payment().payment_id());
      reply.set_status(v1::PAYMENT_STATUS_UNMATCHED);
      reply.set_unmatched_reason(current.payment().reason());
      stored.set_reply(reply.SerializeAsString());
      fx.result = stored.SerializeAsString();
      return fx;
    }
    current = cmd.park().unmatched();
    fx.new_state = current.SerializeAsString();
    const v1::UnmatchedPayment& p = current.payment();
    v1::PaymentReceived received;
    received.set_payment_id(p.payment_id());
    *received.mutable_amount() = p.amount();
    received.set_method(p.method());
    *received.mutable_value_date() = p.value_date();
    *received.mutable_received_at() = current.request().received_at();
    received.set_statement_id(p.statement_id());
    received.set_structured_reference(p.structured_reference());
    v1::PaymentUnmatched unmatched;
    unmatched.set_payment_id(p.payment_id());
    *unmatched.mutable_amount() = p.amount();
    *unmatched.mutable_value_date() = p.value_date();
    unmatched.set_reason(p.reason());
    unmatched.set_statement_id(p.statement_id());
    for (const google::protobuf::Message* m :
         std::initializer_list<const google::protobuf::Message*>{&received, &unmatched}) {
      fx.events.push_back({kPaymentEventsTopic, "", input.tenant, m->GetDescriptor()->full_name(),
                           m->SerializeAsString(), 1});
    }
    v1::RecordPaymentResponse reply;
    reply.set_payment_id(p.payment_id());
    reply.set_status(v1::PAYMENT_STATUS_UNMATCHED);
    reply.set_unmatched_reason(p.reason());
    stored.set_reply(reply.SerializeAsString());
  } else if (cmd.has_close_unmatched()) {
    if (!state.has_value()) {
      return absl::FailedPreconditionError("payment_id: not in the unmatched queue");
    }
    if (current.assigned() && current.assigned_debtor_id() != cmd.close_unmatched().debtor_id()) {
      return absl::FailedPreconditionError(
          absl::StrCat("payment_id: already assigned to another debtor"));
    }
    current.set_assigned(true);
    current.set_assigned_debtor_id(cmd.close_unmatched().debtor_id());
    fx.new_state = current.SerializeAsString();
  } else {
    return absl::InvalidArgumentError("command: not for an unmatched payment");
  }
  fx.result = stored.SerializeAsString();
  return fx;
}

// IndexEntries: what the API must be able to find after this input.
void AddIndexEntries(const std::string& tenant, const std::string& aggregate_key,
                     const platform::Input& input, const AccountDecision& d,
                     platform::Effects* fx) {
  if (input.kind == platform::Input::Kind::kEvent &&
      input.event.type() == invoice::v1::InvoiceIssued::descriptor()->full_name()) {
    invoice::v1::InvoiceIssued issued;
    if (!issued.ParseFromString(input.event.payload())) return;
    fx->index_put.emplace_back(InvoiceIdIndex(tenant, issued.invoice_id()), aggregate_key);
    fx->index_put.emplace_back(InvoiceNumberIndex(tenant, issued.invoice_number()), aggregate_key);
    if (!issued.payment_reference().empty()) {
      fx->index_put.emplace_back(
          ReferenceIndex(tenant, rules::NormalizeReference(issued.payment_reference())), aggregate_key);
    }
    return;
  }
  if (input.kind != platform::Input::Kind::kCommand || !d.changed) return;
  app::PaymentCommand cmd;
  if (!cmd.ParseFromString(input.command)) return;
  if (cmd.has_record()) {
    fx->index_put.emplace_back(PaymentIndex(tenant, cmd.record().payment_id()), aggregate_key);
  } else if (cmd.has_propose()) {
    fx->index_put.emplace_back(PlanIndex(tenant, cmd.propose().plan_id()), aggregate_key);
  }
}

}  // namespace

std::string ReferenceIndex(const std::string& tenant, const std::string& normalized_reference) {
  return absl::StrCat(tenant, "/ref/", normalized_reference);
}
std::string InvoiceNumberIndex(const std::string& tenant, const std::string& invoice_number) {
  return absl::StrCat(tenant, "/inv/", invoice_number);
}
std::string InvoiceIdIndex(const std::string& tenant, const std::string& invoice_id) {
  return absl::StrCat(tenant, "/invid/", invoice_id);
}
std::string PaymentIndex(const std::string& tenant, const std::string& payment_id) {
  return absl::StrCat(tenant, "/pay/", payment_id);
}
std::string PlanIndex(const std::string& tenant, const std::string& plan_id) {
  return absl::StrCat(tenant, "/plan/", plan_id);
}
std::string UnmatchedKey(const std::string& tenant, const std::string& payment_id) {
  return absl::StrCat(tenant, kUnmatchedInfix, payment_id);
}

absl::StatusOr<platform::Effects> PaymentHandler::Apply(const std::optional<std::string>& state,
                                                        const platform::Input& input,
                                                        absl::Time now) {
  if (IsUnmatchedKey(input.aggregate_key)) return ApplyUnmatched(state, input);
  state::v1::PaymentAccount account;
  if (state.has_value()) {
    if (!account.ParseFromString(*state)) return absl::DataLossError("account state does not decode");
  } else {
    auto fresh = NewAccount(input.aggregate_key);
    if (!fresh.ok()) return fresh.status();
    account = *std::move(fresh);
  }
  absl::StatusOr<AccountDecision> d;
  switch (input.kind) {
    case platform::Input::Kind::kEvent:
      if (absl::StartsWith(input.event.type(), "concerto.invoice.v1.")) {
        d = ApplyInvoiceEvent(account, input.event.type(), input.event.payload(), now);
      } else if (input.event.type() == dunning::v1::FeesApplied::descriptor()->full_name()) {
        d = ApplyCaseEvent(account, input.event.type(), input.event.payload(), now);
      } else {
        return absl::UnimplementedError(
            absl::StrCat("payment: does not act on ", input.event.type()));
      }
      break;
    case platform::Input::Kind::kTimer:
      d = ApplyTimer(account, input.timer.kind(), input.timer.payload(), now);
      break;
    case platform::Input::Kind::kCommand: {
      app::PaymentCommand cmd;
      if (!cmd.ParseFromString(input.command)) {
        return absl::InvalidArgumentError("command: does not decode");
      }
      switch (cmd.command_case()) {
        case app::PaymentCommand::kRecord:
          d = RecordPayment(account, cmd.record().payment_id(), cmd.record().request(), now,
                            cmd.record().statement_id());
          break;
        case app::PaymentCommand::kReverse:
          d = ReversePayment(account, cmd.reverse().reversal_id(), cmd.reverse().request(), now);
          break;
        case app::PaymentCommand::kPromise:
          d = MakePromise(account, cmd.promise().promise_id(), cmd.promise().request(), now,
                          config_);
          break;
        case app::PaymentCommand::kPropose:
          d = ProposePlan(account, cmd.propose().plan_id(), cmd.propose().request(), now, config_);
          break;
        case app::PaymentCommand::kAccept:
          d = AcceptPlan(account, cmd.accept(), now);
          break;
        default:
          return absl::InvalidArgumentError("command: not for a debtor account");
      }
      break;
    }
  }
  if (!d.ok()) return d.status();
  platform::Effects fx = ToEffects(input.aggregate_key, input.tenant.empty() ? account.tenant()
                                                                             : input.tenant,
                                   *d, input);
  AddIndexEntries(account.tenant(), input.aggregate_key, input, *d, &fx);
  return fx;
}

}  // namespace concerto::payment
