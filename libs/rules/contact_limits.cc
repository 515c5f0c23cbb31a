#include "libs/rules/contact_limits.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace concerto::rules {
namespace {

// Reg F counts 7 consecutive days: the proposed day and the 6 before it; a conversation blocks
// its own day and the 6 after it.
constexpr int kWindowDays = 7;

std::string Day(absl::CivilDay d) { return absl::FormatCivilTime(d); }

int CallsInWindow(const std::vector<absl::CivilDay>& days, absl::CivilDay end) {
  const absl::CivilDay begin = end - (kWindowDays - 1);
  return static_cast<int>(std::count_if(days.begin(), days.end(),
                                        [&](absl::CivilDay d) { return d >= begin && d <= end; }));
}

// LatestBlockingConversation returns true and sets `conv` to the latest conversation day whose
// 7-day block covers `day`.
bool BlockingConversation(const std::vector<absl::CivilDay>& conversations, absl::CivilDay day,
                          absl::CivilDay* conv) {
  bool found = false;
  for (absl::CivilDay c : conversations) {
    if (c <= day && day <= c + (kWindowDays - 1) && (!found || c > *conv)) {
      *conv = c;
      found = true;
    }
  }
  return found;
}

int SecondsOfDay(int h, int m, int s) { return h * 3600 + m * 60 + s; }

std::string Hms(LocalTimeOfDay t) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", t.hour, t.minute, t.second);
  return buf;
}

std::string Hm(LocalTimeOfDay t) {
  char buf[16];
  if (t.second == 0) {
    std::snprintf(buf, sizeof buf, "%02d:%02d", t.hour, t.minute);
    return buf;
  }
  return Hms(t);
}

}  // namespace

CallCapDecision CallCapCheck(const std::vector<CallRecord>& history, absl::Time proposed,
                             absl::TimeZone zone) {
  std::vector<absl::CivilDay> days;
  std::vector<absl::CivilDay> conversations;
  days.reserve(history.size());
  for (const CallRecord& call : history) {
    const absl::CivilDay d = absl::ToCivilDay(call.at, zone);
    days.push_back(d);
    if (call.conversation) conversations.push_back(d);
  }

  CallCapDecision out;
  out.proposed_day = absl::ToCivilDay(proposed, zone);
  out.calls_in_window = CallsInWindow(days, out.proposed_day);

  absl::CivilDay conv;
  const bool conv_blocks = BlockingConversation(conversations, out.proposed_day, &conv);
  const bool cap_blocks = out.calls_in_window >= kRegFMaxCallsIn7Days;

  // Earliest permitted day: every history day is at most 7 days of blocking, so the search ends
  // at the latest history day + 7 at most.
  absl::CivilDay candidate = out.proposed_day;
  absl::CivilDay scratch;
  while (CallsInWindow(days, candidate) >= kRegFMaxCallsIn7Days ||
         BlockingConversation(conversations, candidate, &scratch)) {
    ++candidate;
  }
  out.earliest_permitted_day = candidate;
  out.allowed = !conv_blocks && !cap_blocks;

  if (conv_blocks) {
    out.reason = absl::StrCat("suppressed: telephone conversation on ", Day(conv),
                              " with this person, no call within 7 days (Reg F); next permitted ",
                              Day(out.earliest_permitted_day));
  } else if (cap_blocks) {
    out.reason = absl::StrCat("suppressed: ", out.calls_in_window,
                              " calls in 7 days to this person (Reg F); next permitted ",
                              Day(out.earliest_permitted_day));
  } else {
    out.reason = absl::StrCat("allowed: ", out.calls_in_window, " calls in the 7 days ending ",
                              Day(out.proposed_day), " (Reg F)");
  }
  return out;
}

AllowedHoursDecision WithinAllowedHours(absl::Time at, absl::TimeZone zone, LocalTimeOfDay start,
                                        LocalTimeOfDay end) {
  const absl::CivilSecond local = absl::ToCivilSecond(at, zone);
  const int now = SecondsOfDay(local.hour(), local.minute(), local.second());
  const int from = SecondsOfDay(start.hour, start.minute, start.second);
  const int to = SecondsOfDay(end.hour, end.minute, end.second);

  AllowedHoursDecision out;
  if (now >= from && now <= to) {
    out.allowed = true;
    out.next_allowed = at;
    out.reason = absl::StrCat("allowed: ", absl::FormatCivilTime(local), " ", zone.name(),
                              " within ", Hms(start), "-", Hms(end));
    return out;
  }
  absl::CivilDay day = absl::CivilDay(local);
  if (now > to) ++day;
  const absl::CivilSecond next(day.year(), day.month(), day.day(), start.hour, start.minute,
                               start.second);
  out.next_allowed = zone.At(next).pre;
  out.reason = absl::StrCat("deferred to ", Hm(start), " ", zone.name());
  return out;
}

}  // namespace concerto::rules
