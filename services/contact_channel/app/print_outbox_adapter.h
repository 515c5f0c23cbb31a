// PrintOutboxAdapter: letters into the print outbox folder (--print-outbox=DIR) that a print
// provider collects. Each letter is "<attempt id>.pdf", written atomically (temporary file,
// fsync, rename, fsync of the folder), after its address sheet "<attempt id>.address.txt" (the
// postal address the provider merges; the PDF never holds it). A file that already exists is
// the same letter: writing is idempotent, so a crashed send is simply repeated.
#pragma once

#include <string>

#include "services/contact_channel/app/channel_adapter.h"

namespace concerto::contact {

// PrintOutboxAdapter writes letters into one folder.
class PrintOutboxAdapter final : public ChannelAdapter {
 public:
  explicit PrintOutboxAdapter(std::string dir) : dir_(std::move(dir)) {}
  std::string provider() const override { return "print-outbox"; }
  bool deduplicates() const override { return true; }
  // Send: accepted once the PDF is in the folder (provider id = its file name); a letter
  // without a document or address is rejected; a file-system error is transient.
  SendResult Send(const OutboundMessage& message) override;

 private:
  const std::string dir_;
};

// WriteFileAtomically writes `content` to `path` through "<path>.tmp", fsync and rename, then
// fsyncs the folder. INTERNAL names the step that failed (never the content).
absl::Status WriteFileAtomically(const std::string& path, const std::string& content);

}  // namespace concerto::contact

namespace concerto::contact {

// MessageOutboxAdapter is the local stack's stand-in for an e-mail relay or SMS provider
// (--message-outbox=DIR): each message becomes "<attempt id>.<channel>.txt" in DIR (recipient,
// subject, body), written atomically, so a developer reads what debtors would have received.
// Like the print outbox, an existing file is the same message: it deduplicates.
class MessageOutboxAdapter final : public ChannelAdapter {
 public:
  explicit MessageOutboxAdapter(std::string dir) : dir_(std::move(dir)) {}
  std::string provider() const override { return "message-outbox"; }
  bool deduplicates() const override { return true; }
  SendResult Send(const OutboundMessage& message) override;

 private:
  const std::string dir_;
};

}  // namespace concerto::contact
