#include "libs/platform/redis/redis_client.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace concerto::platform::redis {
namespace {

Reply Convert(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = Reply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::kArray;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      break;
    default:
      out.type = Reply::Type::kNil;
  }
  return out;
}

// Transient server states: the command did not run; retrying later is right.
bool IsTransientError(const Reply& r) {
  return r.IsError() && (absl::StartsWith(r.str, "LOADING") || absl::StartsWith(r.str, "BUSY") ||
                         absl::StartsWith(r.str, "MASTERDOWN") ||
                         absl::StartsWith(r.str, "TRYAGAIN"));
}

}  // namespace

RedisClient::RedisClient(std::string host, int port, absl::Duration timeout)
    : host_(std::move(host)), port_(port), timeout_(timeout) {
  address_ = absl::StrCat(host_, ":", port_);
}

RedisClient::~RedisClient() {
  absl::MutexLock lock(&mu_);
  DropLocked();
}

absl::StatusOr<std::unique_ptr<RedisClient>> RedisClient::Connect(const std::string& address,
                                                                  absl::Duration timeout) {
  const auto colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port) ||
      port <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("redis: address '", address, "' is not host:port"));
  }
  std::unique_ptr<RedisClient> client(new RedisClient(address.substr(0, colon), port, timeout));
  {
    absl::MutexLock lock(&client->mu_);
    absl::Status s = client->EnsureConnectedLocked();
    if (!s.ok()) return s;
  }
  return client;
}

void RedisClient::DropLocked() {
  if (ctx_ != nullptr) {
    redisFree(ctx_);
    ctx_ = nullptr;
  }
}

absl::Status RedisClient::EnsureConnectedLocked() {
  if (ctx_ != nullptr && ctx_->err == 0) return absl::OkStatus();
  DropLocked();
  redisContext* c = redisConnectWithTimeout(host_.c_str(), port_, absl::ToTimeval(timeout_));
  if (c == nullptr || c->err != 0) {
    std::string why = c != nullptr ? c->errstr : "out of memory";
    if (c != nullptr) redisFree(c);
    return absl::UnavailableError(absl::StrCat("redis ", address_, ": ", why));
  }
  redisSetTimeout(c, absl::ToTimeval(timeout_));
  ctx_ = c;
  ++generation_;
  return absl::OkStatus();
}

uint64_t RedisClient::generation() const {
  absl::MutexLock lock(&mu_);
  return generation_;
}

absl::StatusOr<Reply> RedisClient::Command(const std::vector<std::string>& args) {
  absl::StatusOr<std::vector<Reply>> replies = Pipeline({args});
  if (!replies.ok()) return replies.status();
  Reply r = std::move((*replies)[0]);
  if (IsTransientError(r)) return absl::UnavailableError(absl::StrCat("redis: ", r.str));
  return r;
}

absl::StatusOr<std::vector<Reply>> RedisClient::Pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  absl::MutexLock lock(&mu_);
  absl::Status s = EnsureConnectedLocked();
  if (!s.ok()) return s;
  std::vector<const char*> argv;
  std::vector<size_t> argvlen;
  for (const auto& cmd : commands) {
    argv.clear();
    argvlen.clear();
    for (const auto& a : cmd) {
      argv.push_back(a.data());
      argvlen.push_back(a.size());
    }
    if (redisAppendCommandArgv(ctx_, static_cast<int>(argv.size()), argv.data(),
                               argvlen.data()) != REDIS_OK) {
      std::string why = ctx_->errstr;
      DropLocked();
      return absl::UnavailableError(absl::StrCat("redis ", address_, ": ", why));
    }
  }
  std::vector<Reply> out;
  out.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) {
      std::string why = ctx_->errstr;
      DropLocked();
      // Some commands of the pipeline may have run: callers make every command idempotent or
      // check-and-set (the unit-of-work script is both).
      return absl::UnavailableError(absl::StrCat("redis ", address_, ": ", why));
    }
    auto* reply = static_cast<redisReply*>(raw);
    out.push_back(Convert(reply));
    freeReplyObject(reply);
  }
  return out;
}

}  // namespace concerto::platform::redis
