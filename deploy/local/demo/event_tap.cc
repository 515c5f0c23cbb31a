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

absl::StatusOr<std::vector<common::v1::Envelope>> EventTap::Drain(absl::Duration timeout) {
  std::vector<common::v1::Envelope> out;
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    auto messages = consumer_->Poll(2000, absl::Milliseconds(20));
    if (!messages.ok()) return messages.status();
    for (const auto& m : *messages) {
      common::v1::Envelope env;
      if (!env.ParseFromString(m.value)) continue;
      if (!seen_.insert(env.event_id()).second) continue;  // a relayed duplicate
      out.push_back(std::move(env));
    }
    if (messages->empty() && !consumer_->Assignment().empty()) {
      // Nothing more at hand: done once the broker has nothing this reader has not read.
      auto lags = consumer_->BrokerLag();
      if (!lags.ok()) return lags.status();
      bool caught_up = true;
      for (const auto& l : *lags) caught_up = caught_up && l.lag == 0;
      if (caught_up) return out;
    }
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError("event tap: could not read up to the end of the streams");
    }
  }
}

}  // namespace concerto::demo
