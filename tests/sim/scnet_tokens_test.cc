// The simulated SCNet account host over HTTP: issuing signed-for tokens (with
// the timestamp skew check), renewal, state, endpoint discovery, expiry (10008)
// and revocation through /_sim/credentials.
#include <gtest/gtest.h>

#include "base/base64url.h"
#include "cloud/scnet/access_key.h"
#include "sim_harness.h"

namespace converge::sim::testing {
namespace {

using namespace std::chrono_literals;

class ScnetTokensSimTest : public SimTest {
 protected:
  ScnetTokensSimTest() { options_.scnet_token_ttl = 4s; }

  Resp Obtain(const std::string& secret_key = kTestScnetSecretKey, int64_t skew = 0) {
    const int64_t ts =
        std::chrono::duration_cast<std::chrono::seconds>(clock_.WallNow().time_since_epoch())
            .count() +
        skew;
    test_support::Request req{.method = "POST", .path = "/api/user/v3/tokens"};
    req.headers = {{"user", kTestScnetUser},
                   {"accessKey", kTestScnetAccessKey},
                   {"timestamp", std::to_string(ts)},
                   {"signature", cloud::scnet::AccessKeySignature(
                                     kTestScnetUser, kTestScnetAccessKey, secret_key, ts)}};
    return Send(req);
  }
  std::string Token() {
    Resp r = Obtain();
    EXPECT_EQ(r.j["code"], "0") << r.body;
    return r.j["data"][0]["token"].get<std::string>();
  }
};

TEST_F(ScnetTokensSimTest, IssuesAJwtWithExpireTimeForTheSignedRequest) {
  Resp r = Obtain();
  ASSERT_EQ(r.j["code"], "0") << r.body;
  ASSERT_EQ(r.j["data"].size(), 1u);
  EXPECT_EQ(r.j["data"][0]["clusterName"], "sim-kunshan");
  EXPECT_EQ(r.j["data"][0]["clusterId"], "11112");
  const std::string token = r.j["data"][0]["token"];
  const size_t dot = token.find('.');
  const json claims = json::parse(
      *Base64UrlDecode(token.substr(dot + 1, token.rfind('.') - dot - 1)), nullptr, false);
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.WallNow().time_since_epoch())
          .count();
  EXPECT_EQ(claims["expireTime"], std::to_string(now_ms + 4000));
  EXPECT_EQ(claims["user"], "simuser");
  EXPECT_EQ(claims["clusterId"], "11112");
  EXPECT_EQ(sim_->Stats()["scnet"]["tokens"]["issued"], 1);
}

TEST_F(ScnetTokensSimTest, RefusesABadSignatureAStaleTimestampAndAMissingHeader) {
  EXPECT_EQ(Obtain("wrong-secret").j,
            Envelope("10009",
                     "verification failed: the signature does not match; check the "
                     "secret key"));
  EXPECT_EQ(Obtain(kTestScnetSecretKey, -301).j,
            Envelope("10009",
                     "verification failed: the timestamp is more than 300 s away from "
                     "the server's time; check the clock"));
  EXPECT_EQ(Obtain(kTestScnetSecretKey, 299).j["code"], "0");
  test_support::Request req{.method = "POST", .path = "/api/user/v3/tokens"};
  req.headers = {{"user", kTestScnetUser}};
  EXPECT_EQ(Send(req).j, Envelope("10003", "missing parameter: header accesskey"));
}

TEST_F(ScnetTokensSimTest, AnExpiredTokenAnswers10008AndRenewsForADay) {
  const std::string token = Token();
  EXPECT_EQ(ScnetGet("/ac/openapi/v2/tokens/state", token).j,
            Envelope("0", "success", "token is valid"));
  Advance(4s);
  EXPECT_EQ(ScnetGet("/ai/openapi/v2/notebook/list?page=1&size=10", token).j,
            Envelope("10008", "insufficient permission: the token has expired"));
  Resp renewed = ScnetPost("/ac/openapi/v2/tokens/next", json::object(), token);
  ASSERT_EQ(renewed.j["code"], "0") << renewed.body;
  const std::string fresh = renewed.j["data"];
  EXPECT_NE(fresh, token);
  EXPECT_EQ(ScnetGet("/ai/openapi/v2/notebook/list?page=1&size=10", fresh).j["code"], "0");
  Advance(4s + 24h);
  EXPECT_EQ(ScnetPost("/ac/openapi/v2/tokens/next", json::object(), fresh).j,
            Envelope("10008",
                     "insufficient permission: the token expired more than 24 h ago; "
                     "obtain a new one"));
  const json tokens = sim_->Stats()["scnet"]["tokens"];
  EXPECT_EQ(tokens, json({{"issued", 1}, {"renewed", 1}, {"expired_rejections", 2}}));
  // The static test token never expires.
  EXPECT_EQ(ScnetGet("/ai/openapi/v2/notebook/list?page=1&size=10").j["code"], "0");
}

TEST_F(ScnetTokensSimTest, TheCenterPointsBackAtTheSimulator) {
  const std::string token = Token();
  Resp r = ScnetGet("/ac/openapi/v2/center", token);
  ASSERT_EQ(r.j["code"], "0") << r.body;
  EXPECT_EQ(r.j["data"]["aiUrls"],
            json::array({{{"enable", true}, {"url", sim_->BaseUrl() + "/ai"}}}));
}

TEST_F(ScnetTokensSimTest, ARevokedKeyObtainsNothingAndItsTokensStopWorking) {
  const std::string token = Token();
  Resp revoked = Admin("POST", "/_sim/credentials",
                       {{"scnet", {{"accessKey", kTestScnetAccessKey}, {"revoked", true}}}});
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(ScnetGet("/ai/openapi/v2/notebook/list?page=1&size=10", token).j,
            Envelope("10009", "no access: the access key of this token has been revoked"));
  EXPECT_EQ(Obtain().j, Envelope("10009",
                                 "verification failed: the access key has been revoked; create a "
                                 "new one in the SCNet console"));
  Resp unknown = Admin("POST", "/_sim/credentials", {{"scnet", {{"accessKey", "other"}}}});
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.j, json({{"error", "credentials: no such SCNet access key"}}));
  Resp no_key = Admin("POST", "/_sim/credentials", {{"scnet", json::object()}});
  EXPECT_EQ(no_key.status, 400);
  EXPECT_EQ(no_key.j, json({{"error",
                             "credentials: expected \"scnet\": {\"accessKey\": KEY, "
                             "\"revoked\"?: true|false}"}}));
  // The old flat shape is refused.
  EXPECT_EQ(Admin("POST", "/_sim/credentials", {{"cloud", "scnet"}, {"accessKey", "x"}}).status,
            400);
  sim_->Reset(/*state=*/true);
  EXPECT_EQ(Obtain().j["code"], "0");
}

