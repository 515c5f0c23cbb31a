#include "services/contact_channel/domain/contact_policy.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/strings/string_view.h"
#include "libs/core/calendar.h"
#include "libs/rules/contact_limits.h"

namespace concerto::contact {
namespace {

// Bounds of the searches for an allowed instant: a policy that allows some instant every week
// converges in a handful of steps; these only stop a pathological one.
constexpr int kMaxTimingSteps = 2000;
constexpr int kMaxLimitRounds = 200;

absl::Duration ToDuration(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

// WholeDays returns the number of days when `d` is a positive whole number of days, else 0.
// Whole-day windows are counted in the debtor's local calendar (Reg F "7 consecutive days": a
// call at 08:00 on day 8 is allowed although the first call was less than 168 hours earlier).
int64_t WholeDays(absl::Duration d) {
  if (d <= absl::ZeroDuration()) return 0;
  absl::Duration rem;
  const int64_t days = absl::IDivDuration(d, absl::Hours(24), &rem);
  return rem == absl::ZeroDuration() ? days : 0;
}

std::string FormatSpan(absl::Duration d) {
  if (const int64_t days = WholeDays(d); days > 0) {
    return days == 1 ? "1 day" : absl::StrCat(days, " days");
  }
  absl::Duration rem;
  const int64_t hours = absl::IDivDuration(d, absl::Hours(1), &rem);
  if (hours > 0 && rem == absl::ZeroDuration()) {
    return hours == 1 ? "1 hour" : absl::StrCat(hours, " hours");
  }
  const int64_t minutes = absl::IDivDuration(d, absl::Minutes(1), &rem);
  if (minutes > 0 && rem == absl::ZeroDuration()) {
    return minutes == 1 ? "1 minute" : absl::StrCat(minutes, " minutes");
  }
  return absl::FormatDuration(d);
}

const char* ChannelName(v1::Channel c) {
  switch (c) {
    case v1::CHANNEL_EMAIL: return "e-mail";
    case v1::CHANNEL_SMS: return "sms";
    case v1::CHANNEL_LETTER: return "letter";
    case v1::CHANNEL_PHONE: return "phone";
    case v1::CHANNEL_WHATSAPP: return "whatsapp";
    case v1::CHANNEL_PORTAL: return "portal";
    default: return "any channel";
  }
}

// ContactNoun names `n` contacts of a channel in a reason: "7 calls", "1 e-mail".
std::string ContactNoun(v1::Channel c, int64_t n) {
  const char* one = "contact";
  const char* many = "contacts";
  switch (c) {
    case v1::CHANNEL_EMAIL: one = "e-mail"; many = "e-mails"; break;
    case v1::CHANNEL_SMS: one = "text message"; many = "text messages"; break;
    case v1::CHANNEL_LETTER: one = "letter"; many = "letters"; break;
    case v1::CHANNEL_PHONE: one = "call"; many = "calls"; break;
    case v1::CHANNEL_WHATSAPP: one = "WhatsApp message"; many = "WhatsApp messages"; break;
    case v1::CHANNEL_PORTAL: one = "portal message"; many = "portal messages"; break;
    default: break;
  }
  return absl::StrCat(n, " ", n == 1 ? one : many);
}

const char* WeekdayName(absl::Weekday w) {
  switch (w) {
    case absl::Weekday::monday: return "Monday";
    case absl::Weekday::tuesday: return "Tuesday";
    case absl::Weekday::wednesday: return "Wednesday";
    case absl::Weekday::thursday: return "Thursday";
    case absl::Weekday::friday: return "Friday";
    case absl::Weekday::saturday: return "Saturday";
    case absl::Weekday::sunday: return "Sunday";
  }
  return "?";
}

int IsoWeekday(absl::CivilDay d) { return static_cast<int>(absl::GetWeekday(d)) + 1; }

std::string DayText(absl::CivilDay d) { return absl::FormatCivilTime(d); }

// ClockText renders a local time as "08:00", or "08:00:30" when it has seconds.
std::string ClockText(absl::CivilSecond s) {
  char buf[16];
  if (s.second() == 0) {
    std::snprintf(buf, sizeof buf, "%02d:%02d", s.hour(), s.minute());
  } else {
    std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", s.hour(), s.minute(), s.second());
  }
  return buf;
}

int SecondsOfDay(absl::Time t, absl::TimeZone zone) {
  const absl::CivilSecond s = absl::ToCivilSecond(t, zone);
  return s.hour() * 3600 + s.minute() * 60 + s.second();
}

// FirstInstantAtOrAfter returns the first instant after `after` whose local wall clock reads
// `day` + `second_of_day`, DST-correct: when that wall time is skipped (clocks go forward) it is
// the transition instant, the first one whose local time is past it; when it is repeated (clocks
// go back) the first occurrence after `after`.
absl::Time FirstInstantAfter(absl::Time after, absl::CivilDay day, int second_of_day,
                             absl::TimeZone zone) {
  const absl::CivilSecond wall = absl::CivilSecond(day) + second_of_day;
  const absl::TimeZone::TimeInfo info = zone.At(wall);
  absl::Time first = info.pre;
  absl::Time second = info.pre;
  if (info.kind == absl::TimeZone::TimeInfo::SKIPPED) {
    first = second = info.trans;
  } else if (info.kind == absl::TimeZone::TimeInfo::REPEATED) {
    first = std::min(info.pre, info.post);
    second = std::max(info.pre, info.post);
  }
  if (first > after) return first;
  if (second > after) return second;
  return after + absl::Seconds(1);  // not reached for a window that contains `after`
}

// StartOfDay is local midnight of `day` (or the first instant of the day when midnight is
// skipped).
absl::Time StartOfDay(absl::CivilDay day, absl::TimeZone zone) {
  const absl::TimeZone::TimeInfo info = zone.At(absl::CivilSecond(day));
  return info.kind == absl::TimeZone::TimeInfo::SKIPPED ? info.trans : info.pre;
}

bool IsJurisdiction(const std::string& j, absl::string_view code) {
  return absl::AsciiStrToUpper(j) == code;
}

// A quiet window: nothing goes out strictly between `start` and `end` (seconds after local
// midnight; start > end wraps midnight). Both edges are allowed: with 21:00-08:00, a contact at
// 21:00:00 or 08:00:00 goes out, 21:00:01 and 07:59:59 do not (RULEBOOK example 3).
struct QuietWindow {
  int start = 0;
  int end = 0;
  std::string rule_id;
};

bool InQuietWindow(const QuietWindow& w, absl::Time t, absl::TimeZone zone) {
  if (w.start > w.end) {
    // The allowed part is [end, start] inside one day: exactly what the statutory check does.
    const rules::AllowedHoursDecision hours = rules::WithinAllowedHours(
        t, zone, {w.end / 3600, w.end / 60 % 60, w.end % 60},
        {w.start / 3600, w.start / 60 % 60, w.start % 60});
    return !hours.allowed;
  }
  const int s = SecondsOfDay(t, zone);
  return s > w.start && s < w.end;
}

// QuietWindowEnd is the first instant after `t` (inside the window) at which the window ends.
absl::Time QuietWindowEnd(const QuietWindow& w, absl::Time t, absl::TimeZone zone) {
  absl::CivilDay day = absl::ToCivilDay(t, zone);
  if (w.start > w.end && SecondsOfDay(t, zone) > w.start) ++day;
  return FirstInstantAfter(t, day, w.end, zone);
}

// A hard limit that blocks a channel at an instant.
struct Block {
  std::string rule_id;
  v1::SuppressionReason code = v1::SUPPRESSION_REASON_UNSPECIFIED;
  std::string explanation;  // without the "suppressed: " prefix
  absl::Time lift;          // earliest instant the limit itself permits a contact
};

// Why one channel could not be used.
struct ChannelFailure {
  v1::Channel channel = v1::CHANNEL_UNSPECIFIED;
  std::string rule_id;
  v1::SuppressionReason code = v1::SUPPRESSION_REASON_UNSPECIFIED;
  std::string explanation;
  absl::Time lift = absl::InfiniteFuture();
};

// A timing rule that moved the instant.
struct TimingCause {
  std::string rule_id;
  v1::SuppressionReason code;
  std::string label;  // "quiet hours", "Saturday not allowed", ...
  absl::Time until;
};

// Everything Evaluate reads, resolved once.
struct Context {
  const v1::ContactPolicy& policy;
  const ContactLedger& ledger;
  const DebtorFacts& debtor;
  const AttemptRequest& request;
  absl::Time now;
  absl::TimeZone zone;
  std::optional<core::BusinessCalendar> calendar;
  bool reg_f = false;          // US: Reg F call caps and 08:00-21:00
  bool statutory_hours = false;  // US and UK: 08:00-21:00 at the debtor's location
};

std::vector<QuietWindow> QuietWindowsFor(const Context& ctx, v1::Channel channel) {
  std::vector<QuietWindow> out;
  // Letters are posted, not delivered at an hour: the statutory hours concern calls, texts and
  // e-mails (Reg F §1006.6(b)(1)(i), FCA CONC 7.9).
  if (ctx.statutory_hours && channel != v1::CHANNEL_LETTER) {
    out.push_back({21 * 3600, 8 * 3600, ctx.reg_f ? "reg_f_hours" : "statutory_hours"});
  }
  for (int i = 0; i < ctx.policy.quiet_hours_size(); ++i) {
    const v1::QuietHours& q = ctx.policy.quiet_hours(i);
    if (q.channel() != v1::CHANNEL_UNSPECIFIED && q.channel() != channel) continue;
    out.push_back({q.start_minute() * 60, q.end_minute() * 60, absl::StrCat("quiet_hours[", i, "]")});
  }
  return out;
}

std::string HolidayName(const core::BusinessCalendar& cal, absl::CivilDay day) {
  for (const core::Holiday& h : cal.HolidaysIn(static_cast<int>(day.year()))) {
    if (h.date == day) return h.name;
  }
  return "public holiday";
}

// EarliestTiming moves `from` forward past disallowed days and quiet windows; the causes that
// moved it are appended to `causes` (may be null).
absl::StatusOr<absl::Time> EarliestTiming(const Context& ctx, v1::Channel channel, absl::Time from,
                                          std::vector<TimingCause>* causes) {
  const std::vector<QuietWindow> windows = QuietWindowsFor(ctx, channel);
  const auto& weekdays = ctx.policy.allowed_weekdays();
  absl::Time t = from;
  for (int step = 0; step < kMaxTimingSteps; ++step) {
    const absl::CivilDay day = absl::ToCivilDay(t, ctx.zone);
    if (!weekdays.empty() &&
        std::find(weekdays.begin(), weekdays.end(), IsoWeekday(day)) == weekdays.end()) {
      t = StartOfDay(day + 1, ctx.zone);
      if (causes) {
        causes->push_back({"allowed_weekdays", v1::SUPPRESSION_REASON_WEEKDAY_OR_HOLIDAY,
                           absl::StrCat(WeekdayName(absl::GetWeekday(day)), " not allowed"), t});
      }
      continue;
    }
    if (ctx.calendar && ctx.calendar->IsHoliday(day)) {
      t = StartOfDay(day + 1, ctx.zone);
      if (causes) {
        causes->push_back({"public_holidays", v1::SUPPRESSION_REASON_WEEKDAY_OR_HOLIDAY,
                           absl::StrCat("public holiday: ", HolidayName(*ctx.calendar, day)),
                           t});
      }
      continue;
    }
    bool moved = false;
    for (const QuietWindow& w : windows) {
      if (!InQuietWindow(w, t, ctx.zone)) continue;
      t = QuietWindowEnd(w, t, ctx.zone);
      if (causes) {
        causes->push_back({w.rule_id, v1::SUPPRESSION_REASON_QUIET_HOURS, "quiet hours", t});
      }
      moved = true;
      break;
    }
    if (!moved) return t;
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "contact policy for ", ctx.policy.jurisdiction(), " leaves no allowed instant for ",
      ChannelName(channel), " after ", absl::FormatTime(from, ctx.zone)));
}

bool CountsFor(const v1::ChannelCap& cap, const LedgerAttempt& a, const std::string& tenant) {
  if (cap.channel() != v1::CHANNEL_UNSPECIFIED && a.channel != cap.channel()) return false;
  return cap.count_across_tenants() || a.tenant == tenant;
}

std::optional<Block> CheckCap(const Context& ctx, int index, absl::Time t) {
  const v1::ChannelCap& cap = ctx.policy.caps(index);
  const absl::Duration window = ToDuration(cap.window());
  const int64_t days = WholeDays(window);
  const std::string whose =
      cap.count_across_tenants() ? "to this person" : "to this person for this creditor";
  const std::string limit =
      absl::StrCat("cap ", cap.max_attempts(), " per ", FormatSpan(window));
  std::vector<absl::Time> times;
  for (const LedgerAttempt& a : ctx.ledger.attempts) {
    if (CountsFor(cap, a, ctx.request.tenant)) times.push_back(a.at);
  }
  Block block;
  block.rule_id = absl::StrCat("caps[", index, "]");
  block.code = v1::SUPPRESSION_REASON_FREQUENCY_CAP;
  if (days > 0) {
    std::vector<absl::CivilDay> local;
    local.reserve(times.size());
    for (absl::Time at : times) local.push_back(absl::ToCivilDay(at, ctx.zone));
    auto count = [&](absl::CivilDay end) {
      return std::count_if(local.begin(), local.end(), [&](absl::CivilDay d) {
        return d <= end && d > end - days;
      });
    };
    const absl::CivilDay day = absl::ToCivilDay(t, ctx.zone);
    const int64_t n = count(day);
    if (n < cap.max_attempts()) return std::nullopt;
    absl::CivilDay free = day + 1;
    while (count(free) >= cap.max_attempts()) ++free;  // ends: every day leaves the window
    block.lift = StartOfDay(free, ctx.zone);
    block.explanation = absl::StrCat(ContactNoun(cap.channel(), n), " in ", FormatSpan(window),
                                     " ", whose, " (", limit, "); next permitted ",
                                     DayText(free));
    return block;
  }
  // Rolling window (t - window, t]: a contact exactly one window after another is allowed.
  std::vector<absl::Time> in;
  for (absl::Time at : times) {
    if (at > t - window && at <= t) in.push_back(at);
  }
  const int64_t n = static_cast<int64_t>(in.size());
  if (n < cap.max_attempts()) return std::nullopt;
  std::sort(in.begin(), in.end());
  block.lift = in[static_cast<size_t>(n - cap.max_attempts())] + window;
  block.explanation =
      absl::StrCat(ContactNoun(cap.channel(), n), " in the last ", FormatSpan(window), " ", whose,
                   " (", limit, "); next permitted ", absl::FormatTime("%Y-%m-%d %H:%M:%S %Z",
                                                                       block.lift, ctx.zone));
  return block;
}

// CheckConversationPause: the policy's pause after a telephone conversation with the person (any
// creditor), for calls only, as Reg F's: the conversation day is day 1 for whole-day pauses.
std::optional<Block> CheckConversationPause(const Context& ctx, absl::Time t) {
  const absl::Duration pause = ToDuration(ctx.policy.after_conversation_pause());
  if (pause <= absl::ZeroDuration()) return std::nullopt;
  const int64_t days = WholeDays(pause);
  std::vector<absl::Time> conversations;
  for (const LedgerAttempt& a : ctx.ledger.attempts) {
    if (a.conversation && a.at <= t) conversations.push_back(a.at);
  }
  std::optional<absl::Time> latest_blocking;
  absl::Time lift = absl::InfinitePast();
  const absl::CivilDay day = absl::ToCivilDay(t, ctx.zone);
  for (absl::Time c : conversations) {
    absl::Time end;
    bool blocks;
    if (days > 0) {
      const absl::CivilDay cd = absl::ToCivilDay(c, ctx.zone);
      blocks = day <= cd + (days - 1);
      end = StartOfDay(cd + days, ctx.zone);
    } else {
      blocks = t < c + pause;
      end = c + pause;
    }
    if (!blocks) continue;
    if (!latest_blocking || c > *latest_blocking) latest_blocking = c;
    lift = std::max(lift, end);
  }
  if (!latest_blocking) return std::nullopt;
  Block block;
  block.rule_id = "after_conversation_pause";
  block.code = v1::SUPPRESSION_REASON_POST_CONVERSATION;
  block.lift = lift;
  block.explanation = absl::StrCat(
      "telephone conversation with this person on ",
      DayText(absl::ToCivilDay(*latest_blocking, ctx.zone)), ", no call within ",
      FormatSpan(pause), "; next permitted ",
      days > 0 ? DayText(absl::ToCivilDay(lift, ctx.zone))
               : absl::FormatTime("%Y-%m-%d %H:%M:%S %Z", lift, ctx.zone));
  return block;
}

// CheckRegF: Reg F §1006.14(b)(2) through libs/rules. Calls of every creditor count: the ledger
// is per person, which is stricter than the per-debt presumption and never looser.
std::optional<Block> CheckRegF(const Context& ctx, absl::Time t) {
  std::vector<rules::CallRecord> calls;
  for (const LedgerAttempt& a : ctx.ledger.attempts) {
    if (a.channel == v1::CHANNEL_PHONE) calls.push_back({a.at, a.conversation});
  }
  const rules::CallCapDecision d = rules::CallCapCheck(calls, t, ctx.zone);
  if (d.allowed) return std::nullopt;
  Block block;
  block.rule_id = "reg_f_calls";
  block.code = absl::StrContains(d.reason, "conversation")
                   ? v1::SUPPRESSION_REASON_POST_CONVERSATION
                   : v1::SUPPRESSION_REASON_FREQUENCY_CAP;
  block.explanation = std::string(absl::StripPrefix(d.reason, "suppressed: "));
  block.lift = StartOfDay(d.earliest_permitted_day, ctx.zone);
  return block;
}

std::vector<Block> CheckLimits(const Context& ctx, v1::Channel channel, absl::Time t) {
  std::vector<Block> blocks;
  if (ctx.reg_f && channel == v1::CHANNEL_PHONE) {
    if (auto b = CheckRegF(ctx, t)) blocks.push_back(std::move(*b));
  }
  if (channel == v1::CHANNEL_PHONE) {
    if (auto b = CheckConversationPause(ctx, t)) blocks.push_back(std::move(*b));
  }
  for (int i = 0; i < ctx.policy.caps_size(); ++i) {
    const v1::Channel c = ctx.policy.caps(i).channel();
    if (c != v1::CHANNEL_UNSPECIFIED && c != channel) continue;
    if (auto b = CheckCap(ctx, i, t)) blocks.push_back(std::move(*b));
  }
  return blocks;
}

// ChooseContactPoint finds a usable address of `channel`, or says why there is none.
std::optional<ChannelFailure> ChooseContactPoint(const Context& ctx, v1::Channel channel,
                                                 std::string* contact_point_id) {
  ChannelFailure f;
  f.channel = channel;
  f.rule_id = "consent";
  const auto& out = ctx.debtor.opted_out_channels;
  if (std::find(out.begin(), out.end(), channel) != out.end()) {
    f.code = v1::SUPPRESSION_REASON_OPTED_OUT;
    f.explanation = absl::StrCat(ChannelName(channel), " opted out");
    return f;
  }
  int points = 0;
  int opted_out = 0;
  for (const ContactPoint& cp : ctx.debtor.contact_points) {
    if (cp.channel != channel) continue;
    ++points;
    if (cp.opted_out) {
      ++opted_out;
      continue;
    }
    if (!cp.consent) continue;
    *contact_point_id = cp.id;
    return std::nullopt;
  }
  if (points == 0) {
    f.rule_id = "contact_points";
    f.code = v1::SUPPRESSION_REASON_NO_CONTACT_POINT;
    f.explanation = absl::StrCat("no ", ChannelName(channel), " contact point");
  } else if (opted_out == points) {
    f.code = v1::SUPPRESSION_REASON_OPTED_OUT;
    f.explanation = absl::StrCat("every ", ChannelName(channel), " contact point opted out");
  } else {
    f.code = v1::SUPPRESSION_REASON_NO_CONSENT;
    f.explanation = absl::StrCat("no consent for ", ChannelName(channel));
  }
  return f;
}

std::vector<v1::Channel> CandidateOrder(const AttemptRequest& request, v1::Channel preferred) {
  std::vector<v1::Channel> out;
  for (v1::Channel c : request.channels) {
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  }
  auto it = std::find(out.begin(), out.end(), preferred);
  if (preferred != v1::CHANNEL_UNSPECIFIED && it != out.end()) {
    std::rotate(out.begin(), it, it + 1);
  }
  return out;
}

std::string SkippedText(const std::vector<ChannelFailure>& failures) {
  std::vector<std::string> parts;
  for (const ChannelFailure& f : failures) parts.push_back(f.explanation);
  return absl::StrJoin(parts, "; ");
}

RuleVerdict ToVerdict(const Block& b, v1::Channel channel) {
  return RuleVerdict{b.rule_id, Verdict::kSuppress, b.code, channel, b.explanation, b.lift};
}

}  // namespace

const char* VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kAllow: return "ALLOW";
    case Verdict::kDefer: return "DEFER";
    case Verdict::kSuppress: return "SUPPRESS";
    case Verdict::kHandToHuman: return "HAND_TO_HUMAN";
  }
  return "?";
}

