#include "deploy/local/demo/model/replies.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace concerto::demo::model {
namespace {

// A wording: `text` with {amount}, {date} and {n} placeholders; `long_date` picks the long day
// form for {date}.
struct Wording {
  const char* text;
  bool long_date = false;
};

using Wordings = std::vector<Wording>;

// ---- promises ----

const Wordings& PromiseWordings(const std::string& lang, bool business) {
  static const Wordings kIt = {
      {"Buongiorno, pagherò {amount} euro il {date}. Grazie"},
      {"Salve, verserò {amount} € entro il {date}.", true},
      {"Ok, pago {amount} euro il {date}, scusate il ritardo."},
  };
  static const Wordings kItBusiness = {
      {"Buongiorno, provvederemo al bonifico di {amount} euro il {date}."},
      {"Salve, salderemo {amount} € entro il {date}. Cordiali saluti", true},
      {"Pagheremo {amount} euro il {date}, ci scusiamo per il ritardo."},
  };
  static const Wordings kEn = {
      {"Hi, I will pay €{amount} on {date}. Sorry for the delay."},
      {"I'll pay {amount} euros on {date}, thanks.", true},
      {"Hello, I can pay EUR {amount} on {date}."},
  };
  static const Wordings kEnBusiness = {
      {"We will make the payment of EUR {amount} on {date}."},
      {"Hello, we will pay €{amount} on {date}. Apologies for the delay.", true},
      {"Our accounts team will pay EUR {amount} on {date}."},
  };
  static const Wordings kFi = {
      {"Maksan {amount} euroa {date}"},
      {"Hei, maksan {amount} € {date} Pahoittelen viivettä."},
      {"Maksan {amount} euroa {date} kiitos.", true},
  };
  static const Wordings kFiBusiness = {
      {"Maksamme {amount} euroa {date}"},
      {"Hei, maksamme {amount} € {date} Pahoittelemme viivettä."},
      {"Maksamme {amount} euroa {date} terveisin kirjanpito.", true},
  };
  static const Wordings kNl = {
      {"Ik betaal {amount} euro op {date}."},
      {"Ik betaal op {date} het bedrag van € {amount}.", true},
      {"Sorry voor de vertraging, ik betaal {amount} euro op {date}."},
  };
  static const Wordings kNlBusiness = {
      {"Wij gaan {amount} euro betalen op {date}."},
      {"Het bedrag van {amount} euro wordt op {date} betaald.", true},
      {"Goedemiddag, {amount} euro wordt op {date} betaald. Excuses voor de vertraging."},
  };
  if (lang == "it") return business ? kItBusiness : kIt;
  if (lang == "fi") return business ? kFiBusiness : kFi;
  if (lang == "nl") return business ? kNlBusiness : kNl;
  return business ? kEnBusiness : kEn;
}

// ---- disputes ----

const Wordings& DisputeWordings(const std::string& lang, DisputeReason reason, bool goods) {
  // Goods (wine) and services (energy, installations) go wrong in different words.
  static const Wordings kItNrGoods = {{"Non ho mai ricevuto la merce."},
                                      {"Buongiorno, la merce non è mai arrivata."}};
  static const Wordings kItNrService = {{"Il tecnico non è mai arrivato."},
                                        {"Non ho mai ricevuto il materiale indicato in fattura."}};
  static const Wordings kItQuGoods = {{"Le bottiglie sono arrivate danneggiate."},
                                      {"Il vino era difettoso, sapeva di tappo."}};
  static const Wordings kItQuService = {{"Il lavoro è stato fatto male e l'impianto non funziona."},
                                        {"Il contatore è guasto, quei consumi non sono miei."}};
  static const Wordings kItWa = {{"La fattura è sbagliata, l'importo è troppo alto."},
                                 {"Mi avete addebitato due volte la stessa fattura."}};
  static const Wordings kItCc = {{"Ho disdetto il contratto mesi fa, questa fattura non è dovuta."},
                                 {"Avevo già inviato la disdetta, non riconosco questo addebito."}};
  static const Wordings kEnNrGoods = {{"We never received the goods."},
                                      {"Hello, the delivery never arrived."}};
  static const Wordings kEnNrService = {{"The technician never arrived."},
                                        {"We never received the parts on this invoice."}};
  static const Wordings kEnQuGoods = {{"The goods were damaged."},
                                      {"Several bottles arrived broken."}};
  static const Wordings kEnQuService = {{"The work was faulty and the unit is still not working."},
                                        {"The meter is faulty, these readings are impossible."}};
  static const Wordings kEnWa = {{"The invoice is wrong, we were charged twice."},
                                 {"The amount is wrong, I was overcharged."}};
  static const Wordings kEnCc = {{"I cancelled the contract months ago."},
                                 {"Our contract was cancelled in the spring, we do not owe this."}};
  static const Wordings kFiNrGoods = {{"Tavaraa ei ole vielä tullut."},
                                      {"En ole saanut tilausta."}};
  static const Wordings kFiNrService = {{"En ole saanut tilattuja osia."},
                                        {"Asentaja ei ole tullut paikalle."}};
  static const Wordings kFiQuGoods = {{"Pullot olivat rikki."}, {"Toimitus oli vaurioitunut."}};
  static const Wordings kFiQuService = {{"Laite ei toimi vieläkään."}, {"Asennus on viallinen."}};
  static const Wordings kFiWa = {{"Lasku on väärin."},
                                 {"Meitä on laskutettu kahdesti samasta asiasta."}};
  static const Wordings kFiCc = {{"Irtisanoin sopimuksen jo aiemmin."},
                                 {"Peruin tilauksen ajoissa, en hyväksy laskua."}};
  static const Wordings kNlNrGoods = {{"Wij hebben de levering nooit ontvangen."},
                                      {"De bestelling is nooit geleverd."}};
  static const Wordings kNlNrService = {{"Wij hebben de onderdelen nooit ontvangen."},
                                        {"De materialen zijn niet geleverd."}};
  static const Wordings kNlQuGoods = {{"De flessen waren beschadigd."},
                                      {"Een deel van de flessen was kapot."}};
  static const Wordings kNlQuService = {{"Het apparaat werkt niet."},
                                        {"De installatie is defect."}};
  static const Wordings kNlWa = {{"De factuur klopt niet."},
                                 {"Het bedrag klopt niet, we zijn dubbel gefactureerd."}};
  static const Wordings kNlCc = {{"Ik heb het contract al opgezegd."},
                                 {"De bestelling was geannuleerd."}};
  const bool it = lang == "it", fi = lang == "fi", nl = lang == "nl";
  switch (reason) {
    case DisputeReason::kNotReceived:
      if (goods) return it ? kItNrGoods : fi ? kFiNrGoods : nl ? kNlNrGoods : kEnNrGoods;
      return it ? kItNrService : fi ? kFiNrService : nl ? kNlNrService : kEnNrService;
    case DisputeReason::kQuality:
      if (goods) return it ? kItQuGoods : fi ? kFiQuGoods : nl ? kNlQuGoods : kEnQuGoods;
      return it ? kItQuService : fi ? kFiQuService : nl ? kNlQuService : kEnQuService;
    case DisputeReason::kCancelledContract: return it ? kItCc : fi ? kFiCc : nl ? kNlCc : kEnCc;
    case DisputeReason::kWrongAmount: break;
  }
  return it ? kItWa : fi ? kFiWa : nl ? kNlWa : kEnWa;
}

// ---- hardship ----

const Wordings& HardshipWordings(const std::string& lang, bool business, bool vulnerable) {
  static const Wordings kItFin = {{"Ho perso il lavoro e al momento non riesco a pagare."},
                                  {"Sono in difficoltà economiche, scusatemi."},
                                  {"Sono disoccupato da due mesi, vi chiedo pazienza."}};
  static const Wordings kItBiz = {{"Stiamo attraversando difficoltà finanziarie."},
                                  {"Siamo in cassa integrazione e abbiamo difficoltà economiche."}};
  static const Wordings kItVul = {{"Sono stato ricoverato in ospedale e non ho potuto pagare."},
                                  {"Sono malata e non riesco a occuparmene adesso."}};
  static const Wordings kEnFin = {{"I lost my job last month and can't pay right now."},
                                  {"We are struggling at the moment, money is very tight."},
                                  {"I am unemployed at the moment, please be patient."}};
  static const Wordings kEnBiz = {{"We are in financial difficulties at the moment."},
                                  {"Business has been slow and we are struggling to pay."}};
  static const Wordings kEnVul = {{"I have been in hospital and could not deal with this."},
                                  {"I am seriously ill and can't handle this now."}};
  static const Wordings kFiFin = {{"Olen työtön enkä pysty maksamaan nyt."},
                                  {"Minut lomautettiin, en voi maksaa juuri nyt."},
                                  {"Menetin työni, rahat ovat tiukalla."}};
  static const Wordings kFiBiz = {{"Yrityksellä on rahavaikeuksia."},
                                  {"Meillä on taloudellisia vaikeuksia tällä hetkellä."}};
  static const Wordings kFiVul = {{"Olin sairaalassa, en ole pystynyt hoitamaan asiaa."},
                                  {"Olen ollut sairas enkä ole jaksanut hoitaa tätä."}};
  static const Wordings kNlFin = {{"Ik ben mijn baan kwijt en kan nu niet betalen."},
                                  {"Ik ben werkloos geworden en heb geen geld."}};
  static const Wordings kNlBiz = {{"Wij hebben financiële problemen."},
                                  {"Door financiële problemen kunnen wij nu niet betalen."}};
  static const Wordings kNlVul = {{"Ik ben ziek en kan me er nu niet mee bezighouden."},
                                  {"Ik heb in het ziekenhuis gelegen."}};
  if (lang == "it") return vulnerable ? kItVul : business ? kItBiz : kItFin;
  if (lang == "fi") return vulnerable ? kFiVul : business ? kFiBiz : kFiFin;
  if (lang == "nl") return vulnerable ? kNlVul : business ? kNlBiz : kNlFin;
  return vulnerable ? kEnVul : business ? kEnBiz : kEnFin;
}

// ---- plan requests ----

const Wordings& PlanWordings(const std::string& lang) {
  static const Wordings kIt = {{"Posso pagare a rate? Vorrei rateizzare in {n} rate mensili."},
                               {"Sarebbe possibile un piano di rientro in {n} mesi?"},
                               {"Buongiorno, chiedo una dilazione del pagamento in {n} mesi."}};
  static const Wordings kEn = {{"Could I pay in {n} monthly instalments?"},
                               {"Can we set up a payment plan over {n} months?"},
                               {"Is a repayment plan possible? I could manage {n} months."}};
  static const Wordings kFi = {{"Onko mahdollista saada maksusuunnitelma, {n} erää?"},
                               {"Voisinko maksaa laskun osamaksulla {n} kuukaudessa?"},
                               {"Pyydän lisäaikaa ja maksusuunnitelmaa, {n} kuukautta."}};
  static const Wordings kNl = {{"Kan ik een betalingsregeling treffen in {n} termijnen?"},
                               {"Is een regeling mogelijk? Ik wil graag in {n} termijnen betalen."}};
  if (lang == "it") return kIt;
  if (lang == "fi") return kFi;
  if (lang == "nl") return kNl;
  return kEn;
}

// ---- paid already ----

const Wordings& PaidWordings(const std::string& lang) {
  static const Wordings kIt = {{"Ho già pagato il {date} con bonifico."},
                               {"Pagamento effettuato il {date}, controllate per favore."}};
  static const Wordings kEn = {{"I already paid this on {date}."},
                               {"We paid in full on {date}, please check."}};
  static const Wordings kFi = {{"Maksoin laskun {date}"}, {"Lasku on jo maksettu {date}"}};
  static const Wordings kNl = {{"Ik heb het al betaald op {date}."},
                               {"Ik heb op {date} overgemaakt."}};
  if (lang == "it") return kIt;
  if (lang == "fi") return kFi;
  if (lang == "nl") return kNl;
  return kEn;
}

const Wordings& WordingsFor(const ReplyContent& c) {
  const std::string lang = ReplyLanguage(c.language);
  switch (c.intent) {
    case ReplyIntent::kPromise: return PromiseWordings(lang, c.business);
    case ReplyIntent::kDispute: return DisputeWordings(lang, c.reason, c.goods);
    case ReplyIntent::kHardship: return HardshipWordings(lang, c.business, c.vulnerable);
    case ReplyIntent::kPlanRequest: return PlanWordings(lang);
    case ReplyIntent::kPaidAlready: break;
  }
  return PaidWordings(lang);
}

// Groups the digits of a non-negative integer with `sep` every three digits.
std::string Grouped(int64_t value, const char* sep) {
  std::string digits = absl::StrCat(value);
  std::string out;
  const size_t n = digits.size();
  for (size_t i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % 3 == 0) out += sep;
    out.push_back(digits[i]);
  }
  return out;
}

