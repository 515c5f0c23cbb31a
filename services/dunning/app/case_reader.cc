#include "services/dunning/app/case_reader.h"

#include <algorithm>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "libs/core/stable_hash.h"
#include "services/dunning/app/dunning_handler.h"
#include "services/dunning/domain/case_engine.h"

namespace concerto::dunning {
namespace {

constexpr int kScanCount = 500;
constexpr int kMaxPageSize = 500;
constexpr int kDefaultPageSize = 50;

using platform::redis::Reply;

bool Before(const WorklistKey& a, const WorklistKey& b) {
  if (a.balance != b.balance) return a.balance > b.balance;
  return a.debtor_id < b.debtor_id;
}

WorklistKey KeyOf(const v1::Case& c) { return {OpenBalance(c), c.debtor_id()}; }

std::string CurrencyOf(const v1::Case& c) {
  for (const auto& inv : c.invoices()) {
    if (!inv.open_balance().currency().empty()) return inv.open_balance().currency();
  }
  return c.placed_value().currency();
}

}  // namespace

CaseReader::CaseReader(std::unique_ptr<platform::redis::RedisClient> client, int shards,
                       std::string ns)
    : client_(std::move(client)), store_(client_.get(), std::move(ns)), shards_(shards) {}

absl::StatusOr<std::optional<v1::Case>> CaseReader::Get(const std::string& tenant,
                                                        const std::string& debtor_id) {
  const std::string key = CaseKey(tenant, debtor_id);
  auto loaded = store_.Load({{core::KafkaPartitionOf(key, shards_), key, ""}});
  if (!loaded.ok()) return loaded.status();
  const auto& agg = (*loaded)[0].aggregate;
  if (!agg.state.has_value()) return std::optional<v1::Case>();
  v1::Case c;
  if (!c.ParseFromString(*agg.state)) return absl::DataLossError("case state does not decode");
  // The key names the tenant; the stored case must agree (defence in depth).
  if (c.tenant() != tenant || c.debtor_id() != debtor_id) return std::optional<v1::Case>();
  return std::optional<v1::Case>(std::move(c));
}

absl::StatusOr<std::vector<v1::Case>> CaseReader::Scan(const std::string& tenant) {
  std::vector<v1::Case> out;
  for (int shard = 0; shard < shards_; ++shard) {
    // Tenants are restricted to [A-Za-z0-9._-] (no glob characters, no '/'), so the pattern
    // matches exactly this tenant's cases of this shard.
    const std::string pattern = store_.AggregateKey(shard, absl::StrCat(tenant, "/*"));
    std::string cursor = "0";
    do {
      auto reply = client_->Command(
          {"SCAN", cursor, "MATCH", pattern, "COUNT", absl::StrCat(kScanCount)});
      if (!reply.ok()) return reply.status();
      if (reply->IsError()) return absl::UnavailableError(absl::StrCat("redis SCAN: ", reply->str));
      if (reply->elements.size() != 2) return absl::InternalError("redis SCAN: unexpected reply");
      cursor = reply->elements[0].str;
      const std::vector<Reply>& keys = reply->elements[1].elements;
      if (keys.empty()) continue;
      std::vector<std::vector<std::string>> cmds;
      cmds.reserve(keys.size());
      for (const Reply& k : keys) cmds.push_back({"HGET", k.str, "s"});
      auto states = client_->Pipeline(cmds);
      if (!states.ok()) return states.status();
      for (const Reply& s : *states) {
        if (s.IsError()) return absl::UnavailableError(absl::StrCat("redis HGET: ", s.str));
        if (s.type != Reply::Type::kString) continue;  // removed since the SCAN
        v1::Case c;
        if (!c.ParseFromString(s.str)) return absl::DataLossError("case state does not decode");
        if (c.tenant() != tenant) continue;
        out.push_back(std::move(c));
      }
    } while (cursor != "0");
  }
  return out;
}

absl::StatusOr<v1::ListCasesResponse> CaseReader::List(const v1::ListCasesRequest& request,
                                                       absl::CivilDay today) {
  std::optional<WorklistKey> after;
  if (!request.page_token().empty()) {
    auto key = DecodePageToken(request.page_token());
    if (!key.ok()) return key.status();
    after = *key;
  }
  auto all = Scan(request.context().tenant());
  if (!all.ok()) return all.status();
  std::vector<v1::Case> matching;
  for (v1::Case& c : *all) {
    if (Matches(c, request, today)) matching.push_back(std::move(c));
  }
  return Paginate(std::move(matching), after, request.page_size(), today);
}

int DaysPastDue(const v1::Case& c, absl::CivilDay today) {
  std::optional<absl::CivilDay> oldest;
  for (const auto& inv : c.invoices()) {
    if (inv.open_balance().minor_units() <= 0 || inv.disputed()) continue;
    const absl::CivilDay due = ToCivilDay(inv.due_date());
    if (!oldest || due < *oldest) oldest = due;
  }
  if (!oldest || *oldest >= today) return 0;
  return static_cast<int>(today - *oldest);
}

bool Matches(const v1::Case& c, const v1::ListCasesRequest& r, absl::CivilDay today) {
  if (r.states().empty()) {
    if (!IsOpen(c.state())) return false;
  } else if (std::find(r.states().begin(), r.states().end(), c.state()) == r.states().end()) {
    return false;
  }
  if (!r.agent().empty() && c.agent() != r.agent()) return false;
  if (!r.strategy_id().empty() && c.assignment().strategy_id() != r.strategy_id()) return false;
  if (!r.segment().empty() && c.assignment().segment() != r.segment()) return false;
  if (r.has_min_balance()) {
    if (!r.min_balance().currency().empty() && CurrencyOf(c) != r.min_balance().currency()) {
      return false;
    }
    if (OpenBalance(c) < r.min_balance().minor_units()) return false;
  }
  if (r.min_days_past_due() > 0 && DaysPastDue(c, today) < r.min_days_past_due()) return false;
  return true;
}

v1::CaseSummary Summarize(const v1::Case& c, absl::CivilDay today) {
  v1::CaseSummary s;
  s.set_debtor_id(c.debtor_id());
  s.set_state(c.state());
  s.set_next_step(c.next_step());
  *s.mutable_assignment() = c.assignment();
  s.mutable_balance()->set_minor_units(OpenBalance(c));
  s.mutable_balance()->set_currency(CurrencyOf(c));
  s.set_days_past_due(DaysPastDue(c, today));
  s.set_agent(c.agent());
  if (c.has_timer_due()) *s.mutable_next_action_at() = c.timer_due();
  if (!c.timeline().empty()) s.set_last_reason(c.timeline(c.timeline_size() - 1).reason());
  return s;
}

std::string EncodePageToken(const WorklistKey& key) {
  return absl::WebSafeBase64Escape(absl::StrCat(key.balance, "\n", key.debtor_id));
}

absl::StatusOr<WorklistKey> DecodePageToken(const std::string& token) {
  std::string raw;
  const auto bad = absl::InvalidArgumentError("page_token: not a token of this worklist");
  if (!absl::WebSafeBase64Unescape(token, &raw)) return bad;
  const size_t nl = raw.find('\n');
  if (nl == std::string::npos) return bad;
  WorklistKey key;
  if (!absl::SimpleAtoi(absl::string_view(raw).substr(0, nl), &key.balance)) return bad;
  key.debtor_id = raw.substr(nl + 1);
  return key;
}

v1::ListCasesResponse Paginate(std::vector<v1::Case> cases,
                               const std::optional<WorklistKey>& after, int page_size,
                               absl::CivilDay today) {
  const size_t size = static_cast<size_t>(
      page_size <= 0 ? kDefaultPageSize : std::min(page_size, kMaxPageSize));
  std::sort(cases.begin(), cases.end(),
            [](const v1::Case& a, const v1::Case& b) { return Before(KeyOf(a), KeyOf(b)); });
  auto it = cases.begin();
  if (after.has_value()) {
    it = std::upper_bound(cases.begin(), cases.end(), *after,
                          [](const WorklistKey& k, const v1::Case& c) { return Before(k, KeyOf(c)); });
  }
  v1::ListCasesResponse out;
  for (; it != cases.end() && static_cast<size_t>(out.cases_size()) < size; ++it) {
    *out.add_cases() = Summarize(*it, today);
  }
  if (it != cases.end() && out.cases_size() > 0) {
    const auto& last = out.cases(out.cases_size() - 1);
    out.set_next_page_token(EncodePageToken({last.balance().minor_units(), last.debtor_id()}));
  }
  return out;
}

}  // namespace concerto::dunning
