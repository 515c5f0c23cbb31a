#include "deploy/local/demo/model/people.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace concerto::demo::model {
namespace {

// ---- names ----

const char* const kItGiven[] = {
    "Marco",  "Luca",     "Giuseppe", "Francesco", "Alessandro", "Andrea",   "Matteo",
    "Lorenzo", "Davide",  "Stefano",  "Paolo",     "Giovanni",   "Riccardo", "Simone",
    "Giulia", "Francesca", "Chiara",  "Sara",      "Valentina",  "Alessia",  "Martina",
    "Elena",  "Federica", "Laura",    "Silvia",    "Anna",       "Paola",    "Elisa"};
const char* const kItFamily[] = {
    "Rossi",   "Russo",   "Ferrari", "Esposito", "Bianchi",  "Romano",  "Colombo", "Ricci",
    "Marino",  "Greco",   "Bruno",   "Gallo",    "Conti",    "De Luca", "Mancini", "Costa",
    "Giordano", "Rizzo",  "Lombardi", "Moretti", "Barbieri", "Fontana", "Santoro", "Mariani",
    "Rinaldi", "Caruso",  "Ferrara", "Galli",    "Martini",  "Leone"};
const char* const kFiGiven[] = {
    "Juhani", "Mikko",  "Timo",   "Matti",   "Jari",  "Antti", "Jukka",  "Markku", "Ville",
    "Janne",  "Tuomas", "Pekka",  "Sami",    "Lauri", "Anna",  "Maria",  "Helena", "Johanna",
    "Tiina",  "Sanna",  "Laura",  "Minna",   "Kaisa", "Riikka", "Elina", "Aino",   "Päivi",
    "Hanna"};
const char* const kFiFamily[] = {
    "Korhonen", "Virtanen",  "Mäkinen",  "Nieminen",  "Mäkelä",     "Hämäläinen", "Laine",
    "Heikkinen", "Koskinen", "Järvinen", "Lehtonen",  "Lehtinen",   "Saarinen",   "Salminen",
    "Heinonen", "Niemi",     "Heikkilä", "Kinnunen",  "Salonen",    "Turunen",    "Salo",
    "Laitinen", "Tuominen",  "Rantanen", "Karjalainen", "Jokinen",  "Mattila",    "Savolainen",
    "Lahtinen", "Ahonen"};
const char* const kNlGiven[] = {"Daan",  "Sem",   "Lucas",  "Jesse",   "Thomas", "Bram",
                                "Ruben", "Pieter", "Jeroen", "Sander", "Maarten", "Bas",
                                "Emma",  "Julia", "Sophie", "Anouk",   "Lotte",  "Fleur",
                                "Sanne", "Eva",   "Lisa",   "Iris",    "Marloes", "Femke"};
const char* const kNlFamily[] = {"de Jong", "Jansen",  "de Vries", "van den Berg", "van Dijk",
                                 "Bakker",  "Janssen", "Visser",   "Smit",         "Meijer",
                                 "de Boer", "Mulder",  "de Groot", "Bos",          "Vos",
                                 "Peters",  "Hendriks", "van Leeuwen", "Dekker",   "Brouwer"};
const char* const kGbGiven[] = {"Oliver", "George",  "Harry",  "Jack",    "James",  "William",
                                "Thomas", "Charlie", "Amelia", "Olivia",  "Isla",   "Emily",
                                "Sophie", "Grace",   "Charlotte", "Hannah", "Daniel", "Lucy"};
const char* const kGbFamily[] = {"Smith",    "Jones",  "Taylor",  "Brown",    "Williams",
                                 "Wilson",   "Johnson", "Davies", "Robinson", "Wright",
                                 "Thompson", "Evans",  "Walker",  "White",    "Roberts",
                                 "Green",    "Hall",   "Wood",    "Jackson",  "Clarke"};
const char* const kUsGiven[] = {"Michael", "David",    "John",    "Robert", "Christopher",
                                "Daniel",  "Matthew",  "Jennifer", "Jessica", "Ashley",
                                "Sarah",   "Emily",    "Amanda",  "Megan",  "Lauren", "Rachel"};
const char* const kUsFamily[] = {"Smith",    "Johnson",  "Williams", "Brown",     "Jones",
                                 "Garcia",   "Miller",   "Davis",    "Rodriguez", "Martinez",
                                 "Hernandez", "Lopez",   "Wilson",   "Anderson",  "Thomas",
                                 "Taylor",   "Moore",    "Martin",   "Lee",       "Clark"};

// ---- places ----

struct City {
  const char* name;
  const char* postal_code;  // a real code of the city (the first of its range for large ones)
  const char* region;
  const char* time_zone;
};

const City kItCities[] = {
    {"Milano", "20121", "MI", "Europe/Rome"},  {"Roma", "00185", "RM", "Europe/Rome"},
    {"Torino", "10121", "TO", "Europe/Rome"},  {"Bologna", "40121", "BO", "Europe/Rome"},
    {"Firenze", "50122", "FI", "Europe/Rome"}, {"Napoli", "80133", "NA", "Europe/Rome"},
    {"Alba", "12051", "CN", "Europe/Rome"},    {"Verona", "37121", "VR", "Europe/Rome"},
    {"Bergamo", "24121", "BG", "Europe/Rome"}, {"Padova", "35121", "PD", "Europe/Rome"},
    {"Genova", "16121", "GE", "Europe/Rome"},  {"Asti", "14100", "AT", "Europe/Rome"}};
const char* const kItStreets[] = {"Via Roma",      "Via Garibaldi", "Corso Vittorio Emanuele II",
                                  "Via Mazzini",   "Via Dante",     "Via Verdi",
                                  "Viale Europa",  "Via Cavour",    "Piazza della Libertà",
                                  "Via XX Settembre"};
const City kFiCities[] = {
    {"Helsinki", "00530", "", "Europe/Helsinki"}, {"Espoo", "02100", "", "Europe/Helsinki"},
    {"Tampere", "33100", "", "Europe/Helsinki"},  {"Vantaa", "01300", "", "Europe/Helsinki"},
    {"Turku", "20100", "", "Europe/Helsinki"},    {"Oulu", "90100", "", "Europe/Helsinki"},
    {"Jyväskylä", "40100", "", "Europe/Helsinki"}, {"Lahti", "15100", "", "Europe/Helsinki"},
    {"Kuopio", "70100", "", "Europe/Helsinki"}};
const char* const kFiStreets[] = {"Mannerheimintie", "Hämeenkatu", "Koivukuja", "Rantatie",
                                  "Kauppakatu",      "Puistokatu", "Kirkkokatu", "Ratakatu",
                                  "Mäntytie",        "Pihlajatie", "Vaahterakuja", "Sibeliuksenkatu"};
const City kNlCities[] = {
    {"Amsterdam", "1012", "", "Europe/Amsterdam"}, {"Rotterdam", "3011", "", "Europe/Amsterdam"},
    {"Utrecht", "3511", "", "Europe/Amsterdam"},   {"Den Haag", "2511", "", "Europe/Amsterdam"},
    {"Haarlem", "2011", "", "Europe/Amsterdam"},   {"Eindhoven", "5611", "", "Europe/Amsterdam"}};
const char* const kNlStreets[] = {"Keizersgracht", "Prinsengracht", "Kerkstraat", "Dorpsstraat",
                                  "Stationsweg",   "Molenstraat",   "Marktplein", "Oudegracht"};
const City kGbCities[] = {
    {"London", "EC1A 1BB", "Greater London", "Europe/London"},
    {"Manchester", "M1 1AE", "Greater Manchester", "Europe/London"},
    {"Bristol", "BS1 4DJ", "Bristol", "Europe/London"},
    {"Edinburgh", "EH1 1YZ", "City of Edinburgh", "Europe/London"},
    {"York", "YO1 7HH", "North Yorkshire", "Europe/London"}};
const char* const kGbStreets[] = {"High Street", "Station Road", "Church Lane", "Victoria Road",
                                  "Park Avenue", "Mill Lane",    "King Street"};
const City kUsCities[] = {
    {"New York", "10001", "NY", "America/New_York"},
    {"San Francisco", "94103", "CA", "America/Los_Angeles"},
    {"Chicago", "60601", "IL", "America/Chicago"},
    {"Boston", "02108", "MA", "America/New_York"},
    {"Seattle", "98101", "WA", "America/Los_Angeles"},
    {"Austin", "78701", "TX", "America/Chicago"},
    {"Denver", "80202", "CO", "America/Denver"}};
const char* const kUsStreets[] = {"Main Street", "Oak Avenue", "Market Street", "Elm Street",
                                  "Washington Avenue", "Maple Drive", "Pine Street"};

std::string Digits(Rng& rng, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out.push_back(static_cast<char>('0' + rng.Below(10)));
  return out;
}

std::string Upper(Rng& rng, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out.push_back(static_cast<char>('A' + rng.Below(26)));
  return out;
}

bool Is(std::string_view country, const char* code) { return country == code; }

// FoldByte2 maps the second byte of a two-byte UTF-8 letter led by 0xC3 to ASCII.
const char* FoldC3(unsigned char b) {
  switch (b) {
    case 0x80: case 0x81: case 0x82: case 0x83: case 0x84: case 0x85:
    case 0xA0: case 0xA1: case 0xA2: case 0xA3: case 0xA4: case 0xA5: return "a";
    case 0x88: case 0x89: case 0x8A: case 0x8B:
    case 0xA8: case 0xA9: case 0xAA: case 0xAB: return "e";
    case 0x8C: case 0x8D: case 0x8E: case 0x8F:
    case 0xAC: case 0xAD: case 0xAE: case 0xAF: return "i";
    case 0x92: case 0x93: case 0x94: case 0x95: case 0x96:
    case 0xB2: case 0xB3: case 0xB4: case 0xB5: case 0xB6: return "o";
    case 0x99: case 0x9A: case 0x9B: case 0x9C:
    case 0xB9: case 0xBA: case 0xBB: case 0xBC: return "u";
    case 0x87: case 0xA7: return "c";
    case 0x91: case 0xB1: return "n";
    default: return "";
  }
}

}  // namespace

