#include "services/dunning/domain/case_engine.h"

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "services/dunning/domain/engine_test_util.h"

namespace concerto::dunning {
namespace {

using testing::Day;
using testing::Eur;
using testing::Harness;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using v1::CaseState;

// ---- the table, independently restated ----

const std::set<std::string>& ExpectedTransitions() {
  static const std::set<std::string> kAllowed = [] {
    std::set<std::string> s;
    const std::vector<std::string> open = {"CURRENT",  "DUNNING",  "PROMISED",     "ON_PLAN",
                                           "DISPUTED", "HARDSHIP", "AGENT_REVIEW", "LEGAL"};
    for (const char* to : {"CURRENT", "DUNNING"}) {
      for (const char* from : {"NONE", "CURRENT", "DUNNING", "PROMISED", "ON_PLAN", "DISPUTED",
                               "HARDSHIP", "AGENT_REVIEW"}) {
        s.insert(absl::StrCat(from, "->", to));
      }
    }
    for (const char* from : {"DUNNING", "AGENT_REVIEW"}) s.insert(absl::StrCat(from, "->PROMISED"));
    for (const char* from : {"DUNNING", "PROMISED", "AGENT_REVIEW"}) {
      s.insert(absl::StrCat(from, "->ON_PLAN"));
    }
    for (const char* from :
         {"CURRENT", "DUNNING", "PROMISED", "ON_PLAN", "HARDSHIP", "AGENT_REVIEW"}) {
      s.insert(absl::StrCat(from, "->DISPUTED"));
    }
    for (const char* from :
         {"CURRENT", "DUNNING", "PROMISED", "ON_PLAN", "DISPUTED", "AGENT_REVIEW"}) {
      s.insert(absl::StrCat(from, "->HARDSHIP"));
    }
    for (const char* from : {"CURRENT", "DUNNING", "PROMISED", "ON_PLAN", "LEGAL"}) {
      s.insert(absl::StrCat(from, "->AGENT_REVIEW"));
    }
    for (const char* from : {"DUNNING", "AGENT_REVIEW"}) s.insert(absl::StrCat(from, "->LEGAL"));
    for (const std::string& from : open) {
      for (const char* to : {"PAID", "WRITTEN_OFF", "CANCELLED", "RECALLED"}) {
        s.insert(absl::StrCat(from, "->", to));
      }
    }
    for (const char* from : {"AGENT_REVIEW", "LEGAL"}) s.insert(absl::StrCat(from, "->SETTLED"));
    return s;
  }();
  return kAllowed;
}

TEST(TransitionTable, EveryPairIsAllowedExactlyWhenListedAndInvalidOnesNameFromAndTo) {
  int allowed = 0;
  for (int f = v1::CASE_STATE_UNSPECIFIED; f <= v1::CASE_STATE_RECALLED; ++f) {
    for (int t = v1::CASE_STATE_UNSPECIFIED; t <= v1::CASE_STATE_RECALLED; ++t) {
      const auto from = static_cast<CaseState>(f);
      const auto to = static_cast<CaseState>(t);
      const std::string key = absl::StrCat(StateName(from), "->", StateName(to));
      const bool expect = ExpectedTransitions().count(key) > 0;
      const absl::Status s = CheckTransition(from, to);
      EXPECT_EQ(s.ok(), expect) << key;
      if (!expect) {
        EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << key;
        EXPECT_EQ(s.message(),
                  absl::StrCat("invalid transition ", StateName(from), " -> ", StateName(to)));
      }
      allowed += expect;
    }
  }
  EXPECT_EQ(allowed, static_cast<int>(ExpectedTransitions().size()));
}

TEST(TransitionTable, ClosedStatesAreTerminal) {
  for (int f = v1::CASE_STATE_PAID; f <= v1::CASE_STATE_RECALLED; ++f) {
    for (int t = 0; t <= v1::CASE_STATE_RECALLED; ++t) {
      EXPECT_FALSE(IsAllowedTransition(static_cast<CaseState>(f), static_cast<CaseState>(t)));
    }
  }
}

// ---- every transition driven through the engine ----

struct Scenario {
  std::string name;
  std::function<void(Harness&)> setup;
  std::function<absl::Status(Harness&)> act;
  CaseState from;
  CaseState to;
};

void OpenDunning(Harness& h) {
  ASSERT_TRUE(h.Overdue("inv-1", 41250, Day(2025, 2, 26)).ok());
  ASSERT_EQ(h.c.state(), v1::CASE_STATE_DUNNING);
}
void ToLegal(Harness& h) {
  OpenDunning(h);
  ASSERT_TRUE(h.Apply(AgentAction{AgentAction::Kind::kRequestEscalation, "ann", "no answer"}).ok());
  ASSERT_EQ(h.c.state(), v1::CASE_STATE_LEGAL);
}
void ToReview(Harness& h) {
  OpenDunning(h);
  ASSERT_TRUE(h.Apply(AgentAction{AgentAction::Kind::kPause, "ann", "check"}).ok());
}
void ToPromised(Harness& h) {
  OpenDunning(h);
  ASSERT_TRUE(h.Apply(PromiseMade{41250, Day(2025, 3, 10)}).ok());
}
void ToPlan(Harness& h) {
  OpenDunning(h);
  ASSERT_TRUE(h.Apply(PlanCreated{3}).ok());
}
void ToDisputed(Harness& h) {
  OpenDunning(h);
  ASSERT_TRUE(h.Apply(DisputeRaised{"inv-1", "never delivered"}).ok());
}
void ToHardship(Harness& h) {
  OpenDunning(h);
  ASSERT_TRUE(h.Apply(HardshipReported{Day(2025, 4, 30), "breathing space"}).ok());
}
void ToCurrent(Harness& h) {
  ASSERT_TRUE(h.Apply(InvoiceIssued{"inv-1", Eur(41250), Day(2025, 3, 20), {}}).ok());
}

using AK = AgentAction::Kind;
using LK = LegalOutcome::Kind;

const CaseState kNone = v1::CASE_STATE_UNSPECIFIED, kCur = v1::CASE_STATE_CURRENT,
                kDun = v1::CASE_STATE_DUNNING, kProm = v1::CASE_STATE_PROMISED,
                kPlan = v1::CASE_STATE_ON_PLAN, kDisp = v1::CASE_STATE_DISPUTED,
                kHard = v1::CASE_STATE_HARDSHIP, kRev = v1::CASE_STATE_AGENT_REVIEW,
                kLegal = v1::CASE_STATE_LEGAL, kPaid = v1::CASE_STATE_PAID,
                kSett = v1::CASE_STATE_SETTLED, kWo = v1::CASE_STATE_WRITTEN_OFF,
                kCanc = v1::CASE_STATE_CANCELLED, kRec = v1::CASE_STATE_RECALLED;

std::vector<Scenario> Scenarios() {
  auto nothing = [](Harness&) {};
  return {
      {"issued invoice opens CURRENT", nothing,
       [](Harness& h) {
         return h.Apply(InvoiceIssued{"inv-1", Eur(100), Day(2025, 3, 20), {}});
       },
       kNone, kCur},
      {"overdue invoice opens DUNNING", nothing,
       [](Harness& h) { return h.Overdue("inv-1", 100, Day(2025, 2, 20)); }, kNone, kDun},
      {"pre-due nudge keeps CURRENT", ToCurrent, [](Harness& h) { return h.FireTimer(); }, kCur,
       kCur},
      {"invoice overdue moves CURRENT to DUNNING", ToCurrent,
       [](Harness& h) {
         h.AdvanceDays(20);
         return h.Overdue("inv-1", 41250, Day(2025, 3, 20));
       },
       kCur, kDun},
      {"step fires in DUNNING", OpenDunning, [](Harness& h) { return h.FireTimer(); }, kDun, kDun},
      {"payment of the overdue part returns to CURRENT",
       [](Harness& h) {
         OpenDunning(h);
         ASSERT_TRUE(h.Apply(InvoiceIssued{"inv-2", Eur(500), Day(2025, 4, 1), {}}).ok());
       },
       [](Harness& h) {
         return h.Apply(PaymentAllocated{"inv-1", 41250});
       },
       kDun, kCur},
      {"promise", OpenDunning,
       [](Harness& h) {
         return h.Apply(PromiseMade{1, Day(2025, 3, 9)});
       },
       kDun, kProm},
      {"promise broken", ToPromised, [](Harness& h) { return h.Apply(PromiseBroken{}); }, kProm,
       kDun},
      {"promise kept, balance left", ToPromised, [](Harness& h) { return h.Apply(PromiseKept{}); },
       kProm, kDun},
      {"plan instead of promise", ToPromised, [](Harness& h) { return h.Apply(PlanCreated{4}); },
       kProm, kPlan},
      {"plan", OpenDunning, [](Harness& h) { return h.Apply(PlanCreated{4}); }, kDun, kPlan},
      {"plan broken", ToPlan, [](Harness& h) { return h.Apply(PlanBroken{}); }, kPlan, kDun},
      {"plan completed, balance left", ToPlan, [](Harness& h) { return h.Apply(PlanCompleted{}); },
       kPlan, kDun},
      {"dispute of the only invoice", OpenDunning,
       [](Harness& h) {
         return h.Apply(DisputeRaised{"inv-1", "wrong amount"});
       },
       kDun, kDisp},
      {"dispute while CURRENT", ToCurrent,
       [](Harness& h) {
         return h.Apply(DisputeRaised{"inv-1", "x"});
       },
       kCur, kDisp},
      {"dispute while PROMISED", ToPromised,
       [](Harness& h) {
         return h.Apply(DisputeRaised{"inv-1", "x"});
       },
       kProm, kDisp},
      {"dispute while ON_PLAN", ToPlan,
       [](Harness& h) {
         return h.Apply(DisputeRaised{"inv-1", "x"});
       },
       kPlan, kDisp},
      {"dispute while AGENT_REVIEW", ToReview,
       [](Harness& h) {
         return h.Apply(DisputeRaised{"inv-1", "x"});
       },
       kRev, kDisp},
      {"dispute rejected", ToDisputed,
       [](Harness& h) {
         return h.Apply(DisputeResolved{"inv-1", false, "delivered"});
       },
       kDisp, kDun},
      {"dispute upheld cancels", ToDisputed,
       [](Harness& h) {
         return h.Apply(DisputeResolved{"inv-1", true, "credit note"});
       },
       kDisp, kCanc},
      {"hardship", OpenDunning,
       [](Harness& h) {
         return h.Apply(HardshipReported{std::nullopt, "vulnerable"});
       },
       kDun, kHard},
      {"hardship while DISPUTED", ToDisputed,
       [](Harness& h) {
         return h.Apply(HardshipReported{std::nullopt, "x"});
       },
       kDisp, kHard},
      {"hardship while CURRENT", ToCurrent,
       [](Harness& h) {
         return h.Apply(HardshipReported{std::nullopt, "x"});
       },
       kCur, kHard},
      {"hardship while PROMISED", ToPromised,
       [](Harness& h) {
         return h.Apply(HardshipReported{std::nullopt, "x"});
       },
       kProm, kHard},
      {"hardship while ON_PLAN", ToPlan,
       [](Harness& h) {
         return h.Apply(HardshipReported{std::nullopt, "x"});
       },
       kPlan, kHard},
      {"hardship while AGENT_REVIEW", ToReview,
       [](Harness& h) {
         return h.Apply(HardshipReported{std::nullopt, "x"});
       },
       kRev, kHard},
      {"hardship ended", ToHardship, [](Harness& h) { return h.Apply(HardshipEnded{"ok"}); }, kHard,
       kDun},
      {"hardship period expires by timer", ToHardship, [](Harness& h) { return h.FireTimer(); },
       kHard, kDun},
      {"hardship ends into a dispute",
       [](Harness& h) {
         ToDisputed(h);
         ASSERT_TRUE(h.Apply(HardshipReported{std::nullopt, "x"}).ok());
       },
       [](Harness& h) { return h.Apply(HardshipEnded{"ok"}); }, kHard, kDisp},
      {"hardship ends with nothing overdue",
       [](Harness& h) {
         ToCurrent(h);
         ASSERT_TRUE(h.Apply(HardshipReported{std::nullopt, "x"}).ok());
       },
       [](Harness& h) { return h.Apply(HardshipEnded{"ok"}); }, kHard, kCur},
      {"pause by agent", OpenDunning,
       [](Harness& h) {
         return h.Apply(AgentAction{AK::kPause, "ann", "call back"});
       },
       kDun, kRev},
      {"pause while CURRENT", ToCurrent,
       [](Harness& h) {
         return h.Apply(AgentAction{AK::kPause, "ann", "x"});
       },
       kCur, kRev},
      {"pause while PROMISED", ToPromised,
       [](Harness& h) {
         return h.Apply(AgentAction{AK::kPause, "ann", "x"});
       },
       kProm, kRev},
      {"pause while ON_PLAN", ToPlan,
       [](Harness& h) {
         return h.Apply(AgentAction{AK::kPause, "ann", "x"});
       },
       kPlan, kRev},
      {"resume by agent", ToReview,
       [](Harness& h) {
         return h.Apply(AgentAction{AK::kResume, "ann", ""});
       },
       kRev, kDun},
      {"resume into CURRENT",
       [](Harness& h) {
         ToCurrent(h);
         ASSERT_TRUE(h.Apply(AgentAction{AK::kPause, "ann", "x"}).ok());
       },
       [](Harness& h) {
         return h.Apply(AgentAction{AK::kResume, "ann", ""});
       },
       kRev, kCur},
      {"promise from review", ToReview,
       [](Harness& h) {
         return h.Apply(PromiseMade{1, Day(2025, 3, 9)});
       },
       kRev, kProm},
      {"plan from review", ToReview, [](Harness& h) { return h.Apply(PlanCreated{2}); }, kRev,
       kPlan},
      {"agent escalates", OpenDunning,
       [](Harness& h) {
         return h.Apply(AgentAction{AK::kRequestEscalation, "ann", ""});
       },
       kDun, kLegal},
      {"agent escalates from review", ToReview,
       [](Harness& h) {
         return h.Apply(AgentAction{AK::kRequestEscalation, "ann", ""});
       },
       kRev, kLegal},
      {"legal rejects", ToLegal,
       [](Harness& h) {
         return h.Apply(LegalOutcome{LK::kRejected, "no assets"});
       },
       kLegal, kRev},
      {"legal settles", ToLegal,
       [](Harness& h) {
         return h.Apply(LegalOutcome{LK::kSettled, "80%"});
       },
       kLegal, kSett},
      {"legal collects", ToLegal,
       [](Harness& h) {
         return h.Apply(LegalOutcome{LK::kPaid, ""});
       },
       kLegal, kPaid},
      {"legal: uncollectable", ToLegal,
       [](Harness& h) {
         return h.Apply(LegalOutcome{LK::kUncollectable, ""});
       },
       kLegal, kWo},
      {"agent settles", ToReview,
       [](Harness& h) {
         return h.Apply(AgentAction{AK::kSettle, "sue", "70%"});
       },
       kRev, kSett},
      {"agent writes off", ToReview,
       [](Harness& h) {
         return h.Apply(AgentAction{AK::kWriteOff, "sue", "deceased"});
       },
       kRev, kWo},
      {"paid in full", OpenDunning,
       [](Harness& h) {
         return h.Apply(PaymentAllocated{"inv-1", 41250});
       },
       kDun, kPaid},
      {"paid while CURRENT", ToCurrent,
       [](Harness& h) {
         return h.Apply(PaymentAllocated{"inv-1", 41250});
       },
       kCur, kPaid},
      {"paid while PROMISED", ToPromised,
       [](Harness& h) {
         return h.Apply(PaymentAllocated{"inv-1", 41250});
       },
       kProm, kPaid},
      {"paid while ON_PLAN", ToPlan,
       [](Harness& h) {
         return h.Apply(PaymentAllocated{"inv-1", 41250});
       },
       kPlan, kPaid},
      {"paid while HARDSHIP", ToHardship,
       [](Harness& h) {
         return h.Apply(PaymentAllocated{"inv-1", 41250});
       },
       kHard, kPaid},
      {"paid while AGENT_REVIEW", ToReview,
       [](Harness& h) {
         return h.Apply(PaymentAllocated{"inv-1", 41250});
       },
       kRev, kPaid},
      {"paid while LEGAL", ToLegal,
       [](Harness& h) {
         return h.Apply(PaymentAllocated{"inv-1", 41250});
       },
       kLegal, kPaid},
      {"paid while DISPUTED", ToDisputed,
       [](Harness& h) {
         return h.Apply(PaymentAllocated{"inv-1", 41250});
       },
       kDisp, kPaid},
      {"invoice cancelled", OpenDunning,
       [](Harness& h) { return h.Apply(InvoiceCancelled{"inv-1"}); }, kDun, kCanc},
      {"invoice written off", OpenDunning,
       [](Harness& h) { return h.Apply(InvoiceWrittenOff{"inv-1"}); }, kDun, kWo},
      {"recalled", OpenDunning, [](Harness& h) { return h.Apply(Recalled{"client request"}); },
       kDun, kRec},
      {"recalled from LEGAL", ToLegal, [](Harness& h) { return h.Apply(Recalled{"x"}); }, kLegal,
       kRec},
      {"recalled from HARDSHIP", ToHardship, [](Harness& h) { return h.Apply(Recalled{"x"}); },
       kHard, kRec},
  };
}

TEST(CaseEngineTransitions, EveryScenarioRecordsItsTransitionWithAReason) {
  std::set<std::string> covered;
  for (const Scenario& sc : Scenarios()) {
    SCOPED_TRACE(sc.name);
    Harness h;
    sc.setup(h);
    ASSERT_EQ(h.c.state(), sc.from);
    const absl::Status s = sc.act(h);
    ASSERT_TRUE(s.ok()) << s;
    EXPECT_EQ(h.c.state(), sc.to);
    ASSERT_GT(h.c.timeline_size(), 0);
    // The transition from `from` to `to` is on the timeline with a reason and the cause id.
    bool found = false;
    for (const auto& t : h.c.timeline()) {
      if (t.from() == sc.from && t.to() == sc.to && t.cause_id() == "in-" + std::to_string(h.seq)) {
        found = true;
        EXPECT_FALSE(t.reason().empty());
      }
    }
    EXPECT_TRUE(found);
    covered.insert(absl::StrCat(StateName(sc.from), "->", StateName(sc.to)));
  }
  EXPECT_GE(covered.size(), 50u);
}

struct Invalid {
  std::string name;
  std::function<void(Harness&)> setup;
  std::function<absl::Status(Harness&)> act;
  std::string message;
};

TEST(CaseEngineTransitions, InvalidInputsAreRefusedNamingFromAndToAndChangeNothing) {
  const std::vector<Invalid> cases = {
      {"pause while DISPUTED", ToDisputed,
       [](Harness& h) {
         return h.Apply(AgentAction{AK::kPause, "ann", "x"});
       },
       "invalid transition DISPUTED -> AGENT_REVIEW"},
      {"pause while HARDSHIP", ToHardship,
       [](Harness& h) {
         return h.Apply(AgentAction{AK::kPause, "ann", "x"});
       },
       "invalid transition HARDSHIP -> AGENT_REVIEW"},
      {"plan while LEGAL", ToLegal, [](Harness& h) { return h.Apply(PlanCreated{3}); },
       "invalid transition LEGAL -> ON_PLAN"},
      {"escalate while DISPUTED", ToDisputed,
       [](Harness& h) {
         return h.Apply(AgentAction{AK::kRequestEscalation, "ann", ""});
       },
       "invalid transition DISPUTED -> LEGAL"},
      {"escalate while HARDSHIP", ToHardship,
       [](Harness& h) {
         return h.Apply(AgentAction{AK::kRequestEscalation, "ann", ""});
       },
       "invalid transition HARDSHIP -> LEGAL"},
      {"escalate while CURRENT", ToCurrent,
       [](Harness& h) {
         return h.Apply(AgentAction{AK::kRequestEscalation, "ann", ""});
       },
       "invalid transition CURRENT -> LEGAL"},
      {"settle while DUNNING", OpenDunning,
       [](Harness& h) {
         return h.Apply(AgentAction{AK::kSettle, "ann", ""});
       },
       "invalid transition DUNNING -> SETTLED"},
      {"legal outcome while DUNNING", OpenDunning,
       [](Harness& h) {
         return h.Apply(LegalOutcome{LK::kSettled, ""});
       },
       "invalid transition DUNNING -> SETTLED"},
      {"promise while LEGAL", ToLegal,
       [](Harness& h) {
         return h.Apply(PromiseMade{1, Day(2025, 3, 9)});
       },
       "invalid transition LEGAL -> PROMISED"},
      {"promise while HARDSHIP", ToHardship,
       [](Harness& h) {
         return h.Apply(PromiseMade{1, Day(2025, 3, 9)});
       },
       "invalid transition HARDSHIP -> PROMISED"},
      {"plan while DISPUTED", ToDisputed, [](Harness& h) { return h.Apply(PlanCreated{3}); },
       "invalid transition DISPUTED -> ON_PLAN"},
      {"hardship while LEGAL", ToLegal,
       [](Harness& h) {
         return h.Apply(HardshipReported{std::nullopt, "x"});
       },
       "invalid transition LEGAL -> HARDSHIP"},
      {"resume while DUNNING", OpenDunning,
       [](Harness& h) {
         return h.Apply(AgentAction{AK::kResume, "ann", ""});
       },
       "invalid transition DUNNING -> DUNNING: resume needs AGENT_REVIEW"},
      {"pause a PAID case",
       [](Harness& h) {
         OpenDunning(h);
         ASSERT_TRUE(h.Apply(PaymentAllocated{"inv-1", 41250}).ok());
       },
       [](Harness& h) {
         return h.Apply(AgentAction{AK::kPause, "ann", "x"});
       },
       "case is PAID: no agent action possible"},
      {"new invoice while LEGAL", ToLegal,
       [](Harness& h) { return h.Overdue("inv-9", 100, Day(2025, 2, 1)); }, "case is LEGAL"},
  };
  for (const Invalid& c : cases) {
    SCOPED_TRACE(c.name);
    Harness h;
    c.setup(h);
    const v1::Case before = h.c;
    const absl::Status s = c.act(h);
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
    EXPECT_THAT(std::string(s.message()), HasSubstr(c.message));
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(before, h.c));
  }
}

// ---- behaviour ----

TEST(CaseEngine, StepReasonNamesStepStrategyDaysPastDueAndBalance) {
  Harness h;
  ASSERT_TRUE(h.Overdue("inv-1", 41250, Day(2025, 2, 26)).ok());  // 3 days past due on 03-01
  ASSERT_TRUE(h.FireTimer().ok());
  EXPECT_THAT(h.LastReason(),
              StartsWith("step 2 of strategy gentle-v1: 3 days past due, balance EUR 412.50"));
  EXPECT_EQ(h.c.timeline(h.c.timeline_size() - 1).step(), 2);
}

TEST(CaseEngine, ThreeInvoicesGiveOneConsolidatedContactPerStep) {
  Harness h;
  ASSERT_TRUE(h.Overdue("inv-1", 10000, Day(2025, 2, 26)).ok());
  ASSERT_TRUE(h.Overdue("inv-2", 20000, Day(2025, 2, 27)).ok());
  ASSERT_TRUE(h.Overdue("inv-3", 11250, Day(2025, 2, 28)).ok());
  ASSERT_TRUE(h.FireTimer().ok());
  auto contacts =
      h.Events(&v1::CaseEvent::contact_requested, &v1::CaseEvent::has_contact_requested);
  ASSERT_EQ(contacts.size(), 1u);
  EXPECT_EQ(contacts[0]->invoices_size(), 3);
  EXPECT_EQ(contacts[0]->total().minor_units(), 41250);
  EXPECT_EQ(contacts[0]->template_(), "reminder-1");
  EXPECT_EQ(contacts[0]->channels(0), v1::CHANNEL_SMS);
  EXPECT_EQ(contacts[0]->assignment().strategy_id(), "gentle");
  EXPECT_EQ(contacts[0]->assignment().variant(), "champion");
  EXPECT_EQ(contacts[0]->days_past_due(), 3);
}

TEST(CaseEngine, DisputedInvoiceIsExcludedWhileTheRestContinues) {
  Harness h;
  ASSERT_TRUE(h.Overdue("inv-1", 10000, Day(2025, 2, 26)).ok());
  ASSERT_TRUE(h.Overdue("inv-2", 20000, Day(2025, 2, 26)).ok());
  ASSERT_TRUE(h.Overdue("inv-3", 30000, Day(2025, 2, 26)).ok());
  ASSERT_TRUE(h.Apply(DisputeRaised{"inv-2", "damaged goods"}).ok());
  EXPECT_EQ(h.c.state(), v1::CASE_STATE_DUNNING);
  ASSERT_TRUE(h.c.has_timer_due());
  ASSERT_TRUE(h.FireTimer().ok());
  auto contacts =
      h.Events(&v1::CaseEvent::contact_requested, &v1::CaseEvent::has_contact_requested);
  ASSERT_EQ(contacts.size(), 1u);
  ASSERT_EQ(contacts[0]->invoices_size(), 2);
  EXPECT_EQ(contacts[0]->invoices(0).invoice_id(), "inv-1");
  EXPECT_EQ(contacts[0]->invoices(1).invoice_id(), "inv-3");
  EXPECT_EQ(contacts[0]->total().minor_units(), 40000);

  // Disputing the rest pauses the whole case and cancels the step timer.
  ASSERT_TRUE(h.Apply(DisputeRaised{"inv-1", "x"}).ok());
  EXPECT_EQ(h.c.state(), v1::CASE_STATE_DUNNING);
  ASSERT_TRUE(h.Apply(DisputeRaised{"inv-3", "x"}).ok());
  EXPECT_EQ(h.c.state(), v1::CASE_STATE_DISPUTED);
  EXPECT_TRUE(h.last.timer.cancel);
  EXPECT_FALSE(h.c.has_timer_due());
  EXPECT_THAT(h.LastReason(), HasSubstr("every open invoice is disputed"));

  // Resolving one resumes the steps for that invoice.
  ASSERT_TRUE(h.Apply(DisputeResolved{"inv-3", false, "delivered"}).ok());
  EXPECT_EQ(h.c.state(), v1::CASE_STATE_DUNNING);
  EXPECT_TRUE(h.last.timer.arm);
}

TEST(CaseEngine, GuardrailSendsEscalationToAgentReviewWithTheReason) {
  Harness h;
  h.ctx.legal = LegalTotals{10'000'000, 490'000};  // EUR 100,000 placed, 4,900 escalated
  ASSERT_TRUE(h.Overdue("inv-1", 41250, Day(2025, 2, 26)).ok());
  ASSERT_TRUE(h.Apply(AgentAction{AK::kPause, "ann", "x"}).ok());
  // An agent in review asking for escalation is refused with the guardrail reason.
  absl::Status s = h.Apply(AgentAction{AK::kRequestEscalation, "ann", ""});
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.message()), HasSubstr("legal-ratio guardrail"));
  ASSERT_TRUE(h.Apply(AgentAction{AK::kResume, "ann", ""}).ok());
  // The strategy's escalation step ends in AGENT_REVIEW instead of LEGAL.
  while (h.c.state() == v1::CASE_STATE_DUNNING && h.c.has_timer_due()) {
    ASSERT_TRUE(h.FireTimer().ok());
  }
  EXPECT_EQ(h.c.state(), v1::CASE_STATE_AGENT_REVIEW);
  EXPECT_THAT(h.LastReason(), HasSubstr("step 5 of strategy gentle-v1"));
  EXPECT_THAT(h.LastReason(),
              HasSubstr("legal-ratio guardrail: escalating EUR 412.50 would bring "
                        "escalated/placed to 5.31% (target 5.00% of EUR 100000.00 placed)"));
  EXPECT_TRUE(
      h.Events(&v1::CaseEvent::escalation_requested, &v1::CaseEvent::has_escalation_requested)
          .empty());
}

