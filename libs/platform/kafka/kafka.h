// The Kafka adapter in one include: producer, consumer-group member, topic creation and trace
// header helpers over librdkafka. Only adapters and main.cc files include this.
#pragma once

#include "libs/platform/kafka/admin.h"        // IWYU pragma: export
#include "libs/platform/kafka/consumer.h"     // IWYU pragma: export
#include "libs/platform/kafka/producer.h"     // IWYU pragma: export
#include "libs/platform/kafka/traceparent.h"  // IWYU pragma: export
#include "libs/platform/kafka/types.h"        // IWYU pragma: export
