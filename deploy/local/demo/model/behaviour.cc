#include "deploy/local/demo/model/behaviour.h"

#include <algorithm>
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "deploy/local/demo/model/random.h"
#include "deploy/local/demo/model/replies.h"
#include "libs/rules/creditor_reference.h"

namespace concerto::demo::model {
namespace {

using A = Archetype;

// ---- table 1: the archetype mix per segment (per 10,000; columns in Archetype order:
// on_time, after_reminder, promiser, plan_seeker, disputer, hardship, ignorer, churner) ----

struct MixRow {
  const char* tenant;
  DebtorType type;
  RiskBand band;
  std::array<int, kArchetypeCount> mix;
};

constexpr DebtorType kC = DebtorType::kConsumer;
constexpr DebtorType kB = DebtorType::kBusiness;
constexpr RiskBand kLow = RiskBand::kLow;
constexpr RiskBand kMed = RiskBand::kMedium;
constexpr RiskBand kHigh = RiskBand::kHigh;

constexpr MixRow kMixTable[] = {
    {"aurora-energia", kC, kLow, {5200, 2600, 800, 400, 300, 200, 200, 300}},
    {"aurora-energia", kC, kMed, {3500, 2800, 1200, 800, 400, 500, 400, 400}},
    {"aurora-energia", kC, kHigh, {1800, 2400, 1500, 1300, 400, 1000, 1000, 600}},
    {"aurora-energia", kB, kLow, {5500, 2800, 700, 300, 400, 0, 100, 200}},
    {"aurora-energia", kB, kMed, {3800, 3000, 1100, 600, 600, 100, 400, 400}},
    {"aurora-energia", kB, kHigh, {2000, 2800, 1500, 1000, 700, 300, 1000, 700}},
    {"vigna-rossa", kB, kLow, {4500, 3300, 800, 400, 600, 0, 100, 300}},
    {"vigna-rossa", kB, kMed, {3000, 3400, 1300, 700, 800, 100, 300, 400}},
    {"vigna-rossa", kB, kHigh, {1500, 3000, 1700, 1200, 1000, 300, 800, 500}},
    {"lumo-huolto", kC, kLow, {5000, 2500, 800, 700, 400, 200, 200, 200}},
    {"lumo-huolto", kC, kMed, {3300, 2700, 1100, 1100, 600, 500, 400, 300}},
    {"lumo-huolto", kC, kHigh, {1700, 2300, 1400, 1600, 600, 1000, 900, 500}},
    {"lumo-huolto", kB, kLow, {4800, 3600, 600, 200, 500, 0, 100, 200}},
    {"lumo-huolto", kB, kMed, {3200, 3700, 1000, 400, 700, 100, 400, 500}},
    {"lumo-huolto", kB, kHigh, {1800, 3300, 1400, 800, 900, 300, 900, 600}},
    {"default", kC, kLow, {5000, 2700, 800, 500, 300, 200, 200, 300}},
    {"default", kC, kMed, {3400, 2800, 1200, 900, 500, 500, 400, 300}},
    {"default", kC, kHigh, {1800, 2400, 1500, 1300, 500, 1000, 1000, 500}},
    {"default", kB, kLow, {5000, 3200, 700, 300, 500, 0, 100, 200}},
    {"default", kB, kMed, {3300, 3400, 1100, 600, 700, 100, 400, 400}},
    {"default", kB, kHigh, {1800, 3000, 1500, 1000, 800, 300, 1000, 600}},
};

constexpr bool MixRowsSumTo10000() {
  for (const MixRow& row : kMixTable) {
    int sum = 0;
    for (int v : row.mix) sum += v;
    if (sum != kPer10000) return false;
  }
  return true;
}
static_assert(MixRowsSumTo10000(), "every row of the behaviour mix must sum to 10,000");

const MixRow* FindRow(std::string_view tenant, DebtorType type, RiskBand band) {
  for (const MixRow& row : kMixTable) {
    if (tenant == row.tenant && row.type == type && row.band == band) return &row;
  }
  return nullptr;
}

// ---- history lateness per archetype (SpontaneousPayment) ----

struct Lateness {
  int on_time_per_10000;  // paid on or before the due date
  int late_min_days;
  int late_max_days;      // kAfterReminder: plus 12 per reminder needed
  int never_per_10000;    // never paid unprompted
};

Lateness LatenessOf(const DebtorProfile& p) {
  switch (p.archetype) {
    case A::kOnTime: return {9300, 1, 10, 0};
    case A::kAfterReminder: return {3000, 3, 10 + 12 * p.reminders_needed, 0};
    case A::kPromiser: return {3000, 7, 45, 200};
    case A::kPlanSeeker: return {2500, 20, 90, 500};
    case A::kDisputer: return {5500, 15, 60, 500};
    case A::kHardship: return {2000, 20, 120, 2000};
    case A::kIgnorer: return {1000, 45, 200, 3000};
    case A::kChurner: return {4000, 10, 60, 1000};
  }
  return {5000, 5, 30, 0};
}

// ---- helpers ----

std::string DayText(absl::CivilDay day) { return absl::FormatCivilTime(day); }

rules::Money Eur(int64_t minor, const std::string& currency) {
  return rules::Money{minor, currency.empty() ? std::string("EUR") : currency};
}

// Words for a transfer that names no invoice, per language.
const char* VagueRemittance(const std::string& lang, DebtorType type) {
  const bool business = type == DebtorType::kBusiness;
  if (lang == "it") return business ? "saldo fatture" : "pagamento bolletta";
  if (lang == "fi") return business ? "laskujen maksu" : "maksu";
  if (lang == "nl") return business ? "betaling facturen" : "betaling";
  return business ? "payment of invoices" : "payment";
}

const char* InvoiceWord(const std::string& lang, size_t count) {
  if (lang == "it") return count == 1 ? "Fattura" : "Fatture";
  if (lang == "fi") return count == 1 ? "Lasku" : "Laskut";
  if (lang == "nl") return count == 1 ? "Factuur" : "Facturen";
  return count == 1 ? "Invoice" : "Invoices";
}

// Payment builds a transfer with value date `day` (no lag added), naming the invoices or not as
// the profile says.
PayAt Payment(const DebtorProfile& p, absl::CivilDay day, rules::Money amount,
              const std::vector<std::string>& invoices, Rng& r) {
  PayAt pay;
  pay.day = day;
  pay.amount = std::move(amount);
  const std::string lang = ReplyLanguage(p.language);
  const bool named = r.Chance(p.names_invoices_per_10000);
  if (named && !invoices.empty()) {
    pay.invoice_numbers = invoices;
    if (invoices.size() == 1) {
      pay.reference = rules::CreditorReferenceForInvoiceNumber(invoices.front());
    } else {
      pay.remittance = absl::StrCat(InvoiceWord(lang, invoices.size()), " ",
                                    absl::StrJoin(invoices, " "));
    }
  } else if (r.Chance(7000)) {
    pay.remittance = VagueRemittance(lang, p.type);
  }
  return pay;
}

absl::CivilDay WithLag(const DebtorProfile& p, absl::CivilDay day, Rng& r) {
  return day + r.Between(p.payment_lag_min_days, p.payment_lag_max_days);
}

// Adjust lowers a response probability when the message was not in the debtor's language.
int Adjust(int per_10000, const DebtorProfile& p, const ContactEvent& e) {
  if (!e.language.empty() && e.language != p.language) {
    return static_cast<int>(ScalePer10000(per_10000, 8000));
  }
  return per_10000;
}

// The day and channel of a reply to `e`.
std::pair<absl::CivilDay, Channel> ReplyWhenAndHow(const DebtorProfile& p, const ContactEvent& e,
                                                   Rng& r) {
  switch (e.channel) {
    case Channel::kSms:
    case Channel::kPhone:
    case Channel::kPortal:
      return {e.day, e.channel};
    case Channel::kEmail:
      return {e.day + r.Between(0, 1), Channel::kEmail};
    case Channel::kLetter:
      break;
  }
  const Channel answer = p.preferred_channel == Channel::kLetter ? Channel::kEmail
                                                                 : p.preferred_channel;
  return {e.day + r.Between(2, 5), answer};
}

Reply BaseReply(const DebtorProfile& p, const ContactEvent& e, ReplyIntent intent, Rng& r) {
  Reply reply;
  const auto [day, channel] = ReplyWhenAndHow(p, e, r);
  reply.day = day;
  reply.channel = channel;
  reply.language = p.language;
  reply.intent = intent;
  return reply;
}

ReplyContent ContentOf(const DebtorProfile& p, ReplyIntent intent) {
  ReplyContent c;
  c.intent = intent;
  c.language = p.language;
  c.business = p.type == DebtorType::kBusiness;
  return c;
}

void WriteText(Reply& reply, const ReplyContent& content, Rng& r) {
  reply.text = ComposeReply(content, static_cast<int>(r.Below(
                                         static_cast<uint64_t>(ReplyVariantCount(content)))));
}

Reply PromiseReply(const DebtorProfile& p, const ContactEvent& e, Rng& r) {
  Reply reply = BaseReply(p, e, ReplyIntent::kPromise, r);
  const int64_t total = e.total_open.minor_units;
  int64_t amount = total;
  // A part payment: about half, rounded down to whole tens of euros.
  if (total >= 4000 && !r.Chance(7000)) {
    amount = std::max<int64_t>(1000, (total / 2) / 1000 * 1000);
  }
  const bool business = p.type == DebtorType::kBusiness;
  const absl::CivilDay pay_by = reply.day + (business ? r.Between(7, 21) : r.Between(3, 14));
  reply.amount = Eur(amount, e.total_open.currency);
  reply.date = pay_by;
  ReplyContent c = ContentOf(p, ReplyIntent::kPromise);
  c.amount_minor = amount;
  c.date = pay_by;
  WriteText(reply, c, r);
  return reply;
}

Reply PlanReply(const DebtorProfile& p, const ContactEvent& e, Rng& r) {
  Reply reply = BaseReply(p, e, ReplyIntent::kPlanRequest, r);
  reply.instalments = p.plan_instalments;
  ReplyContent c = ContentOf(p, ReplyIntent::kPlanRequest);
  c.instalments = p.plan_instalments;
  WriteText(reply, c, r);
  return reply;
}

Reply DisputeReply(const DebtorProfile& p, const ContactEvent& e, Rng& r) {
  Reply reply = BaseReply(p, e, ReplyIntent::kDispute, r);
  reply.dispute_reason = p.dispute_reason;
  reply.dispute_valid = p.dispute_valid;
  if (!e.open_invoice_numbers.empty()) reply.invoice_number = e.open_invoice_numbers.front();
  ReplyContent c = ContentOf(p, ReplyIntent::kDispute);
  c.reason = p.dispute_reason;
  c.goods = p.tenant_id == "vigna-rossa";
  WriteText(reply, c, r);
  return reply;
}

Reply HardshipReply(const DebtorProfile& p, const ContactEvent& e, Rng& r) {
  Reply reply = BaseReply(p, e, ReplyIntent::kHardship, r);
  reply.vulnerable = p.hardship_vulnerable;
  ReplyContent c = ContentOf(p, ReplyIntent::kHardship);
  c.vulnerable = p.hardship_vulnerable;
  WriteText(reply, c, r);
  return reply;
}

Reply PaidAlreadyReply(const DebtorProfile& p, const ContactEvent& e, Rng& r) {
  Reply reply = BaseReply(p, e, ReplyIntent::kPaidAlready, r);
  reply.date = e.day;
  ReplyContent c = ContentOf(p, ReplyIntent::kPaidAlready);
  c.date = e.day;
  WriteText(reply, c, r);
  return reply;
}

std::string EventKey(const ContactEvent& e) {
  return absl::StrCat("react/", DayText(e.day), "/", static_cast<int>(e.purpose), "/", e.step,
                      "/", static_cast<int>(e.channel), "/", e.template_id, "/", e.attempt_id);
}

// Pressure of a contact on the strategy's scale: nudge 0, reminder k, final notice at least 4,
// legal notice at least 6; a call weighs one step more than its step.
int LevelOf(const ContactEvent& e) {
  switch (e.purpose) {
    case ContactPurpose::kPreDueNudge: return 0;
    case ContactPurpose::kReminder: return std::max(0, e.step);
    case ContactPurpose::kFinalNotice: return std::max(4, e.step);
    case ContactPurpose::kLegalNotice: return std::max(6, e.step);
    case ContactPurpose::kPhoneCall: return std::max(1, e.step + 1);
    case ContactPurpose::kPlanConfirmation:
    case ContactPurpose::kDisputeResolved: break;
  }
  return 0;
}

}  // namespace

// ---- names ----

const char* DebtorTypeName(DebtorType type) {
  return type == DebtorType::kBusiness ? "business" : "consumer";
}

const char* RiskBandName(RiskBand band) {
  switch (band) {
    case RiskBand::kLow: return "low";
    case RiskBand::kMedium: return "medium";
    case RiskBand::kHigh: return "high";
  }
  return "medium";
}

const char* ChannelName(Channel channel) {
  switch (channel) {
    case Channel::kEmail: return "email";
    case Channel::kSms: return "sms";
    case Channel::kLetter: return "letter";
    case Channel::kPhone: return "phone";
    case Channel::kPortal: return "portal";
  }
  return "email";
}

const char* CustomerStatusName(CustomerStatus status) {
  return status == CustomerStatus::kChurned ? "churned" : "active";
}

const char* ArchetypeName(Archetype archetype) {
  switch (archetype) {
    case A::kOnTime: return "on_time";
    case A::kAfterReminder: return "after_reminder";
    case A::kPromiser: return "promiser";
    case A::kPlanSeeker: return "plan_seeker";
    case A::kDisputer: return "disputer";
    case A::kHardship: return "hardship";
    case A::kIgnorer: return "ignorer";
    case A::kChurner: return "churner";
  }
  return "on_time";
}

const char* DisputeReasonName(DisputeReason reason) {
  switch (reason) {
    case DisputeReason::kNotReceived: return "not_received";
    case DisputeReason::kQuality: return "quality";
    case DisputeReason::kWrongAmount: return "wrong_amount";
    case DisputeReason::kCancelledContract: return "cancelled_contract";
  }
  return "wrong_amount";
}

const char* ReplyIntentName(ReplyIntent intent) {
  switch (intent) {
    case ReplyIntent::kPromise: return "promise";
    case ReplyIntent::kDispute: return "dispute";
    case ReplyIntent::kHardship: return "hardship";
    case ReplyIntent::kPlanRequest: return "plan_request";
    case ReplyIntent::kPaidAlready: return "paid_already";
  }
  return "promise";
}

// ---- profiles ----

BehaviourMix MixFor(const SegmentKey& segment) {
  DebtorType type = segment.type;
  if (segment.tenant_id == "vigna-rossa") type = DebtorType::kBusiness;  // B2B only
  const MixRow* row = FindRow(segment.tenant_id, type, segment.band);
  if (row == nullptr) row = FindRow("default", type, segment.band);
  BehaviourMix mix;
  if (row != nullptr) mix.per_10000 = row->mix;
  return mix;
}

DebtorProfile DrawProfile(const SegmentKey& segment, std::string_view debtor_id,
                          std::string_view language, Channel preferred_channel, uint64_t seed) {
  Rng r = DecisionRng(seed, debtor_id, "profile");
  DebtorProfile p;
  p.debtor_id = std::string(debtor_id);
  p.tenant_id = segment.tenant_id;
  p.type = segment.type;
  p.band = segment.band;
  p.language = std::string(language);
  p.preferred_channel = preferred_channel;
  const bool consumer = segment.type == DebtorType::kConsumer;
  const bool high = segment.band == RiskBand::kHigh;
  const bool low = segment.band == RiskBand::kLow;

  const BehaviourMix mix = MixFor(segment);
  p.archetype = static_cast<Archetype>(
      r.PickWeighted(std::vector<int>(mix.per_10000.begin(), mix.per_10000.end())));

  p.reminders_needed = 1 + static_cast<int>(r.PickWeighted({4000, 3500, 1800, 700}));
  p.pay_when_preferred_per_10000 = high ? 8000 : 9000;
  p.pay_when_other_per_10000 = high ? 4000 : 5000;

  int keep = 8500;
  if (p.archetype == A::kPromiser) {
    keep = consumer ? 6500 : 7500;
    if (low) keep += 1000;
    if (high) keep -= 1500;
  } else if (p.archetype == A::kHardship) {
    keep = 4500;
  } else if (p.archetype == A::kIgnorer) {
    keep = 3000;
  }
  p.keep_promise_per_10000 = static_cast<int>(keep + r.Between(-500, 500));

  if (p.archetype == A::kHardship) {
    p.plan_instalments = static_cast<int>(r.Between(6, 12));
    p.keep_instalment_per_10000 = 6500;
  } else if (p.archetype == A::kPlanSeeker) {
    p.plan_instalments = static_cast<int>(consumer ? r.Between(2, 6) : r.Between(2, 4));
    p.keep_instalment_per_10000 = high ? 7500 : 8500;
  } else {
    p.plan_instalments = static_cast<int>(r.Between(2, 4));
    p.keep_instalment_per_10000 = 8000;
  }

  // Dispute reasons and validity per tenant: a utility's bills are disputed on amounts and
  // cancelled contracts; wine on breakage and deliveries; installations on workmanship.
  std::vector<int> reasons = {0, 1500, 6000, 2500};  // NR, QU, WA, CC
  int valid = 3500;
  if (segment.tenant_id == "vigna-rossa") {
    reasons = {3000, 4500, 2500, 0};
    valid = 4000;
  } else if (segment.tenant_id == "lumo-huolto") {
    reasons = {1500, 4500, 3500, 500};
    valid = 3000;
  }
  static constexpr DisputeReason kReasons[] = {
      DisputeReason::kNotReceived, DisputeReason::kQuality, DisputeReason::kWrongAmount,
      DisputeReason::kCancelledContract};
  p.dispute_reason = kReasons[r.PickWeighted(reasons)];
  p.dispute_valid = r.Chance(valid);

  p.hardship_vulnerable = consumer && p.archetype == A::kHardship && r.Chance(2000);
  p.churn_on_pressure_per_10000 = (consumer ? 1200 : 800) + (high ? 400 : 0);
  if (p.archetype == A::kChurner) p.churn_on_pressure_per_10000 = kPer10000;
  p.payment_lag_min_days = consumer ? 0 : 1;
  p.payment_lag_max_days = consumer ? 2 : 5;
  p.names_invoices_per_10000 = consumer ? 6000 : 9000;
  p.satisfaction_bias = static_cast<int>(r.PickWeighted({2500, 5000, 2500})) - 1;
  return p;
}

// ---- reacting to contacts ----

std::vector<Action> React(const DebtorProfile& p, const ContactEvent& e, uint64_t seed) {
  std::vector<Action> out;
  Rng r = DecisionRng(seed, p.debtor_id, EventKey(e));
  const std::vector<std::string>& invoices = e.open_invoice_numbers;
  auto pay_all = [&](absl::CivilDay from) {
    out.push_back(Payment(p, WithLag(p, from, r), e.total_open, invoices, r));
  };

  if (e.purpose == ContactPurpose::kPlanConfirmation) {
    if (e.plan.has_value()) out.push_back(PlanPayments(p, *e.plan, invoices, seed));
    return out;
  }
  if (e.total_open.minor_units <= 0) return out;
  if (e.purpose == ContactPurpose::kDisputeResolved) {
    // Upheld: the disputed invoice was credited; what is left is paid by most. Rejected: a
    // genuine disputer pays grudgingly or not at all.
    const int pay = e.dispute_upheld ? 8000 : p.archetype == A::kDisputer ? 6000 : 8500;
    if (r.Chance(pay)) pay_all(e.day + r.Between(3, 14));
    return out;
  }
  // A paused case (promise, plan, dispute or hardship under way): nothing new happens.
  if (e.stage != CaseStage::kDunning) return out;

  const int level = LevelOf(e);
  const bool call = e.purpose == ContactPurpose::kPhoneCall;
  const bool nudge = level == 0;
  const bool preferred = e.preferred_channel_used;
  const bool final_or_legal = e.purpose == ContactPurpose::kFinalNotice ||
                              e.purpose == ContactPurpose::kLegalNotice;
  bool churned = false;

  switch (p.archetype) {
    case A::kOnTime:
      if (nudge) {
        if (r.Chance(Adjust(9500, p, e))) pay_all(e.day);
      } else if (r.Chance(2000)) {
        // The reminder crossed with the transfer.
        out.push_back(PaidAlreadyReply(p, e, r));
        out.push_back(Payment(p, e.day, e.total_open, invoices, r));
      } else if (r.Chance(Adjust(9000, p, e))) {
        pay_all(e.day);
      }
      break;
    case A::kAfterReminder:
      if (nudge) {
        if (preferred && r.Chance(Adjust(2500, p, e))) pay_all(e.day);
      } else if (level >= p.reminders_needed) {
        const int prob = call        ? 8500
                         : preferred ? p.pay_when_preferred_per_10000
                                     : p.pay_when_other_per_10000;
        if (r.Chance(Adjust(prob, p, e))) pay_all(e.day);
      } else if (call && r.Chance(5000)) {
        out.push_back(PromiseReply(p, e, r));
      }
      break;
    case A::kPromiser:
      if (nudge) break;
      if (e.replies_so_far < 2) {
        const int prob = call ? 9500 : preferred ? 8500 : 6000;
        if (r.Chance(Adjust(prob, p, e))) out.push_back(PromiseReply(p, e, r));
      } else if (level >= 4 && r.Chance(6000)) {
        pay_all(e.day);
      }
      break;
    case A::kPlanSeeker:
      if (nudge) break;
      if (e.replies_so_far == 0) {
        const int prob = call ? 9000 : preferred ? 8000 : 6000;
        if (r.Chance(Adjust(prob, p, e))) {
          Reply reply = PlanReply(p, e, r);
          const absl::CivilDay asked_on = reply.day;
          out.push_back(std::move(reply));
          out.push_back(RequestPlan{asked_on, p.plan_instalments});
        }
      } else if (level >= 4 && r.Chance(5000)) {
        pay_all(e.day);
      }
      break;
    case A::kDisputer:
      if (nudge) break;
      if (e.replies_so_far == 0) {
        if (r.Chance(Adjust(9000, p, e))) out.push_back(DisputeReply(p, e, r));
      } else if (level >= 2 && r.Chance(Adjust(preferred ? 7000 : 4000, p, e))) {
        pay_all(e.day);
      }
      break;
    case A::kHardship:
      if (nudge) break;
      if (e.replies_so_far == 0) {
        const int prob = call ? 9500 : preferred ? 8000 : 5000;
        if (r.Chance(Adjust(prob, p, e))) out.push_back(HardshipReply(p, e, r));
      } else if (r.Chance(Adjust(6000, p, e))) {
        Reply reply = PlanReply(p, e, r);
        const absl::CivilDay asked_on = reply.day;
        out.push_back(std::move(reply));
        out.push_back(RequestPlan{asked_on, p.plan_instalments});
      }
      break;
    case A::kIgnorer:
      if (e.purpose == ContactPurpose::kLegalNotice) {
        if (r.Chance(3500)) pay_all(e.day);
      } else if (e.purpose == ContactPurpose::kFinalNotice) {
        if (r.Chance(1000)) pay_all(e.day);
      } else if (call && r.Chance(1000)) {
        out.push_back(PromiseReply(p, e, r));
      }
      break;
    case A::kChurner:
      if (nudge) break;
      if (r.Chance(std::min(kPer10000, 4000 + 1000 * (level - 1)))) {
        churned = true;
        out.push_back(Churn{e.day + r.Between(0, 14)});
        if (r.Chance(6000)) pay_all(e.day);
      }
      break;
  }

  // Pressure costs customers: a final or legal notice, or a third reminder on a channel the
  // debtor did not choose, makes some leave.
  if (!churned && p.archetype != A::kChurner &&
      (final_or_legal || (level >= 3 && !preferred && !call))) {
    const int prob = p.churn_on_pressure_per_10000 + (preferred ? 0 : 500);
    if (r.Chance(prob)) out.push_back(Churn{e.day + r.Between(1, 30)});
  }
  return out;
}

// ---- promises and plans ----

PromiseDecision KeepPromise(const DebtorProfile& p, const Promise& promise, uint64_t seed) {
  Rng r = DecisionRng(seed, p.debtor_id,
                      absl::StrCat("promise/", DayText(promise.made_on), "/",
                                   DayText(promise.pay_by), "/", promise.amount.minor_units));
  PromiseDecision d;
  d.kept = r.Chance(p.keep_promise_per_10000);
  if (d.kept) {
    const int64_t slack = std::max<int64_t>(0, std::min<int64_t>(2, promise.pay_by - promise.made_on));
    d.payment = Payment(p, promise.pay_by - r.Between(0, slack), promise.amount,
                        promise.invoice_numbers, r);
    return d;
  }
  if (r.Chance(3500)) {
    // Late, in full.
    d.payment = Payment(p, promise.pay_by + r.Between(3, 20), promise.amount,
                        promise.invoice_numbers, r);
  } else if (r.Chance(2000) && promise.amount.minor_units >= 200) {
    // On time, but only part.
    rules::Money part = promise.amount;
    part.minor_units = promise.amount.minor_units / 2;
    d.payment = Payment(p, promise.pay_by, std::move(part), promise.invoice_numbers, r);
  }
  return d;
}

std::optional<PayAt> PromisePaymentOn(const DebtorProfile& profile, const Promise& promise,
                                      absl::CivilDay day, uint64_t seed) {
  PromiseDecision d = KeepPromise(profile, promise, seed);
  if (d.payment.has_value() && d.payment->day == day) return std::move(d.payment);
  return std::nullopt;
}

std::optional<PayAt> KeepInstalment(const DebtorProfile& p, const Instalment& instalment,
                                    uint64_t seed) {
  Rng r = DecisionRng(seed, p.debtor_id,
                      absl::StrCat("instalment/", DayText(instalment.due), "/", instalment.index,
                                   "/", instalment.amount.minor_units));
  // The first instalment is the one people most often manage.
  const int keep = std::min(kPer10000, p.keep_instalment_per_10000 +
                                           (instalment.index == 1 ? 500 : 0));
  if (r.Chance(keep)) {
    return Payment(p, instalment.due - r.Between(0, 3), instalment.amount,
                   instalment.invoice_numbers, r);
  }
  if (r.Chance(3000)) {
    // Missed the date, paid a little later.
    return Payment(p, instalment.due + r.Between(5, 15), instalment.amount,
                   instalment.invoice_numbers, r);
  }
  return std::nullopt;
}

std::vector<Instalment> Instalments(const PlanTerms& plan,
                                    const std::vector<std::string>& invoice_numbers) {
  std::vector<Instalment> out;
  const bool has_total = plan.total.minor_units > 0;
  int64_t remaining = plan.total.minor_units;
  for (int i = 1; i <= plan.instalments; ++i) {
    Instalment in;
    in.index = i;
    in.due = plan.first_due + static_cast<int64_t>(plan.interval_days) * (i - 1);
    in.amount = plan.instalment_amount;
    if (in.amount.currency.empty()) in.amount.currency = plan.total.currency;
    in.invoice_numbers = invoice_numbers;
    if (has_total) {
      if (remaining <= 0) break;
      in.amount.minor_units = i == plan.instalments
                                  ? remaining
                                  : std::min(remaining, plan.instalment_amount.minor_units);
      remaining -= in.amount.minor_units;
    }
    out.push_back(std::move(in));
  }
  return out;
}

PayInstalments PlanPayments(const DebtorProfile& profile, const PlanTerms& plan,
                            const std::vector<std::string>& invoice_numbers, uint64_t seed) {
  PayInstalments out;
  for (const Instalment& in : Instalments(plan, invoice_numbers)) {
    std::optional<PayAt> pay = KeepInstalment(profile, in, seed);
    if (!pay.has_value() || pay->day > in.due) out.missed.push_back(in.index);
    if (pay.has_value()) out.payments.push_back(std::move(*pay));
  }
  return out;
}

std::optional<PayAt> SpontaneousPayment(const DebtorProfile& p, const InvoiceRef& invoice,
                                        uint64_t seed) {
  Rng r = DecisionRng(seed, p.debtor_id, absl::StrCat("spontaneous/", invoice.invoice_number));
  const Lateness l = LatenessOf(p);
  if (r.Chance(l.never_per_10000)) return std::nullopt;
  absl::CivilDay day;
  if (r.Chance(l.on_time_per_10000)) {
    const int64_t room = std::max<int64_t>(0, std::min<int64_t>(10, invoice.due_date - invoice.issue_date));
    day = invoice.due_date - r.Between(0, room);
  } else {
    day = invoice.due_date + r.Between(l.late_min_days, l.late_max_days);
  }
  return Payment(p, day, invoice.amount, {invoice.invoice_number}, r);
}

// ---- satisfaction ----

SurveyResult SurveyAnswer(const DebtorProfile& p, const CaseExperience& x, uint64_t seed) {
  Rng r = DecisionRng(seed, p.debtor_id,
                      absl::StrCat("survey/", static_cast<int>(x.closed_how), "/", x.contacts, "/",
                                   x.days_open, "/", x.preferred_channel_used ? 1 : 0));
  // Scores in tenths of a CSAT point.
  int score = 40;
  switch (x.closed_how) {
    case CaseClosure::kPaidBeforeDue: score = 46; break;
    case CaseClosure::kPaid: score = 41; break;
    case CaseClosure::kPromiseKept: score = 40; break;
    case CaseClosure::kPlanCompleted: score = 42; break;
    case CaseClosure::kDisputeUpheld: score = 43; break;
    case CaseClosure::kDisputeRejected: score = 27; break;
    case CaseClosure::kLegal: score = 15; break;
    case CaseClosure::kWrittenOff: score = 25; break;
  }
  score -= std::min(12, 2 * std::max(0, x.contacts - 3));
  score -= std::min(10, std::max(0, x.days_open - 30) / 15);
  if (!x.preferred_channel_used) score -= 4;
  score += 4 * p.satisfaction_bias;
  if (p.archetype == A::kDisputer) score -= 3;
  if (p.archetype == A::kHardship && x.closed_how == CaseClosure::kPlanCompleted) score += 3;
  score += static_cast<int>(r.Between(-6, 6));
  score = std::clamp(score, 10, 50);
  SurveyResult out;
  out.csat = (score + 5) / 10;
  out.nps = std::clamp((score - 10) * 10 / 40 + static_cast<int>(r.Between(-1, 1)), 0, 10);
  return out;
}

bool AnswersSurvey(const DebtorProfile& p, const CaseExperience& x, uint64_t seed) {
  Rng r = DecisionRng(seed, p.debtor_id,
                      absl::StrCat("survey-answered/", static_cast<int>(x.closed_how), "/",
                                   x.contacts, "/", x.days_open));
  int prob = x.closed_how == CaseClosure::kLegal ? 1200 : 2500;
  if (x.preferred_channel_used) prob += 300;
  return r.Chance(prob);
}

}  // namespace concerto::demo::model
