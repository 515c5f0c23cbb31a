#include "services/payment/statement/camt053_writer.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"

namespace concerto::payment {
namespace {

std::string Escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string Day(absl::CivilDay d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

std::string Amount(const rules::Money& m) {
  const int exponent = rules::MinorUnitExponent(m.currency).value_or(2);
  if (exponent == 0) return absl::StrCat(m.minor_units);
  int64_t scale = 1;
  for (int i = 0; i < exponent; ++i) scale *= 10;
  return absl::StrFormat("%d.%0*d", m.minor_units / scale, exponent, m.minor_units % scale);
}

}  // namespace

std::string WriteCamt053(const std::string& statement_id, const std::string& iban,
                         const std::string& currency, const std::vector<StatementEntry>& entries) {
  std::string out = absl::StrCat(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\">\n"
      "  <BkToCstmrStmt>\n    <GrpHdr><MsgId>", Escape(statement_id),
      "</MsgId></GrpHdr>\n    <Stmt>\n      <Id>", Escape(statement_id),
      "</Id>\n      <Acct><Id><IBAN>", Escape(iban), "</IBAN></Id><Ccy>", Escape(currency),
      "</Ccy></Acct>\n");
  for (const StatementEntry& e : entries) {
    absl::StrAppend(&out, "      <Ntry>\n        <NtryRef>", Escape(e.entry_reference),
                    "</NtryRef>\n        <Amt Ccy=\"", Escape(e.amount.currency), "\">",
                    Amount(e.amount), "</Amt>\n        <CdtDbtInd>", e.credit ? "CRDT" : "DBIT",
                    "</CdtDbtInd>\n        <Sts><Cd>BOOK</Cd></Sts>\n        <BookgDt><Dt>",
                    Day(e.booking_date), "</Dt></BookgDt>\n        <ValDt><Dt>", Day(e.value_date),
                    "</Dt></ValDt>\n        <AcctSvcrRef>", Escape(e.entry_reference),
                    "</AcctSvcrRef>\n        <NtryDtls><TxDtls>\n");
    if (!e.payer_name.empty() || !e.payer_iban.empty()) {
      absl::StrAppend(&out, "          <RltdPties><Dbtr><Pty><Nm>", Escape(e.payer_name),
                      "</Nm></Pty></Dbtr><DbtrAcct><Id><IBAN>", Escape(e.payer_iban),
                      "</IBAN></Id></DbtrAcct></RltdPties>\n");
    }
    if (!e.structured_reference.empty() || !e.remittance_info.empty()) {
      absl::StrAppend(&out, "          <RmtInf>");
      if (!e.remittance_info.empty()) {
        absl::StrAppend(&out, "<Ustrd>", Escape(e.remittance_info), "</Ustrd>");
      }
      if (!e.structured_reference.empty()) {
        absl::StrAppend(&out, "<Strd><CdtrRefInf><Ref>", Escape(e.structured_reference),
                        "</Ref></CdtrRefInf></Strd>");
      }
      absl::StrAppend(&out, "</RmtInf>\n");
    }
    absl::StrAppend(&out, "        </TxDtls></NtryDtls>\n      </Ntry>\n");
  }
  absl::StrAppend(&out, "    </Stmt>\n  </BkToCstmrStmt>\n</Document>\n");
  return out;
}

}  // namespace concerto::payment
