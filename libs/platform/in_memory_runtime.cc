#include "libs/platform/in_memory_runtime.h"

#include "libs/platform/unit_of_work.h"

namespace concerto::platform {

absl::StatusOr<std::vector<Published>> InMemoryRuntime::Apply(const Input& input,
                                                                absl::Time now) {
  if (processed_.count(input.id)) return std::vector<Published>{};
  if (input.kind == Input::Kind::kTimer && !timers_.count(input.id)) {
    return std::vector<Published>{};
  }
  std::optional<std::string> state;
  if (auto it = aggregates_.find(input.aggregate_key); it != aggregates_.end()) {
    state = it->second;
  }
  absl::StatusOr<Effects> effects = handler_->Apply(state, input, now);
  if (!effects.ok()) {
    if (effects.status().code() == absl::StatusCode::kUnimplemented) {
      return std::vector<Published>{};
    }
    if (!IsPermanentRejection(effects.status())) return effects.status();
    ++dead_letters_;
    processed_.insert(input.id);
    return std::vector<Published>{};
  }
  std::vector<Published> published;
  for (size_t k = 0; k < effects->events.size(); ++k) {
    std::string topic = effects->events[k].topic;
    published.push_back(
        {std::move(topic), EnvelopeOf(input, std::move(effects->events[k]), k, now, service_)});
  }
  if (effects->new_state.has_value()) aggregates_[input.aggregate_key] = *effects->new_state;
  // The commit's order: timers added, then removed (a fired timer re-armed under its own id is
  // retired with it).
  for (const TimerRequest& t : effects->timers_add) {
    PendingTimer pending;
    pending.due = t.due;
    pending.record.set_timer_id(TimerId(input.aggregate_key, t.kind, t.due));
    pending.record.set_aggregate_key(input.aggregate_key);
    pending.record.set_due_unix_micros(absl::ToUnixMicros(t.due));
    pending.record.set_kind(t.kind);
    pending.record.set_payload(t.payload);
    pending.record.set_tenant(input.tenant);
    pending.record.set_correlation_id(input.correlation_id.empty() ? input.id
                                                                   : input.correlation_id);
    const std::string id = pending.record.timer_id();
    if (auto old = timers_.find(id); old != timers_.end()) {
      timers_by_due_.erase({old->second.due, id});
    }
    timers_by_due_.insert({t.due, id});
    timers_[id] = std::move(pending);
  }
  std::vector<std::string> removed = effects->timers_remove;
  if (input.kind == Input::Kind::kTimer) removed.push_back(input.id);
  for (const std::string& id : removed) {
    auto it = timers_.find(id);
    if (it == timers_.end()) continue;
    timers_by_due_.erase({it->second.due, id});
    timers_.erase(it);
  }
  for (auto& [field, value] : effects->index_put) index_[field] = value;
  processed_.insert(input.id);
  ++units_committed_;
  return published;
}

Input InMemoryRuntime::EventInput(const concerto::common::v1::Envelope& envelope) {
  Input in;
  in.kind = Input::Kind::kEvent;
  in.id = envelope.event_id();
  in.aggregate_key = envelope.aggregate_key();
  in.tenant = envelope.tenant();
  in.correlation_id = envelope.correlation_id();
  in.event = envelope;
  return in;
}

std::vector<Input> InMemoryRuntime::DueTimers(absl::Time now) const {
  std::vector<Input> due;
  for (const auto& [at, id] : timers_by_due_) {
    if (at > now) break;
    const PendingTimer& t = timers_.at(id);
    Input in;
    in.kind = Input::Kind::kTimer;
    in.id = id;
    in.aggregate_key = t.record.aggregate_key();
    in.tenant = t.record.tenant();
    in.correlation_id = t.record.correlation_id();
    in.timer = t.record;
    due.push_back(std::move(in));
  }
  return due;
}

}  // namespace concerto::platform