// ---- ledger ----

namespace {
bool Earlier(const LedgerAttempt& a, const LedgerAttempt& b) {
  return a.at != b.at ? a.at < b.at : a.attempt_id < b.attempt_id;
}
}  // namespace

ContactLedger RecordAttempt(ContactLedger ledger, LedgerAttempt attempt) {
  for (LedgerAttempt& a : ledger.attempts) {
    if (!attempt.attempt_id.empty() && a.attempt_id == attempt.attempt_id) {
      a.conversation = a.conversation || attempt.conversation;
      return ledger;
    }
  }
  auto pos = std::upper_bound(ledger.attempts.begin(), ledger.attempts.end(), attempt, Earlier);
  ledger.attempts.insert(pos, std::move(attempt));
  return ledger;
}

ContactLedger RecordConversation(ContactLedger ledger, const std::string& tenant,
                                 const std::string& attempt_id, absl::Time at) {
  return RecordAttempt(std::move(ledger),
                       LedgerAttempt{at, v1::CHANNEL_PHONE, tenant, attempt_id, true});
}

ContactLedger PruneLedger(ContactLedger ledger, absl::Time keep_from) {
  auto& v = ledger.attempts;
  v.erase(std::remove_if(v.begin(), v.end(),
                         [&](const LedgerAttempt& a) { return a.at < keep_from; }),
          v.end());
  return ledger;
}

