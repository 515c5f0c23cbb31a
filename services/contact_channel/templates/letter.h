// Printable and viewable renderings of a message for the contact-channel service: the A4 letter
// (PDF for the print provider, PNG for previews) with a payment slip carrying the EPC069-12 SEPA
// QR code, an e-mail as a mail client would show it (PNG, for previews and docs), and the EPC QR
// payload itself. Drawn with cairo and the DejaVu fonts; the QR code comes from libqrencode.
//
// The letter window (DIN 5008 / C5-6 left window) shows only RenderedMessage::envelope_text (the
// creditor's name as sender) and the debtor's name: nothing on the envelope reveals a debt.
// The postal address is merged by the print provider, so this module never sees it.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "services/contact_channel/templates/message_renderer.h"

namespace concerto::contact {

// RenderLetterPdf returns the letter as A4 PDF bytes: sender, window, subject, the text body,
// and a payment slip with the payment details and the EPC QR code (when ctx allows one).
// Long bodies continue on further pages; the slip is on the last one.
absl::StatusOr<std::string> RenderLetterPdf(const MessageContext& ctx, const RenderedMessage& m);

// RenderLetterPng returns the same letter as PNG bytes at `dpi` (36..300); a letter of several
// pages is one image with the pages below each other. INVALID_ARGUMENT naming "dpi" otherwise.
absl::StatusOr<std::string> RenderLetterPng(const MessageContext& ctx, const RenderedMessage& m,
                                            int dpi = 96);

// RenderEmailPng returns an e-mail as a mail client would show it (subject, sender, recipient,
// the branded body and a payment box with the QR code) as PNG bytes; 96 dpi is one CSS pixel
// per pixel. INVALID_ARGUMENT naming "dpi" outside 36..300.
absl::StatusOr<std::string> RenderEmailPng(const MessageContext& ctx, const RenderedMessage& m,
                                           int dpi = 96);

// EpcQrPayload returns the EPC069-12 (version 002, UTF-8) SEPA credit transfer payload for
// ctx: "BCD\n002\n1\nSCT\n<BIC>\n<creditor name>\n<IBAN>\nEUR<amount>\n\n<RF reference>", or,
// without a valid RF reference, the reference or invoice numbers as unstructured remittance.
// Empty when no QR code can be made: currency not EUR, total not in 0.01..999999999.99, IBAN
// missing or invalid, or no creditor name.
std::string EpcQrPayload(const MessageContext& ctx);

}  // namespace concerto::contact
