// Request validation and the INVALID_ARGUMENT error model (field violations in the details).
#include "services/dunning/app/api_validation.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace concerto::dunning {
namespace {

using ::testing::Contains;
using ::testing::Field;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

auto Names(const std::string& field) { return Field(&FieldError::field, field); }

std::vector<std::string> FieldsOf(const FieldErrors& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.field);
  return out;
}

common::v1::RequestContext WriteContext() {
  common::v1::RequestContext ctx;
  ctx.set_tenant("t1");
  ctx.set_idempotency_key("k-1");
  ctx.mutable_actor()->set_id("alice");
  return ctx;
}

TEST(ApiValidationTest, EmptyWriteNamesTenantKeyActorAndDebtor) {
  v1::RecordDisputeRequest r;
  EXPECT_THAT(FieldsOf(ValidateRecordDispute(r)),
              UnorderedElementsAre("context.tenant", "context.idempotency_key", "context.actor.id",
                                   "debtor_id", "invoice_id"));
}

TEST(ApiValidationTest, ReadsNeedNoIdempotencyKey) {
  v1::GetCaseRequest r;
  r.mutable_context()->set_tenant("t1");
  r.set_debtor_id("d1");
  EXPECT_THAT(ValidateGetCase(r), IsEmpty());
}

TEST(ApiValidationTest, TenantMustNotReachIntoKeysOrPatterns) {
  EXPECT_TRUE(ValidTenant("acme-eu_1.x"));
  EXPECT_FALSE(ValidTenant("a/b"));
  EXPECT_FALSE(ValidTenant("t*"));
  EXPECT_FALSE(ValidTenant("t[1]"));
  EXPECT_FALSE(ValidTenant(""));
  EXPECT_FALSE(ValidTenant(std::string(65, 'a')));
  v1::GetCaseRequest r;
  r.mutable_context()->set_tenant("t*");
  r.set_debtor_id("d1");
  EXPECT_THAT(ValidateGetCase(r), Contains(Names("context.tenant")));
}

TEST(ApiValidationTest, PromiseAmountAndDateAreChecked) {
  const absl::CivilDay today(2026, 3, 10);
  v1::RecordPromiseRequest r;
  *r.mutable_context() = WriteContext();
  r.set_debtor_id("d1");
  EXPECT_THAT(FieldsOf(ValidateRecordPromise(r, today)),
              UnorderedElementsAre("amount", "promised_date"));

  r.mutable_amount()->set_minor_units(-5);
  r.mutable_amount()->set_currency("eur");
  r.mutable_promised_date()->set_year(2026);
  r.mutable_promised_date()->set_month(2);
  r.mutable_promised_date()->set_day(30);
  EXPECT_THAT(FieldsOf(ValidateRecordPromise(r, today)),
              UnorderedElementsAre("amount.minor_units", "amount.currency", "promised_date"));

  r.mutable_amount()->set_minor_units(10000);
  r.mutable_amount()->set_currency("EUR");
  r.mutable_promised_date()->set_day(28);  // valid, but before today
  EXPECT_THAT(FieldsOf(ValidateRecordPromise(r, today)), UnorderedElementsAre("promised_date"));

  r.mutable_promised_date()->set_month(3);
  r.mutable_promised_date()->set_day(10);
  EXPECT_THAT(ValidateRecordPromise(r, today), IsEmpty());
}

TEST(ApiValidationTest, ListCasesChecksStatesPageSizeAndMinBalance) {
  v1::ListCasesRequest r;
  r.mutable_context()->set_tenant("t1");
  r.add_states(v1::CASE_STATE_DUNNING);
  r.add_states(v1::CASE_STATE_UNSPECIFIED);
  r.set_page_size(-1);
  r.mutable_min_balance()->set_currency("EURO");
  r.set_min_days_past_due(-3);
  EXPECT_THAT(FieldsOf(ValidateListCases(r)),
              UnorderedElementsAre("states[1]", "page_size", "min_balance.currency",
                                   "min_days_past_due"));
}

TEST(ApiValidationTest, SimulateNeedsASourceAndAPortfolio) {
  v1::SimulateRequest r;
  r.mutable_context()->set_tenant("t1");
  EXPECT_THAT(FieldsOf(ValidateSimulate(r)), UnorderedElementsAre("strategy_source", "portfolio"));
  r.set_stored_version(2);
  r.mutable_portfolio()->set_debtors(10);
  EXPECT_THAT(FieldsOf(ValidateSimulate(r)), UnorderedElementsAre("strategy_id"));
}

TEST(ApiValidationTest, InvalidArgumentCarriesEveryViolationOverTheWire) {
  const absl::Status s =
      InvalidArgument({{"debtor_id", "required"}, {"context.tenant", "required"}});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "debtor_id: required\ncontext.tenant: required");
  const grpc::Status g = ToGrpc(s);
  EXPECT_EQ(g.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(FieldsOf(BadRequestOf(g)), UnorderedElementsAre("debtor_id", "context.tenant"));
  EXPECT_THAT(InvalidArgument({}).ok(), true);
}

TEST(ApiValidationTest, EngineAndYamlMessagesBecomeFieldViolations) {
  const auto engine = FieldErrorsOf(absl::InvalidArgumentError("invoice_id: no open invoice i9"));
  ASSERT_EQ(engine.size(), 1u);
  EXPECT_EQ(engine[0].field, "invoice_id");
  const auto yaml = FieldErrorsOf(absl::InvalidArgumentError(
      "segments[0].steps[1].offset_days (line 14): must be an integer\nid (line 1): required"));
  ASSERT_EQ(yaml.size(), 2u);
  EXPECT_EQ(yaml[0].field, "segments[0].steps[1].offset_days");
  EXPECT_EQ(yaml[0].description, "line 14: must be an integer");
  EXPECT_EQ(yaml[1].field, "id");
  // Not INVALID_ARGUMENT: no violations, the message is kept.
  EXPECT_THAT(FieldErrorsOf(absl::FailedPreconditionError("x: y")), IsEmpty());
  const grpc::Status g = ToGrpc(absl::FailedPreconditionError("invalid transition"));
  EXPECT_EQ(g.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(g.error_details().empty());
}

}  // namespace
}  // namespace concerto::dunning
