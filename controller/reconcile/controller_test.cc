// The controller against an in-memory provider and a simulated clock: the
// semantics of observe/act/schedule, no duplicate creates, status, backoff.
#include "reconcile/controller.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "reconcile/fake_provider.h"
#include "reconcile/test_specs.h"

namespace converge::reconcile {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

spec::ContainerInstance Instance(const std::string& name) { return testing::TestInstance(name); }

spec::NotebookService Service() {
  spec::NotebookService ns;
  ns.metadata.name = "webui";
  ns.spec.provider = "scnet";
  ns.spec.notebook = "2503021210191107";
  ns.spec.port = 1223;
  ns.spec.command = "python app.py";
  return ns;
}

spec::TiOneNotebook TiOne(const std::string& name, const std::string& state) {
  spec::TiOneNotebook nb;
  nb.metadata.name = name;
  nb.spec.provider = "tione";
  nb.spec.state = state;
  return nb;
}

class ControllerTest : public ::testing::Test {
 protected:
  ControllerTest()
      : scnet_(std::make_shared<FakeProvider>("scnet")),
        tione_(std::make_shared<FakeProvider>("tione")),
        random_(0),
        controller_(Options(), journal_, clock_, random_) {}

  static ControllerOptions Options() {
    ControllerOptions o;
    o.resync = seconds(30);
    o.poll = seconds(2);
    o.create_grace = seconds(10);
    o.concurrency = 4;
    return o;
  }

  void Install(std::vector<spec::Resource> resources) {
    spec::ManifestSet m;
    m.revision = "rev1";
    m.resources = std::move(resources);
    ProviderMap providers;
    providers["scnet"] = {
        scnet_, {cloud::ResourceKind::kContainerInstance, cloud::ResourceKind::kNotebook}};
    providers["tione"] = {tione_, {cloud::ResourceKind::kTiOneNotebook}};
    controller_.SetManifests(std::move(m), std::move(providers));
  }

  ResourceStatus StatusOf(const std::string& name) {
    for (const auto& r : controller_.Snapshot().resources) {
      if (r.name == name) return r;
    }
    ADD_FAILURE() << "no status for " << name;
    return {};
  }

  int CountNamed(const std::string& name) {
    int n = 0;
    for (const auto& o : scnet_->All()) n += o.name == name ? 1 : 0;
    return n;
  }

