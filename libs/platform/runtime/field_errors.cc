#include "libs/platform/runtime/field_errors.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "concerto/platform/v1/errors.pb.h"

namespace concerto::platform {

absl::Status InvalidArgument(const FieldErrors& errors) {
  if (errors.empty()) return absl::OkStatus();
  std::vector<std::string> lines;
  v1::BadRequest bad;
  for (const FieldError& e : errors) {
    lines.push_back(absl::StrCat(e.field, ": ", e.description));
    auto* v = bad.add_field_violations();
    v->set_field(e.field);
    v->set_description(e.description);
  }
  absl::Status s = absl::InvalidArgumentError(absl::StrJoin(lines, "\n"));
  s.SetPayload(kBadRequestTypeUrl, absl::Cord(bad.SerializeAsString()));
  return s;
}

FieldErrors FieldErrorsOf(const absl::Status& status) {
  FieldErrors out;
  if (status.code() != absl::StatusCode::kInvalidArgument) return out;
  if (auto payload = status.GetPayload(kBadRequestTypeUrl); payload.has_value()) {
    v1::BadRequest bad;
    if (bad.ParseFromString(std::string(*payload))) {
      for (const auto& v : bad.field_violations()) out.push_back({v.field(), v.description()});
      return out;
    }
  }
  for (absl::string_view line : absl::StrSplit(status.message(), '\n', absl::SkipEmpty())) {
    const size_t colon = line.find(": ");
    if (colon == absl::string_view::npos || colon == 0) continue;
    absl::string_view field = line.substr(0, colon);
    std::string description(line.substr(colon + 2));
    // "segments[0].name (line 4)" -> field "segments[0].name", description "line 4: ...".
    const size_t paren = field.find(" (line ");
    if (paren != absl::string_view::npos && absl::EndsWith(field, ")")) {
      absl::string_view where = field.substr(paren + 2, field.size() - paren - 3);
      description = absl::StrCat(where, ": ", description);
      field = field.substr(0, paren);
    }
    if (field.find(' ') != absl::string_view::npos) continue;  // prose, not a field path
    out.push_back({std::string(field), std::move(description)});
  }
  return out;
}

grpc::Status ToGrpc(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(static_cast<int>(status.code()));
  std::string message(status.message());
  if (status.code() != absl::StatusCode::kInvalidArgument) return grpc::Status(code, message);
  const FieldErrors errors = FieldErrorsOf(status);
  if (errors.empty()) return grpc::Status(code, message);
  v1::BadRequest bad;
  for (const FieldError& e : errors) {
    auto* v = bad.add_field_violations();
    v->set_field(e.field);
    v->set_description(e.description);
  }
  v1::RpcStatus details;
  details.set_code(static_cast<int>(status.code()));
  details.set_message(message);
  auto* any = details.add_details();
  any->set_type_url(kBadRequestTypeUrl);
  any->set_value(bad.SerializeAsString());
  return grpc::Status(code, message, details.SerializeAsString());
}

FieldErrors BadRequestOf(const grpc::Status& status) {
  FieldErrors out;
  v1::RpcStatus details;
  if (!details.ParseFromString(status.error_details())) return out;
  for (const auto& any : details.details()) {
    if (any.type_url() != kBadRequestTypeUrl) continue;
    v1::BadRequest bad;
    if (!bad.ParseFromString(any.value())) continue;
    for (const auto& v : bad.field_violations()) out.push_back({v.field(), v.description()});
  }
  return out;
}

bool ValidTenant(std::string_view tenant) {
  if (tenant.empty() || tenant.size() > 64) return false;
  for (char c : tenant) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

void CheckRequired(const std::string& value, const std::string& field, FieldErrors* errors,
                   size_t max) {
  if (value.empty()) {
    errors->push_back({field, "required"});
    return;
  }
  if (value.size() > max) {
    errors->push_back({field, absl::StrCat("at most ", max, " characters")});
    return;
  }
  for (char c : value) {
    if (static_cast<unsigned char>(c) < 0x20) {
      errors->push_back({field, "must not contain control characters"});
      return;
    }
  }
}

void CheckRequestContext(const common::v1::RequestContext& ctx, bool write, FieldErrors* errors) {
  if (ctx.tenant().empty()) {
    errors->push_back({"context.tenant", "required"});
  } else if (!ValidTenant(ctx.tenant())) {
    errors->push_back(
        {"context.tenant", "letters, digits, '.', '_' and '-' only, at most 64 characters"});
  }
  if (!write) return;
  CheckRequired(ctx.idempotency_key(), "context.idempotency_key", errors);
  CheckRequired(ctx.actor().id(), "context.actor.id", errors);
}

bool ValidDate(const common::v1::Date& d) {
  if (d.year() < 1900 || d.year() > 9999 || d.month() < 1 || d.month() > 12 || d.day() < 1 ||
      d.day() > 31) {
    return false;
  }
  const absl::CivilDay day(d.year(), d.month(), d.day());
  return day.year() == d.year() && day.month() == d.month() && day.day() == d.day();
}

}  // namespace concerto::platform
