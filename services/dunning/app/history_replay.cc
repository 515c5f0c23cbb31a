#include "services/dunning/app/history_replay.h"

#include <deque>
#include <list>
#include <memory>
#include <set>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "concerto/legal/v1/legal_events.pb.h"
#include "libs/platform/in_memory_runtime.h"
#include "services/dunning/app/legal_ledger.h"

namespace concerto::dunning {
namespace {

constexpr char kService[] = "dunning";

absl::Time OccurredAt(const common::v1::Envelope& env) {
  return absl::FromUnixSeconds(env.occurred_at().seconds()) +
         absl::Nanoseconds(env.occurred_at().nanos());
}

// RequestAnswered: the id of the case event `env` answers, if it is such a reply.
std::string RequestAnswered(const common::v1::Envelope& env) {
  if (env.type() == legal::v1::EscalationAccepted::descriptor()->full_name()) {
    legal::v1::EscalationAccepted m;
    if (m.ParseFromString(env.payload())) return m.escalation_request_id();
  } else if (env.type() == legal::v1::EscalationRejected::descriptor()->full_name()) {
    legal::v1::EscalationRejected m;
    if (m.ParseFromString(env.payload())) return m.escalation_request_id();
  }
  return "";
}

// CausalDepths: for every recorded event, how many recorded events lie on its chain of causes
// (0: caused by a command, a timer or anything else outside the record).
std::map<std::string, int> CausalDepths(const std::vector<HistoryRound>& history) {
  std::map<std::string, const common::v1::Envelope*> by_id;
  for (const HistoryRound& round : history) {
    for (const common::v1::Envelope& env : round.events) by_id[env.event_id()] = &env;
  }
  std::map<std::string, int> depth;
  for (const auto& [id, env] : by_id) {
    // Walk up to the first ancestor of known depth (or the root), then fill the chain in.
    std::vector<const common::v1::Envelope*> chain{env};
    int base = -1;
    while (chain.size() <= by_id.size()) {
      if (auto known = depth.find(chain.back()->event_id()); known != depth.end()) {
        base = known->second;
        chain.pop_back();
        break;
      }
      auto parent = by_id.find(chain.back()->causation_id());
      if (parent == by_id.end()) break;
      chain.push_back(parent->second);
    }
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) depth[(*it)->event_id()] = ++base;
  }
  return depth;
}

// Replayer: one pass over the history.
class Replayer {
 public:
  Replayer(const StrategyBook& strategies, const DunningOptions& options)
      : handler_(&strategies, options), runtime_(kService, &handler_) {}

  // Round replays one round. Its events apply in causal waves: first those caused by nothing
  // in the history (what the driver or a clock move set off), then what those caused, and so
  // on, with the timers due firing after each wave, as the live processor fires them between
  // the batches it consumes.
  absl::Status Round(const HistoryRound& round, const std::map<std::string, int>& depth) {
    if (round.clock != now_) {
      now_ = round.clock;
      if (absl::Status s = FireDueTimers(); !s.ok()) return s;
    }
    std::map<int, std::vector<const common::v1::Envelope*>> waves;
    for (const common::v1::Envelope& env : round.events) {
      if (env.producer() == kService) continue;
      auto it = depth.find(env.event_id());
      waves[it == depth.end() ? 0 : it->second].push_back(&env);
    }
    std::list<const common::v1::Envelope*> pending;
    for (const auto& [wave, events] : waves) {
      pending.insert(pending.end(), events.begin(), events.end());
      if (absl::Status s = ApplyReady(&pending); !s.ok()) return s;
    }
    // Replies to requests the replay never made: it has decided otherwise than the run.
    for (const common::v1::Envelope* env : pending) {
      if (absl::Status s = Apply(platform::InMemoryRuntime::EventInput(*env)); !s.ok()) return s;
    }
    return FireDueTimers();
  }

  ReplayResult Finish() {
    result_.units_committed = runtime_.units_committed();
    result_.dead_letters = runtime_.dead_letters();
    return std::move(result_);
  }

