#include "services/payment/statement/camt053_parser.h"

#include <cstddef>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/rules/creditor_reference.h"
#include "pugixml.hpp"
#include "services/payment/statement/statement_fields.h"

namespace concerto::payment {
namespace {

using concerto::rules::Money;

constexpr absl::string_view kCamt053Namespace = "urn:iso:std:iso:20022:tech:xsd:camt.053.";
// SEPA's placeholder for a missing end-to-end id: it identifies nothing.
constexpr absl::string_view kNotProvided = "NOTPROVIDED";

// LocalName drops the namespace prefix of an element name: "ns2:Ntry" -> "Ntry".
absl::string_view LocalName(const char* name) {
  const absl::string_view view(name);
  const size_t colon = view.rfind(':');
  return colon == absl::string_view::npos ? view : view.substr(colon + 1);
}

// Child returns the first child element of `parent` with local name `name`, or a null node.
pugi::xml_node Child(pugi::xml_node parent, absl::string_view name) {
  for (pugi::xml_node child = parent.first_child(); child; child = child.next_sibling()) {
    if (child.type() == pugi::node_element && LocalName(child.name()) == name) return child;
  }
  return pugi::xml_node();
}

// Path follows child elements by local name: Path(ntry, {"BookgDt", "Dt"}).
pugi::xml_node Path(pugi::xml_node node, std::initializer_list<absl::string_view> names) {
  for (absl::string_view name : names) {
    if (!node) break;
    node = Child(node, name);
  }
  return node;
}

// Children returns every child element of `parent` with local name `name`, in order.
std::vector<pugi::xml_node> Children(pugi::xml_node parent, absl::string_view name) {
  std::vector<pugi::xml_node> out;
  for (pugi::xml_node child = parent.first_child(); child; child = child.next_sibling()) {
    if (child.type() == pugi::node_element && LocalName(child.name()) == name) {
      out.push_back(child);
    }
  }
  return out;
}

// Text returns the trimmed text content of an element ("" for a null node).
std::string Text(pugi::xml_node node) {
  if (!node) return "";
  return std::string(absl::StripAsciiWhitespace(node.child_value()));
}

// FirstNonEmpty returns the first non-empty string of `candidates`.
std::string FirstNonEmpty(std::initializer_list<std::string> candidates) {
  for (const std::string& candidate : candidates) {
    if (!candidate.empty()) return candidate;
  }
  return "";
}

// DeclaredEncoding returns the encoding named in a leading XML declaration, or "".
absl::string_view DeclaredEncoding(absl::string_view xml) {
  if (!absl::StartsWith(xml, "<?xml")) return "";
  const size_t end = xml.find("?>");
  if (end == absl::string_view::npos) return "";
  const absl::string_view declaration = xml.substr(0, end);
  const size_t key = declaration.find("encoding");
  if (key == absl::string_view::npos) return "";
  const size_t pos = declaration.find_first_of("\"'", key);
  if (pos == absl::string_view::npos) return "";
  const char quote = declaration[pos];
  const size_t close = declaration.find(quote, pos + 1);
  if (close == absl::string_view::npos) return "";
  return declaration.substr(pos + 1, close - pos - 1);
}

// The entry-level fields of an Ntry, shared by all of its transactions.
struct EntryFields {
  int64_t line = 0;
  std::string reference;
  std::optional<Money> amount;
  bool credit = true;
  absl::CivilDay booking_date;
  absl::CivilDay value_date;
  std::string additional_info;
};

class Camt053Reader {
 public:
  Camt053Reader(absl::string_view xml, ParsedStatement& out) : lines_(xml), out_(out) {}

  // ReadDocument reads the parsed document into `out_`.
  void ReadDocument(const pugi::xml_document& doc) {
    const pugi::xml_node root = doc.document_element();
    if (!root || LocalName(root.name()) != "Document") {
      FileError(root, "Document", "not an ISO 20022 document: the root element must be Document");
      return;
    }
    if (!CheckNamespace(root)) return;
    const pugi::xml_node statement_message = Child(root, "BkToCstmrStmt");
    if (!statement_message) {
      const pugi::xml_node other = root.first_child();
      FileError(root, "BkToCstmrStmt",
                absl::StrCat("not a camt.053 statement: Document has no BkToCstmrStmt",
                             other.type() == pugi::node_element
                                 ? absl::StrCat(" (found ", LocalName(other.name()), ")")
                                 : ""));
      return;
    }
    const std::vector<pugi::xml_node> statements = Children(statement_message, "Stmt");
    if (statements.empty()) {
      FileError(statement_message, "Stmt", "BkToCstmrStmt has no Stmt element");
      return;
    }
    bool first = true;
    for (const pugi::xml_node& statement : statements) {
      ReadStatement(statement, first);
      first = false;
    }
    if (out_.currency.empty()) out_.currency = CommonCurrency(out_.entries);
  }

