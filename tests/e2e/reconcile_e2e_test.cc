// Issue 5's end-to-end contract: real `converge sim`, `converge run` and
// `converge apply` processes over loopback. Waits are bounded and polled.
#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "base/net.h"
#include "e2e/harness.h"
#include "sim/simulator.h"

namespace converge::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const char kNotebook[] = "2503021210191107";

std::string Service(const std::string& name, int port, const std::string& command) {
  return "---\napiVersion: converge.dev/v1alpha1\nkind: NotebookService\nmetadata: {name: " + name +
         "}\nspec:\n  provider: scnet\n  notebook: \"" + kNotebook +
         "\"\n  port: " + std::to_string(port) + "\n  command: \"" + command + "\"\n";
}

std::string NotebookFixture(const std::string& status) {
  return nlohmann::json{{"scnet",
                         {{"notebooks",
                           {{{"id", "1896050410550136833"},
                             {"notebookName", kNotebook},
                             {"notebookStatus", status}}}}}}}
      .dump();
}

class E2ETest : public ::testing::Test {
 protected:
  void WriteManifests(const std::string& sim_url, const std::string& resources) {
    dir_.Write("m/providers.yaml", ProvidersYaml(sim_url));
    dir_.Write("m/resources.yaml", resources);
  }
  TempDir dir_{"converge-e2e"};
};

TEST_F(E2ETest, EveryKindConvergesFromEmptyWithApplyWait) {
  SimProcess sim(dir_, {}, NotebookFixture("Terminated"));
  WriteManifests(sim.url(), InstanceYaml("bert") + Service("webui", 1223, "python app.py") +
                                TiOneYaml("nb-run", "Running") + TiOneYaml("nb-off", "Stopped"));
  Process apply({ConvergeBinary(), "apply", dir_.path() + "/m", "--wait", "--timeout", "60s",
                 "--state-dir", dir_.path() + "/state"},
                dir_.path() + "/apply.log", SimEnv());
  const auto code = apply.Wait(seconds(90));
  ASSERT_TRUE(code.has_value()) << apply.Log();
  EXPECT_EQ(*code, 0) << apply.Log();
  EXPECT_THAT(apply.Log(), ::testing::HasSubstr("Apply: all 4 resources Ready."));

  const auto state = sim.State();
  ASSERT_EQ(state["scnet"]["instances"].size(), 1u);
  EXPECT_EQ(state["scnet"]["instances"][0]["status"], "Running");
  EXPECT_THAT(state["scnet"]["instances"][0]["description"].get<std::string>(),
              ::testing::HasSubstr("managed-by=converge"));
  const auto& nb = state["scnet"]["notebooks"][0];
  EXPECT_EQ(nb["notebookStatus"], "Running");
  EXPECT_EQ(nb["command"], "python app.py");
  std::map<std::string, std::string> tione;
  for (const auto& n : state["tione"]["notebooks"]) tione[n["Name"]] = n["Status"];
  EXPECT_EQ(tione,
            (std::map<std::string, std::string>{{"nb-off", "Stopped"}, {"nb-run", "Running"}}));
  EXPECT_EQ(sim.Calls("scnet", "CreateContainerInstance"), 1);
  EXPECT_EQ(sim.Calls("tione", "CreateNotebook"), 2);
}

