#include "deploy/local/demo/model/behaviour.h"

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "gtest/gtest.h"
#include "libs/rules/creditor_reference.h"

namespace concerto::demo::model {
namespace {

const absl::CivilDay kDay(2026, 3, 2);
constexpr int kN = 10'000;
// Tolerance for a proportion over 10,000 draws, per 10,000: about five standard deviations of
// the worst case (p = 0.5: sd = 50).
constexpr int kTolerance = 250;

DebtorProfile Profile(Archetype a, std::string id = "AE-D00001", std::string lang = "it",
                      DebtorType type = DebtorType::kConsumer) {
  DebtorProfile p;
  p.debtor_id = std::move(id);
  p.tenant_id = "aurora-energia";
  p.type = type;
  p.language = std::move(lang);
  p.preferred_channel = Channel::kEmail;
  p.archetype = a;
  return p;
}

ContactEvent Reminder(int step, bool preferred = true) {
  ContactEvent e;
  e.day = kDay;
  e.channel = Channel::kEmail;
  e.purpose = ContactPurpose::kReminder;
  e.step = step;
  e.template_id = absl::StrCat("reminder-", step);
  e.total_open = rules::Money{12'345, "EUR"};
  e.open_invoice_numbers = {"AE-2026-000123"};
  e.preferred_channel_used = preferred;
  e.language = "it";
  return e;
}

template <typename T>
int CountOf(const std::vector<Action>& actions) {
  int n = 0;
  for (const Action& a : actions) n += std::holds_alternative<T>(a) ? 1 : 0;
  return n;
}

template <typename T>
const T* First(const std::vector<Action>& actions) {
  for (const Action& a : actions) {
    if (const T* t = std::get_if<T>(&a)) return t;
  }
  return nullptr;
}

TEST(BehaviourMixTest, EveryRowSumsTo10000) {
  for (const char* tenant : {"aurora-energia", "vigna-rossa", "lumo-huolto", "someone-else"}) {
    for (DebtorType type : {DebtorType::kConsumer, DebtorType::kBusiness}) {
      for (RiskBand band : {RiskBand::kLow, RiskBand::kMedium, RiskBand::kHigh}) {
        const BehaviourMix mix = MixFor(SegmentKey{tenant, type, band});
        int sum = 0;
        for (int v : mix.per_10000) sum += v;
        EXPECT_EQ(sum, 10'000) << tenant << " " << DebtorTypeName(type) << " "
                               << RiskBandName(band);
      }
    }
  }
  // Riskier bands pay on time less often and ignore more.
  const BehaviourMix low = MixFor({"aurora-energia", DebtorType::kConsumer, RiskBand::kLow});
  const BehaviourMix high = MixFor({"aurora-energia", DebtorType::kConsumer, RiskBand::kHigh});
  EXPECT_GT(low.per_10000[0], high.per_10000[0]);
  EXPECT_LT(low.per_10000[6], high.per_10000[6]);
}

TEST(BehaviourMixTest, ArchetypesOf10000DebtorsFollowTheConfiguredMix) {
  const std::vector<SegmentKey> segments = {
      {"aurora-energia", DebtorType::kConsumer, RiskBand::kMedium},
      {"aurora-energia", DebtorType::kBusiness, RiskBand::kHigh},
      {"vigna-rossa", DebtorType::kBusiness, RiskBand::kMedium},
      {"lumo-huolto", DebtorType::kConsumer, RiskBand::kHigh},
      {"lumo-huolto", DebtorType::kBusiness, RiskBand::kLow}};
  for (const SegmentKey& seg : segments) {
    std::vector<int> counts(kArchetypeCount, 0);
    for (int i = 0; i < kN; ++i) {
      const DebtorProfile p =
          DrawProfile(seg, absl::StrCat("D-", i), "it", Channel::kEmail, 99);
      ++counts[static_cast<size_t>(p.archetype)];
    }
    const BehaviourMix mix = MixFor(seg);
    for (int a = 0; a < kArchetypeCount; ++a) {
      EXPECT_NEAR(counts[static_cast<size_t>(a)], mix.per_10000[static_cast<size_t>(a)],
                  kTolerance)
          << seg.tenant_id << " " << RiskBandName(seg.band) << " "
          << ArchetypeName(static_cast<Archetype>(a));
    }
  }
}

TEST(BehaviourMixTest, DisputeValidityFollowsTheTenantRate) {
  std::map<std::string, int> expected = {
      {"aurora-energia", 3500}, {"vigna-rossa", 4000}, {"lumo-huolto", 3000}};
  for (const auto& [tenant, rate] : expected) {
    int valid = 0;
    for (int i = 0; i < kN; ++i) {
      valid += DrawProfile({tenant, DebtorType::kBusiness, RiskBand::kMedium},
                           absl::StrCat("D-", i), "en", Channel::kEmail, 5)
                       .dispute_valid
                   ? 1
                   : 0;
    }
    EXPECT_NEAR(valid, rate, kTolerance) << tenant;
  }
}

TEST(BehaviourTest, SameSeedSameActionsDifferentSeedDifferent) {
  int differ = 0;
  for (int i = 0; i < 200; ++i) {
    const DebtorProfile p =
        DrawProfile({"aurora-energia", DebtorType::kConsumer, RiskBand::kHigh},
                    absl::StrCat("AE-D", i), "it", Channel::kSms, 1);
    for (int step = 1; step <= 4; ++step) {
      const std::vector<Action> a = React(p, Reminder(step), 1);
      EXPECT_EQ(a, React(p, Reminder(step), 1));
      differ += a == React(p, Reminder(step), 2) ? 0 : 1;
    }
  }
  EXPECT_GT(differ, 50);
}

TEST(BehaviourTest, DecisionsDoNotDependOnTheOrderOfEvents) {
  const DebtorProfile p = Profile(Archetype::kAfterReminder);
  std::vector<std::vector<Action>> forward, backward(4);
  for (int step = 1; step <= 4; ++step) forward.push_back(React(p, Reminder(step), 3));
  for (int step = 4; step >= 1; --step) {
    backward[static_cast<size_t>(step - 1)] = React(p, Reminder(step), 3);
  }
  EXPECT_EQ(forward, backward);
}

TEST(BehaviourTest, AfterReminderPaysFromStepKMoreOftenOnThePreferredChannel) {
  int before = 0, preferred = 0, other = 0;
  for (int i = 0; i < kN; ++i) {
    DebtorProfile p = Profile(Archetype::kAfterReminder, absl::StrCat("D-", i));
    p.reminders_needed = 2;
    before += CountOf<PayAt>(React(p, Reminder(1, true), 8));
    preferred += CountOf<PayAt>(React(p, Reminder(2, true), 8));
    other += CountOf<PayAt>(React(p, Reminder(2, false), 8));
  }
  EXPECT_EQ(before, 0);
  EXPECT_NEAR(preferred, 9000, kTolerance);
  EXPECT_NEAR(other, 5000, kTolerance);
}

TEST(BehaviourTest, AForeignLanguageLowersTheResponse) {
  int own = 0, foreign = 0;
  for (int i = 0; i < kN; ++i) {
    DebtorProfile p = Profile(Archetype::kAfterReminder, absl::StrCat("D-", i));
    p.reminders_needed = 1;
    ContactEvent e = Reminder(1, true);
    own += CountOf<PayAt>(React(p, e, 4));
    e.language = "en";
    foreign += CountOf<PayAt>(React(p, e, 4));
  }
  EXPECT_NEAR(own, 9000, kTolerance);
  EXPECT_NEAR(foreign, 7200, kTolerance);
}

TEST(BehaviourTest, PaymentsPayTheOpenTotalByBankTransferWithTheRfReference) {
  int with_reference = 0, payments = 0;
  for (int i = 0; i < 2000; ++i) {
    DebtorProfile p = Profile(Archetype::kOnTime, absl::StrCat("D-", i));
    p.names_invoices_per_10000 = 6000;
    for (const Action& a : React(p, Reminder(1), 6)) {
      const PayAt* pay = std::get_if<PayAt>(&a);
      if (pay == nullptr) continue;
      ++payments;
      EXPECT_EQ(pay->amount, (rules::Money{12'345, "EUR"}));
      EXPECT_EQ(pay->method, "bank transfer");
      EXPECT_GE(pay->day, kDay);
      if (!pay->reference.empty()) {
        ++with_reference;
        EXPECT_EQ(pay->reference, rules::CreditorReferenceForInvoiceNumber("AE-2026-000123"));
        EXPECT_TRUE(rules::IsValidCreditorReference(pay->reference));
        EXPECT_EQ(pay->invoice_numbers, std::vector<std::string>{"AE-2026-000123"});
      } else {
        EXPECT_TRUE(pay->invoice_numbers.empty());
      }
    }
  }
  EXPECT_GT(payments, 1800);
  EXPECT_NEAR(with_reference * 10'000 / payments, 6000, 400);  // consumers name it 60% of times
}

TEST(BehaviourTest, PromisersPromiseAndKeepAtTheirRate) {
  int promises = 0, kept = 0;
  for (int i = 0; i < kN; ++i) {
    DebtorProfile p = Profile(Archetype::kPromiser, absl::StrCat("D-", i));
    p.keep_promise_per_10000 = 6500;
    const std::vector<Action> actions = React(p, Reminder(1, true), 10);
    const Reply* reply = First<Reply>(actions);
    if (reply == nullptr) continue;
    ++promises;
    ASSERT_EQ(reply->intent, ReplyIntent::kPromise);
    ASSERT_TRUE(reply->amount.has_value());
    ASSERT_TRUE(reply->date.has_value());
    EXPECT_GT(*reply->date, reply->day);
    EXPECT_LE(reply->amount->minor_units, 12'345);
    EXPECT_GT(reply->amount->minor_units, 0);
    const Promise promise{reply->day, *reply->date, *reply->amount, {"AE-2026-000123"}};
    const PromiseDecision d = KeepPromise(p, promise, 10);
    EXPECT_EQ(d, KeepPromise(p, promise, 10));
    if (d.kept) {
      ++kept;
      ASSERT_TRUE(d.payment.has_value());
      EXPECT_LE(d.payment->day, promise.pay_by);
      EXPECT_GE(d.payment->day, promise.made_on);
      EXPECT_EQ(d.payment->amount, promise.amount);
      // The daily form agrees.
      EXPECT_EQ(PromisePaymentOn(p, promise, d.payment->day, 10), d.payment);
      EXPECT_EQ(PromisePaymentOn(p, promise, d.payment->day + 1, 10), std::nullopt);
    }
  }
  EXPECT_NEAR(promises, 8500, kTolerance);
  EXPECT_NEAR(kept * 10'000 / promises, 6500, kTolerance);
}

TEST(BehaviourTest, PlanSeekersAskForAPlanAndKeepInstalmentsAtTheirRate) {
  int asked = 0, kept = 0, instalments = 0;
  for (int i = 0; i < 2000; ++i) {
    DebtorProfile p = Profile(Archetype::kPlanSeeker, absl::StrCat("D-", i));
    p.plan_instalments = 5;
    p.keep_instalment_per_10000 = 8000;
    const std::vector<Action> actions = React(p, Reminder(1, true), 12);
    const RequestPlan* request = First<RequestPlan>(actions);
    if (request == nullptr) continue;
    ++asked;
    EXPECT_EQ(request->instalments, 5);
    ASSERT_NE(First<Reply>(actions), nullptr);
    EXPECT_EQ(First<Reply>(actions)->intent, ReplyIntent::kPlanRequest);

    ContactEvent confirm = Reminder(1);
    confirm.purpose = ContactPurpose::kPlanConfirmation;
    confirm.plan = PlanTerms{5, rules::Money{2'500, "EUR"}, rules::Money{12'345, "EUR"},
                             kDay + 10, 30};
    const std::vector<Action> plan = React(p, confirm, 12);
    ASSERT_EQ(plan.size(), 1u);
    const PayInstalments& pays = std::get<PayInstalments>(plan[0]);
    const std::vector<Instalment> parts = Instalments(*confirm.plan, {"AE-2026-000123"});
    ASSERT_EQ(parts.size(), 5u);
    int64_t total = 0;
    for (const Instalment& in : parts) total += in.amount.minor_units;
    EXPECT_EQ(total, 12'345);
    for (const Instalment& in : parts) {
      ++instalments;
      const std::optional<PayAt> pay = KeepInstalment(p, in, 12);
      const bool missed =
          std::find(pays.missed.begin(), pays.missed.end(), in.index) != pays.missed.end();
      EXPECT_EQ(missed, !pay.has_value() || pay->day > in.due);
      kept += missed ? 0 : 1;
    }
  }
  EXPECT_NEAR(asked, 1600, 120);
  // 80% per instalment, +5 points for the first one: 81% on average.
  EXPECT_NEAR(kept * 10'000 / instalments, 8100, kTolerance);
}

TEST(BehaviourTest, DisputersDisputeOnceWithTheirReasonAndValidity) {
  DebtorProfile p = Profile(Archetype::kDisputer, "VR-D00007", "nl", DebtorType::kBusiness);
  p.tenant_id = "vigna-rossa";
  p.dispute_reason = DisputeReason::kQuality;
  p.dispute_valid = true;
  int disputes = 0;
  for (int i = 0; i < 1000; ++i) {
    ContactEvent e = Reminder(1);
    e.attempt_id = absl::StrCat("a-", i);
    const std::vector<Action> a = React(p, e, 1);
    if (const Reply* r = First<Reply>(a)) {
      ++disputes;
      EXPECT_EQ(r->intent, ReplyIntent::kDispute);
      EXPECT_EQ(r->language, "nl");
      EXPECT_EQ(r->dispute_reason, DisputeReason::kQuality);
      EXPECT_TRUE(r->dispute_valid);
      EXPECT_EQ(r->invoice_number, "AE-2026-000123");
    }
    e.replies_so_far = 1;
    EXPECT_EQ(CountOf<Reply>(React(p, e, 1)), 0);
  }
  EXPECT_NEAR(disputes, 720, 60);  // 90% x 80% (the reminder was in Italian)
}

TEST(BehaviourTest, HardshipFirstThenAPlan) {
  DebtorProfile p = Profile(Archetype::kHardship, "LH-D00002", "fi");
  p.plan_instalments = 9;
  ContactEvent e = Reminder(2);
  e.language = "fi";
  e.channel = Channel::kPhone;
  e.purpose = ContactPurpose::kPhoneCall;
  int hardship = 0, plans = 0;
  for (int i = 0; i < 1000; ++i) {
    e.attempt_id = absl::StrCat("call-", i);
    e.replies_so_far = 0;
    if (const Reply* r = First<Reply>(React(p, e, 2))) {
      EXPECT_EQ(r->intent, ReplyIntent::kHardship);
      EXPECT_EQ(r->channel, Channel::kPhone);
      ++hardship;
    }
    e.replies_so_far = 1;
    if (const RequestPlan* r = First<RequestPlan>(React(p, e, 2))) {
      EXPECT_EQ(r->instalments, 9);
      ++plans;
    }
  }
  EXPECT_NEAR(hardship, 950, 40);
  EXPECT_NEAR(plans, 600, 70);
}

TEST(BehaviourTest, IgnorersMostlyIgnoreAndChurnersLeave) {
  int ignorer_actions = 0, legal_payments = 0, churns = 0;
  for (int i = 0; i < kN; ++i) {
    const DebtorProfile ignorer = Profile(Archetype::kIgnorer, absl::StrCat("D-", i));
    ignorer_actions += static_cast<int>(React(ignorer, Reminder(1), 3).size()) +
                       static_cast<int>(React(ignorer, Reminder(2), 3).size());
    ContactEvent legal = Reminder(6);
    legal.purpose = ContactPurpose::kLegalNotice;
    legal_payments += CountOf<PayAt>(React(ignorer, legal, 3));
    const DebtorProfile churner = Profile(Archetype::kChurner, absl::StrCat("D-", i));
    churns += CountOf<Churn>(React(churner, Reminder(1), 3));
  }
  EXPECT_EQ(ignorer_actions, 0);
  EXPECT_NEAR(legal_payments, 3500, kTolerance);
  EXPECT_NEAR(churns, 4000, kTolerance);
}

TEST(BehaviourTest, PressureOnAnotherChannelCostsCustomers) {
  int preferred = 0, other = 0;
  for (int i = 0; i < kN; ++i) {
    DebtorProfile p = Profile(Archetype::kAfterReminder, absl::StrCat("D-", i));
    p.churn_on_pressure_per_10000 = 1000;
    ContactEvent fin = Reminder(4, true);
    fin.purpose = ContactPurpose::kFinalNotice;
    preferred += CountOf<Churn>(React(p, fin, 4));
    fin.preferred_channel_used = false;
    other += CountOf<Churn>(React(p, fin, 4));
  }
  EXPECT_NEAR(preferred, 1000, 150);
  EXPECT_NEAR(other, 1500, 150);
}

TEST(BehaviourTest, PausedCasesAndZeroBalancesBringNothing) {
  const DebtorProfile p = Profile(Archetype::kOnTime);
  ContactEvent e = Reminder(1);
  e.stage = CaseStage::kPromised;
  EXPECT_TRUE(React(p, e, 1).empty());
  e.stage = CaseStage::kDunning;
  e.total_open = rules::Money{0, "EUR"};
  EXPECT_TRUE(React(p, e, 1).empty());
}

TEST(BehaviourTest, RepliesAreInTheDebtorsLanguageAndDatedOnOrAfterTheContact) {
  for (const char* lang : {"it", "en", "fi", "nl"}) {
    for (Archetype a : {Archetype::kPromiser, Archetype::kPlanSeeker, Archetype::kDisputer,
                        Archetype::kHardship, Archetype::kOnTime}) {
      for (int i = 0; i < 200; ++i) {
        const DebtorProfile p = Profile(a, absl::StrCat(lang, "-", i), lang);
        for (Channel c : {Channel::kEmail, Channel::kSms, Channel::kLetter, Channel::kPhone}) {
          ContactEvent e = Reminder(2);
          e.channel = c;
          for (const Action& action : React(p, e, 21)) {
            if (const Reply* r = std::get_if<Reply>(&action)) {
              EXPECT_EQ(r->language, lang);
              EXPECT_FALSE(r->text.empty());
              EXPECT_GE(r->day, e.day);
              EXPECT_NE(r->channel, Channel::kLetter);
            }
            if (const PayAt* pay = std::get_if<PayAt>(&action)) {
              EXPECT_GE(pay->day, e.day);
            }
            if (const Churn* churn = std::get_if<Churn>(&action)) {
              EXPECT_GE(churn->day, e.day);
            }
          }
        }
      }
    }
  }
}

TEST(BehaviourTest, SpontaneousPaymentFollowsTheArchetype) {
  int on_time = 0, never = 0;
  for (int i = 0; i < kN; ++i) {
    const InvoiceRef inv{absl::StrCat("AE-2026-", 100000 + i), kDay, kDay + 30,
                         rules::Money{5'000, "EUR"}};
    const std::optional<PayAt> good =
        SpontaneousPayment(Profile(Archetype::kOnTime, "D-1"), inv, 1);
    ASSERT_TRUE(good.has_value());
    EXPECT_GE(good->day, inv.issue_date);
    on_time += good->day <= inv.due_date ? 1 : 0;
    never += SpontaneousPayment(Profile(Archetype::kIgnorer, "D-2"), inv, 1).has_value() ? 0 : 1;
  }
  EXPECT_NEAR(on_time, 9300, kTolerance);
  EXPECT_NEAR(never, 3000, kTolerance);
}

TEST(SurveyTest, AnswersAreInRangeDeterministicAndFollowTheExperience) {
  int64_t friendly = 0, legal = 0;
  int answered = 0;
  for (int i = 0; i < 2000; ++i) {
    const DebtorProfile p = DrawProfile({"lumo-huolto", DebtorType::kConsumer, RiskBand::kMedium},
                                        absl::StrCat("LH-", i), "fi", Channel::kSms, 3);
    const CaseExperience good{1, CaseClosure::kPaidBeforeDue, 0, true};
    const CaseExperience bad{9, CaseClosure::kLegal, 150, false};
    const SurveyResult a = SurveyAnswer(p, good, 3);
    const SurveyResult b = SurveyAnswer(p, bad, 3);
    EXPECT_EQ(a, SurveyAnswer(p, good, 3));
    for (const SurveyResult& s : {a, b}) {
      EXPECT_GE(s.csat, 1);
      EXPECT_LE(s.csat, 5);
      EXPECT_GE(s.nps, 0);
      EXPECT_LE(s.nps, 10);
    }
    friendly += a.csat;
    legal += b.csat;
    answered += AnswersSurvey(p, good, 3) ? 1 : 0;
  }
  EXPECT_GT(friendly, 2000 * 4);  // average above 4
  EXPECT_LT(legal, 2000 * 2);     // average below 2
  EXPECT_NEAR(answered, 560, 90);  // 28%
}

}  // namespace
}  // namespace concerto::demo::model
