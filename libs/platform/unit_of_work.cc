#include "libs/platform/unit_of_work.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "concerto/platform/v1/events.pb.h"
#include "concerto/platform/v1/store.pb.h"
#include "google/protobuf/util/time_util.h"
#include "libs/core/stable_hash.h"
#include "libs/platform/kafka/traceparent.h"
#include "libs/platform/runtime/field_errors.h"

namespace concerto::platform {
namespace {

using concerto::common::v1::Envelope;
using concerto::platform::v1::OutboxRecord;
using concerto::platform::v1::TimerRecord;

constexpr int kMaxConflictRetries = 8;

void SetTimestamp(absl::Time t, google::protobuf::Timestamp* ts) {
  const int64_t micros = absl::ToUnixMicros(t);
  *ts = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(micros);
}

OutboxRecord DeadLetterRecord(const std::string& service, const std::string& topic,
                              const WorkItem& item, const absl::Status& why,
                              const std::string& entry_id) {
  concerto::platform::v1::DeadLetter dl;
  dl.set_service(service);
  dl.set_reason(std::string(why.message()));
  dl.set_code(absl::StatusCodeToString(why.code()));
  if (item.raw.has_value()) {
    dl.set_original_topic(item.raw->topic);
    dl.set_original_partition(item.raw->partition);
    dl.set_original_offset(item.raw->offset);
    dl.set_original_key(item.raw->key);
    dl.set_original_value(item.raw->value);
    for (const auto& [k, v] : item.raw->headers) (*dl.mutable_original_headers())[k] = v;
  }
  OutboxRecord r;
  r.set_topic(topic);
  r.set_key(item.input.aggregate_key);
  r.set_value(dl.SerializeAsString());
  r.set_entry_id(entry_id);
  return r;
}

}  // namespace

std::string TimerId(std::string_view aggregate, std::string_view kind, absl::Time due) {
  return core::DeterministicId(
      aggregate, absl::StrCat("timer/", std::string(kind), "@", absl::ToUnixMicros(due)));
}

bool IsPermanentRejection(const absl::Status& status) {
  return status.code() == absl::StatusCode::kInvalidArgument ||
         status.code() == absl::StatusCode::kFailedPrecondition;
}

absl::StatusOr<std::string> ReplyOfCommand(const ItemOutcome& outcome, const std::string& command,
                                           absl::string_view not_found_payload) {
  using Kind = ItemOutcome::Kind;
  switch (outcome.kind) {
    case Kind::kApplied:
    case Kind::kDuplicate: {
      v1::StoredReply stored;
      if (!stored.ParseFromString(outcome.result)) {
        return absl::InternalError("stored reply does not decode");
      }
      if (outcome.kind == Kind::kDuplicate && stored.command() != command) {
        return InvalidArgument({{"context.idempotency_key", "already used for a different request"}});
      }
      return stored.reply();
    }
    case Kind::kRejected:
      if (outcome.handler_status.GetPayload(not_found_payload).has_value()) {
        return absl::NotFoundError(outcome.handler_status.message());
      }
      return outcome.handler_status;
    default:
      return outcome.handler_status.ok() ? absl::InternalError("command was not applied")
                                         : outcome.handler_status;
  }
}

Envelope EnvelopeOf(const Input& in, OutputEvent event, size_t position, absl::Time now,
                    const std::string& producer) {
  Envelope env;
  // The producer is part of the id: two services reacting to the same input emit distinct
  // events, and a consumer of both topics must not take one for a duplicate of the other.
  env.set_event_id(core::DeterministicId(in.id, absl::StrCat(producer, "/out/", position)));
  env.set_tenant(event.tenant.empty() ? in.tenant : event.tenant);
  env.set_aggregate_key(event.aggregate_key.empty() ? in.aggregate_key : event.aggregate_key);
  env.set_type(event.type);
  SetTimestamp(now, env.mutable_occurred_at());
  env.set_causation_id(in.id);
  env.set_correlation_id(in.correlation_id.empty() ? in.id : in.correlation_id);
  env.set_schema_version(event.schema_version);
  env.set_payload(std::move(event.payload));
  env.set_producer(producer);
  return env;
}

UnitOfWorkRunner::UnitOfWorkRunner(std::string service, redis::UnitOfWorkStore* store,
                                   Handler* handler, const Clock* clock)
    : service_(std::move(service)),
      dead_letter_topic_(service_ + ".dlq"),
      store_(store),
      handler_(handler),
      clock_(clock) {}

absl::StatusOr<RunResult> UnitOfWorkRunner::Run(const std::vector<WorkItem>& items) {
  RunResult result;
  for (int attempt = 0;; ++attempt) {
    std::vector<redis::LoadRequest> requests;
    requests.reserve(items.size());
    for (const WorkItem& item : items) {
      // A dead-lettered input is remembered under its own processed id, so a redelivery does
      // not dead-letter it twice, while a re-drive after a fix still applies it once.
      const bool dead = !item.decode_error.empty();
      requests.push_back({item.shard, item.input.aggregate_key,
                          dead ? "dlq:" + item.input.id : item.input.id});
    }
    absl::StatusOr<std::vector<redis::Loaded>> loaded = store_->Load(requests);
    if (!loaded.ok()) return loaded.status();

    // Versions and states chain through the batch per (shard, aggregate).
    std::map<std::pair<int, std::string>, redis::AggregateRecord> chain;
    std::vector<redis::UnitOfWork> units;
    std::vector<size_t> unit_item;  // unit index -> item index
    result.outcomes.assign(items.size(), ItemOutcome{});
    result.settled = items.size();
    result.transient = absl::OkStatus();
    const absl::Time now = clock_->Now();

    for (size_t i = 0; i < items.size(); ++i) {
      const WorkItem& item = items[i];
      const Input& in = item.input;
      ItemOutcome& outcome = result.outcomes[i];
      const auto key = std::make_pair(item.shard, in.aggregate_key);
      auto it = chain.find(key);
      if (it == chain.end()) it = chain.emplace(key, (*loaded)[i].aggregate).first;
      redis::AggregateRecord& agg = it->second;
      if ((*loaded)[i].already_processed) {
        outcome.kind = ItemOutcome::Kind::kDuplicate;
        outcome.result = (*loaded)[i].stored_result;
        continue;
      }

      redis::UnitOfWork unit;
      unit.shard = item.shard;
      unit.aggregate_key = in.aggregate_key;
      unit.expected_version = agg.version;

      absl::Status rejection;
      if (!item.decode_error.empty()) {
        rejection = absl::InvalidArgumentError(item.decode_error);
      } else {
        absl::StatusOr<Effects> effects = handler_->Apply(agg.state, in, now);
        if (!effects.ok()) {
          rejection = effects.status();
        } else {
          unit.input_id = in.id;
          unit.new_state = std::move(effects->new_state);
          unit.result = effects->result;
          outcome.result = effects->result;
          const std::string correlation = in.correlation_id.empty() ? in.id : in.correlation_id;
          for (size_t k = 0; k < effects->events.size(); ++k) {
            OutputEvent& ev = effects->events[k];
            OutboxRecord rec;
            rec.set_topic(ev.topic);
            const Envelope env = EnvelopeOf(in, std::move(ev), k, now, service_);
            rec.set_key(env.aggregate_key());
            rec.set_entry_id(env.event_id());
            auto* h = rec.add_headers();
            h->set_key(std::string(kafka::kTraceparentHeader));
            h->set_value(kafka::ChildTraceparent(item.traceparent));
            rec.set_value(env.SerializeAsString());
            unit.outbox.push_back(std::move(rec));
          }
          for (const TimerRequest& t : effects->timers_add) {
            TimerRecord rec;
            rec.set_timer_id(TimerId(in.aggregate_key, t.kind, t.due));
            rec.set_aggregate_key(in.aggregate_key);
            rec.set_due_unix_micros(absl::ToUnixMicros(t.due));
            rec.set_kind(t.kind);
            rec.set_payload(t.payload);
            rec.set_tenant(in.tenant);
            rec.set_correlation_id(correlation);
            unit.timers_add.push_back(std::move(rec));
          }
          unit.timers_remove = std::move(effects->timers_remove);
          unit.index_put = std::move(effects->index_put);
          if (in.kind == Input::Kind::kTimer) {
            unit.require_pending_timer = in.id;
            unit.timers_remove.push_back(in.id);
          }
        }
      }

      if (!rejection.ok()) {
        outcome.handler_status = rejection;
        const bool skip = rejection.code() == absl::StatusCode::kUnimplemented;
        if (!skip && !IsPermanentRejection(rejection)) {
          // Transient: settle what came before, retry this one and the rest later.
          result.outcomes.resize(i);
          result.settled = i;
          result.transient = rejection;
          break;
        }
        outcome.kind = skip ? ItemOutcome::Kind::kSkipped : ItemOutcome::Kind::kRejected;
        if (in.kind == Input::Kind::kTimer) {
          // A timer the handler will never take is retired, or it would fire forever.
          unit.input_id = in.id;
          unit.new_state.reset();
          unit.outbox.clear();
          unit.timers_add.clear();
          unit.timers_remove = {in.id};
          unit.require_pending_timer = in.id;
          agg.version += 1;
          units.push_back(std::move(unit));
          unit_item.push_back(i);
          continue;
        }
        if (skip || in.kind == Input::Kind::kCommand) {
          // Skipped events only log; a rejected command is answered with its error.
          continue;
        }
        outcome.kind = ItemOutcome::Kind::kDeadLettered;
        unit.input_id = "dlq:" + in.id;
        unit.new_state.reset();
        unit.outbox = {DeadLetterRecord(service_, dead_letter_topic_, item, rejection,
                                        core::DeterministicId(in.id, "dead-letter"))};
        unit.timers_add.clear();
        unit.timers_remove.clear();
        unit.require_pending_timer.clear();
      }
      agg.version += 1;
      if (unit.new_state.has_value()) agg.state = unit.new_state;
      units.push_back(std::move(unit));
      unit_item.push_back(i);
    }

    if (units.empty()) return result;
    absl::StatusOr<std::vector<redis::CommitOutcome>> committed = store_->Commit(units);
    if (!committed.ok()) return committed.status();
    bool conflict = false;
    for (size_t u = 0; u < units.size(); ++u) {
      const redis::CommitOutcome& c = (*committed)[u];
      ItemOutcome& outcome = result.outcomes[unit_item[u]];
      switch (c.status.code()) {
        case absl::StatusCode::kOk:
          ++result.units_committed;
          break;
        case absl::StatusCode::kAlreadyExists:
          outcome.kind = ItemOutcome::Kind::kDuplicate;
          outcome.result = c.stored_result;
          break;
        case absl::StatusCode::kFailedPrecondition:
          outcome.kind = ItemOutcome::Kind::kTimerNotPending;
          break;
        case absl::StatusCode::kAborted:
          conflict = true;
          break;
        default:
          return c.status;
      }
    }
    if (!conflict) return result;
    // Someone else (another instance, a command) moved an aggregate: reload and re-apply; what
    // committed in this attempt is recognised as a duplicate next time.
    if (attempt + 1 >= kMaxConflictRetries) {
      return absl::AbortedError("unit of work: version conflicts persist after retries");
    }
  }
}

}  // namespace concerto::platform
