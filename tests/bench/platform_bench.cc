// platform_bench: throughput and latency of the durable commit path and of the whole event
// pipeline (consume -> unit of work -> outbox relay -> produce), next to the raw floor of this
// machine measured in the same run, so the figures read as "how close to what the hardware and
// the dependencies allow".
//
// It starts its own redis-server (appendfsync always, the production default) and embedded
// broker (bin/concerto-kafka); the EventProcessor runs in-process with the probe's LedgerHandler.
//
//   1. commit path: UnitOfWorkStore::Commit of pipelined batches (state + one outbox entry per
//      unit) vs a minimal Lua script writing the same keys (HSET + RPUSH + SET) pipelined alike.
//   2. raw floor of the pipeline: produce+consume of the same records on the broker (no Redis),
//      and the minimal Lua commit at the processor's batch size (no Kafka).
//   3. end to end: N pre-produced Add commands -> ledger -> probe.events, counted by a separate
//      consumer (distinct event ids); then a steady-rate run for input->output latency.
//
// Flags (all optional): --bin-dir=BUILD_DIR (else $CONCERTO_BIN_DIR, else next to the binary),
// --commit-units, --commit-batch, --payload-bytes, --accounts, --events, --max-batch,
// --relay-batch, --poll-timeout, --offset-commit-interval, --linger-ms, --kafka-extra=k=v,..
// (raw librdkafka properties for every client of the run), --latency-rate,
// --latency-seconds, --latency-warmup, --timeout. The last output line is key=value pairs.
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "concerto/common/v1/envelope.pb.h"
#include "concerto/platform/v1/store.pb.h"
#include "concerto/testing/v1/probe.pb.h"
#include "google/protobuf/util/time_util.h"
#include "libs/core/stable_hash.h"
#include "libs/platform/clock.h"
#include "libs/platform/event_processor.h"
#include "libs/platform/kafka/kafka.h"
#include "libs/platform/redis/redis_client.h"
#include "libs/platform/redis/unit_of_work_store.h"
#include "libs/platform/runtime/config.h"
#include "libs/platform/runtime/logging.h"
#include "libs/testing/embedded_kafka.h"
#include "libs/testing/redis_server.h"
#include "tests/integration/probe/probe_handler.h"

namespace concerto::bench {
namespace {

using platform::kafka::Consumer;
using platform::kafka::ConsumerOptions;
using platform::kafka::KafkaOptions;
using platform::kafka::Message;
using platform::kafka::Producer;
using platform::kafka::Record;
using platform::redis::RedisClient;
using platform::redis::Reply;
using platform::redis::UnitOfWork;
using platform::redis::UnitOfWorkStore;

constexpr int kShards = 8;
constexpr char kRawTopic[] = "bench.raw";
constexpr char kTraceparent[] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

// ---------------------------------------------------------------------------------------------
// Small utilities.

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "platform_bench: %s\n", what.c_str());
  std::fflush(stderr);
  std::_Exit(1);
}

template <typename T>
T Check(absl::StatusOr<T> v, const std::string& what) {
  if (!v.ok()) Die(absl::StrCat(what, ": ", v.status().ToString()));
  return std::move(*v);
}
void Check(const absl::Status& s, const std::string& what) {
  if (!s.ok()) Die(absl::StrCat(what, ": ", s.ToString()));
}

double Seconds(absl::Duration d) { return absl::ToDoubleSeconds(d); }
double Rate(int64_t n, absl::Duration d) { return d > absl::ZeroDuration() ? n / Seconds(d) : 0; }

std::string Fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), format, v);
  return buf;
}

void NameThread(const char* name) { pthread_setname_np(pthread_self(), name); }

std::string Account(int64_t i) { return absl::StrCat("acct-", i); }

std::string Filler(size_t n, uint64_t seed) {
  std::string s(n, '\0');
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    s[i] = static_cast<char>('a' + x % 26);
  }
  return s;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t idx = std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5));
  return v[idx];
}

// ---------------------------------------------------------------------------------------------
// CPU accounting from /proc: where the cores went during a phase.

struct TaskTicks {
  std::string comm;
  int64_t ticks = 0;  // utime + stime
  int ppid = 0;
};

bool ReadStat(const std::string& path, TaskTicks* out) {
  std::ifstream f(path);
  std::string line;
  if (!f || !std::getline(f, line)) return false;
  const size_t open = line.find('(');
  const size_t close = line.rfind(')');
  if (open == std::string::npos || close == std::string::npos) return false;
  out->comm = line.substr(open + 1, close - open - 1);
  std::vector<std::string> fields = absl::StrSplit(line.substr(close + 2), ' ');
  if (fields.size() < 13) return false;
  int64_t ut = 0, st = 0;
  absl::SimpleAtoi(fields[1], &out->ppid);
  absl::SimpleAtoi(fields[11], &ut);
  absl::SimpleAtoi(fields[12], &st);
  out->ticks = ut + st;
  return true;
}

const double kTicksPerSecond = static_cast<double>(sysconf(_SC_CLK_TCK));

struct CpuSnapshot {
  absl::Time at;
  std::map<std::string, int64_t> processes;  // "redis-server", "concerto-kafka", "bench"
  std::map<int, TaskTicks> threads;          // this process, by tid
  int64_t machine_busy = 0;                  // all CPUs, from /proc/stat
};

int64_t MachineBusyTicks() {
  std::ifstream f("/proc/stat");
  std::string line;
  if (!f || !std::getline(f, line)) return 0;
  std::vector<std::string> v = absl::StrSplit(line, ' ', absl::SkipEmpty());
  // cpu user nice system idle iowait irq softirq steal
  int64_t busy = 0;
  for (size_t i : {1, 2, 3, 6, 7, 8}) {
    int64_t x = 0;
    if (i < v.size() && absl::SimpleAtoi(v[i], &x)) busy += x;
  }
  return busy;
}

class CpuMeter {
 public:
  void FindChildren() {
    const int self = getpid();
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
      const std::string name = entry.path().filename();
      int pid = 0;
      if (!absl::SimpleAtoi(name, &pid)) continue;
      TaskTicks t;
      if (!ReadStat(entry.path().string() + "/stat", &t) || t.ppid != self) continue;
      if (absl::StartsWith(t.comm, "redis-server")) children_["redis-server"] = pid;
      if (absl::StartsWith(t.comm, "concerto-kafka")) children_["concerto-kafka"] = pid;
    }
  }

  CpuSnapshot Take() const {
    CpuSnapshot s;
    s.at = absl::Now();
    s.machine_busy = MachineBusyTicks();
    for (const auto& [name, pid] : children_) {
      TaskTicks t;
      if (ReadStat(absl::StrCat("/proc/", pid, "/stat"), &t)) s.processes[name] = t.ticks;
    }
    TaskTicks self;
    if (ReadStat("/proc/self/stat", &self)) s.processes["platform_bench"] = self.ticks;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) {
      int tid = 0;
      if (!absl::SimpleAtoi(std::string(entry.path().filename()), &tid)) continue;
      TaskTicks t;
      if (ReadStat(entry.path().string() + "/stat", &t)) s.threads[tid] = t;
    }
    return s;
  }

 private:
  std::map<std::string, int> children_;
};

