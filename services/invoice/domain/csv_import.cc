#include "services/invoice/domain/csv_import.h"

#include "services/invoice/domain/dates.h"

namespace concerto::invoice {
namespace {

common::v1::Money Money(int64_t minor, const std::string& currency) {
  common::v1::Money m;
  m.set_minor_units(minor);
  m.set_currency(currency);
  return m;
}

}  // namespace

ImportItem ToImportItem(const CsvRow& row) {
  const CsvInvoice& c = row.invoice;
  v1::InvoiceSpec spec;
  spec.set_invoice_number(c.invoice_number);
  spec.set_debtor_id(c.debtor_id);
  *spec.mutable_issue_date() = ToDate(c.issue_date);
  *spec.mutable_due_date() = ToDate(c.due_date);
  spec.set_currency(c.currency);
  *spec.mutable_amount() = Money(c.amount_minor, c.currency);
  if (c.open_balance_minor.has_value()) {
    *spec.mutable_open_balance() = Money(*c.open_balance_minor, c.currency);
  }
  spec.set_payment_reference(c.payment_reference);
  spec.set_purchase_order(c.purchase_order);
  if (!c.document_uri.empty()) spec.mutable_document()->set_uri(c.document_uri);

  ImportItem item;
  item.line = row.line;
  item.item = std::move(spec);
  if (row.debtor.has_value()) {
    DebtorDefaults d;
    switch (row.debtor->type) {
      case CsvDebtorType::kConsumer:
        d.type = v1::DEBTOR_TYPE_CONSUMER;
        break;
      case CsvDebtorType::kBusiness:
        d.type = v1::DEBTOR_TYPE_BUSINESS;
        break;
      case CsvDebtorType::kUnspecified:
        break;
    }
    d.country = row.debtor->country;
    d.preferred_language = row.debtor->language;
    d.time_zone = row.debtor->time_zone;
    item.debtor_defaults = std::move(d);
  }
  return item;
}

std::map<std::string, std::vector<ImportItem>> ImportItemsByDebtor(
    const std::vector<CsvRow>& rows) {
  std::map<std::string, std::vector<ImportItem>> out;
  for (const CsvRow& row : rows) out[row.invoice.debtor_id].push_back(ToImportItem(row));
  return out;
}

std::vector<v1::FieldError> ToFieldErrors(const std::vector<CsvError>& errors) {
  std::vector<v1::FieldError> out;
  out.reserve(errors.size());
  for (const CsvError& e : errors) {
    v1::FieldError f;
    f.set_line(e.line);
    f.set_field(e.column);
    f.set_problem(e.problem);
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace concerto::invoice
