// The renewal schedule, the JWT expiry reader, the access-key signature and the
// static token source: pure functions and no I/O.
#include "cloud/scnet/token_schedule.h"

#include <gtest/gtest.h>

#include "cloud/scnet/access_key.h"
#include "cloud/scnet/jwt.h"
#include "cloud/scnet/token_source.h"
#include "support/temp_dir.h"

namespace converge::cloud::scnet {
namespace {

using namespace std::chrono_literals;

const WallTime kT0{std::chrono::seconds(1700000000)};

TEST(TokenSchedule, RenewsAtEightyPercentOfADayLongToken) {
  // 24 h: 80 % (19 h 12 min) comes before 10 minutes before expiry (23 h 50 min).
  EXPECT_EQ(RenewAt(kT0, kT0 + 24h), kT0 + 19h + 12min);
  EXPECT_EQ(Due(kT0, kT0 + 24h, kT0 + 19h + 11min), TokenAction::kUse);
  EXPECT_EQ(Due(kT0, kT0 + 24h, kT0 + 19h + 12min), TokenAction::kRenew);
}

TEST(TokenSchedule, RenewsTenMinutesBeforeExpiryWhenThatIsFirst) {
  // 30 min: 10 minutes before (20 min) comes before 80 % (24 min).
  EXPECT_EQ(RenewAt(kT0, kT0 + 30min), kT0 + 20min);
  // 50 min: both at 40 min.
  EXPECT_EQ(RenewAt(kT0, kT0 + 50min), kT0 + 40min);
}

TEST(TokenSchedule, ATokenShorterThanTenMinutesIsRenewedAtEightyPercent) {
  EXPECT_EQ(RenewAt(kT0, kT0 + 4s), kT0 + 3200ms);
  EXPECT_EQ(Due(kT0, kT0 + 4s, kT0 + 3s), TokenAction::kUse);
  EXPECT_EQ(Due(kT0, kT0 + 4s, kT0 + 3500ms), TokenAction::kRenew);
}

TEST(TokenSchedule, ExpiredTokensAreRenewedForADayThenObtainedAnew) {
  EXPECT_EQ(Due(kT0, kT0 + 1h, kT0 + 1h + 23h), TokenAction::kRenew);
  EXPECT_EQ(Due(kT0, kT0 + 1h, kT0 + 1h + 24h), TokenAction::kObtain);
}

TEST(TokenSchedule, ATokenOfUnknownLifetimeIsUsedUntilRejected) {
  EXPECT_EQ(Due(kT0, std::nullopt, kT0 + 1000h), TokenAction::kUse);
}

TEST(Jwt, ReadsExpireTimeAsStringOrNumber) {
  // Payload {"user": "u", "expireTime": "1700000123456"}.
  EXPECT_EQ(
      TokenExpiry("eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyIjogInUiLCAiZXhwaXJlVGltZSI6ICIxNzAwMDAwMTIzNDU2In0"
                  ".c2ln"),
      WallTime{1700000123456ms});
  // {"expireTime":1700000000000}
  EXPECT_EQ(TokenExpiry("e30.eyJleHBpcmVUaW1lIjoxNzAwMDAwMDAwMDAwfQ.x"), WallTime{1700000000000ms});
}

TEST(Jwt, AnythingElseHasNoKnownExpiry) {
  EXPECT_EQ(TokenExpiry("sim-scnet-token"), std::nullopt);
  EXPECT_EQ(TokenExpiry("a.b"), std::nullopt);
  EXPECT_EQ(TokenExpiry("e30.e30.x"), std::nullopt);                           // {} : no claim
  EXPECT_EQ(TokenExpiry("e30.eyJleHBpcmVUaW1lIjoic29vbiJ9.x"), std::nullopt);  // "soon"
  EXPECT_EQ(TokenExpiry("e30.!!!.x"), std::nullopt);
}

TEST(AccessKey, SignsTheSortedJsonWithHmacSha256) {
  EXPECT_EQ(AccessKeyStringToSign("alice", "ak-123", 1700000000),
            R"({"accessKey":"ak-123","timestamp":"1700000000","user":"alice"})");
  // python3: hmac.new(b"sk-456", text, hashlib.sha256).hexdigest()
  EXPECT_EQ(AccessKeySignature("alice", "ak-123", "sk-456", 1700000000),
            "6b7dae8a1f19c994e27146bd69834ad19e504f4942e9a31c24b68b073e36d141");
}

class ExpiryRecorder : public RequestObserver {
 public:
  void OnRequest(const std::string&, const std::string&, const std::string&, double) override {}
  void OnCredentialsExpiry(const std::string& provider, double epoch_seconds) override {
    reports.push_back(provider + "=" + std::to_string(static_cast<int64_t>(epoch_seconds)));
  }
  std::vector<std::string> reports;
};

// spec.token from a file (a Secret): read for every call, so a rotated file is
// used by the next call and by the retry after a rejection.
TEST(StaticTokenSource, ReportsAJwtsExpiryOnceAndReadsTheSecretEachTime) {
  ExpiryRecorder observer;
  const test_support::TempDir dir("token-source-test");
  std::string current = "e30.eyJleHBpcmVUaW1lIjoxNzAwMDAwMDAwMDAwfQ.x";
  converge::Result<Secret> token =
      Secret::FromFile(dir.Write("token", current + "\n"), "spec.token");
  ASSERT_TRUE(token) << token.error().message;
  StaticTokenSource source("p", *token, &observer);
  EXPECT_EQ(source.Current(), current);
  EXPECT_EQ(source.Current(), current);
  EXPECT_EQ(observer.reports, std::vector<std::string>{"p=1700000000"});
  // Rejected: retried only when the secret changed.
  Error why;
  why.code = "10008";
  auto same = source.AfterRejection(current, why);
  ASSERT_FALSE(same);
  EXPECT_EQ(same.error().code, "10008");
  const std::string rejected = current;
  dir.Write("token", "rotated-token\n");
  EXPECT_EQ(source.AfterRejection(rejected, why), "rotated-token");
  EXPECT_EQ(source.Current(), "rotated-token");
}

}  // namespace
}  // namespace converge::cloud::scnet