const char* const kMonthsIt[] = {"gennaio", "febbraio", "marzo",     "aprile",   "maggio",
                                 "giugno",  "luglio",   "agosto",    "settembre", "ottobre",
                                 "novembre", "dicembre"};
const char* const kMonthsEn[] = {"January", "February", "March",     "April",   "May",
                                 "June",    "July",     "August",    "September", "October",
                                 "November", "December"};
const char* const kMonthsFi[] = {"tammikuuta", "helmikuuta", "maaliskuuta", "huhtikuuta",
                                 "toukokuuta", "kesäkuuta",  "heinäkuuta",  "elokuuta",
                                 "syyskuuta",  "lokakuuta",  "marraskuuta", "joulukuuta"};
const char* const kMonthsNl[] = {"januari", "februari", "maart",     "april",   "mei",
                                 "juni",    "juli",     "augustus",  "september", "oktober",
                                 "november", "december"};

std::string Two(int v) { return v < 10 ? absl::StrCat("0", v) : absl::StrCat(v); }

std::string Ordinal(int d) {
  const int tens = d % 100;
  if (tens >= 11 && tens <= 13) return absl::StrCat(d, "th");
  switch (d % 10) {
    case 1: return absl::StrCat(d, "st");
    case 2: return absl::StrCat(d, "nd");
    case 3: return absl::StrCat(d, "rd");
    default: return absl::StrCat(d, "th");
  }
}

}  // namespace

