// Named fault-injection points for crash tests. A process started with
// CONCERTO_FAULT=<name>[:<n>] kills itself with SIGKILL the n-th time (default 1st) execution
// passes the point <name>. Unset (production): one relaxed load, nothing else.
#pragma once

#include "absl/strings/string_view.h"

namespace concerto::platform {

// Points used by the platform:
//   after_commit_before_offset  Redis commit done, Kafka offset not yet committed
//   relay_after_produce         outbox published and acknowledged, entries not yet removed
//   timer_after_commit          a fired timer's unit of work committed
void FaultPoint(absl::string_view name);

}  // namespace concerto::platform