// CpuReport prints CPU seconds per process (and, optionally, per thread group of this process)
// between two snapshots, as a share of the wall time (100% = one core).
void PrintCpu(const std::string& phase, const CpuSnapshot& a, const CpuSnapshot& b,
              const std::map<int, std::string>& thread_labels = {}) {
  const double wall = Seconds(b.at - a.at);
  std::printf("  cpu during %s (%.2fs wall, 2 cores = 200%%):\n", phase.c_str(), wall);
  double total = 0;
  for (const auto& [name, ticks] : b.processes) {
    const auto it = a.processes.find(name);
    const double sec = (ticks - (it == a.processes.end() ? 0 : it->second)) / kTicksPerSecond;
    total += sec;
    std::printf("    %-32s %7.2fs  %5.0f%%\n", name.c_str(), sec, 100 * sec / wall);
  }
  std::printf("    %-32s %7.2fs  %5.0f%%\n", "all three", total, 100 * total / wall);
  const double other = (b.machine_busy - a.machine_busy) / kTicksPerSecond - total;
  std::printf("    %-32s %7.2fs  %5.0f%%\n", "other processes on the machine",
              std::max(0.0, other), 100 * std::max(0.0, other) / wall);
  std::map<std::string, double> groups;
  for (const auto& [tid, t] : b.threads) {
    const auto it = a.threads.find(tid);
    const int64_t d = t.ticks - (it == a.threads.end() ? 0 : it->second.ticks);
    std::string label;
    if (auto l = thread_labels.find(tid); l != thread_labels.end()) {
      label = l->second;
    } else if (absl::StartsWith(t.comm, "rdk:")) {
      label = "librdkafka threads (rdk:*)";
    } else {
      label = absl::StrCat("thread '", t.comm, "'");
    }
    groups[label] += d / kTicksPerSecond;
  }
  for (const auto& [label, sec] : groups) {
    if (sec < 0.005) continue;
    std::printf("      platform_bench / %-40s %6.2fs  %5.0f%%\n", label.c_str(), sec,
                100 * sec / wall);
  }
}

// ---------------------------------------------------------------------------------------------
// Configuration.

struct BenchConfig {
  std::string bin_dir;
  int64_t commit_units = 64000;
  int64_t commit_batch = 64;
  int64_t payload_bytes = 200;
  int64_t accounts = 10000;
  int64_t events = 200000;
  int64_t max_batch = 512;
  int64_t relay_batch = 2048;
  absl::Duration poll_timeout = absl::Milliseconds(10);
  absl::Duration offset_commit_interval = absl::Milliseconds(50);
  std::string linger_ms;  // empty: the library's default
  std::map<std::string, std::string> kafka_extra;  // raw librdkafka properties, every client
  int64_t latency_rate = 5000;
  absl::Duration latency_duration = absl::Seconds(4);
  absl::Duration latency_warmup = absl::Seconds(1);
  absl::Duration timeout = absl::Seconds(300);
};

BenchConfig LoadConfig(int argc, char** argv) {
  platform::Config c = Check(platform::Config::Load(argc, argv), "flags");
  BenchConfig b;
  // --bin-dir, else CONCERTO_BIN_DIR (Config maps it to key "bin-dir"), else BUILD/bin/.. .
  b.bin_dir = c.GetString("bin-dir", "");
  if (b.bin_dir.empty()) {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) b.bin_dir = exe.parent_path().parent_path().string();
  }
  auto i = [&](const char* k, int64_t* v) { *v = Check(c.GetInt(k, *v), k); };
  auto d = [&](const char* k, absl::Duration* v) { *v = Check(c.GetDuration(k, *v), k); };
  i("commit-units", &b.commit_units);
  i("commit-batch", &b.commit_batch);
  i("payload-bytes", &b.payload_bytes);
  i("accounts", &b.accounts);
  i("events", &b.events);
  i("max-batch", &b.max_batch);
  i("relay-batch", &b.relay_batch);
  d("poll-timeout", &b.poll_timeout);
  d("offset-commit-interval", &b.offset_commit_interval);
  b.linger_ms = c.GetString("linger-ms", "");
  // --kafka-extra=socket.nagle.disable=true,fetch.wait.max.ms=1
  for (absl::string_view kv :
       absl::StrSplit(c.GetString("kafka-extra", ""), ',', absl::SkipWhitespace())) {
    std::pair<std::string, std::string> p = absl::StrSplit(kv, absl::MaxSplits('=', 1));
    if (p.first.empty() || p.second.empty()) Die("--kafka-extra: expected key=value[,key=value]");
    b.kafka_extra[p.first] = p.second;
  }
  i("latency-rate", &b.latency_rate);
  d("latency-seconds", &b.latency_duration);
  d("latency-warmup", &b.latency_warmup);
  d("timeout", &b.timeout);
  if (b.commit_batch <= 0 || b.commit_units < b.commit_batch || b.accounts <= 0 ||
      b.events <= 0 || b.max_batch <= 0 || b.relay_batch <= 0 || b.latency_rate < 0) {
    Die("bad sizes: need commit-units >= commit-batch > 0 and positive counts");
  }
  return b;
}

// ---------------------------------------------------------------------------------------------
// 1. Commit path: UnitOfWorkStore::Commit vs the minimal Lua write of the same keys.

constexpr char kFloorScript[] = R"lua(
redis.call('HSET', KEYS[1], 'v', ARGV[1], 's', ARGV[2])
redis.call('RPUSH', KEYS[2], ARGV[3])
redis.call('SET', KEYS[3], ARGV[4], 'EX', ARGV[5])
return 1
)lua";

constexpr int64_t kRetentionSeconds = 7 * 24 * 3600;

// UnitSource makes realistic units of work: a `payload`-byte state and one outbox entry of a
// `payload`-byte event per unit, aggregates spread over `accounts`, versions chained.
class UnitSource {
 public:
  UnitSource(std::string prefix, int64_t accounts, size_t payload)
      : prefix_(std::move(prefix)), versions_(accounts, 0), payload_(payload) {}

  UnitOfWork Next() {
    const int64_t n = next_++;
    const int64_t a = n % static_cast<int64_t>(versions_.size());
    UnitOfWork u;
    u.aggregate_key = Account(a);
    u.shard = core::KafkaPartitionOf(u.aggregate_key, kShards);
    u.input_id = absl::StrCat(prefix_, "-", n);
    u.expected_version = versions_[a]++;
    u.new_state = Filler(payload_, static_cast<uint64_t>(n));
    platform::v1::OutboxRecord rec;
    rec.set_topic(testing::kProbeEventsTopic);
    rec.set_key(u.aggregate_key);
    rec.set_entry_id(core::DeterministicId(u.input_id, "out/0"));
    rec.set_value(Filler(payload_, static_cast<uint64_t>(n) + 1));
    auto* h = rec.add_headers();
    h->set_key("traceparent");
    h->set_value(kTraceparent);
    u.outbox.push_back(std::move(rec));
    return u;
  }