PersonName FakePerson(std::string_view country, Rng& rng) {
  if (Is(country, "IT")) return {rng.Pick(kItGiven), rng.Pick(kItFamily)};
  if (Is(country, "FI")) return {rng.Pick(kFiGiven), rng.Pick(kFiFamily)};
  if (Is(country, "NL")) return {rng.Pick(kNlGiven), rng.Pick(kNlFamily)};
  if (Is(country, "US")) return {rng.Pick(kUsGiven), rng.Pick(kUsFamily)};
  return {rng.Pick(kGbGiven), rng.Pick(kGbFamily)};
}

Place FakePlace(std::string_view country, Rng& rng) {
  Place place;
  PostalAddress& a = place.address;
  place.number = static_cast<int>(rng.Between(1, 180));
  if (Is(country, "IT")) {
    const City& c = rng.Pick(kItCities);
    place.street = rng.Pick(kItStreets);
    a.lines.push_back(absl::StrCat(place.street, " ", place.number));
    if (rng.Chance(2500)) {
      const std::string stair(1, static_cast<char>('A' + rng.Below(6)));
      a.lines.push_back(absl::StrCat("Scala ", stair, ", interno ", rng.Between(1, 24)));
    }
    a.postal_code = c.postal_code;
    a.city = c.name;
    a.region = c.region;
    place.time_zone = c.time_zone;
  } else if (Is(country, "FI")) {
    const City& c = rng.Pick(kFiCities);
    place.street = rng.Pick(kFiStreets);
    place.number = static_cast<int>(rng.Between(1, 60));
    if (rng.Chance(6000)) {
      // A block of flats: stair letter and flat number ("Koivukuja 3 B 12").
      const char stair = static_cast<char>('A' + rng.Below(4));
      a.lines.push_back(absl::StrCat(place.street, " ", place.number, " ", std::string(1, stair),
                                     " ", rng.Between(1, 40)));
    } else {
      a.lines.push_back(absl::StrCat(place.street, " ", place.number));
    }
    a.postal_code = c.postal_code;
    a.city = c.name;
    place.time_zone = c.time_zone;
  } else if (Is(country, "NL")) {
    const City& c = rng.Pick(kNlCities);
    place.street = rng.Pick(kNlStreets);
    a.lines.push_back(absl::StrCat(place.street, " ", place.number));
    a.postal_code = absl::StrCat(c.postal_code, " ", Upper(rng, 2));
    a.city = c.name;
    place.time_zone = c.time_zone;
  } else if (Is(country, "US")) {
    const City& c = rng.Pick(kUsCities);
    place.street = rng.Pick(kUsStreets);
    place.number = static_cast<int>(rng.Between(100, 9800));
    a.lines.push_back(absl::StrCat(place.number, " ", place.street));
    if (rng.Chance(3000)) a.lines.push_back(absl::StrCat("Suite ", rng.Between(100, 950)));
    a.postal_code = c.postal_code;
    a.city = c.name;
    a.region = c.region;
    place.time_zone = c.time_zone;
  } else {
    const City& c = rng.Pick(kGbCities);
    place.street = rng.Pick(kGbStreets);
    a.lines.push_back(absl::StrCat(place.number, " ", place.street));
    a.postal_code = c.postal_code;
    a.city = c.name;
    a.region = c.region;
    place.time_zone = c.time_zone;
    a.country = "GB";
    return place;
  }
  a.country = std::string(country);
  return place;
}