TEST(CaseEngine, EscalationUnderTheGuardrailGoesToLegalAfterTheFinalNoticeExpires) {
  Harness h;
  h.ctx.legal = LegalTotals{10'000'000, 100'000};
  ASSERT_TRUE(h.Overdue("inv-1", 41250, Day(2025, 2, 26)).ok());
  std::vector<std::string> seen;
  while (h.c.state() == v1::CASE_STATE_DUNNING && h.c.has_timer_due()) {
    ASSERT_TRUE(h.FireTimer().ok());
    for (const auto& e : h.last.events) {
      if (e.has_final_notice_requested()) {
        EXPECT_EQ(e.final_notice_requested().expires().month(), 4);  // 2025-03-18 + 14 = 04-01
        seen.push_back("final");
      }
    }
  }
  EXPECT_EQ(h.c.state(), v1::CASE_STATE_LEGAL);
  ASSERT_EQ(seen.size(), 1u);
  auto esc =
      h.Events(&v1::CaseEvent::escalation_requested, &v1::CaseEvent::has_escalation_requested);
  ASSERT_EQ(esc.size(), 1u);
  EXPECT_EQ(esc[0]->balance().minor_units(), 41250);
  EXPECT_EQ(h.last.escalated_delta_minor, 41250);
  EXPECT_EQ(h.c.escalated_value().minor_units(), 41250);
  EXPECT_GT(h.Today(), Day(2025, 4, 1));  // the final notice (expires 04-01) had expired
}

TEST(CaseEngine, EscalationBelowMinimumBalanceGoesToAgent) {
  Harness h;
  ASSERT_TRUE(h.Overdue("inv-1", 4000, Day(2025, 2, 26)).ok());
  while (h.c.state() == v1::CASE_STATE_DUNNING && h.c.has_timer_due()) {
    ASSERT_TRUE(h.FireTimer().ok());
  }
  EXPECT_EQ(h.c.state(), v1::CASE_STATE_AGENT_REVIEW);
  EXPECT_THAT(h.LastReason(), HasSubstr("balance EUR 40.00 is below the minimum EUR 50.00"));
}

TEST(CaseEngine, ZeroOpenBalanceClosesPaidWithCaseClosedEvent) {
  Harness h;
  ASSERT_TRUE(h.Overdue("inv-1", 10000, Day(2025, 2, 26)).ok());
  ASSERT_TRUE(h.Overdue("inv-2", 5000, Day(2025, 2, 26)).ok());
  ASSERT_TRUE(h.Apply(PaymentAllocated{"inv-1", 10000}).ok());
  EXPECT_EQ(h.c.state(), v1::CASE_STATE_DUNNING);
  ASSERT_TRUE(h.Apply(InvoiceCancelled{"inv-2"}).ok());
  EXPECT_EQ(h.c.state(), v1::CASE_STATE_PAID);  // something was paid: PAID, not CANCELLED
  auto closed = h.Events(&v1::CaseEvent::closed, &v1::CaseEvent::has_closed);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0]->final_state(), v1::CASE_STATE_PAID);
  EXPECT_EQ(OpenBalance(h.c), 0);
  EXPECT_FALSE(h.c.has_timer_due());
  EXPECT_TRUE(h.last.timer.cancel);
}