// One /_sim/credentials body for both clouds; a request either changes all it
// names or nothing (an unknown SCNet key leaves the TI-ONE part unapplied).
TEST_F(ScnetTokensSimTest, OneCredentialsRequestChangesBothCloudsOrNothing) {
  Resp refused = Admin("POST", "/_sim/credentials",
                       {{"tione", {{"sessionToken", "session-x"}}},
                        {"scnet", {{"accessKey", "other"}, {"revoked", true}}}});
  EXPECT_EQ(refused.status, 404);
  EXPECT_EQ(refused.j, json({{"error", "credentials: no such SCNet access key"}}));
  EXPECT_FALSE(Tione("DescribeNotebooks", json::object()).j["Response"].contains("Error"));
  EXPECT_EQ(Obtain().j["code"], "0");

  Resp both = Admin("POST", "/_sim/credentials",
                    {{"tione", {{"sessionToken", "session-x"}}},
                     {"scnet", {{"accessKey", kTestScnetAccessKey}, {"revoked", true}}}});
  ASSERT_EQ(both.status, 200) << both.body;
  EXPECT_EQ(TioneErrorOf(Tione("DescribeNotebooks", json::object()))["Code"],
            "AuthFailure.TokenFailure");
  EXPECT_EQ(Obtain().j["code"], "10009");

  Resp empty = Admin("POST", "/_sim/credentials", json::object());
  EXPECT_EQ(empty.status, 400);
  EXPECT_EQ(empty.j["error"],
            "credentials: expected {\"tione\"?: {\"secretId\"?, \"secretKey\"?, "
            "\"sessionToken\"?}, \"scnet\"?: {\"accessKey\": KEY, \"revoked\"?: true|false}}, at "
            "least one of them");
}

}  // namespace
}  // namespace converge::sim::testing