 private:
  const std::string prefix_;
  std::vector<int64_t> versions_;
  const size_t payload_;
  int64_t next_ = 0;
};

// FloorCommand is the minimal Lua write of the keys a unit touches: aggregate hash (v, s),
// outbox list entry ("<id>\n<OutboxRecord>"), processed id with expiry.
std::vector<std::string> FloorCommand(const std::string& sha, const UnitOfWorkStore& keys,
                                      const UnitOfWork& u) {
  const auto& rec = u.outbox[0];
  return {"EVALSHA",
          sha,
          "3",
          keys.AggregateKey(u.shard, u.aggregate_key),
          keys.OutboxKey(u.shard),
          keys.ProcessedKey(u.shard, u.input_id),
          absl::StrCat(u.expected_version + 1),
          *u.new_state,
          absl::StrCat(rec.entry_id(), "\n", rec.SerializeAsString()),
          u.result,
          absl::StrCat(kRetentionSeconds)};
}

struct CommitFigures {
  int64_t units = 0;
  absl::Duration elapsed;
  std::vector<double> batch_ms;
  double per_s() const { return Rate(units, elapsed); }
};

// Runs `batches` batches of `batch` units through the store.
CommitFigures RunStore(UnitOfWorkStore* store, UnitSource* src, int64_t batches, int64_t batch) {
  CommitFigures f;
  std::vector<UnitOfWork> units;
  for (int64_t b = 0; b < batches; ++b) {
    units.clear();
    for (int64_t i = 0; i < batch; ++i) units.push_back(src->Next());
    const absl::Time t0 = absl::Now();
    auto out = Check(store->Commit(units), "UnitOfWorkStore::Commit");
    const absl::Duration d = absl::Now() - t0;
    for (const auto& o : out) {
      if (!o.status.ok()) Die(absl::StrCat("commit outcome: ", o.status.ToString()));
    }
    f.elapsed += d;
    f.units += batch;
    f.batch_ms.push_back(absl::ToDoubleMilliseconds(d));
  }
  return f;
}

// Runs `batches` pipelines of `batch` floor-script calls over the same key shapes.
CommitFigures RunFloor(RedisClient* client, const std::string& sha, const UnitOfWorkStore& keys,
                       UnitSource* src, int64_t batches, int64_t batch) {
  CommitFigures f;
  std::vector<std::vector<std::string>> cmds;
  for (int64_t b = 0; b < batches; ++b) {
    cmds.clear();
    // Building the arguments is part of the floor too, as CommitArgs is part of Commit.
    std::vector<UnitOfWork> units;
    for (int64_t i = 0; i < batch; ++i) units.push_back(src->Next());
    const absl::Time t0 = absl::Now();
    for (const auto& u : units) cmds.push_back(FloorCommand(sha, keys, u));
    auto replies = Check(client->Pipeline(cmds), "floor pipeline");
    const absl::Duration d = absl::Now() - t0;
    for (const Reply& r : replies) {
      if (r.IsError()) Die(absl::StrCat("floor script: ", r.str));
    }
    f.elapsed += d;
    f.units += batch;
    f.batch_ms.push_back(absl::ToDoubleMilliseconds(d));
  }
  return f;
}

struct CommitResult {
  CommitFigures store, floor;
};

// Store and floor alternate in rounds so background load on the shared machine hits both alike.
CommitResult BenchCommitPath(RedisClient* client, const std::string& sha, const BenchConfig& cfg,
                             int64_t units, int64_t batch, const std::string& tag) {
  UnitOfWorkStore store(client, "bench-uow-" + tag);
  UnitOfWorkStore floor_keys(client, "bench-lua-" + tag);
  UnitSource store_src("s", cfg.accounts, cfg.payload_bytes);
  UnitSource floor_src("f", cfg.accounts, cfg.payload_bytes);
  // Warm-up (script load, connection buffers), not timed.
  RunStore(&store, &store_src, 4, batch);
  RunFloor(client, sha, floor_keys, &floor_src, 4, batch);
  CommitResult r;
  constexpr int kRounds = 4;
  const int64_t batches = std::max<int64_t>(1, units / batch / kRounds);
  for (int round = 0; round < kRounds; ++round) {
    CommitFigures s = RunStore(&store, &store_src, batches, batch);
    CommitFigures f = RunFloor(client, sha, floor_keys, &floor_src, batches, batch);
    r.store.units += s.units;
    r.store.elapsed += s.elapsed;
    r.store.batch_ms.insert(r.store.batch_ms.end(), s.batch_ms.begin(), s.batch_ms.end());
    r.floor.units += f.units;
    r.floor.elapsed += f.elapsed;
    r.floor.batch_ms.insert(r.floor.batch_ms.end(), f.batch_ms.begin(), f.batch_ms.end());
  }
  return r;
}

// Round trip of PING (no write) and of a SET (one fsync with appendfsync always).
std::pair<double, double> RoundTrips(RedisClient* client) {
  std::vector<double> ping, set;
  for (int i = 0; i < 200; ++i) {
    absl::Time t0 = absl::Now();
    Check(client->Command({"PING"}), "PING");
    ping.push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
    t0 = absl::Now();
    Check(client->Command({"SET", "bench:fsync-probe", absl::StrCat(i)}), "SET");
    set.push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
  }
  return {Percentile(ping, 0.5), Percentile(set, 0.5)};
}

// ---------------------------------------------------------------------------------------------
// Records of the end-to-end run.

std::string AddEnvelope(const std::string& id, const std::string& account, int64_t amount) {
  testing::v1::Add add;
  add.set_amount(amount);
  common::v1::Envelope env;
  env.set_event_id(id);
  env.set_tenant("t1");
  env.set_aggregate_key(account);
  env.set_type("concerto.testing.v1.Add");
  env.set_schema_version(1);
  *env.mutable_occurred_at() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(absl::Now()));
  env.set_payload(add.SerializeAsString());
  return env.SerializeAsString();
}

// An output-shaped record (what the ledger emits on probe.events), for the raw Kafka floor.
Record OutputShapedRecord(int64_t i, int64_t accounts) {
  const std::string account = Account(i % accounts);
  const std::string in = absl::StrCat("raw-", i);
  testing::v1::Added added;
  added.set_amount(i + 1);
  added.set_total((i + 1) * 7);
  added.set_count(i / accounts + 1);
  common::v1::Envelope env;
  env.set_event_id(core::DeterministicId(in, "out/0"));
  env.set_tenant("t1");
  env.set_aggregate_key(account);
  env.set_type("concerto.testing.v1.Added");
  *env.mutable_occurred_at() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(absl::Now()));
  env.set_causation_id(in);
  env.set_correlation_id(in);
  env.set_schema_version(1);
  env.set_payload(added.SerializeAsString());
  env.set_producer("probe");
  return Record{kRawTopic, account, env.SerializeAsString(), {{"traceparent", kTraceparent}}};
}