TEST(CaseEngine, NewInvoiceOnAClosedCaseOpensTheNextCycle) {
  Harness h;
  ASSERT_TRUE(h.Overdue("inv-1", 10000, Day(2025, 2, 26)).ok());
  ASSERT_TRUE(h.Apply(PaymentAllocated{"inv-1", 10000}).ok());
  ASSERT_TRUE(h.Apply(PromiseKept{}).ok());  // a late event on a closed case is ignored
  EXPECT_FALSE(h.last.changed);
  ASSERT_TRUE(h.Overdue("inv-2", 5000, Day(2025, 2, 28)).ok());
  EXPECT_EQ(h.c.sequence(), 2);
  EXPECT_EQ(h.c.state(), v1::CASE_STATE_DUNNING);
  EXPECT_EQ(h.c.invoices_size(), 1);
  ASSERT_TRUE(h.last.events.at(0).has_opened());
}

TEST(CaseEngine, StaleTimerIsIgnored) {
  Harness h;
  ASSERT_TRUE(h.Overdue("inv-1", 10000, Day(2025, 2, 26)).ok());
  ASSERT_TRUE(h.Apply(StepTimerFired{4}).ok());
  EXPECT_FALSE(h.last.changed);
  EXPECT_TRUE(h.last.events.empty());
}

