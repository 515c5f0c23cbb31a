// Test helpers of the contact-channel app's unit tests: a fake invoice service (debtor master
// data by tenant and id), a fake channel adapter that records what it was asked to send, and
// builders of the events dunning and the invoice service publish.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "concerto/common/v1/envelope.pb.h"
#include "concerto/dunning/v1/case.pb.h"
#include "services/contact_channel/app/channel_adapter.h"
#include "services/contact_channel/app/contact_handler.h"
#include "services/contact_channel/app/invoice_directory.h"

namespace concerto::contact::testing {

// FakeDirectory answers GetDebtorContact from a map; absent debtors are NOT_FOUND, erased ones
// FAILED_PRECONDITION, and `unavailable` makes every call UNAVAILABLE.
class FakeDirectory final : public DebtorDirectory {
 public:
  void Put(const std::string& tenant, invoice::v1::Debtor d) {
    absl::MutexLock lock(&mu_);
    debtors_[tenant + "/" + d.debtor_id()] = std::move(d);
  }
  void Erase(const std::string& tenant, const std::string& debtor_id) {
    absl::MutexLock lock(&mu_);
    erased_[tenant + "/" + debtor_id] = true;
  }
  void SetUnavailable(bool v) {
    absl::MutexLock lock(&mu_);
    unavailable_ = v;
  }
  int calls() {
    absl::MutexLock lock(&mu_);
    return calls_;
  }
  absl::StatusOr<invoice::v1::Debtor> GetDebtorContact(const std::string& tenant,
                                                       const std::string& debtor_id,
                                                       invoice::v1::ContactPurpose,
                                                       const std::string&) override {
    absl::MutexLock lock(&mu_);
    ++calls_;
    if (unavailable_) return absl::UnavailableError("invoice service down");
    const std::string key = tenant + "/" + debtor_id;
    if (erased_.count(key)) return absl::FailedPreconditionError("debtor erased");
    auto it = debtors_.find(key);
    if (it == debtors_.end()) return absl::NotFoundError("debtor_id: not found");
    return it->second;
  }
  absl::StatusOr<invoice::v1::Invoice> GetInvoice(const std::string&,
                                                  const std::string& invoice_id) override {
    invoice::v1::Invoice inv;
    inv.set_invoice_id(invoice_id);
    inv.set_invoice_number(absl::StrCat("N-", invoice_id));
    return inv;
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, invoice::v1::Debtor> debtors_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, bool> erased_ ABSL_GUARDED_BY(mu_);
  bool unavailable_ ABSL_GUARDED_BY(mu_) = false;
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
};

// FakeAdapter records every message and answers `next` (accepted by default).
class FakeAdapter final : public ChannelAdapter {
 public:
  FakeAdapter(std::string provider, bool deduplicates)
      : provider_(std::move(provider)), deduplicates_(deduplicates) {}
  std::string provider() const override { return provider_; }
  bool deduplicates() const override { return deduplicates_; }
  SendResult Send(const OutboundMessage& m) override {
    absl::MutexLock lock(&mu_);
    sent_.push_back(m);
    SendResult r = next_;
    if (r.kind == SendResult::Kind::kAccepted && r.provider_message_id.empty()) {
      r.provider_message_id = absl::StrCat(provider_, "-", m.attempt_id);
    }
    return r;
  }
  void SetNext(SendResult::Kind kind, std::string code = "") {
    absl::MutexLock lock(&mu_);
    next_.kind = kind;
    next_.code = std::move(code);
  }
  std::vector<OutboundMessage> sent() {
    absl::MutexLock lock(&mu_);
    return sent_;
  }

 private:
  const std::string provider_;
  const bool deduplicates_;
  absl::Mutex mu_;
  std::vector<OutboundMessage> sent_ ABSL_GUARDED_BY(mu_);
  SendResult next_ ABSL_GUARDED_BY(mu_){SendResult::Kind::kAccepted, "", "ok"};
};

// Debtor builds master data with an e-mail address, a phone number and a postal address.
inline invoice::v1::Debtor Debtor(const std::string& debtor_id, const std::string& phone,
                                  const std::string& email = "maria@example.org",
                                  const std::string& country = "IT") {
  invoice::v1::Debtor d;
  d.set_debtor_id(debtor_id);
  d.set_given_name("Maria");
  d.set_family_name("Rossi");
  d.set_country(country);
  d.set_preferred_language(country == "IT" ? "it" : "en");
  d.set_time_zone(country == "US" ? "America/New_York" : "Europe/Rome");
  if (!email.empty()) {
    auto* cp = d.add_contact_points();
    cp->set_contact_point_id("cp-email");
    cp->set_role(invoice::v1::CONTACT_ROLE_BILLING);
    cp->set_email(email);
    cp->set_primary(true);
  }
  if (!phone.empty()) {
    auto* cp = d.add_contact_points();
    cp->set_contact_point_id("cp-phone");
    cp->set_role(invoice::v1::CONTACT_ROLE_BILLING);
    cp->set_phone(phone);
  }
  auto* post = d.add_contact_points();
  post->set_contact_point_id("cp-post");
  post->set_role(invoice::v1::CONTACT_ROLE_BILLING);
  post->mutable_postal()->add_lines("Via Roma 1");
  post->mutable_postal()->set_postal_code("00100");
  post->mutable_postal()->set_city("Roma");
  post->mutable_postal()->set_country(country);
  return d;
}

// Envelope wraps a payload as it arrives on case.events / invoice.events.
inline common::v1::Envelope Envelope(const std::string& event_id, const std::string& tenant,
                                     const std::string& debtor_id,
                                     const google::protobuf::Message& payload) {
  common::v1::Envelope env;
  env.set_event_id(event_id);
  env.set_tenant(tenant);
  env.set_aggregate_key(DebtorKey(tenant, debtor_id));
  env.set_type(payload.GetDescriptor()->full_name());
  env.set_schema_version(1);
  env.set_payload(payload.SerializeAsString());
  return env;
}

// ContactRequested for one invoice of 150.00 EUR on `channels`.
inline dunning::v1::ContactRequested ContactRequest(const std::string& debtor_id,
                                                    std::vector<dunning::v1::Channel> channels,
                                                    int step = 1,
                                                    const std::string& template_name = "reminder-1") {
  dunning::v1::ContactRequested r;
  r.set_debtor_id(debtor_id);
  r.set_step(step);
  for (auto c : channels) r.add_channels(c);
  r.set_template_(template_name);
  auto* inv = r.add_invoices();
  inv->set_invoice_id("inv-1");
  inv->mutable_open_balance()->set_minor_units(15000);
  inv->mutable_open_balance()->set_currency("EUR");
  inv->mutable_due_date()->set_year(2026);
  inv->mutable_due_date()->set_month(2);
  inv->mutable_due_date()->set_day(1);
  r.mutable_total()->set_minor_units(15000);
  r.mutable_total()->set_currency("EUR");
  r.set_days_past_due(30);
  r.mutable_assignment()->set_strategy_id("standard");
  r.mutable_assignment()->set_version(3);
  return r;
}

// CallTask is dunning's CallTaskRequested for queue "collections".
inline dunning::v1::CallTaskRequested CallTask(const std::string& debtor_id, int step = 1) {
  dunning::v1::CallTaskRequested r;
  r.set_debtor_id(debtor_id);
  r.set_step(step);
  r.set_queue("collections");
  r.set_script("call-script");
  r.mutable_total()->set_minor_units(15000);
  r.mutable_total()->set_currency("EUR");
  return r;
}

}  // namespace concerto::contact::testing
