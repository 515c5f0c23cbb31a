// Eligibility rules, each at its boundary: minimum balance, escalation step, final notice and
// its term (IT diffida 15 days, NL 14-day letter for consumers), dispute, hardship, already in
// legal, recall, documents, partner choice; and a rejection listing every failed rule.
#include "services/legal_escalation/domain/eligibility.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/legal_escalation/domain/test_util.h"

namespace concerto::legal {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace ::concerto::legal::testing;  // NOLINT: test builders

Eligibility Check(const dunning::v1::EscalationRequested& r, const state::v1::CaseFacts& f,
                  absl::CivilDay today, const TenantLegalConfig& config = Config(),
                  const state::v1::LegalCaseRecord* open = nullptr,
                  const state::v1::LegalCaseRecord* recalled = nullptr) {
  EligibilityInput in;
  in.request = &r;
  in.facts = &f;
  in.open_case = open;
  in.recalled_case = recalled;
  in.today = today;
  return CheckEligibility(in, config);
}

std::vector<v1::RejectionCode> Codes(const Eligibility& e) {
  std::vector<v1::RejectionCode> out;
  for (const auto& r : e.rejections) out.push_back(r.code());
  return out;
}

const state::v1::RuleCheck* Rule(const Eligibility& e, const std::string& rule) {
  for (const auto& c : e.checks) {
    if (c.rule() == rule) return &c;
  }
  return nullptr;
}

TEST(EligibilityTest, EveryRulePassesAndIsExplained) {
  const Eligibility e = Check(Request(), Facts(), Day(2026, 3, 6));
  EXPECT_TRUE(e.eligible);
  EXPECT_TRUE(e.rejections.empty());
  std::vector<std::string> rules;
  for (const auto& c : e.checks) {
    rules.push_back(c.rule());
    EXPECT_TRUE(c.passed()) << c.rule() << ": " << c.explanation();
    EXPECT_FALSE(c.explanation().empty()) << c.rule();
  }
  EXPECT_THAT(rules, ElementsAre("not_in_legal", "not_recalled", "min_balance", "documents",
                                 "escalation_step", "final_notice", "final_notice_term",
                                 "not_disputed", "no_hardship", "partner"));
  EXPECT_EQ(e.jurisdiction, "IT");
  EXPECT_EQ(e.partner_id, "studio-rossi");
  // The delivery of the final notice is a documented default, and says so.
  EXPECT_TRUE(Rule(e, "final_notice")->defaulted());
  EXPECT_THAT(Rule(e, "final_notice")->explanation(), HasSubstr("counted as delivered"));
}

TEST(EligibilityTest, MinimumBalanceDefaultsToEur100AtTheBoundary) {
  const Eligibility below = Check(Request(9999), Facts(), Day(2026, 3, 6));
  EXPECT_THAT(Codes(below), ElementsAre(v1::REJECTION_CODE_BELOW_MIN_BALANCE));
  EXPECT_EQ(below.rejections[0].explanation(), "balance EUR 99.99 below minimum EUR 100.00");
  EXPECT_TRUE(Check(Request(10000), Facts(), Day(2026, 3, 6)).eligible);
}

TEST(EligibilityTest, MinimumBalanceIsPerTenantAndPerCurrency) {
  TenantLegalConfig config = Config();
  config.min_balance_minor["EUR"] = 25000;
  EXPECT_THAT(Codes(Check(Request(24999), Facts(), Day(2026, 3, 6), config)),
              ElementsAre(v1::REJECTION_CODE_BELOW_MIN_BALANCE));
  EXPECT_TRUE(Check(Request(25000), Facts(), Day(2026, 3, 6), config).eligible);
  // A currency without an entry: 100 whole units, and the check says it is a default.
  dunning::v1::EscalationRequested usd = Request(9999);
  usd.mutable_balance()->set_currency("USD");
  const Eligibility e = Check(usd, Facts(), Day(2026, 3, 6), config);
  EXPECT_THAT(Codes(e), ElementsAre(v1::REJECTION_CODE_BELOW_MIN_BALANCE));
  EXPECT_TRUE(Rule(e, "min_balance")->defaulted());
  EXPECT_THAT(e.rejections[0].explanation(), HasSubstr("USD 100.00"));
}

TEST(EligibilityTest, AnAgentRequestNeedsTheStrategyPastItsFinalNotice) {
  state::v1::CaseFacts f = Facts();
  // Step 0 (an agent) right after the final notice: the escalation step has not run.
  f.set_max_step(6);
  Eligibility e = Check(Request(50000, 0), f, Day(2026, 3, 6));
  EXPECT_THAT(Codes(e), ElementsAre(v1::REJECTION_CODE_STEPS_NOT_EXHAUSTED));
  EXPECT_THAT(e.rejections[0].explanation(), HasSubstr("right after the final notice (step 6)"));
  // One step further (the escalate step ran and was held for an agent): eligible.
  f.set_max_step(7);
  EXPECT_TRUE(Check(Request(50000, 0), f, Day(2026, 3, 6)).eligible);
  // Before any final notice: both rules fail.
  f.set_max_step(3);
  f.set_final_notice_step(0);
  f.clear_final_notice_sent_on();
  f.clear_final_notice_expires();
  e = Check(Request(50000, 0), f, Day(2026, 3, 6));
  EXPECT_THAT(Codes(e), ElementsAre(v1::REJECTION_CODE_STEPS_NOT_EXHAUSTED,
                                    v1::REJECTION_CODE_NO_FINAL_NOTICE));
  // The strategy's own escalation step always counts as exhausted.
  EXPECT_EQ(Rule(Check(Request(50000, 7), Facts(), Day(2026, 3, 6)), "escalation_step")->passed(),
            true);
}

TEST(EligibilityTest, ItalianDiffidaRunsFifteenDaysEvenWhenTheNoticeSaidLess) {
  // Sent 2026-02-01 with a 7-day expiry; the diffida needs 15 days: term ends 2026-02-16.
  Eligibility e = Check(Request(), Facts(), Day(2026, 2, 16));
  EXPECT_THAT(Codes(e), ElementsAre(v1::REJECTION_CODE_FINAL_NOTICE_TERM_RUNNING));
  EXPECT_THAT(e.rejections[0].explanation(), HasSubstr("runs until 2026-02-16 inclusive"));
  EXPECT_THAT(e.rejections[0].explanation(), HasSubstr("diffida"));
  EXPECT_EQ(e.rejections[0].retry_after().day(), 17);
  EXPECT_TRUE(Check(Request(), Facts(), Day(2026, 2, 17)).eligible);
}

TEST(EligibilityTest, DutchFourteenDayLetterAppliesToConsumersOnly) {
  state::v1::CaseFacts f = Facts("nl-consumer");
  *f.mutable_final_notice_expires() = Date(2026, 2, 5);
  const auto r = Request(50000, 7, "nl-consumer");
  // 14 days from the day after receipt (2026-02-01): the term ends 2026-02-15.
  EXPECT_THAT(Codes(Check(r, f, Day(2026, 2, 15))),
              ElementsAre(v1::REJECTION_CODE_FINAL_NOTICE_TERM_RUNNING));
  const Eligibility ok = Check(r, f, Day(2026, 2, 16));
  EXPECT_TRUE(ok.eligible);
  EXPECT_EQ(ok.partner_id, "incasso-nl");
  // A business debtor: only the notice's own expiry (2026-02-05).
  state::v1::CaseFacts b = Facts("nl-b2b");
  *b.mutable_final_notice_expires() = Date(2026, 2, 5);
  EXPECT_THAT(Codes(Check(Request(50000, 7, "nl-b2b"), b, Day(2026, 2, 5))),
              ElementsAre(v1::REJECTION_CODE_FINAL_NOTICE_TERM_RUNNING));
  EXPECT_TRUE(Check(Request(50000, 7, "nl-b2b"), b, Day(2026, 2, 6)).eligible);
}

TEST(EligibilityTest, AnUnknownDebtorTypeIsTreatedAsAConsumerAndSaysSo) {
  TenantLegalConfig config = Config();
  config.default_jurisdiction = "NL";
  state::v1::CaseFacts f = Facts("unmapped");
  *f.mutable_final_notice_expires() = Date(2026, 2, 5);
  const auto r = Request(50000, 7, "unmapped");
  Eligibility e = Check(r, f, Day(2026, 2, 15), config);
  EXPECT_THAT(Codes(e), ElementsAre(v1::REJECTION_CODE_FINAL_NOTICE_TERM_RUNNING));
  EXPECT_THAT(e.rejections[0].explanation(), HasSubstr("treated as consumer"));
  EXPECT_TRUE(Rule(e, "final_notice_term")->defaulted());
  EXPECT_TRUE(Check(r, f, Day(2026, 2, 16), config).eligible);
}

TEST(EligibilityTest, TheNoticesOwnLongerExpiryWins) {
  state::v1::CaseFacts f = Facts();
  *f.mutable_final_notice_expires() = Date(2026, 3, 1);
  EXPECT_THAT(Codes(Check(Request(), f, Day(2026, 3, 1))),
              ElementsAre(v1::REJECTION_CODE_FINAL_NOTICE_TERM_RUNNING));
  EXPECT_TRUE(Check(Request(), f, Day(2026, 3, 2)).eligible);
}

TEST(EligibilityTest, UnknownJurisdictionUsesTheNoticeExpiryOnly) {
  state::v1::CaseFacts f = Facts("elsewhere");
  const auto r = Request(50000, 7, "elsewhere");
  EXPECT_THAT(Codes(Check(r, f, Day(2026, 2, 8))),
              ElementsAre(v1::REJECTION_CODE_FINAL_NOTICE_TERM_RUNNING));
  const Eligibility e = Check(r, f, Day(2026, 2, 9));
  EXPECT_TRUE(e.eligible);
  EXPECT_EQ(e.partner_id, kInHousePartner);  // no listed partner serves an unknown jurisdiction
  EXPECT_TRUE(Rule(e, "final_notice_term")->defaulted());
}

TEST(EligibilityTest, NoFinalNoticeIsRejected) {
  state::v1::CaseFacts f = Facts();
  f.set_final_notice_step(0);
  f.clear_final_notice_sent_on();
  f.clear_final_notice_expires();
  const Eligibility e = Check(Request(), f, Day(2026, 3, 6));
  EXPECT_THAT(Codes(e), ElementsAre(v1::REJECTION_CODE_NO_FINAL_NOTICE));
  EXPECT_EQ(Rule(e, "final_notice_term"), nullptr);
}

TEST(EligibilityTest, NothingSeenOfTheCaseMeansNoKnownFinalNotice) {
  state::v1::CaseFacts none;
  const Eligibility e = Check(Request(), none, Day(2026, 3, 6));
  EXPECT_THAT(Codes(e), ElementsAre(v1::REJECTION_CODE_NO_FINAL_NOTICE));
  EXPECT_TRUE(Rule(e, "final_notice")->defaulted());
  EXPECT_TRUE(Rule(e, "not_disputed")->passed());
  EXPECT_TRUE(Rule(e, "not_disputed")->defaulted());
}

TEST(EligibilityTest, DisputeAndHardshipBlock) {
  state::v1::CaseFacts f = Facts();
  f.set_disputed(true);
  *f.mutable_disputed_since() = Date(2026, 2, 20);
  Eligibility e = Check(Request(), f, Day(2026, 3, 6));
  EXPECT_THAT(Codes(e), ElementsAre(v1::REJECTION_CODE_DISPUTED));
  EXPECT_THAT(e.rejections[0].explanation(), HasSubstr("since 2026-02-20"));
  f = Facts();
  f.set_state(dunning::v1::CASE_STATE_HARDSHIP);
  EXPECT_THAT(Codes(Check(Request(), f, Day(2026, 3, 6))),
              ElementsAre(v1::REJECTION_CODE_HARDSHIP));
  f = Facts();
  f.set_hardship(true);
  EXPECT_THAT(Codes(Check(Request(), f, Day(2026, 3, 6))),
              ElementsAre(v1::REJECTION_CODE_HARDSHIP));
}

TEST(EligibilityTest, AlreadyInLegalOrRecalledIsRejected) {
  state::v1::LegalCaseRecord open;
  open.mutable_legal_case()->set_legal_case_id("lc-1");
  open.mutable_legal_case()->set_status(v1::LEGAL_CASE_STATUS_OPEN);
  open.mutable_legal_case()->set_stage(v1::LEGAL_STAGE_INJUNCTION);
  Eligibility e = Check(Request(), Facts(), Day(2026, 3, 6), Config(), &open);
  EXPECT_THAT(Codes(e), ElementsAre(v1::REJECTION_CODE_OTHER));
  EXPECT_THAT(e.rejections[0].explanation(), HasSubstr("already in legal: legal case lc-1"));
  state::v1::LegalCaseRecord recalled;
  recalled.mutable_legal_case()->set_legal_case_id("lc-0");
  recalled.set_recall_reason(v1::RECALL_REASON_CLIENT_DECISION);
  e = Check(Request(), Facts(), Day(2026, 3, 6), Config(), nullptr, &recalled);
  EXPECT_THAT(Codes(e), ElementsAre(v1::REJECTION_CODE_RECALLED));
}

TEST(EligibilityTest, AtLeastOneInvoiceIsNeeded) {
  dunning::v1::EscalationRequested r = Request();
  r.clear_invoices();
  EXPECT_THAT(Codes(Check(r, Facts(), Day(2026, 3, 6))),
              ElementsAre(v1::REJECTION_CODE_DOCUMENTS_MISSING));
}

TEST(EligibilityTest, PartnerByJurisdictionPreferredOrInHouse) {
  TenantLegalConfig c = Config();
  c.partners.insert(c.partners.begin(), Partner{"avv-bianchi", {"IT"}});
  EXPECT_EQ(ChoosePartner("", "IT", c), "avv-bianchi");               // first listed for IT
  EXPECT_EQ(ChoosePartner("studio-rossi", "IT", c), "studio-rossi");  // preferred serves IT
  EXPECT_EQ(ChoosePartner("incasso-nl", "IT", c), "avv-bianchi");     // preferred does not
  EXPECT_EQ(ChoosePartner("", "FI", c), kInHousePartner);             // nobody serves FI
  c.partners.push_back({"euro-claims", {"*"}});
  EXPECT_EQ(ChoosePartner("", "FI", c), "euro-claims");
  TenantLegalConfig empty;
  EXPECT_EQ(ChoosePartner("", "IT", empty), kInHousePartner);  // the default
  EXPECT_EQ(ChoosePartner("firm-x", "IT", empty), "firm-x");   // the strategy's choice
  empty.in_house_fallback = false;
  EXPECT_EQ(ChoosePartner("", "IT", empty), "");
  const Eligibility e = Check(Request(), Facts(), Day(2026, 3, 6), empty);
  EXPECT_THAT(Codes(e), ElementsAre(v1::REJECTION_CODE_NO_PARTNER));
}

TEST(EligibilityTest, ARejectionListsEveryFailedRule) {
  state::v1::CaseFacts f = Facts();
  f.set_disputed(true);
  f.set_hardship(true);
  const Eligibility e = Check(Request(5000, 0), f, Day(2026, 2, 10));
  EXPECT_FALSE(e.eligible);
  EXPECT_THAT(Codes(e), ElementsAre(v1::REJECTION_CODE_BELOW_MIN_BALANCE,
                                    v1::REJECTION_CODE_FINAL_NOTICE_TERM_RUNNING,
                                    v1::REJECTION_CODE_DISPUTED, v1::REJECTION_CODE_HARDSHIP));
  for (const auto& r : e.rejections) EXPECT_FALSE(r.explanation().empty());
}

}  // namespace
}  // namespace concerto::legal