TEST(CaseEngine, PreDueNudgeRunsWhileCurrentAndArmsTheNextStep) {
  Harness h;
  ASSERT_TRUE(h.Apply(InvoiceIssued{"inv-1", Eur(41250), Day(2025, 3, 20), {}}).ok());
  ASSERT_TRUE(h.last.timer.arm);
  EXPECT_EQ(absl::ToCivilSecond(h.last.timer.due, absl::UTCTimeZone()),
            absl::CivilSecond(2025, 3, 17, 9, 0, 0));
  ASSERT_TRUE(h.FireTimer().ok());
  EXPECT_EQ(h.c.state(), v1::CASE_STATE_CURRENT);
  EXPECT_THAT(h.LastReason(), StartsWith("step 1 of strategy gentle-v1: -3 days past due"));
  ASSERT_TRUE(h.last.timer.arm);
  EXPECT_EQ(absl::ToCivilSecond(h.last.timer.due, absl::UTCTimeZone()),
            absl::CivilSecond(2025, 3, 23, 9, 0, 0));
  ASSERT_TRUE(h.FireTimer().ok());
  EXPECT_EQ(h.c.state(), v1::CASE_STATE_DUNNING);
}

TEST(CaseEngine, AnOverdueStepWaitsTheSettleTimeAndALaterInputDoesNotPushItOut) {
  Harness h;
  h.ctx.step_settle = absl::Minutes(1);
  // Due February 20: step 2 (3 days after due) is long due on March 1.
  ASSERT_TRUE(h.Overdue("inv-1", 10000, Day(2025, 2, 20)).ok());
  ASSERT_TRUE(h.last.timer.arm);
  EXPECT_EQ(h.last.timer.due, h.now + absl::Minutes(1));
  // Thirty seconds later the debtor's next invoice arrives: the armed timer stays.
  h.now += absl::Seconds(30);
  ASSERT_TRUE(h.Overdue("inv-2", 5000, Day(2025, 2, 21)).ok());
  EXPECT_FALSE(h.last.timer.arm);
  EXPECT_FALSE(h.last.timer.cancel);
  ASSERT_TRUE(h.FireTimer().ok());
  EXPECT_THAT(h.LastReason(), HasSubstr("balance EUR 150.00"));
}