// AssignedConsumer returns a group member that owns its partitions. Records met while joining are
// counted in `*seen` when given; otherwise the topic must be empty.
std::unique_ptr<Consumer> AssignedConsumer(const KafkaOptions& kafka, const std::string& group,
                                           const std::string& topic, int64_t* seen = nullptr) {
  ConsumerOptions co;
  co.kafka = kafka;
  co.group_id = group;
  co.topics = {topic};
  co.session_timeout = absl::Seconds(3);
  co.heartbeat_interval = absl::Milliseconds(300);
  auto c = Check(Consumer::Create(co), "consumer " + group);
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (c->Assignment().empty()) {
    if (absl::Now() > deadline) Die("consumer " + group + " got no assignment");
    auto m = Check(c->Poll(1, absl::Milliseconds(50)), "poll " + group);
    if (!m.empty() && seen == nullptr) Die("topic " + topic + " is not empty before the run");
    if (seen != nullptr) *seen += static_cast<int64_t>(m.size());
  }
  return c;
}

// ---------------------------------------------------------------------------------------------
// 2. Raw Kafka floor: produce N output-shaped records and consume them concurrently.

struct KafkaFloor {
  int64_t records = 0;
  int64_t bytes = 0;
  absl::Duration produce_acked;  // all acknowledged
  absl::Duration elapsed;        // all consumed
  double per_s() const { return Rate(records, elapsed); }
  std::vector<double> hop_ms;    // one record at a time: produce call -> consumed
  std::vector<std::pair<int, double>> produce_all_ms;  // chunk size -> ProduceAll p50
};

KafkaFloor BenchRawKafka(const KafkaOptions& kafka, const BenchConfig& cfg, CpuMeter* cpu) {
  KafkaFloor f;
  f.records = cfg.events;
  std::vector<Record> records;
  records.reserve(cfg.events);
  for (int64_t i = 0; i < cfg.events; ++i) {
    records.push_back(OutputShapedRecord(i, cfg.accounts));
    f.bytes += static_cast<int64_t>(records.back().value.size());
  }
  auto producer = Check(Producer::Create(kafka), "raw producer");
  // The first produce of a producer waits for its producer id and the topic's metadata: start-up,
  // not throughput. The warm-up record is consumed with the rest.
  Check(producer->ProduceAll({OutputShapedRecord(-1, cfg.accounts)}, cfg.timeout),
        "producer warm-up");
  int64_t seen_joining = 0;
  auto consumer = AssignedConsumer(kafka, "bench-raw", kRawTopic, &seen_joining);
  std::atomic<int64_t> consumed{seen_joining - 1};
  std::atomic<bool> stop{false};
  const CpuSnapshot c0 = cpu->Take();
  const absl::Time t0 = absl::Now();
  std::thread reader([&] {
    NameThread("bench-raw-read");
    while (!stop && consumed < f.records) {
      auto m = Check(consumer->Poll(4096, absl::Milliseconds(20)), "raw poll");
      consumed += static_cast<int64_t>(m.size());
    }
  });
  std::thread writer([&] {
    NameThread("bench-raw-write");
    Check(producer->ProduceAll(records, cfg.timeout), "raw produce");
    f.produce_acked = absl::Now() - t0;
  });
  writer.join();
  const absl::Time deadline = absl::Now() + cfg.timeout;
  while (consumed < f.records && absl::Now() < deadline) absl::SleepFor(absl::Microseconds(200));
  f.elapsed = absl::Now() - t0;
  const CpuSnapshot c1 = cpu->Take();
  stop = true;
  reader.join();
  if (consumed < f.records) Die("raw kafka floor: not every record was consumed in time");
  PrintCpu("raw produce+consume", c0, c1);
  // One hop's latency floor: a single record from the produce call until a consumer has it.
  for (int i = 0; i < 100; ++i) {
    const absl::Time t = absl::Now();
    Check(producer->ProduceAll({OutputShapedRecord(f.records + i, cfg.accounts)}, cfg.timeout),
          "hop produce");
    int64_t got = 0;
    while (got == 0 && absl::Now() - t < absl::Seconds(10)) {
      got = static_cast<int64_t>(Check(consumer->Poll(16, absl::Milliseconds(50)), "hop poll").size());
    }
    if (got == 0) Die("raw kafka hop: record not consumed");
    f.hop_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - t));
  }
  // ProduceAll (send and wait for every acknowledgement, as the outbox relay does) by chunk size.
  int64_t next = f.records + 100;
  for (int size : {1, 8, 64, 512, 2048}) {
    std::vector<double> ms;
    for (int rep = 0; rep < 15; ++rep) {
      std::vector<Record> chunk;
      for (int i = 0; i < size; ++i) chunk.push_back(OutputShapedRecord(next++, cfg.accounts));
      const absl::Time t = absl::Now();
      Check(producer->ProduceAll(chunk, cfg.timeout), "chunk produce");
      ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - t));
    }
    f.produce_all_ms.emplace_back(size, Percentile(ms, 0.5));
  }
  return f;
}

// ---------------------------------------------------------------------------------------------
// 3. End to end.

// TimedHandler wraps the ledger to account handler time and count unit-of-work batches (a batch
// shares one `now`).
class TimedHandler final : public platform::Handler {
 public:
  explicit TimedHandler(platform::Handler* inner) : inner_(inner) {}
  absl::StatusOr<platform::Effects> Apply(const std::optional<std::string>& state,
                                          const platform::Input& input, absl::Time now) override {
    const absl::Time t0 = absl::Now();
    auto r = inner_->Apply(state, input, now);
    nanos_ += absl::ToInt64Nanoseconds(absl::Now() - t0);
    ++applies_;
    if (now != last_now_) {
      last_now_ = now;
      ++batches_;
    }
    return r;
  }
  int64_t applies() const { return applies_; }
  int64_t batches() const { return batches_; }
  absl::Duration time() const { return absl::Nanoseconds(nanos_.load()); }

 private:
  platform::Handler* inner_;
  std::atomic<int64_t> nanos_{0}, applies_{0}, batches_{0};
  absl::Time last_now_;  // consumer thread only
};

