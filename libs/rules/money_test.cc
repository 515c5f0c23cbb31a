#include "libs/rules/money.h"

#include <cstdint>
#include <limits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/testing/status_matchers.h"

namespace concerto::rules {
namespace {

using ::concerto::testing::StatusIs;
using ::testing::HasSubstr;

TEST(MinorUnitExponent, KnowsIso4217ExponentsAndRejectsUnknown) {
  EXPECT_EQ(MinorUnitExponent("EUR"), 2);
  EXPECT_EQ(MinorUnitExponent("GBP"), 2);
  EXPECT_EQ(MinorUnitExponent("USD"), 2);
  EXPECT_EQ(MinorUnitExponent("SEK"), 2);
  EXPECT_EQ(MinorUnitExponent("JPY"), 0);
  EXPECT_EQ(MinorUnitExponent("XYZ"), std::nullopt);
}

TEST(FormatMoney, RendersCurrencyAndMinorUnits) {
  EXPECT_EQ(FormatMoney(Money{41250, "EUR"}).value(), "EUR 412.50");
  EXPECT_EQ(FormatMoney(Money{5, "EUR"}).value(), "EUR 0.05");
  EXPECT_EQ(FormatMoney(Money{-5, "EUR"}).value(), "EUR -0.05");
  EXPECT_EQ(FormatMoney(Money{1200, "JPY"}).value(), "JPY 1200");
  EXPECT_EQ(FormatMoney(Money{std::numeric_limits<int64_t>::min(), "USD"}).value(),
            "USD -92233720368547758.08");
}

TEST(FormatMoney, UnknownCurrencyIsInvalidArgumentNamingCurrency) {
  absl::StatusOr<std::string> s = FormatMoney(Money{1, "XYZ"});
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("currency"));
}

TEST(ParseMoney, RoundTripsFormatAndRejectsWrongDecimals) {
  EXPECT_EQ(ParseMoney("EUR 412.50").value(), (Money{41250, "EUR"}));
  EXPECT_EQ(ParseMoney("EUR 3000").value(), (Money{300000, "EUR"}));
  EXPECT_EQ(ParseMoney("EUR -0.05").value(), (Money{-5, "EUR"}));
  EXPECT_EQ(ParseMoney("JPY 1200").value(), (Money{1200, "JPY"}));
  EXPECT_THAT(ParseMoney("EUR 1.5"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseMoney("JPY 1.00"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseMoney("XYZ 1.00"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseMoney("EUR"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(AddMoney, AddsSameCurrencyRejectsMismatchAndOverflow) {
  EXPECT_EQ(AddMoney(Major(10, "EUR"), Money{5, "EUR"}).value(), (Money{1005, "EUR"}));
  EXPECT_THAT(AddMoney(Major(1, "EUR"), Major(1, "GBP")),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(AddMoney(Money{std::numeric_limits<int64_t>::max(), "EUR"}, Money{1, "EUR"}),
              StatusIs(absl::StatusCode::kOutOfRange));
}

TEST(RoundHalfAwayFromZero, TiesGoAwayFromZeroBothSigns) {
  EXPECT_EQ(RoundHalfAwayFromZero(5, 10), 1);     // 0.5
  EXPECT_EQ(RoundHalfAwayFromZero(-5, 10), -1);   // -0.5
  EXPECT_EQ(RoundHalfAwayFromZero(25, 10), 3);    // 2.5 (not banker's 2)
  EXPECT_EQ(RoundHalfAwayFromZero(-25, 10), -3);  // -2.5
  EXPECT_EQ(RoundHalfAwayFromZero(4999, 10000), 0);
  EXPECT_EQ(RoundHalfAwayFromZero(-4999, 10000), 0);
  EXPECT_EQ(RoundHalfAwayFromZero(15001, 10000), 2);
  EXPECT_EQ(RoundHalfAwayFromZero(14999, 10000), 1);
  EXPECT_EQ(RoundHalfAwayFromZero(0, 7), 0);
  EXPECT_EQ(RoundHalfAwayFromZero(21, 7), 3);
}

TEST(ParseRatePercent, ParsesExactlyUpToFourDecimals) {
  EXPECT_EQ(ParseRatePercent("10.15").value(), Rate{101'500});
  EXPECT_EQ(ParseRatePercent("8").value(), Rate::BasisPoints(800));
  EXPECT_EQ(ParseRatePercent("-0.5").value(), Rate{-5'000});
  EXPECT_EQ(ParseRatePercent("3.1234").value(), Rate{31'234});
  EXPECT_THAT(ParseRatePercent("3.12345"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseRatePercent("abc"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseRatePercent(""), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(FormatRatePercent, KeepsTwoDecimalsAtLeast) {
  EXPECT_EQ(FormatRatePercent(Rate{101'500}), "10.15%");
  EXPECT_EQ(FormatRatePercent(Rate::BasisPoints(800)), "8.00%");
  EXPECT_EQ(FormatRatePercent(Rate{31'234}), "3.1234%");
  EXPECT_EQ(FormatRatePercent(Rate{-5'000}), "-0.50%");
}

}  // namespace
}  // namespace concerto::rules
