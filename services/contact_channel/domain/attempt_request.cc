#include "services/contact_channel/domain/attempt_request.h"

namespace concerto::contact {

v1::Channel ToContactChannel(dunning::v1::Channel channel) {
  return static_cast<v1::Channel>(static_cast<int>(channel));
}

AttemptRequest FromContactRequested(const std::string& tenant,
                                    const dunning::v1::ContactRequested& event) {
  AttemptRequest r;
  r.tenant = tenant;
  for (int c : event.channels()) r.channels.push_back(ToContactChannel(dunning::v1::Channel(c)));
  return r;
}

AttemptRequest FromCallTaskRequested(const std::string& tenant,
                                     const dunning::v1::CallTaskRequested& /*event*/) {
  return AttemptRequest{tenant, {v1::CHANNEL_PHONE}};
}

AttemptRequest FromFinalNoticeRequested(const std::string& tenant,
                                        const dunning::v1::FinalNoticeRequested& event) {
  AttemptRequest r;
  r.tenant = tenant;
  for (int c : event.channels()) r.channels.push_back(ToContactChannel(dunning::v1::Channel(c)));
  if (r.channels.empty()) r.channels.push_back(v1::CHANNEL_LETTER);
  return r;
}

}  // namespace concerto::contact