  // FileError records a problem with the file as a whole.
  void FileError(pugi::xml_node at, absl::string_view field, std::string problem) {
    out_.file_errors.push_back(EntryError{LineOf(at), "", std::string(field), std::move(problem)});
  }

 private:
  int64_t LineOf(pugi::xml_node node) const {
    return node ? lines_.LineOf(node.offset_debug()) : 0;
  }

  // CheckNamespace rejects a Document whose namespace is that of another ISO 20022 message.
  bool CheckNamespace(pugi::xml_node root) {
    const absl::string_view name(root.name());
    const size_t colon = name.rfind(':');
    const std::string attribute =
        colon == absl::string_view::npos ? "xmlns" : absl::StrCat("xmlns:", name.substr(0, colon));
    const absl::string_view ns = root.attribute(attribute.c_str()).value();
    if (ns.empty() || absl::StartsWith(ns, kCamt053Namespace)) return true;
    FileError(root, "Document@xmlns",
              absl::StrCat("namespace '", ns, "' is not a camt.053 statement"));
    return false;
  }

  void ReadStatement(pugi::xml_node statement, bool first) {
    const pugi::xml_node account = Child(statement, "Acct");
    const std::string iban = rules::NormalizeReference(FirstNonEmpty(
        {Text(Path(account, {"Id", "IBAN"})), Text(Path(account, {"Id", "Othr", "Id"}))}));
    if (first) {
      if (iban.empty()) FileError(statement, "Acct/Id/IBAN", "statement has no account IBAN");
      out_.account_iban = iban;
      out_.currency = Text(Child(account, "Ccy"));
    } else if (iban != out_.account_iban) {
      FileError(
          statement, "Acct/Id/IBAN",
          absl::StrCat("statement for account '", iban,
                       "' differs from the file's first "
                       "account '",
                       out_.account_iban, "'; its entries were not read (one account per file)"));
      return;
    }
    for (const pugi::xml_node& entry : Children(statement, "Ntry")) ReadEntry(entry);
  }

  // ReadAmount reads `amount` (an element with a Ccy attribute); errors name `field`.
  std::optional<Money> ReadAmount(pugi::xml_node amount, const std::string& field,
                                  pugi::xml_node owner, const std::string& reference,
                                  std::vector<EntryError>& errors) {
    if (!amount) {
      errors.push_back(EntryError{LineOf(owner), reference, field, "amount is missing"});
      return std::nullopt;
    }
    const std::string currency(absl::StripAsciiWhitespace(amount.attribute("Ccy").value()));
    const std::optional<int> exponent =
        concerto::rules::MinorUnitExponent(std::string_view(currency));
    if (!exponent.has_value()) {
      errors.push_back(EntryError{LineOf(amount), reference, field + "@Ccy",
                                  currency.empty()
                                      ? "currency is missing"
                                      : absl::StrCat("unknown currency '", currency, "'")});
      return std::nullopt;
    }
    absl::StatusOr<int64_t> minor_units = ParseAmountMinorUnits(Text(amount), *exponent);
    if (!minor_units.ok()) {
      errors.push_back(EntryError{LineOf(amount), reference, field,
                                  std::string(minor_units.status().message())});
      return std::nullopt;
    }
    return Money{*minor_units, currency};
  }

  // ReadCreditDebit reads a CdtDbtInd element: CRDT -> true, DBIT -> false.
  std::optional<bool> ReadCreditDebit(pugi::xml_node indicator, const std::string& field,
                                      pugi::xml_node owner, const std::string& reference,
                                      std::vector<EntryError>& errors) {
    const std::string value = Text(indicator);
    if (value == "CRDT") return true;
    if (value == "DBIT") return false;
    errors.push_back(EntryError{
        LineOf(indicator ? indicator : owner), reference, field,
        indicator ? absl::StrCat("must be CRDT or DBIT, got '", value, "'") : "is missing"});
    return std::nullopt;
  }

  // ReadDate reads BookgDt or ValDt: its Dt, or the date part of its DtTm.
  std::optional<absl::CivilDay> ReadDate(pugi::xml_node date, const std::string& field,
                                         pugi::xml_node owner, const std::string& reference,
                                         std::vector<EntryError>& errors) {
    if (!date) {
      errors.push_back(EntryError{LineOf(owner), reference, field, "date is missing"});
      return std::nullopt;
    }
    std::string text = Text(Child(date, "Dt"));
    if (text.empty()) {
      text = Text(Child(date, "DtTm"));
      // "2024-03-05T10:15:00+01:00": the booking day is the date part as the bank wrote it.
      if (text.size() > 10 && text[10] == 'T') text.resize(10);
    }
    absl::StatusOr<absl::CivilDay> day = ParseIsoDate(text);
    if (!day.ok()) {
      errors.push_back(
          EntryError{LineOf(date), reference, field,
                     text.empty() ? "date is missing" : std::string(day.status().message())});
      return std::nullopt;
    }
    return *day;
  }

