// Test harness: a simulator on 127.0.0.1:0 driven by a simulated clock, and
// real HTTP clients for both clouds (TI-ONE requests signed with converge::tc3).
#pragma once

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "cloud/tione/tc3_signer.h"
#include "sim/simulator.h"
#include "support/http.h"

namespace converge::sim::testing {

using nlohmann::json;

// SCNet paths the tests call.
inline constexpr char kTask[] = "/ai/openapi/v2/instance-service/task";
inline constexpr char kList[] = "/ai/openapi/v2/notebook/list";

struct Resp {
  int status = 0;
  std::string body;
  json j;                       // discarded when the body is not JSON
  std::string transport_error;  // set when the exchange failed
};

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string SourcePath(const std::string& rel) {
  return std::string(CONVERGE_SOURCE_DIR) + "/" + rel;
}

struct TioneCall {
  std::string secret_id = kTestSecretId;
  std::string secret_key = kTestSecretKey;
  int64_t timestamp_offset = 0;
  bool sign_action = false;
  bool omit_authorization = false;
  std::string version = kTioneVersion;
  std::string region = kTestRegion;
  std::string content_type = "application/json";
  std::string body_override;  // sent instead of the signed body when non-empty
  std::string signed_host;    // the host signed over; "" = the Host header (with the port)
  std::string session_token;  // sent as X-TC-Token when non-empty
};

class SimTest : public ::testing::Test {
 protected:
  // Tests may change options_ in their constructor or before StartSim().
  SimTest() {
    options_.address = "127.0.0.1:0";
    options_.clock = &clock_;
    options_.random_seed = 42;
    options_.tione_rate_limit = 0;
    options_.fixture_file = SourcePath("tests/fixtures/sim/demo.json");
  }

  void StartSim() {
    sim_ = std::make_unique<Simulator>(options_);
    Status started = sim_->Start();
    ASSERT_TRUE(started) << started.error().message;
  }

  void SetUp() override { StartSim(); }
  void TearDown() override {
    if (sim_) sim_->Stop();
  }

  Resp Send(test_support::Request req) {
    test_support::Response response = test_support::Send(sim_->BaseUrl(), req);
    Resp out;
    out.status = response.status;
    out.j = response.Json();
    out.body = std::move(response.body);
    out.transport_error = std::move(response.transport_error);
    return out;
  }

  Resp ScnetGet(const std::string& path_and_query, const std::string& token = kTestScnetToken) {
    test_support::Request req{.method = "GET", .path = path_and_query};
    if (!token.empty()) req.headers.emplace_back("token", token);
    return Send(req);
  }

  Resp ScnetPost(const std::string& path_and_query, const json& body,
                 const std::string& token = kTestScnetToken,
                 std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
    test_support::Request req{
        .method = "POST", .path = path_and_query, .body = body.dump(), .timeout = timeout};
    if (!token.empty()) req.headers.emplace_back("token", token);
    return Send(req);
  }

  Resp Tione(const std::string& action, const json& params, const TioneCall& call = {},
             std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
    const std::string payload = params.dump();
    const int64_t ts =
        std::chrono::duration_cast<std::chrono::seconds>(clock_.WallNow().time_since_epoch())
            .count() +
        call.timestamp_offset;
    cloud::tione::Tc3Input in;
    in.secret_id = call.secret_id;
    in.secret_key = call.secret_key;
    const std::string host_header = "127.0.0.1:" + std::to_string(sim_->Port());
    in.host = call.signed_host.empty() ? host_header : call.signed_host;
    in.service = kTioneService;
    in.action = action;
    in.content_type = call.content_type;
    in.payload = payload;
    in.timestamp = ts;
    in.sign_action_header = call.sign_action;
    const auto signature = cloud::tione::SignTc3(in);
    test_support::Request req{.method = "POST",
                              .path = "/",
                              .body = call.body_override.empty() ? payload : call.body_override,
                              .content_type = call.content_type,
                              .timeout = timeout};
    req.headers.emplace_back("Host", host_header);
    if (!call.session_token.empty()) req.headers.emplace_back("X-TC-Token", call.session_token);
    if (!action.empty()) req.headers.emplace_back("X-TC-Action", action);
    if (!call.version.empty()) req.headers.emplace_back("X-TC-Version", call.version);
    if (!call.region.empty()) req.headers.emplace_back("X-TC-Region", call.region);
    req.headers.emplace_back("X-TC-Timestamp", std::to_string(ts));
    if (!call.omit_authorization) {
      req.headers.emplace_back("Authorization", signature.authorization);
    }
    return Send(req);
  }

  Resp Admin(const std::string& method, const std::string& path, const json& body = nullptr) {
    test_support::Request req{.method = method, .path = path};
    if (!body.is_null()) req.body = body.dump();
    return Send(req);
  }

  void Advance(std::chrono::milliseconds d) { clock_.Advance(d); }

  // A notebook record from the SCNet list, by name.
  json Notebook(const std::string& name) {
    Resp r = ScnetGet("/ai/openapi/v2/notebook/list?notebookName=" + name);
    EXPECT_EQ(r.j["code"], "0") << r.body;
    for (const auto& rec : r.j["data"]["records"]) {
      if (rec["notebookName"] == name) return rec;
    }
    ADD_FAILURE() << "no notebook " << name << " in " << r.body;
    return json();
  }

  json TioneDetail(const std::string& id) {
    Resp r = Tione("DescribeNotebook", {{"Id", id}});
    EXPECT_FALSE(r.j["Response"].contains("Error")) << r.body;
    return r.j["Response"]["NotebookDetail"];
  }

  static json SeedCreateRequest() {
    return json::parse(
        ReadFile(SourcePath("tests/fixtures/seeds/003_create_instance_request.json")));
  }

  static json Envelope(const std::string& code, const std::string& msg, json data = nullptr) {
    return {{"code", code}, {"msg", msg}, {"data", data}};
  }

  static json TioneErrorOf(const Resp& r) { return r.j["Response"]["Error"]; }

  SimulatedClock clock_;
  SimOptions options_;
  std::unique_ptr<Simulator> sim_;
};

}  // namespace converge::sim::testing