 private:
  // ApplyReady applies the pending events that are not replies to requests still to be made,
  // then the timers due, until nothing more can go.
  absl::Status ApplyReady(std::list<const common::v1::Envelope*>* pending) {
    bool progressed = true;
    while (progressed && !pending->empty()) {
      progressed = false;
      for (auto it = pending->begin(); it != pending->end();) {
        const std::string answered = RequestAnswered(**it);
        if (!answered.empty() && !emitted_.count(answered)) {
          ++it;
          continue;
        }
        if (absl::Status s = Apply(platform::InMemoryRuntime::EventInput(**it)); !s.ok()) {
          return s;
        }
        it = pending->erase(it);
        progressed = true;
      }
      if (absl::Status s = FireDueTimers(); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  // Apply runs one input and everything it sends the service itself (ledger messages).
  absl::Status Apply(const platform::Input& input) {
    std::deque<platform::Input> queue{input};
    while (!queue.empty()) {
      absl::StatusOr<std::vector<platform::Published>> out = runtime_.Apply(queue.front(), now_);
      if (!out.ok()) {
        return absl::Status(out.status().code(),
                            absl::StrCat("replaying ", queue.front().id, " at ",
                                         absl::FormatTime(now_), ": ", out.status().message()));
      }
      queue.pop_front();
      for (platform::Published& p : *out) {
        if (p.topic == kLedgerTopic) {
          queue.push_back(platform::InMemoryRuntime::EventInput(p.envelope));
        } else if (p.topic == kCaseEventsTopic) {
          emitted_.insert(p.envelope.event_id());
          result_.case_events.push_back(std::move(p.envelope));
        }
      }
    }
    return absl::OkStatus();
  }

  absl::Status FireDueTimers() {
    for (int round = 0; round < 1000; ++round) {
      std::vector<platform::Input> due = runtime_.DueTimers(now_);
      if (due.empty()) return absl::OkStatus();
      for (const platform::Input& timer : due) {
        if (absl::Status s = Apply(timer); !s.ok()) return s;
      }
    }
    return absl::InternalError(
        absl::StrCat("timers keep falling due at ", absl::FormatTime(now_)));
  }

  DunningHandler handler_;
  platform::InMemoryRuntime runtime_;
  absl::Time now_ = absl::InfinitePast();
  std::set<std::string> emitted_;
  ReplayResult result_;
};

}  // namespace

absl::StatusOr<ReplayResult> ReplayHistory(const StrategyBook& strategies,
                                           const std::vector<HistoryRound>& history,
                                           const DunningOptions& options) {
  const std::map<std::string, int> depth = CausalDepths(history);
  Replayer replayer(strategies, options);
  for (const HistoryRound& round : history) {
    if (absl::Status s = replayer.Round(round, depth); !s.ok()) return s;
  }
  return replayer.Finish();
}

std::vector<common::v1::Envelope> PublishedCaseEvents(const std::vector<HistoryRound>& history) {
  std::vector<common::v1::Envelope> out;
  for (const HistoryRound& round : history) {
    for (const common::v1::Envelope& env : round.events) {
      if (env.producer() == kService) out.push_back(env);
    }
  }
  return out;
}

ReplayComparison CompareCaseEvents(const std::vector<common::v1::Envelope>& live,
                                   const std::vector<common::v1::Envelope>& replayed) {
  // Per case, the events as (id, type, moment, payload); the order within one case's instant
  // is not part of the comparison (the live record reads several partitions at once).
  using Line = std::tuple<std::string, std::string, int64_t, std::string>;
  auto by_case = [](const std::vector<common::v1::Envelope>& events) {
    std::map<std::string, std::multiset<Line>> out;
    for (const common::v1::Envelope& env : events) {
      out[env.aggregate_key()].insert(
          {env.event_id(), env.type(), absl::ToUnixMicros(OccurredAt(env)), env.payload()});
    }
    return out;
  };
  const auto a = by_case(live);
  const auto b = by_case(replayed);
  ReplayComparison c;
  c.cases = static_cast<int64_t>(a.size());
  c.case_events = static_cast<int64_t>(live.size());
  std::set<std::string> keys;
  for (const auto& [key, lines] : a) keys.insert(key);
  for (const auto& [key, lines] : b) keys.insert(key);
  for (const std::string& key : keys) {
    auto x = a.find(key);
    auto y = b.find(key);
    if (x == a.end() || y == b.end() || x->second != y->second) c.differing_cases.push_back(key);
  }
  return c;
}

std::string DescribeEvent(const common::v1::Envelope& env) {
  std::string text;
  const google::protobuf::Descriptor* d =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(env.type());
  if (d == nullptr) {
    text = absl::StrCat(env.type(), " (", env.payload().size(), " bytes)");
  } else {
    std::unique_ptr<google::protobuf::Message> m(
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(d)->New());
    text = m->ParseFromString(env.payload())
               ? absl::StrCat(d->name(), " {", m->ShortDebugString(), "}")
               : absl::StrCat(env.type(), " (undecodable)");
  }
  return absl::StrCat(absl::FormatTime("%Y-%m-%d %H:%M", OccurredAt(env), absl::UTCTimeZone()),
                      " ", env.event_id(), " ", text);
}

std::map<std::string, v1::CaseState> CaseOutcomes(
    const std::vector<common::v1::Envelope>& case_events) {
  std::map<std::string, v1::CaseState> out;
  for (const common::v1::Envelope& env : case_events) {
    if (env.type() == v1::CaseTransitioned::descriptor()->full_name()) {
      v1::CaseTransitioned m;
      if (m.ParseFromString(env.payload())) out[env.aggregate_key()] = m.to();
    } else if (env.type() == v1::CaseClosed::descriptor()->full_name()) {
      v1::CaseClosed m;
      if (m.ParseFromString(env.payload())) out[env.aggregate_key()] = m.final_state();
    }
  }
  return out;
}

}  // namespace concerto::dunning