std::string FakeMobile(std::string_view country, Rng& rng) {
  if (Is(country, "IT")) {
    static const char* const kPrefixes[] = {"320", "328", "333", "338", "340",
                                            "347", "349", "366", "380", "392"};
    const std::string prefix = rng.Pick(kPrefixes);
    return absl::StrCat("+39", prefix, Digits(rng, 7));
  }
  if (Is(country, "FI")) {
    static const char* const kPrefixes[] = {"40", "41", "44", "45", "50"};
    const std::string prefix = rng.Pick(kPrefixes);
    return absl::StrCat("+358", prefix, Digits(rng, 7));
  }
  if (Is(country, "NL")) return absl::StrCat("+316", Digits(rng, 8));
  if (Is(country, "US")) {
    static const char* const kAreas[] = {"212", "415", "312", "617", "206", "512", "303"};
    const std::string area = rng.Pick(kAreas);
    return absl::StrCat("+1", area, "55501", Digits(rng, 2));
  }
  return absl::StrCat("+447700900", Digits(rng, 3));  // Ofcom drama range
}

std::string FakeLandline(std::string_view country, Rng& rng) {
  if (Is(country, "IT")) {
    static const char* const kAreas[] = {"02", "06", "011", "051", "055", "081", "0173", "045"};
    const std::string area = rng.Pick(kAreas);
    return absl::StrCat("+39", area, Digits(rng, 10 - static_cast<int>(area.size())));
  }
  if (Is(country, "FI")) return absl::StrCat("+3589", Digits(rng, 7));
  if (Is(country, "NL")) return absl::StrCat("+3120", Digits(rng, 7));
  if (Is(country, "US")) return FakeMobile(country, rng);
  return absl::StrCat("+442079460", Digits(rng, 3));  // Ofcom drama range
}