// OutputCounter consumes probe.events and counts distinct event ids; for latency-probe inputs
// ("lat-<seq>", found as the output's causation id) it records produce->consume latency.
class OutputCounter {
 public:
  OutputCounter(std::unique_ptr<Consumer> consumer, int64_t latency_slots)
      : consumer_(std::move(consumer)), sent_nanos_(latency_slots) {
    for (auto& s : sent_nanos_) s.store(0);
    thread_ = std::thread([this] { Loop(); });
  }
  ~OutputCounter() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int64_t distinct() const { return distinct_; }
  int64_t duplicates() const { return duplicates_; }
  int64_t latency_seen() const { return latency_seen_; }
  pid_t tid() const { return tid_; }
  void MarkSent(int64_t seq, absl::Time t) { sent_nanos_[seq].store(absl::ToUnixNanos(t)); }
  struct Sample {
    int64_t seq = 0;
    double total_ms = 0, to_applied_ms = 0, to_relayed_ms = 0, to_consumed_ms = 0;
  };
  // Samples of latency inputs with seq >= first; call after Stop.
  std::vector<Sample> Latencies(int64_t first) const {
    std::vector<Sample> out;
    for (const Sample& s : latencies_) {
      if (s.seq >= first) out.push_back(s);
    }
    return out;
  }

 private:
  void Loop() {
    NameThread("bench-count");
    tid_ = static_cast<pid_t>(syscall(SYS_gettid));
    common::v1::Envelope env;
    while (!stop_) {
      auto msgs = consumer_->Poll(4096, absl::Milliseconds(20));
      if (!msgs.ok()) {
        std::fprintf(stderr, "output poll: %s\n", msgs.status().ToString().c_str());
        absl::SleepFor(absl::Milliseconds(50));
        continue;
      }
      const absl::Time now = absl::Now();
      for (const Message& m : *msgs) {
        if (!env.ParseFromString(m.value)) {
          ++undecodable_;
          continue;
        }
        if (!seen_.insert(env.event_id()).second) {
          ++duplicates_;
          continue;
        }
        int64_t seq = 0;
        if (absl::StartsWith(env.causation_id(), "lat-") &&
            absl::SimpleAtoi(absl::string_view(env.causation_id()).substr(4), &seq) &&
            seq >= 0 && seq < static_cast<int64_t>(sent_nanos_.size())) {
          const int64_t sent = sent_nanos_[seq].load();
          if (sent > 0) {
            // Segments: sent -> applied (the output's occurred_at is the unit of work's `now`),
            // applied -> relayed (the output record's Kafka timestamp, ms resolution),
            // relayed -> consumed here.
            const int64_t applied =
                google::protobuf::util::TimeUtil::TimestampToNanoseconds(env.occurred_at());
            const int64_t relayed = absl::ToUnixNanos(m.timestamp);
            const int64_t got = absl::ToUnixNanos(now);
            latencies_.push_back({seq, (got - sent) / 1e6, (applied - sent) / 1e6,
                                  (relayed - applied) / 1e6, (got - relayed) / 1e6});
          }
          ++latency_seen_;
        }
        ++distinct_;
      }
    }
  }

  std::unique_ptr<Consumer> consumer_;
  std::vector<std::atomic<int64_t>> sent_nanos_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<pid_t> tid_{0};
  std::atomic<int64_t> distinct_{0}, duplicates_{0}, undecodable_{0}, latency_seen_{0};
  std::unordered_set<std::string> seen_;
  std::vector<Sample> latencies_;
};

struct RedisStats {
  std::map<std::string, std::pair<int64_t, double>> commands;  // calls, usec
};

RedisStats CommandStats(RedisClient* client) {
  RedisStats s;
  Reply r = Check(client->Command({"INFO", "commandstats"}), "INFO commandstats");
  for (absl::string_view line : absl::StrSplit(r.str, '\n')) {
    // cmdstat_evalsha:calls=123,usec=456,usec_per_call=3.7,...
    if (!absl::ConsumePrefix(&line, "cmdstat_")) continue;
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos) continue;
    std::string name(line.substr(0, colon));
    int64_t calls = 0;
    double usec = 0;
    for (absl::string_view kv : absl::StrSplit(line.substr(colon + 1), ',')) {
      absl::string_view v = kv;
      if (absl::ConsumePrefix(&v, "calls=")) absl::SimpleAtoi(v, &calls);
      v = kv;
      if (absl::ConsumePrefix(&v, "usec=")) absl::SimpleAtod(v, &usec);
    }
    s.commands[name] = {calls, usec};
  }
  return s;
}

// PrintRedisStats lists the server-side time per command (nested script calls are counted in
// both the script and the command) and what the counts say about the relay loop.
void PrintRedisStats(const std::string& phase, const RedisStats& rs, absl::Duration wall) {
  std::printf("  redis commands during %s (server-side execution time; fsync and socket I/O not "
              "included; calls inside scripts are counted in the script too):\n",
              phase.c_str());
  double redis_usec = 0;
  std::vector<std::pair<double, std::string>> by_time;
  for (const auto& [name, cu] : rs.commands) {
    if (name != "hset" && name != "rpush" && name != "set" && name != "exists" &&
        name != "hget" && name != "lindex" && name != "lpop") {
      redis_usec += cu.second;  // top-level commands only
    }
    by_time.emplace_back(cu.second, name);
  }
  std::sort(by_time.rbegin(), by_time.rend());
  for (const auto& [usec, name] : by_time) {
    const auto& cu = rs.commands.at(name);
    if (usec < 1000) continue;
    std::printf("    %-14s %9" PRId64 " calls %8.3fs %8.2f us/call\n", name.c_str(), cu.first,
                usec / 1e6, cu.first > 0 ? usec / cu.first : 0);
  }
  std::printf("    %-14s %25.3fs (%.0f%% of the wall time)\n", "top-level total",
              redis_usec / 1e6, 100 * redis_usec / 1e6 / Seconds(wall));
  auto get = [&](const char* n) {
    auto it = rs.commands.find(n);
    return it == rs.commands.end() ? std::pair<int64_t, double>{0, 0} : it->second;
  };
  const int64_t reads = get("lrange").first;
  const auto trims = get("eval");
  if (reads > 0) {
    std::printf("    relay: %.0f outbox reads/s (one per owned shard per loop: ~%.1f ms per loop "
                "over %d shards); %" PRId64 " trims, %.2f ms server time each\n",
                reads / Seconds(wall), 1e3 * Seconds(wall) / (static_cast<double>(reads) / kShards),
                kShards, trims.first, trims.first > 0 ? trims.second / 1e3 / trims.first : 0);
  }
}

struct EndToEnd {
  int64_t inputs = 0;
  absl::Duration preproduce;
  absl::Duration joined;         // Start -> partitions assigned (consumer group join)
  absl::Duration first_commit;   // Start -> first unit committed
  absl::Duration all_committed;  // Start -> every input committed in Redis
  absl::Duration elapsed;        // Start -> every output counted on probe.events
  double steady_per_s = 0;       // outputs/s between 10% and 90% counted
  int64_t duplicates = 0;
  // Durable transitions per second once the processor owns its shards: the group join is a
  // fixed start-up cost (the embedded broker's join delay), not throughput.
  double per_s() const { return Rate(inputs, elapsed - joined); }
  double per_s_with_join() const { return Rate(inputs, elapsed); }
  // latency phase
  int64_t latency_sent = 0;
  int64_t latency_samples = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  double latency_rate_achieved = 0;
  // p50, p99 of the segments: produce -> applied, applied -> relayed, relayed -> consumed.
  std::pair<double, double> seg_applied, seg_relayed, seg_consumed;
  bool ledger_ok = false;
  int64_t ledger_count = 0;
};