  void ReadEntry(pugi::xml_node entry) {
    std::vector<pugi::xml_node> transactions;
    for (const pugi::xml_node& details : Children(entry, "NtryDtls")) {
      for (const pugi::xml_node& transaction : Children(details, "TxDtls")) {
        transactions.push_back(transaction);
      }
    }
    EntryFields fields;
    fields.line = LineOf(entry);
    fields.reference =
        FirstNonEmpty({Text(Child(entry, "AcctSvcrRef")), Text(Child(entry, "NtryRef"))});
    fields.additional_info = Text(Child(entry, "AddtlNtryInf"));
    const std::string& reference = fields.reference;

    std::vector<EntryError> errors;
    const pugi::xml_node status = Child(entry, "Sts");
    const std::string status_code =
        FirstNonEmpty({Text(status), Text(Child(status, "Cd")), Text(Child(status, "Prtry"))});
    if (status && status_code != "BOOK") {
      errors.push_back(
          EntryError{LineOf(status), reference, "Sts",
                     absl::StrCat("entry status '", status_code, "' is not booked (BOOK)")});
    }
    fields.amount = ReadAmount(Child(entry, "Amt"), "Amt", entry, reference, errors);
    const std::optional<bool> credit =
        ReadCreditDebit(Child(entry, "CdtDbtInd"), "CdtDbtInd", entry, reference, errors);
    const std::optional<absl::CivilDay> booking_date =
        ReadDate(Child(entry, "BookgDt"), "BookgDt", entry, reference, errors);
    const std::optional<absl::CivilDay> value_date =
        ReadDate(Child(entry, "ValDt"), "ValDt", entry, reference, errors);
    if (!errors.empty()) {
      Append(std::move(errors));
      return;
    }
    fields.credit = *credit;
    fields.booking_date = *booking_date;
    fields.value_date = *value_date;

    if (transactions.empty()) {
      AddEntry(fields, pugi::xml_node(), 0, 0, entry);
      return;
    }
    for (size_t i = 0; i < transactions.size(); ++i) {
      AddEntry(fields, transactions[i], i, transactions.size(), entry);
    }
  }

