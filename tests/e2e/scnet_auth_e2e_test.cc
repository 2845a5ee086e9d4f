// Issue 11 end to end: `converge run` with an SCNet access key against `converge
// sim` issuing short-lived tokens. Real processes over loopback; every wait is
// bounded.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include "base/net.h"
#include "e2e/harness.h"
#include "sim/simulator.h"

namespace converge::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;

std::map<std::string, std::string> AccessKeyEnv() {
  return {{"E2E_SCNET_USER", sim::kTestScnetUser},
          {"E2E_SCNET_ACCESS_KEY", sim::kTestScnetAccessKey},
          {"E2E_SCNET_SECRET_KEY", sim::kTestScnetSecretKey}};
}

// An access-key provider; its endpoint is discovered from the simulator.
std::string AccessKeyProvider(const std::string& sim_url) {
  return "apiVersion: converge.dev/v1alpha1\nkind: Provider\nmetadata: {name: scnet}\nspec:\n"
         "  type: scnet\n  accountEndpoint: " +
         sim_url +
         "\n  cluster: sim-kunshan\n  auth:\n    user: {fromEnv: E2E_SCNET_USER}\n"
         "    accessKey: {fromEnv: E2E_SCNET_ACCESS_KEY}\n"
         "    secretKey: {fromEnv: E2E_SCNET_SECRET_KEY}\n"
         "  rateLimit: {qps: 50, burst: 50}\n";
}

// `converge run --log-level debug` resyncing every second with the access key, so
// tokens are used (and renewed) all the time.
RunProcess TokenRun(const TempDir& dir) {
  return RunProcess(dir, {"--resync", "1s", "--log-level", "debug"}, AccessKeyEnv());
}

// The value of one sample line of the exposition, or -1.
double GaugeValue(const std::string& metrics, const std::string& series) {
  const size_t at = metrics.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(metrics.substr(at + series.size() + 2));
}

void ExpectNoSecrets(const std::string& where, const std::string& text) {
  for (const std::string secret : {sim::kTestScnetAccessKey, sim::kTestScnetSecretKey, "eyJ"}) {
    EXPECT_THAT(text, Not(HasSubstr(secret))) << where << " shows " << secret;
  }
  EXPECT_FALSE(std::regex_search(text, std::regex("[0-9a-f]{64}"))) << where << ": a signature";
}

TEST(ScnetAuthE2E, TwentyInstancesConvergeOnceWhileFourSecondTokensAreRenewed) {
  TempDir dir("converge-e2e-auth");
  SimProcess sim(dir, {"--scnet-token-ttl", "4s"});
  std::string resources;
  for (int i = 1; i <= 20; ++i) resources += InstanceYaml("ak-" + std::to_string(i));
  dir.Write("m/providers.yaml", AccessKeyProvider(sim.url()));
  dir.Write("m/resources.yaml", resources);
  const auto start = std::chrono::steady_clock::now();
  RunProcess run = TokenRun(dir);
  ASSERT_TRUE(WaitFor([&] { return run.ReadyCount() == 20; }, seconds(30))) << run.Log();
  // Keep reconciling (a resync every second) for at least 30 s in all.
  WaitFor([&] { return std::chrono::steady_clock::now() - start >= seconds(31); }, seconds(40),
          milliseconds(500));
  ASSERT_EQ(run.ReadyCount(), 20u) << run.Log();

  for (int i = 1; i <= 20; ++i) EXPECT_EQ(sim.CountInstances("ak-" + std::to_string(i)), 1);
  EXPECT_EQ(sim.Calls("scnet", "CreateContainerInstance"), 20);
  const nlohmann::json stats = sim.Stats()["scnet"];
  EXPECT_EQ(stats["rejected"]["auth"], 0) << stats.dump();
  EXPECT_EQ(stats["tokens"]["expired_rejections"], 0) << stats.dump();
  EXPECT_EQ(stats["tokens"]["issued"], 1) << stats.dump();
  EXPECT_GE(stats["tokens"]["renewed"].get<int>(), 5) << stats.dump();

  const std::string metrics = run.Metrics();
  EXPECT_GE(GaugeValue(metrics,
                       R"(converge_credentials_refresh_total{provider="scnet",result="renewed"})"),
            5);
  EXPECT_EQ(GaugeValue(metrics,
                       R"(converge_credentials_refresh_total{provider="scnet",result="failed"})"),
            0);
  EXPECT_GT(
      GaugeValue(metrics, R"(converge_credentials_expiry_timestamp_seconds{provider="scnet"})"),
      1.7e9);
  EXPECT_THAT(metrics, Not(HasSubstr("code=\"10008\"")));
  EXPECT_THAT(metrics, Not(HasSubstr("code=\"10009\"")));

  const nlohmann::json status = run.Status();
  ASSERT_EQ(status["providers"].size(), 1u);
  EXPECT_EQ(status["providers"][0]["endpoint"], sim.url());
  const std::string log = run.Log();
  EXPECT_THAT(log, HasSubstr("operation=RenewToken"));
  ExpectNoSecrets("the debug log", log);
  ExpectNoSecrets("/status", run.StatusText());
  ExpectNoSecrets("/metrics", metrics);
}

