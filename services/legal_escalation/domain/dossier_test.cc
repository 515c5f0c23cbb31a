// The dossier: valid JSON with ids, amounts, eligibility, stages, costs and timeline; a plain
// text summary; a PDF whose cross-reference table is right; and no personal data or free text.
#include "services/legal_escalation/domain/dossier.h"

#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "libs/testing/status_matchers.h"
#include "services/legal_escalation/domain/legal_account.h"
#include "services/legal_escalation/domain/test_util.h"

namespace concerto::legal {
namespace {

using ::concerto::testing::IsOk;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace ::concerto::legal::testing;  // NOLINT: test builders

constexpr char kPersonalNote[] = "Mario Rossi, via Roma 1, 00100 Roma";

// A legal case with a stage (with a note), a cost (with a description) and a settlement (with
// a note): every free-text field holds something personal.
state::v1::LegalAccount Account() {
  const TenantLegalConfig config = Config();
  state::v1::LegalAccount a = *NewAccount("acme/d1");
  state::v1::CaseFacts f = Facts();
  *a.mutable_facts() = f;
  auto d =
      ApplyCaseEvent(a, "concerto.dunning.v1.EscalationRequested", Request().SerializeAsString(),
                     "esc-1", At(2026, 3, 6), At(2026, 3, 6), config);
  a = d->state;
  const std::string id = d->opened_legal_case_id;
  const CommandActor actor{"legal-7"};
  v1::RecordStageRequest stage;
  stage.set_legal_case_id(id);
  stage.set_stage(v1::LEGAL_STAGE_INJUNCTION);
  stage.set_court_reference("RG 1234/2026");
  stage.set_note(kPersonalNote);
  a = RecordStage(a, stage, "c1", actor, At(2026, 3, 10), config)->state;
  v1::RecordCostRequest cost;
  cost.set_legal_case_id(id);
  cost.mutable_cost()->set_kind(v1::COST_KIND_COURT_FEE);
  *cost.mutable_cost()->mutable_amount() = Eur(12000);
  cost.mutable_cost()->set_recoverable(true);
  cost.mutable_cost()->set_description(kPersonalNote);
  a = RecordCost(a, cost, "c2", actor, At(2026, 3, 11), config)->state;
  v1::SettleRequest settle;
  settle.set_legal_case_id(id);
  *settle.mutable_settlement_amount() = Eur(45000);
  settle.set_note(kPersonalNote);
  a = Settle(a, settle, "c3", actor, At(2026, 3, 12), config)->state;
  return a;
}

TEST(DossierTest, JsonHoldsIdsAmountsAndTimelineButNoPersonalData) {
  const state::v1::LegalAccount a = Account();
  const std::string json = DossierJson(a, a.cases(0), At(2026, 3, 13));
  google::protobuf::Struct parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &parsed).ok()) << json;
  const auto& f = parsed.fields();
  EXPECT_EQ(f.at("schema").string_value(), kDossierSchema);
  const auto& lc = f.at("legal_case").struct_value().fields();
  EXPECT_EQ(lc.at("legal_case_id").string_value(), a.cases(0).legal_case().legal_case_id());
  EXPECT_EQ(lc.at("debtor_id").string_value(), "d1");
  EXPECT_EQ(lc.at("status").string_value(), "SETTLED");
  EXPECT_EQ(lc.at("partner_id").string_value(), "studio-rossi");
  const auto& claim = f.at("claim").struct_value().fields();
  EXPECT_EQ(claim.at("claimed").struct_value().fields().at("minor_units").number_value(), 50000);
  EXPECT_EQ(claim.at("costs_total").struct_value().fields().at("text").string_value(),
            "EUR 120.00");
  // Settled: the agreed EUR 450.00 replaces claim + recoverable costs (EUR 620.00).
  EXPECT_EQ(claim.at("outstanding").struct_value().fields().at("minor_units").number_value(),
            45000);
  EXPECT_EQ(f.at("invoices").list_value().values_size(), 2);
  EXPECT_EQ(f.at("eligibility").list_value().values_size(), 10);
  EXPECT_EQ(f.at("stages").list_value().values_size(), 3);  // ACCEPTED, INJUNCTION, SETTLEMENT
  EXPECT_EQ(f.at("costs").list_value().values_size(), 1);
  EXPECT_GE(f.at("timeline").list_value().values_size(), 4);
  const auto& pd = f.at("personal_data").struct_value().fields();
  EXPECT_FALSE(pd.at("included").bool_value());
  EXPECT_THAT(pd.at("source").string_value(), HasSubstr("GetDebtorContact"));
  EXPECT_EQ(pd.at("purpose").string_value(), "CONTACT_PURPOSE_LEGAL_DOSSIER");
  const auto& skipped = f.at("not_exported").struct_value().fields();
  EXPECT_EQ(skipped.at("operator_notes").number_value(), 1);
  EXPECT_EQ(skipped.at("stage_notes").number_value(), 1);
  EXPECT_EQ(skipped.at("cost_descriptions").number_value(), 1);
  EXPECT_THAT(json, Not(HasSubstr("Rossi,")));
  EXPECT_THAT(json, Not(HasSubstr("via Roma")));
  // Deterministic bytes for the same state and time.
  EXPECT_EQ(json, DossierJson(a, a.cases(0), At(2026, 3, 13)));
}

