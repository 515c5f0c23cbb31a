#include "libs/platform/runtime/admin_service.h"

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace concerto::platform {
namespace {

namespace v1 = ::concerto::platform::v1;
using ::testing::HasSubstr;

const absl::Time kStart =
    absl::FromCivil(absl::CivilSecond(2024, 1, 15, 9, 0, 0), absl::UTCTimeZone());

absl::Time FromProto(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

class SimulatedAdminTest : public ::testing::Test {
 protected:
  SimulatedClock clock_{kStart};
  AdminServiceImpl admin_{&clock_,
                          [this](absl::Time t) {
                            clock_.Set(t);
                            return absl::OkStatus();
                          },
                          [] {
                            v1::Status s;
                            s.set_service("dunning");
                            s.set_instance("dunning-0");
                            s.set_outbox_depth(3);
                            return s;
                          }};
};

TEST_F(SimulatedAdminTest, SetClockMovesSimulatedTimeAndReturnsIt) {
  v1::SetClockRequest request;
  const absl::Time target = kStart + absl::Hours(24 * 120) + absl::Milliseconds(5);
  request.mutable_now()->set_seconds(absl::ToUnixSeconds(target));
  request.mutable_now()->set_nanos(5000000);
  v1::ClockReply reply;
  grpc::Status status = admin_.SetClock(nullptr, &request, &reply);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(clock_.Now(), target);
  EXPECT_EQ(FromProto(reply.now()), target);
}

TEST_F(SimulatedAdminTest, AdvanceClockAddsDurationAndReturnsNewTime) {
  v1::AdvanceClockRequest request;
  request.mutable_by()->set_seconds(3600);
  v1::ClockReply reply;
  ASSERT_TRUE(admin_.AdvanceClock(nullptr, &request, &reply).ok());
  ASSERT_TRUE(admin_.AdvanceClock(nullptr, &request, &reply).ok());
  EXPECT_EQ(clock_.Now(), kStart + absl::Hours(2));
  EXPECT_EQ(FromProto(reply.now()), kStart + absl::Hours(2));
}

TEST_F(SimulatedAdminTest, MissingNowIsInvalidArgumentNamingNow) {
  v1::SetClockRequest request;
  v1::ClockReply reply;
  grpc::Status status = admin_.SetClock(nullptr, &request, &reply);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("now"));
  EXPECT_EQ(clock_.Now(), kStart);
}

TEST_F(SimulatedAdminTest, OutOfRangeNowIsInvalidArgumentNamingNow) {
  v1::SetClockRequest request;
  request.mutable_now()->set_seconds(1);
  request.mutable_now()->set_nanos(-1);
  v1::ClockReply reply;
  grpc::Status status = admin_.SetClock(nullptr, &request, &reply);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("now"));
}

TEST_F(SimulatedAdminTest, MissingOrNegativeByIsInvalidArgumentNamingBy) {
  v1::ClockReply reply;
  v1::AdvanceClockRequest missing;
  grpc::Status status = admin_.AdvanceClock(nullptr, &missing, &reply);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("by"));

  v1::AdvanceClockRequest negative;
  negative.mutable_by()->set_seconds(-5);
  status = admin_.AdvanceClock(nullptr, &negative, &reply);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("by: must not be negative"));

  v1::AdvanceClockRequest negative_nanos;
  negative_nanos.mutable_by()->set_nanos(-1);
  status = admin_.AdvanceClock(nullptr, &negative_nanos, &reply);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(clock_.Now(), kStart);
}

TEST_F(SimulatedAdminTest, SetterErrorIsReturnedWithItsCode) {
  AdminServiceImpl admin(
      &clock_, [](absl::Time) { return absl::UnavailableError("redis: down"); }, nullptr);
  v1::AdvanceClockRequest request;
  request.mutable_by()->set_seconds(1);
  v1::ClockReply reply;
  grpc::Status status = admin.AdvanceClock(nullptr, &request, &reply);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(status.error_message(), "redis: down");
}

TEST_F(SimulatedAdminTest, GetStatusAddsClockToProviderFields) {
  clock_.Advance(absl::Seconds(30));
  v1::GetStatusRequest request;
  v1::Status status;
  ASSERT_TRUE(admin_.GetStatus(nullptr, &request, &status).ok());
  EXPECT_EQ(status.service(), "dunning");
  EXPECT_EQ(status.instance(), "dunning-0");
  EXPECT_EQ(status.outbox_depth(), 3);
  EXPECT_TRUE(status.simulated_clock());
  EXPECT_EQ(FromProto(status.clock_now()), kStart + absl::Seconds(30));
}

TEST(SystemClockAdminTest, SetAndAdvanceAreFailedPrecondition) {
  SystemClock clock;
  AdminServiceImpl admin(&clock, nullptr, nullptr);
  v1::ClockReply reply;
  v1::SetClockRequest set;
  set.mutable_now()->set_seconds(1700000000);
  grpc::Status status = admin.SetClock(nullptr, &set, &reply);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(status.error_message(), "clock: the system clock cannot be set");
  v1::AdvanceClockRequest advance;
  advance.mutable_by()->set_seconds(1);
  status = admin.AdvanceClock(nullptr, &advance, &reply);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST(SystemClockAdminTest, SetterOnNonSimulatedClockIsStillRefused) {
  SystemClock clock;
  bool called = false;
  AdminServiceImpl admin(
      &clock,
      [&](absl::Time) {
        called = true;
        return absl::OkStatus();
      },
      nullptr);
  v1::SetClockRequest set;
  set.mutable_now()->set_seconds(1700000000);
  v1::ClockReply reply;
  EXPECT_EQ(admin.SetClock(nullptr, &set, &reply).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_FALSE(called);
}

TEST(SystemClockAdminTest, GetStatusWithoutProviderReportsSystemClock) {
  SystemClock clock;
  AdminServiceImpl admin(&clock, nullptr, nullptr);
  v1::GetStatusRequest request;
  v1::Status status;
  const absl::Time before = absl::Now();
  ASSERT_TRUE(admin.GetStatus(nullptr, &request, &status).ok());
  EXPECT_FALSE(status.simulated_clock());
  EXPECT_GE(FromProto(status.clock_now()), before - absl::Seconds(1));
}

}  // namespace
}  // namespace concerto::platform
