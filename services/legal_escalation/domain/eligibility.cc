#include "services/legal_escalation/domain/eligibility.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/rules/money.h"
#include "services/legal_escalation/domain/internal/convert.h"

namespace concerto::legal {
namespace {

using dunning::v1::DebtorType;
using internal::AmountText;
using internal::DateText;
using internal::DayOf;

std::string DayText(absl::CivilDay d) {
  common::v1::Date date;
  internal::SetDate(d, &date);
  return DateText(date);
}

bool SameJurisdiction(const std::string& a, const std::string& b) {
  return !a.empty() && absl::AsciiStrToUpper(a) == absl::AsciiStrToUpper(b);
}

bool Serves(const Partner& p, const std::string& jurisdiction) {
  if (p.jurisdictions.empty()) return true;
  for (const std::string& j : p.jurisdictions) {
    if (j == "*" || SameJurisdiction(j, jurisdiction)) return true;
  }
  return false;
}

std::string DebtorTypeText(DebtorType t) {
  switch (t) {
    case dunning::v1::DEBTOR_TYPE_CONSUMER:
      return "consumer";
    case dunning::v1::DEBTOR_TYPE_BUSINESS:
      return "business";
    default:
      return "unknown debtor type";
  }
}

// Builder collects checks and rejections.
class Builder {
 public:
  explicit Builder(Eligibility* out) : out_(out) {}

  void Pass(const std::string& rule, std::string explanation, bool defaulted = false) {
    Add(rule, true, std::move(explanation), defaulted);
  }
  void Fail(const std::string& rule, v1::RejectionCode code, std::string explanation,
            bool defaulted = false, std::optional<absl::CivilDay> retry_after = std::nullopt) {
    v1::Rejection* r = &out_->rejections.emplace_back();
    r->set_code(code);
    r->set_explanation(explanation);
    if (retry_after.has_value()) internal::SetDate(*retry_after, r->mutable_retry_after());
    Add(rule, false, std::move(explanation), defaulted);
  }

