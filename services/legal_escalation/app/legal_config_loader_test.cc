// LoadLegalConfig: service-wide and per-tenant keys, documented defaults, errors naming the key.
#include "services/legal_escalation/app/legal_config_loader.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/testing/status_matchers.h"

namespace concerto::legal {
namespace {

using ::concerto::testing::IsOk;
using ::concerto::testing::StatusIs;
using ::testing::HasSubstr;

TEST(LegalConfigLoaderTest, DefaultsWithoutKeys) {
  auto c = LoadLegalConfig(platform::Config::FromMap({}));
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->For("anyone").min_balance_minor.at("EUR"), 10000);
  EXPECT_TRUE(c->For("anyone").in_house_fallback);
  EXPECT_TRUE(c->For("anyone").partners.empty());
}

TEST(LegalConfigLoaderTest, ServiceWideAndTenantKeys) {
  auto c = LoadLegalConfig(platform::Config::FromMap({
      {"legal.min-balance", "EUR 250.00, USD 300.00"},
      {"legal.partners", "studio-rossi=IT, incasso-nl=NL|be, euro-claims"},
      {"legal.segments", "it-b2b=IT/business,nl-consumer=nl/consumer"},
      {"legal.tenants.acme.jurisdiction", "nl"},
      {"legal.tenants.acme.in-house-fallback", "false"},
      {"legal.tenants.acme.eu.min-balance", "EUR 1000.00"},
  }));
  ASSERT_THAT(c, IsOk());
  const TenantLegalConfig& d = c->defaults;
  EXPECT_EQ(d.min_balance_minor.at("EUR"), 25000);
  EXPECT_EQ(d.min_balance_minor.at("USD"), 30000);
  ASSERT_EQ(d.partners.size(), 3u);
  EXPECT_EQ(d.partners[1].jurisdictions, (std::vector<std::string>{"NL", "BE"}));
  EXPECT_TRUE(d.partners[2].jurisdictions.empty());
  EXPECT_EQ(d.segments.at("nl-consumer").jurisdiction, "NL");
  EXPECT_EQ(d.segments.at("nl-consumer").debtor_type, dunning::v1::DEBTOR_TYPE_CONSUMER);
  const TenantLegalConfig& acme = c->For("acme");
  EXPECT_EQ(acme.default_jurisdiction, "NL");
  EXPECT_FALSE(acme.in_house_fallback);
  EXPECT_EQ(acme.partners.size(), 3u);                               // inherited
  EXPECT_EQ(c->For("acme.eu").min_balance_minor.at("EUR"), 100000);  // tenant names may hold '.'
}

TEST(LegalConfigLoaderTest, ErrorsNameTheKey) {
  auto bad = LoadLegalConfig(platform::Config::FromMap({{"legal.min-balance", "100"}}));
  EXPECT_THAT(bad, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("legal.min-balance"));
  bad = LoadLegalConfig(platform::Config::FromMap({{"legal.tenants.acme.partner", "x=IT"}}));
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("legal.tenants.acme.partner"));
  bad = LoadLegalConfig(platform::Config::FromMap({{"legal.segments", "it=IT/robot"}}));
  EXPECT_THAT(bad, StatusIs(absl::StatusCode::kInvalidArgument));
  bad = LoadLegalConfig(platform::Config::FromMap({{"legal.in-house-fallback", "perhaps"}}));
  EXPECT_THAT(bad, StatusIs(absl::StatusCode::kInvalidArgument));
  bad = LoadLegalConfig(platform::Config::FromMap({{"legal.minbalance", "EUR 1.00"}}));
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("names no legal setting"));
}

}  // namespace
}  // namespace concerto::legal
