// The result of parsing a bank statement file (ISO 20022 camt.053 or the Concerto CSV layout):
// the account, the good entries, and every problem found, each naming the line and the field.
// The parsers are pure: they take the file's bytes and return a ParsedStatement.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "libs/rules/money.h"

namespace concerto::payment {

// StatementEntry is one booked movement on the account (one transaction of a batch entry).
struct StatementEntry {
  // line is the 1-based line of the file where the entry (or the batch transaction) starts.
  int64_t line = 0;
  // entry_reference is the bank's id of the movement; unique per account, the dedupe key.
  std::string entry_reference;
  // amount is positive; `credit` says the direction.
  concerto::rules::Money amount;
  // credit is true for money received, false for a debit (kept; the payment service skips it).
  bool credit = true;
  // booking_date is the day the bank booked the entry; value_date the day the money counts
  // (interest stops accruing); the two may differ.
  absl::CivilDay booking_date;
  absl::CivilDay value_date;
  // structured_reference is the creditor reference (RF...) or document number the payer gave
  // in the structured remittance field, as the bank sent it (trimmed); empty if none.
  std::string structured_reference;
  // remittance_info is the unstructured free text of the payer (personal data).
  std::string remittance_info;
  // payer_name is the debtor's name as the bank reported it (personal data).
  std::string payer_name;
  // payer_iban is the debtor's account, spaces removed and upper-cased; empty if not given.
  std::string payer_iban;
  // debtor_id is the Concerto debtor id (CSV layout only; empty for camt.053).
  std::string debtor_id;

  friend bool operator==(const StatementEntry&, const StatementEntry&) = default;
};

// EntryError is a problem with one entry (or, in file_errors, with the file as a whole).
struct EntryError {
  // line is the 1-based line of the offending element or row (0 when there is no line).
  int64_t line = 0;
  // entry_reference is the entry's reference when it could be read; empty otherwise.
  std::string entry_reference;
  // field names the XML element ("Amt", "Amt@Ccy", "BookgDt") or CSV column ("amount").
  std::string field;
  // problem says what is wrong, for a human.
  std::string problem;

  friend bool operator==(const EntryError&, const EntryError&) = default;
};

// ParsedStatement is everything read from one statement file.
struct ParsedStatement {
  // statement_id is derived from the file's bytes only: the same file always gets the same id
  // (32 lowercase hex characters of a 128-bit Murmur3 hash).
  std::string statement_id;
  // account_iban is the statement's account (camt.053 only; empty for CSV).
  std::string account_iban;
  // currency is the account currency, or the entries' common currency; empty if unknown/mixed.
  std::string currency;
  // entries are the good entries, in file order.
  std::vector<StatementEntry> entries;
  // entry_errors are the bad entries; the good entries of the same file are still in `entries`.
  std::vector<EntryError> entry_errors;
  // file_errors are problems with the file as a whole (not XML, no Stmt element, no header
  // row). When not empty, `entries` holds only what could still be read.
  std::vector<EntryError> file_errors;

  friend bool operator==(const ParsedStatement&, const ParsedStatement&) = default;
};

}  // namespace concerto::payment