  std::shared_ptr<FakeProvider> scnet_, tione_;
  MemoryJournal journal_;
  SimulatedClock clock_;
  PinnedRandom random_;
  Controller controller_;
};

TEST_F(ControllerTest, CreatesAbsentInstanceOnceThenWaitsUntilRunning) {
  Install({Instance("bert")});
  PassResult pass = controller_.RunPass(false);
  EXPECT_EQ(pass.actions, 1);
  EXPECT_EQ(scnet_->CountCalls("CreateContainerInstance"), 1);
  auto st = StatusOf("bert");
  EXPECT_EQ(st.synced.status, "True");
  EXPECT_EQ(st.synced.reason, "Created");
  EXPECT_EQ(st.ready.status, "False");
  EXPECT_EQ(st.observed_id, "ci-1");
  EXPECT_TRUE(journal_.Pending().empty());

  // Nothing is due until the poll interval passes.
  EXPECT_EQ(controller_.RunPass(false).actions, 0);
  EXPECT_EQ(scnet_->CountCalls("List"), 2);  // both kinds of the first pass only

  clock_.Advance(seconds(2));
  controller_.RunPass(false);
  EXPECT_EQ(StatusOf("bert").ready.reason, "Waiting");
  scnet_->SetStatus("bert", "Running");
  clock_.Advance(seconds(2));
  controller_.RunPass(false);
  st = StatusOf("bert");
  EXPECT_EQ(st.ready.status, "True");
  EXPECT_EQ(st.observed_state, "Running");
  EXPECT_TRUE(st.owned);
  EXPECT_EQ(scnet_->CountCalls("CreateContainerInstance"), 1);
  EXPECT_TRUE(controller_.Settled());
}

TEST_F(ControllerTest, LostCreateAnswerIsAdoptedNeverDuplicated) {
  Install({Instance("bert")});
  scnet_->FailNext("CreateContainerInstance", LostAnswer("CreateContainerInstance"),
                   /*commit=*/true);
  controller_.RunPass(false);
  auto st = StatusOf("bert");
  EXPECT_EQ(st.synced.reason, "CreateOutcomeUnknown");
  EXPECT_THAT(st.synced.message, HasSubstr("will list by name and adopt"));
  ASSERT_EQ(journal_.Pending().size(), 1u);

  clock_.Advance(seconds(5));
  controller_.RunPass(true);
  EXPECT_EQ(scnet_->CountCalls("CreateContainerInstance"), 1);
  EXPECT_EQ(CountNamed("bert"), 1);
  EXPECT_TRUE(journal_.Pending().empty());
  EXPECT_EQ(StatusOf("bert").synced.reason, "Adopted");
}

TEST_F(ControllerTest, LostCreateThatDidNotHappenIsRetriedOnlyAfterTheGracePeriod) {
  Install({Instance("bert")});
  scnet_->FailNext("CreateContainerInstance", LostAnswer("CreateContainerInstance"),
                   /*commit=*/false);
  controller_.RunPass(false);
  EXPECT_EQ(CountNamed("bert"), 0);

  clock_.Advance(seconds(3));  // still inside the grace period
  controller_.RunPass(true);
  EXPECT_EQ(scnet_->CountCalls("ListByName bert"), 1);
  EXPECT_EQ(scnet_->CountCalls("CreateContainerInstance"), 1);
  EXPECT_EQ(StatusOf("bert").synced.reason, "CreatePending");

  clock_.Advance(seconds(8));  // past it: a list proves absence, create again
  controller_.RunPass(false);
  EXPECT_EQ(scnet_->CountCalls("ListByName bert"), 2);
  EXPECT_EQ(scnet_->CountCalls("CreateContainerInstance"), 2);
  EXPECT_EQ(CountNamed("bert"), 1);
  EXPECT_TRUE(journal_.Pending().empty());
}

TEST_F(ControllerTest, DefiniteRefusalClearsTheIntentAndBacksOff) {
  Install({Instance("bert")});
  scnet_->FailNext("CreateContainerInstance",
                   Refused("CreateContainerInstance", "10004", "ramSize invalid"));
  controller_.RunPass(false);
  auto st = StatusOf("bert");
  EXPECT_EQ(st.synced.status, "False");
  EXPECT_EQ(st.synced.reason, "ReconcileError");
  EXPECT_THAT(st.synced.message, HasSubstr("ramSize invalid"));
  EXPECT_THAT(st.synced.message, HasSubstr("10004"));
  EXPECT_TRUE(st.terminal);
  EXPECT_TRUE(journal_.Pending().empty());
  EXPECT_EQ(st.consecutive_failures, 1);
  // PinnedRandom(0): the first backoff is half of 1 s.
  EXPECT_EQ(st.next_retry_ms - st.last_attempt_ms, 500);
}

TEST_F(ControllerTest, BackoffDoublesPerResourceUpToTheCap) {
  Install({Instance("bert")});
  std::vector<int64_t> delays;
  for (int i = 0; i < 12; ++i) {
    scnet_->FailNext("CreateContainerInstance",
                     Refused("CreateContainerInstance", "10001", "internal", true));
    controller_.RunPass(true);
    auto st = StatusOf("bert");
    delays.push_back(st.next_retry_ms - st.last_attempt_ms);
  }
  EXPECT_THAT(std::vector<int64_t>(delays.begin(), delays.begin() + 4),
              ElementsAre(500, 1000, 2000, 4000));
  EXPECT_EQ(delays.back(), 150000);  // half of the 5 min cap with pinned jitter
}

TEST_F(ControllerTest, FailedInstanceIsRestartedPerPolicy) {
  auto always = Instance("a");
  always.spec.restart_policy = spec::RestartPolicy::kAlways;
  auto never = Instance("n");
  never.spec.restart_policy = spec::RestartPolicy::kNever;
  Install({always, never});
  scnet_->Put({cloud::ResourceKind::kContainerInstance, "id-a", "a", "Terminated"});
  scnet_->Put({cloud::ResourceKind::kContainerInstance, "id-n", "n", "Failed"});
  controller_.RunPass(false);
  EXPECT_THAT(scnet_->Calls(), ::testing::Contains("RestartContainerInstance id-a"));
  EXPECT_EQ(scnet_->CountCalls("RestartContainerInstance id-n"), 0);
  EXPECT_TRUE(StatusOf("n").terminal);
  EXPECT_EQ(StatusOf("n").ready.reason, "Failed");
}

TEST_F(ControllerTest, TerminatedNotebookIsStartedThenItsServiceOncePerBoot) {
  Install({Service()});
  cloud::Observed nb{cloud::ResourceKind::kNotebook, "nb-1", "2503021210191107", "Terminated"};
  scnet_->Put(nb);
  controller_.RunPass(false);
  EXPECT_EQ(scnet_->CountCalls("StartNotebook nb-1"), 1);
  EXPECT_EQ(scnet_->CountCalls("StartNotebookService"), 0);

  scnet_->SetStatus("2503021210191107", "Running");
  clock_.Advance(seconds(2));
  controller_.RunPass(false);
  EXPECT_EQ(scnet_->CountCalls("StartNotebookService nb-1"), 1);
  EXPECT_EQ(StatusOf("webui").ready.status, "True");

  clock_.Advance(seconds(2));
  controller_.RunPass(true);
  EXPECT_EQ(scnet_->CountCalls("StartNotebookService nb-1"), 1);

  // The notebook goes down and comes back: the service must start again.
  scnet_->SetStatus("2503021210191107", "Terminated");
  controller_.RunPass(true);
  EXPECT_EQ(scnet_->CountCalls("StartNotebook nb-1"), 2);
  scnet_->SetStatus("2503021210191107", "Running");
  controller_.RunPass(true);
  EXPECT_EQ(scnet_->CountCalls("StartNotebookService nb-1"), 2);
}

TEST_F(ControllerTest, MissingNotebookIsAnErrorConditionWithoutCalls) {
  Install({Service()});
  controller_.RunPass(false);
  auto st = StatusOf("webui");
  EXPECT_EQ(st.synced.status, "False");
  EXPECT_EQ(st.synced.reason, "NotFound");
  EXPECT_THAT(st.synced.message, HasSubstr("notebook not found"));
  EXPECT_EQ(scnet_->CountCalls("Start"), 0);
  EXPECT_EQ(scnet_->CountCalls("Create"), 0);
}

TEST_F(ControllerTest, TiOneStartsAndStopsToTheDesiredState) {
  Install({TiOne("up", "Running"), TiOne("down", "Stopped")});
  tione_->Put({cloud::ResourceKind::kTiOneNotebook, "nb-up", "up", "Stopped"});
  tione_->Put({cloud::ResourceKind::kTiOneNotebook, "nb-down", "down", "Running"});
  controller_.RunPass(false);
  EXPECT_EQ(tione_->CountCalls("StartNotebook nb-up"), 1);
  EXPECT_EQ(tione_->CountCalls("StopNotebook nb-down"), 1);
}

TEST_F(ControllerTest, UnmanagedResourcesAreReportedNeverTouched) {
  Install({Instance("bert")});
  scnet_->Put({cloud::ResourceKind::kContainerInstance, "x1", "hand-made", "Failed"});
  tione_->Put({cloud::ResourceKind::kTiOneNotebook, "nb-x", "someone-elses", "Stopped"});
  controller_.RunPass(true);
  const auto snap = controller_.Snapshot();
  ASSERT_EQ(snap.unmanaged.size(), 2u);
  EXPECT_EQ(snap.unmanaged[0].name, "hand-made");
  EXPECT_EQ(snap.unmanaged[0].kind, "ContainerInstance");
  EXPECT_EQ(snap.unmanaged[1].name, "someone-elses");
  EXPECT_EQ(snap.unmanaged[1].kind, "TiOneNotebook");
  EXPECT_EQ(scnet_->CountCalls("RestartContainerInstance"), 0);
  EXPECT_EQ(tione_->CountCalls("StartNotebook"), 0);
}

TEST_F(ControllerTest, DriftIsReportedAndNotApplied) {
  Install({Instance("bert")});
  cloud::Observed o{cloud::ResourceKind::kContainerInstance, "x1", "bert", "Running"};
  o.attributes = {{"cpuNumber", "4"}};
  scnet_->Put(o);
  const PlanResult plan = controller_.Plan();
  ASSERT_EQ(plan.items.size(), 1u);
  EXPECT_EQ(plan.items[0].action, ActionType::kNeedsReplace);
  EXPECT_EQ(plan.items[0].reason, "drift: cpu 4 \u2192 3 (needs replace; not applied)");
  controller_.RunPass(false);
  auto st = StatusOf("bert");
  EXPECT_EQ(st.synced.reason, "Drifted");
  EXPECT_EQ(st.ready.status, "True");
  EXPECT_EQ(scnet_->CountCalls("Create"), 0);
  EXPECT_EQ(scnet_->CountCalls("Restart"), 0);
}

TEST_F(ControllerTest, PlanMakesListCallsOnly) {
  Install({Instance("a"), Service(), TiOne("t", "Running")});
  scnet_->Put({cloud::ResourceKind::kNotebook, "nb-1", "2503021210191107", "Terminated"});
  const PlanResult plan = controller_.Plan();
  ASSERT_EQ(plan.items.size(), 3u);
  for (const auto& call : scnet_->Calls()) EXPECT_EQ(call.rfind("List", 0), 0u) << call;
  for (const auto& call : tione_->Calls()) EXPECT_EQ(call.rfind("List", 0), 0u) << call;
}

TEST_F(ControllerTest, ListFailureMarksResourcesAndKeepsReadinessFalse) {
  Install({Instance("bert")});
  scnet_->FailNext("List", Refused("ListContainerInstances", "10009", "no access"));
  controller_.RunPass(false);
  auto st = StatusOf("bert");
  EXPECT_EQ(st.synced.reason, "ObserveError");
  EXPECT_THAT(st.synced.message, HasSubstr("no access"));
  EXPECT_FALSE(controller_.Snapshot().ready);
  EXPECT_EQ(scnet_->CountCalls("Create"), 0);
}

TEST_F(ControllerTest, ChangedSpecIsDueAtOnceUnchangedIsNot) {
  Install({Instance("a"), Instance("b")});
  controller_.RunPass(false);
  scnet_->SetStatus("a", "Running");
  scnet_->SetStatus("b", "Running");
  clock_.Advance(seconds(2));
  controller_.RunPass(false);  // both Ready; next look at resync
  scnet_->ClearCalls();
  clock_.Advance(seconds(1));
  auto b = Instance("b");
  b.spec.restart_policy = spec::RestartPolicy::kAlways;
  Install({Instance("a"), b});
  controller_.RunPass(false);
  const auto snap = controller_.Snapshot();
  EXPECT_EQ(scnet_->CountCalls("List ContainerInstance"), 1);
  EXPECT_GT(StatusOf("b").last_attempt_ms, StatusOf("a").last_attempt_ms);
}

}  // namespace
}  // namespace converge::reconcile