TEST(DossierTest, TextSummaryHasEverySectionInShortLines) {
  const state::v1::LegalAccount a = Account();
  const std::string text = DossierText(a, a.cases(0), At(2026, 3, 13));
  for (const char* section : {"LEGAL DOSSIER lc-", "CLAIM", "INVOICES (2)", "ELIGIBILITY", "STAGES",
                              "COSTS (1)", "SETTLEMENT EUR 450.00", "TIMELINE", "PERSONAL DATA",
                              "CONTACT_PURPOSE_LEGAL_DOSSIER", "RG 1234/2026"}) {
    EXPECT_THAT(text, HasSubstr(section));
  }
  EXPECT_THAT(text, Not(HasSubstr("via Roma")));
  for (absl::string_view line : absl::StrSplit(text, '\n')) EXPECT_LE(line.size(), 100u) << line;
}

TEST(DossierTest, PdfHasAValidCrossReferenceTableAndPages) {
  std::string text;
  for (int i = 0; i < 170; ++i) absl::StrAppend(&text, "line ", i, " (with parentheses) \\\n");
  const std::string pdf = TextToPdf(text);
  ASSERT_EQ(pdf.rfind("%PDF-1.4\n", 0), 0u);
  EXPECT_EQ(pdf.substr(pdf.size() - 6), "%%EOF\n");
  EXPECT_THAT(pdf, HasSubstr("/Count 3"));  // 170 lines at 80 a page
  EXPECT_THAT(pdf, HasSubstr("(line 0 \\(with parentheses\\) \\\\) Tj"));
  // startxref points at "xref", and each entry at its object.
  const size_t sx = pdf.rfind("startxref\n");
  size_t xref = 0;
  ASSERT_TRUE(absl::SimpleAtoi(pdf.substr(sx + 10, pdf.find('\n', sx + 10) - sx - 10), &xref));
  ASSERT_EQ(pdf.compare(xref, 4, "xref"), 0);
  std::vector<std::string> rows = absl::StrSplit(pdf.substr(xref), '\n');
  // rows: "xref", "0 N", free entry, then N-1 entries.
  int count = 0;
  ASSERT_TRUE(absl::SimpleAtoi(rows[1].substr(2), &count));
  EXPECT_EQ(count, 1 + 3 + 2 * 3);
  for (int i = 1; i < count; ++i) {
    size_t offset = 0;
    ASSERT_TRUE(absl::SimpleAtoi(rows[2 + i].substr(0, 10), &offset));
    EXPECT_EQ(pdf.compare(offset, std::to_string(i).size() + 6, absl::StrCat(i, " 0 obj")), 0)
        << "object " << i;
  }
}

}  // namespace
}  // namespace concerto::legal
