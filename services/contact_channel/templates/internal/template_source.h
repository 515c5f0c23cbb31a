// Parsing and checking of message template sources (private to templates/).
//
// A template source is one mustache document per (tenant, language, template name), cut into
// parts by marker lines:
//
//   --- subject ---
//   Your account with {{creditor_name}}
//   --- text ---
//   Dear {{debtor_name}}, ...
//   --- sms ---
//   {{creditor_name}}: ...
//
// Every part is checked against the fields a MessageContext offers (TemplateFields()), so a typo
// or an unbalanced section is an INVALID_ARGUMENT naming the field and the line when the template
// is stored, not a silently empty message when it is sent. mstch itself accepts anything.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace concerto::contact::internal {

// FieldKind is how a template may use a name.
enum class FieldKind {
  kValue,    // {{name}}; also usable as a condition {{#name}} (non-empty)
  kFlag,     // {{#name}}...{{/name}} / {{^name}}...{{/name}} only
  kList,     // {{#name}}...{{/name}} iterates; its items have their own fields
};

// TemplateField is one name of the rendering context.
struct TemplateField {
  std::string name;
  FieldKind kind = FieldKind::kValue;
  std::vector<std::string> item_fields;  // kList only: the value fields of one item
};

// TemplateFields lists every name a message template may use (see README.md for meanings).
const std::vector<TemplateField>& TemplateFields();

// TemplatePartials lists the partial names a template may include with {{> name}}.
const std::vector<std::string>& TemplatePartials();

// CheckMustache checks one mustache text: tags closed, sections balanced and properly nested,
// every name a known field used the way its kind allows, partials known; no set-delimiter tags.
// Errors are INVALID_ARGUMENT "<where>: unknown field 'x' at line N" and the like; line numbers
// start at `first_line` (the line of `source` within a larger document).
absl::Status CheckMustache(absl::string_view source, absl::string_view where, int first_line = 1);

// UnescapedForm rewrites every plain variable tag {{name}} of a checked source to {{&name}}:
// values are inserted as they are (plain text, SMS), never HTML-escaped by mstch. The HTML body
// is built from the rendered text and escapes on its own. Other tags are copied unchanged.
std::string UnescapedForm(absl::string_view source);

// TemplateParts are the parts of one template source.
struct TemplateParts {
  std::string subject;
  std::string text;
  std::string sms;
};

// ParseTemplateSource splits `source` at its "--- part ---" lines and checks every part with
// CheckMustache. The parts subject, text and sms are all required, each at most once; nothing
// but blank lines may precede the first marker. `where` prefixes errors ("it/reminder-1").
absl::StatusOr<TemplateParts> ParseTemplateSource(absl::string_view source,
                                                  absl::string_view where);

}  // namespace concerto::contact::internal