TEST(CaseEngine, NoContactWhileHardshipAndTimerCancelled) {
  Harness h;
  ASSERT_TRUE(h.Overdue("inv-1", 10000, Day(2025, 2, 26)).ok());
  ASSERT_TRUE(h.Apply(HardshipReported{Day(2025, 5, 1), "breathing space"}).ok());
  EXPECT_EQ(h.c.timer_step(), kHardshipTimerStep);
  ASSERT_TRUE(h.Apply(StepTimerFired{0}).ok());  // the old step timer: stale
  EXPECT_TRUE(h.last.events.empty());
  ASSERT_TRUE(h.FireTimer().ok());  // hardship expiry
  EXPECT_EQ(h.c.state(), v1::CASE_STATE_DUNNING);
  EXPECT_EQ(h.Today(), Day(2025, 5, 2));
}

TEST(CaseEngine, FeeStepAppliesItalianInterestAndEur40FromTheRulebook) {
  Harness h;
  h.strategy = testing::MustParse(R"(id: it
version: 2
currency: EUR
segments:
  - name: b2b
    steps:
      - offset_days: 45
        apply_fees: {fees: [eu_flat_40], interest: it}
)");
  h.now = absl::FromCivil(absl::CivilSecond(2025, 10, 1, 8, 0, 0), absl::UTCTimeZone());
  ASSERT_TRUE(h.Overdue("inv-1", 1'000'000, Day(2025, 9, 30)).ok());
  ASSERT_TRUE(h.FireTimer().ok());
  EXPECT_EQ(h.Today(), Day(2025, 11, 14));
  auto fees = h.Events(&v1::CaseEvent::fees_applied, &v1::CaseEvent::has_fees_applied);
  ASSERT_EQ(fees.size(), 1u);
  ASSERT_EQ(fees[0]->lines_size(), 2);
  EXPECT_EQ(fees[0]->lines(0).kind(), "EU_FLAT_40");
  EXPECT_EQ(fees[0]->lines(0).amount().minor_units(), 4000);
  EXPECT_EQ(fees[0]->lines(1).kind(), "INTEREST_IT");
  EXPECT_EQ(fees[0]->lines(1).amount().minor_units(), 12514);  // RULEBOOK example 2(a)
  EXPECT_EQ(fees[0]->total().minor_units(), 16514);
  EXPECT_EQ(h.c.invoices(0).fees_claimed().minor_units(), 16514);
  EXPECT_THAT(h.LastReason(), HasSubstr("fees and interest claimed EUR 165.14"));
}