const std::vector<std::string>& ReplyLanguages() {
  static const std::vector<std::string> kLanguages = {"it", "en", "fi", "nl"};
  return kLanguages;
}

std::string ReplyLanguage(std::string_view language) {
  for (const std::string& l : ReplyLanguages()) {
    if (language == l) return l;
  }
  return "en";
}

int ReplyVariantCount(const ReplyContent& content) {
  return static_cast<int>(WordingsFor(content).size());
}

std::string ComposeReply(const ReplyContent& content, int variant) {
  const Wordings& wordings = WordingsFor(content);
  const int n = static_cast<int>(wordings.size());
  const int v = ((variant % n) + n) % n;
  const Wording& w = wordings[static_cast<size_t>(v)];
  const std::string lang = ReplyLanguage(content.language);
  return absl::StrReplaceAll(
      w.text, {{"{amount}", FormatAmount(content.amount_minor, lang)},
               {"{date}", FormatDay(content.date, lang, w.long_date)},
               {"{n}", absl::StrCat(content.instalments)}});
}

std::string FormatAmount(int64_t minor, std::string_view language) {
  const bool negative = minor < 0;
  const int64_t abs = negative ? -minor : minor;
  const int64_t units = abs / 100;
  const int64_t cents = abs % 100;
  const std::string lang = ReplyLanguage(language);
  std::string out = negative ? "-" : "";
  if (lang == "fi") {
    absl::StrAppend(&out, units);
  } else {
    absl::StrAppend(&out, Grouped(units, lang == "en" ? "," : "."));
  }
  if (cents != 0) {
    absl::StrAppend(&out, lang == "en" ? "." : ",", Two(static_cast<int>(cents)));
  }
  return out;
}

std::string FormatDay(absl::CivilDay day, std::string_view language, bool long_form) {
  const std::string lang = ReplyLanguage(language);
  const int d = day.day();
  const int m = day.month();
  const size_t mi = static_cast<size_t>(m - 1);
  if (lang == "it") {
    return long_form ? absl::StrCat(d, " ", kMonthsIt[mi]) : absl::StrCat(Two(d), "/", Two(m));
  }
  if (lang == "fi") {
    return long_form ? absl::StrCat(d, ". ", kMonthsFi[mi]) : absl::StrCat(d, ".", m, ".");
  }
  if (lang == "nl") {
    return long_form ? absl::StrCat(d, " ", kMonthsNl[mi]) : absl::StrCat(Two(d), "-", Two(m));
  }
  return long_form ? absl::StrCat(kMonthsEn[mi], " ", Ordinal(d))
                   : absl::StrCat(day.year(), "-", Two(m), "-", Two(d));
}

}  // namespace concerto::demo::model
