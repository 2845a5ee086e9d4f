// The simulator on the wire (sim/http_front.cc over serve::HttpListener): what
// the listener decodes and how it answers, beyond the clouds' own behaviour.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sim_harness.h"

namespace converge::sim::testing {
namespace {

class ListenerTest : public SimTest {};

TEST_F(ListenerTest, AnswersAreJsonWithTheirContentType) {
  const test_support::Response stats = test_support::Get(sim_->BaseUrl(), "/_sim/stats");
  EXPECT_EQ(stats.status, 200) << stats.transport_error;
  EXPECT_EQ(stats.content_type, "application/json");
  const test_support::Response unknown = test_support::Get(sim_->BaseUrl(), "/no%20such");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.content_type, "application/json");
  EXPECT_EQ(unknown.Json()["msg"], "no such endpoint: GET /no such");  // percent-decoded
}

TEST_F(ListenerTest, AMalformedPercentEscapeIsA400) {
  const test_support::Response bad = test_support::Get(sim_->BaseUrl(), "/ai/%zz");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.Json()["error"],
            "the request path has a '%' without two hexadecimal digits after it");
  const test_support::Response query =
      test_support::Get(sim_->BaseUrl(), std::string(kList) + "?a=%4");
  EXPECT_EQ(query.status, 400);
}

TEST_F(ListenerTest, ItsThreadsHaveNamesOfTheirOwn) {
  ASSERT_EQ(test_support::Get(sim_->BaseUrl(), "/_sim/stats").status, 200);
  int accept = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    std::getline(comm, name);
    accept += name == "sim-accept";
  }
  EXPECT_EQ(accept, 1);
}

TEST(SimulatorListenTest, ServesOnIpv6Loopback) {
  SimOptions o;
  o.address = "[::1]:0";
  Simulator sim(o);
  if (Status started = sim.Start(); !started) {
    GTEST_SKIP() << "no IPv6 loopback here: " << started.error().message;
  }
  EXPECT_TRUE(sim.BaseUrl().starts_with("http://[::1]:")) << sim.BaseUrl();
  const test_support::Response stats = test_support::Get(sim.BaseUrl(), "/_sim/stats");
  EXPECT_EQ(stats.status, 200) << stats.transport_error;
  EXPECT_TRUE(stats.Json().contains("scnet")) << stats.body;
  sim.Stop();
}

}  // namespace
}  // namespace converge::sim::testing