TEST(CaseEngine, BusinessDayOffsetsSkipWeekends) {
  Harness h;
  h.strategy = testing::MustParse(R"(id: b
version: 1
currency: EUR
segments:
  - name: all
    steps:
      - offset_days: 3
        days: business
        contact: {channels: [email], template: t}
)");
  h.now = absl::FromCivil(absl::CivilSecond(2025, 3, 7, 12, 0, 0), absl::UTCTimeZone());
  // Due Friday 2025-03-07: 3 business days later is Wednesday 2025-03-12.
  ASSERT_TRUE(h.Apply(InvoiceIssued{"inv-1", Eur(100), Day(2025, 3, 7), {}}).ok());
  EXPECT_EQ(absl::ToCivilDay(h.last.timer.due, absl::UTCTimeZone()), Day(2025, 3, 12));
}

TEST(CaseEngine, CatchUpSkipsPastContactStepsButNeverAFinalNotice) {
  Harness h;
  // 30 days past due on opening: steps 1-3 are past, step 4 (final notice, day 20) too.
  ASSERT_TRUE(h.Overdue("inv-1", 41250, Day(2025, 1, 30)).ok());
  ASSERT_TRUE(h.FireTimer().ok());
  auto finals =
      h.Events(&v1::CaseEvent::final_notice_requested, &v1::CaseEvent::has_final_notice_requested);
  EXPECT_EQ(finals.size(), 1u);
  EXPECT_THAT(h.LastReason(), HasSubstr("3 earlier step(s) skipped"));
  EXPECT_EQ(h.c.next_step(), 4);
}

