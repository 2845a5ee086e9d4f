// Table-driven tests of the diff: every row of the semantics table (README "How
// reconciling works") and every status value of each cloud, each with the reason
// it exists.
#include "reconcile/diff.h"

#include <gtest/gtest.h>

#include "reconcile/desired.h"
#include "support/manifests.h"

namespace converge::reconcile {
namespace {

manifest::ContainerInstance Instance(
    manifest::RestartPolicy policy = manifest::RestartPolicy::kOnFailure) {
  return test_support::ContainerInstanceModel("bert", policy);
}

manifest::NotebookService DesiredService() {
  return test_support::NotebookServiceModel("sdxl", "python entry.py --port 1223");
}

manifest::TiOneNotebook TiOne(const std::string& state) {
  return test_support::TiOneNotebookModel("notebook-test", state);
}

cloud::Observed Obs(const std::string& name, const std::string& status) {
  cloud::Observed o;
  o.id = "id-1";
  o.name = name;
  o.status = status;
  return o;
}

struct Case {
  std::string reason;  // why this case exists
  manifest::Resource desired;
  std::optional<cloud::Observed> observed;
  bool rebooted = false;
  ActionType want;
  std::string want_reason;
  bool want_ready = false;
  bool paused = false;  // Observation::paused
};

// GoogleTest prints a case by its reason (instead of dumping its bytes).
void PrintTo(const Case& c, std::ostream* os) { *os << c.reason; }

class DiffTableTest : public ::testing::TestWithParam<Case> {};

TEST_P(DiffTableTest, Decides) {
  const Case& c = GetParam();
  Observation obs;
  if (c.observed) obs.matches.push_back(&*c.observed);
  obs.notebook_rebooted = c.rebooted;
  obs.paused = c.paused;
  const Action a = Diff(c.desired, obs);
  EXPECT_EQ(ActionName(a.type), ActionName(c.want)) << c.reason;
  EXPECT_EQ(a.reason, c.want_reason) << c.reason;
  EXPECT_EQ(a.ready, c.want_ready) << c.reason;
  if (c.observed) {
    EXPECT_EQ(a.target, &*c.observed) << c.reason;
  }
}

cloud::Observed Failed(const std::string& name, const std::string& message) {
  cloud::Observed o = Obs(name, "Failed");
  o.message = message;
  return o;
}

cloud::Observed Notebook(const std::string& status, const std::string& command,
                         std::optional<int> port) {
  cloud::Observed o = Obs("2503021210191107", status);
  o.kind = cloud::ResourceKind::kNotebook;
  o.service_command = command;
  o.service_port = port;
  return o;
}

using manifest::RestartPolicy;
const std::string kCmd = "python entry.py --port 1223";

INSTANTIATE_TEST_SUITE_P(
    ContainerInstance, DiffTableTest,
    ::testing::Values(
        Case{"absent instance is created", Instance(), std::nullopt, false, ActionType::kCreate,
             "absent"},
        Case{"running is ready, nothing to do", Instance(), Obs("bert", "Running"), false,
             ActionType::kNone, "Running", true},
        Case{"deploying waits", Instance(), Obs("bert", "Deploying"), false, ActionType::kWait,
             "Deploying"},
        Case{"waiting waits", Instance(), Obs("bert", "Waiting"), false, ActionType::kWait,
             "Waiting"},
        Case{"failed + OnFailure restarts with the cloud's text", Instance(),
             Failed("bert", "image pull failed"), false, ActionType::kRestart,
             "Failed: image pull failed"},
        Case{"failed + Always restarts", Instance(RestartPolicy::kAlways), Obs("bert", "Failed"),
             false, ActionType::kRestart, "Failed"},
        Case{"failed + Never stays failed", Instance(RestartPolicy::kNever), Obs("bert", "Failed"),
             false, ActionType::kNone, "Failed (restartPolicy Never)"},
        Case{"terminated + Always restarts", Instance(RestartPolicy::kAlways),
             Obs("bert", "Terminated"), false, ActionType::kRestart,
             "Terminated (restartPolicy Always)"},
        Case{"completed + Always restarts", Instance(RestartPolicy::kAlways),
             Obs("bert", "Completed"), false, ActionType::kRestart,
             "Completed (restartPolicy Always)"},
        Case{"terminated + OnFailure is left alone", Instance(), Obs("bert", "Terminated"), false,
             ActionType::kNone, "Terminated (restartPolicy OnFailure)"},
        Case{"completed + Never is left alone", Instance(RestartPolicy::kNever),
             Obs("bert", "Completed"), false, ActionType::kNone, "Completed (restartPolicy Never)"},
        Case{"an unknown status is waited on, never acted on", Instance(), Obs("bert", "Paused"),
             false, ActionType::kWait, "unknown status \"Paused\""}));

manifest::ContainerInstance Recreating() {
  manifest::ContainerInstance ci = Instance();
  ci.spec.update_policy = "Recreate";
  return ci;
}

cloud::Observed DriftedCpu(const std::string& status) {
  cloud::Observed o = Obs("bert", status);
  o.attributes = {{"cpuNumber", "4"}};
  return o;
}

INSTANTIATE_TEST_SUITE_P(
    ContainerInstanceRecreate, DiffTableTest,
    ::testing::Values(
        Case{"updatePolicy Recreate deletes a drifted instance (the next pass creates)",
             Recreating(), DriftedCpu("Running"), false, ActionType::kDelete,
             "changed: cpu 4 \u2192 3 (updatePolicy Recreate: delete, then create)"},
        Case{"updatePolicy Recreate: a failed drifted instance is recreated, not restarted",
             Recreating(), DriftedCpu("Failed"), false, ActionType::kDelete,
             "changed: cpu 4 \u2192 3 (updatePolicy Recreate: delete, then create)"},
        Case{"updatePolicy Recreate waits out a transition", Recreating(), DriftedCpu("Deploying"),
             false, ActionType::kWait, "Deploying"},
        Case{"updatePolicy None reports drift", Instance(), DriftedCpu("Running"), false,
             ActionType::kNeedsReplace, "drift: cpu 4 \u2192 3 (needs replace; not applied)",
             true}));

manifest::ContainerInstance Paused(RestartPolicy policy = RestartPolicy::kAlways) {
  manifest::ContainerInstance ci = Instance(policy);
  ci.spec.state = "Stopped";
  return ci;
}

INSTANTIATE_TEST_SUITE_P(
    ContainerInstanceState, DiffTableTest,
    ::testing::Values(
        Case{"state Stopped stops a running instance", Paused(), Obs("bert", "Running"), false,
             ActionType::kStop, "Running, state Stopped"},
        Case{"state Stopped stops a deploying instance", Paused(), Obs("bert", "Deploying"), false,
             ActionType::kStop, "Deploying, state Stopped"},
        Case{"state Stopped stops a waiting instance", Paused(), Obs("bert", "Waiting"), false,
             ActionType::kStop, "Waiting, state Stopped"},
        Case{"state Stopped + Terminated is as desired (restartPolicy Always does not apply)",
             Paused(), Obs("bert", "Terminated"), false, ActionType::kNone,
             "Terminated (state Stopped)", true},
        Case{"state Stopped + Failed is not restarted", Paused(RestartPolicy::kOnFailure),
             Failed("bert", "oom"), false, ActionType::kNone, "Failed (state Stopped): oom", true},
        Case{"state Stopped + absent is still created (then stopped)", Paused(), std::nullopt,
             false, ActionType::kCreate, "absent"},
        Case{"back to Running restarts what the state stopped, whatever the restartPolicy",
             Instance(RestartPolicy::kNever), Obs("bert", "Terminated"), false,
             ActionType::kRestart, "Terminated (state back to Running)", false, true},
        Case{"back to Running: a Failed instance follows restartPolicy again",
             Instance(RestartPolicy::kNever), Obs("bert", "Failed"), false, ActionType::kNone,
             "Failed (restartPolicy Never)", false, true}));

cloud::Observed Drifted() {
  cloud::Observed o = Obs("bert", "Running");
  o.attributes = {{"cpuNumber", "4"}, {"ramSize", "15360"}, {"imagePath", "elsewhere:1"}};
  return o;
}

INSTANTIATE_TEST_SUITE_P(
    Drift, DiffTableTest,
    ::testing::Values(Case{"attributes that differ need replace, never applied", Instance(),
                           Drifted(), false, ActionType::kNeedsReplace,
                           "drift: image.path elsewhere:1 \u2192 10.0.35.26:5000/gpu/admin/base/"
                           "jupyter:4.4-py3.7-cpu, cpu 4 \u2192 3 (needs replace; not applied)",
                           true},
                      Case{"equal reported attributes are in sync", Instance(),
                           [] {
                             cloud::Observed o = Obs("bert", "Running");
                             o.attributes = {{"cpuNumber", "3"}, {"ramSize", "15360"}};
                             return o;
                           }(),
                           false, ActionType::kNone, "Running", true}));

INSTANTIATE_TEST_SUITE_P(
    NotebookService, DiffTableTest,
    ::testing::Values(
        Case{"notebook absent is an error, no call", DesiredService(), std::nullopt, false,
             ActionType::kError,
             "notebook not found: no SCNet notebook is named \"2503021210191107\""},
        Case{"terminated notebook is started first", DesiredService(), Notebook("Terminated", "", {}),
             false, ActionType::kStartNotebook, "notebook Terminated"},
        Case{"failed notebook is started first", DesiredService(), Notebook("Failed", "", {}), false,
             ActionType::kStartNotebook, "notebook Failed"},
        Case{"creating notebook: wait", DesiredService(), Notebook("Creating", "", {}), false,
             ActionType::kWait, "notebook Creating"},
        Case{"restarting notebook: wait", DesiredService(), Notebook("Restarting", "", {}), false,
             ActionType::kWait, "notebook Restarting"},
        Case{"shutting notebook: wait", DesiredService(), Notebook("Shutting", "", {}), false,
             ActionType::kWait, "notebook Shutting"},
        Case{"running without service: start it", DesiredService(), Notebook("Running", "", {}), false,
             ActionType::kStartService, "service not started"},
        Case{"command differs: restart service", DesiredService(),
             Notebook("Running", "python old.py", 1223), false, ActionType::kStartService,
             "service command differs"},
        Case{"port differs: restart service", DesiredService(), Notebook("Running", kCmd, 8080), false,
             ActionType::kStartService, "service port differs (8080 \u2192 1223)"},
        Case{"both differ", DesiredService(), Notebook("Running", "x", 1), false,
             ActionType::kStartService, "service command and port differ"},
        Case{"notebook rebooted since last start: start again", DesiredService(),
             Notebook("Running", kCmd, 1223), true, ActionType::kStartService,
             "service not yet started for this boot"},
        Case{"in sync", DesiredService(), Notebook("Running", kCmd, 1223), false, ActionType::kNone,
             "service running on port 1223", true}));

cloud::Observed TiOneObs(const std::string& status) {
  cloud::Observed o = Obs("notebook-test", status);
  o.kind = cloud::ResourceKind::kTiOneNotebook;
  return o;
}

INSTANTIATE_TEST_SUITE_P(
    TiOneNotebook, DiffTableTest,
    ::testing::Values(Case{"absent is created", TiOne("Running"), std::nullopt, false,
                           ActionType::kCreate, "absent"},
                      Case{"stopped + Running starts", TiOne("Running"), TiOneObs("Stopped"), false,
                           ActionType::kStart, "Stopped"},
                      Case{"running + Stopped stops", TiOne("Stopped"), TiOneObs("Running"), false,
                           ActionType::kStop, "Running, state Stopped"},
                      Case{"running + Running is ready", TiOne("Running"), TiOneObs("Running"),
                           false, ActionType::kNone, "Running", true},
                      Case{"stopped + Stopped is ready", TiOne("Stopped"), TiOneObs("Stopped"),
                           false, ActionType::kNone, "Stopped", true},
                      Case{"starting waits", TiOne("Running"), TiOneObs("Starting"), false,
                           ActionType::kWait, "Starting"},
                      Case{"stopping waits", TiOne("Stopped"), TiOneObs("Stopping"), false,
                           ActionType::kWait, "Stopping"},
                      Case{"submitting waits", TiOne("Running"), TiOneObs("Submitting"), false,
                           ActionType::kWait, "Submitting"},
                      Case{"failed + Running starts again with the cloud's reason",
                           TiOne("Running"),
                           [] {
                             cloud::Observed o = TiOneObs("Failed");
                             o.message = "no-resource";
                             return o;
                           }(),
                           false, ActionType::kStart, "Failed: no-resource"},
                      Case{"submit failed + Running starts again", TiOne("Running"),
                           TiOneObs("SubmitFailed"), false, ActionType::kStart, "SubmitFailed"},
                      Case{"failed + Stopped is as desired", TiOne("Stopped"), TiOneObs("Failed"),
                           false, ActionType::kNone, "Failed (not running, as desired)", true},
                      Case{"unknown status waits", TiOne("Running"), TiOneObs("Odd"), false,
                           ActionType::kWait, "unknown status \"Odd\""},
                      Case{"a modifiable change on a Running notebook needs a restart",
                           TiOne("Running"),
                           [] {
                             cloud::Observed o = TiOneObs("Running");
                             o.attributes = {{"ResourceConf.Cpu", "4000"}};
                             return o;
                           }(),
                           false, ActionType::kNeedsReplace,
                           "drift: resources.cpu 4000 \u2192 2000 (needs a restart: ModifyNotebook "
                           "applies it only while stopped; set updatePolicy: Restart or state: "
                           "Stopped)",
                           true}));

cloud::Observed TiOneChanged(const std::string& status, const std::string& cpu,
                             const std::string& volume = "10") {
  cloud::Observed o = TiOneObs(status);
  o.attributes = {
      {"ResourceConf.Cpu", cpu}, {"VolumeSizeInGB", volume}, {"ChargeType", "POSTPAID_BY_HOUR"}};
  return o;
}

manifest::TiOneNotebook TiOneWith(const std::string& state, const std::string& update_policy) {
  manifest::TiOneNotebook nb = TiOne(state);
  nb.spec.update_policy = update_policy;
  return nb;
}

INSTANTIATE_TEST_SUITE_P(
    TiOneNotebookChanges, DiffTableTest,
    ::testing::Values(
        Case{"a change on a Stopped notebook is applied with ModifyNotebook", TiOne("Stopped"),
             TiOneChanged("Stopped", "1000"), false, ActionType::kModify,
             "changed: resources.cpu 1000 \u2192 2000 (ModifyNotebook)"},
        Case{"a change is applied before a Stopped notebook is started again", TiOne("Running"),
             TiOneChanged("Stopped", "1000"), false, ActionType::kModify,
             "changed: resources.cpu 1000 \u2192 2000 (ModifyNotebook)"},
        Case{"a change on a Failed notebook is applied too", TiOne("Running"),
             TiOneChanged("Failed", "1000"), false, ActionType::kModify,
             "changed: resources.cpu 1000 \u2192 2000 (ModifyNotebook)"},
        Case{"Running without updatePolicy Restart: reported, needs a restart", TiOne("Running"),
             TiOneChanged("Running", "1000"), false, ActionType::kNeedsReplace,
             "drift: resources.cpu 1000 \u2192 2000 (needs a restart: ModifyNotebook applies it "
             "only while stopped; set updatePolicy: Restart or state: Stopped)",
             true},
        Case{"Running with updatePolicy Restart: stopped first", TiOneWith("Running", "Restart"),
             TiOneChanged("Running", "1000"), false, ActionType::kStop,
             "changed: resources.cpu 1000 \u2192 2000 (updatePolicy Restart: stop, "
             "ModifyNotebook, start)"},
        Case{"Running with state Stopped: stopped, modified once Stopped", TiOne("Stopped"),
             TiOneChanged("Running", "1000"), false, ActionType::kStop,
             "changed: resources.cpu 1000 \u2192 2000 (state Stopped; ModifyNotebook once "
             "Stopped)"},
        Case{"Stopping with a change waits", TiOneWith("Running", "Restart"),
             TiOneChanged("Stopping", "1000"), false, ActionType::kWait, "Stopping"},
        Case{"a volume grows with ModifyNotebook", TiOne("Stopped"),
             TiOneChanged("Stopped", "2000", "5"), false, ActionType::kModify,
             "changed: volumeSizeInGB 5 \u2192 10 (ModifyNotebook)"},
        Case{"a volume never shrinks: needs replace", TiOne("Stopped"),
             TiOneChanged("Stopped", "2000", "50"), false, ActionType::kNeedsReplace,
             "drift: volumeSizeInGB 50 \u2192 10 (needs replace; not applied)", true},
        Case{"chargeType cannot be modified: needs replace", TiOne("Stopped"),
             [] {
               cloud::Observed o = TiOneChanged("Stopped", "1000");
               o.attributes["ChargeType"] = "PREPAID";
               return o;
             }(),
             false, ActionType::kNeedsReplace,
             "drift: chargeType PREPAID \u2192 POSTPAID_BY_HOUR, resources.cpu 1000 \u2192 2000 "
             "(needs replace; not applied)",
             true}));

TEST(DiffTest, DuplicatesAreAnErrorAndNothingIsTouched) {
  const cloud::Observed a = Obs("bert", "Running"), b = Obs("bert", "Failed");
  Observation obs;
  obs.matches = {&a, &b};
  const Action act = Diff(Instance(), obs);
  EXPECT_EQ(act.type, ActionType::kError);
  EXPECT_EQ(
      act.reason,
      "2 cloud resources are named \"bert\"; resolve the duplicates by hand (Converge acts on "
      "none of them)");
}

TEST(DiffTest, FailedWithDriftStillRestartsAndReportsDrift) {
  cloud::Observed o = Obs("bert", "Failed");
  o.attributes = {{"cpuNumber", "8"}};
  Observation obs;
  obs.matches = {&o};
  const Action act = Diff(Instance(), obs);
  EXPECT_EQ(act.type, ActionType::kRestart);
  ASSERT_EQ(act.drift.size(), 1u);
  EXPECT_EQ(act.drift[0].field, "cpu");
  EXPECT_EQ(act.drift[0].desired, "3");
  EXPECT_EQ(act.drift[0].observed, "8");
}

TEST(DesiredTest, CreateRequestsCarryTheOwnershipMark) {
  auto ci = Instance();
  ci.spec.description = "nlp team";
  EXPECT_EQ(ToCreateRequest(ci).description, "nlp team managed-by=converge");
  ci.spec.description = "";
  EXPECT_EQ(ToCreateRequest(ci).description, "managed-by=converge");
  const auto req = ToCreateRequest(TiOne("Running"));
  EXPECT_EQ(req.tags.at("managed-by"), "converge");
  cloud::Observed o;
  o.description = "x managed-by=converge";
  EXPECT_TRUE(IsOwnedByConverge(o));
  o.description = "hand-made";
  EXPECT_FALSE(IsOwnedByConverge(o));
}

TEST(DesiredTest, CreateRequestMapsEveryField) {
  auto ci = Instance();
  ci.spec.start_script = manifest::StartScript{"header", "echo hi\n"};
  ci.spec.mounts = {{"/public/home/u/data", "/mnt/data", "data"}};
  ci.spec.ports = {{18888, "HTTP"}};
  ci.spec.replicas = 2;
  ci.spec.timeout = "01:00:00";
  const auto req = ToCreateRequest(ci);
  EXPECT_EQ(req.instance_service_name, "bert");
  EXPECT_EQ(req.version, "jupyter:4.4-py3.7-cpu");
  EXPECT_TRUE(req.use_start_script);
  EXPECT_EQ(req.start_script_action_scope, "header");
  EXPECT_EQ(req.start_script_content, "echo hi\n");
  EXPECT_EQ(req.cpu_number, 3);
  EXPECT_EQ(req.ram_size, 15360);
  EXPECT_EQ(req.gpu_number, 1);
  EXPECT_EQ(req.task_number, 2);
  EXPECT_EQ(req.timeout_limit, "01:00:00");
  ASSERT_EQ(req.mounts.size(), 1u);
  EXPECT_EQ(req.mounts[0].target_path, "/mnt/data");
  ASSERT_EQ(req.ports.size(), 1u);
  EXPECT_EQ(req.ports[0].container_port, 18888);
}

}  // namespace
}  // namespace converge::reconcile