namespace converge::reconcile {
namespace {

// Records the controller's metric hooks.
class RecordingMetrics : public ControllerMetrics {
 public:
  void OnReconcile(const std::string& kind, bool success, double) override {
    std::lock_guard lock(mu_);
    ++(success ? successes : errors)[kind];
  }
  void OnAction(const std::string& kind, std::string_view action, bool success) override {
    std::lock_guard lock(mu_);
    actions.push_back(std::string(action) + (success ? " ok" : " failed"));
  }
  void OnQueueDepth(size_t) override {}
  void OnSnapshot(const StatusSnapshot&) override {}

  std::map<std::string, int> successes, errors;
  std::vector<std::string> actions;

 private:
  std::mutex mu_;
};

TEST(ControllerMetricsTest, EachResourceIsCountedWithItsOwnResult) {
  auto scnet = std::make_shared<FakeProvider>("scnet");
  MemoryJournal journal;
  SimulatedClock clock;
  PinnedRandom random(0);
  RecordingMetrics metrics;
  ControllerOptions options;
  options.concurrency = 4;
  Controller controller(options, journal, clock, random, &metrics);
  spec::ManifestSet m;
  m.revision = "r";
  for (const char* name : {"a", "b", "c", "d", "e", "f"}) m.resources.push_back(Instance(name));
  ProviderMap providers;
  providers["scnet"] = {scnet, {cloud::ResourceKind::kContainerInstance}};
  controller.SetManifests(std::move(m), std::move(providers));
  // One create is refused; the other five succeed, concurrently.
  scnet->FailNext("CreateContainerInstance",
                  Refused("CreateContainerInstance", "10004", "ramSize invalid"));
  const PassResult pass = controller.RunPass(false);
  EXPECT_EQ(pass.actions, 6);
  EXPECT_EQ(pass.errors, 1);
  EXPECT_EQ(metrics.successes["ContainerInstance"], 5);
  EXPECT_EQ(metrics.errors["ContainerInstance"], 1);
  EXPECT_EQ(std::count(metrics.actions.begin(), metrics.actions.end(), "create failed"), 1);
}

}  // namespace
}  // namespace converge::reconcile

