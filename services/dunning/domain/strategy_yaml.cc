#include "services/dunning/domain/strategy_yaml.h"

#include <initializer_list>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/rules/money.h"
#include "yaml-cpp/yaml.h"

namespace concerto::dunning {
namespace {

constexpr size_t kMaxErrors = 20;

struct Named {
  const char* name;
  int value;
};

const std::vector<Named> kChannels = {
    {"email", v1::CHANNEL_EMAIL},       {"sms", v1::CHANNEL_SMS},
    {"letter", v1::CHANNEL_LETTER},     {"phone", v1::CHANNEL_PHONE},
    {"whatsapp", v1::CHANNEL_WHATSAPP}, {"portal", v1::CHANNEL_PORTAL}};
const std::vector<Named> kFees = {{"eu_flat_40", v1::FEE_RULE_EU_FLAT_40},
                                  {"nl_wik", v1::FEE_RULE_NL_WIK},
                                  {"uk_fixed_sum", v1::FEE_RULE_UK_FIXED_SUM},
                                  {"fi_reminder", v1::FEE_RULE_FI_REMINDER},
                                  {"fi_demand", v1::FEE_RULE_FI_DEMAND}};
const std::vector<Named> kInterest = {{"none", v1::INTEREST_RULE_UNSPECIFIED},
                                      {"eu", v1::INTEREST_RULE_EU},
                                      {"it", v1::INTEREST_RULE_IT},
                                      {"fi_consumer", v1::INTEREST_RULE_FI_CONSUMER},
                                      {"fi_commercial", v1::INTEREST_RULE_FI_COMMERCIAL},
                                      {"uk", v1::INTEREST_RULE_UK}};
const std::vector<Named> kDebtorTypes = {{"any", v1::DEBTOR_TYPE_UNSPECIFIED},
                                         {"consumer", v1::DEBTOR_TYPE_CONSUMER},
                                         {"business", v1::DEBTOR_TYPE_BUSINESS}};
const std::vector<Named> kDayKinds = {{"calendar", v1::DAY_KIND_CALENDAR},
                                      {"business", v1::DAY_KIND_BUSINESS}};
const std::vector<Named> kPauses = {{"dispute", 0}, {"hardship", 1}, {"promise", 2}, {"plan", 3}};

std::string Names(const std::vector<Named>& list) {
  std::string out;
  for (const Named& n : list) absl::StrAppend(&out, out.empty() ? "" : ", ", n.name);
  return out;
}

class Parser {
 public:
  absl::StatusOr<v1::Strategy> Run(const std::string& text) {
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      return absl::InvalidArgumentError(absl::StrCat("yaml (line ", e.mark.line + 1, "): ", e.msg));
    }
    try {
      Strategy(root);
    } catch (const YAML::Exception& e) {
      Error("yaml", YAML::Node(), e.what());
    }
    if (!errors_.empty()) return absl::InvalidArgumentError(absl::StrJoin(errors_, "\n"));
    return out_;
  }

 private:
  void Error(const std::string& path, const YAML::Node& at, const std::string& msg) {
    if (errors_.size() >= kMaxErrors) return;
    std::string line;
    if (at.IsDefined() && at.Mark().line >= 0)
      line = absl::StrCat(" (line ", at.Mark().line + 1, ")");
    errors_.push_back(absl::StrCat(path, line, ": ", msg));
  }

  // Keys checks that `n` is a map whose keys are all in `allowed`.
  bool Keys(const YAML::Node& n, const std::string& path,
            std::initializer_list<const char*> allowed) {
    if (!n.IsMap()) {
      Error(path, n, "must be a mapping");
      return false;
    }
    for (auto it = n.begin(); it != n.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : "?";
      bool ok = false;
      for (const char* a : allowed) ok = ok || key == a;
      if (!ok) {
        std::string expected;
        for (const char* a : allowed) absl::StrAppend(&expected, expected.empty() ? "" : ", ", a);
        Error(Join(path, key), it->first,
              absl::StrCat("unknown key (expected one of: ", expected, ")"));
      }
    }
    return true;
  }

