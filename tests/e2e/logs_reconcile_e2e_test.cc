// Issue 9 items 3 and 7 end to end: a real `converge run --sim`-style process
// against a real `converge sim`, its stderr log read for provider list failures,
// and `converge reconcile` cutting a resource's backoff short.
#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include "base/net.h"
#include "e2e/harness.h"

namespace converge::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;

int Count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

int64_t NowMs() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// `converge ARGS...`; its exit code and output (stdout and stderr).
std::pair<int, std::string> Converge(const TempDir& dir, const std::string& log,
                                     std::vector<std::string> args) {
  args.insert(args.begin(), ConvergeBinary());
  Process p(args, dir.path() + "/" + log);
  const auto code = p.Wait(seconds(20));
  return {code.value_or(-1), p.Log()};
}

TEST(LogsReconcileE2ETest, ListFailureIsLoggedAndClearedAndReconcileCutsTheBackoffShort) {
  TempDir dir{"converge-e2e"};
  SimProcess sim(dir);
  dir.Write("m/providers.yaml", ProvidersYaml(sim.url()));
  dir.Write("m/resources.yaml",
            "apiVersion: converge.dev/v1alpha1\nkind: ContainerInstance\nmetadata: {name: bert}\n"
            "spec:\n  provider: scnet\n  taskType: jupyter\n"
            "  image: {name: \"jupyter:4.4-py3.7-cpu\", path: "
            "\"10.0.35.26:5000/gpu/admin/base/jupyter:4.4-py3.7-cpu\"}\n"
            "  resourceGroup: TeslaM40\n  accelerator: {type: gpu, count: 1}\n  cpu: 3\n"
            "  memoryMB: 15360\n");
  const std::string addr = "127.0.0.1:" + std::to_string(net::FreePort("127.0.0.1"));
  Process run({ConvergeBinary(), "run", dir.path() + "/m", "--metrics-addr", addr, "--state-dir",
               dir.path() + "/state", "--poll", "300ms", "--resync", "60s"},
              dir.path() + "/run.log", SimEnv());
  const std::string url = "http://" + addr;
  auto bert = [&] {
    const auto s = Get(url, "/status").Json();
    return s.is_object() && s["resources"].size() == 1 ? s["resources"][0] : nlohmann::json();
  };
  auto condition = [&](const nlohmann::json& r, const std::string& type) {
    for (const auto& c : r.value("conditions", nlohmann::json::array())) {
      if (c["type"] == type) return c;
    }
    return nlohmann::json();
  };
  ASSERT_TRUE(WaitFor(
      [&] {
        const auto r = bert();
        return r.is_object() && condition(r, "Synced")["status"] == "True" &&
               condition(r, "Ready")["status"] == "True";
      },
      seconds(30)))
      << run.Log();
  // Times are RFC 3339 strings, the milliseconds kept beside them.
  const auto ready = bert();
  EXPECT_TRUE(std::regex_match(ready["lastAttemptTime"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
      << ready.dump();
  EXPECT_GT(ready["lastAttemptTimeMs"].get<int64_t>(), NowMs() - 60000);

  // The cloud starts failing every list of instances. bert is in sync (next look
  // in 60 s), so `converge reconcile` asks for a pass now.
  ASSERT_EQ(Post(sim.url(), "/_sim/faults", nlohmann::json::parse(R"({"rules": [
                {"cloud": "scnet", "operation": "ListContainerInstances", "mode": "error"}]})"))
                .status,
            200);
  const auto [code, out] =
      Converge(dir, "reconcile1.log", {"reconcile", "ContainerInstance/bert", "--addr", addr});
  EXPECT_EQ(code, 0) << out;
  EXPECT_EQ(out, "ContainerInstance/bert [scnet]: backoff reset, reconciling now\n");
  const std::string failed_line =
      " warn provider list failed provider=scnet operation=ListContainerInstances code=10001 "
      "message=\"internal error (injected by the simulator for ListContainerInstances)\"\n";
  ASSERT_TRUE(WaitFor([&] { return Count(run.Log(), failed_line) == 1; }, seconds(15)))
      << run.Log();

  // Three failed looks later the next one is 2 to 4 s away; the failure was
  // logged once (the rule: again only when it changes, or after a minute).
  ASSERT_TRUE(WaitFor([&] { return bert().value("consecutiveFailures", 0) >= 3; }, seconds(30)))
      << run.Log();
  const auto failing = bert();
  EXPECT_EQ(condition(failing, "Synced")["reason"], "ObserveError");
  EXPECT_THAT(condition(failing, "Synced")["message"].get<std::string>(),
              HasSubstr("injected by the simulator for ListContainerInstances"));
  EXPECT_EQ(Count(run.Log(), " provider list failed "), 1) << run.Log();
  EXPECT_EQ(Count(run.Log(), " provider list still failing "), 0) << run.Log();

  // The cloud recovers; `converge reconcile` makes the look happen now, not at
  // nextRetryTime, and the condition and the log say the error is gone.
  ASSERT_EQ(Post(sim.url(), "/_sim/faults", nlohmann::json::object()).status, 200);
  const int64_t next_retry = bert()["nextRetryTimeMs"].get<int64_t>();
  ASSERT_GT(next_retry, NowMs() + 1000) << "the backoff is too short to show anything";
  const auto [code2, out2] =
      Converge(dir, "reconcile2.log", {"reconcile", "ContainerInstance/bert", "--addr", addr});
  EXPECT_EQ(code2, 0) << out2;
  ASSERT_TRUE(WaitFor(
      [&] {
        const auto r = bert();
        return condition(r, "Synced")["status"] == "True" && r["consecutiveFailures"] == 0;
      },
      seconds(10)))
      << run.Log();
  EXPECT_LT(NowMs(), next_retry) << "the pass came no sooner than the backoff allowed";
  EXPECT_EQ(Count(run.Log(), " info provider list error cleared provider=scnet "), 1) << run.Log();
  EXPECT_THAT(run.Log(), HasSubstr(" info reconcile requested: backoff reset, pass triggered "
                                   "resources=ContainerInstance/bert count=1\n"));

  // Unknown names and an unreachable controller are clear errors.
  const auto [code3, out3] =
      Converge(dir, "reconcile3.log", {"reconcile", "ContainerInstance/nope", "--addr", addr});
  EXPECT_EQ(code3, 1);
  EXPECT_EQ(out3, "converge reconcile: the controller at " + addr +
                      " refused: no resource named ContainerInstance/nope; nothing was reset "
                      "(names are KIND/NAME or KIND/PROVIDER/NAME as `converge status` lists "
                      "them)\n");
  const std::string nobody = "127.0.0.1:" + std::to_string(net::FreePort("127.0.0.1"));
  const auto [code4, out4] = Converge(dir, "reconcile4.log", {"reconcile", "--addr", nobody});
  EXPECT_EQ(code4, 1);
  EXPECT_THAT(out4, HasSubstr("converge reconcile: cannot reach a controller at " + nobody));
  EXPECT_THAT(out4, HasSubstr("(is `converge run` running? pass its --metrics-addr as --addr)"));

  // `converge status` prints the RFC 3339 time of the last successful sync.
  const auto [code5, out5] = Converge(dir, "status.log", {"status", "--addr", addr});
  EXPECT_EQ(code5, 0) << out5;
  EXPECT_TRUE(std::regex_search(
      out5,
      std::regex(R"(last successful sync \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \(\d+s ago\))")))
      << out5;

  // SIGHUP resets every resource's backoff too.
  run.Signal(SIGHUP);
  ASSERT_TRUE(WaitFor(
      [&] {
        return Count(run.Log(),
                     " info reconcile requested: backoff reset, pass triggered "
                     "resources=all count=1\n") == 1;
      },
      seconds(5)))
      << run.Log();

  run.Signal(SIGTERM);
  EXPECT_EQ(run.Wait(seconds(10)), 0) << run.Log();
}

}  // namespace
}  // namespace converge::e2e
