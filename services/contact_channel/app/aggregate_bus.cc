#include "services/contact_channel/app/aggregate_bus.h"

#include "libs/platform/runtime/field_errors.h"
#include "services/contact_channel/app/contact_handler.h"

namespace concerto::contact {

absl::StatusOr<platform::ItemOutcome> ProcessorBus::Execute(platform::Input input) {
  return processor_->Execute(std::move(input));
}

absl::StatusOr<std::optional<std::string>> ProcessorBus::Read(const std::string& key) {
  return processor_->ReadAggregate(key);
}

absl::StatusOr<std::optional<std::string>> ProcessorBus::LookupIndex(const std::string& field) {
  return processor_->LookupIndex(field);
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ProcessorBus::Scan(
    const std::string& prefix) {
  return processor_->ScanAggregates(prefix);
}

std::set<int> ProcessorBus::OwnedShards() {
  absl::MutexLock lock(&mu_);
  // GetStatus reads lags and outboxes: refreshed at most once a second.
  if (absl::Now() - owned_at_ >= absl::Seconds(1)) {
    owned_.clear();
    const platform::v1::Status status = processor_->GetStatus();
    for (const auto& s : status.shards()) owned_.insert(s.shard());
    owned_at_ = absl::Now();
  }
  return owned_;
}

bool ProcessorBus::Owns(const std::string& key) {
  return OwnedShards().count(processor_->ShardOf(key)) > 0;
}

bool ProcessorBus::Ready() { return !OwnedShards().empty(); }

platform::Input CommandInput(const std::string& tenant, std::string id, std::string aggregate_key,
                             const app::ContactCommand& command) {
  platform::Input in;
  in.kind = platform::Input::Kind::kCommand;
  in.id = std::move(id);
  in.aggregate_key = std::move(aggregate_key);
  in.tenant = tenant;
  in.command = command.SerializeAsString();
  return in;
}

absl::Status RunCommand(AggregateBus* bus, platform::Input input, google::protobuf::Message* reply,
                        bool same_command) {
  const std::string command = input.command;
  absl::StatusOr<platform::ItemOutcome> outcome = bus->Execute(std::move(input));
  if (!outcome.ok()) return outcome.status();
  using Kind = platform::ItemOutcome::Kind;
  switch (outcome->kind) {
    case Kind::kApplied:
    case Kind::kDuplicate: {
      app::StoredReply stored;
      if (!stored.ParseFromString(outcome->result)) {
        return absl::InternalError("stored reply does not decode");
      }
      if (same_command && outcome->kind == Kind::kDuplicate && stored.command() != command) {
        return platform::InvalidArgument(
            {{"context.idempotency_key", "already used for a different request"}});
      }
      if (reply != nullptr && !reply->ParseFromString(stored.reply())) {
        return absl::InternalError("stored reply does not decode");
      }
      return absl::OkStatus();
    }
    case Kind::kRejected: {
      const absl::Status& s = outcome->handler_status;
      if (s.GetPayload(kNotFoundPayload).has_value()) return absl::NotFoundError(s.message());
      if (s.GetPayload(kAbortedPayload).has_value()) return absl::AbortedError(s.message());
      return s;
    }
    default:
      return outcome->handler_status.ok() ? absl::InternalError("command was not applied")
                                          : outcome->handler_status;
  }
}

}  // namespace concerto::contact
