// SCNet access keys against the simulator on loopback: tokens obtained on first
// use, renewed on schedule (80 % of the lifetime or 10 minutes before expiry),
// obtained anew when too old or when renewal fails, one refresh at a time, and a
// call refused for credentials refreshed and retried exactly once. The
// simulator and the client share a simulated clock unless a test says otherwise.
#include <atomic>
#include <filesystem>
#include <regex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/log.h"
#include "base/redact.h"
#include "cloud_sim_harness.h"

namespace converge::cloud::testing {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

class ScnetTokensTest : public CloudSimTest {
 protected:
  ScnetTokensTest() { options_.scnet_token_ttl = 1h; }

  void RestartSimWithTtl(std::chrono::milliseconds ttl) {
    sim_->Stop();
    options_.scnet_token_ttl = ttl;
    StartSim();
  }
  int64_t Tokens(const std::string& counter) const {
    return sim_->Stats()["scnet"]["tokens"][counter].get<int64_t>();
  }
  int InstancesNamed(const std::string& name) const {
    int n = 0;
    for (const json& i : sim_->ListInstances()) n += i.value("instanceServiceName", "") == name;
    return n;
  }
  void Revoke(bool revoked = true) {
    converge::Status set = sim_->SetCredentials(
        {{"scnet", {{"accessKey", sim::kTestScnetAccessKey}, {"revoked", revoked}}}});
    ASSERT_TRUE(set) << set.error().message;
  }
};

TEST_F(ScnetTokensTest, ObtainsOnFirstUseAndDiscoversTheEndpoint) {
  auto scnet = Make(ScnetAccessKeyConfig(), &clock_);
  EXPECT_EQ(scnet->Endpoint(), "");
  auto listed = scnet->List(ResourceKind::kContainerInstance);
  ASSERT_TRUE(listed) << listed.error().ToString();
  EXPECT_EQ(listed->size(), 7u);
  EXPECT_EQ(scnet->Endpoint(), sim_->BaseUrl());
  EXPECT_EQ(Tokens("issued"), 1);
  EXPECT_EQ(Calls("scnet", "ObtainToken"), 1);
  EXPECT_EQ(Calls("scnet", "DescribeCenter"), 1);
  // A second call reuses both.
  ASSERT_TRUE(scnet->List(ResourceKind::kNotebook));
  EXPECT_EQ(Calls("scnet", "ObtainToken"), 1);
  EXPECT_EQ(Calls("scnet", "DescribeCenter"), 1);
  EXPECT_EQ(observer_.refreshes("obtained"), 1);
  const double expected_expiry =
      std::chrono::duration<double>((clock_.WallNow() + 1h).time_since_epoch()).count();
  EXPECT_NEAR(observer_.expiry(), expected_expiry, 1.0);
}

TEST_F(ScnetTokensTest, AnExplicitEndpointWinsOverDiscovery) {
  ProviderConfig config = ScnetAccessKeyConfig();
  config.endpoint = sim_->BaseUrl();
  auto scnet = Make(config, &clock_);
  ASSERT_TRUE(scnet->List(ResourceKind::kContainerInstance));
  EXPECT_EQ(Calls("scnet", "DescribeCenter"), 0);
  EXPECT_EQ(scnet->Endpoint(), sim_->BaseUrl());
}

TEST_F(ScnetTokensTest, RenewsAtEightyPercentOfTheLifetime) {
  auto scnet = Make(ScnetAccessKeyConfig(), &clock_);
  ASSERT_TRUE(scnet->List(ResourceKind::kContainerInstance));
  // 1 h token: 80 % is at 48 min, before the 10-minute mark (50 min).
  Advance(47min);
  ASSERT_TRUE(scnet->List(ResourceKind::kContainerInstance));
  EXPECT_EQ(Tokens("renewed"), 0);
  Advance(2min);
  ASSERT_TRUE(scnet->List(ResourceKind::kContainerInstance));
  EXPECT_EQ(Tokens("renewed"), 1);
  EXPECT_EQ(Tokens("issued"), 1);
  EXPECT_EQ(observer_.refreshes("renewed"), 1);
  // The renewed token is fresh: no second renewal right after.
  ASSERT_TRUE(scnet->List(ResourceKind::kContainerInstance));
  EXPECT_EQ(Tokens("renewed"), 1);
}

TEST_F(ScnetTokensTest, RenewsTenMinutesBeforeExpiryWhenThatComesFirst) {
  RestartSimWithTtl(30min);  // 80 % = 24 min; 10 minutes before = 20 min
  auto scnet = Make(ScnetAccessKeyConfig(), &clock_);
  ASSERT_TRUE(scnet->List(ResourceKind::kContainerInstance));
  Advance(19min);
  ASSERT_TRUE(scnet->List(ResourceKind::kContainerInstance));
  EXPECT_EQ(Tokens("renewed"), 0);
  Advance(2min);
  ASSERT_TRUE(scnet->List(ResourceKind::kContainerInstance));
  EXPECT_EQ(Tokens("renewed"), 1);
}

TEST_F(ScnetTokensTest, ObtainsAnewWhenTheTokenIsTooOldToRenew) {
  auto scnet = Make(ScnetAccessKeyConfig(), &clock_);
  ASSERT_TRUE(scnet->List(ResourceKind::kContainerInstance));
  Advance(1h + 24h + 1min);  // expired more than 24 h ago
  ASSERT_TRUE(scnet->List(ResourceKind::kContainerInstance));
  EXPECT_EQ(Calls("scnet", "RenewToken"), 0);
  EXPECT_EQ(Tokens("issued"), 2);
  EXPECT_EQ(Tokens("expired_rejections"), 0);
}

TEST_F(ScnetTokensTest, ObtainsAnewWhenRenewalFails) {
  auto scnet = Make(ScnetAccessKeyConfig(), &clock_);
  ASSERT_TRUE(scnet->List(ResourceKind::kContainerInstance));
  Fault({{"cloud", "scnet"}, {"operation", "RenewToken"}, {"mode", "error"}});
  Advance(50min);
  auto listed = scnet->List(ResourceKind::kContainerInstance);
  ASSERT_TRUE(listed) << listed.error().ToString();
  EXPECT_EQ(Calls("scnet", "RenewToken"), 4);  // the first attempt and 3 retries
  EXPECT_EQ(Tokens("renewed"), 0);
  EXPECT_EQ(Tokens("issued"), 2);
  EXPECT_EQ(observer_.refreshes("obtained"), 2);
  EXPECT_EQ(observer_.refreshes("failed"), 0);
}

TEST_F(ScnetTokensTest, ConcurrentCallersWaitForOneRefresh) {
  auto scnet = Make(ScnetAccessKeyConfig(), &clock_);
  auto burst = [&] {
    std::atomic<int> ok{0};
    std::vector<std::thread> workers;
    for (int i = 0; i < 8; ++i) {
      workers.emplace_back([&] { ok += scnet->List(ResourceKind::kNotebook) ? 1 : 0; });
    }
    for (auto& w : workers) w.join();
    return ok.load();
  };
  EXPECT_EQ(burst(), 8);
  EXPECT_EQ(Calls("scnet", "ObtainToken"), 1);
  EXPECT_EQ(Calls("scnet", "DescribeCenter"), 1);
  Advance(49min);
  EXPECT_EQ(burst(), 8);
  EXPECT_EQ(Calls("scnet", "RenewToken"), 1);
  EXPECT_EQ(Tokens("issued"), 1);
  EXPECT_EQ(Tokens("renewed"), 1);
}

// The client's clock lags the cloud's: the cloud says the token expired while
// the client thinks it fresh, so the call is refused (10008), the client obtains
// a new token and sends the call once more. Safe for a create: a refused call
// applied nothing.
TEST_F(ScnetTokensTest, ARejectedCallIsRefreshedAndRetriedExactlyOnce) {
  RestartSimWithTtl(60s);
  SimulatedClock client_clock{clock_.WallNow()};
  auto scnet = Make(ScnetAccessKeyConfig(), &client_clock);
  ASSERT_TRUE(scnet->List(ResourceKind::kContainerInstance));
  Advance(61s);  // the cloud's clock only
  auto created = scnet->CreateContainerInstance(InstanceCreate("after-expiry"));
  ASSERT_TRUE(created) << created.error().ToString();
  EXPECT_EQ(Calls("scnet", "CreateContainerInstance"), 2);
  EXPECT_EQ(Tokens("expired_rejections"), 1);
  EXPECT_EQ(Tokens("issued"), 2);
  EXPECT_EQ(InstancesNamed("after-expiry"), 1);
  EXPECT_EQ(observer_.refreshes("obtained"), 2);
}

TEST_F(ScnetTokensTest, ARevokedKeyFailsTheCallOnceWithTheCloudsMessageAndBacksOff) {
  ProviderConfig config = ScnetAccessKeyConfig();
  config.page_size = 50;  // one call per list
  auto scnet = Make(config, &clock_);
  ASSERT_TRUE(scnet->List(ResourceKind::kContainerInstance));
  Revoke();
  auto listed = scnet->List(ResourceKind::kContainerInstance);
  ASSERT_FALSE(listed);
  EXPECT_EQ(listed.error().category, Error::Category::kAuth);
  EXPECT_EQ(listed.error().code, "10009");
  EXPECT_THAT(
      listed.error().ToString(),
      HasSubstr("cannot obtain an SCNet token for cluster \"sim-kunshan\" from " + sim_->BaseUrl() +
                ": verification failed: the access key has been revoked; create a new "
                "one in the SCNet console; check spec.auth"));
  EXPECT_EQ(Calls("scnet", "ListContainerInstances"), 2);  // the refused call, not retried
  EXPECT_EQ(Calls("scnet", "ObtainToken"), 2);
  EXPECT_EQ(observer_.refreshes("failed"), 1);
  // Backing off: the next call fails at once, without calling the cloud.
  auto again = scnet->List(ResourceKind::kContainerInstance);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, "10009");
  EXPECT_EQ(Calls("scnet", "ObtainToken"), 2);
  EXPECT_EQ(Calls("scnet", "ListContainerInstances"), 2);
  // Restored and past the backoff: works again.
  Revoke(false);
  Advance(5min);
  ASSERT_TRUE(scnet->List(ResourceKind::kContainerInstance));
  EXPECT_EQ(Calls("scnet", "ObtainToken"), 3);
}

