#include "libs/platform/kafka/internal/rdkafka_util.h"

#include <algorithm>
#include <climits>

#include "absl/strings/str_cat.h"

namespace concerto::platform::kafka::internal {
namespace {

absl::Status Set(rd_kafka_conf_t* conf, const std::string& name, const std::string& value) {
  char errstr[512];
  if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof(errstr)) !=
      RD_KAFKA_CONF_OK) {
    return absl::InvalidArgumentError(
        absl::StrCat("kafka config ", name, "=", value, ": ", errstr));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ConfPtr> BuildConf(const KafkaOptions& options,
                                  const std::map<std::string, std::string>& defaults) {
  ConfPtr conf(rd_kafka_conf_new());
  if (options.brokers.empty() && !options.extra.count("bootstrap.servers")) {
    return absl::InvalidArgumentError("kafka config: brokers is empty");
  }
  if (!options.brokers.empty()) {
    if (auto s = Set(conf.get(), "bootstrap.servers", options.brokers); !s.ok()) return s;
  }
  if (!options.client_id.empty()) {
    if (auto s = Set(conf.get(), "client.id", options.client_id); !s.ok()) return s;
  }
  for (const auto& [name, value] : defaults) {
    if (auto s = Set(conf.get(), name, value); !s.ok()) return s;
  }
  for (const auto& [name, value] : options.extra) {
    if (auto s = Set(conf.get(), name, value); !s.ok()) return s;
  }
  return conf;
}

absl::StatusCode ErrorCode(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
      return absl::StatusCode::kOk;
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR_INVALID_CONFIG:
    case RD_KAFKA_RESP_ERR_INVALID_PARTITIONS:
    case RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_REQUEST:
      return absl::StatusCode::kInvalidArgument;
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
      return absl::StatusCode::kNotFound;
    case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS:
      return absl::StatusCode::kAlreadyExists;
    case RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE:
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION:
      return absl::StatusCode::kUnimplemented;
    case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION:
    case RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID:
    case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
    case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
      return absl::StatusCode::kAborted;
    case RD_KAFKA_RESP_ERR__STATE:
    case RD_KAFKA_RESP_ERR__FENCED:
    case RD_KAFKA_RESP_ERR_FENCED_INSTANCE_ID:
      return absl::StatusCode::kFailedPrecondition;
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
      return absl::StatusCode::kPermissionDenied;
    case RD_KAFKA_RESP_ERR__FATAL:
      return absl::StatusCode::kInternal;
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
      return absl::StatusCode::kResourceExhausted;
    default:
      // Transport failures, timeouts, leader changes, coordinator moves, purges, ...: retry.
      return absl::StatusCode::kUnavailable;
  }
}

absl::Status KafkaError(rd_kafka_resp_err_t err, absl::string_view context) {
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return absl::OkStatus();
  return absl::Status(ErrorCode(err), absl::StrCat(context, ": ", rd_kafka_err2str(err)));
}

absl::Status KafkaError(rd_kafka_error_t* error, absl::string_view context) {
  if (error == nullptr) return absl::OkStatus();
  const absl::Status status(ErrorCode(rd_kafka_error_code(error)),
                            absl::StrCat(context, ": ", rd_kafka_error_string(error)));
  rd_kafka_error_destroy(error);
  return status;
}

int TimeoutMs(absl::Duration d) {
  if (d <= absl::ZeroDuration()) return 0;
  const int64_t ms = absl::ToInt64Milliseconds(absl::Ceil(d, absl::Milliseconds(1)));
  return static_cast<int>(std::min<int64_t>(ms, INT_MAX));
}

}  // namespace concerto::platform::kafka::internal