std::string FakeRegistrationNumber(std::string_view country, Rng& rng) {
  if (Is(country, "IT")) {
    // Partita IVA: 7 digits of the company, 3 of the office, 1 Luhn check digit.
    std::string d = Digits(rng, 7);
    absl::StrAppend(&d, "0", rng.Between(10, 99));
    int sum = 0;
    for (size_t i = 0; i < 10; ++i) {
      int v = d[i] - '0';
      if (i % 2 == 1) {
        v *= 2;
        if (v > 9) v -= 9;
      }
      sum += v;
    }
    d.push_back(static_cast<char>('0' + (10 - sum % 10) % 10));
    return absl::StrCat("IT", d);
  }
  if (Is(country, "FI")) {
    // Y-tunnus: 7 digits and a mod-11 check digit (remainder 1 is never issued).
    static const int kWeights[] = {7, 9, 10, 5, 8, 4, 2};
    for (;;) {
      std::string d = absl::StrCat(rng.Between(1, 3));
      d += Digits(rng, 6);
      int sum = 0;
      for (size_t i = 0; i < 7; ++i) sum += (d[i] - '0') * kWeights[i];
      const int rem = sum % 11;
      if (rem == 1) continue;
      return absl::StrCat(d, "-", rem == 0 ? 0 : 11 - rem);
    }
  }
  if (Is(country, "NL")) return absl::StrCat("NL", Digits(rng, 9), "B01");
  if (Is(country, "US")) {
    const int64_t prefix = rng.Between(10, 98);
    return absl::StrCat(prefix, "-", Digits(rng, 7));
  }
  return absl::StrCat("GB", Digits(rng, 9));
}