// ---- policy ----

absl::Status ValidatePolicy(const v1::ContactPolicy& p) {
  auto bad = [](absl::string_view field, absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
  };
  const std::string& j = p.jurisdiction();
  if (j.size() != 2 || !absl::ascii_isalpha(static_cast<unsigned char>(j[0])) ||
      !absl::ascii_isalpha(static_cast<unsigned char>(j[1]))) {
    return bad("jurisdiction", absl::StrCat("must be an ISO 3166-1 alpha-2 code, got \"", j, "\""));
  }
  for (int i = 0; i < p.caps_size(); ++i) {
    const v1::ChannelCap& cap = p.caps(i);
    const std::string f = absl::StrCat("caps[", i, "]");
    if (!v1::Channel_IsValid(cap.channel())) return bad(absl::StrCat(f, ".channel"), "unknown");
    if (cap.max_attempts() < 1) return bad(absl::StrCat(f, ".max_attempts"), "must be >= 1");
    const absl::Duration w = ToDuration(cap.window());
    if (w <= absl::ZeroDuration()) return bad(absl::StrCat(f, ".window"), "must be positive");
    if (w > absl::Hours(24 * 366)) return bad(absl::StrCat(f, ".window"), "must be <= 366 days");
  }
  if (ToDuration(p.after_conversation_pause()) < absl::ZeroDuration()) {
    return bad("after_conversation_pause", "must not be negative");
  }
  for (int i = 0; i < p.quiet_hours_size(); ++i) {
    const v1::QuietHours& q = p.quiet_hours(i);
    const std::string f = absl::StrCat("quiet_hours[", i, "]");
    if (q.start_minute() < 0 || q.start_minute() >= 24 * 60) {
      return bad(absl::StrCat(f, ".start_minute"), "must be in [0, 1440)");
    }
    if (q.end_minute() < 0 || q.end_minute() >= 24 * 60) {
      return bad(absl::StrCat(f, ".end_minute"), "must be in [0, 1440)");
    }
    if (q.start_minute() == q.end_minute()) {
      return bad(absl::StrCat(f, ".end_minute"), "must differ from start_minute");
    }
    if (!v1::Channel_IsValid(q.channel())) return bad(absl::StrCat(f, ".channel"), "unknown");
  }
  for (int i = 0; i < p.allowed_weekdays_size(); ++i) {
    if (p.allowed_weekdays(i) < 1 || p.allowed_weekdays(i) > 7) {
      return bad(absl::StrCat("allowed_weekdays[", i, "]"), "must be 1 (Monday) .. 7 (Sunday)");
    }
  }
  if (ToDuration(p.min_gap()) < absl::ZeroDuration()) return bad("min_gap", "must not be negative");
  if (p.breathing_space_days() < 0) return bad("breathing_space_days", "must not be negative");
  return absl::OkStatus();
}

