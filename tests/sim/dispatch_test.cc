// Simulator::Dispatch: the simulator's answer to a decoded request without a
// socket (what the listener calls, and the sim_dispatch fuzz target), and the
// TC3 verifier it uses (sim/tc3_verify.h) as a function.
#include <chrono>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "cloud/tione/tc3_signer.h"
#include "sim/simulator.h"
#include "sim/tc3_verify.h"

namespace converge::sim {
namespace {

std::string ReadSeed(const std::string& name) {
  std::ifstream in(std::string(CONVERGE_SOURCE_DIR) + "/tests/fixtures/seeds/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class DispatchTest : public ::testing::Test {
 protected:
  DispatchTest() : simulator_(Options()) {}
  SimOptions Options() {
    SimOptions options;
    options.clock = &clock_;
    options.random_seed = 7;
    return options;
  }
  Request Create() {
    return Request{.method = "POST",
                   .path = "/ai/openapi/v2/instance-service/task",
                   .headers = {{"token", kTestScnetToken}},
                   .body = ReadSeed("003_create_instance_request.json")};
  }
  SimulatedClock clock_;
  Simulator simulator_;
};

TEST_F(DispatchTest, AnswersWithoutStartingAListener) {
  const Answer answer = simulator_.Dispatch(Create());
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.delivery, FaultMode::kNone);
  const nlohmann::json body = nlohmann::json::parse(answer.body);
  EXPECT_EQ(body["code"], "0") << answer.body;
  ASSERT_EQ(simulator_.ListInstances().size(), 1u);
  EXPECT_EQ(simulator_.ListInstances()[0]["id"], body["data"]);
  EXPECT_EQ(simulator_.Stats()["scnet"]["calls"]["CreateContainerInstance"], 1);
}

TEST_F(DispatchTest, UnknownEndpointIs404) {
  const Answer answer = simulator_.Dispatch(Request{.method = "DELETE", .path = "/nowhere"});
  EXPECT_EQ(answer.status, 404);
  EXPECT_EQ(nlohmann::json::parse(answer.body)["msg"], "no such endpoint: DELETE /nowhere");
}

// Found by the sim_dispatch fuzz target (tests/fuzz/sim_dispatch/regressions/):
// a path that percent-decodes to bytes that are not UTF-8 made the 404 answer
// throw while serialising, a 500 "simulator failure".
TEST_F(DispatchTest, EchoedBytesThatAreNotUtf8AreReplaced) {
  const Answer answer =
      simulator_.Dispatch(Request{.method = "POST", .path = "/ai/openapi/v2/x\x97"});
  EXPECT_EQ(answer.status, 404);
  EXPECT_EQ(nlohmann::json::parse(answer.body)["msg"],
            "no such endpoint: POST /ai/openapi/v2/x\uFFFD");
  const Answer tione = simulator_.Dispatch(Request{
      .method = "POST",
      .path = "/",
      .headers = {
          {"authorization", std::string("TC3-HMAC-SHA256 Credential=") + kTestSecretId +
                                "/2023-11-14/\xff/tc3_request, SignedHeaders=content-type;host, "
                                "Signature=00"},
          {"x-tc-timestamp", "1700000000"}}});
  EXPECT_EQ(tione.status, 200);
  const nlohmann::json error = nlohmann::json::parse(tione.body)["Response"]["Error"];
  EXPECT_EQ(error["Code"], "AuthFailure.SignatureFailure");
  EXPECT_EQ(error["Message"], "The credential scope service `\uFFFD` does not match `tione`.");
}

TEST_F(DispatchTest, DeliveryFaultsAreLeftToTheCaller) {
  ASSERT_TRUE(simulator_.SetFaults(nlohmann::json::parse(
      R"({"rules":[{"cloud":"scnet","operation":"CreateContainerInstance","mode":"drop"}]})")));
  const Answer answer = simulator_.Dispatch(Create());
  EXPECT_EQ(answer.delivery, FaultMode::kDrop);
  EXPECT_EQ(nlohmann::json::parse(answer.body)["code"], "0") << answer.body;
  EXPECT_EQ(simulator_.ListInstances().size(), 1u);  // applied ("commit then drop")
}

TEST(Tc3VerifyTest, AcceptsWhatTheClientSignsAndRefusesAChangedBody) {
  const int64_t now = 1700000000;
  const Tc3Expectation expected{.secret_id = kTestSecretId,
                                .secret_key = kTestSecretKey,
                                .service = kTioneService,
                                .now = now};
  cloud::tione::Tc3Input in{.secret_id = kTestSecretId,
                            .secret_key = kTestSecretKey,
                            .host = "127.0.0.1:8089",
                            .service = kTioneService,
                            .action = "DescribeNotebooks",
                            .content_type = "application/json",
                            .payload = R"({"Offset":0})",
                            .timestamp = now};
  Request r{.method = "POST",
            .path = "/",
            .headers = {{"authorization", cloud::tione::SignTc3(in).authorization},
                        {"content-type", in.content_type},
                        {"host", in.host},
                        {"x-tc-action", in.action},
                        {"x-tc-timestamp", std::to_string(now)}},
            .body = in.payload};
  EXPECT_FALSE(VerifyTc3(r, expected).has_value());
  r.body += " ";
  const std::optional<TioneReply> refused = VerifyTc3(r, expected);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->error_code, "AuthFailure.SignatureFailure");
}

// Seen while fixing the fuzzers' findings, confirmed by the tc3_verify fuzz target under
// UBSan (tests/fuzz/tc3_verify/regressions/):
// the skew check computed now - timestamp, which overflows for the smallest int64.
TEST(Tc3VerifyTest, TimestampFarInThePastIsExpired) {
  const Tc3Expectation expected{.secret_id = kTestSecretId,
                                .secret_key = kTestSecretKey,
                                .service = kTioneService,
                                .now = 1700000000};
  const Request r{
      .method = "POST",
      .path = "/",
      .headers = {{"authorization", std::string("TC3-HMAC-SHA256 Credential=") + kTestSecretId +
                                        "/2023-11-14/tione/tc3_request, "
                                        "SignedHeaders=content-type;host, Signature=00"},
                  {"x-tc-timestamp", "-9223372036854775808"}}};
  const std::optional<TioneReply> refused = VerifyTc3(r, expected);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->error_code, "AuthFailure.SignatureExpire");
}

// The same overflow in the SCNet access-key check (ObtainToken).
TEST_F(DispatchTest, TokenTimestampFarInThePastIsRefused) {
  const Answer answer =
      simulator_.Dispatch(Request{.method = "POST",
                                  .path = "/api/user/v3/tokens",
                                  .headers = {{"user", kTestScnetUser},
                                              {"accesskey", kTestScnetAccessKey},
                                              {"timestamp", "-9223372036854775808"},
                                              {"signature", "00"}}});
  const nlohmann::json body = nlohmann::json::parse(answer.body);
  EXPECT_EQ(body["code"], "10009") << answer.body;
  EXPECT_EQ(body["msg"],
            "verification failed: the timestamp is more than 300 s away from the server's "
            "time; check the clock");
}

}  // namespace
}  // namespace converge::sim