  static std::string Join(const std::string& path, const std::string& key) {
    return path.empty() ? key : absl::StrCat(path, ".", key);
  }

  bool Int(const YAML::Node& n, const std::string& path, int* out) {
    int64_t v = 0;
    if (!n.IsScalar() || !absl::SimpleAtoi(n.Scalar(), &v) || v < -1000000 || v > 1000000) {
      Error(path, n, "must be an integer");
      return false;
    }
    *out = static_cast<int>(v);
    return true;
  }

  bool Str(const YAML::Node& n, const std::string& path, std::string* out) {
    if (!n.IsScalar() || n.Scalar().empty()) {
      Error(path, n, "must be a non-empty string");
      return false;
    }
    *out = n.Scalar();
    return true;
  }

  bool Bool(const YAML::Node& n, const std::string& path, bool* out) {
    if (n.IsScalar() && (n.Scalar() == "true" || n.Scalar() == "false")) {
      *out = n.Scalar() == "true";
      return true;
    }
    Error(path, n, "must be true or false");
    return false;
  }

  bool Enum(const YAML::Node& n, const std::string& path, const std::vector<Named>& list,
            int* out) {
    if (n.IsScalar()) {
      const std::string v = absl::AsciiStrToLower(n.Scalar());
      for (const Named& x : list) {
        if (v == x.name) {
          *out = x.value;
          return true;
        }
      }
    }
    Error(path, n, absl::StrCat("must be one of: ", Names(list)));
    return false;
  }

  // Money reads "EUR 412.50" or a plain number in the strategy currency.
  bool MoneyValue(const YAML::Node& n, const std::string& path, common::v1::Money* out) {
    if (!n.IsScalar()) {
      Error(path, n, "must be an amount like \"EUR 412.50\"");
      return false;
    }
    std::string text = n.Scalar();
    if (!text.empty() &&
        (absl::ascii_isdigit(static_cast<unsigned char>(text[0])) || text[0] == '-')) {
      text = absl::StrCat(out_.currency(), " ", text);
    }
    absl::StatusOr<rules::Money> m = rules::ParseMoney(text);
    if (!m.ok()) {
      Error(path, n,
            absl::StrCat("must be an amount like \"EUR 412.50\" (", m.status().message(), ")"));
      return false;
    }
    if (!out_.currency().empty() && m->currency != out_.currency()) {
      Error(path, n,
            absl::StrCat("currency ", m->currency, " differs from the strategy currency ",
                         out_.currency()));
      return false;
    }
    out->set_minor_units(m->minor_units);
    out->set_currency(m->currency);
    return true;
  }

  template <typename F>
  void List(const YAML::Node& n, const std::string& path, F each) {
    if (!n.IsSequence()) {
      Error(path, n, "must be a list");
      return;
    }
    for (size_t i = 0; i < n.size(); ++i) each(n[i], absl::StrCat(path, "[", i, "]"));
  }

