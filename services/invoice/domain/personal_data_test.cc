// DESIGN.md "Personal data": events carry ids, codes, dates and amounts, never a name, an address,
// an e-mail address or a phone number. This test feeds a debtor with distinctive personal values
// through every domain function and scans every emitted event (and the stored state) for them.
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/invoice/domain/account.h"
#include "services/invoice/domain/domain_test_util.h"

namespace concerto::invoice {
namespace {

using testing::Allocated;
using testing::D;
using testing::Eur;
using testing::kAllocatedType;
using testing::kDebtor;
using testing::kReversedType;
using testing::kTenant;
using testing::Must;
using testing::Now;
using testing::Ref;
using testing::Reversed;
using testing::Spec;

const std::vector<std::string>& Needles() {
  static const std::vector<std::string> kNeedles = {
      "Zebulon",       "Quixotefeld",     "zebulon.quixotefeld@example.test",
      "example.test",  "+390699887766",   "0699887766",
      "IT09876543210", "Via dei Segreti", "Borgo Nascosto",
      "00999",         "FREE-TEXT-NOTE",
  };
  return kNeedles;
}

// TestCipher stands in for libs/crypto: a keyed byte-wise stream, reversible, so the blob holds
// the personal data without showing it (the domain must treat it as opaque either way).
std::string TestCipher(std::string bytes) {
  uint8_t k = 0x5c;
  for (char& c : bytes) {
    c = static_cast<char>(static_cast<uint8_t>(c) ^ k);
    k = static_cast<uint8_t>(k * 33 + 7);
  }
  return bytes;
}

v1::Debtor PersonWithPersonalData() {
  v1::Debtor d;
  d.set_debtor_id(kDebtor);
  d.set_type(v1::DEBTOR_TYPE_CONSUMER);
  d.set_given_name("Zebulon");
  d.set_family_name("Quixotefeld");
  d.set_legal_name("Quixotefeld Vini");
  d.set_registration_number("IT09876543210");
  d.set_country("IT");
  d.set_time_zone("Europe/Rome");
  d.set_preferred_language("it");
  d.set_preferred_channel(contact::v1::CHANNEL_EMAIL);
  d.add_tags("wine-club");
  v1::ContactPoint* email = d.add_contact_points();
  email->set_contact_point_id("cp-email");
  email->set_role(v1::CONTACT_ROLE_BILLING);
  email->set_person_name("Zebulon Quixotefeld");
  email->set_email("zebulon.quixotefeld@example.test");
  email->set_primary(true);
  v1::ContactPoint* phone = d.add_contact_points();
  phone->set_contact_point_id("cp-phone");
  phone->set_role(v1::CONTACT_ROLE_BILLING);
  phone->set_phone("+390699887766");
  v1::ContactPoint* letter = d.add_contact_points();
  letter->set_contact_point_id("cp-post");
  letter->set_role(v1::CONTACT_ROLE_LEGAL);
  letter->mutable_postal()->add_lines("Via dei Segreti 42");
  letter->mutable_postal()->set_postal_code("00999");
  letter->mutable_postal()->set_city("Borgo Nascosto");
  letter->mutable_postal()->set_country("IT");
  return d;
}

class Recorder {
 public:
  template <typename R>
  Account Take(absl::StatusOr<Decision<R>> d) {
    EXPECT_TRUE(d.ok()) << d.status();
    if (!d.ok()) return Account();
    for (OutputEvent& e : d->events) events_.push_back(std::move(e));
    states_.push_back(d->state.SerializeAsString());
    return std::move(d->state);
  }
  const std::vector<OutputEvent>& events() const { return events_; }
  const std::vector<std::string>& states() const { return states_; }

