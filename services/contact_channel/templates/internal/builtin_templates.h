// The built-in message templates of the contact-channel service (private to templates/): for
// each language it, en, fi, nl every template name (reminder-1, reminder-2, final-notice,
// plan-offer, invoice-reissue, call-script), the shared partials (invoice_list, payment_details,
// help) and the statutory paragraph of a final notice per jurisdiction (IT diffida ad adempiere,
// NL 14-day letter, FI payment demand, GB final notice, a neutral one elsewhere).
//
// Tone: respectful, clear and helpful (how to pay, a plan, whom to tell about hardship); firm
// only in the final notice, where the statutory wording stays factual. Subjects and SMS texts
// are neutral: someone else reading them learns nothing about a debt.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace concerto::contact::internal {

// BuiltinTemplate is one template source (see template_source.h for the format).
struct BuiltinTemplate {
  const char* language;
  const char* name;
  const char* source;
};

// BuiltinTemplates returns every built-in template: 4 languages x 6 names.
const std::vector<BuiltinTemplate>& BuiltinTemplates();

// BuiltinTemplateNames lists the built-in template names.
const std::vector<std::string>& BuiltinTemplateNames();

// BuiltinPartial returns the mustache source of partial `name` (invoice_list, payment_details,
// help) in `language` (one of it, en, fi, nl), or nullptr.
const char* BuiltinPartial(absl::string_view language, absl::string_view name);

// StatutoryNotice returns the final-notice paragraph for jurisdiction `country` (ISO 3166
// alpha-2, any case; "UK" is taken as "GB") in `language` (one of it, en, fi, nl). Countries
// without specific wording get a neutral final-notice paragraph.
const char* StatutoryNotice(absl::string_view country, absl::string_view language);

// StatutoryNoticeCountries lists the countries with specific wording (IT, NL, FI, GB) and "" for
// the neutral one, for checks and tests.
const std::vector<std::string>& StatutoryNoticeCountries();

}  // namespace concerto::contact::internal