std::string FakeBusinessName(BusinessKind kind, std::string_view country, const Place& place,
                             Rng& rng) {
  const PersonName person = FakePerson(country, rng);
  const std::string& f = person.family;
  const std::string& g = person.given;
  switch (kind) {
    case BusinessKind::kUtilityCustomer: {
      static const char* const kHotels[] = {"Bellavista", "Miramonti", "Centrale", "Stella",
                                            "Europa"};
      switch (rng.Below(9)) {
        case 0: return absl::StrCat(f, " S.r.l.");
        case 1: return absl::StrCat("Bar ", g);
        case 2: return absl::StrCat("Panificio ", f);
        case 3: return absl::StrCat("Ristorante Da ", g);
        case 4: return absl::StrCat("Studio ", f, " & Associati");
        case 5: return absl::StrCat("Ferramenta ", f, " S.n.c.");
        case 6: return absl::StrCat("Autofficina ", f);
        case 7: return absl::StrCat("Farmacia ", f);
        default: return absl::StrCat("Hotel ", rng.Pick(kHotels));
      }
    }
    case BusinessKind::kWineTrade: {
      if (Is(country, "IT")) {
        static const char* const kNouns[] = {"Ponte", "Borgo", "Castello", "Mulino", "Cacciatore"};
        switch (rng.Below(6)) {
          case 0: return absl::StrCat("Enoteca ", f);
          case 1: return absl::StrCat("Ristorante Da ", g);
          case 2: return absl::StrCat("Trattoria ", f);
          case 3: return absl::StrCat("Osteria del ", rng.Pick(kNouns));
          case 4: return absl::StrCat("Wine Bar ", f);
          default: return absl::StrCat(f, " Distribuzione Vini S.r.l.");
        }
      }
      if (Is(country, "NL")) {
        static const char* const kNouns[] = {"Gouden Leeuw", "Zwaan", "Molen", "Kroon"};
        switch (rng.Below(3)) {
          case 0: return absl::StrCat("Wijnhandel ", f, " B.V.");
          case 1: return absl::StrCat("Restaurant De ", rng.Pick(kNouns), " B.V.");
          default: return absl::StrCat(f, " Wijnimport B.V.");
        }
      }
      if (Is(country, "FI")) {
        static const char* const kNouns[] = {"Kuu", "Satama", "Kallio", "Aalto"};
        switch (rng.Below(3)) {
          case 0: return absl::StrCat("Viinitukku ", f, " Oy");
          case 1: return absl::StrCat("Ravintola ", rng.Pick(kNouns), " Oy");
          default: return absl::StrCat(f, " Wines Oy");
        }
      }
      if (Is(country, "US")) {
        static const char* const kNouns[] = {"Union", "Market", "Harbor", "Elm"};
        switch (rng.Below(3)) {
          case 0: return absl::StrCat(f, " Imports LLC");
          case 1: return absl::StrCat(f, " Wine & Spirits Inc.");
          default: return absl::StrCat(rng.Pick(kNouns), " Street Bistro LLC");
        }
      }
      static const char* const kNouns[] = {"Crown", "Swan", "Oak", "Anchor"};
      switch (rng.Below(3)) {
        case 0: return absl::StrCat(f, " & Sons Wine Merchants Ltd");
        case 1: return absl::StrCat("The ", rng.Pick(kNouns), " Wine Bar Ltd");
        default: return absl::StrCat(f, " Fine Wines Ltd");
      }
    }
    case BusinessKind::kHousingCompany:
      return absl::StrCat(rng.Chance(5000) ? "Asunto Oy " : "As Oy ", place.street, " ",
                          place.number);
    case BusinessKind::kSmallBusiness: {
      static const char* const kNouns[] = {"Kuu", "Satama", "Kallio", "Aalto"};
      switch (rng.Below(5)) {
        case 0: return absl::StrCat(f, " Rakennus Oy");
        case 1: return absl::StrCat("Kiinteistö Oy ", place.street, " ", place.number);
        case 2: return absl::StrCat("Ravintola ", rng.Pick(kNouns), " Oy");
        case 3: return absl::StrCat("Tilitoimisto ", f, " Oy");
        default: return absl::StrCat("Parturi-kampaamo ", g);
      }
    }
  }
  return absl::StrCat(f, " Ltd");
}

