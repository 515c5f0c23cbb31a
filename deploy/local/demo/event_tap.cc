#include "deploy/local/demo/event_tap.h"

namespace concerto::demo {

absl::StatusOr<std::unique_ptr<EventTap>> EventTap::Create(const std::string& brokers,
                                                           const std::string& group,
                                                           const std::vector<std::string>& topics) {
  platform::kafka::ConsumerOptions options;
  options.kafka.brokers = brokers;
  options.group_id = group;
  options.topics = topics;
  auto consumer = platform::kafka::Consumer::Create(options);
  if (!consumer.ok()) return consumer.status();
  return std::unique_ptr<EventTap>(new EventTap(*std::move(consumer)));
}

absl::StatusOr<std::vector<common::v1::Envelope>> EventTap::Drain(absl::Duration quiet,
                                                                 absl::Duration timeout) {
  std::vector<common::v1::Envelope> out;
  const absl::Time deadline = absl::Now() + timeout;
  absl::Time last_message = absl::Now();
  while (true) {
    auto messages = consumer_->Poll(2000, absl::Milliseconds(50));
    if (!messages.ok()) return messages.status();
    for (const auto& m : *messages) {
      last_message = absl::Now();
      common::v1::Envelope env;
      if (!env.ParseFromString(m.value)) continue;
      if (!seen_.insert(env.event_id()).second) continue;  // a relayed duplicate
      out.push_back(std::move(env));
    }
    const bool joined = !consumer_->Assignment().empty();
    if (joined && messages->empty() && absl::Now() - last_message >= quiet) return out;
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError("event tap: the streams did not go quiet");
    }
  }
}

}  // namespace concerto::demo
