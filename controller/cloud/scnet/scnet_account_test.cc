// ScnetAccount against scripted answers: the shapes of the token list that the
// simulator does not produce (a suspended account, the account-level cluster),
// the signed headers, and the center answer as a list.
#include "cloud/scnet/scnet_account.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cloud/http/scripted_transport.h"
#include "cloud/scnet/access_key.h"

namespace converge::cloud::scnet {
namespace {

using ::testing::HasSubstr;

class ScnetAccountTest : public ::testing::Test {
 protected:
  explicit ScnetAccountTest(std::string cluster = "kunshan") : random_(0) {
    auto transport = std::make_unique<http::ScriptedTransport>();
    transport_ = transport.get();
    auto caller = std::make_unique<http::ApiCaller>("p", std::move(transport), 0, 1,
                                                    http::RetryPolicy{}, clock_, random_, nullptr);
    AccountOptions options{
        .provider = "p", .account_endpoint = "https://www.scnet.cn", .cluster = std::move(cluster)};
    account_ =
        std::make_unique<ScnetAccount>(options, ScnetAccessKeySecrets{"alice", "ak-123", "sk-456"},
                                       std::move(caller), random_, nullptr);
  }
  void AnswerTokens(const std::string& data) {
    transport_->Answer(200, R"({"code":"0","msg":"success","data":)" + data + "}");
  }

  SimulatedClock clock_;
  RealRandom random_;
  http::ScriptedTransport* transport_;
  std::unique_ptr<ScnetAccount> account_;
};

TEST_F(ScnetAccountTest, SignsTheTokenRequestAndPicksTheNamedCluster) {
  AnswerTokens(R"([{"clusterName":"ac","clusterId":"0","token":"t-ac"},)"
               R"({"clusterName":"kunshan","clusterId":"11112","token":"t-ks"}])");
  EXPECT_EQ(account_->Current(), "t-ks");
  ASSERT_EQ(transport_->requests().size(), 1u);
  const http::HttpRequest sent = transport_->requests()[0];
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.target, "/api/user/v3/tokens");
  const std::string ts = std::to_string(1700000000);  // the simulated clock's wall start
  EXPECT_EQ(sent.headers,
            (std::vector<std::pair<std::string, std::string>>{
                {"user", "alice"},
                {"accessKey", "ak-123"},
                {"timestamp", ts},
                {"signature", AccessKeySignature("alice", "ak-123", "sk-456", 1700000000)}}));
  // A token of unknown lifetime is kept until the cloud rejects it.
  EXPECT_EQ(account_->Current(), "t-ks");
  EXPECT_EQ(transport_->requests().size(), 1u);
}

TEST_F(ScnetAccountTest, ASuspendedAccountGetsNoToken) {
  AnswerTokens(R"([{"clusterName":"kunshan","clusterId":"11112","token":null}])");
  auto token = account_->Current();
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().category, Error::Category::kAuth);
  EXPECT_THAT(token.error().message,
              HasSubstr("SCNet issued no token for this cluster (token: null: the account may be "
                        "suspended or in arrears)"));
}

class AccountLevelClusterTest : public ScnetAccountTest {
 protected:
  AccountLevelClusterTest() : ScnetAccountTest("ac") {}
};

TEST_F(AccountLevelClusterTest, TheAccountLevelTokenCannotCallContainerApis) {
  AnswerTokens(R"([{"clusterName":"ac","clusterId":"0","token":"t-ac"}])");
  auto token = account_->Current();
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().message,
            "cannot obtain an SCNet token for cluster \"ac\" from https://www.scnet.cn: the token "
            "of cluster \"ac\" (clusterId 0) cannot call container APIs; set spec.cluster to a "
            "computing region");
}

TEST_F(ScnetAccountTest, DiscoversTheFirstEnabledAiUrlWithoutItsAiSuffix) {
  AnswerTokens(R"([{"clusterName":"kunshan","clusterId":"11112","token":"t-ks"}])");
  transport_->Answer(200, R"({"code":"0","msg":"success","data":[{"aiUrls":[)"
                          R"({"enable":"false","url":"https://old.example.com/ai"},)"
                          R"({"enable":"true","url":"https://ai.example.com:65106/ai/"}]}]})");
  EXPECT_EQ(account_->DiscoverEndpoint(), "https://ai.example.com:65106");
  EXPECT_EQ(transport_->requests()[1].target, "/ac/openapi/v2/center");
  EXPECT_EQ(transport_->requests()[1].headers,
            (std::vector<std::pair<std::string, std::string>>{{"token", "t-ks"}}));
}

}  // namespace
}  // namespace converge::cloud::scnet