  // AddEntry adds the StatementEntry of transaction `index` of `count` of an Ntry (count 0:
  // an entry without TxDtls), or its errors.
  void AddEntry(const EntryFields& fields, pugi::xml_node transaction, size_t index, size_t count,
                pugi::xml_node entry_node) {
    const bool batch = count > 1;
    const pugi::xml_node refs = Child(transaction, "Refs");
    const std::string transaction_reference = Text(Child(refs, "AcctSvcrRef"));
    std::string end_to_end = Text(Child(refs, "EndToEndId"));
    if (end_to_end == kNotProvided) end_to_end.clear();

    StatementEntry entry;
    entry.line = batch ? LineOf(transaction) : fields.line;
    if (!batch) {
      entry.entry_reference = FirstNonEmpty({fields.reference, transaction_reference, end_to_end});
    } else if (!transaction_reference.empty()) {
      entry.entry_reference = transaction_reference;
    } else if (!fields.reference.empty()) {
      // Stable for the same file: the entry's reference and the position in the batch.
      entry.entry_reference = absl::StrCat(fields.reference, "/", index + 1);
    } else {
      entry.entry_reference = end_to_end;
    }

    std::vector<EntryError> errors;
    const pugi::xml_node error_owner = batch ? transaction : entry_node;
    if (entry.entry_reference.empty()) {
      errors.push_back(EntryError{entry.line, "", "AcctSvcrRef",
                                  "no entry reference: none of AcctSvcrRef, NtryRef, "
                                  "Refs/AcctSvcrRef or Refs/EndToEndId is given"});
    }

    // Amount: the transaction's own (TxDtls/Amt, or AmtDtls/TxAmt/Amt in 001.02), else the
    // entry's when the entry has a single transaction.
    std::optional<Money> amount = fields.amount;
    const pugi::xml_node own_amount = Child(transaction, "Amt");
    const pugi::xml_node detailed_amount = Path(transaction, {"AmtDtls", "TxAmt", "Amt"});
    if (own_amount) {
      amount = ReadAmount(own_amount, "TxDtls/Amt", error_owner, entry.entry_reference, errors);
    } else if (detailed_amount) {
      amount = ReadAmount(detailed_amount, "TxDtls/AmtDtls/TxAmt/Amt", error_owner,
                          entry.entry_reference, errors);
    } else if (batch) {
      amount =
          ReadAmount(pugi::xml_node(), "TxDtls/Amt", error_owner, entry.entry_reference, errors);
    }
    std::optional<bool> credit = fields.credit;
    if (const pugi::xml_node indicator = Child(transaction, "CdtDbtInd")) {
      credit = ReadCreditDebit(indicator, "TxDtls/CdtDbtInd", error_owner, entry.entry_reference,
                               errors);
    }
    if (!entry.entry_reference.empty()) {
      const auto [seen, inserted] =
          first_line_of_reference_.emplace(entry.entry_reference, entry.line);
      if (!inserted) {
        errors.push_back(EntryError{
            entry.line, entry.entry_reference, "AcctSvcrRef",
            absl::StrCat("entry reference '", entry.entry_reference,
                         "' appears twice in this file (first on line ", seen->second, ")")});
      }
    }
    if (!errors.empty()) {
      Append(std::move(errors));
      return;
    }
    entry.amount = *amount;
    entry.credit = *credit;
    entry.booking_date = fields.booking_date;
    entry.value_date = fields.value_date;

    const pugi::xml_node remittance = Child(transaction, "RmtInf");
    std::vector<std::string> unstructured;
    for (const pugi::xml_node& line : Children(remittance, "Ustrd")) {
      std::string text = Text(line);
      if (!text.empty()) unstructured.push_back(std::move(text));
    }
    entry.remittance_info = transaction ? absl::StrJoin(unstructured, " ") : fields.additional_info;
    for (const pugi::xml_node& structured : Children(remittance, "Strd")) {
      entry.structured_reference = FirstNonEmpty({Text(Path(structured, {"CdtrRefInf", "Ref"})),
                                                  Text(Path(structured, {"RfrdDocInf", "Nb"}))});
      if (!entry.structured_reference.empty()) break;
    }
    const pugi::xml_node parties = Child(transaction, "RltdPties");
    entry.payer_name = FirstNonEmpty(
        {Text(Path(parties, {"Dbtr", "Pty", "Nm"})), Text(Path(parties, {"Dbtr", "Nm"}))});
    entry.payer_iban = rules::NormalizeReference(Text(Path(parties, {"DbtrAcct", "Id", "IBAN"})));
    out_.entries.push_back(std::move(entry));
  }

  void Append(std::vector<EntryError> errors) {
    for (EntryError& error : errors) out_.entry_errors.push_back(std::move(error));
  }

  LineIndex lines_;
  ParsedStatement& out_;
  std::map<std::string, int64_t> first_line_of_reference_;
};

}  // namespace

ParsedStatement ParseCamt053(absl::string_view bytes) {
  ParsedStatement out;
  out.statement_id = StatementIdOf(bytes);
  absl::string_view xml = bytes;
  if (absl::StartsWith(xml, "\xEF\xBB\xBF")) xml.remove_prefix(3);  // UTF-8 byte order mark
  Camt053Reader reader(xml, out);

  if (absl::StartsWith(xml, "\xFE\xFF") || absl::StartsWith(xml, "\xFF\xFE") ||
      (xml.size() >= 2 && (xml[0] == '\0' || xml[1] == '\0'))) {
    reader.FileError(pugi::xml_node(), "encoding",
                     "not UTF-8 (UTF-16/32?): ISO 20022 files must be UTF-8");
    return out;
  }
  const std::string encoding = absl::AsciiStrToUpper(DeclaredEncoding(xml));
  if (!encoding.empty() && encoding != "UTF-8" && encoding != "UTF8") {
    reader.FileError(
        pugi::xml_node(), "encoding",
        absl::StrCat("encoding '", encoding, "' is not supported: ISO 20022 files must be UTF-8"));
    return out;
  }

  pugi::xml_document doc;
  // No whitespace-only text nodes; UTF-8 forced so that node offsets are offsets into `xml`.
  const pugi::xml_parse_result result = doc.load_buffer(
      xml.data(), xml.size(), pugi::parse_default & ~pugi::parse_ws_pcdata, pugi::encoding_utf8);
  if (!result) {
    out.file_errors.push_back(
        EntryError{LineIndex(xml).LineOf(result.offset), "", "xml",
                   absl::StrCat("not well-formed XML: ", result.description())});
    return out;
  }
  reader.ReadDocument(doc);
  return out;
}

}  // namespace concerto::payment
