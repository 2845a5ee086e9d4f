// Issue 12's end-to-end contract: pruning with deletionPolicy, its guards, lost
// delete answers, and pausing, with real `converge sim`, `apply`, `plan` and `run`
// processes over loopback. Waits are bounded and polled.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/net.h"
#include "e2e/harness.h"

namespace converge::e2e {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;

std::string Keep(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += ScnetInstanceYaml("keep" + std::to_string(i));
  return out;
}

struct Ran {
  int code = -1;
  std::string log;
};

class LifecycleE2ETest : public ::testing::Test {
 protected:
  void Write(const SimProcess& sim, const std::string& resources) {
    dir_.Write("m/providers.yaml", ProvidersYaml(sim.url()));
    dir_.Write("m/resources.yaml", resources);
  }
  // One `converge COMMAND m --state-dir state ARGS...` run to its end.
  Ran Converge(const std::string& command, std::vector<std::string> args) {
    std::vector<std::string> argv = {ConvergeBinary(), command, dir_.path() + "/m", "--state-dir",
                                     dir_.path() + "/state"};
    argv.insert(argv.end(), args.begin(), args.end());
    const std::string log = dir_.path() + "/" + command + std::to_string(++runs_) + ".log";
    Process p(argv, log, SimEnv());
    Ran r;
    r.code = p.Wait(seconds(60)).value_or(-1);
    r.log = p.Log();
    return r;
  }
  std::string StatusOf(const SimProcess& sim, const std::string& name) {
    const nlohmann::json state = sim.State();  // outlives the loop
    for (const auto& i : state["scnet"]["instances"]) {
      if (i.value("instanceServiceName", "") == name) return i.value("status", "");
    }
    return "absent";
  }
  TempDir dir_{"converge-e2e-lifecycle"};
  int runs_ = 0;
};

TEST_F(LifecycleE2ETest, DeleteRemovesStopStopsOrphanStaysAndIsReportedOrphaned) {
  SimProcess sim(dir_);
  Write(sim, Keep(3) + ScnetInstanceYaml("del", "  deletionPolicy: Delete\n") +
                 ScnetInstanceYaml("stop", "  deletionPolicy: Stop\n") + ScnetInstanceYaml("orph"));
  Ran apply = Converge("apply", {"--wait", "--timeout", "60s"});
  ASSERT_EQ(apply.code, 0) << apply.log;

  Write(sim, Keep(3));
  Ran plan = Converge("plan", {"--prune", "--detailed-exitcode"});
  EXPECT_EQ(plan.code, 2) << plan.log;
  EXPECT_THAT(plan.log, HasSubstr("  - ContainerInstance/del [scnet] delete: removed from "
                                  "manifests (deletionPolicy Delete)\n"));
  EXPECT_THAT(plan.log, HasSubstr("  - ContainerInstance/stop [scnet] stop: removed from "
                                  "manifests (deletionPolicy Stop)\n"));
  EXPECT_THAT(plan.log, HasSubstr("Orphaned (created by Converge, named by no manifest any "
                                  "more):\n"));
  EXPECT_EQ(sim.Calls("scnet", "DeleteContainerInstance"), 0);  // plan changes nothing

  Ran pruned = Converge("apply", {"--prune"});
  EXPECT_EQ(pruned.code, 0) << pruned.log;
  EXPECT_EQ(sim.CountInstances("del"), 0);
  EXPECT_EQ(StatusOf(sim, "stop"), "Terminated");
  EXPECT_EQ(StatusOf(sim, "orph"), "Running");
  EXPECT_EQ(sim.Calls("scnet", "DeleteContainerInstance"), 1);
  EXPECT_EQ(sim.Calls("scnet", "StopContainerInstance"), 1);

  // Without --prune, plan shows no `-` lines but still names the orphans.
  Ran after = Converge("plan", {"-o", "json"});
  const auto j = nlohmann::json::parse(after.log.substr(after.log.find('{')));
  std::set<std::string> orphans;
  for (const auto& u : j["unmanaged"]) {
    if (u["orphaned"] == true) orphans.insert(u["name"].get<std::string>());
  }
  EXPECT_EQ(orphans, (std::set<std::string>{"orph", "stop"}));
  EXPECT_TRUE(j["prune"].empty());
}

TEST_F(LifecycleE2ETest, ARevisionRemovingMoreThanTheCapPrunesNothingAndAlerts) {
  SimProcess sim(dir_);
  std::string doomed;
  for (int i = 0; i < 3; ++i) {
    doomed += ScnetInstanceYaml("gone" + std::to_string(i), "  deletionPolicy: Delete\n");
  }
  Write(sim, Keep(4) + doomed);
  ASSERT_EQ(Converge("apply", {"--wait", "--timeout", "60s"}).code, 0);
  Write(sim, Keep(4));
  const int port = net::FreePort("127.0.0.1");
  const std::string addr = "127.0.0.1:" + std::to_string(port);
  Process run({ConvergeBinary(), "run", dir_.path() + "/m", "--state-dir", dir_.path() + "/state",
               "--metrics-addr", addr, "--prune", "--max-prune", "2", "--poll", "300ms"},
              dir_.path() + "/run.log", SimEnv());
  ASSERT_TRUE(WaitFor(
      [&] {
        const auto s = Get("http://" + addr, "/status").Json();
        return s.is_object() && !s.value("pruneBlocked", "").empty();
      },
      seconds(30)))
      << run.Log();
  EXPECT_EQ(Get("http://" + addr, "/status").Json()["pruneBlocked"],
            "this revision would prune 3 resources, more than --max-prune 2; nothing is pruned "
            "(if this is intended, run with --max-prune 3 for this change, or remove fewer at a "
            "time)");
  EXPECT_THAT(Get("http://" + addr, "/metrics").body, HasSubstr("\nconverge_prune_blocked 1\n"));
  EXPECT_THAT(run.Log(), HasSubstr("prune blocked"));
  // The log says what to do, as /status does.
  EXPECT_THAT(run.Log(), HasSubstr("run with --max-prune 3 for this change"));
  EXPECT_EQ(sim.Calls("scnet", "DeleteContainerInstance"), 0);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(sim.CountInstances("gone" + std::to_string(i)), 1);
}

TEST_F(LifecycleE2ETest, ADroppedDeleteAnswerLeadsToExactlyOneDeleteCall) {
  SimProcess sim(dir_, {"--fault", "scnet/DeleteContainerInstance:drop"});
  Write(sim, Keep(3) + ScnetInstanceYaml("del", "  deletionPolicy: Delete\n"));
  ASSERT_EQ(Converge("apply", {"--wait", "--timeout", "60s"}).code, 0);
  Write(sim, Keep(3));
  Ran first = Converge("apply", {"--prune"});
  EXPECT_EQ(sim.Calls("scnet", "DeleteContainerInstance"), 1) << first.log;
  EXPECT_EQ(sim.CountInstances("del"), 0);  // the cloud applied it; only the answer was lost
  Ran second = Converge("apply", {"--prune"});
  EXPECT_EQ(second.code, 0) << second.log;
  EXPECT_EQ(sim.Calls("scnet", "DeleteContainerInstance"), 1);
}

TEST_F(LifecycleE2ETest, StateStoppedStopsAndRunningRestarts) {
  SimProcess sim(dir_);
  Write(sim, Keep(1) + ScnetInstanceYaml("paused", "  restartPolicy: Never\n"));
  ASSERT_EQ(Converge("apply", {"--wait", "--timeout", "60s"}).code, 0);
  Write(sim, Keep(1) + ScnetInstanceYaml("paused", "  restartPolicy: Never\n  state: Stopped\n"));
  Ran stopped = Converge("apply", {"--wait", "--timeout", "60s"});
  EXPECT_EQ(stopped.code, 0) << stopped.log;
  EXPECT_EQ(StatusOf(sim, "paused"), "Terminated");
  EXPECT_EQ(sim.Calls("scnet", "StopContainerInstance"), 1);
  // A new process: the inventory remembers the pause, so Running restarts it
  // although restartPolicy is Never.
  Write(sim, Keep(1) + ScnetInstanceYaml("paused", "  restartPolicy: Never\n  state: Running\n"));
  Ran resumed = Converge("apply", {"--wait", "--timeout", "60s"});
  EXPECT_EQ(resumed.code, 0) << resumed.log;
  EXPECT_EQ(StatusOf(sim, "paused"), "Running");
  EXPECT_EQ(sim.Calls("scnet", "RestartContainerInstance"), 1);
  EXPECT_EQ(sim.Calls("scnet", "StopContainerInstance"), 1);
}

std::string TiOne(const std::string& name, const std::string& state, int cpu) {
  return "---\napiVersion: converge.dev/v1alpha1\nkind: TiOneNotebook\nmetadata: {name: " + name +
         "}\nspec:\n  provider: tione\n  state: " + state +
         "\n  resources: {instanceType: TI.S.MEDIUM.POST, cpu: " + std::to_string(cpu) +
         ", memory: 4000, gpu: 0}\n"
         "  image: {type: SYSTEM, url: \"tione.tencentcloudcr.com/qcloud-ti-platform/x:1\"}\n";
}

TEST_F(LifecycleE2ETest, ATiOneChangeOnAStoppedNotebookIsAppliedWithOneModifyNotebook) {
  SimProcess sim(dir_);
  Write(sim, TiOne("nb", "Stopped", 2000));
  ASSERT_EQ(Converge("apply", {"--wait", "--timeout", "60s"}).code, 0);
  Write(sim, TiOne("nb", "Stopped", 4000));
  Ran plan = Converge("plan", {"--detailed-exitcode"});
  EXPECT_EQ(plan.code, 2) << plan.log;
  EXPECT_THAT(plan.log, HasSubstr("modify: changed: resources.cpu 2000 \u2192 4000 "
                                  "(ModifyNotebook)"));
  Ran applied = Converge("apply", {"--wait", "--timeout", "60s"});
  EXPECT_EQ(applied.code, 0) << applied.log;
  EXPECT_EQ(sim.Calls("tione", "ModifyNotebook"), 1);
  const nlohmann::json state = sim.State();
  for (const auto& n : state["tione"]["notebooks"]) {
    if (n.value("Name", "") == "nb") {
      EXPECT_EQ(n["ResourceConf"]["Cpu"], 4000);
      EXPECT_EQ(n["Status"], "Stopped");
    }
  }
  EXPECT_EQ(Converge("plan", {"--detailed-exitcode"}).code, 0);
}

}  // namespace
}  // namespace converge::e2e
