#include "services/contact_channel/templates/internal/builtin_templates.h"

#include <cstring>

#include "absl/strings/ascii.h"

namespace concerto::contact::internal {
namespace {

// BuiltinPartialSource is one partial in one language.
struct BuiltinPartialSource {
  const char* language;
  const char* name;
  const char* source;
};

// StatutorySource is the final-notice paragraph of one country in one language.
struct StatutorySource {
  const char* country;  // "" = every other country
  const char* language;
  const char* source;
};

// ---------------------------------------------------------------------------------------------
// Partials
// ---------------------------------------------------------------------------------------------

const BuiltinPartialSource kPartials[] = {
    // ---- en ----
    {"en", "invoice_list", R"tmpl({{#invoices}}
• Invoice {{invoice_number}}, due {{due_date}}: {{open_balance}}
{{/invoices}}
)tmpl"},
    {"en", "payment_details",
     R"tmpl(Amount to pay: {{total}}{{#has_fees}} (including {{fees}} in fees and interest){{/has_fees}}
Please pay by: {{pay_by}}
{{#has_iban}}
Bank transfer to {{creditor_name}}, IBAN {{iban}}{{#has_bic}}, BIC {{bic}}{{/has_bic}}
{{/has_iban}}
{{#has_reference}}
Payment reference: {{rf_reference}}
{{/has_reference}}
{{#has_url}}
Pay online or see your options: {{self_service_url}}
{{/has_url}}
)tmpl"},
    {"en", "help",
     R"tmpl(If paying is difficult at the moment, please tell us: we are happy to agree on a payment plan or a later date that suits you. Just reply to this message{{#has_url}} or visit {{self_service_url}}{{/has_url}}.
)tmpl"},

    // ---- it ----
    {"it", "invoice_list", R"tmpl({{#invoices}}
• Fattura {{invoice_number}}, scadenza {{due_date}}: {{open_balance}}
{{/invoices}}
)tmpl"},
    {"it", "payment_details",
     R"tmpl(Importo da pagare: {{total}}{{#has_fees}} (di cui {{fees}} per spese e interessi){{/has_fees}}
Termine di pagamento: {{pay_by}}
{{#has_iban}}
Bonifico a favore di {{creditor_name}}, IBAN {{iban}}{{#has_bic}}, BIC {{bic}}{{/has_bic}}
{{/has_iban}}
{{#has_reference}}
Riferimento del pagamento: {{rf_reference}}
{{/has_reference}}
{{#has_url}}
Pagamento online e altre opzioni: {{self_service_url}}
{{/has_url}}
)tmpl"},
    {"it", "help",
     R"tmpl(Se in questo momento il pagamento Le crea difficoltà, ce lo faccia sapere: saremo lieti di concordare con Lei un piano di rateizzazione o una data più adatta. Basta rispondere a questo messaggio{{#has_url}} o visitare {{self_service_url}}{{/has_url}}.
)tmpl"},

    // ---- fi ----
    {"fi", "invoice_list", R"tmpl({{#invoices}}
• Lasku {{invoice_number}}, eräpäivä {{due_date}}: {{open_balance}}
{{/invoices}}
)tmpl"},
    {"fi", "payment_details",
     R"tmpl(Maksettava summa: {{total}}{{#has_fees}} (sisältää kuluja ja korkoa {{fees}}){{/has_fees}}
Maksathan viimeistään: {{pay_by}}
{{#has_iban}}
Saaja {{creditor_name}}, IBAN {{iban}}{{#has_bic}}, BIC {{bic}}{{/has_bic}}
{{/has_iban}}
{{#has_reference}}
Viite: {{rf_reference}}
{{/has_reference}}
{{#has_url}}
Maksa verkossa tai katso vaihtoehdot: {{self_service_url}}
{{/has_url}}
)tmpl"},
    {"fi", "help",
     R"tmpl(Jos maksaminen on juuri nyt vaikeaa, kerro siitä meille: sovitaan yhdessä maksusuunnitelmasta tai myöhemmästä maksupäivästä. Vastaa tähän viestiin{{#has_url}} tai käy osoitteessa {{self_service_url}}{{/has_url}}.
)tmpl"},

    // ---- nl ----
    {"nl", "invoice_list", R"tmpl({{#invoices}}
• Factuur {{invoice_number}}, vervaldatum {{due_date}}: {{open_balance}}
{{/invoices}}
)tmpl"},
    {"nl", "payment_details",
     R"tmpl(Te betalen: {{total}}{{#has_fees}} (inclusief {{fees}} aan kosten en rente){{/has_fees}}
Uiterlijk te betalen op: {{pay_by}}
{{#has_iban}}
Overmaken naar {{creditor_name}}, IBAN {{iban}}{{#has_bic}}, BIC {{bic}}{{/has_bic}}
{{/has_iban}}
{{#has_reference}}
Betalingskenmerk: {{rf_reference}}
{{/has_reference}}
{{#has_url}}
Online betalen of uw mogelijkheden bekijken: {{self_service_url}}
{{/has_url}}
)tmpl"},
    {"nl", "help",
     R"tmpl(Is betalen op dit moment lastig? Laat het ons weten: wij spreken graag een betalingsregeling of een latere datum met u af die bij uw situatie past. Antwoord gewoon op dit bericht{{#has_url}} of ga naar {{self_service_url}}{{/has_url}}.
)tmpl"},
};

// ---------------------------------------------------------------------------------------------
// Statutory paragraphs of the final notice
// ---------------------------------------------------------------------------------------------

const StatutorySource kStatutory[] = {
    // ---- Italy: diffida ad adempiere (art. 1454 c.c.), then decreto ingiuntivo ----
    {"IT", "it",
     R"tmpl(La presente costituisce diffida ad adempiere ai sensi dell'art. 1454 del Codice civile. La invitiamo a pagare {{total}} entro il {{pay_by}}, termine non inferiore a quindici giorni dal ricevimento della presente. Decorso inutilmente tale termine, il contratto si intenderà risolto di diritto e potremo agire per il recupero delle somme dovute anche in via giudiziale, con ricorso per decreto ingiuntivo (artt. 633 e seguenti c.p.c.).
)tmpl"},
    {"IT", "en",
     R"tmpl(This letter is a formal notice to perform (diffida ad adempiere) under Article 1454 of the Italian Civil Code. Please pay {{total}} by {{pay_by}}, which is at least fifteen days after you receive this letter. If payment has not been made by then, the contract will be terminated by operation of law, and we may recover the amount due through the courts, including by applying for a payment order (decreto ingiuntivo, Articles 633 ff. of the Italian Code of Civil Procedure).
)tmpl"},
    {"IT", "fi",
     R"tmpl(Tämä kirje on Italian siviililain (Codice civile) 1454 artiklan mukainen muodollinen maksukehotus (diffida ad adempiere). Pyydämme maksamaan {{total}} viimeistään {{pay_by}}; määräaika on vähintään viisitoista päivää tämän kirjeen vastaanottamisesta. Jos maksua ei ole suoritettu määräaikaan mennessä, sopimus purkautuu lain nojalla, ja voimme periä saatavan tuomioistuimen kautta, myös maksamismääräyksellä (decreto ingiuntivo, Italian siviiliprosessilain 633 artikla ja sitä seuraavat).
)tmpl"},
    {"IT", "nl",
     R"tmpl(Deze brief is een ingebrekestelling (diffida ad adempiere) in de zin van artikel 1454 van het Italiaanse Burgerlijk Wetboek. Wij verzoeken u {{total}} uiterlijk op {{pay_by}} te betalen; die termijn bedraagt ten minste vijftien dagen na ontvangst van deze brief. Is de betaling dan niet ontvangen, dan wordt de overeenkomst van rechtswege ontbonden en kunnen wij het verschuldigde bedrag via de rechter invorderen, onder meer met een betalingsbevel (decreto ingiuntivo, artikelen 633 e.v. van het Italiaanse Wetboek van Burgerlijke Rechtsvordering).
)tmpl"},

    // ---- Netherlands: 14-dagenbrief (art. 6:96 lid 6 BW), WIK costs stated ----
    {"NL", "nl",
     R"tmpl(Dit is onze laatste aanmaning in de zin van artikel 6:96 lid 6 van het Burgerlijk Wetboek. U heeft 14 dagen de tijd om {{total}} te betalen, te rekenen vanaf de dag na ontvangst van deze brief; bij normale postbezorging is dat tot en met {{pay_by}}.{{#has_collection_costs}} Betaalt u niet binnen deze termijn, dan brengen wij incassokosten in rekening. Deze bedragen {{collection_costs}}, berekend volgens het Besluit vergoeding voor buitengerechtelijke incassokosten.{{/has_collection_costs}}
)tmpl"},
    {"NL", "en",
     R"tmpl(This is our final reminder under Article 6:96(6) of the Dutch Civil Code. You have 14 days to pay {{total}}, counted from the day after you receive this letter; with normal postal delivery that is until {{pay_by}} inclusive.{{#has_collection_costs}} If you do not pay within this period, we will charge collection costs of {{collection_costs}}, calculated under the Dutch Decree on extrajudicial collection costs (Besluit vergoeding voor buitengerechtelijke incassokosten).{{/has_collection_costs}}
)tmpl"},
    {"NL", "it",
     R"tmpl(Questo è il nostro ultimo sollecito ai sensi dell'articolo 6:96, comma 6, del Codice civile olandese. Ha 14 giorni per pagare {{total}}, a decorrere dal giorno successivo al ricevimento di questa lettera; con la normale consegna postale, fino al {{pay_by}} incluso.{{#has_collection_costs}} Se non paga entro questo termine, addebiteremo spese di recupero pari a {{collection_costs}}, calcolate secondo il decreto olandese sulle spese stragiudiziali di recupero (Besluit vergoeding voor buitengerechtelijke incassokosten).{{/has_collection_costs}}
)tmpl"},
    {"NL", "fi",
     R"tmpl(Tämä on viimeinen maksumuistutuksemme Alankomaiden siviililain 6:96 artiklan 6 kohdan mukaisesti. Sinulla on 14 päivää aikaa maksaa {{total}} tämän kirjeen vastaanottamista seuraavasta päivästä lukien; tavallisessa postinkulussa määräaika päättyy {{pay_by}}.{{#has_collection_costs}} Jos et maksa määräajassa, veloitamme perintäkuluja {{collection_costs}} Alankomaiden perintäkuluasetuksen (Besluit vergoeding voor buitengerechtelijke incassokosten) mukaisesti.{{/has_collection_costs}}
)tmpl"},

    // ---- Finland: payment demand (Debt Collection Act 513/1999) ----
    {"FI", "fi",
     R"tmpl(Tämä on maksuvaatimus. Pyydämme maksamaan {{total}} viimeistään {{pay_by}}. Jos maksua ei ole suoritettu siihen mennessä, asia voidaan siirtää perintätoimistolle tai oikeudelliseen perintään, mistä voi aiheutua sinulle lisäkuluja. Perimme vain saatavien perinnästä annetun lain (513/1999) sallimat kulut. Jos pidät vaatimusta virheellisenä, ilmoita siitä meille ennen eräpäivää, niin selvitämme asian ennen kuin perintä jatkuu. Maksutonta talous- ja velkaneuvontaa saat oikeusaputoimistoista.
)tmpl"},
    {"FI", "en",
     R"tmpl(This is a payment demand. Please pay {{total}} by {{pay_by}}. If payment has not been made by then, the matter may be passed to a collection agency or to legal collection, which may cause you additional costs. We charge only the costs permitted by the Finnish Debt Collection Act (513/1999). If you consider the demand incorrect, please tell us before the due date, and we will look into it before collection continues. Free financial and debt advice is available from the public legal aid offices (oikeusaputoimistot).
)tmpl"},
    {"FI", "it",
     R"tmpl(Questa è una richiesta formale di pagamento. La invitiamo a pagare {{total}} entro il {{pay_by}}. Se il pagamento non sarà pervenuto entro tale data, la pratica potrà essere affidata a un'agenzia di recupero crediti o al recupero giudiziale, con possibili costi aggiuntivi a Suo carico. Addebitiamo solo le spese consentite dalla legge finlandese sul recupero crediti (513/1999). Se ritiene la richiesta non corretta, ce lo comunichi prima della scadenza: verificheremo prima di procedere. Una consulenza gratuita su finanze e debiti è disponibile presso gli uffici pubblici di assistenza legale (oikeusaputoimistot).
)tmpl"},
    {"FI", "nl",
     R"tmpl(Dit is een betalingsvordering. Wij verzoeken u {{total}} uiterlijk op {{pay_by}} te betalen. Is de betaling dan niet ontvangen, dan kan de zaak worden overgedragen aan een incassobureau of aan gerechtelijke invordering, wat extra kosten voor u kan meebrengen. Wij brengen alleen kosten in rekening die de Finse incassowet (513/1999) toestaat. Vindt u de vordering onjuist, laat het ons dan vóór de vervaldatum weten; wij onderzoeken het voordat de invordering verdergaat. Gratis budget- en schuldhulp is beschikbaar bij de openbare rechtshulpbureaus (oikeusaputoimistot).
)tmpl"},

    // ---- United Kingdom: final notice, free debt advice (FCA CONC 7) ----
    {"GB", "en",
     R"tmpl(This is our final notice. Please pay {{total}} by {{pay_by}}. If we have not received payment or heard from you by then, we may pass your account to a collection agency or start court proceedings, which could add to the costs. If you are worried about money, free and confidential debt advice is available from MoneyHelper (www.moneyhelper.org.uk).
)tmpl"},
    {"GB", "it",
     R"tmpl(Questo è il nostro ultimo avviso. La invitiamo a pagare {{total}} entro il {{pay_by}}. Se entro tale data non avremo ricevuto il pagamento o Sue notizie, potremo affidare la posizione a un'agenzia di recupero crediti o avviare un procedimento giudiziario, con possibili costi aggiuntivi. Una consulenza gratuita e riservata sui debiti è disponibile presso MoneyHelper (www.moneyhelper.org.uk).
)tmpl"},
    {"GB", "fi",
     R"tmpl(Tämä on viimeinen ilmoituksemme. Pyydämme maksamaan {{total}} viimeistään {{pay_by}}. Jos emme ole siihen mennessä saaneet maksua tai kuulleet sinusta, voimme siirtää asian perintätoimistolle tai panna vireille oikeudenkäynnin, mistä voi aiheutua lisäkuluja. Maksutonta ja luottamuksellista velkaneuvontaa saat MoneyHelperiltä (www.moneyhelper.org.uk).
)tmpl"},
    {"GB", "nl",
     R"tmpl(Dit is onze laatste aanmaning. Wij verzoeken u {{total}} uiterlijk op {{pay_by}} te betalen. Hebben wij dan geen betaling of bericht van u ontvangen, dan kunnen wij uw account overdragen aan een incassobureau of een gerechtelijke procedure starten, wat extra kosten kan meebrengen. Gratis en vertrouwelijk schuldadvies is beschikbaar via MoneyHelper (www.moneyhelper.org.uk).
)tmpl"},

    // ---- every other country: a neutral final notice ----
    {"", "en",
     R"tmpl(This is our final notice. Please pay {{total}} by {{pay_by}}. If payment has not been received by then, we may pass the matter to a collection partner or take legal action, which could add to the costs.
)tmpl"},
    {"", "it",
     R"tmpl(Questo è il nostro ultimo avviso. La invitiamo a pagare {{total}} entro il {{pay_by}}. Se il pagamento non sarà pervenuto entro tale data, potremo affidare la pratica a un partner per il recupero o intraprendere azioni legali, con possibili costi aggiuntivi.
)tmpl"},
    {"", "fi",
     R"tmpl(Tämä on viimeinen ilmoituksemme. Pyydämme maksamaan {{total}} viimeistään {{pay_by}}. Jos maksua ei ole suoritettu siihen mennessä, voimme siirtää asian perintäkumppanillemme tai ryhtyä oikeudellisiin toimiin, mistä voi aiheutua lisäkuluja.
)tmpl"},
    {"", "nl",
     R"tmpl(Dit is onze laatste aanmaning. Wij verzoeken u {{total}} uiterlijk op {{pay_by}} te betalen. Is de betaling dan niet ontvangen, dan kunnen wij de zaak overdragen aan een incassopartner of juridische stappen zetten, wat extra kosten kan meebrengen.
)tmpl"},
};

// ---------------------------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------------------------

const BuiltinTemplate kTemplates[] = {
    // =========================================== en ===========================================
    {"en", "reminder-1", R"tmpl(
--- subject ---
Your account with {{creditor_name}}
--- text ---
Dear {{debtor_name}},

Our records show that {{#multiple_invoices}}the invoices below are{{/multiple_invoices}}{{^multiple_invoices}}the invoice below is{{/multiple_invoices}} still open. Perhaps the payment simply slipped through; that happens to all of us.

{{> invoice_list}}

{{> payment_details}}

{{> help}}

If you have paid in the meantime, thank you, and please disregard this message.

Kind regards,
{{creditor_name}}
--- sms ---
{{creditor_name}}: a friendly note about your account. {{total}} is open, please pay by {{pay_by_short}}.{{#has_url}} Details and options: {{self_service_url}}{{/has_url}} Already paid? Thank you!
)tmpl"},
    {"en", "reminder-2", R"tmpl(
--- subject ---
A message about your account with {{creditor_name}}
--- text ---
Dear {{debtor_name}},

We wrote to you recently about {{#multiple_invoices}}the invoices below{{/multiple_invoices}}{{^multiple_invoices}}the invoice below{{/multiple_invoices}}, and we have not yet received payment or heard from you. We would like to sort this out together with you.

{{> invoice_list}}

{{> payment_details}}

{{> help}}

If you have paid in the meantime, thank you, and please disregard this message.

Kind regards,
{{creditor_name}}
--- sms ---
{{creditor_name}}: we wrote to you recently about your account and have not heard back. {{total}} is open: please pay by {{pay_by_short}} or talk to us about a plan.{{#has_url}} {{self_service_url}}{{/has_url}}
)tmpl"},
    {"en", "final-notice", R"tmpl(
--- subject ---
Important: your account with {{creditor_name}}
--- text ---
Dear {{debtor_name}},

Despite our earlier reminders, {{#multiple_invoices}}the invoices below remain{{/multiple_invoices}}{{^multiple_invoices}}the invoice below remains{{/multiple_invoices}} unpaid, and we have not been able to agree on a solution with you.

{{> invoice_list}}

{{> statutory_notice}}

{{> payment_details}}

We would still much rather find a solution with you. If you cannot pay the full amount by {{pay_by}}, please contact us before then: a payment plan is still possible{{#has_url}} ({{self_service_url}}){{/has_url}}.

Yours sincerely,
{{creditor_name}}
--- sms ---
{{creditor_name}}: an important message about your account. Please pay {{total}} by {{pay_by_short}} or contact us to agree a solution.{{#has_url}} {{self_service_url}}{{/has_url}}
)tmpl"},
    {"en", "plan-offer", R"tmpl(
--- subject ---
Options for your account with {{creditor_name}}
--- text ---
Dear {{debtor_name}},

We understand that paying {{total}} in one go is not always possible. That is why we would like to offer you the option of spreading the payment over several instalments.

{{> invoice_list}}

{{#has_url}}
You can choose a plan that fits your budget at {{self_service_url}}; it only takes a few minutes.
{{/has_url}}
{{^has_url}}
Just reply to this message with an amount you can manage each month, and we will propose a plan.
{{/has_url}}

If you prefer to pay the full amount, you can of course do so:

{{> payment_details}}

If your circumstances have changed, for example through illness or a loss of income, please tell us so that we can take this into account.

Kind regards,
{{creditor_name}}
--- sms ---
{{creditor_name}}: you can spread the payment of {{total}} over several instalments.{{#has_url}} Choose a plan that fits your budget: {{self_service_url}}{{/has_url}}{{^has_url}} Reply to this message to set one up.{{/has_url}}
)tmpl"},
    {"en", "invoice-reissue", R"tmpl(
--- subject ---
A copy of your invoice from {{creditor_name}}
--- text ---
Dear {{debtor_name}},

In case our earlier {{#multiple_invoices}}invoices did{{/multiple_invoices}}{{^multiple_invoices}}invoice did{{/multiple_invoices}} not reach you, here are the details again.

{{> invoice_list}}

{{> payment_details}}

If anything on the invoice does not look right, or if paying by {{pay_by}} is difficult, just reply to this message and we will sort it out together.

Kind regards,
{{creditor_name}}
--- sms ---
{{creditor_name}}: here is a copy of your invoice, in case the original did not reach you. Amount {{total}}, please pay by {{pay_by_short}}.{{#has_url}} View and pay: {{self_service_url}}{{/has_url}}
)tmpl"},
    {"en", "call-script", R"tmpl(
--- subject ---
Call script: {{creditor_name}}
--- text ---
1. Greet and introduce yourself: “Good morning, this is [your name] calling on behalf of {{creditor_name}}. May I speak with {{debtor_name}}?”

2. Confirm the identity before going further (for example the customer number or date of birth). If you are not speaking with {{debtor_name}}, do not mention the reason for the call: leave only your name, {{creditor_name}} and a number to call back.

3. Explain the reason: “I am calling about {{#multiple_invoices}}{{invoice_count}} open invoices{{/multiple_invoices}}{{^multiple_invoices}}the open invoice {{first_invoice_number}}{{/multiple_invoices}}, {{total}} in total. Perhaps it slipped through?”
{{> invoice_list}}

4. Listen. Ask whether something is preventing payment. If the customer mentions illness, job loss or other hardship, offer breathing space and a plan and mark the case for review; do not press for payment.

5. Agree the next step: payment by {{pay_by}}{{#has_iban}} (IBAN {{iban}}{{#has_reference}}, reference {{rf_reference}}{{/has_reference}}){{/has_iban}}, a promise to pay on a date, or a payment plan{{#has_url}} ({{self_service_url}}){{/has_url}}.

6. Summarise what was agreed, thank the customer and record the outcome.
--- sms ---
{{creditor_name}}: we tried to reach you by phone today. Please call us back when it suits you{{#has_url}}, or visit {{self_service_url}}{{/has_url}}.
)tmpl"},

    // =========================================== it ===========================================
    {"it", "reminder-1", R"tmpl(
--- subject ---
Il Suo conto cliente {{creditor_name}}
--- text ---
Gentile {{debtor_name}},

dai nostri archivi {{#multiple_invoices}}risultano ancora aperte le fatture indicate di seguito{{/multiple_invoices}}{{^multiple_invoices}}risulta ancora aperta la fattura indicata di seguito{{/multiple_invoices}}. Forse si tratta solo di una dimenticanza: capita a tutti.

{{> invoice_list}}

{{> payment_details}}

{{> help}}

Se nel frattempo ha già provveduto al pagamento, La ringraziamo e La preghiamo di non tenere conto di questo messaggio.

Cordiali saluti,
{{creditor_name}}
--- sms ---
{{creditor_name}}: un promemoria cortese sul Suo conto cliente. Importo aperto {{total}}, da saldare entro il {{pay_by_short}}.{{#has_url}} Dettagli e opzioni: {{self_service_url}}{{/has_url}} Ha già pagato? Grazie!
)tmpl"},
    {"it", "reminder-2", R"tmpl(
--- subject ---
Comunicazione sul Suo conto cliente {{creditor_name}}
--- text ---
Gentile {{debtor_name}},

Le abbiamo scritto di recente a proposito {{#multiple_invoices}}delle fatture indicate di seguito{{/multiple_invoices}}{{^multiple_invoices}}della fattura indicata di seguito{{/multiple_invoices}}, ma non abbiamo ancora ricevuto il pagamento né Sue notizie. Vorremmo risolvere la questione insieme a Lei.

{{> invoice_list}}

{{> payment_details}}

{{> help}}

Se nel frattempo ha già provveduto al pagamento, La ringraziamo e La preghiamo di non tenere conto di questo messaggio.

Cordiali saluti,
{{creditor_name}}
--- sms ---
{{creditor_name}}: Le abbiamo scritto di recente sul Suo conto cliente. Importo aperto {{total}}: La preghiamo di pagare entro il {{pay_by_short}} o di contattarci per una rateizzazione.{{#has_url}} {{self_service_url}}{{/has_url}}
)tmpl"},
    {"it", "final-notice", R"tmpl(
--- subject ---
Comunicazione importante sul Suo conto cliente {{creditor_name}}
--- text ---
Gentile {{debtor_name}},

nonostante i nostri precedenti solleciti, {{#multiple_invoices}}le fatture indicate di seguito risultano ancora non pagate{{/multiple_invoices}}{{^multiple_invoices}}la fattura indicata di seguito risulta ancora non pagata{{/multiple_invoices}} e non è stato possibile concordare una soluzione con Lei.

{{> invoice_list}}

{{> statutory_notice}}

{{> payment_details}}

Preferiamo sempre trovare una soluzione insieme. Se non può pagare l'intero importo entro il {{pay_by}}, ci contatti prima di tale data: è ancora possibile concordare un piano di rateizzazione{{#has_url}} ({{self_service_url}}){{/has_url}}.

Distinti saluti,
{{creditor_name}}
--- sms ---
{{creditor_name}}: comunicazione importante sul Suo conto cliente. La preghiamo di pagare {{total}} entro il {{pay_by_short}} o di contattarci per concordare una soluzione.{{#has_url}} {{self_service_url}}{{/has_url}}
)tmpl"},
    {"it", "plan-offer", R"tmpl(
--- subject ---
Opzioni per il Suo conto cliente {{creditor_name}}
--- text ---
Gentile {{debtor_name}},

sappiamo che pagare {{total}} in un'unica soluzione non è sempre possibile. Per questo Le proponiamo di suddividere il pagamento in più rate.

{{> invoice_list}}

{{#has_url}}
Può scegliere il piano più adatto al Suo bilancio su {{self_service_url}}: bastano pochi minuti.
{{/has_url}}
{{^has_url}}
Ci risponda indicando l'importo mensile che può sostenere e Le proporremo un piano.
{{/has_url}}

Se preferisce pagare l'intero importo, può naturalmente farlo:

{{> payment_details}}

Se la Sua situazione è cambiata, ad esempio per una malattia o una perdita di reddito, ce lo comunichi: ne terremo conto.

Cordiali saluti,
{{creditor_name}}
--- sms ---
{{creditor_name}}: può suddividere il pagamento di {{total}} in più rate.{{#has_url}} Scelga il piano adatto a Lei: {{self_service_url}}{{/has_url}}{{^has_url}} Risponda a questo messaggio per concordarlo.{{/has_url}}
)tmpl"},
    {"it", "invoice-reissue", R"tmpl(
--- subject ---
Copia della Sua fattura {{creditor_name}}
--- text ---
Gentile {{debtor_name}},

nel caso in cui {{#multiple_invoices}}le nostre fatture non Le siano arrivate{{/multiple_invoices}}{{^multiple_invoices}}la nostra fattura non Le sia arrivata{{/multiple_invoices}}, Le inviamo di nuovo i dettagli.

{{> invoice_list}}

{{> payment_details}}

Se qualcosa nella fattura non Le sembra corretto, o se pagare entro il {{pay_by}} Le crea difficoltà, risponda semplicemente a questo messaggio: troveremo insieme una soluzione.

Cordiali saluti,
{{creditor_name}}
--- sms ---
{{creditor_name}}: Le inviamo una copia della Sua fattura, nel caso l'originale non Le sia arrivato. Importo {{total}}, da pagare entro il {{pay_by_short}}.{{#has_url}} Visualizza e paga: {{self_service_url}}{{/has_url}}
)tmpl"},
    {"it", "call-script", R"tmpl(
--- subject ---
Traccia per la telefonata: {{creditor_name}}
--- text ---
1. Saluta e presentati: «Buongiorno, sono [nome] e La chiamo per conto di {{creditor_name}}. Posso parlare con {{debtor_name}}?»

2. Verifica l'identità prima di proseguire (ad esempio il codice cliente o la data di nascita). Se non stai parlando con {{debtor_name}}, non indicare il motivo della chiamata: lascia solo il tuo nome, {{creditor_name}} e un numero da richiamare.

3. Spiega il motivo: «La chiamo per {{#multiple_invoices}}{{invoice_count}} fatture ancora aperte{{/multiple_invoices}}{{^multiple_invoices}}la fattura {{first_invoice_number}}, ancora aperta{{/multiple_invoices}}, per un totale di {{total}}. Forse Le è sfuggita?»
{{> invoice_list}}

4. Ascolta. Chiedi se qualcosa impedisce il pagamento. Se il cliente parla di malattia, perdita del lavoro o altre difficoltà, proponi una pausa e un piano di rateizzazione e segnala la pratica per una revisione; non insistere per il pagamento.

5. Concorda il passo successivo: il pagamento entro il {{pay_by}}{{#has_iban}} (IBAN {{iban}}{{#has_reference}}, riferimento {{rf_reference}}{{/has_reference}}){{/has_iban}}, una promessa di pagamento con una data oppure un piano di rateizzazione{{#has_url}} ({{self_service_url}}){{/has_url}}.

6. Riepiloga quanto concordato, ringrazia il cliente e registra l'esito.
--- sms ---
{{creditor_name}}: abbiamo provato a contattarLa oggi per telefono. Ci richiami quando Le è comodo{{#has_url}} oppure visiti {{self_service_url}}{{/has_url}}.
)tmpl"},

    // =========================================== fi ===========================================
    {"fi", "reminder-1", R"tmpl(
--- subject ---
{{creditor_name}}: tietoa asiakastilistäsi
--- text ---
Hei {{debtor_name}},

tietojemme mukaan {{#multiple_invoices}}alla olevat laskut ovat{{/multiple_invoices}}{{^multiple_invoices}}alla oleva lasku on{{/multiple_invoices}} vielä avoinna. Ehkä maksu on vain unohtunut – sitä sattuu kaikille.

{{> invoice_list}}

{{> payment_details}}

{{> help}}

Jos olet jo maksanut, kiitos – voit jättää tämän viestin huomiotta.

Ystävällisin terveisin
{{creditor_name}}
--- sms ---
{{creditor_name}}: ystävällinen muistutus asiakastilistäsi. Avoinna {{total}}, maksathan viimeistään {{pay_by_short}}.{{#has_url}} Tiedot ja vaihtoehdot: {{self_service_url}}{{/has_url}} Jo maksettu? Kiitos!
)tmpl"},
    {"fi", "reminder-2", R"tmpl(
--- subject ---
{{creditor_name}}: uusi viesti asiakastilistäsi
--- text ---
Hei {{debtor_name}},

lähetimme sinulle hiljattain viestin {{#multiple_invoices}}alla olevista laskuista{{/multiple_invoices}}{{^multiple_invoices}}alla olevasta laskusta{{/multiple_invoices}}, mutta emme ole vielä saaneet maksua emmekä kuulleet sinusta. Haluaisimme hoitaa asian yhdessä kanssasi.

{{> invoice_list}}

{{> payment_details}}

{{> help}}

Jos olet jo maksanut, kiitos – voit jättää tämän viestin huomiotta.

Ystävällisin terveisin
{{creditor_name}}
--- sms ---
{{creditor_name}}: lähetimme sinulle hiljattain viestin asiakastilistäsi. Avoinna {{total}}: maksathan viimeistään {{pay_by_short}} tai sovi kanssamme maksusuunnitelmasta.{{#has_url}} {{self_service_url}}{{/has_url}}
)tmpl"},
    {"fi", "final-notice", R"tmpl(
--- subject ---
{{creditor_name}}: tärkeä viesti asiakastilistäsi
--- text ---
Hei {{debtor_name}},

aiemmista muistutuksistamme huolimatta {{#multiple_invoices}}alla olevat laskut ovat{{/multiple_invoices}}{{^multiple_invoices}}alla oleva lasku on{{/multiple_invoices}} edelleen maksamatta, emmekä ole löytäneet yhdessä ratkaisua.

{{> invoice_list}}

{{> statutory_notice}}

{{> payment_details}}

Haluamme edelleen löytää ratkaisun yhdessä kanssasi. Jos et pysty maksamaan koko summaa viimeistään {{pay_by}}, ota meihin yhteyttä ennen sitä: maksusuunnitelma on yhä mahdollinen{{#has_url}} ({{self_service_url}}){{/has_url}}.

Ystävällisin terveisin
{{creditor_name}}
--- sms ---
{{creditor_name}}: tärkeä viesti asiakastilistäsi. Maksathan {{total}} viimeistään {{pay_by_short}} tai ota yhteyttä, niin sovitaan ratkaisusta.{{#has_url}} {{self_service_url}}{{/has_url}}
)tmpl"},
    {"fi", "plan-offer", R"tmpl(
--- subject ---
{{creditor_name}}: vaihtoehtoja asiakastilillesi
--- text ---
Hei {{debtor_name}},

ymmärrämme, ettei koko summan ({{total}}) maksaminen kerralla ole aina mahdollista. Siksi tarjoamme sinulle mahdollisuuden maksaa summa useammassa erässä.

{{> invoice_list}}

{{#has_url}}
Voit valita talouteesi sopivan maksusuunnitelman osoitteessa {{self_service_url}} – se vie vain muutaman minuutin.
{{/has_url}}
{{^has_url}}
Vastaa tähän viestiin ja kerro, minkä summan pystyt maksamaan kuukaudessa, niin ehdotamme sinulle maksusuunnitelmaa.
{{/has_url}}

Jos haluat maksaa koko summan kerralla, se onnistuu tietysti näin:

{{> payment_details}}

Jos elämäntilanteesi on muuttunut esimerkiksi sairauden tai tulojen menetyksen vuoksi, kerro siitä meille, niin otamme sen huomioon.

Ystävällisin terveisin
{{creditor_name}}
--- sms ---
{{creditor_name}}: voit maksaa summan {{total}} useammassa erässä.{{#has_url}} Valitse sinulle sopiva maksusuunnitelma: {{self_service_url}}{{/has_url}}{{^has_url}} Vastaa tähän viestiin, niin sovitaan siitä.{{/has_url}}
)tmpl"},
    {"fi", "invoice-reissue", R"tmpl(
--- subject ---
{{creditor_name}}: kopio laskustasi
--- text ---
Hei {{debtor_name}},

siltä varalta, että {{#multiple_invoices}}aiemmat laskumme eivät tavoittaneet sinua{{/multiple_invoices}}{{^multiple_invoices}}aiempi laskumme ei tavoittanut sinua{{/multiple_invoices}}, lähetämme tiedot uudelleen.

{{> invoice_list}}

{{> payment_details}}

Jos laskussa on mielestäsi jotain väärin tai maksaminen viimeistään {{pay_by}} on vaikeaa, vastaa tähän viestiin, niin selvitetään asia yhdessä.

Ystävällisin terveisin
{{creditor_name}}
--- sms ---
{{creditor_name}}: lähetämme kopion laskustasi siltä varalta, ettei alkuperäinen tavoittanut sinua. Summa {{total}}, maksathan viimeistään {{pay_by_short}}.{{#has_url}} Katso ja maksa: {{self_service_url}}{{/has_url}}
)tmpl"},
    {"fi", "call-script", R"tmpl(
--- subject ---
Puhelun runko: {{creditor_name}}
--- text ---
1. Tervehdi ja esittäydy: ”Hyvää päivää, olen [nimi] ja soitan {{creditor_name}}:n puolesta. Puhunko henkilön {{debtor_name}} kanssa?”

2. Varmista henkilöllisyys ennen kuin jatkat (esimerkiksi asiakasnumero tai syntymäaika). Jos puhelimessa on joku muu kuin {{debtor_name}}, älä kerro soiton syytä: jätä vain oma nimesi, {{creditor_name}} ja numero, johon voi soittaa takaisin.

3. Kerro soiton syy: ”Soitan {{#multiple_invoices}}{{invoice_count}} avoimen laskun{{/multiple_invoices}}{{^multiple_invoices}}avoimen laskun {{first_invoice_number}}{{/multiple_invoices}} vuoksi, yhteensä {{total}}. Olisiko maksu ehkä unohtunut?”
{{> invoice_list}}

4. Kuuntele. Kysy, onko jokin maksamisen esteenä. Jos asiakas kertoo sairaudesta, työttömyydestä tai muista vaikeuksista, tarjoa maksutaukoa ja maksusuunnitelmaa ja merkitse asia tarkistettavaksi; älä painosta maksamaan.

5. Sovi seuraavasta askeleesta: maksu viimeistään {{pay_by}}{{#has_iban}} (IBAN {{iban}}{{#has_reference}}, viite {{rf_reference}}{{/has_reference}}){{/has_iban}}, maksulupaus päivämäärineen tai maksusuunnitelma{{#has_url}} ({{self_service_url}}){{/has_url}}.

6. Kertaa, mitä sovittiin, kiitä asiakasta ja kirjaa lopputulos.
--- sms ---
{{creditor_name}}: yritimme tavoittaa sinua tänään puhelimitse. Soitathan takaisin, kun sinulle sopii{{#has_url}}, tai käy osoitteessa {{self_service_url}}{{/has_url}}.
)tmpl"},

    // =========================================== nl ===========================================
    {"nl", "reminder-1", R"tmpl(
--- subject ---
Uw account bij {{creditor_name}}
--- text ---
Beste {{debtor_name}},

Volgens onze administratie {{#multiple_invoices}}staan de onderstaande facturen{{/multiple_invoices}}{{^multiple_invoices}}staat de onderstaande factuur{{/multiple_invoices}} nog open. Misschien is de betaling u ontschoten; dat overkomt iedereen weleens.

{{> invoice_list}}

{{> payment_details}}

{{> help}}

Heeft u inmiddels betaald? Dan danken wij u hartelijk en kunt u dit bericht als niet verzonden beschouwen.

Met vriendelijke groet,
{{creditor_name}}
--- sms ---
{{creditor_name}}: een vriendelijke herinnering over uw account. Openstaand {{total}}, graag uiterlijk {{pay_by_short}} betalen.{{#has_url}} Details en mogelijkheden: {{self_service_url}}{{/has_url}} Al betaald? Dank u wel!
)tmpl"},
    {"nl", "reminder-2", R"tmpl(
--- subject ---
Bericht over uw account bij {{creditor_name}}
--- text ---
Beste {{debtor_name}},

Wij hebben u onlangs geschreven over {{#multiple_invoices}}de onderstaande facturen{{/multiple_invoices}}{{^multiple_invoices}}de onderstaande factuur{{/multiple_invoices}}, maar hebben nog geen betaling of reactie van u ontvangen. Wij lossen dit graag samen met u op.

{{> invoice_list}}

{{> payment_details}}

{{> help}}

Heeft u inmiddels betaald? Dan danken wij u hartelijk en kunt u dit bericht als niet verzonden beschouwen.

Met vriendelijke groet,
{{creditor_name}}
--- sms ---
{{creditor_name}}: wij schreven u onlangs over uw account en hoorden nog niets van u. Openstaand {{total}}: graag uiterlijk {{pay_by_short}} betalen, of neem contact op voor een regeling.{{#has_url}} {{self_service_url}}{{/has_url}}
)tmpl"},
    {"nl", "final-notice", R"tmpl(
--- subject ---
Belangrijk bericht over uw account bij {{creditor_name}}
--- text ---
Beste {{debtor_name}},

Ondanks onze eerdere herinneringen {{#multiple_invoices}}zijn de onderstaande facturen{{/multiple_invoices}}{{^multiple_invoices}}is de onderstaande factuur{{/multiple_invoices}} nog niet betaald en hebben wij nog geen oplossing met u kunnen afspreken.

{{> invoice_list}}

{{> statutory_notice}}

{{> payment_details}}

Samen een oplossing vinden heeft nog altijd onze voorkeur. Kunt u het volledige bedrag niet uiterlijk {{pay_by}} betalen? Neem dan vóór die datum contact met ons op: een betalingsregeling is nog steeds mogelijk{{#has_url}} ({{self_service_url}}){{/has_url}}.

Met vriendelijke groet,
{{creditor_name}}
--- sms ---
{{creditor_name}}: belangrijk bericht over uw account. Betaal {{total}} uiterlijk {{pay_by_short}}, of neem contact op om een oplossing af te spreken.{{#has_url}} {{self_service_url}}{{/has_url}}
)tmpl"},
    {"nl", "plan-offer", R"tmpl(
--- subject ---
Mogelijkheden voor uw account bij {{creditor_name}}
--- text ---
Beste {{debtor_name}},

Wij begrijpen dat het niet altijd mogelijk is om {{total}} in één keer te betalen. Daarom bieden wij u de mogelijkheid het bedrag in termijnen te betalen.

{{> invoice_list}}

{{#has_url}}
Via {{self_service_url}} kiest u een regeling die bij uw budget past; dat duurt maar een paar minuten.
{{/has_url}}
{{^has_url}}
Antwoord op dit bericht met het bedrag dat u per maand kunt missen, dan stellen wij een regeling voor.
{{/has_url}}

Wilt u liever het volledige bedrag in één keer betalen? Dat kan natuurlijk ook:

{{> payment_details}}

Is uw situatie veranderd, bijvoorbeeld door ziekte of verlies van inkomen? Laat het ons weten, dan houden wij daar rekening mee.

Met vriendelijke groet,
{{creditor_name}}
--- sms ---
{{creditor_name}}: u kunt {{total}} in termijnen betalen.{{#has_url}} Kies een regeling die bij u past: {{self_service_url}}{{/has_url}}{{^has_url}} Antwoord op dit bericht om een regeling af te spreken.{{/has_url}}
)tmpl"},
    {"nl", "invoice-reissue", R"tmpl(
--- subject ---
Kopie van uw factuur van {{creditor_name}}
--- text ---
Beste {{debtor_name}},

Voor het geval {{#multiple_invoices}}onze eerdere facturen u niet hebben bereikt{{/multiple_invoices}}{{^multiple_invoices}}onze eerdere factuur u niet heeft bereikt{{/multiple_invoices}}, sturen wij u de gegevens nogmaals.

{{> invoice_list}}

{{> payment_details}}

Klopt er iets niet op de factuur, of is betalen uiterlijk {{pay_by}} lastig? Antwoord gewoon op dit bericht, dan lossen wij het samen op.

Met vriendelijke groet,
{{creditor_name}}
--- sms ---
{{creditor_name}}: hierbij een kopie van uw factuur, voor het geval het origineel u niet heeft bereikt. Bedrag {{total}}, uiterlijk te betalen op {{pay_by_short}}.{{#has_url}} Bekijken en betalen: {{self_service_url}}{{/has_url}}
)tmpl"},
    {"nl", "call-script", R"tmpl(
--- subject ---
Belscript: {{creditor_name}}
--- text ---
1. Groet en stel u voor: „Goedemiddag, u spreekt met [naam] namens {{creditor_name}}. Spreek ik met {{debtor_name}}?”

2. Controleer de identiteit voordat u verdergaat (bijvoorbeeld het klantnummer of de geboortedatum). Spreekt u niet met {{debtor_name}}, noem dan niet de reden van het gesprek: laat alleen uw naam, {{creditor_name}} en een terugbelnummer achter.

3. Leg de reden uit: „Ik bel over {{#multiple_invoices}}{{invoice_count}} openstaande facturen{{/multiple_invoices}}{{^multiple_invoices}}de openstaande factuur {{first_invoice_number}}{{/multiple_invoices}}, in totaal {{total}}. Is dat misschien aan uw aandacht ontsnapt?”
{{> invoice_list}}

4. Luister. Vraag of er iets is dat betalen in de weg staat. Noemt de klant ziekte, baanverlies of andere problemen, bied dan uitstel en een betalingsregeling aan en markeer het dossier voor beoordeling; dring niet aan op betaling.

5. Spreek de volgende stap af: betaling uiterlijk {{pay_by}}{{#has_iban}} (IBAN {{iban}}{{#has_reference}}, kenmerk {{rf_reference}}{{/has_reference}}){{/has_iban}}, een betalingsbelofte met datum, of een betalingsregeling{{#has_url}} ({{self_service_url}}){{/has_url}}.

6. Vat samen wat is afgesproken, bedank de klant en leg de uitkomst vast.
--- sms ---
{{creditor_name}}: wij hebben vandaag geprobeerd u te bellen. Belt u ons terug wanneer het u uitkomt{{#has_url}}, of kijk op {{self_service_url}}{{/has_url}}.
)tmpl"},
};

}  // namespace

const std::vector<BuiltinTemplate>& BuiltinTemplates() {
  static const auto* const kAll =
      new std::vector<BuiltinTemplate>(std::begin(kTemplates), std::end(kTemplates));
  return *kAll;
}

const std::vector<std::string>& BuiltinTemplateNames() {
  static const auto* const kNames = new std::vector<std::string>{
      "reminder-1", "reminder-2", "final-notice", "plan-offer", "invoice-reissue", "call-script"};
  return *kNames;
}

const char* BuiltinPartial(absl::string_view language, absl::string_view name) {
  for (const BuiltinPartialSource& p : kPartials) {
    if (language == p.language && name == p.name) return p.source;
  }
  return nullptr;
}

const char* StatutoryNotice(absl::string_view country, absl::string_view language) {
  std::string code = absl::AsciiStrToUpper(country);
  if (code == "UK") code = "GB";
  const char* fallback = nullptr;
  for (const StatutorySource& s : kStatutory) {
    if (language != s.language) continue;
    if (code == s.country) return s.source;
    if (std::strlen(s.country) == 0) fallback = s.source;
  }
  return fallback;
}

const std::vector<std::string>& StatutoryNoticeCountries() {
  static const auto* const kCountries = new std::vector<std::string>{"IT", "NL", "FI", "GB", ""};
  return *kCountries;
}

}  // namespace concerto::contact::internal
