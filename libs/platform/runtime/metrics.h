// Metrics for every service without an external library: counters, gauges and callback gauges
// in a registry rendered as Prometheus text format 0.0.4, and a tiny HTTP server for /metrics.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

namespace concerto::platform {

/// MetricLabels are a series' label names and values (rendered sorted by name).
using MetricLabels = std::map<std::string, std::string>;

/// Counter is a monotonically increasing integer; Increment is one relaxed atomic add.
class Counter {
 public:
  /// Increment adds `n` (callers pass n >= 0).
  void Increment(int64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  /// Value returns the current count.
  int64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

/// Gauge is a value that goes up and down; Set is one relaxed atomic store.
class Gauge {
 public:
  /// Set replaces the value.
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  /// Add adds `d` (may be negative).
  void Add(double d);
  /// Value returns the current value.
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

/// MetricsRegistry owns every metric of a process. Look a metric up once (it takes a lock) and
/// keep the pointer, which stays valid as long as the registry:
///   static Counter* handled = MetricsRegistry::Default().GetCounter(
///       "concerto_units_committed_total", "Units of work committed.", {{"shard", "3"}});
///   handled->Increment();
/// A name (or label name) with characters Prometheus does not allow has them replaced by '_'.
/// Asking for a name already registered with another type is a programming error: it is logged
/// and a working but unrendered metric is returned.
class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  /// Default returns the process-wide registry (never destroyed).
  static MetricsRegistry& Default();

  /// GetCounter returns the counter `name{labels}`, creating it (and its family) if needed.
  /// The first help text given for a name is the one rendered.
  Counter* GetCounter(std::string name, std::string help, MetricLabels labels = {});
  /// GetGauge returns the gauge `name{labels}`, creating it if needed.
  Gauge* GetGauge(std::string name, std::string help, MetricLabels labels = {});
  /// AddCallbackGauge registers (or replaces) a gauge whose value is read by calling `fn` at
  /// each Render, outside the registry's lock. `fn` must stay callable until removed.
  void AddCallbackGauge(std::string name, std::string help, MetricLabels labels,
                        std::function<double()> fn);
  /// RemoveCallbackGauge removes a callback gauge (call before what `fn` uses is destroyed).
  void RemoveCallbackGauge(std::string name, MetricLabels labels);

  /// Render returns every metric in Prometheus text format 0.0.4, families sorted by name and
  /// series by labels.
  std::string Render() const;

 private:
  struct Family;
  Family* GetFamily(std::string& name, std::string help, int type);

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>> families_;
};

/// MetricsHttpServer serves `GET /metrics` from a registry on one thread (poll loop, one
/// response per connection, then close); any other path is 404.
class MetricsHttpServer {
 public:
  /// Start listens on `bind_address:port` (port 0 picks a free port). UNAVAILABLE if the socket
  /// cannot be bound, INVALID_ARGUMENT for a bad address.
  static absl::StatusOr<std::unique_ptr<MetricsHttpServer>> Start(
      int port, MetricsRegistry* registry, std::string bind_address = "0.0.0.0");
  /// The destructor stops the thread and closes the socket.
  ~MetricsHttpServer();
  MetricsHttpServer(const MetricsHttpServer&) = delete;
  MetricsHttpServer& operator=(const MetricsHttpServer&) = delete;

  /// port returns the port actually listened on.
  int port() const { return port_; }
  /// Stop stops serving (idempotent).
  void Stop();

 private:
  MetricsHttpServer(int listen_fd, int wake_read_fd, int wake_write_fd, int port,
                    MetricsRegistry* registry);
  void Run();

  const int listen_fd_;
  const int wake_read_fd_;
  const int wake_write_fd_;
  const int port_;
  MetricsRegistry* const registry_;
  std::once_flag stop_once_;
  std::thread thread_;
};

/// FormatMetricValue writes a sample value as Prometheus expects ("+Inf", "-Inf", "NaN", or the
/// shortest decimal that reads back to the same double).
std::string FormatMetricValue(double v);

}  // namespace concerto::platform
