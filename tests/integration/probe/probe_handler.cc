#include "tests/integration/probe/probe_handler.h"

#include "concerto/testing/v1/probe.pb.h"

namespace concerto::testing {
namespace {

using concerto::testing::v1::Add;
using concerto::testing::v1::Added;
using concerto::testing::v1::Ledger;
using concerto::testing::v1::Reminded;

Ledger Parse(const std::optional<std::string>& state) {
  Ledger l;
  if (state.has_value()) l.ParseFromString(*state);
  return l;
}

}  // namespace

absl::StatusOr<platform::Effects> LedgerHandler::Apply(const std::optional<std::string>& state,
                                                       const platform::Input& input,
                                                       absl::Time now) {
  Ledger ledger = Parse(state);
  platform::Effects fx;
  if (input.kind == platform::Input::Kind::kTimer) {
    ledger.set_reminders(ledger.reminders() + 1);
    Reminded r;
    r.set_reminders(ledger.reminders());
    fx.events.push_back({kProbeEventsTopic, "", "", "concerto.testing.v1.Reminded",
                         r.SerializeAsString(), 1});
    fx.new_state = ledger.SerializeAsString();
    return fx;
  }
  if (input.event.type() != "concerto.testing.v1.Add") {
    return absl::UnimplementedError("probe ledger: unknown event type " + input.event.type());
  }
  Add add;
  if (!add.ParseFromString(input.event.payload())) {
    return absl::InvalidArgumentError("payload: does not decode as Add");
  }
  if (add.poison() && reject_poison_) {
    return absl::InvalidArgumentError("poison: the ledger rejects poison inputs");
  }
  ledger.set_total(ledger.total() + add.amount());
  ledger.set_count(ledger.count() + 1);
  Added added;
  added.set_amount(add.amount());
  added.set_total(ledger.total());
  added.set_count(ledger.count());
  fx.events.push_back({kProbeEventsTopic, "", "", "concerto.testing.v1.Added",
                       added.SerializeAsString(), 1});
  if (add.timer_delay_ms() > 0) {
    // One timer per Add: the kind names the input, since timer ids derive from (aggregate, kind,
    // due) and two Adds of one batch share `now`.
    fx.timers_add.push_back(
        {"remind/" + input.id, now + absl::Milliseconds(add.timer_delay_ms()), ""});
  }
  fx.new_state = ledger.SerializeAsString();
  return fx;
}

absl::StatusOr<platform::Effects> DownstreamHandler::Apply(
    const std::optional<std::string>& state, const platform::Input& input, absl::Time now) {
  Ledger view = Parse(state);
  if (input.event.type() == "concerto.testing.v1.Added") {
    view.set_added_seen(view.added_seen() + 1);
  } else if (input.event.type() == "concerto.testing.v1.Reminded") {
    view.set_reminded_seen(view.reminded_seen() + 1);
  } else {
    return absl::UnimplementedError("probe downstream: unknown event type " + input.event.type());
  }
  platform::Effects fx;
  fx.new_state = view.SerializeAsString();
  return fx;
}

}  // namespace concerto::testing