std::string AsciiSlug(std::string_view text, char sep) {
  std::string out;
  bool pending = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    std::string piece;
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      piece.push_back(static_cast<char>(c));
    } else if (c >= 'A' && c <= 'Z') {
      piece.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if (c == 0xC3 && i + 1 < text.size()) {
      piece = FoldC3(static_cast<unsigned char>(text[++i]));
    } else if (c == '\'' || c == '.') {
      continue;  // "D'Angelo" -> "dangelo", "S.r.l." -> "srl"
    } else if (c >= 0x80) {
      continue;  // other non-ASCII bytes: dropped
    }
    if (piece.empty()) {
      pending = !out.empty();
      continue;
    }
    if (pending) out.push_back(sep);
    pending = false;
    out += piece;
  }
  return out;
}

std::string PersonEmail(const PersonName& name, Rng& rng) {
  static const char* const kDomains[] = {"example.com", "example.net", "example.org"};
  const std::string given = AsciiSlug(name.given, '-');
  const std::string family = AsciiSlug(name.family, '-');
  const std::string domain = rng.Pick(kDomains);
  switch (rng.Below(3)) {
    case 0: return absl::StrCat(given, ".", family, "@", domain);
    case 1: return absl::StrCat(given.substr(0, 1), family, rng.Between(50, 99), "@", domain);
    default: return absl::StrCat(family, ".", given, "@", domain);
  }
}

std::string BusinessDomain(std::string_view business_name) {
  static const char* const kSuffixes[] = {"-srl", "-snc", "-oy", "-bv", "-ltd", "-llc", "-inc"};
  std::string slug = AsciiSlug(business_name, '-');
  for (const char* suffix : kSuffixes) {
    const std::string s = suffix;
    if (slug.size() > s.size() && slug.compare(slug.size() - s.size(), s.size(), s) == 0) {
      slug.resize(slug.size() - s.size());
      break;
    }
  }
  return absl::StrCat(slug, ".example");
}

}  // namespace concerto::demo::model
