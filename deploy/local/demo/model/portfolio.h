// The demo portfolio: three tenants modelled on the seed businesses (an Italian multi-utility, an
// Italian winery selling at home and abroad, a Finnish installer), their debtors with fake but
// realistic personal data and a hidden behaviour profile, and a year of invoices with what
// happened to each (paid on time, paid late, still open at `today`).
//
// Pure and deterministic: GeneratePortfolio(options) depends only on the options (no I/O, no
// clock, no floating point; money is integer minor units). Each debtor is drawn from its own
// generator keyed by (seed, tenant, index), so debtor #7 of a tenant is the same whatever the
// total. The structs are plain C++; mapping them onto the invoice service's gRPC import
// (concerto.invoice.v1.Debtor / InvoiceSpec) is field by field.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"
#include "deploy/local/demo/model/behaviour.h"
#include "deploy/local/demo/model/people.h"
#include "libs/rules/money.h"

namespace concerto::demo::model {

// Tenant describes one client (creditor) of the demo.
struct Tenant {
  std::string tenant_id;       // "aurora-energia", "vigna-rossa", "lumo-huolto"
  std::string display_name;    // "Aurora Energia S.p.A."
  std::string country;         // ISO 3166-1 alpha-2 of the creditor (its jurisdiction)
  std::string time_zone;       // IANA
  std::string language;        // the tenant's own language
  std::string currency;        // ISO 4217; every invoice is in it
  std::string invoice_prefix;  // "AE": invoice numbers "AE-2026-000123"
  int payment_terms_days = 30;
  // Every invoice amount (VAT included) lies in [min_amount_minor, max_amount_minor].
  int64_t min_amount_minor = 0;
  int64_t max_amount_minor = 0;
  int debtor_share_per_10000 = 0;     // share of PortfolioOptions::debtors
  std::vector<std::string> segments;  // the segment labels of its debtors
  std::vector<std::string> languages; // the languages its debtors speak

  friend bool operator==(const Tenant&, const Tenant&) = default;
};

// Tenants returns the three demo tenants, in a fixed order.
const std::vector<Tenant>& Tenants();

// FindTenant returns the tenant with that id, or nullptr.
const Tenant* FindTenant(std::string_view tenant_id);

// SplitDebtors splits `total` debtors across Tenants() by their shares (largest remainders; every
// tenant gets at least one when total >= 3). The counts add up to max(total, 0).
std::vector<int> SplitDebtors(int total);

// ContactRole says whom a contact point reaches (numbers as concerto.invoice.v1.ContactRole).
enum class ContactRole { kBilling = 1, kEscalation = 2, kLegal = 3 };

// ContactKind says which value a contact point carries.
enum class ContactKind { kEmail, kPhone, kPostal };

// ContactPoint is one way to reach a debtor (personal data).
struct ContactPoint {
  std::string contact_point_id;  // "<debtor id>-cp<n>"
  ContactRole role = ContactRole::kBilling;
  std::string person_name;  // who answers, e.g. the owner (optional)
  ContactKind kind = ContactKind::kEmail;
  std::string email;      // kEmail
  std::string phone;      // kPhone: E.164
  PostalAddress postal;   // kPostal
  bool primary = false;   // preferred among the points of its kind and role

  friend bool operator==(const ContactPoint&, const ContactPoint&) = default;
};

// ChannelConsent is the debtor's consent for one channel.
struct ChannelConsent {
  Channel channel = Channel::kEmail;
  bool granted = false;
  std::string source;  // "contract", "web-form"

  friend bool operator==(const ChannelConsent&, const ChannelConsent&) = default;
};

// Debtor is one debtor account of a tenant, with its hidden behaviour.
struct Debtor {
  std::string debtor_id;  // unique per tenant (and across the demo): "AE-D00017"
  std::string tenant_id;
  DebtorType type = DebtorType::kConsumer;
  std::string given_name;           // consumers
  std::string family_name;          // consumers
  std::string legal_name;           // businesses
  std::string registration_number;  // businesses: VAT / company number
  std::vector<ContactPoint> contact_points;
  Channel preferred_channel = Channel::kEmail;
  std::string preferred_language;  // ISO 639-1
  std::string time_zone;           // IANA
  std::string country;             // ISO 3166-1 alpha-2 (jurisdiction of the debtor)
  std::vector<ChannelConsent> consents;
  std::vector<std::string> tags;
  RiskBand risk_band = RiskBand::kMedium;
  CustomerStatus customer_status = CustomerStatus::kActive;
  bool vulnerable = false;  // known to the client as vulnerable: automation hands over
  std::string segment;      // per-tenant segment label, e.g. "residential", "export-eu"
  DebtorProfile profile;    // hidden: the behaviour model's profile (never sent to services)