TEST_F(E2ETest, RunReactsToEditsNotebookRebootsFailuresAndBadRevisions) {
  SimProcess sim(dir_, {}, NotebookFixture("Running"));
  WriteManifests(sim.url(), InstanceYaml("always", "Always") + InstanceYaml("never", "Never") +
                                Service("webui", 1223, "python app.py") +
                                TiOneYaml("nb", "Running"));
  // A short resync: a Failed instance is noticed by the next list.
  RunProcess run(dir_, {"--resync", "2s"});
  ASSERT_TRUE(WaitFor([&] { return run.AllReady(4); }, seconds(30))) << run.Log();

  // Editing a file triggers exactly the needed call, and nothing else mutating.
  sim.ResetStats();
  dir_.Write("m/resources.yaml", InstanceYaml("always", "Always") + InstanceYaml("never", "Never") +
                                     Service("webui", 1223, "python app.py --v2") +
                                     TiOneYaml("nb", "Running"));
  ASSERT_TRUE(WaitFor([&] { return sim.Calls("scnet", "StartNotebookService") == 1; }, seconds(5)))
      << run.Log();
  EXPECT_EQ(sim.State()["scnet"]["notebooks"][0]["command"], "python app.py --v2");
  EXPECT_EQ(sim.Calls("scnet", "CreateContainerInstance"), 0);
  EXPECT_EQ(sim.Calls("scnet", "RestartContainerInstance"), 0);
  EXPECT_EQ(sim.Calls("scnet", "StartNotebook"), 0);
  EXPECT_EQ(sim.Calls("tione", "CreateNotebook") + sim.Calls("tione", "StartNotebook"), 0);

  // A notebook that goes Terminated is started, then its service started again.
  sim.Force(
      {{"cloud", "scnet"}, {"kind", "notebook"}, {"name", kNotebook}, {"status", "Terminated"}});
  ASSERT_TRUE(WaitFor([&] { return sim.Calls("scnet", "StartNotebookService") == 2; }, seconds(15)))
      << run.Log();
  EXPECT_EQ(sim.Calls("scnet", "StartNotebook"), 1);

  // A Failed instance is restarted per restartPolicy: Always yes, Never no.
  sim.Force({{"cloud", "scnet"}, {"kind", "instance"}, {"name", "always"}, {"status", "Failed"}});
  sim.Force({{"cloud", "scnet"}, {"kind", "instance"}, {"name", "never"}, {"status", "Failed"}});
  ASSERT_TRUE(
      WaitFor([&] { return sim.Calls("scnet", "RestartContainerInstance") == 1; }, seconds(10)))
      << run.Log();
  // The pass that restarted "always" listed "never" Failed too; once /status shows that,
  // the pass has decided about "never" (no sleeping for a pass).
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const auto& r : run.Status().value("resources", nlohmann::json::array())) {
          if (r.value("name", "") == "never") return r["observed"].value("state", "") == "Failed";
        }
        return false;
      },
      seconds(10)))
      << run.Log();
  EXPECT_EQ(sim.Calls("scnet", "RestartContainerInstance"), 1);

  // An invalid revision is not applied; the previous one keeps reconciling.
  const std::string revision = run.Status()["revision"];
  dir_.Write("m/broken.yaml",
             "apiVersion: converge.dev/v1alpha1\nkind: ContainerInstance\n"
             "metadata: {name: typo}\nspec: {provider: scnet, cpus: 3}\n");
  ASSERT_TRUE(WaitFor([&] { return run.Status()["specValid"] == false; }, seconds(5))) << run.Log();
  EXPECT_EQ(run.Status()["revision"], revision);
  EXPECT_THAT(run.Status()["specError"].get<std::string>(), ::testing::HasSubstr("broken.yaml"));
  sim.Force(
      {{"cloud", "scnet"}, {"kind", "notebook"}, {"name", kNotebook}, {"status", "Terminated"}});
  ASSERT_TRUE(WaitFor([&] { return sim.Calls("scnet", "StartNotebookService") == 3; }, seconds(15)))
      << run.Log();
  EXPECT_EQ(sim.CountInstances("typo"), 0);

  // SIGHUP reloads the manifests (still the broken revision: still rejected).
  const auto load_errors = [&] {
    const std::string m = Get("http://" + run.addr(), "/metrics").body;
    const auto at = m.find("\nconverge_spec_load_errors_total ");
    return at == std::string::npos ? -1 : std::stoi(m.substr(at + 33));
  };
  const int before_hup = load_errors();
  run.process().Signal(SIGHUP);
  ASSERT_TRUE(WaitFor([&] { return load_errors() == before_hup + 1; }, seconds(5))) << run.Log();
  EXPECT_THAT(run.Log(), ::testing::HasSubstr("SIGHUP: reloading manifests"));

  // SIGTERM drains and exits within 10 s.
  run.process().Signal(SIGTERM);
  const auto code = run.process().Wait(seconds(10));
  ASSERT_TRUE(code.has_value()) << "still running 10 s after SIGTERM\n" << run.Log();
  EXPECT_EQ(*code, 0);
}

TEST_F(E2ETest, CommitThenDropOnEveryCreateLeavesEachResourceExactlyOnce) {
  SimProcess sim(dir_, {"--fault", "scnet/CreateContainerInstance:drop", "--fault",
                        "tione/CreateNotebook:drop"});
  std::string resources;
  for (int i = 0; i < 5; ++i) resources += InstanceYaml("ci-" + std::to_string(i));
  for (int i = 0; i < 3; ++i) resources += TiOneYaml("nb-" + std::to_string(i), "Running");
  WriteManifests(sim.url(), resources);
  RunProcess run(dir_);
  ASSERT_TRUE(WaitFor([&] { return run.AllReady(8); }, seconds(60))) << run.Log();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(sim.CountInstances("ci-" + std::to_string(i)), 1);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(sim.CountInstances("nb-" + std::to_string(i)), 1);
  EXPECT_EQ(sim.Calls("scnet", "CreateContainerInstance"), 5);
  EXPECT_EQ(sim.Calls("tione", "CreateNotebook"), 3);
  EXPECT_GE(sim.Stats()["scnet"]["faults"]["drop"].get<int>(), 5);
  EXPECT_THAT(run.Log(), ::testing::HasSubstr("adopted"));
}