EndToEnd BenchEndToEnd(const KafkaOptions& kafka, RedisClient* client,
                       const std::string& redis_address, const BenchConfig& cfg, CpuMeter* cpu) {
  EndToEnd e;
  e.inputs = cfg.events;
  const int64_t latency_total = cfg.latency_rate * absl::ToInt64Seconds(cfg.latency_duration +
                                                                        absl::Seconds(1)) +
                                1;
  OutputCounter counter(AssignedConsumer(kafka, "bench-count", testing::kProbeEventsTopic),
                        latency_total);

  // Pre-produce the inputs (not timed as pipeline work).
  auto producer = Check(Producer::Create(kafka), "input producer");
  Check(producer->ProduceAll({{"probe.dlq", "warm-up", "warm-up", {}}}, cfg.timeout),
        "producer warm-up");
  {
    std::vector<Record> records;
    records.reserve(cfg.events);
    for (int64_t i = 0; i < cfg.events; ++i) {
      const std::string account = Account(i % cfg.accounts);
      records.push_back(
          {testing::kProbeCommandsTopic, account, AddEnvelope(absl::StrCat("e-", i), account, i + 1),
           {}});
    }
    const absl::Time t0 = absl::Now();
    Check(producer->ProduceAll(records, cfg.timeout), "pre-produce inputs");
    e.preproduce = absl::Now() - t0;
  }

  testing::LedgerHandler ledger(/*reject_poison=*/false);
  TimedHandler handler(&ledger);
  platform::SystemClock clock;
  platform::ProcessorOptions po;
  po.service = "probe";
  po.input_topics = {testing::kProbeCommandsTopic};
  po.shards = kShards;
  po.max_batch = static_cast<int>(cfg.max_batch);
  po.relay_batch = static_cast<int>(cfg.relay_batch);
  po.poll_timeout = cfg.poll_timeout;
  po.offset_commit_interval = cfg.offset_commit_interval;
  po.session_timeout = absl::Seconds(3);
  po.heartbeat_interval = absl::Milliseconds(300);
  KafkaOptions pk = kafka;
  pk.client_id = "probe";
  if (!cfg.linger_ms.empty()) pk.extra["linger.ms"] = cfg.linger_ms;
  auto processor = Check(
      platform::EventProcessor::Create(po, pk, redis_address, &handler, &clock), "processor");

  Check(client->Command({"CONFIG", "RESETSTAT"}), "CONFIG RESETSTAT");
  std::set<int> before_tids;
  for (const auto& [tid, t] : cpu->Take().threads) before_tids.insert(tid);
  const CpuSnapshot c0 = cpu->Take();
  const absl::Time t0 = absl::Now();
  Check(processor->Start(), "processor start");
  std::vector<std::pair<absl::Time, int64_t>> progress;
  const absl::Time deadline = t0 + cfg.timeout;
  bool committed_all = false;
  while (absl::Now() < deadline) {
    // GetStatus does no Redis call while no shard is owned.
    if (processor->GetStatus().shards_size() > 0) {
      e.joined = absl::Now() - t0;
      break;
    }
    absl::SleepFor(absl::Milliseconds(1));
  }
  while (absl::Now() < deadline) {
    const int64_t units = processor->units_committed();
    const int64_t seen = counter.distinct();
    const absl::Time now = absl::Now();
    if (units > 0 && e.first_commit == absl::ZeroDuration()) e.first_commit = now - t0;
    if (!committed_all && units >= e.inputs) {
      committed_all = true;
      e.all_committed = now - t0;
    }
    if (progress.empty() || progress.back().second != seen) progress.emplace_back(now, seen);
    if (committed_all && seen >= e.inputs) break;
    absl::SleepFor(absl::Milliseconds(1));
  }
  e.elapsed = absl::Now() - t0;
  const CpuSnapshot c1 = cpu->Take();
  const RedisStats rs = CommandStats(client);
  if (counter.distinct() < e.inputs || processor->units_committed() < e.inputs) {
    Die(absl::StrCat("end to end: only ", processor->units_committed(), " committed and ",
                     counter.distinct(), " outputs seen after ", absl::FormatDuration(e.elapsed)));
  }
  e.duplicates = counter.duplicates();
  auto at = [&](int64_t n) {
    for (const auto& [t, s] : progress) {
      if (s >= n) return t;
    }
    return progress.back().first;
  };
  e.steady_per_s = Rate(e.inputs * 8 / 10, at(e.inputs * 9 / 10) - at(e.inputs / 10));

  // Thread labels: new threads without a name, in creation order, are the producer's poller,
  // the consume loop and the relay loop.
  std::map<int, std::string> labels;
  {
    std::vector<int> fresh;
    for (const auto& [tid, t] : c1.threads) {
      if (!before_tids.count(tid) && !absl::StartsWith(t.comm, "rdk:") &&
          !absl::StartsWith(t.comm, "bench-")) {
        fresh.push_back(tid);
      }
    }
    const char* names[] = {"producer delivery poller", "consume loop (poll+load+apply+commit)",
                           "relay loop (read outbox+produce+trim)"};
    for (size_t i = 0; i < fresh.size(); ++i) {
      labels[fresh[i]] = i < 3 ? names[i] : absl::StrCat("processor thread ", i);
    }
  }
  const int64_t runs = handler.batches();
  const int64_t applies = handler.applies();

  // Latency: steady-rate inputs through the warm pipeline.
  Check(client->Command({"CONFIG", "RESETSTAT"}), "CONFIG RESETSTAT");
  const CpuSnapshot l0 = cpu->Take();
  if (cfg.latency_rate > 0) {
    std::vector<double> produce_ms;  // ProduceAll of a small chunk, as the relay does
    const absl::Duration total = cfg.latency_warmup + cfg.latency_duration;
    const absl::Time start = absl::Now();
    int64_t sent = 0;
    int64_t first_measured = -1;
    std::vector<Record> chunk;
    while (true) {
      const absl::Time now = absl::Now();
      const absl::Duration since = now - start;
      if (since >= total) break;
      const int64_t due =
          std::min<int64_t>(latency_total, static_cast<int64_t>(Seconds(since) * cfg.latency_rate));
      if (first_measured < 0 && since >= cfg.latency_warmup) first_measured = sent;
      chunk.clear();
      for (; sent < due; ++sent) {
        const std::string account = Account((sent * 7919) % cfg.accounts);
        chunk.push_back({testing::kProbeCommandsTopic, account,
                         AddEnvelope(absl::StrCat("lat-", sent), account, 1), {}});
        counter.MarkSent(sent, now);
      }
      if (!chunk.empty()) {
        const absl::Time p0 = absl::Now();
        Check(producer->ProduceAll(chunk, cfg.timeout), "latency produce");
        produce_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - p0));
      }
      absl::SleepFor(absl::Milliseconds(2));
    }
    e.latency_sent = sent;
    e.latency_rate_achieved = Rate(sent, absl::Now() - start);
    const absl::Time wait_until = absl::Now() + absl::Seconds(30);
    while (counter.latency_seen() < sent && absl::Now() < wait_until) {
      absl::SleepFor(absl::Milliseconds(5));
    }
    const CpuSnapshot l1 = cpu->Take();
    counter.Stop();
    const auto samples = counter.Latencies(std::max<int64_t>(0, first_measured));
    std::vector<double> lat, seg_applied, seg_relayed, seg_consumed;
    for (const auto& s : samples) {
      lat.push_back(s.total_ms);
      seg_applied.push_back(s.to_applied_ms);
      seg_relayed.push_back(s.to_relayed_ms);
      seg_consumed.push_back(s.to_consumed_ms);
    }
    e.seg_applied = {Percentile(seg_applied, 0.5), Percentile(seg_applied, 0.99)};
    e.seg_relayed = {Percentile(seg_relayed, 0.5), Percentile(seg_relayed, 0.99)};
    e.seg_consumed = {Percentile(seg_consumed, 0.5), Percentile(seg_consumed, 0.99)};
    e.latency_samples = static_cast<int64_t>(lat.size());
    e.p50_ms = Percentile(lat, 0.50);
    e.p99_ms = Percentile(lat, 0.99);
    e.max_ms = Percentile(lat, 1.0);
    if (counter.latency_seen() < sent) {
      std::fprintf(stderr, "latency: only %" PRId64 " of %" PRId64 " outputs arrived\n",
                   counter.latency_seen(), sent);
    }
    std::printf("\n");
    PrintCpu(absl::StrCat("latency run at ", cfg.latency_rate, "/s"), l0, l1, labels);
    PrintRedisStats("the latency run", CommandStats(client), l1.at - l0.at);
    std::printf("  Producer::ProduceAll of a %.0f-record chunk (produce -> all acknowledged): "
                "p50 %.2f ms, p99 %.2f ms\n",
                static_cast<double>(sent) / std::max<size_t>(1, produce_ms.size()),
                Percentile(produce_ms, 0.5), Percentile(produce_ms, 0.99));
  } else {
    counter.Stop();
  }
  processor->Stop();

  // Exactly-once check on the ledger: the counts over all accounts add up to every input.
  UnitOfWorkStore store(client, "probe");
  int64_t total = 0;
  for (int64_t a = 0; a < cfg.accounts; a += 1000) {
    std::vector<platform::redis::LoadRequest> reqs;
    for (int64_t b = a; b < std::min(cfg.accounts, a + 1000); ++b) {
      reqs.push_back({core::KafkaPartitionOf(Account(b), kShards), Account(b), ""});
    }
    for (const auto& l : Check(store.Load(reqs), "ledger load")) {
      testing::v1::Ledger led;
      if (l.aggregate.state.has_value()) led.ParseFromString(*l.aggregate.state);
      total += led.count();
    }
  }
  e.ledger_count = total;
  e.ledger_ok = total == e.inputs + e.latency_sent;

  // Breakdown of the throughput run.
  std::printf("\n");
  PrintCpu("end-to-end throughput run", c0, c1, labels);
  std::printf("  processor: %" PRId64 " unit-of-work batches, %.1f inputs per batch; handler "
              "%.3fs in total (%.2f us per input)\n",
              runs, runs > 0 ? static_cast<double>(applies) / runs : 0.0,
              Seconds(handler.time()), applies > 0 ? 1e6 * Seconds(handler.time()) / applies : 0);
  PrintRedisStats("the throughput run", rs, e.elapsed);
  return e;
}