TEST(ScnetAuthE2E, ARevokedAccessKeyPutsTheCloudsMessageOnEveryResource) {
  TempDir dir("converge-e2e-revoked");
  SimProcess sim(dir, {"--scnet-token-ttl", "4s"});
  dir.Write("m/providers.yaml", AccessKeyProvider(sim.url()));
  dir.Write("m/resources.yaml", InstanceYaml("rk-1") + InstanceYaml("rk-2"));
  RunProcess run = TokenRun(dir);
  ASSERT_TRUE(WaitFor([&] { return run.ReadyCount() == 2; }, seconds(20))) << run.Log();
  const auto revoked =
      Post(sim.url(), "/_sim/credentials",
           {{"scnet", {{"accessKey", sim::kTestScnetAccessKey}, {"revoked", true}}}});
  ASSERT_EQ(revoked.status, 200) << revoked.body;

  const std::string message = "verification failed: the access key has been revoked";
  auto carrying = [&] {
    const auto s = run.Status();
    if (!s.is_object() || !s.contains("resources")) return 0;
    int n = 0;
    for (const auto& r : s["resources"]) {
      for (const auto& c : r["conditions"]) {
        if (c.value("message", "").find(message) != std::string::npos) {
          ++n;
          break;
        }
      }
    }
    return n;
  };
  ASSERT_TRUE(WaitFor([&] { return carrying() == 2; }, seconds(20))) << run.StatusText();
  EXPECT_THAT(run.StatusText(),
              HasSubstr("cannot obtain an SCNet token for cluster \\\"sim-kunshan\\\" from " +
                        sim.url() + ": " + message));
  const std::string metrics = run.Metrics();
  // ConvergeCredentialsRefreshFailing's input (the rule itself is tested by promtool).
  EXPECT_GE(GaugeValue(metrics,
                       R"(converge_credentials_refresh_total{provider="scnet",result="failed"})"),
            1);
  EXPECT_THAT(run.Log(), HasSubstr("SCNet credentials refresh failed"));
  ExpectNoSecrets("the debug log", run.Log());
  ExpectNoSecrets("/status", run.StatusText());
  ExpectNoSecrets("/metrics", metrics);
}

TEST(ScnetAuthE2E, PlanWithAnAccessKeyShowsNoSecret) {
  TempDir dir("converge-e2e-plan-ak");
  dir.Write("m/providers.yaml", AccessKeyProvider("https://www.scnet.cn"));
  dir.Write("m/resources.yaml", InstanceYaml("pk-1"));
  Process plan({ConvergeBinary(), "plan", "--sim", "--scnet-token-ttl", "4s", "--log-level",
                "debug", dir.path() + "/m"},
               dir.path() + "/plan.log", AccessKeyEnv());
  const std::optional<int> code = plan.Wait(seconds(30));
  ASSERT_TRUE(code.has_value()) << plan.Log();
  EXPECT_EQ(*code, 0) << plan.Log();
  EXPECT_THAT(plan.Log(), HasSubstr("pk-1"));
  EXPECT_THAT(plan.Log(), HasSubstr("operation=ObtainToken"));
  ExpectNoSecrets("plan output", plan.Log());
}

}  // namespace
}  // namespace converge::e2e