// spec.auth from files (Secret handles): the old key is revoked, its token is
// refused with 10009, and the refresh that rejection triggers reads the rotated
// files and obtains a token with the new key. A key file that became unreadable
// keeps the last key and is the provider's secret problem.
TEST_F(ScnetTokensTest, ARotatedAccessKeyFileIsUsedByTheRefreshAfterARejection) {
  const test_support::TempDir dir("scnet-tokens-rotation");
  ProviderConfig config = ScnetAccessKeyConfig();
  auto file = [&](const std::string& name, const std::string& value, const std::string& label) {
    converge::Result<Secret> secret = Secret::FromFile(dir.Write(name, value + "\n"), label);
    EXPECT_TRUE(secret) << secret.error().message;
    return *secret;
  };
  config.scnet_access_key = ScnetAccessKeySecrets{
      sim::kTestScnetUser, file("ak", sim::kTestScnetAccessKey, "spec.auth.accessKey"),
      file("sk", sim::kTestScnetSecretKey, "spec.auth.secretKey")};
  auto scnet = Make(config, &clock_);
  ASSERT_TRUE(scnet->List(ResourceKind::kContainerInstance));
  EXPECT_EQ(Tokens("issued"), 1);

  Revoke();
  dir.Write("ak", std::string(sim::kTestScnetAccessKey2) + "\n");
  dir.Write("sk", std::string(sim::kTestScnetSecretKey2) + "\n");
  auto listed = scnet->List(ResourceKind::kContainerInstance);  // 10009, refresh, retried
  ASSERT_TRUE(listed) << listed.error().ToString();
  EXPECT_EQ(Tokens("issued"), 2);
  EXPECT_EQ(scnet->SecretProblem(), "");

  std::filesystem::remove(dir.Path("sk"));
  EXPECT_EQ(scnet->SecretProblem(), "spec.auth.secretKey: cannot read secret file " +
                                        dir.Path("sk") +
                                        "; the value read before is still used; check the path "
                                        "and its permissions");
  ASSERT_TRUE(scnet->List(ResourceKind::kContainerInstance));  // the token still serves
}