  void Strategy(const YAML::Node& root) {
    if (!root.IsDefined() || root.IsNull()) {
      Error("strategy", root, "document is empty");
      return;
    }
    if (!Keys(root, "strategy",
              {"id", "version", "description", "currency", "segments", "pause_on",
               "champion_challenger", "guardrail"})) {
      return;
    }
    std::string s;
    if (!root["id"]) {
      Error("id", root, "required");
    } else if (Str(root["id"], "id", &s)) {
      bool ok = true;
      for (char c : s)
        ok = ok && (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
      if (!ok) Error("id", root["id"], "only letters, digits, '-' and '_'");
      out_.set_id(s);
    }
    int v = 0;
    if (!root["version"]) {
      Error("version", root, "required");
    } else if (Int(root["version"], "version", &v)) {
      if (v < 1) Error("version", root["version"], "must be at least 1");
      out_.set_version(v);
    }
    if (root["description"] && Str(root["description"], "description", &s)) out_.set_description(s);
    if (!root["currency"]) {
      Error("currency", root, "required");
    } else if (Str(root["currency"], "currency", &s)) {
      if (!rules::MinorUnitExponent(s)) {
        Error("currency", root["currency"], absl::StrCat("unknown ISO 4217 currency '", s, "'"));
      } else {
        out_.set_currency(s);
      }
    }
    PauseOn(root["pause_on"]);
    if (const YAML::Node cc = root["champion_challenger"]; cc) {
      ChampionChallenger(cc);
    }
    if (const YAML::Node g = root["guardrail"]; g) {
      if (Keys(g, "guardrail", {"max_legal_ratio_bp"}) && g["max_legal_ratio_bp"]) {
        if (Int(g["max_legal_ratio_bp"], "guardrail.max_legal_ratio_bp", &v)) {
          if (v < 1 || v > 10000) {
            Error("guardrail.max_legal_ratio_bp", g["max_legal_ratio_bp"], "must be 1..10000");
          }
          out_.mutable_guardrail()->set_max_legal_ratio_bp(v);
        }
      }
    }
    if (!out_.guardrail().max_legal_ratio_bp())
      out_.mutable_guardrail()->set_max_legal_ratio_bp(500);
    const YAML::Node segs = root["segments"];
    if (!segs) {
      Error("segments", root, "required: at least one segment");
      return;
    }
    if (segs.IsSequence() && segs.size() == 0) Error("segments", segs, "at least one segment");
    std::set<std::string> names;
    List(segs, "segments",
         [&](const YAML::Node& n, const std::string& path) { Segment(n, path, &names); });
  }

  void PauseOn(const YAML::Node& n) {
    v1::PauseOn* p = out_.mutable_pause_on();
    if (!n) {
      p->set_dispute(true);
      p->set_hardship(true);
      p->set_promise(true);
      p->set_plan(true);
      return;
    }
    List(n, "pause_on", [&](const YAML::Node& item, const std::string& path) {
      int which = 0;
      if (!Enum(item, path, kPauses, &which)) return;
      if (which == 0) p->set_dispute(true);
      if (which == 1) p->set_hardship(true);
      if (which == 2) p->set_promise(true);
      if (which == 3) p->set_plan(true);
    });
    if (n.IsSequence() && (!p->dispute() || !p->hardship())) {
      Error("pause_on", n, "must include dispute and hardship (contact stops by regulation)");
    }
  }

  void ChampionChallenger(const YAML::Node& n) {
    if (!Keys(n, "champion_challenger", {"challenger_version", "challenger_percent"})) return;
    v1::ChampionChallenger* cc = out_.mutable_champion_challenger();
    int v = 0;
    if (!n["challenger_version"]) {
      Error("champion_challenger.challenger_version", n, "required");
    } else if (Int(n["challenger_version"], "champion_challenger.challenger_version", &v)) {
      if (v < 1) {
        Error("champion_challenger.challenger_version", n["challenger_version"],
              "must be at least 1");
      } else if (v == out_.version()) {
        Error("champion_challenger.challenger_version", n["challenger_version"],
              "must differ from the strategy's own version");
      }
      cc->set_challenger_version(v);
    }
    if (!n["challenger_percent"]) {
      Error("champion_challenger.challenger_percent", n, "required");
    } else if (Int(n["challenger_percent"], "champion_challenger.challenger_percent", &v)) {
      if (v < 0 || v > 100) {
        Error("champion_challenger.challenger_percent", n["challenger_percent"], "must be 0..100");
      }
      cc->set_challenger_percent(v);
    }
  }

  void Segment(const YAML::Node& n, const std::string& path, std::set<std::string>* names) {
    if (!Keys(n, path, {"name", "match", "steps"})) return;
    v1::Segment* seg = out_.add_segments();
    std::string s;
    if (!n["name"]) {
      Error(Join(path, "name"), n, "required");
    } else if (Str(n["name"], Join(path, "name"), &s)) {
      if (!names->insert(s).second) Error(Join(path, "name"), n["name"], "duplicate segment name");
      seg->set_name(s);
    }
    if (n["match"]) Match(n["match"], Join(path, "match"), seg->mutable_match());
    const YAML::Node steps = n["steps"];
    if (!steps) {
      Error(Join(path, "steps"), n, "required: at least one step");
      return;
    }
    if (steps.IsSequence() && steps.size() == 0)
      Error(Join(path, "steps"), steps, "at least one step");
    int prev_offset = 0;
    bool have_prev = false;
    bool final_notice_seen = false;
    List(steps, Join(path, "steps"), [&](const YAML::Node& sn, const std::string& sp) {
      v1::Step* step = seg->add_steps();
      if (!Step(sn, sp, step)) return;
      if (have_prev && step->offset_days() <= prev_offset) {
        Error(Join(sp, "offset_days"), sn["offset_days"],
              absl::StrCat("steps must be in increasing offset order (previous step is at ",
                           prev_offset, ")"));
      }
      have_prev = true;
      prev_offset = step->offset_days();
      if (step->has_final_notice()) final_notice_seen = true;
      if (step->has_escalate() && step->escalate().require_final_notice_expired() &&
          !final_notice_seen) {
        Error(Join(sp, "escalate"), sn["escalate"],
              "requires an expired final notice but no final_notice step comes before it");
      }
    });
  }

  void Match(const YAML::Node& n, const std::string& path, v1::SegmentMatch* m) {
    if (!Keys(n, path,
              {"debtor_type", "balance", "days_past_due", "risk_bands", "tags", "jurisdictions"})) {
      return;
    }
    int v = 0;
    if (n["debtor_type"] && Enum(n["debtor_type"], Join(path, "debtor_type"), kDebtorTypes, &v)) {
      m->set_debtor_type(static_cast<v1::DebtorType>(v));
    }
    if (const YAML::Node b = n["balance"]; b) {
      const std::string bp = Join(path, "balance");
      if (Keys(b, bp, {"min", "max"})) {
        if (b["min"]) MoneyValue(b["min"], Join(bp, "min"), m->mutable_balance()->mutable_min());
        if (b["max"]) MoneyValue(b["max"], Join(bp, "max"), m->mutable_balance()->mutable_max());
        if (b["min"] && b["max"] &&
            m->balance().min().minor_units() >= m->balance().max().minor_units()) {
          Error(Join(bp, "max"), b["max"], "must be greater than min");
        }
      }
    }
    if (const YAML::Node d = n["days_past_due"]; d) {
      const std::string dp = Join(path, "days_past_due");
      if (Keys(d, dp, {"min", "max"})) {
        if (d["min"] && Int(d["min"], Join(dp, "min"), &v)) m->mutable_days_past_due()->set_min(v);
        if (d["max"] && Int(d["max"], Join(dp, "max"), &v)) m->mutable_days_past_due()->set_max(v);
        if (m->days_past_due().has_min() && m->days_past_due().has_max() &&
            m->days_past_due().min() > m->days_past_due().max()) {
          Error(Join(dp, "max"), d["max"], "must not be less than min");
        }
      }
    }
    auto strings = [&](const char* key, google::protobuf::RepeatedPtrField<std::string>* out) {
      if (!n[key]) return;
      List(n[key], Join(path, key), [&](const YAML::Node& item, const std::string& ip) {
        std::string s;
        if (Str(item, ip, &s)) out->Add(std::move(s));
      });
    };
    strings("risk_bands", m->mutable_risk_bands());
    strings("tags", m->mutable_tags());
    strings("jurisdictions", m->mutable_jurisdictions());
  }

  bool Step(const YAML::Node& n, const std::string& path, v1::Step* step) {
    static const std::vector<std::string> kActions = {"contact",       "call_task",    "offer_plan",
                                                      "apply_fees",    "final_notice", "escalate",
                                                      "wait_for_agent"};
    if (!Keys(n, path,
              {"name", "offset_days", "days", "contact", "call_task", "offer_plan", "apply_fees",
               "final_notice", "escalate", "wait_for_agent"})) {
      return false;
    }
    std::string s;
    if (n["name"] && Str(n["name"], Join(path, "name"), &s)) step->set_name(s);
    int v = 0;
    bool ok = true;
    if (!n["offset_days"]) {
      Error(Join(path, "offset_days"), n, "required");
      ok = false;
    } else if (Int(n["offset_days"], Join(path, "offset_days"), &v)) {
      step->set_offset_days(v);
    } else {
      ok = false;
    }
    if (n["days"] && Enum(n["days"], Join(path, "days"), kDayKinds, &v)) {
      step->set_day_kind(static_cast<v1::DayKind>(v));
    }
    std::vector<std::string> present;
    for (const std::string& a : kActions) {
      if (n[a]) present.push_back(a);
    }
    if (present.empty()) {
      Error(path, n, absl::StrCat("needs one action: ", absl::StrJoin(kActions, ", ")));
      return false;
    }
    if (present.size() > 1) {
      Error(path, n,
            absl::StrCat("has ", present.size(), " actions (", absl::StrJoin(present, ", "),
                         "): exactly one per step"));
      return false;
    }
    const std::string& a = present[0];
    const std::string ap = Join(path, a);
    const YAML::Node an = n[a];
    if (a != "contact" && a != "call_task" && a != "offer_plan" && step->offset_days() < 0) {
      Error(Join(path, "offset_days"), n["offset_days"],
            absl::StrCat("a ", a, " step cannot run before the due date"));
    }
    if (a == "contact") Contact(an, ap, step->mutable_contact());
    if (a == "call_task") {
      if (Keys(an, ap, {"queue", "script"})) {
        if (!an["queue"])
          Error(Join(ap, "queue"), an, "required");
        else if (Str(an["queue"], Join(ap, "queue"), &s))
          step->mutable_call_task()->set_queue(s);
        if (an["script"] && Str(an["script"], Join(ap, "script"), &s))
          step->mutable_call_task()->set_script(s);
      }
    }
    if (a == "offer_plan") {
      if (Keys(an, ap, {"max_instalments", "template"})) {
        if (!an["max_instalments"]) {
          Error(Join(ap, "max_instalments"), an, "required");
        } else if (Int(an["max_instalments"], Join(ap, "max_instalments"), &v)) {
          if (v < 2 || v > 120)
            Error(Join(ap, "max_instalments"), an["max_instalments"], "must be 2..120");
          step->mutable_offer_plan()->set_max_instalments(v);
        }
        if (an["template"] && Str(an["template"], Join(ap, "template"), &s))
          step->mutable_offer_plan()->set_template_(s);
      }
    }
    if (a == "apply_fees") Fees(an, ap, step->mutable_apply_fees());
    if (a == "final_notice") {
      v1::FinalNoticeAction* f = step->mutable_final_notice();
      if (Keys(an, ap, {"template", "term_days", "channels"})) {
        if (!an["template"])
          Error(Join(ap, "template"), an, "required");
        else if (Str(an["template"], Join(ap, "template"), &s))
          f->set_template_(s);
        if (!an["term_days"]) {
          Error(Join(ap, "term_days"), an, "required");
        } else if (Int(an["term_days"], Join(ap, "term_days"), &v)) {
          if (v < 1) Error(Join(ap, "term_days"), an["term_days"], "must be at least 1");
          f->set_term_days(v);
        }
        if (an["channels"]) Channels(an["channels"], Join(ap, "channels"), f->mutable_channels());
      }
    }
    if (a == "escalate") {
      v1::EscalateAction* e = step->mutable_escalate();
      if (an.IsNull()) return ok;
      if (Keys(an, ap, {"min_balance", "require_final_notice_expired", "partner"})) {
        if (an["min_balance"])
          MoneyValue(an["min_balance"], Join(ap, "min_balance"), e->mutable_min_balance());
        bool b = false;
        if (an["require_final_notice_expired"] &&
            Bool(an["require_final_notice_expired"], Join(ap, "require_final_notice_expired"),
                 &b)) {
          e->set_require_final_notice_expired(b);
        }
        if (an["partner"] && Str(an["partner"], Join(ap, "partner"), &s)) e->set_partner(s);
      }
    }
    if (a == "wait_for_agent") {
      if (Keys(an, ap, {"queue", "reason"})) {
        if (!an["queue"])
          Error(Join(ap, "queue"), an, "required");
        else if (Str(an["queue"], Join(ap, "queue"), &s))
          step->mutable_wait_for_agent()->set_queue(s);
        if (an["reason"] && Str(an["reason"], Join(ap, "reason"), &s))
          step->mutable_wait_for_agent()->set_reason(s);
      }
    }
    return ok;
  }

  void Channels(const YAML::Node& n, const std::string& path,
                google::protobuf::RepeatedField<int>* out) {
    List(n, path, [&](const YAML::Node& item, const std::string& ip) {
      int c = 0;
      if (Enum(item, ip, kChannels, &c)) out->Add(c);
    });
    if (n.IsSequence() && n.size() == 0) Error(path, n, "at least one channel");
  }

  void Contact(const YAML::Node& n, const std::string& path, v1::ContactAction* c) {
    if (!Keys(n, path, {"channels", "template"})) return;
    if (!n["channels"])
      Error(Join(path, "channels"), n, "required: channels in preference order");
    else
      Channels(n["channels"], Join(path, "channels"), c->mutable_channels());
    std::string s;
    if (!n["template"])
      Error(Join(path, "template"), n, "required");
    else if (Str(n["template"], Join(path, "template"), &s))
      c->set_template_(s);
  }

  void Fees(const YAML::Node& n, const std::string& path, v1::ApplyFeesAction* f) {
    if (!Keys(n, path, {"fees", "interest", "add_vat"})) return;
    const std::string& cur = out_.currency();
    if (n["fees"]) {
      List(n["fees"], Join(path, "fees"), [&](const YAML::Node& item, const std::string& ip) {
        int v = 0;
        if (!Enum(item, ip, kFees, &v)) return;
        const char* need = (v == v1::FEE_RULE_UK_FIXED_SUM) ? "GBP" : "EUR";
        if (!cur.empty() && cur != need) {
          Error(ip, item,
                absl::StrCat(item.Scalar(), " applies to ", need, " claims, the strategy is in ",
                             cur));
        }
        f->add_fees(static_cast<v1::FeeRule>(v));
      });
    }
    int v = 0;
    if (n["interest"] && Enum(n["interest"], Join(path, "interest"), kInterest, &v)) {
      f->set_interest(static_cast<v1::InterestRule>(v));
      const char* need = v == v1::INTEREST_RULE_UK ? "GBP" : "EUR";
      if (v != v1::INTEREST_RULE_UNSPECIFIED && !cur.empty() && cur != need) {
        Error(Join(path, "interest"), n["interest"],
              absl::StrCat(n["interest"].Scalar(), " interest applies to ", need,
                           " claims, the strategy is in ", cur));
      }
    }
    bool b = false;
    if (n["add_vat"] && Bool(n["add_vat"], Join(path, "add_vat"), &b)) f->set_add_vat(b);
    if (f->fees().empty() && f->interest() == v1::INTEREST_RULE_UNSPECIFIED) {
      Error(path, n, "needs fees or interest");
    }
  }

  v1::Strategy out_;
  std::vector<std::string> errors_;
};

}  // namespace

absl::StatusOr<v1::Strategy> ParseStrategyYaml(std::string_view yaml) {
  Parser p;
  return p.Run(std::string(yaml));
}

}  // namespace concerto::dunning
