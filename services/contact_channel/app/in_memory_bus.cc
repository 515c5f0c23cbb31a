#include "services/contact_channel/app/in_memory_bus.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "libs/platform/unit_of_work.h"

namespace concerto::contact {

absl::StatusOr<platform::ItemOutcome> InMemoryBus::Run(platform::Input input) {
  platform::ItemOutcome outcome;
  if (auto it = processed_.find(input.id); it != processed_.end()) {
    outcome.kind = platform::ItemOutcome::Kind::kDuplicate;
    outcome.result = it->second;
    return outcome;
  }
  std::optional<std::string> state;
  if (auto it = state_.find(input.aggregate_key); it != state_.end()) state = it->second;
  absl::StatusOr<platform::Effects> fx = handler_->Apply(state, input, clock_->Now());
  if (!fx.ok()) {
    outcome.handler_status = fx.status();
    if (fx.status().code() == absl::StatusCode::kUnimplemented) {
      outcome.kind = platform::ItemOutcome::Kind::kSkipped;
      return outcome;
    }
    if (!platform::IsPermanentRejection(fx.status())) return fx.status();
    outcome.kind = platform::ItemOutcome::Kind::kRejected;
    if (input.kind == platform::Input::Kind::kTimer) timers_.erase(input.id);
    return outcome;
  }
  if (fx->new_state.has_value()) state_[input.aggregate_key] = *fx->new_state;
  for (const platform::OutputEvent& e : fx->events) {
    events_.push_back({input.id, e.aggregate_key.empty() ? input.aggregate_key : e.aggregate_key,
                       e.type, e.payload});
  }
  // The commit script adds timers before it removes them.
  for (const platform::TimerRequest& t : fx->timers_add) {
    timers_[platform::TimerId(input.aggregate_key, t.kind, t.due)] = {input.aggregate_key, t};
  }
  for (const std::string& id : fx->timers_remove) timers_.erase(id);
  if (input.kind == platform::Input::Kind::kTimer) timers_.erase(input.id);
  for (const auto& [field, value] : fx->index_put) index_[field] = value;
  processed_[input.id] = fx->result;
  outcome.kind = platform::ItemOutcome::Kind::kApplied;
  outcome.result = fx->result;
  return outcome;
}

absl::StatusOr<platform::ItemOutcome> InMemoryBus::Execute(platform::Input input) {
  input.kind = platform::Input::Kind::kCommand;
  absl::MutexLock lock(&mu_);
  return Run(std::move(input));
}

absl::StatusOr<platform::ItemOutcome> InMemoryBus::Deliver(const common::v1::Envelope& event) {
  platform::Input in;
  in.kind = platform::Input::Kind::kEvent;
  in.id = event.event_id();
  in.aggregate_key = event.aggregate_key();
  in.tenant = event.tenant();
  in.event = event;
  absl::MutexLock lock(&mu_);
  return Run(std::move(in));
}

int InMemoryBus::FireDueTimers() {
  int fired = 0;
  while (true) {
    absl::MutexLock lock(&mu_);
    const absl::Time now = clock_->Now();
    std::string id;
    absl::Time due = absl::InfiniteFuture();
    for (const auto& [timer_id, t] : timers_) {
      if (t.second.due <= now && t.second.due < due) {
        due = t.second.due;
        id = timer_id;
      }
    }
    if (id.empty()) return fired;
    const auto [key, request] = timers_[id];
    platform::Input in;
    in.kind = platform::Input::Kind::kTimer;
    in.id = id;
    in.aggregate_key = key;
    in.timer.set_timer_id(id);
    in.timer.set_aggregate_key(key);
    in.timer.set_due_unix_micros(absl::ToUnixMicros(request.due));
    in.timer.set_kind(request.kind);
    in.timer.set_payload(request.payload);
    auto r = Run(in);
    if (!r.ok()) return fired;  // transient: stays pending
    timers_.erase(id);
    ++fired;
  }
}

std::vector<std::pair<std::string, absl::Time>> InMemoryBus::PendingTimers() {
  absl::MutexLock lock(&mu_);
  std::vector<std::pair<std::string, absl::Time>> out;
  for (const auto& [id, t] : timers_) out.emplace_back(t.second.kind, t.second.due);
  return out;
}

absl::StatusOr<std::optional<std::string>> InMemoryBus::Read(const std::string& key) {
  absl::MutexLock lock(&mu_);
  auto it = state_.find(key);
  if (it == state_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

absl::StatusOr<std::optional<std::string>> InMemoryBus::LookupIndex(const std::string& field) {
  absl::MutexLock lock(&mu_);
  auto it = index_.find(field);
  if (it == index_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> InMemoryBus::Scan(
    const std::string& prefix) {
  absl::MutexLock lock(&mu_);
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [k, v] : state_) {
    if (absl::StartsWith(k, prefix)) out.emplace_back(k, v);
  }
  return out;
}

std::vector<InMemoryBus::EmittedEvent> InMemoryBus::Events() {
  absl::MutexLock lock(&mu_);
  return events_;
}

std::vector<InMemoryBus::EmittedEvent> InMemoryBus::EventsOfType(const std::string& type) {
  absl::MutexLock lock(&mu_);
  std::vector<EmittedEvent> out;
  for (const auto& e : events_) {
    if (e.type == type) out.push_back(e);
  }
  return out;
}

}  // namespace concerto::contact
