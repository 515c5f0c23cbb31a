// The strategy the dunning service runs when no --strategy-files are given: gentle reminders on
// the debtor's channels, a call, a plan offer and a final notice; legal only after that.
#pragma once

namespace concerto::dunning {

inline constexpr char kDefaultStrategyYaml[] = R"yaml(
id: default
version: 1
description: Built-in default. Reminders, a call, a plan, a final notice, then legal.
currency: EUR
pause_on: [dispute, hardship, promise, plan]
guardrail:
  max_legal_ratio_bp: 500
segments:
  - name: everyone
    steps:
      - offset_days: 3
        contact: {channels: [email, sms], template: reminder-1}
      - offset_days: 10
        contact: {channels: [email, letter], template: reminder-2}
      - offset_days: 14
        call_task: {queue: collectors}
      - offset_days: 20
        offer_plan: {max_instalments: 6, template: plan-offer}
      - offset_days: 35
        final_notice: {template: final-notice, term_days: 15, channels: [letter]}
      - offset_days: 60
        escalate: {min_balance: "EUR 100.00", require_final_notice_expired: true}
)yaml";

}  // namespace concerto::dunning
