#include "services/contact_channel/domain/contact_policy.h"

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/core/calendar.h"
#include "services/contact_channel/domain/attempt_request.h"
#include "services/contact_channel/domain/breathing_space.h"

namespace concerto::contact {
namespace {

using ::absl::CivilSecond;
using ::testing::HasSubstr;
using ::testing::StartsWith;

absl::TimeZone Zone(const std::string& name) {
  absl::StatusOr<absl::TimeZone> z = core::LoadZone(name);
  EXPECT_TRUE(z.ok()) << z.status();
  return z.ok() ? *z : absl::UTCTimeZone();
}

absl::TimeZone Rome() { return Zone("Europe/Rome"); }
absl::TimeZone NewYork() { return Zone("America/New_York"); }

// Local wall time in `tz` (the first occurrence when repeated).
absl::Time Local(absl::TimeZone tz, int y, int mo, int d, int h, int mi = 0, int s = 0) {
  return tz.At(CivilSecond(y, mo, d, h, mi, s)).pre;
}

absl::Time Utc(int y, int mo, int d, int h, int mi = 0, int s = 0) {
  return absl::FromCivil(CivilSecond(y, mo, d, h, mi, s), absl::UTCTimeZone());
}

google::protobuf::Duration Proto(absl::Duration d) {
  google::protobuf::Duration out;
  out.set_seconds(absl::ToInt64Seconds(d));
  return out;
}

v1::ContactPolicy UsPolicy() {
  v1::ContactPolicy p;
  p.set_jurisdiction("US");
  return p;
}

// An Italian tenant's policy: 08:00-21:00 for every channel, nothing else unless a test adds it.
v1::ContactPolicy ItPolicy() {
  v1::ContactPolicy p;
  p.set_jurisdiction("IT");
  v1::QuietHours* q = p.add_quiet_hours();
  q->set_start_minute(21 * 60);
  q->set_end_minute(8 * 60);
  return p;
}

DebtorFacts Debtor(absl::TimeZone zone) {
  DebtorFacts d;
  d.zone = zone;
  d.contact_points = {{"cp-mail", v1::CHANNEL_EMAIL},
                      {"cp-mobile", v1::CHANNEL_SMS},
                      {"cp-phone", v1::CHANNEL_PHONE},
                      {"cp-home", v1::CHANNEL_LETTER}};
  return d;
}

AttemptRequest Request(std::string tenant, std::vector<v1::Channel> channels) {
  return AttemptRequest{std::move(tenant), std::move(channels)};
}

LedgerAttempt Call(absl::Time at, std::string tenant, std::string id, bool conversation = false) {
  return LedgerAttempt{at, v1::CHANNEL_PHONE, std::move(tenant), std::move(id), conversation};
}

Decision MustEvaluate(const v1::ContactPolicy& policy, const ContactLedger& ledger,
                      const DebtorFacts& debtor, const AttemptRequest& request, absl::Time now) {
  absl::StatusOr<Decision> d = Evaluate(policy, ledger, debtor, request, now);
  EXPECT_TRUE(d.ok()) << d.status();
  return d.ok() ? *d : Decision{};
}

// RULEBOOK example 3: Mon 2025-03-03 x2, Tue 03-04 x2, Wed, Thu, Fri x1 (7 calls).
ContactLedger Example3(absl::TimeZone tz, bool wednesday_conversation,
                       const std::string& second_tenant = "t1") {
  ContactLedger l;
  l.person_key = "person-1";
  l = RecordAttempt(l, Call(Local(tz, 2025, 3, 3, 9), "t1", "c1"));
  l = RecordAttempt(l, Call(Local(tz, 2025, 3, 3, 15), "t1", "c2"));
  l = RecordAttempt(l, Call(Local(tz, 2025, 3, 4, 9), "t1", "c3"));
  l = RecordAttempt(l, Call(Local(tz, 2025, 3, 4, 15), second_tenant, "c4"));
  l = RecordAttempt(l, Call(Local(tz, 2025, 3, 5, 10), second_tenant, "c5"));
  if (wednesday_conversation) l = RecordConversation(l, second_tenant, "c5", Local(tz, 2025, 3, 5, 10));
  l = RecordAttempt(l, Call(Local(tz, 2025, 3, 6, 10), second_tenant, "c6"));
  l = RecordAttempt(l, Call(Local(tz, 2025, 3, 7, 10), second_tenant, "c7"));
  return l;
}

// ---- RULEBOOK example 3, to the second ----

TEST(Example3, EighthCallOnSundayIsSuppressedUntilMondayEight) {
  const absl::TimeZone ny = NewYork();
  const Decision d = MustEvaluate(UsPolicy(), Example3(ny, false), Debtor(ny),
                                  Request("t1", {v1::CHANNEL_PHONE}), Local(ny, 2025, 3, 9, 10));
  EXPECT_EQ(d.verdict, Verdict::kSuppress);
  EXPECT_EQ(d.channel, v1::CHANNEL_PHONE);
  EXPECT_EQ(d.reason_code, v1::SUPPRESSION_REASON_FREQUENCY_CAP);
  EXPECT_EQ(d.rule_id, "reg_f_calls");
  EXPECT_THAT(d.reason, StartsWith("suppressed: 7 calls in 7 days to this person (Reg F)"));
  EXPECT_THAT(d.reason, HasSubstr("next permitted 2025-03-10"));
  // 2025-03-09 is the day New York springs forward: Monday 08:00 is EDT, 12:00 UTC.
  EXPECT_EQ(d.until, Utc(2025, 3, 10, 12));
}

TEST(Example3, CallOnMondayTenthIsAllowedFromEightToNineInclusive) {
  const absl::TimeZone ny = NewYork();
  const ContactLedger ledger = Example3(ny, false);
  const DebtorFacts debtor = Debtor(ny);
  const AttemptRequest call = Request("t1", {v1::CHANNEL_PHONE});

  const Decision at_eight = MustEvaluate(UsPolicy(), ledger, debtor, call, Local(ny, 2025, 3, 10, 8));
  EXPECT_EQ(at_eight.verdict, Verdict::kAllow) << at_eight.reason;
  EXPECT_EQ(at_eight.contact_point_id, "cp-phone");
  EXPECT_EQ(at_eight.reason, "allowed: phone");

  const Decision at_nine_pm =
      MustEvaluate(UsPolicy(), ledger, debtor, call, Local(ny, 2025, 3, 10, 21, 0, 0));
  EXPECT_EQ(at_nine_pm.verdict, Verdict::kAllow) << at_nine_pm.reason;

  const Decision one_second_late =
      MustEvaluate(UsPolicy(), ledger, debtor, call, Local(ny, 2025, 3, 10, 21, 0, 1));
  EXPECT_EQ(one_second_late.verdict, Verdict::kDefer);
  EXPECT_EQ(one_second_late.until, Local(ny, 2025, 3, 11, 8));
  EXPECT_EQ(one_second_late.reason_code, v1::SUPPRESSION_REASON_QUIET_HOURS);
  EXPECT_EQ(one_second_late.rule_id, "reg_f_hours");
  EXPECT_THAT(one_second_late.reason,
              StartsWith("deferred to 08:00 America/New_York: quiet hours"));

  const Decision one_second_early =
      MustEvaluate(UsPolicy(), ledger, debtor, call, Local(ny, 2025, 3, 10, 7, 59, 59));
  EXPECT_EQ(one_second_early.verdict, Verdict::kDefer);
  EXPECT_EQ(one_second_early.until, Local(ny, 2025, 3, 10, 8));
  EXPECT_EQ(one_second_early.reason, "deferred to 08:00 America/New_York: quiet hours");
}

TEST(Example3, ConversationOnWednesdayBlocksCallsUntilTheTwelfth) {
  const absl::TimeZone ny = NewYork();
  const ContactLedger ledger = Example3(ny, true);
  const AttemptRequest call = Request("t1", {v1::CHANNEL_PHONE});
  for (int day = 8; day <= 11; ++day) {
    const Decision d = MustEvaluate(UsPolicy(), ledger, Debtor(ny), call, Local(ny, 2025, 3, day, 20));
    EXPECT_EQ(d.verdict, Verdict::kSuppress) << day;
    EXPECT_EQ(d.reason_code, v1::SUPPRESSION_REASON_POST_CONVERSATION) << day;
    EXPECT_THAT(d.reason, HasSubstr("telephone conversation on 2025-03-05")) << day;
    EXPECT_EQ(d.until, Local(ny, 2025, 3, 12, 8)) << day;
  }
  const Decision twelfth =
      MustEvaluate(UsPolicy(), ledger, Debtor(ny), call, Local(ny, 2025, 3, 12, 8, 0, 0));
  EXPECT_EQ(twelfth.verdict, Verdict::kAllow) << twelfth.reason;
}

// ---- caps across tenants: the ledger is per person ----

TEST(CrossTenant, RegFCountsCallsOfEveryCreditor) {
  const absl::TimeZone ny = NewYork();
  // t1 made 3 calls, t2 made 4: each creditor alone is far below 7, together they are at 7.
  const ContactLedger ledger = Example3(ny, false, "t2");
  for (const char* tenant : {"t1", "t2", "t3"}) {
    const Decision d = MustEvaluate(UsPolicy(), ledger, Debtor(ny),
                                    Request(tenant, {v1::CHANNEL_PHONE}), Local(ny, 2025, 3, 9, 10));
    EXPECT_EQ(d.verdict, Verdict::kSuppress) << tenant;
    EXPECT_THAT(d.reason, HasSubstr("7 calls in 7 days to this person (Reg F)")) << tenant;
  }
}

TEST(CrossTenant, ConversationWithOneCreditorPausesCallsOfAnother) {
  const absl::TimeZone ny = NewYork();
  ContactLedger l;
  l = RecordAttempt(l, Call(Local(ny, 2025, 3, 5, 10), "t1", "a1"));
  l = RecordConversation(l, "t1", "a1", Local(ny, 2025, 3, 5, 10));
  const Decision d = MustEvaluate(UsPolicy(), l, Debtor(ny), Request("t2", {v1::CHANNEL_PHONE}),
                                  Local(ny, 2025, 3, 11, 12));
  EXPECT_EQ(d.verdict, Verdict::kSuppress);
  EXPECT_EQ(d.reason_code, v1::SUPPRESSION_REASON_POST_CONVERSATION);
}

TEST(CrossTenant, PolicyCapAcrossTenantsHoldsForTwoCreditors) {
  const absl::TimeZone rome = Rome();
  v1::ContactPolicy p = ItPolicy();
  v1::ChannelCap* cap = p.add_caps();
  cap->set_channel(v1::CHANNEL_SMS);
  cap->set_max_attempts(2);
  *cap->mutable_window() = Proto(absl::Hours(24 * 7));
  cap->set_count_across_tenants(true);

  ContactLedger l;
  l = RecordAttempt(l, {Local(rome, 2025, 3, 3, 10), v1::CHANNEL_SMS, "t1", "s1"});
  l = RecordAttempt(l, {Local(rome, 2025, 3, 4, 10), v1::CHANNEL_SMS, "t2", "s2"});
  const AttemptRequest sms = Request("t1", {v1::CHANNEL_SMS});
  const Decision d = MustEvaluate(p, l, Debtor(rome), sms, Local(rome, 2025, 3, 5, 10));
  EXPECT_EQ(d.verdict, Verdict::kSuppress);
  EXPECT_EQ(d.rule_id, "caps[0]");
  EXPECT_EQ(d.reason,
            "suppressed: 2 text messages in 7 days to this person (cap 2 per 7 days); next "
            "permitted 2025-03-10");
  EXPECT_EQ(d.until, Local(rome, 2025, 3, 10, 8));

  // Counted per creditor, t1 has sent one of its two.
  p.mutable_caps(0)->set_count_across_tenants(false);
  EXPECT_EQ(MustEvaluate(p, l, Debtor(rome), sms, Local(rome, 2025, 3, 5, 10)).verdict,
            Verdict::kAllow);
}

// ---- caps at their boundaries ----

TEST(Caps, WholeDayWindowCountsLocalCalendarDays) {
  const absl::TimeZone rome = Rome();
  v1::ContactPolicy p = ItPolicy();
  v1::ChannelCap* cap = p.add_caps();
  cap->set_channel(v1::CHANNEL_SMS);
  cap->set_max_attempts(3);
  *cap->mutable_window() = Proto(absl::Hours(24 * 7));
  ContactLedger l;
  l = RecordAttempt(l, {Local(rome, 2025, 3, 3, 20, 59), v1::CHANNEL_SMS, "t1", "s1"});
  l = RecordAttempt(l, {Local(rome, 2025, 3, 4, 10), v1::CHANNEL_SMS, "t1", "s2"});
  const AttemptRequest sms = Request("t1", {v1::CHANNEL_SMS});
  // Two of three: the third goes out.
  EXPECT_EQ(MustEvaluate(p, l, Debtor(rome), sms, Local(rome, 2025, 3, 5, 10)).verdict,
            Verdict::kAllow);
  l = RecordAttempt(l, {Local(rome, 2025, 3, 5, 10), v1::CHANNEL_SMS, "t1", "s3"});
  // Sunday 03-09 23:00 is still inside 03-03..03-09; Monday 08:00 is 03-04..03-10 (2 texts),
  // although fewer than 168 hours have passed since the first.
  const Decision sunday = MustEvaluate(p, l, Debtor(rome), sms, Local(rome, 2025, 3, 9, 20, 59));
  EXPECT_EQ(sunday.verdict, Verdict::kSuppress);
  EXPECT_EQ(sunday.until, Local(rome, 2025, 3, 10, 8));
  EXPECT_EQ(MustEvaluate(p, l, Debtor(rome), sms, Local(rome, 2025, 3, 10, 8)).verdict,
            Verdict::kAllow);
}

TEST(Caps, RollingWindowAllowsExactlyOneWindowLater) {
  const absl::TimeZone rome = Rome();
  v1::ContactPolicy p = ItPolicy();
  v1::ChannelCap* cap = p.add_caps();
  cap->set_channel(v1::CHANNEL_EMAIL);
  cap->set_max_attempts(2);
  *cap->mutable_window() = Proto(absl::Hours(12));
  ContactLedger l;
  l = RecordAttempt(l, {Local(rome, 2025, 6, 2, 8), v1::CHANNEL_EMAIL, "t1", "e1"});
  l = RecordAttempt(l, {Local(rome, 2025, 6, 2, 9), v1::CHANNEL_EMAIL, "t1", "e2"});
  const AttemptRequest mail = Request("t1", {v1::CHANNEL_EMAIL});
  const Decision blocked =
      MustEvaluate(p, l, Debtor(rome), mail, Local(rome, 2025, 6, 2, 19, 59, 59));
  EXPECT_EQ(blocked.verdict, Verdict::kSuppress);
  EXPECT_THAT(blocked.reason, HasSubstr("2 e-mails in the last 12 hours to this person for this "
                                        "creditor (cap 2 per 12 hours)"));
  EXPECT_EQ(blocked.until, Local(rome, 2025, 6, 2, 20));
  EXPECT_EQ(MustEvaluate(p, l, Debtor(rome), mail, Local(rome, 2025, 6, 2, 20)).verdict,
            Verdict::kAllow);
}

TEST(Caps, AllChannelCapCountsEveryChannel) {
  const absl::TimeZone rome = Rome();
  v1::ContactPolicy p = ItPolicy();
  v1::ChannelCap* cap = p.add_caps();
  cap->set_max_attempts(2);  // channel UNSPECIFIED: all together
  *cap->mutable_window() = Proto(absl::Hours(24));
  ContactLedger l;
  l = RecordAttempt(l, {Local(rome, 2025, 6, 2, 9), v1::CHANNEL_EMAIL, "t1", "e1"});
  l = RecordAttempt(l, {Local(rome, 2025, 6, 2, 10), v1::CHANNEL_SMS, "t1", "s1"});
  const Decision d = MustEvaluate(p, l, Debtor(rome), Request("t1", {v1::CHANNEL_LETTER}),
                                  Local(rome, 2025, 6, 2, 11));
  EXPECT_EQ(d.verdict, Verdict::kSuppress);
  EXPECT_THAT(d.reason, HasSubstr("2 contacts in 1 day"));
}

TEST(Caps, PolicyPauseAfterConversationOutsideTheUs) {
  const absl::TimeZone rome = Rome();
  v1::ContactPolicy p = ItPolicy();
  *p.mutable_after_conversation_pause() = Proto(absl::Hours(48));
  ContactLedger l;
  l = RecordAttempt(l, Call(Local(rome, 2025, 3, 5, 10), "t1", "c1", true));
  const AttemptRequest call = Request("t1", {v1::CHANNEL_PHONE});
  // 48 hours is 2 whole days: the conversation day is day 1, day 2 is blocked, day 3 is free.
  const Decision d = MustEvaluate(p, l, Debtor(rome), call, Local(rome, 2025, 3, 6, 20));
  EXPECT_EQ(d.verdict, Verdict::kSuppress);
  EXPECT_EQ(d.rule_id, "after_conversation_pause");
  EXPECT_EQ(d.reason,
            "suppressed: telephone conversation with this person on 2025-03-05, no call within 2 "
            "days; next permitted 2025-03-07");
  EXPECT_EQ(d.until, Local(rome, 2025, 3, 7, 8));
  EXPECT_EQ(MustEvaluate(p, l, Debtor(rome), call, Local(rome, 2025, 3, 7, 8)).verdict,
            Verdict::kAllow);
  // An e-mail is not a call: the pause does not concern it.
  EXPECT_EQ(MustEvaluate(p, l, Debtor(rome), Request("t1", {v1::CHANNEL_EMAIL}),
                         Local(rome, 2025, 3, 6, 20))
                .verdict,
            Verdict::kAllow);

  // A pause that is not whole days is rolling: 36 hours after 10:00 is 22:00 the next day.
  *p.mutable_after_conversation_pause() = Proto(absl::Hours(36));
  const Decision rolling =
      MustEvaluate(p, l, Debtor(rome), call, Local(rome, 2025, 3, 6, 20, 59, 59));
  EXPECT_EQ(rolling.verdict, Verdict::kSuppress);
  EXPECT_EQ(rolling.until, Local(rome, 2025, 3, 7, 8));  // 22:00 falls in quiet hours
}

// ---- quiet hours across DST ----

TEST(QuietHours, RomeSpringForward) {
  const absl::TimeZone rome = Rome();
  const AttemptRequest sms = Request("t1", {v1::CHANNEL_SMS});
  // Saturday 2025-03-29 22:00 CET (21:00 UTC) -> Sunday 08:00 CEST (06:00 UTC): 9 hours later.
  const Decision d = MustEvaluate(ItPolicy(), {}, Debtor(rome), sms, Utc(2025, 3, 29, 21));
  EXPECT_EQ(d.verdict, Verdict::kDefer);
  EXPECT_EQ(d.until, Utc(2025, 3, 30, 6));
  EXPECT_EQ(d.rule_id, "quiet_hours[0]");
  EXPECT_EQ(d.reason, "deferred to 08:00 Europe/Rome: quiet hours (Sunday 2025-03-30)");
  // On the day itself, 07:59:59 CEST is one second too early.
  const Decision early = MustEvaluate(ItPolicy(), {}, Debtor(rome), sms, Utc(2025, 3, 30, 5, 59, 59));
  EXPECT_EQ(early.verdict, Verdict::kDefer);
  EXPECT_EQ(early.until, Utc(2025, 3, 30, 6));
  EXPECT_EQ(MustEvaluate(ItPolicy(), {}, Debtor(rome), sms, Utc(2025, 3, 30, 6)).verdict,
            Verdict::kAllow);
  // 21:00:00 CEST allowed, 21:00:01 not.
  EXPECT_EQ(MustEvaluate(ItPolicy(), {}, Debtor(rome), sms, Utc(2025, 3, 30, 19)).verdict,
            Verdict::kAllow);
  EXPECT_EQ(MustEvaluate(ItPolicy(), {}, Debtor(rome), sms, Utc(2025, 3, 30, 19, 0, 1)).verdict,
            Verdict::kDefer);
}

TEST(QuietHours, RomeFallBack) {
  const absl::TimeZone rome = Rome();
  const AttemptRequest sms = Request("t1", {v1::CHANNEL_SMS});
  // Saturday 2025-10-25 21:00:01 CEST (19:00:01 UTC) -> Sunday 08:00 CET (07:00 UTC).
  const Decision d = MustEvaluate(ItPolicy(), {}, Debtor(rome), sms, Utc(2025, 10, 25, 19, 0, 1));
  EXPECT_EQ(d.verdict, Verdict::kDefer);
  EXPECT_EQ(d.until, Utc(2025, 10, 26, 7));
  EXPECT_EQ(MustEvaluate(ItPolicy(), {}, Debtor(rome), sms, Utc(2025, 10, 26, 6, 59, 59)).verdict,
            Verdict::kDefer);
  EXPECT_EQ(MustEvaluate(ItPolicy(), {}, Debtor(rome), sms, Utc(2025, 10, 26, 7)).verdict,
            Verdict::kAllow);
}

TEST(QuietHours, NewYorkSpringForwardAndFallBack) {
  const absl::TimeZone ny = NewYork();
  const AttemptRequest sms = Request("t1", {v1::CHANNEL_SMS});
  // Sat 2025-03-08 21:30 EST (03-09 02:30 UTC) -> Sun 03-09 08:00 EDT (12:00 UTC).
  Decision d = MustEvaluate(UsPolicy(), {}, Debtor(ny), sms, Utc(2025, 3, 9, 2, 30));
  EXPECT_EQ(d.verdict, Verdict::kDefer);
  EXPECT_EQ(d.until, Utc(2025, 3, 9, 12));
  EXPECT_EQ(d.rule_id, "reg_f_hours");
  // Sat 2025-11-01 23:00 EDT (11-02 03:00 UTC) -> Sun 11-02 08:00 EST (13:00 UTC).
  d = MustEvaluate(UsPolicy(), {}, Debtor(ny), sms, Utc(2025, 11, 2, 3));
  EXPECT_EQ(d.verdict, Verdict::kDefer);
  EXPECT_EQ(d.until, Utc(2025, 11, 2, 13));
  EXPECT_EQ(MustEvaluate(UsPolicy(), {}, Debtor(ny), sms, Utc(2025, 11, 2, 12, 59, 59)).verdict,
            Verdict::kDefer);
  EXPECT_EQ(MustEvaluate(UsPolicy(), {}, Debtor(ny), sms, Utc(2025, 11, 2, 13)).verdict,
            Verdict::kAllow);
}

TEST(QuietHours, WindowEndingInsideTheSkippedHourEndsAtTheTransition) {
  const absl::TimeZone rome = Rome();
  v1::ContactPolicy p;
  p.set_jurisdiction("IT");
  v1::QuietHours* q = p.add_quiet_hours();
  q->set_start_minute(60);   // 01:00
  q->set_end_minute(150);    // 02:30, which does not exist on 2025-03-30
  // 01:30 CET (00:30 UTC) is quiet; the first instant past 02:30 local is 03:00 CEST (01:00 UTC).
  const Decision d = MustEvaluate(p, {}, Debtor(rome), Request("t1", {v1::CHANNEL_EMAIL}),
                                  Utc(2025, 3, 30, 0, 30));
  EXPECT_EQ(d.verdict, Verdict::kDefer);
  EXPECT_EQ(d.until, Utc(2025, 3, 30, 1));
}

TEST(QuietHours, RepeatedHourIsQuietBothTimes) {
  const absl::TimeZone rome = Rome();
  v1::ContactPolicy p;
  p.set_jurisdiction("IT");
  v1::QuietHours* q = p.add_quiet_hours();
  q->set_start_minute(120);  // 02:00
  q->set_end_minute(150);    // 02:30, which happens twice on 2025-10-26
  const AttemptRequest mail = Request("t1", {v1::CHANNEL_EMAIL});
  // First 02:15 (CEST, 00:15 UTC) -> first 02:30 (00:30 UTC).
  EXPECT_EQ(MustEvaluate(p, {}, Debtor(rome), mail, Utc(2025, 10, 26, 0, 15)).until,
            Utc(2025, 10, 26, 0, 30));
  // Second 02:15 (CET, 01:15 UTC) -> second 02:30 (01:30 UTC), never back in time.
  EXPECT_EQ(MustEvaluate(p, {}, Debtor(rome), mail, Utc(2025, 10, 26, 1, 15)).until,
            Utc(2025, 10, 26, 1, 30));
}

TEST(QuietHours, PerChannelAndLettersOutsideStatutoryHours) {
  const absl::TimeZone ny = NewYork();
  // A letter is posted, not delivered at an hour: the statutory hours do not hold it back.
  EXPECT_EQ(MustEvaluate(UsPolicy(), {}, Debtor(ny), Request("t1", {v1::CHANNEL_LETTER}),
                         Local(ny, 2025, 6, 2, 23))
                .verdict,
            Verdict::kAllow);
  // A quiet window for SMS only does not hold back an e-mail.
  const absl::TimeZone rome = Rome();
  v1::ContactPolicy p;
  p.set_jurisdiction("IT");
  v1::QuietHours* q = p.add_quiet_hours();
  q->set_start_minute(20 * 60);
  q->set_end_minute(9 * 60);
  q->set_channel(v1::CHANNEL_SMS);
  EXPECT_EQ(MustEvaluate(p, {}, Debtor(rome), Request("t1", {v1::CHANNEL_EMAIL}),
                         Local(rome, 2025, 6, 2, 22))
                .verdict,
            Verdict::kAllow);
  EXPECT_EQ(MustEvaluate(p, {}, Debtor(rome), Request("t1", {v1::CHANNEL_SMS}),
                         Local(rome, 2025, 6, 2, 22))
                .until,
            Local(rome, 2025, 6, 3, 9));
}

// ---- weekdays and holidays ----

v1::ContactPolicy WorkdaysOnly(const char* jurisdiction) {
  v1::ContactPolicy p = ItPolicy();
  p.set_jurisdiction(jurisdiction);
  for (int d = 1; d <= 5; ++d) p.add_allowed_weekdays(d);
  p.set_skip_public_holidays(true);
  return p;
}

TEST(Days, FridayNightGoesPastTheWeekendAndEasterMonday) {
  const absl::TimeZone rome = Rome();
  // Fri 2025-04-18 22:00 -> Sat, Sun not allowed -> Mon 04-21 Easter Monday -> Tue 04-22 08:00.
  const Decision d = MustEvaluate(WorkdaysOnly("IT"), {}, Debtor(rome),
                                  Request("t1", {v1::CHANNEL_EMAIL}), Local(rome, 2025, 4, 18, 22));
  EXPECT_EQ(d.verdict, Verdict::kDefer);
  EXPECT_EQ(d.until, Local(rome, 2025, 4, 22, 8));
  EXPECT_THAT(d.reason, StartsWith("deferred to 08:00 Europe/Rome: quiet hours; Saturday not "
                                   "allowed; Sunday not allowed; public holiday: "));
  EXPECT_THAT(d.reason, HasSubstr("(Tuesday 2025-04-22)"));
  EXPECT_EQ(d.reason_code, v1::SUPPRESSION_REASON_QUIET_HOURS);
  bool holiday_in_trail = false;
  for (const RuleVerdict& r : d.trail) {
    if (r.rule_id == "public_holidays") {
      holiday_in_trail = true;
      EXPECT_EQ(r.reason, v1::SUPPRESSION_REASON_WEEKDAY_OR_HOLIDAY);
      EXPECT_EQ(r.outcome, Verdict::kDefer);
    }
  }
  EXPECT_TRUE(holiday_in_trail);
}

TEST(Days, HolidayDuringTheDayDefersToTheNextBusinessDay) {
  const absl::TimeZone rome = Rome();
  // Friday 2025-04-25 (Liberazione) at 10:00 -> Monday 04-28 08:00.
  const Decision d = MustEvaluate(WorkdaysOnly("IT"), {}, Debtor(rome),
                                  Request("t1", {v1::CHANNEL_SMS}), Local(rome, 2025, 4, 25, 10));
  EXPECT_EQ(d.verdict, Verdict::kDefer);
  EXPECT_EQ(d.rule_id, "public_holidays");
  EXPECT_EQ(d.reason_code, v1::SUPPRESSION_REASON_WEEKDAY_OR_HOLIDAY);
  EXPECT_EQ(d.until, Local(rome, 2025, 4, 28, 8));
}

TEST(Days, DebtorCountryCalendarWins) {
  const absl::TimeZone helsinki = Zone("Europe/Helsinki");
  DebtorFacts debtor = Debtor(helsinki);
  debtor.country = "FI";
  // Friday 2025-06-20 is Midsummer Eve in Finland, an ordinary Friday in Italy.
  const Decision d = MustEvaluate(WorkdaysOnly("IT"), {}, debtor, Request("t1", {v1::CHANNEL_SMS}),
                                  Local(helsinki, 2025, 6, 20, 10));
  EXPECT_EQ(d.verdict, Verdict::kDefer);
  EXPECT_EQ(d.until, Local(helsinki, 2025, 6, 23, 8));
  DebtorFacts it = Debtor(helsinki);
  EXPECT_EQ(MustEvaluate(WorkdaysOnly("IT"), {}, it, Request("t1", {v1::CHANNEL_SMS}),
                         Local(helsinki, 2025, 6, 20, 10))
                .verdict,
            Verdict::kAllow);
}

TEST(Days, UnsupportedHolidayCountryIsAnError) {
  DebtorFacts debtor = Debtor(absl::UTCTimeZone());
  debtor.country = "DE";
  absl::StatusOr<Decision> d = Evaluate(WorkdaysOnly("IT"), {}, debtor,
                                        Request("t1", {v1::CHANNEL_SMS}), Utc(2025, 6, 2, 10));
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
}

// ---- consent, opt-out and channel fallback ----

TEST(Channels, OptedOutChannelFallsBackToTheNext) {
  const absl::TimeZone rome = Rome();
  DebtorFacts debtor = Debtor(rome);
  debtor.opted_out_channels = {v1::CHANNEL_SMS};
  const Decision d = MustEvaluate(ItPolicy(), {}, debtor,
                                  Request("t1", {v1::CHANNEL_SMS, v1::CHANNEL_EMAIL}),
                                  Local(rome, 2025, 6, 2, 10));
  EXPECT_EQ(d.verdict, Verdict::kAllow);
  EXPECT_EQ(d.channel, v1::CHANNEL_EMAIL);
  EXPECT_EQ(d.contact_point_id, "cp-mail");
  EXPECT_EQ(d.reason, "allowed: e-mail; skipped sms opted out");
  ASSERT_FALSE(d.trail.empty());
  EXPECT_EQ(d.trail.front().reason, v1::SUPPRESSION_REASON_OPTED_OUT);
  EXPECT_EQ(d.trail.front().channel, v1::CHANNEL_SMS);
}

TEST(Channels, EveryChannelOutIsSuppressed) {
  const absl::TimeZone rome = Rome();
  DebtorFacts debtor = Debtor(rome);
  debtor.opted_out_channels = {v1::CHANNEL_SMS};
  debtor.contact_points = {{"cp-mobile", v1::CHANNEL_SMS}};  // no e-mail address at all
  const Decision d = MustEvaluate(ItPolicy(), {}, debtor,
                                  Request("t1", {v1::CHANNEL_SMS, v1::CHANNEL_EMAIL}),
                                  Local(rome, 2025, 6, 2, 10));
  EXPECT_EQ(d.verdict, Verdict::kSuppress);
  EXPECT_EQ(d.channel, v1::CHANNEL_SMS);
  EXPECT_EQ(d.reason_code, v1::SUPPRESSION_REASON_OPTED_OUT);
  EXPECT_EQ(d.reason, "suppressed: no usable channel; sms opted out; no e-mail contact point");
  EXPECT_EQ(d.until, absl::InfiniteFuture());
}

TEST(Channels, OptOutPerAddressAndConsent) {
  const absl::TimeZone rome = Rome();
  DebtorFacts debtor = Debtor(rome);
  debtor.contact_points = {{"cp-old", v1::CHANNEL_SMS, /*opted_out=*/true},
                           {"cp-new", v1::CHANNEL_SMS}};
  const AttemptRequest sms = Request("t1", {v1::CHANNEL_SMS});
  const absl::Time now = Local(rome, 2025, 6, 2, 10);
  Decision d = MustEvaluate(ItPolicy(), {}, debtor, sms, now);
  EXPECT_EQ(d.verdict, Verdict::kAllow);
  EXPECT_EQ(d.contact_point_id, "cp-new");

  debtor.contact_points[1].opted_out = true;
  d = MustEvaluate(ItPolicy(), {}, debtor, sms, now);
  EXPECT_EQ(d.verdict, Verdict::kSuppress);
  EXPECT_EQ(d.reason, "suppressed: every sms contact point opted out");

  debtor.contact_points = {{"cp-new", v1::CHANNEL_SMS, false, /*consent=*/false}};
  d = MustEvaluate(ItPolicy(), {}, debtor, sms, now);
  EXPECT_EQ(d.verdict, Verdict::kSuppress);
  EXPECT_EQ(d.reason_code, v1::SUPPRESSION_REASON_NO_CONSENT);
}

TEST(Channels, PreferredChannelFirstWhenTheStrategyAllowsIt) {
  const absl::TimeZone rome = Rome();
  DebtorFacts debtor = Debtor(rome);
  debtor.preferred_channel = v1::CHANNEL_SMS;
  const absl::Time now = Local(rome, 2025, 6, 2, 10);
  EXPECT_EQ(MustEvaluate(ItPolicy(), {}, debtor,
                         Request("t1", {v1::CHANNEL_EMAIL, v1::CHANNEL_SMS}), now)
                .channel,
            v1::CHANNEL_SMS);
  // A final notice by letter does not become an SMS because the debtor prefers SMS.
  EXPECT_EQ(MustEvaluate(ItPolicy(), {}, debtor, Request("t1", {v1::CHANNEL_LETTER}), now).channel,
            v1::CHANNEL_LETTER);
}

TEST(Channels, CappedChannelFallsBackAndDeferralDoesNot) {
  const absl::TimeZone ny = NewYork();
  const ContactLedger ledger = Example3(ny, false);
  const AttemptRequest call_or_text = Request("t1", {v1::CHANNEL_PHONE, v1::CHANNEL_SMS});
  // Reg F blocks the call: the text goes out instead.
  Decision d = MustEvaluate(UsPolicy(), ledger, Debtor(ny), call_or_text, Local(ny, 2025, 3, 9, 10));
  EXPECT_EQ(d.verdict, Verdict::kAllow);
  EXPECT_EQ(d.channel, v1::CHANNEL_SMS);
  EXPECT_THAT(d.reason, HasSubstr("skipped 7 calls in 7 days to this person (Reg F)"));
  // Quiet hours hold every channel alike: the preferred one waits rather than being swapped.
  d = MustEvaluate(UsPolicy(), {}, Debtor(ny), call_or_text, Local(ny, 2025, 3, 10, 22));
  EXPECT_EQ(d.verdict, Verdict::kDefer);
  EXPECT_EQ(d.channel, v1::CHANNEL_PHONE);
}

// ---- vulnerable, hardship, erased ----

TEST(Human, VulnerableDebtorGoesToAHuman) {
  const absl::TimeZone rome = Rome();
  DebtorFacts debtor = Debtor(rome);
  debtor.vulnerable = true;
  const absl::Time now = Local(rome, 2025, 6, 2, 10);
  const Decision d = MustEvaluate(ItPolicy(), {}, debtor, Request("t1", {v1::CHANNEL_SMS}), now);
  EXPECT_EQ(d.verdict, Verdict::kHandToHuman);
  EXPECT_EQ(d.reason_code, v1::SUPPRESSION_REASON_VULNERABLE);
  EXPECT_EQ(d.channel, v1::CHANNEL_UNSPECIFIED);
  EXPECT_EQ(d.until, now);
  EXPECT_EQ(d.reason, "handed to a human: vulnerable debtor, no automated contact");
}

TEST(Human, HardshipAndBreathingSpaceToTheLastDay) {
  const absl::TimeZone rome = Rome();
  DebtorFacts debtor = Debtor(rome);
  debtor.hardship = true;
  const AttemptRequest sms = Request("t1", {v1::CHANNEL_SMS});
  EXPECT_EQ(MustEvaluate(ItPolicy(), {}, debtor, sms, Local(rome, 2025, 6, 2, 10)).verdict,
            Verdict::kHandToHuman);
  debtor.hardship = false;
  debtor.breathing_space_until = absl::CivilDay(2025, 6, 2);
  const Decision last_day = MustEvaluate(ItPolicy(), {}, debtor, sms, Local(rome, 2025, 6, 2, 20));
  EXPECT_EQ(last_day.verdict, Verdict::kHandToHuman);
  EXPECT_EQ(last_day.reason_code, v1::SUPPRESSION_REASON_HARDSHIP);
  EXPECT_THAT(last_day.reason, HasSubstr("breathing space until 2025-06-02"));
  EXPECT_EQ(MustEvaluate(ItPolicy(), {}, debtor, sms, Local(rome, 2025, 6, 3, 8)).verdict,
            Verdict::kAllow);
}

TEST(Human, ErasedDataIsNeverContacted) {
  DebtorFacts debtor = Debtor(absl::UTCTimeZone());
  debtor.erased = true;
  debtor.vulnerable = true;
  const Decision d = MustEvaluate(ItPolicy(), {}, debtor, Request("t1", {v1::CHANNEL_LETTER}),
                                  Utc(2025, 6, 2, 10));
  EXPECT_EQ(d.verdict, Verdict::kSuppress);
  EXPECT_EQ(d.reason_code, v1::SUPPRESSION_REASON_ERASED);
}

// ---- minimum gap ----

TEST(MinGap, DefersToExactlyOneGapAfterThePreviousContactOfAnyCreditor) {
  const absl::TimeZone rome = Rome();
  v1::ContactPolicy p = ItPolicy();
  *p.mutable_min_gap() = Proto(absl::Hours(24));
  ContactLedger l;
  l = RecordAttempt(l, {Local(rome, 2025, 3, 3, 10), v1::CHANNEL_LETTER, "other-creditor", "x"});
  const AttemptRequest mail = Request("t1", {v1::CHANNEL_EMAIL});
  const Decision d = MustEvaluate(p, l, Debtor(rome), mail, Local(rome, 2025, 3, 4, 9, 59, 59));
  EXPECT_EQ(d.verdict, Verdict::kDefer);
  EXPECT_EQ(d.until, Local(rome, 2025, 3, 4, 10));
  EXPECT_EQ(d.rule_id, "min_gap");
  EXPECT_EQ(d.reason_code, v1::SUPPRESSION_REASON_MIN_GAP);
  EXPECT_EQ(d.reason,
            "deferred to 10:00 Europe/Rome: minimum gap of 1 day since the previous contact to "
            "this person");
  EXPECT_EQ(MustEvaluate(p, l, Debtor(rome), mail, Local(rome, 2025, 3, 4, 10)).verdict,
            Verdict::kAllow);
}

TEST(MinGap, GapEndingInQuietHoursWaitsForMorning) {
  const absl::TimeZone rome = Rome();
  v1::ContactPolicy p = ItPolicy();
  *p.mutable_min_gap() = Proto(absl::Hours(1));
  ContactLedger l;
  l = RecordAttempt(l, {Local(rome, 2025, 3, 3, 20, 30), v1::CHANNEL_SMS, "t1", "s"});
  const Decision d = MustEvaluate(p, l, Debtor(rome), Request("t1", {v1::CHANNEL_SMS}),
                                  Local(rome, 2025, 3, 3, 20, 45));
  EXPECT_EQ(d.verdict, Verdict::kDefer);
  EXPECT_EQ(d.until, Local(rome, 2025, 3, 4, 8));
  EXPECT_THAT(d.reason, StartsWith("deferred to 08:00 Europe/Rome: minimum gap of 1 hour since "
                                   "the previous contact to this person; quiet hours"));
}

// ---- validation and ledger ----

TEST(Policy, ValidationNamesTheField) {
  v1::ContactPolicy p = ItPolicy();
  EXPECT_TRUE(ValidatePolicy(p).ok());
  v1::ContactPolicy bad = p;
  bad.set_jurisdiction("ITA");
  EXPECT_THAT(std::string(ValidatePolicy(bad).message()), StartsWith("jurisdiction:"));
  bad = p;
  bad.add_caps()->set_max_attempts(0);
  EXPECT_THAT(std::string(ValidatePolicy(bad).message()), StartsWith("caps[0].max_attempts:"));
  bad = p;
  bad.add_caps()->set_max_attempts(1);
  EXPECT_THAT(std::string(ValidatePolicy(bad).message()), StartsWith("caps[0].window:"));
  bad = p;
  bad.mutable_quiet_hours(0)->set_end_minute(1440);
  EXPECT_THAT(std::string(ValidatePolicy(bad).message()), StartsWith("quiet_hours[0].end_minute:"));
  bad = p;
  bad.add_allowed_weekdays(8);
  EXPECT_THAT(std::string(ValidatePolicy(bad).message()), StartsWith("allowed_weekdays[0]:"));
  bad = p;
  bad.mutable_min_gap()->set_seconds(-1);
  EXPECT_THAT(std::string(ValidatePolicy(bad).message()), StartsWith("min_gap:"));
  EXPECT_EQ(Evaluate(bad, {}, Debtor(absl::UTCTimeZone()), Request("t1", {v1::CHANNEL_SMS}),
                     Utc(2025, 1, 1, 10))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Evaluate(p, {}, Debtor(absl::UTCTimeZone()), Request("t1", {}), Utc(2025, 1, 1, 10))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(Ledger, RecordIsOrderedAndIdempotent) {
  ContactLedger l;
  l.person_key = "p";
  l = RecordAttempt(l, Call(Utc(2025, 1, 2, 10), "t1", "b"));
  l = RecordAttempt(l, Call(Utc(2025, 1, 1, 10), "t2", "a"));
  l = RecordAttempt(l, Call(Utc(2025, 1, 2, 10), "t1", "b"));  // redelivered
  ASSERT_EQ(l.attempts.size(), 2u);
  EXPECT_EQ(l.attempts[0].attempt_id, "a");
  EXPECT_EQ(l.attempts[1].attempt_id, "b");
  l = RecordConversation(l, "t1", "b", Utc(2025, 1, 2, 10));
  ASSERT_EQ(l.attempts.size(), 2u);
  EXPECT_TRUE(l.attempts[1].conversation);
  // A conversation on a call the ledger never saw is still recorded, as a call.
  l = RecordConversation(l, "t3", "inbound-1", Utc(2025, 1, 3, 10));
  ASSERT_EQ(l.attempts.size(), 3u);
  EXPECT_EQ(l.attempts[2].channel, v1::CHANNEL_PHONE);
  EXPECT_TRUE(l.attempts[2].conversation);
  l = PruneLedger(l, Utc(2025, 1, 2, 0));
  ASSERT_EQ(l.attempts.size(), 2u);
  EXPECT_EQ(l.attempts[0].attempt_id, "b");
  EXPECT_EQ(l.person_key, "p");
}

// ---- breathing space and request mapping ----

TEST(BreathingSpace, PerJurisdiction) {
  EXPECT_EQ(BreathingSpaceDays("UK"), 60);
  EXPECT_EQ(BreathingSpaceDays("gb"), 60);
  EXPECT_EQ(BreathingSpaceDays("IT"), kDefaultBreathingSpaceDays);
  EXPECT_EQ(BreathingSpaceDays("US"), 30);
  v1::ContactPolicy uk;
  uk.set_jurisdiction("UK");
  EXPECT_EQ(EffectiveBreathingSpaceDays(uk), 60);
  uk.set_breathing_space_days(30);  // a tenant cannot shorten the statutory moratorium
  EXPECT_EQ(EffectiveBreathingSpaceDays(uk), 60);
  uk.set_breathing_space_days(90);
  EXPECT_EQ(EffectiveBreathingSpaceDays(uk), 90);
  v1::ContactPolicy it;
  it.set_jurisdiction("IT");
  EXPECT_EQ(EffectiveBreathingSpaceDays(it), 30);
  it.set_breathing_space_days(14);
  EXPECT_EQ(EffectiveBreathingSpaceDays(it), 14);
  EXPECT_EQ(BreathingSpaceUntil(absl::CivilDay(2025, 3, 1), 60), absl::CivilDay(2025, 4, 30));
}

TEST(AttemptRequests, FromDunningEvents) {
  dunning::v1::ContactRequested contact;
  contact.add_channels(dunning::v1::CHANNEL_SMS);
  contact.add_channels(dunning::v1::CHANNEL_EMAIL);
  const AttemptRequest r = FromContactRequested("t1", contact);
  EXPECT_EQ(r.tenant, "t1");
  EXPECT_EQ(r.channels, (std::vector<v1::Channel>{v1::CHANNEL_SMS, v1::CHANNEL_EMAIL}));
  EXPECT_EQ(FromCallTaskRequested("t1", {}).channels,
            std::vector<v1::Channel>{v1::CHANNEL_PHONE});
  EXPECT_EQ(FromFinalNoticeRequested("t1", {}).channels,
            std::vector<v1::Channel>{v1::CHANNEL_LETTER});
  for (int c = 0; c <= 6; ++c) {
    EXPECT_EQ(static_cast<int>(ToContactChannel(static_cast<dunning::v1::Channel>(c))), c);
  }
}

}  // namespace
}  // namespace concerto::contact
