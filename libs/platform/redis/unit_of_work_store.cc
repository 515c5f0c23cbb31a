#include "libs/platform/redis/unit_of_work_store.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "libs/core/status_macros.h"

namespace concerto::platform::redis {
namespace {

using concerto::platform::v1::OutboxRecord;
using concerto::platform::v1::TimerRecord;

// KEYS: 1 aggregate hash, 2 outbox list, 3 timers zset, 4 timer data hash, 5 processed id.
// ARGV: 1 expected version, 2 state flag ('k' keep | 's' set), 3 state bytes, 4 processed ttl
// seconds, 5 stored result, 6 required pending timer ('' for none), 7 outbox count, then the
// outbox entries, then the timer-add count and (id, due, record) triples, then the timer-remove
// count and ids. Checks first, writes after: a rejected unit writes nothing.
// Removes the n entries a relay published from the head of an outbox, if they are still there:
// the entry at 0 must carry the first published id and the entry at n-1 the last (entries are
// appended at the tail and removed only from the head, so the block between is the same).
// Otherwise another relay already removed some; nothing is removed and the rest is published
// again (consumers deduplicate by event id). Entries are stored as "<entry id>\n<OutboxRecord>".
// ARGV: 1 n, 2 first id, 3 last id. Returns how many it removed.
constexpr char kTrimScript[] = R"lua(
local n = tonumber(ARGV[1])
local first = redis.call('LINDEX', KEYS[1], 0)
local last = redis.call('LINDEX', KEYS[1], n - 1)
if not first or not last then return 0 end
if string.sub(first, 1, #ARGV[2] + 1) ~= ARGV[2] .. '\n' then return 0 end
if string.sub(last, 1, #ARGV[3] + 1) ~= ARGV[3] .. '\n' then return 0 end
redis.call('LTRIM', KEYS[1], n, -1)
return n
)lua";

constexpr char kCommitScript[] = R"lua(
if redis.call('EXISTS', KEYS[5]) == 1 then
  return {'DUP', redis.call('GET', KEYS[5])}
end
if ARGV[6] ~= '' and not redis.call('ZSCORE', KEYS[3], ARGV[6]) then
  return {'STALE_TIMER', ''}
end
local cur = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if cur ~= tonumber(ARGV[1]) then
  return {'CONFLICT', tostring(cur)}
end
local nextv = cur + 1
if ARGV[2] == 's' then
  redis.call('HSET', KEYS[1], 'v', nextv, 's', ARGV[3])
else
  redis.call('HSET', KEYS[1], 'v', nextv)
end
local i = 7
local n = tonumber(ARGV[i])
for j = 1, n do redis.call('RPUSH', KEYS[2], ARGV[i + j]) end
i = i + n + 1
n = tonumber(ARGV[i])
for j = 0, n - 1 do
  local b = i + 1 + j * 3
  redis.call('ZADD', KEYS[3], ARGV[b + 1], ARGV[b])
  redis.call('HSET', KEYS[4], ARGV[b], ARGV[b + 2])
end
i = i + n * 3 + 1
n = tonumber(ARGV[i])
for j = 1, n do
  redis.call('ZREM', KEYS[3], ARGV[i + j])
  redis.call('HDEL', KEYS[4], ARGV[i + j])
end
i = i + n + 1
n = tonumber(ARGV[i] or '0')
for j = 0, n - 1 do
  redis.call('HSET', KEYS[6], ARGV[i + 1 + j * 2], ARGV[i + 2 + j * 2])
end
if tonumber(ARGV[4]) > 0 then
  redis.call('SET', KEYS[5], ARGV[5], 'EX', ARGV[4])
else
  redis.call('SET', KEYS[5], ARGV[5])
end
return {'OK', tostring(nextv)}
)lua";

absl::Status ErrorFromReply(const Reply& r) {
  if (absl::StartsWith(r.str, "LOADING") || absl::StartsWith(r.str, "BUSY") ||
      absl::StartsWith(r.str, "MASTERDOWN") || absl::StartsWith(r.str, "TRYAGAIN")) {
    return absl::UnavailableError(absl::StrCat("redis: ", r.str));
  }
  return absl::InternalError(absl::StrCat("redis: ", r.str));
}

}  // namespace

UnitOfWorkStore::UnitOfWorkStore(RedisClient* client, std::string ns,
                                 absl::Duration processed_retention)
    : client_(client),
      ns_(std::move(ns)),
      retention_seconds_(absl::ToInt64Seconds(processed_retention)) {}

std::string UnitOfWorkStore::AggregateKey(int shard, absl::string_view aggregate) const {
  return absl::StrCat(ns_, ":{", shard, "}:a:", aggregate);
}
std::string UnitOfWorkStore::OutboxKey(int shard) const {
  return absl::StrCat(ns_, ":{", shard, "}:outbox");
}
std::string UnitOfWorkStore::TimersKey(int shard) const {
  return absl::StrCat(ns_, ":{", shard, "}:timers");
}
std::string UnitOfWorkStore::TimerDataKey(int shard) const {
  return absl::StrCat(ns_, ":{", shard, "}:timerdata");
}
std::string UnitOfWorkStore::IndexKey(int shard) const {
  return absl::StrCat(ns_, ":{", shard, "}:idx");
}

absl::StatusOr<std::optional<std::string>> UnitOfWorkStore::LookupIndex(
    int shards, absl::string_view field) {
  CONCERTO_ASSIGN_OR_RETURN(auto found, LookupIndexMany(shards, {std::string(field)}));
  return found[0];
}

absl::StatusOr<std::vector<std::optional<std::string>>> UnitOfWorkStore::LookupIndexMany(
    int shards, const std::vector<std::string>& fields) {
  // One HMGET per shard and chunk of fields: a bulk import looks up many thousands at once.
  constexpr size_t kChunk = 1000;
  std::vector<std::optional<std::string>> out(fields.size());
  std::vector<std::vector<std::string>> cmds;
  for (size_t first = 0; first < fields.size(); first += kChunk) {
    const size_t last = std::min(fields.size(), first + kChunk);
    for (int shard = 0; shard < shards; ++shard) {
      std::vector<std::string> cmd = {"HMGET", IndexKey(shard)};
      cmd.insert(cmd.end(), fields.begin() + first, fields.begin() + last);
      cmds.push_back(std::move(cmd));
    }
  }
  if (cmds.empty()) return out;
  CONCERTO_ASSIGN_OR_RETURN(auto replies, client_->Pipeline(cmds));
  for (size_t c = 0; c < replies.size(); ++c) {
    const Reply& r = replies[c];
    if (r.IsError()) return ErrorFromReply(r);
    const size_t first = (c / shards) * kChunk;
    for (size_t i = 0; i < r.elements.size() && first + i < out.size(); ++i) {
      if (r.elements[i].type == Reply::Type::kString && !out[first + i].has_value()) {
        out[first + i] = r.elements[i].str;
      }
    }
  }
  return out;
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> UnitOfWorkStore::ScanAggregates(
    int shards, absl::string_view prefix) {
  std::vector<std::pair<std::string, std::string>> out;
  for (int shard = 0; shard < shards; ++shard) {
    const std::string key_prefix = AggregateKey(shard, "");
    const std::string pattern = absl::StrCat(key_prefix, prefix, "*");
    std::string cursor = "0";
    do {
      CONCERTO_ASSIGN_OR_RETURN(
          Reply reply, client_->Command({"SCAN", cursor, "MATCH", pattern, "COUNT", "500"}));
      if (reply.IsError()) return ErrorFromReply(reply);
      if (reply.elements.size() != 2) return absl::InternalError("redis SCAN: unexpected reply");
      cursor = reply.elements[0].str;
      std::vector<std::vector<std::string>> gets;
      for (const Reply& k : reply.elements[1].elements) gets.push_back({"HGET", k.str, "s"});
      if (gets.empty()) continue;
      CONCERTO_ASSIGN_OR_RETURN(auto states, client_->Pipeline(gets));
      for (size_t i = 0; i < states.size(); ++i) {
        if (states[i].type != Reply::Type::kString) continue;  // removed since the SCAN
        out.emplace_back(reply.elements[1].elements[i].str.substr(key_prefix.size()),
                         states[i].str);
      }
    } while (cursor != "0");
  }
  return out;
}

std::string UnitOfWorkStore::ProcessedKey(int shard, absl::string_view input_id) const {
  return absl::StrCat(ns_, ":{", shard, "}:done:", input_id);
}

absl::Status UnitOfWorkStore::LoadScript() {
  CONCERTO_ASSIGN_OR_RETURN(auto r, client_->Pipeline({{"SCRIPT", "LOAD", kCommitScript},
                                                       {"SCRIPT", "LOAD", kTrimScript}}));
  for (const Reply& reply : r) {
    if (reply.type != Reply::Type::kString) return ErrorFromReply(reply);
  }
  script_sha_ = r[0].str;
  trim_sha_ = r[1].str;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Loaded>> UnitOfWorkStore::Load(
    const std::vector<LoadRequest>& requests) {
  std::vector<std::vector<std::string>> cmds;
  cmds.reserve(requests.size() * 2);
  for (const auto& req : requests) {
    cmds.push_back({"HMGET", AggregateKey(req.shard, req.aggregate_key), "v", "s"});
    cmds.push_back({"GET", ProcessedKey(req.shard, req.input_id.empty() ? "-" : req.input_id)});
  }
  CONCERTO_ASSIGN_OR_RETURN(auto replies, client_->Pipeline(cmds));
  std::vector<Loaded> out(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    const Reply& agg = replies[2 * i];
    const Reply& done = replies[2 * i + 1];
    if (agg.IsError()) return ErrorFromReply(agg);
    if (done.IsError()) return ErrorFromReply(done);
    if (agg.elements.size() == 2) {
      if (agg.elements[0].type == Reply::Type::kString &&
          !absl::SimpleAtoi(agg.elements[0].str, &out[i].aggregate.version)) {
        return absl::DataLossError(absl::StrCat("redis: bad version of ",
                                                requests[i].aggregate_key));
      }
      if (agg.elements[1].type == Reply::Type::kString) out[i].aggregate.state = agg.elements[1].str;
    }
    if (!requests[i].input_id.empty() && done.type == Reply::Type::kString) {
      out[i].already_processed = true;
      out[i].stored_result = done.str;
    }
  }
  return out;
}

std::vector<std::string> UnitOfWorkStore::CommitArgs(const UnitOfWork& u) const {
  std::vector<std::string> a = {"EVALSHA",
                                script_sha_,
                                "6",
                                AggregateKey(u.shard, u.aggregate_key),
                                OutboxKey(u.shard),
                                TimersKey(u.shard),
                                TimerDataKey(u.shard),
                                ProcessedKey(u.shard, u.input_id),
                                IndexKey(u.shard),
                                absl::StrCat(u.expected_version),
                                u.new_state.has_value() ? "s" : "k",
                                u.new_state.value_or(""),
                                absl::StrCat(retention_seconds_),
                                u.result,
                                u.require_pending_timer,
                                absl::StrCat(u.outbox.size())};
  for (const OutboxRecord& r : u.outbox) a.push_back(absl::StrCat(r.entry_id(), "\n", r.SerializeAsString()));
  a.push_back(absl::StrCat(u.timers_add.size()));
  for (const TimerRecord& t : u.timers_add) {
    a.push_back(t.timer_id());
    a.push_back(absl::StrCat(t.due_unix_micros()));
    a.push_back(t.SerializeAsString());
  }
  a.push_back(absl::StrCat(u.timers_remove.size()));
  for (const std::string& id : u.timers_remove) a.push_back(id);
  a.push_back(absl::StrCat(u.index_put.size()));
  for (const auto& [field, value] : u.index_put) {
    a.push_back(field);
    a.push_back(value);
  }
  return a;
}

absl::StatusOr<std::vector<CommitOutcome>> UnitOfWorkStore::Commit(
    const std::vector<UnitOfWork>& units) {
  for (const UnitOfWork& u : units) {
    if (u.input_id.empty()) return absl::InvalidArgumentError("unit of work: input_id is empty");
    if (u.aggregate_key.empty()) {
      return absl::InvalidArgumentError("unit of work: aggregate_key is empty");
    }
    for (const OutboxRecord& r : u.outbox) {
      if (r.entry_id().empty() || r.entry_id().find('\n') != std::string::npos) {
        return absl::InvalidArgumentError("unit of work: outbox entry_id is empty or has a newline");
      }
    }
  }
  if (script_sha_.empty()) CONCERTO_RETURN_IF_ERROR(LoadScript());
  std::vector<CommitOutcome> out(units.size());
  std::vector<size_t> pending(units.size());
  for (size_t i = 0; i < units.size(); ++i) pending[i] = i;
  // At most two passes: a NOSCRIPT reply (Redis restarted and lost its script cache) means that
  // unit did not run, so it is re-sent after the script is loaded again.
  for (int pass = 0; pass < 2 && !pending.empty(); ++pass) {
    std::vector<std::vector<std::string>> cmds;
    cmds.reserve(pending.size());
    for (size_t idx : pending) cmds.push_back(CommitArgs(units[idx]));
    CONCERTO_ASSIGN_OR_RETURN(auto replies, client_->Pipeline(cmds));
    std::vector<size_t> retry;
    for (size_t k = 0; k < pending.size(); ++k) {
      const Reply& r = replies[k];
      CommitOutcome& o = out[pending[k]];
      if (r.IsError()) {
        if (absl::StartsWith(r.str, "NOSCRIPT") && pass == 0) {
          retry.push_back(pending[k]);
          continue;
        }
        return ErrorFromReply(r);
      }
      if (r.type != Reply::Type::kArray || r.elements.size() != 2) {
        return absl::InternalError("redis: unexpected commit script reply");
      }
      const std::string& tag = r.elements[0].str;
      if (tag == "OK") {
        o.status = absl::OkStatus();
        absl::SimpleAtoi(r.elements[1].str, &o.new_version);
      } else if (tag == "DUP") {
        o.status = absl::AlreadyExistsError("input already processed");
        o.stored_result = r.elements[1].str;
      } else if (tag == "CONFLICT") {
        o.status = absl::AbortedError(absl::StrCat("version conflict on ",
                                                   units[pending[k]].aggregate_key, ": stored ",
                                                   r.elements[1].str, ", expected ",
                                                   units[pending[k]].expected_version));
      } else if (tag == "STALE_TIMER") {
        o.status = absl::FailedPreconditionError("timer no longer pending");
      } else {
        return absl::InternalError(absl::StrCat("redis: unknown commit outcome ", tag));
      }
    }
    if (!retry.empty()) CONCERTO_RETURN_IF_ERROR(LoadScript());
    pending = std::move(retry);
  }
  return out;
}

absl::StatusOr<std::vector<OutboxRecord>> UnitOfWorkStore::ReadOutbox(int shard, int max) {
  CONCERTO_ASSIGN_OR_RETURN(auto all, ReadOutboxes({shard}, max));
  return std::move(all[0]);
}

absl::StatusOr<std::vector<OutboxRecord>> UnitOfWorkStore::DecodeOutbox(int shard,
                                                                       const Reply& r) {
  if (r.IsError()) return ErrorFromReply(r);
  std::vector<OutboxRecord> out(r.elements.size());
  for (size_t i = 0; i < r.elements.size(); ++i) {
    const std::string& entry = r.elements[i].str;
    const size_t nl = entry.find('\n');
    if (nl == std::string::npos ||
        !out[i].ParseFromArray(entry.data() + nl + 1, static_cast<int>(entry.size() - nl - 1))) {
      return absl::DataLossError(absl::StrCat("outbox of shard ", shard, ": entry ", i,
                                              " does not decode"));
    }
  }
  return out;
}

absl::StatusOr<int64_t> UnitOfWorkStore::TrimOutbox(int shard,
                                                    const std::vector<std::string>& entry_ids) {
  CONCERTO_ASSIGN_OR_RETURN(auto removed, TrimOutboxes({{shard, entry_ids}}));
  return removed[0];
}

absl::StatusOr<std::vector<int64_t>> UnitOfWorkStore::TrimOutboxes(
    const std::vector<std::pair<int, std::vector<std::string>>>& published) {
  std::vector<int64_t> removed(published.size(), 0);
  if (trim_sha_.empty()) CONCERTO_RETURN_IF_ERROR(LoadScript());
  for (int pass = 0; pass < 2; ++pass) {
    std::vector<std::vector<std::string>> cmds;
    std::vector<size_t> index;
    for (size_t i = 0; i < published.size(); ++i) {
      const auto& [shard, ids] = published[i];
      if (ids.empty()) continue;
      cmds.push_back({"EVALSHA", trim_sha_, "1", OutboxKey(shard), absl::StrCat(ids.size()),
                      ids.front(), ids.back()});
      index.push_back(i);
    }
    if (cmds.empty()) return removed;
    CONCERTO_ASSIGN_OR_RETURN(auto replies, client_->Pipeline(cmds));
    bool noscript = false;
    for (size_t k = 0; k < replies.size(); ++k) {
      if (replies[k].IsError()) {
        if (absl::StartsWith(replies[k].str, "NOSCRIPT") && pass == 0) {
          noscript = true;
          continue;
        }
        return ErrorFromReply(replies[k]);
      }
      removed[index[k]] = replies[k].integer;
    }
    if (!noscript) return removed;
    // Redis restarted and lost its script cache; trimming twice is harmless (ids are checked).
    CONCERTO_RETURN_IF_ERROR(LoadScript());
  }
  return removed;
}

absl::StatusOr<std::vector<std::vector<OutboxRecord>>> UnitOfWorkStore::ReadOutboxes(
    const std::vector<int>& shards, int max) {
  std::vector<std::vector<std::string>> cmds;
  for (int shard : shards) cmds.push_back({"LRANGE", OutboxKey(shard), "0", absl::StrCat(max - 1)});
  std::vector<std::vector<OutboxRecord>> out(shards.size());
  if (cmds.empty()) return out;
  CONCERTO_ASSIGN_OR_RETURN(auto replies, client_->Pipeline(cmds));
  for (size_t i = 0; i < shards.size(); ++i) {
    CONCERTO_ASSIGN_OR_RETURN(out[i], DecodeOutbox(shards[i], replies[i]));
  }
  return out;
}

absl::StatusOr<int64_t> UnitOfWorkStore::OutboxDepth(int shard) {
  CONCERTO_ASSIGN_OR_RETURN(Reply r, client_->Command({"LLEN", OutboxKey(shard)}));
  if (r.IsError()) return ErrorFromReply(r);
  return r.integer;
}

absl::StatusOr<std::vector<TimerRecord>> UnitOfWorkStore::DueTimers(int shard, absl::Time now,
                                                                    int max) {
  CONCERTO_ASSIGN_OR_RETURN(
      Reply ids, client_->Command({"ZRANGEBYSCORE", TimersKey(shard), "-inf",
                                   absl::StrCat(absl::ToUnixMicros(now)), "LIMIT", "0",
                                   absl::StrCat(max)}));
  if (ids.IsError()) return ErrorFromReply(ids);
  std::vector<TimerRecord> out;
  if (ids.elements.empty()) return out;
  std::vector<std::string> cmd = {"HMGET", TimerDataKey(shard)};
  for (const Reply& id : ids.elements) cmd.push_back(id.str);
  CONCERTO_ASSIGN_OR_RETURN(Reply data, client_->Command(cmd));
  if (data.IsError()) return ErrorFromReply(data);
  for (size_t i = 0; i < data.elements.size(); ++i) {
    TimerRecord t;
    if (data.elements[i].type != Reply::Type::kString || !t.ParseFromString(data.elements[i].str)) {
      return absl::DataLossError(absl::StrCat("timer ", ids.elements[i].str, " of shard ", shard,
                                              " has no readable record"));
    }
    out.push_back(std::move(t));
  }
  return out;
}

absl::Status UnitOfWorkStore::RemoveTimers(int shard, const std::vector<std::string>& timer_ids) {
  if (timer_ids.empty()) return absl::OkStatus();
  std::vector<std::string> zrem = {"ZREM", TimersKey(shard)};
  std::vector<std::string> hdel = {"HDEL", TimerDataKey(shard)};
  zrem.insert(zrem.end(), timer_ids.begin(), timer_ids.end());
  hdel.insert(hdel.end(), timer_ids.begin(), timer_ids.end());
  CONCERTO_ASSIGN_OR_RETURN(auto replies, client_->Pipeline({zrem, hdel}));
  for (const Reply& r : replies) {
    if (r.IsError()) return ErrorFromReply(r);
  }
  return absl::OkStatus();
}

absl::StatusOr<UnitOfWorkStore::TimerSummary> UnitOfWorkStore::Timers(int shard) {
  CONCERTO_ASSIGN_OR_RETURN(
      auto replies, client_->Pipeline({{"ZRANGE", TimersKey(shard), "0", "0", "WITHSCORES"},
                                       {"ZCARD", TimersKey(shard)}}));
  if (replies[0].IsError()) return ErrorFromReply(replies[0]);
  TimerSummary s;
  if (replies[0].elements.size() == 2) {
    double micros = 0;  // scores are doubles: exact for integers below 2^53
    absl::SimpleAtod(replies[0].elements[1].str, &micros);
    s.next_due = absl::FromUnixMicros(static_cast<int64_t>(micros));
  }
  s.pending = replies[1].integer;
  return s;
}

}  // namespace concerto::platform::redis
