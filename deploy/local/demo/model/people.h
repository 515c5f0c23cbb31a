// Fake personal data for the demo portfolio: realistic names of people and businesses, postal
// addresses, E.164 phone numbers, e-mail addresses and company registration numbers per country
// (IT, FI, NL, GB, US). Everything is invented: e-mail domains are reserved example domains
// (example.com/.net/.org, *.example), UK numbers are in Ofcom's drama ranges, US numbers in
// 555-01XX. Pure: draws only from the Rng it is given.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "deploy/local/demo/model/random.h"

namespace concerto::demo::model {

// PostalAddress is a letter address (personal data), shaped like
// concerto.invoice.v1.PostalAddress.
struct PostalAddress {
  std::vector<std::string> lines;  // street and number, then building / flat
  std::string postal_code;
  std::string city;
  std::string region;   // province (IT), state (US), county (GB); may be empty
  std::string country;  // ISO 3166-1 alpha-2: "IT", "FI", "NL", "GB", "US"

  friend bool operator==(const PostalAddress&, const PostalAddress&) = default;
};

// Place is an address and the IANA time zone of where it is.
struct Place {
  PostalAddress address;
  std::string time_zone;
  std::string street;  // the street name alone ("Koivukuja"), for housing-company names
  int number = 1;      // the street number
};

// PersonName is a person's given and family name.
struct PersonName {
  std::string given;
  std::string family;
};

// FakePerson returns a name typical of `country` ("IT", "FI", "NL", "GB", "US"; others: GB).
PersonName FakePerson(std::string_view country, Rng& rng);

// FakePlace returns an address in `country` with its time zone (US addresses span time zones).
Place FakePlace(std::string_view country, Rng& rng);

// FakeMobile / FakeLandline return an E.164 number of `country`, e.g. "+393471234567".
std::string FakeMobile(std::string_view country, Rng& rng);
std::string FakeLandline(std::string_view country, Rng& rng);

// FakeRegistrationNumber returns a company or VAT number in the country's format, with correct
// check digits where the format has them: "IT" + 11 digits (partita IVA), "1234567-8"
// (Finnish Y-tunnus), "NL123456789B01", "GB123456789", "12-3456789" (US EIN).
std::string FakeRegistrationNumber(std::string_view country, Rng& rng);

// BusinessKind selects the wording of a business name.
enum class BusinessKind {
  kUtilityCustomer,  // shops, bars, offices that buy energy
  kWineTrade,        // restaurants, wine shops, importers
  kHousingCompany,   // Finnish asunto-osakeyhtiö
  kSmallBusiness,    // Finnish small businesses that buy maintenance
};

// FakeBusinessName returns a business name of `kind` in `country`, e.g. "Enoteca Ferrari",
// "Wijnhandel de Vries B.V.", "Asunto Oy Koivukuja 3" (uses the place's street).
std::string FakeBusinessName(BusinessKind kind, std::string_view country, const Place& place,
                             Rng& rng);

// AsciiSlug folds a name to lower-case ASCII letters and digits joined by `sep` ("Mäkinen &
// Co Oy" -> "makinen-co-oy"); legal suffixes are kept.
std::string AsciiSlug(std::string_view text, char sep);

// PersonEmail returns a consumer address at a reserved example domain, e.g.
// "giulia.romano84@example.net".
std::string PersonEmail(const PersonName& name, Rng& rng);

// BusinessDomain returns the business's reserved domain: "<slug without legal suffix>.example".
std::string BusinessDomain(std::string_view business_name);

}  // namespace concerto::demo::model