TEST_F(E2ETest, SigkillWhileCreating200InstancesThenRestartLeavesExactly200) {
  // Latency on creates keeps many in flight when the controller dies.
  SimProcess sim(dir_, {"--fault", "scnet/CreateContainerInstance:latency:100ms"});
  std::string resources;
  for (int i = 0; i < 200; ++i) resources += InstanceYaml("bulk-" + std::to_string(i));
  dir_.Write("m/providers.yaml", ProvidersYaml(sim.url(), 200, 200));
  dir_.Write("m/resources.yaml", resources);
  {
    RunProcess first(dir_, {"--concurrency", "16"});
    ASSERT_TRUE(
        WaitFor([&] { return sim.Calls("scnet", "CreateContainerInstance") >= 60; }, seconds(60)))
        << first.Log();
    first.process().Signal(SIGKILL);
    ASSERT_TRUE(first.process().Wait(seconds(5)).has_value());
  }
  const int64_t before = sim.Calls("scnet", "CreateContainerInstance");
  EXPECT_LT(before, 200) << "the kill came too late to test anything";
  RunProcess second(dir_, {"--concurrency", "16"});
  ASSERT_TRUE(WaitFor([&] { return second.ReadyCount() == 200; }, seconds(120))) << second.Log();
  const auto instances = sim.State()["scnet"]["instances"];
  std::set<std::string> names;
  for (const auto& i : instances) names.insert(i["instanceServiceName"].get<std::string>());
  EXPECT_EQ(instances.size(), 200u);
  EXPECT_EQ(names.size(), 200u);
}

}  // namespace
}  // namespace converge::e2e

namespace converge::e2e {
namespace {

// The value of one exposition line `name{labels} value` (labels as printed, sorted
// by name by prometheus-cpp); nullopt when the series is absent.
std::optional<double> Sample(const std::string& metrics, const std::string& series) {
  std::istringstream in(metrics);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return std::nullopt;
}

TEST_F(E2ETest, MetricsReportExactlyTheWorkDone) {
  SimProcess sim(
      dir_, {},
      nlohmann::json{
          {"scnet",
           {{"instances",
             {{{"id", "hand-made-1"}, {"instanceServiceName", "legacy"}, {"status", "Running"}}}}}}}
          .dump());
  WriteManifests(sim.url(), InstanceYaml("a") + InstanceYaml("b") + TiOneYaml("t", "Running"));
  RunProcess run(dir_);
  ASSERT_TRUE(WaitFor([&] { return run.AllReady(3); }, seconds(30))) << run.Log();
  // The metrics publish the settled state after /status: wait for them, not for a pass.
  const std::string url = "http://" + run.addr();
  ASSERT_TRUE(WaitFor(
      [&] {
        const std::string m = Get(url, "/metrics").body;
        return Sample(m,
                      "converge_resources{kind=\"ContainerInstance\",provider=\"scnet\",ready="
                      "\"True\",sync=\"True\"}") == 2 &&
               Sample(m,
                      "converge_resources{kind=\"TiOneNotebook\",provider=\"tione\",ready="
                      "\"True\",sync=\"True\"}") == 1 &&
               Sample(m,
                      "converge_unmanaged_resources{kind=\"ContainerInstance\",provider="
                      "\"scnet\"}") == 1;
      },
      seconds(10)))
      << run.Log();
  const test_support::Response scraped = Get(url, "/metrics");
  ASSERT_EQ(scraped.status, 200);
  const std::string& m = scraped.body;

  auto expect = [&](const std::string& series, double value) {
    const auto got = Sample(m, series);
    ASSERT_TRUE(got.has_value()) << "missing " << series << "\n" << m;
    EXPECT_EQ(*got, value) << series;
  };
  expect("converge_actions_total{action=\"create\",kind=\"ContainerInstance\",result=\"success\"}",
         2);
  expect("converge_actions_total{action=\"create\",kind=\"TiOneNotebook\",result=\"success\"}", 1);
  expect(
      "converge_resources{kind=\"ContainerInstance\",provider=\"scnet\",ready=\"True\",sync="
      "\"True\"}",
      2);
  expect(
      "converge_resources{kind=\"TiOneNotebook\",provider=\"tione\",ready=\"True\",sync=\"True\"}",
      1);
  expect("converge_unmanaged_resources{kind=\"ContainerInstance\",provider=\"scnet\"}", 1);
  expect("converge_drift_resources{kind=\"ContainerInstance\"}", 0);
  expect("converge_spec_valid", 1);
  expect("converge_spec_load_errors_total", 0);
  expect("converge_resync_interval_seconds", 60);
  expect("converge_reconcile_total{kind=\"ContainerInstance\",result=\"error\"}", 0);
  const std::string revision = run.Status()["revision"];
  expect("converge_spec_revision_info{revision=\"" + revision + "\"}", 1);
  EXPECT_THAT(m, ::testing::HasSubstr("converge_build_info{version=\""));

  // Every request the simulator counted, Converge counted with code "0".
  const auto stats = sim.Stats();
  for (const auto& [cloud, provider] : {std::pair{"scnet", "scnet"}, std::pair{"tione", "tione"}}) {
    for (const auto& [op, n] : stats[cloud]["calls"].items()) {
      expect("converge_api_requests_total{code=\"0\",operation=\"" + op + "\",provider=\"" +
                 provider + "\"}",
             n.get<double>());
    }
  }
  expect(
      "converge_api_request_duration_seconds_count{operation=\"CreateContainerInstance\",provider="
      "\"scnet\"}",
      2);
  const double last_sync = *Sample(m, "converge_last_successful_sync_timestamp_seconds");
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_GT(last_sync, now - 30);
  EXPECT_LE(last_sync, now + 1);
  // Never a resource name or id in any label.
  for (const char* name : {"legacy", "hand-made-1", "nb-", "\"a\"", "\"b\""}) {
    EXPECT_THAT(m, ::testing::Not(::testing::HasSubstr(name))) << name;
  }
}

}  // namespace
}  // namespace converge::e2e

