// Private helpers of the Kafka adapter: building librdkafka configurations from KafkaOptions and
// mapping librdkafka error codes to canonical absl::Status codes. Not for use outside this folder.
#pragma once

#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/platform/kafka/types.h"

namespace concerto::platform::kafka::internal {

// ConfDeleter destroys an rd_kafka_conf_t that was not handed to rd_kafka_new.
struct ConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;

// BuildConf applies, in order: bootstrap.servers and client.id from `options`, `defaults`, then
// `options.extra` (which overrides everything). Unknown or invalid properties are
// INVALID_ARGUMENT.
absl::StatusOr<ConfPtr> BuildConf(const KafkaOptions& options,
                                  const std::map<std::string, std::string>& defaults);

// ErrorCode maps a librdkafka error to a canonical code: transport and timeouts are UNAVAILABLE,
// invalid arguments/configuration INVALID_ARGUMENT, group generation races ABORTED.
absl::StatusCode ErrorCode(rd_kafka_resp_err_t err);

// KafkaError builds a status "<context>: <librdkafka message>" with the mapped code (OK for
// RD_KAFKA_RESP_ERR_NO_ERROR).
absl::Status KafkaError(rd_kafka_resp_err_t err, absl::string_view context);

// KafkaError for an rd_kafka_error_t (which it destroys).
absl::Status KafkaError(rd_kafka_error_t* error, absl::string_view context);

// TimeoutMs converts a duration to a librdkafka timeout in milliseconds (>= 0, saturating).
int TimeoutMs(absl::Duration d);

}  // namespace concerto::platform::kafka::internal