namespace converge::reconcile {
namespace {

// `run` installs new manifests from its watcher thread while a pass may be in
// flight; the pass must keep working on what it started with.
TEST(ControllerManifestSwapTest, ChangingManifestsMidPassIsSafe) {
  auto scnet = std::make_shared<FakeProvider>("scnet");
  MemoryJournal journal;
  SimulatedClock clock;
  PinnedRandom random(0);
  Controller controller({}, journal, clock, random);
  auto install = [&](std::vector<spec::Resource> resources) {
    spec::ManifestSet m;
    m.revision = "r" + std::to_string(resources.size());
    m.resources = std::move(resources);
    ProviderMap providers;
    providers["scnet"] = {scnet, {cloud::ResourceKind::kContainerInstance}};
    controller.SetManifests(std::move(m), std::move(providers));
  };
  install({Instance("a"), Instance("b")});
  std::atomic<bool> swapped{false};
  scnet->OnCall([&](const std::string& call) {
    if (call.rfind("CreateContainerInstance", 0) != 0 || swapped.exchange(true)) return;
    auto changed = Instance("b");
    changed.spec.cpu = 8;
    install({changed});  // "a" removed, "b" changed, while both are being created
  });
  const PassResult pass = controller.RunPass(false);
  EXPECT_TRUE(swapped);
  EXPECT_EQ(pass.actions, 2);
  const auto snap = controller.Snapshot();
  ASSERT_EQ(snap.resources.size(), 1u);
  EXPECT_EQ(snap.resources[0].name, "b");
  EXPECT_EQ(snap.revision, "r1");
}

}  // namespace
}  // namespace converge::reconcile