namespace converge::e2e {
namespace {

// Secrets never reach plan output, status, metrics or logs, even when the cloud
// rejects them and at debug level. The simulator's notebooks carry an
// sshPassword in every list answer; it must not surface either.
TEST_F(E2ETest, SecretsNeverReachPlanStatusMetricsOrLogs) {
  const std::string token = "sentinel-token-5f2b9c0d7e";
  const std::string secret_key = "sentinel-key-8a1e4d6b3c";
  SimProcess sim(dir_, {}, NotebookFixture("Running"));
  const std::string password = sim.State()["scnet"]["notebooks"][0]["sshPassword"];
  ASSERT_FALSE(password.empty());
  WriteManifests(sim.url(), InstanceYaml("a") + Service("webui", 1223, "python app.py") +
                                TiOneYaml("t", "Running"));
  // The SCNet provider gets the right token, so the notebook list (with its
  // sshPassword) is read; TI-ONE gets a wrong SecretKey, so its calls fail.
  auto env = SimEnv();
  env["E2E_SECRET_KEY"] = secret_key;
  Process plan({ConvergeBinary(), "plan", dir_.path() + "/m", "-o", "json", "--log-level", "debug"},
               dir_.path() + "/plan.log", env);
  ASSERT_TRUE(plan.Wait(seconds(30)).has_value());
  EXPECT_THAT(plan.Log(), ::testing::HasSubstr("AuthFailure"));

  env["E2E_SCNET_TOKEN"] = token;  // now wrong too: SCNet answers 10009
  const int port = net::FreePort("127.0.0.1");
  const std::string addr = "127.0.0.1:" + std::to_string(port);
  Process run({ConvergeBinary(), "run", dir_.path() + "/m", "--metrics-addr", addr, "--state-dir",
               dir_.path() + "/state", "--log-level", "debug"},
              dir_.path() + "/run.log", env);
  ASSERT_TRUE(WaitFor(
      [&] {
        const auto s = Get("http://" + addr, "/status").Json();
        return s.is_object() && s["providers"].size() == 2 &&
               !s["providers"][0]["error"].get<std::string>().empty();
      },
      seconds(20)))
      << run.Log();
  const std::string status = Get("http://" + addr, "/status").body;
  const std::string metrics = Get("http://" + addr, "/metrics").body;
  EXPECT_THAT(status, ::testing::HasSubstr("10009"));
  // The run really logged the failing requests at debug level, and the plan read
  // the notebook list (whose answer carries the sshPassword).
  EXPECT_THAT(run.Log(), ::testing::HasSubstr("10009"));
  EXPECT_THAT(plan.Log(), ::testing::HasSubstr("\"action\": \"start_service\""));
  run.Signal(SIGTERM);
  ASSERT_TRUE(run.Wait(seconds(10)).has_value());

  for (const std::string& secret :
       {token, secret_key, std::string(sim::kTestScnetToken), password}) {
    EXPECT_THAT(plan.Log(), ::testing::Not(::testing::HasSubstr(secret))) << secret;
    EXPECT_THAT(run.Log(), ::testing::Not(::testing::HasSubstr(secret))) << secret;
    EXPECT_THAT(status, ::testing::Not(::testing::HasSubstr(secret))) << secret;
    EXPECT_THAT(metrics, ::testing::Not(::testing::HasSubstr(secret))) << secret;
  }
}

}  // namespace
}  // namespace converge::e2e