 private:
  std::vector<OutputEvent> events_;
  std::vector<std::string> states_;
};

TEST(PersonalData, NeverInAnyEventNorInTheStoredState) {
  const v1::Debtor person = PersonWithPersonalData();
  const v1::Debtor personal = PersonalPartOf(person);
  const std::string blob = TestCipher(personal.SerializeAsString());
  // Sanity: the blob really carries the data, just not readably.
  ASSERT_THAT(TestCipher(blob), ::testing::HasSubstr("zebulon.quixotefeld@example.test"));

  Recorder rec;
  Account a = NewAccount(kTenant, kDebtor);
  DebtorUpsert u;
  u.profile = ProfileOf(person);
  u.encrypted_personal_data = blob;
  u.changed_personal_fields = ChangedPersonalFields(v1::Debtor(), personal);
  a = rec.Take(UpsertDebtor(a, u, Now()));

  // A changed address, reported by name only.
  v1::Debtor moved = person;
  moved.mutable_contact_points(2)->mutable_postal()->set_city("Borgo Nascosto Alto");
  DebtorUpsert u2;
  u2.profile = ProfileOf(moved);
  u2.encrypted_personal_data = TestCipher(PersonalPartOf(moved).SerializeAsString());
  u2.changed_personal_fields = ChangedPersonalFields(personal, PersonalPartOf(moved));
  a = rec.Take(UpsertDebtor(a, u2, Now()));

  v1::InvoiceSpec spec = Spec("INV-1", 0);
  spec.clear_amount();
  v1::InvoiceLine* line = spec.add_lines();
  line->set_quantity_milli(2000);
  *line->mutable_unit_price() = Eur(2500);
  line->set_vat_rate_bp(2200);
  spec.mutable_document()->set_uri("s3://docs/INV-1.pdf");
  a = rec.Take(IssueInvoice(a, spec, Now()));
  std::vector<ImportItem> rows;
  rows.push_back(
      {2, Spec("INV-2", 4000), DebtorDefaults{v1::DEBTOR_TYPE_CONSUMER, "IT", "it", ""}});
  rows.push_back({3, Spec("INV-3", 3000), std::nullopt});
  rows.push_back({4, Spec("INV-2", 4500), std::nullopt});
  rows.push_back({5, u2, std::nullopt});
  a = rec.Take(ImportRows(a, rows, Now()));

  v1::AdjustInvoiceRequest credit;
  *credit.mutable_invoice() = Ref("INV-1");
  credit.set_kind(v1::ADJUSTMENT_KIND_CREDIT_NOTE);
  *credit.mutable_amount() = Eur(1000);
  credit.set_credit_note_number("CN-1");
  credit.set_note("FREE-TEXT-NOTE: the customer called");  // free text stays out of events
  a = rec.Take(AdjustInvoice(a, credit, Now()));
  a = rec.Take(ApplyPaymentEvent(a, kAllocatedType, Allocated("P1", {{"INV-1", 5100}}), Now()));
  a = rec.Take(ApplyPaymentEvent(a, kReversedType, Reversed("P1"), Now()));
  a = rec.Take(ApplyPaymentEvent(a, kAllocatedType, Allocated("P2", {{"INV-1", 5100}}), Now()));
  v1::WriteOffInvoiceRequest wo;
  *wo.mutable_invoice() = Ref("INV-2");
  *wo.mutable_amount() = Eur(500);
  wo.set_reason(v1::WRITE_OFF_REASON_GOODWILL);
  wo.set_note("FREE-TEXT-NOTE: goodwill");
  a = rec.Take(WriteOffInvoice(a, wo, Now()));
  v1::ReissueInvoiceRequest re;
  *re.mutable_invoice() = Ref("INV-2");
  *re.mutable_new_due_date() = D(2025, 5, 1);
  a = rec.Take(ReissueInvoice(a, re, "cmd-1", Now()));
  v1::CancelInvoiceRequest cancel;
  *cancel.mutable_invoice() = Ref("INV-3");
  cancel.set_note("FREE-TEXT-NOTE: asked");
  a = rec.Take(CancelInvoice(a, cancel, Now()));
  a = rec.Take(EraseDebtor(a, Erasure{}, Now()));

  // Every kind of event was produced...
  std::set<std::string> types;
  for (const OutputEvent& e : rec.events()) types.insert(e.type);
  EXPECT_THAT(types,
              ::testing::IsSupersetOf(
                  {"concerto.invoice.v1.DebtorUpserted", "concerto.invoice.v1.DebtorErased",
                   "concerto.invoice.v1.InvoiceIssued", "concerto.invoice.v1.InvoiceAdjusted",
                   "concerto.invoice.v1.InvoiceSettled", "concerto.invoice.v1.InvoiceWrittenOff",
                   "concerto.invoice.v1.InvoiceReissued", "concerto.invoice.v1.InvoiceCancelled"}));
  // ...and none carries a personal value.
  for (const OutputEvent& e : rec.events()) {
    for (const std::string& needle : Needles()) {
      EXPECT_EQ(e.payload.find(needle), std::string::npos) << e.type << " carries " << needle;
      EXPECT_EQ(e.type.find(needle), std::string::npos);
    }
  }
  // The stored state holds the debtor's personal data only inside the opaque blob. (A free-text
  // note typed on a credit note is kept with the invoice's adjustment, not published.)
  for (const std::string& state : rec.states()) {
    for (const std::string& needle : Needles()) {
      if (needle == "FREE-TEXT-NOTE") continue;
      EXPECT_EQ(state.find(needle), std::string::npos) << "state carries " << needle;
    }
  }
  // Changed personal fields are told by name.
  const auto upserted = testing::Decode<v1::DebtorUpserted>(rec.events(), 1);
  EXPECT_THAT(upserted.changed_fields(), ::testing::ElementsAre("contact_points"));
}

}  // namespace
}  // namespace concerto::invoice