// A key file rotated before the renewal is due: the due refresh obtains a token
// with the new key rather than renewing the old key's token, so revoking the old
// key afterwards costs nothing.
TEST_F(ScnetTokensTest, ARenewalDueAfterAKeyRotationObtainsWithTheNewKey) {
  RestartSimWithTtl(30min);  // renewal due at 20 min
  const test_support::TempDir dir("scnet-tokens-rotation-due");
  ProviderConfig config = ScnetAccessKeyConfig();
  converge::Result<Secret> ak = Secret::FromFile(
      dir.Write("ak", std::string(sim::kTestScnetAccessKey) + "\n"), "spec.auth.accessKey");
  converge::Result<Secret> sk = Secret::FromFile(
      dir.Write("sk", std::string(sim::kTestScnetSecretKey) + "\n"), "spec.auth.secretKey");
  ASSERT_TRUE(ak && sk);
  config.scnet_access_key = ScnetAccessKeySecrets{sim::kTestScnetUser, *ak, *sk};
  auto scnet = Make(config, &clock_);
  ASSERT_TRUE(scnet->List(ResourceKind::kContainerInstance));
  dir.Write("ak", std::string(sim::kTestScnetAccessKey2) + "\n");
  dir.Write("sk", std::string(sim::kTestScnetSecretKey2) + "\n");
  Advance(19min);  // not due: the token in hand serves, the files are not read
  ASSERT_TRUE(scnet->List(ResourceKind::kContainerInstance));
  EXPECT_EQ(Tokens("issued"), 1);
  Advance(2min);
  ASSERT_TRUE(scnet->List(ResourceKind::kContainerInstance));
  EXPECT_EQ(Tokens("renewed"), 0);
  EXPECT_EQ(Tokens("issued"), 2);
  Revoke();
  ASSERT_TRUE(scnet->List(ResourceKind::kContainerInstance));
  EXPECT_EQ(Tokens("issued"), 2);
}