// ---------------------------------------------------------------------------------------------

int Main(int argc, char** argv) {
  const BenchConfig cfg = LoadConfig(argc, argv);
  setenv("CONCERTO_BIN_DIR", cfg.bin_dir.c_str(), 1);
  platform::InitLogging("platform-bench", "bench");
  platform::SetMinLogLevel(platform::LogLevel::kWarn);
  const absl::Time started = absl::Now();

  std::printf("platform_bench: %u cores online; bin-dir %s\n",
              static_cast<unsigned>(sysconf(_SC_NPROCESSORS_ONLN)), cfg.bin_dir.c_str());
  std::printf("starting redis-server (appendonly yes, appendfsync always) and the embedded "
              "broker...\n");
  std::fflush(stdout);
  auto redis = Check(testing::RedisServer::Start({.appendfsync = "always"}), "redis-server");
  testing::EmbeddedKafka::Options ko;
  ko.topics = {{testing::kProbeCommandsTopic, kShards},
               {testing::kProbeEventsTopic, kShards},
               {"probe.dlq", kShards},
               {kRawTopic, kShards}};
  auto broker = Check(testing::EmbeddedKafka::Start(ko), "embedded broker");
  KafkaOptions kafka;
  kafka.brokers = broker->bootstrap();
  kafka.client_id = "bench";
  kafka.extra = cfg.kafka_extra;
  CpuMeter cpu;
  cpu.FindChildren();
  auto client = Check(RedisClient::Connect(redis->address()), "redis connect");
  const std::string sha =
      Check(client->Command({"SCRIPT", "LOAD", kFloorScript}), "SCRIPT LOAD").str;
  const auto [ping_ms, set_ms] = RoundTrips(client.get());

  // 1. Commit path.
  std::printf("\n[1/3] commit path: %" PRId64 " units in batches of %" PRId64 "...\n",
              cfg.commit_units, cfg.commit_batch);
  std::fflush(stdout);
  CpuSnapshot c0 = cpu.Take();
  const CommitResult commit =
      BenchCommitPath(client.get(), sha, cfg, cfg.commit_units, cfg.commit_batch, "c");
  CpuSnapshot c1 = cpu.Take();
  PrintCpu("commit path (store and floor alternating)", c0, c1);

  // 2. Raw floors of the pipeline: Kafka produce+consume, and the minimal Lua commit at the
  // processor's batch size. The Redis floor is taken right before the end-to-end run and again
  // right after it, and the floor is their mean: on a shared machine a slow spell then weighs on
  // both sides of the ratio alike.
  std::printf("\n[2/3] raw floor: produce+consume of %" PRId64 " records, Lua commit in batches "
              "of %" PRId64 "...\n",
              cfg.events, cfg.max_batch);
  std::fflush(stdout);
  const KafkaFloor kfloor = BenchRawKafka(kafka, cfg, &cpu);
  const int64_t floor_units = std::max(cfg.commit_units, cfg.max_batch * 8);
  const CommitResult redis_before =
      BenchCommitPath(client.get(), sha, cfg, floor_units, cfg.max_batch, "p1");

  // 3. End to end.
  std::printf("\n[3/3] end to end: %" PRId64 " inputs over %" PRId64
              " accounts, then latency at %" PRId64 "/s...\n",
              cfg.events, cfg.accounts, cfg.latency_rate);
  std::fflush(stdout);
  const EndToEnd e2e = BenchEndToEnd(kafka, client.get(), redis->address(), cfg, &cpu);
  const CommitResult redis_after =
      BenchCommitPath(client.get(), sha, cfg, floor_units, cfg.max_batch, "p2");

  // Figures.
  const double raw_redis = (redis_before.floor.per_s() + redis_after.floor.per_s()) / 2;
  const double raw_redis_store = (redis_before.store.per_s() + redis_after.store.per_s()) / 2;
  const double raw_kafka = kfloor.per_s();
  const double floor = std::min(raw_redis, raw_kafka);
  const double transitions = e2e.per_s();
  const double floor_ratio = floor > 0 ? transitions / floor : 0;
  const double commit_ratio =
      commit.floor.per_s() > 0 ? commit.store.per_s() / commit.floor.per_s() : 0;

  std::printf("\n=== platform_bench results (%u cores) ===\n",
              static_cast<unsigned>(sysconf(_SC_NPROCESSORS_ONLN)));
  std::printf("%-58s %14s\n", "figure", "value");
  auto row = [](const std::string& name, const std::string& value) {
    std::printf("%-58s %14s\n", name.c_str(), value.c_str());
  };
  auto f0 = [](double v) { return Fmt("%.0f", v); };
  auto f2 = [](double v) { return Fmt("%.2f", v); };
  row("redis round trip: PING p50 (ms)", Fmt("%.3f", ping_ms));
  row("redis round trip: SET p50, one fsync (ms)", Fmt("%.3f", set_ms));
  row(absl::StrCat("commit: UnitOfWorkStore::Commit units/s (batch ", cfg.commit_batch, ")"),
      f0(commit.store.per_s()));
  row("commit: store batch latency p50 / p99 (ms)",
      absl::StrCat(f2(Percentile(commit.store.batch_ms, 0.5)), " / ",
                   f2(Percentile(commit.store.batch_ms, 0.99))));
  row(absl::StrCat("commit floor: Lua HSET+RPUSH+SET units/s (batch ", cfg.commit_batch, ")"),
      f0(commit.floor.per_s()));
  row("commit floor: batch latency p50 / p99 (ms)",
      absl::StrCat(f2(Percentile(commit.floor.batch_ms, 0.5)), " / ",
                   f2(Percentile(commit.floor.batch_ms, 0.99))));
  row("commit: ratio to floor", f2(commit_ratio));
  row(absl::StrCat("raw redis: Lua commit units/s (batch ", cfg.max_batch, ", mean)"),
      f0(raw_redis));
  row("raw redis: Lua commit units/s before / after e2e",
      absl::StrCat(f0(redis_before.floor.per_s()), " / ", f0(redis_after.floor.per_s())));
  row(absl::StrCat("raw redis: UnitOfWorkStore units/s (batch ", cfg.max_batch, ", mean)"),
      f0(raw_redis_store));
  row("raw kafka: produce+consume records/s", f0(raw_kafka));
  row("raw kafka: record bytes (avg value)",
      f0(static_cast<double>(kfloor.bytes) / std::max<int64_t>(1, kfloor.records)));
  row("raw kafka: produce acknowledged after (s)", f2(Seconds(kfloor.produce_acked)));
  row("raw kafka: one hop produce -> consumed p50 / p99 (ms)",
      absl::StrCat(f2(Percentile(kfloor.hop_ms, 0.5)), " / ", f2(Percentile(kfloor.hop_ms, 0.99))));
  {
    std::string v;
    for (const auto& [size, ms] : kfloor.produce_all_ms) {
      absl::StrAppend(&v, v.empty() ? "" : " ", size, ":", f2(ms));
    }
    std::printf("%-40s %32s\n", "raw kafka: ProduceAll p50 ms by chunk size", v.c_str());
  }
  row("e2e: pre-produce of inputs records/s (not in figures)", f0(Rate(e2e.inputs, e2e.preproduce)));
  row("e2e: start -> partitions assigned, group join (s)", f2(Seconds(e2e.joined)));
  row("e2e: start -> first unit committed (s)", f2(Seconds(e2e.first_commit)));
  row("e2e: start -> all inputs committed (s)", f2(Seconds(e2e.all_committed)));
  row("e2e: start -> all outputs on probe.events (s)", f2(Seconds(e2e.elapsed)));
  row("e2e: durable transitions/s (assigned -> all outputs)", f0(transitions));
  row("e2e: same, counting the group join", f0(e2e.per_s_with_join()));
  row("e2e: steady transitions/s (10% -> 90% of outputs)", f0(e2e.steady_per_s));
  row("e2e: floor = min(raw redis, raw kafka) per s", f0(floor));
  row("e2e: ratio to floor", f2(floor_ratio));
  row("e2e: duplicate outputs seen", absl::StrCat(e2e.duplicates));
  row("e2e: ledger counts add up (exactly once)",
      e2e.ledger_ok ? "yes" : absl::StrCat("NO (", e2e.ledger_count, ")"));
  row("latency: inputs sent / achieved rate per s",
      absl::StrCat(e2e.latency_sent, " / ", f0(e2e.latency_rate_achieved)));
  row("latency: samples after warm-up", absl::StrCat(e2e.latency_samples));
  row("latency: produce -> output consumed p50 / p99 / max (ms)",
      absl::StrCat(f2(e2e.p50_ms), " / ", f2(e2e.p99_ms), " / ", f2(e2e.max_ms)));
  auto seg = [&](const std::pair<double, double>& v) {
    return absl::StrCat(f2(v.first), " / ", f2(v.second));
  };
  row("  input produced -> applied in the unit of work p50 / p99", seg(e2e.seg_applied));
  row("  applied -> output produced by the relay p50 / p99", seg(e2e.seg_relayed));
  row("  output produced -> consumed downstream p50 / p99", seg(e2e.seg_consumed));
  row("targets: >= 20000 transitions/s, >= 0.50 of floor",
      absl::StrCat(transitions >= 20000 ? "met" : "missed", " / ",
                   floor_ratio >= 0.5 ? "met" : "missed"));
  row("bench wall time (s)", f2(Seconds(absl::Now() - started)));
  std::printf(
      "transitions_per_s=%.0f floor_ratio=%.2f p50_ms=%.2f p99_ms=%.2f commit_units_per_s=%.0f "
      "commit_floor_ratio=%.2f raw_kafka_per_s=%.0f raw_redis_per_s=%.0f join_s=%.2f "
      "transitions_with_join_per_s=%.0f\n",
      transitions, floor_ratio, e2e.p50_ms, e2e.p99_ms, commit.store.per_s(), commit_ratio,
      raw_kafka, raw_redis, Seconds(e2e.joined), e2e.per_s_with_join());
  std::fflush(stdout);
  return e2e.ledger_ok ? 0 : 1;
}

}  // namespace
}  // namespace concerto::bench

int main(int argc, char** argv) { return concerto::bench::Main(argc, argv); }
