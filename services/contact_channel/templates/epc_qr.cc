// EPC069-12 "Quick Response Code: guidelines to enable data capture for the initiation of a SEPA
// credit transfer", version 002: the payload printed as a QR code on letters and e-mails.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/rules/creditor_reference.h"
#include "services/contact_channel/templates/internal/neutral_wording.h"
#include "services/contact_channel/templates/letter.h"
#include "services/contact_channel/templates/locale_format.h"

namespace concerto::contact {
namespace {

constexpr int64_t kMaxEpcCents = 99'999'999'999;  // EUR 999,999,999.99
constexpr size_t kMaxNameChars = 70;
constexpr size_t kMaxUnstructuredChars = 140;

std::string OneLine(absl::string_view s) {
  std::vector<absl::string_view> words =
      absl::StrSplit(s, absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty());
  return absl::StrJoin(words, " ");
}

}  // namespace

std::string EpcQrPayload(const MessageContext& ctx) {
  if (ctx.total.currency != "EUR") return "";
  if (ctx.total.minor_units < 1 || ctx.total.minor_units > kMaxEpcCents) return "";
  const std::string iban = NormalizeIban(ctx.creditor_iban);
  if (!IsValidIban(iban)) return "";
  const std::string name(internal::Utf8Prefix(OneLine(ctx.creditor_name), kMaxNameChars));
  if (name.empty()) return "";

  std::string bic = NormalizeIban(ctx.creditor_bic);
  const bool bic_ok = (bic.size() == 8 || bic.size() == 11) &&
                      std::all_of(bic.begin(), bic.end(),
                                  [](char c) { return absl::ascii_isalnum(c); });
  if (!bic_ok) bic.clear();  // optional in version 002 inside the EEA

  std::string structured;
  std::string unstructured;
  if (rules::IsValidCreditorReference(ctx.rf_reference)) {
    structured = rules::NormalizeReference(ctx.rf_reference);
  } else if (!OneLine(ctx.rf_reference).empty()) {
    unstructured = OneLine(ctx.rf_reference);
  } else {
    std::vector<std::string> numbers;
    for (const InvoiceLineView& line : ctx.invoices) numbers.push_back(OneLine(line.invoice_number));
    unstructured = absl::StrJoin(numbers, " ");
  }
  unstructured = std::string(internal::Utf8Prefix(unstructured, kMaxUnstructuredChars));

  std::vector<std::string> elements = {
      "BCD",  // service tag
      "002",  // version
      "1",    // character set: UTF-8
      "SCT",  // identification: SEPA credit transfer
      bic,
      name,
      iban,
      absl::StrFormat("EUR%d.%02d", ctx.total.minor_units / 100, ctx.total.minor_units % 100),
      "",  // purpose
      structured,
      unstructured,
  };
  // The last populated element is not followed by a separator.
  while (!elements.empty() && elements.back().empty()) elements.pop_back();
  return absl::StrJoin(elements, "\n");
}

}  // namespace concerto::contact