TEST(CaseEngine, ChallengerShareRunsTheChallengerVersionAndEventsCarryIt) {
  Harness h;
  h.strategy = testing::MustParse(std::string(testing::kTestStrategyYaml) +
                                  "champion_challenger: {challenger_version: 2, "
                                  "challenger_percent: 100}\n");
  v1::Strategy challenger = h.strategy;
  challenger.set_version(2);
  challenger.clear_champion_challenger();
  // Without the challenger loaded the engine refuses rather than guessing.
  EXPECT_EQ(h.Overdue("inv-1", 100, Day(2025, 2, 26)).code(),
            absl::StatusCode::kFailedPrecondition);
  h.ctx.challenger = &challenger;
  ASSERT_TRUE(h.Overdue("inv-1", 100, Day(2025, 2, 26)).ok());
  EXPECT_EQ(h.c.assignment().version(), 2);
  EXPECT_EQ(h.c.assignment().variant(), "challenger");
  ASSERT_TRUE(h.FireTimer().ok());
  for (const auto& e : h.last.events) {
    if (e.has_contact_requested()) {
      EXPECT_EQ(e.contact_requested().assignment().version(), 2);
    }
    if (e.has_transitioned()) {
      EXPECT_EQ(e.transitioned().assignment().variant(), "challenger");
    }
  }
}

