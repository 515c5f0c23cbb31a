#include "deploy/local/kafka/mock_broker.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <algorithm>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace concerto::deploy::kafka {
namespace {

absl::Status MockError(rd_kafka_resp_err_t err, absl::string_view what) {
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(what, ": ", rd_kafka_err2str(err)));
}

absl::StatusOr<int> ParseInt(absl::string_view s, absl::string_view what) {
  int v = 0;
  if (!absl::SimpleAtoi(s, &v))
    return absl::InvalidArgumentError(absl::StrCat("bad ", what, ": ", s));
  return v;
}

}  // namespace

absl::StatusOr<std::unique_ptr<MockBroker>> MockBroker::Start(int brokers) {
  if (brokers < 1) return absl::InvalidArgumentError("--brokers must be >= 1");
  std::unique_ptr<MockBroker> b(new MockBroker());
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The handle only owns the cluster; keep it quiet and off the network.
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr));
  b->rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (b->rk_ == nullptr) {
    rd_kafka_conf_destroy(conf);
    return absl::InternalError(absl::StrCat("rd_kafka_new: ", errstr));
  }
  b->cluster_ = rd_kafka_mock_cluster_new(b->rk_, brokers);
  if (b->cluster_ == nullptr) return absl::InternalError("rd_kafka_mock_cluster_new failed");
  b->brokers_ = brokers;
  return b;
}

MockBroker::~MockBroker() {
  if (cluster_ != nullptr) rd_kafka_mock_cluster_destroy(cluster_);
  if (rk_ != nullptr) rd_kafka_destroy(rk_);
}

std::string MockBroker::bootstrap() const { return rd_kafka_mock_cluster_bootstraps(cluster_); }

absl::Status MockBroker::CreateTopic(const std::string& name, int partitions) {
  if (name.empty()) return absl::InvalidArgumentError("empty topic name");
  if (partitions < 1) return absl::InvalidArgumentError("partitions must be >= 1");
  return MockError(
      rd_kafka_mock_topic_create(cluster_, name.c_str(), partitions, std::min(3, brokers_)),
      absl::StrCat("create topic ", name));
}

absl::Status MockBroker::CheckBroker(int id) const {
  if (id < 1 || id > brokers_) {
    return absl::InvalidArgumentError(absl::StrCat("broker id ", id, " not in 1..", brokers_));
  }
  return absl::OkStatus();
}

absl::Status MockBroker::Run(absl::string_view line) {
  std::vector<absl::string_view> args =
      absl::StrSplit(absl::StripAsciiWhitespace(line), ' ', absl::SkipEmpty());
  if (args.empty()) return absl::InvalidArgumentError("empty command");
  const absl::string_view cmd = args[0];
  auto want = [&](size_t n) -> absl::Status {
    if (args.size() != n + 1) {
      return absl::InvalidArgumentError(absl::StrCat(cmd, " takes ", n, " argument(s)"));
    }
    return absl::OkStatus();
  };
  if (cmd == "ping") return want(0);
  if (cmd == "broker-down" || cmd == "broker-up") {
    if (auto s = want(1); !s.ok()) return s;
    auto id = ParseInt(args[1], "broker id");
    if (!id.ok()) return id.status();
    if (auto s = CheckBroker(*id); !s.ok()) return s;
    return MockError(cmd == "broker-down" ? rd_kafka_mock_broker_set_down(cluster_, *id)
                                          : rd_kafka_mock_broker_set_up(cluster_, *id),
                     cmd);
  }
  if (cmd == "create-topic") {
    if (auto s = want(2); !s.ok()) return s;
    auto partitions = ParseInt(args[2], "partition count");
    if (!partitions.ok()) return partitions.status();
    return CreateTopic(std::string(args[1]), *partitions);
  }
  if (cmd == "push-errors") {
    if (auto s = want(3); !s.ok()) return s;
    auto api_key = ParseInt(args[1], "api key");
    if (!api_key.ok()) return api_key.status();
    auto count = ParseInt(args[2], "count");
    if (!count.ok()) return count.status();
    auto code = ParseInt(args[3], "error code");
    if (!code.ok()) return code.status();
    if (*api_key < 0 || *api_key > INT16_MAX || *count < 0) {
      return absl::InvalidArgumentError("push-errors: api key or count out of range");
    }
    const std::vector<rd_kafka_resp_err_t> errors(*count, static_cast<rd_kafka_resp_err_t>(*code));
    rd_kafka_mock_push_request_errors_array(cluster_, static_cast<int16_t>(*api_key), errors.size(),
                                            errors.data());
    return absl::OkStatus();
  }
  if (cmd == "rtt") {
    if (auto s = want(2); !s.ok()) return s;
    auto id = ParseInt(args[1], "broker id");
    if (!id.ok()) return id.status();
    auto ms = ParseInt(args[2], "rtt");
    if (!ms.ok()) return ms.status();
    if (auto s = CheckBroker(*id); !s.ok()) return s;
    if (*ms < 0) return absl::InvalidArgumentError("rtt must be >= 0");
    return MockError(rd_kafka_mock_broker_set_rtt(cluster_, *id, *ms), "rtt");
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown command: ", cmd));
}

std::string MockBroker::Execute(absl::string_view line) {
  const absl::Status s = Run(line);
  if (s.ok()) return "ok";
  return absl::StrCat("error ", s.message());
}

}  // namespace concerto::deploy::kafka