 private:
  void Add(const std::string& rule, bool passed, std::string explanation, bool defaulted) {
    state::v1::RuleCheck& c = out_->checks.emplace_back();
    c.set_rule(rule);
    c.set_passed(passed);
    c.set_explanation(std::move(explanation));
    c.set_defaulted(defaulted);
  }
  Eligibility* out_;
};

void CheckFinalNoticeTerm(const state::v1::CaseFacts& f, const ResolvedProfile& profile,
                          const TenantLegalConfig& config, absl::CivilDay today, Builder* b) {
  const absl::CivilDay sent = *DayOf(f.final_notice_sent_on());
  std::optional<absl::CivilDay> term_end = DayOf(f.final_notice_expires());
  std::vector<std::string> parts;
  bool defaulted = false;
  if (term_end.has_value()) {
    parts.push_back(absl::StrCat("the notice's own expiry ", DayText(*term_end)));
  }
  if (profile.jurisdiction.empty()) {
    parts.push_back("jurisdiction not known: no statutory minimum applied");
    defaulted = true;
  }
  for (const FinalNoticeTerm& t : config.final_notice_terms) {
    if (!SameJurisdiction(t.jurisdiction, profile.jurisdiction)) continue;
    bool applies =
        t.applies_to == dunning::v1::DEBTOR_TYPE_UNSPECIFIED || t.applies_to == profile.debtor_type;
    bool assumed_consumer = false;
    if (!applies && profile.debtor_type == dunning::v1::DEBTOR_TYPE_UNSPECIFIED &&
        t.applies_to == dunning::v1::DEBTOR_TYPE_CONSUMER) {
      applies = true;  // an unknown debtor type is treated as a consumer (the stricter rule)
      assumed_consumer = true;
    }
    if (!applies) continue;
    const absl::CivilDay end = sent + t.days;
    parts.push_back(
        absl::StrCat(t.name, ": sent ", DayText(sent), ", term ends ", DayText(end),
                     assumed_consumer ? " (debtor type not known: treated as consumer)" : ""));
    defaulted = defaulted || assumed_consumer;
    if (!term_end.has_value() || end > *term_end) term_end = end;
  }
  if (!term_end.has_value()) {
    // Neither an expiry nor a statutory term: the notice is enough once it was sent before today.
    term_end = sent;
    parts.push_back("no expiry and no statutory term: the day it was sent");
    defaulted = true;
  }
  const std::string basis = absl::StrJoin(parts, "; ");
  if (today > *term_end) {
    b->Pass("final_notice_term",
            absl::StrCat("final notice term ended on ", DayText(*term_end), " (", basis, ")"),
            defaulted);
  } else {
    b->Fail("final_notice_term", v1::REJECTION_CODE_FINAL_NOTICE_TERM_RUNNING,
            absl::StrCat("final notice term runs until ", DayText(*term_end), " inclusive (", basis,
                         ")"),
            defaulted, *term_end + 1);
  }
}

}  // namespace

ResolvedProfile ResolveProfile(const std::string& segment, const TenantLegalConfig& config) {
  ResolvedProfile p;
  if (auto it = config.segments.find(segment); !segment.empty() && it != config.segments.end()) {
    p.jurisdiction = it->second.jurisdiction;
    p.debtor_type = it->second.debtor_type;
    p.from_segment = true;
  }
  if (p.jurisdiction.empty()) p.jurisdiction = config.default_jurisdiction;
  p.jurisdiction = absl::AsciiStrToUpper(p.jurisdiction);
  return p;
}

int64_t MinBalanceMinor(const std::string& currency, const TenantLegalConfig& config) {
  if (auto it = config.min_balance_minor.find(currency); it != config.min_balance_minor.end()) {
    return it->second;
  }
  return rules::Major(config.default_min_balance_units, currency).minor_units;
}

std::string ChoosePartner(const std::string& preferred, const std::string& jurisdiction,
                          const TenantLegalConfig& config) {
  if (config.partners.empty()) {
    if (!preferred.empty()) return preferred;
    return config.in_house_fallback ? kInHousePartner : "";
  }
  if (!preferred.empty()) {
    for (const Partner& p : config.partners) {
      if (p.partner_id == preferred && Serves(p, jurisdiction)) return p.partner_id;
    }
  }
  for (const Partner& p : config.partners) {
    if (Serves(p, jurisdiction)) return p.partner_id;
  }
  return config.in_house_fallback ? kInHousePartner : "";
}

Eligibility CheckEligibility(const EligibilityInput& in, const TenantLegalConfig& config) {
  const dunning::v1::EscalationRequested& r = *in.request;
  const state::v1::CaseFacts& f = *in.facts;
  Eligibility out;
  Builder b(&out);
  const ResolvedProfile profile = ResolveProfile(f.segment(), config);
  out.jurisdiction = profile.jurisdiction;
  out.debtor_type = profile.debtor_type;
  const bool seen = f.events_seen() > 0;

  // not_in_legal
  if (in.open_case != nullptr) {
    const v1::LegalCase& lc = in.open_case->legal_case();
    b.Fail("not_in_legal", v1::REJECTION_CODE_OTHER,
           absl::StrCat("already in legal: legal case ", lc.legal_case_id(), " is ",
                        internal::StatusName(lc.status()), " at stage ",
                        internal::StageName(lc.stage()), " with partner ", lc.partner_id()));
  } else {
    b.Pass("not_in_legal", "no legal case of the debtor is open");
  }

  // not_recalled
  if (in.recalled_case != nullptr) {
    const state::v1::LegalCaseRecord& rc = *in.recalled_case;
    b.Fail("not_recalled", v1::REJECTION_CODE_RECALLED,
           absl::StrCat("the client recalled legal case ", rc.legal_case().legal_case_id(),
                        " of this dunning case (reason ",
                        internal::RecallReasonName(rc.recall_reason()),
                        "): only a new dunning case can be escalated again"));
  } else {
    b.Pass("not_recalled", "the client recalled no legal case of this dunning case");
  }

  // min_balance
  {
    const std::string& currency = r.balance().currency();
    const bool configured = config.min_balance_minor.count(currency) > 0;
    const int64_t min = MinBalanceMinor(currency, config);
    const std::string note =
        configured ? ""
                   : absl::StrCat(" (no minimum configured for ",
                                  currency.empty() ? "an empty currency" : currency, ": ",
                                  config.default_min_balance_units, " units by default)");
    if (r.balance().minor_units() < min) {
      b.Fail("min_balance", v1::REJECTION_CODE_BELOW_MIN_BALANCE,
             absl::StrCat("balance ", AmountText(r.balance()), " below minimum ",
                          AmountText(min, currency), note),
             !configured);
    } else {
      b.Pass("min_balance",
             absl::StrCat("balance ", AmountText(r.balance()), " at or above minimum ",
                          AmountText(min, currency), note),
             !configured);
    }
  }

  // documents
  {
    int missing_ids = 0;
    for (const auto& inv : r.invoices()) missing_ids += inv.invoice_id().empty() ? 1 : 0;
    if (r.invoices_size() == 0) {
      b.Fail("documents", v1::REJECTION_CODE_DOCUMENTS_MISSING,
             "the request lists no invoice: nothing to claim or to put in the dossier");
    } else if (missing_ids > 0) {
      b.Fail("documents", v1::REJECTION_CODE_DOCUMENTS_MISSING,
             absl::StrCat(missing_ids, " listed invoice(s) without an invoice_id"));
    } else {
      b.Pass("documents", absl::StrCat(r.invoices_size(), " invoice(s) listed"));
    }
  }

  // escalation_step
  if (r.step() > 0) {
    b.Pass("escalation_step",
           absl::StrCat("the strategy's escalation step ", r.step(), " requested it"));
  } else if (f.final_notice_step() > 0 && f.max_step() > f.final_notice_step()) {
    b.Pass("escalation_step",
           absl::StrCat("requested by an agent after the strategy went past its final notice "
                        "(step ",
                        f.final_notice_step(), "; step ", f.max_step(), " reached)"));
  } else if (!seen) {
    b.Fail("escalation_step", v1::REJECTION_CODE_STEPS_NOT_EXHAUSTED,
           "requested by an agent (step 0) and no step of this case was seen on case.events: "
           "the strategy is not known to be exhausted",
           true);
  } else if (f.final_notice_step() == 0) {
    b.Fail("escalation_step", v1::REJECTION_CODE_STEPS_NOT_EXHAUSTED,
           absl::StrCat("requested by an agent (step 0) at strategy step ", f.max_step(),
                        ", before the strategy's final notice"));
  } else {
    b.Fail("escalation_step", v1::REJECTION_CODE_STEPS_NOT_EXHAUSTED,
           absl::StrCat("requested by an agent (step 0) right after the final notice (step ",
                        f.final_notice_step(), "): the strategy's escalation step has not run"));
  }

  // final_notice, final_notice_term
  if (f.final_notice_step() > 0 && internal::HasDate(f.final_notice_sent_on())) {
    b.Pass("final_notice",
           absl::StrCat("final notice (step ", f.final_notice_step(), ") sent on ",
                        DateText(f.final_notice_sent_on()),
                        "; counted as delivered that day (delivery receipts are not consumed)"),
           true);
    CheckFinalNoticeTerm(f, profile, config, in.today, &b);
  } else {
    b.Fail("final_notice", v1::REJECTION_CODE_NO_FINAL_NOTICE,
           seen ? "no final notice was sent in this dunning case (no FinalNoticeRequested seen)"
                : "no final notice known: no event of this dunning case was seen on case.events",
           !seen);
  }

  // not_disputed
  if (f.disputed() || f.state() == dunning::v1::CASE_STATE_DISPUTED) {
    b.Fail("not_disputed", v1::REJECTION_CODE_DISPUTED,
           absl::StrCat("the dunning case is disputed",
                        internal::HasDate(f.disputed_since())
                            ? absl::StrCat(" since ", DateText(f.disputed_since()))
                            : "",
                        " (last state ", internal::CaseStateName(f.state()), ")"));
  } else {
    b.Pass("not_disputed",
           seen ? "the dunning case is not disputed"
                : "no case event seen: taken as not disputed (dunning does not escalate a "
                  "disputed case)",
           !seen);
  }

  // no_hardship
  if (f.hardship() || f.state() == dunning::v1::CASE_STATE_HARDSHIP) {
    b.Fail("no_hardship", v1::REJECTION_CODE_HARDSHIP,
           absl::StrCat("the debtor is in hardship / breathing space",
                        internal::HasDate(f.hardship_since())
                            ? absl::StrCat(" since ", DateText(f.hardship_since()))
                            : "",
                        " (last state ", internal::CaseStateName(f.state()), ")"));
  } else {
    b.Pass("no_hardship",
           seen ? "no hardship or breathing space reported"
                : "no case event seen: taken as not in hardship (dunning does not escalate in "
                  "hardship)",
           !seen);
  }

  // partner
  {
    const std::string jur = profile.jurisdiction.empty() ? std::string("an unknown jurisdiction")
                                                         : profile.jurisdiction;
    out.partner_id = ChoosePartner(r.partner(), profile.jurisdiction, config);
    const std::string profile_note =
        profile.from_segment
            ? absl::StrCat("segment ", f.segment(), ": ", jur, ", ",
                           DebtorTypeText(profile.debtor_type))
            : absl::StrCat("segment ", f.segment().empty() ? "(none)" : f.segment(),
                           " not mapped: tenant default jurisdiction ", jur);
    if (out.partner_id.empty()) {
      b.Fail("partner", v1::REJECTION_CODE_NO_PARTNER,
             absl::StrCat("no partner of this client serves ", jur,
                          " and the in-house fallback is off (", profile_note, ")"),
             !profile.from_segment);
    } else {
      std::string how;
      if (!r.partner().empty() && r.partner() == out.partner_id) {
        how = "the strategy's preferred partner";
      } else if (out.partner_id == kInHousePartner) {
        how = "no listed partner serves it: in-house";
      } else {
        how = r.partner().empty() ? "first listed partner serving it"
                                  : absl::StrCat("preferred partner ", r.partner(),
                                                 " does not serve it: first listed partner");
      }
      b.Pass("partner",
             absl::StrCat("partner ", out.partner_id, " for ", jur, " (", how, "; ", profile_note,
                          ")"),
             !profile.from_segment);
    }
  }

  out.eligible = out.rejections.empty();
  return out;
}

}  // namespace concerto::legal