TEST(CaseEngine, DecideInPlaceMatchesDecide) {
  Harness h;
  ASSERT_TRUE(h.Overdue("inv-1", 41250, Day(2025, 2, 26)).ok());
  v1::Case in_place = h.c;
  Outcome out;
  const CaseInput in{"t-1", StepTimerFired{0}};
  const absl::Time at = h.now + absl::Hours(1);
  auto d = Decide(h.c, in, at, h.ctx);
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(DecideInPlace(&in_place, in, at, h.ctx, &out).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(d->state, in_place));
  EXPECT_EQ(d->events.size(), out.events.size());
  EXPECT_EQ(d->transitions, out.transitions);
}

TEST(CaseEngine, InvoiceInAnotherCurrencyIsInvalidArgumentNamingTheField) {
  Harness h;
  absl::Status s = h.Apply(InvoiceOverdue{"inv-1", rules::Money{100, "GBP"}, Day(2025, 2, 1), {}});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), StartsWith("amount.currency: GBP"));
}

}  // namespace
}  // namespace concerto::dunning

namespace concerto::dunning {
namespace {

TEST(CaseEngine, StepsFireAtNineLocalTimeInTheTenantTimeZone) {
  absl::TimeZone rome;
  if (!absl::LoadTimeZone("Europe/Rome", &rome)) GTEST_SKIP() << "no tzdata";
  testing::Harness h;
  h.ctx.time_zone = rome;
  // 23:30 UTC on 2025-03-16 is already 2025-03-17 in Rome.
  h.now = absl::FromCivil(absl::CivilSecond(2025, 3, 16, 23, 30, 0), absl::UTCTimeZone());
  ASSERT_TRUE(
      h.Apply(InvoiceIssued{"inv-1", testing::Eur(100), testing::Day(2025, 3, 20), {}}).ok());
  // Step 1 is 3 days before due: 2025-03-17 09:00 in Rome = 08:00 UTC (CET), so it is due now.
  EXPECT_EQ(absl::ToCivilSecond(h.last.timer.due, rome), absl::CivilSecond(2025, 3, 17, 9, 0, 0));
  ASSERT_TRUE(h.FireTimer().ok());
  // Step 2 (3 days after due) on 2025-03-23 09:00 Rome.
  EXPECT_EQ(absl::ToCivilSecond(h.last.timer.due, rome), absl::CivilSecond(2025, 3, 23, 9, 0, 0));
}

TEST(CaseEngine, DayArithmeticMatchesAbseilAcrossYears) {
  // Days past due use integer day numbers on the hot path; check them against absl::CivilDay.
  testing::Harness h;
  h.strategy = testing::MustParse(R"(id: long
version: 1
currency: EUR
segments:
  - name: all
    steps:
      - offset_days: 400
        contact: {channels: [email], template: t}
)");
  for (absl::CivilDay due : {testing::Day(2023, 12, 31), testing::Day(2024, 2, 29),
                             testing::Day(2025, 1, 1), testing::Day(1999, 12, 31)}) {
    testing::Harness k;
    k.strategy = h.strategy;
    k.now = absl::FromCivil(absl::CivilSecond(2026, 6, 15, 10, 0, 0), absl::UTCTimeZone());
    ASSERT_TRUE(k.Overdue("inv-1", 100, due).ok());
    EXPECT_THAT(k.LastReason(),
                HasSubstr(absl::StrCat(testing::Day(2026, 6, 15) - due, " days past due")));
    EXPECT_EQ(absl::ToCivilDay(k.last.timer.due, absl::UTCTimeZone()),
              std::max(due + 400, testing::Day(2026, 6, 15)));
  }
}

}  // namespace
}  // namespace concerto::dunning