absl::StatusOr<Decision> Evaluate(const v1::ContactPolicy& policy, const ContactLedger& ledger,
                                  const DebtorFacts& debtor, const AttemptRequest& request,
                                  absl::Time now) {
  if (absl::Status s = ValidatePolicy(policy); !s.ok()) return s;
  if (request.channels.empty()) return absl::InvalidArgumentError("channels: empty");
  for (v1::Channel c : request.channels) {
    if (c == v1::CHANNEL_UNSPECIFIED || !v1::Channel_IsValid(c)) {
      return absl::InvalidArgumentError(absl::StrCat("channels: invalid channel ", c));
    }
  }
  const bool reg_f = IsJurisdiction(policy.jurisdiction(), "US");
  const bool statutory_hours = reg_f || IsJurisdiction(policy.jurisdiction(), "UK") ||
                               IsJurisdiction(policy.jurisdiction(), "GB");
  Context ctx{policy, ledger, debtor, request, now, debtor.zone, std::nullopt, reg_f,
              statutory_hours};
  if (policy.skip_public_holidays()) {
    absl::StatusOr<core::BusinessCalendar> cal = core::BusinessCalendar::ForCountry(
        debtor.country.empty() ? policy.jurisdiction() : debtor.country);
    if (!cal.ok()) return cal.status();
    ctx.calendar = *std::move(cal);
  }

  Decision d;
  const absl::CivilDay today = absl::ToCivilDay(now, ctx.zone);
  auto finish = [&d](Verdict v, v1::SuppressionReason code, std::string rule, std::string reason,
                     absl::Time until) {
    d.verdict = v;
    d.reason_code = code;
    d.rule_id = rule;
    d.reason = reason;
    d.until = until;
    // A deferral's causes are already in the trail, one entry each.
    if (v != Verdict::kDefer) {
      d.trail.push_back(RuleVerdict{std::move(rule), v, code, d.channel, std::move(reason), until});
    }
    return d;
  };

  // 1. Who may be contacted by automation at all.
  if (debtor.erased) {
    return finish(Verdict::kSuppress, v1::SUPPRESSION_REASON_ERASED, "erased",
                  "suppressed: personal data erased or restricted", absl::InfiniteFuture());
  }
  // Vulnerable and hardship debtors get a person, never a machine, whatever the policy's
  // vulnerable_to_human says (FCA CONC 7.2-7.3, Breathing Space SI 2020/1311, and the design's
  // "keep the customer"): an operator decides whether and how to reach them.
  if (debtor.vulnerable) {
    return finish(Verdict::kHandToHuman, v1::SUPPRESSION_REASON_VULNERABLE, "vulnerable_to_human",
                  "handed to a human: vulnerable debtor, no automated contact", now);
  }
  const bool in_breathing_space =
      debtor.breathing_space_until.has_value() && today <= *debtor.breathing_space_until;
  if (debtor.hardship || in_breathing_space) {
    std::string reason = "handed to a human: hardship reported";
    if (in_breathing_space) {
      absl::StrAppend(&reason, ", breathing space until ", DayText(*debtor.breathing_space_until));
    }
    absl::StrAppend(&reason, "; no automated contact");
    return finish(Verdict::kHandToHuman, v1::SUPPRESSION_REASON_HARDSHIP, "vulnerable_to_human",
                  std::move(reason), now);
  }

  // 2-4. Channels in preference order.
  const std::vector<v1::Channel> candidates = CandidateOrder(request, debtor.preferred_channel);
  const absl::Duration min_gap = ToDuration(policy.min_gap());
  absl::Time earliest_after_gap = now;
  if (min_gap > absl::ZeroDuration() && !ledger.attempts.empty()) {
    const absl::Time last = std::max_element(ledger.attempts.begin(), ledger.attempts.end(),
                                             Earlier)->at;
    earliest_after_gap = std::max(now, last + min_gap);
  }

  std::vector<ChannelFailure> failures;
  for (v1::Channel channel : candidates) {
    std::string contact_point;
    if (std::optional<ChannelFailure> f = ChooseContactPoint(ctx, channel, &contact_point)) {
      d.trail.push_back(RuleVerdict{f->rule_id, Verdict::kSuppress, f->code, channel,
                                    f->explanation, absl::InfiniteFuture()});
      failures.push_back(std::move(*f));
      continue;
    }
    std::vector<TimingCause> causes;
    if (earliest_after_gap > now) {
      causes.push_back({"min_gap", v1::SUPPRESSION_REASON_MIN_GAP,
                        absl::StrCat("minimum gap of ", FormatSpan(min_gap),
                                     " since the previous contact to this person"),
                        earliest_after_gap});
    }
    absl::StatusOr<absl::Time> at = EarliestTiming(ctx, channel, earliest_after_gap, &causes);
    if (!at.ok()) return at.status();
    std::vector<Block> blocks = CheckLimits(ctx, channel, *at);
    if (blocks.empty()) {
      d.channel = channel;
      d.contact_point_id = contact_point;
      std::string skipped;
      if (!failures.empty()) skipped = absl::StrCat("; skipped ", SkippedText(failures));
      if (*at == now) {
        return finish(Verdict::kAllow, v1::SUPPRESSION_REASON_UNSPECIFIED, "policy",
                      absl::StrCat("allowed: ", ChannelName(channel), skipped), now);
      }
      // The deferral: every cause, once each, in the order they applied.
      std::vector<std::string> labels;
      for (const TimingCause& c : causes) {
        if (std::find(labels.begin(), labels.end(), c.label) == labels.end()) {
          labels.push_back(c.label);
        }
        d.trail.push_back(RuleVerdict{c.rule_id, Verdict::kDefer, c.code, channel, c.label,
                                      c.until});
      }
      const absl::CivilSecond local = absl::ToCivilSecond(*at, ctx.zone);
      std::string reason = absl::StrCat("deferred to ", ClockText(local), " ", ctx.zone.name(),
                                        ": ", absl::StrJoin(labels, "; "));
      if (absl::CivilDay(local) != today) {
        absl::StrAppend(&reason, " (", WeekdayName(absl::GetWeekday(absl::CivilDay(local))), " ",
                        DayText(absl::CivilDay(local)), ")");
      }
      absl::StrAppend(&reason, skipped);
      const TimingCause& first = causes.front();
      return finish(Verdict::kDefer, first.code, first.rule_id, std::move(reason), *at);
    }
    // Blocked: note every limit, then find when the channel would be usable again (the limits
    // only loosen as time passes, so moving to the latest lift converges).
    for (const Block& b : blocks) d.trail.push_back(ToVerdict(b, channel));
    ChannelFailure f{channel, blocks.front().rule_id, blocks.front().code,
                     blocks.front().explanation, absl::InfiniteFuture()};
    absl::Time t = *at;
    for (int round = 0; round < kMaxLimitRounds && !blocks.empty(); ++round) {
      absl::Time lift = t;
      for (const Block& b : blocks) lift = std::max(lift, b.lift);
      absl::StatusOr<absl::Time> next = EarliestTiming(ctx, channel, lift, nullptr);
      if (!next.ok()) return next.status();
      t = *next;
      blocks = CheckLimits(ctx, channel, t);
    }
    if (blocks.empty()) f.lift = t;
    failures.push_back(std::move(f));
  }

  // 5. No channel can be used.
  const ChannelFailure& first = failures.front();
  absl::Time until = absl::InfiniteFuture();
  for (const ChannelFailure& f : failures) until = std::min(until, f.lift);
  d.channel = first.channel;
  std::string reason = failures.size() == 1
                           ? absl::StrCat("suppressed: ", first.explanation)
                           : absl::StrCat("suppressed: no usable channel; ", SkippedText(failures));
  d.reason_code = first.code;
  d.rule_id = first.rule_id;
  d.reason = std::move(reason);
  d.until = until;
  d.verdict = Verdict::kSuppress;
  return d;
}

}  // namespace concerto::contact