TEST_F(ScnetTokensTest, AnUnknownClusterSaysWhichOnesExist) {
  ProviderConfig config = ScnetAccessKeyConfig();
  config.cluster = "hefei";
  auto scnet = Make(config, &clock_);
  auto listed = scnet->List(ResourceKind::kContainerInstance);
  ASSERT_FALSE(listed);
  EXPECT_THAT(listed.error().message,
              HasSubstr("the account has no cluster named or numbered \"hefei\"; set spec.cluster "
                        "to one of: sim-kunshan (11112)"));
}

TEST_F(ScnetTokensTest, TheStaticTokenStillWorks) {
  auto scnet = Make(ScnetConfig(), &clock_);
  ASSERT_TRUE(scnet->List(ResourceKind::kContainerInstance));
  EXPECT_EQ(Tokens("issued"), 0);
  EXPECT_EQ(scnet->Endpoint(), sim_->BaseUrl());
}

TEST_F(ScnetTokensTest, NoKeyTokenOrSignatureIsLogged) {
  log::CaptureForTesting capture(log::Level::kDebug);
  RestartSimWithTtl(60s);
  SimulatedClock client_clock{clock_.WallNow()};
  auto scnet = Make(ScnetAccessKeyConfig(), &client_clock);
  ClearSecretsForTesting();  // what the client emits, not what Redact() catches
  std::string text;
  ASSERT_TRUE(scnet->List(ResourceKind::kContainerInstance));
  client_clock.Advance(49s);
  Advance(49s);
  ASSERT_TRUE(scnet->List(ResourceKind::kContainerInstance));  // renewed
  Advance(61s);
  ASSERT_TRUE(scnet->List(ResourceKind::kContainerInstance));  // refused, obtained, retried
  Revoke();
  auto failed = scnet->List(ResourceKind::kContainerInstance);
  ASSERT_FALSE(failed);
  text += failed.error().ToString();
  const std::string logged = capture.Text() + text;
  ASSERT_THAT(logged, HasSubstr("operation=RenewToken"));
  ASSERT_THAT(logged, HasSubstr("operation=ObtainToken"));
  EXPECT_EQ(Tokens("renewed"), 1);
  EXPECT_EQ(Tokens("expired_rejections"), 1);
  for (const std::string secret :
       {sim::kTestScnetAccessKey, sim::kTestScnetSecretKey, "eyJ", "signature="}) {
    EXPECT_THAT(logged, ::testing::Not(HasSubstr(secret))) << secret;
  }
  EXPECT_FALSE(std::regex_search(logged, std::regex("[0-9a-f]{64}"))) << "a hex signature";
}

}  // namespace
}  // namespace converge::cloud::testing