  friend bool operator==(const Debtor&, const Debtor&) = default;
};

// HistoryOutcome is what happened to an invoice up to `today`.
enum class HistoryOutcome { kPaidOnTime, kPaidLate, kOpenNotDue, kOpenOverdue };

// HistoryOutcomeName: "paid_on_time", "paid_late", "open_not_due", "open_overdue".
const char* HistoryOutcomeName(HistoryOutcome outcome);

// InvoiceLine is one line of an invoice (shaped like concerto.invoice.v1.InvoiceLine); the lines
// of an invoice add up to its amount.
struct InvoiceLine {
  int line_no = 1;
  std::string description;
  int64_t quantity_milli = 1000;  // quantity x 1000
  rules::Money unit_price;        // net
  rules::Money net_amount;
  int vat_rate_bp = 0;            // 2200 = 22%
  rules::Money vat_amount;
  rules::Money gross_amount;
  std::string vat_code;  // "" (standard), "reverse-charge", "export-exempt"

  friend bool operator==(const InvoiceLine&, const InvoiceLine&) = default;
};

// Invoice is one invoice with its history.
struct Invoice {
  std::string invoice_number;  // unique per tenant: "AE-2026-000123"
  std::string tenant_id;
  std::string debtor_id;
  absl::CivilDay issue_date;
  absl::CivilDay due_date;  // issue date + the tenant's terms
  rules::Money amount;      // gross, VAT included
  std::vector<InvoiceLine> lines;
  std::string payment_reference;  // ISO 11649 RF derived from the number
  HistoryOutcome outcome = HistoryOutcome::kOpenNotDue;
  std::optional<absl::CivilDay> paid_on;  // paid outcomes: the value date
  std::optional<PayAt> payment;           // paid outcomes: the transfer (for bank statements)

  friend bool operator==(const Invoice&, const Invoice&) = default;
};

// PortfolioOptions parameterise GeneratePortfolio.
struct PortfolioOptions {
  uint64_t seed = 1;
  int debtors = 300;  // in total, split across tenants by SplitDebtors
  absl::CivilDay today;
  int history_months = 12;  // invoices are issued in (today - history_months months, today]
};

// Portfolio is the generated data.
struct Portfolio {
  PortfolioOptions options;
  std::vector<Tenant> tenants;
  std::vector<Debtor> debtors;    // tenant by tenant, in id order
  std::vector<Invoice> invoices;  // tenant by tenant, by issue date then number

  friend bool operator==(const Portfolio& a, const Portfolio& b) {
    return a.options.seed == b.options.seed && a.options.debtors == b.options.debtors &&
           a.options.today == b.options.today &&
           a.options.history_months == b.options.history_months && a.tenants == b.tenants &&
           a.debtors == b.debtors && a.invoices == b.invoices;
  }
};

// GeneratePortfolio builds the portfolio for `options`.
Portfolio GeneratePortfolio(const PortfolioOptions& options);

// FindDebtor returns the debtor, or nullptr.
const Debtor* FindDebtor(const Portfolio& portfolio, std::string_view tenant_id,
                         std::string_view debtor_id);

// InvoicesOf returns the debtor's invoices, oldest first.
std::vector<const Invoice*> InvoicesOf(const Portfolio& portfolio, std::string_view tenant_id,
                                       std::string_view debtor_id);

// IsOpen is true for kOpenNotDue and kOpenOverdue.
bool IsOpen(const Invoice& invoice);

// OpenBalance returns the sum of the debtor's open invoices at `today` (EUR 0.00 when none).
rules::Money OpenBalance(const Portfolio& portfolio, std::string_view tenant_id,
                         std::string_view debtor_id);

}  // namespace concerto::demo::model
