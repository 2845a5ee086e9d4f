// The controller against an in-memory provider and a simulated clock: the
// semantics of observe/act/schedule, no duplicate creates, status, backoff.
#include <algorithm>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/log.h"
#include "reconcile/controller.h"
#include "reconcile/controller_fixture.h"

namespace converge::reconcile {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::ControllerTest;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::Instance;
using testing::LinesWith;
using testing::Service;
using testing::TiOne;

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
  // bert is due on its own: the pass looks it up by name, and so does the create
  // path before creating again.
  EXPECT_EQ(scnet_->CountCalls("ListByName bert"), 3);
  EXPECT_EQ(scnet_->CountCalls("List ContainerInstance"), 2);  // the two sweeps
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
  always.spec.restart_policy = manifest::RestartPolicy::kAlways;
  auto never = Instance("n");
  never.spec.restart_policy = manifest::RestartPolicy::kNever;
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

TEST_F(ControllerTest, ContainerInstanceStateStoppedStopsAndRunningRestarts) {
  auto ci = Instance("bert");
  ci.spec.restart_policy = manifest::RestartPolicy::kNever;
  ci.spec.state = "Stopped";
  Install({ci});
  scnet_->Put({cloud::ResourceKind::kContainerInstance, "id-b", "bert", "Running"});
  controller_.RunPass(false);
  EXPECT_EQ(scnet_->CountCalls("StopContainerInstance id-b"), 1);
  EXPECT_EQ(StatusOf("bert").synced.reason, "Stopped");
  clock_.Advance(seconds(2));
  controller_.RunPass(false);  // now Terminated: as desired, no call
  EXPECT_EQ(scnet_->CountCalls("StopContainerInstance"), 1);
  EXPECT_EQ(StatusOf("bert").ready.status, "True");
  EXPECT_EQ(StatusOf("bert").observed_state, "Terminated");

  ci.spec.state = "Running";  // restartPolicy Never: only the state brings it back
  Install({ci});
  controller_.RunPass(false);
  EXPECT_EQ(scnet_->CountCalls("RestartContainerInstance id-b"), 1);
  scnet_->SetStatus("bert", "Running");
  clock_.Advance(seconds(2));
  controller_.RunPass(false);
  scnet_->SetStatus("bert", "Terminated");  // on its own now: restartPolicy Never applies
  clock_.Advance(seconds(40));
  controller_.RunPass(false);
  EXPECT_EQ(scnet_->CountCalls("RestartContainerInstance"), 1);
  EXPECT_EQ(scnet_->CountCalls("StopContainerInstance"), 1);
}

TEST_F(ControllerTest, TiOneChangeOnAStoppedNotebookIsAppliedWithOneModify) {
  Install({TiOne("nb", "Stopped")});
  cloud::Observed o{cloud::ResourceKind::kTiOneNotebook, "nb-1", "nb", "Stopped"};
  o.attributes = {{"ResourceConf.Cpu", "1000"}};
  tione_->Put(o);
  controller_.RunPass(false);
  EXPECT_EQ(tione_->CountCalls("ModifyNotebook nb-1"), 1);
  EXPECT_EQ(StatusOf("nb").synced.reason, "Modified");
  clock_.Advance(seconds(2));
  controller_.RunPass(false);
  EXPECT_EQ(tione_->CountCalls("ModifyNotebook"), 1);
  EXPECT_EQ(StatusOf("nb").ready.status, "True");
}

TEST_F(ControllerTest, TiOneUpdatePolicyRestartStopsModifiesAndStarts) {
  auto nb = TiOne("nb", "Running");
  nb.spec.update_policy = "Restart";
  Install({nb});
  cloud::Observed o{cloud::ResourceKind::kTiOneNotebook, "nb-1", "nb", "Running"};
  o.attributes = {{"ResourceConf.Cpu", "1000"}};
  tione_->Put(o);
  controller_.RunPass(false);
  EXPECT_EQ(tione_->CountCalls("StopNotebook nb-1"), 1);
  tione_->SetStatus("nb", "Stopped");
  clock_.Advance(seconds(2));
  controller_.RunPass(false);
  EXPECT_EQ(tione_->CountCalls("ModifyNotebook nb-1"), 1);
  clock_.Advance(seconds(2));
  controller_.RunPass(false);
  EXPECT_EQ(tione_->CountCalls("StartNotebook nb-1"), 1);
  EXPECT_THAT(tione_->Calls(),
              ElementsAre("List TiOneNotebook", "StopNotebook nb-1", "ListByName nb",
                          "ModifyNotebook nb-1", "ListByName nb", "StartNotebook nb-1"));
}

TEST_F(ControllerTest, UpdatePolicyRecreateDeletesThenCreatesOnce) {
  auto ci = Instance("bert");
  ci.spec.update_policy = "Recreate";
  Install({ci});
  cloud::Observed o{cloud::ResourceKind::kContainerInstance, "old", "bert", "Running"};
  o.attributes = {{"cpuNumber", "4"}};
  o.description = "managed-by=converge";
  scnet_->Put(o);
  controller_.RunPass(false);
  EXPECT_EQ(scnet_->CountCalls("DeleteContainerInstance old"), 1);
  EXPECT_TRUE(journal_.Pending().empty());
  clock_.Advance(seconds(2));
  controller_.RunPass(false);
  EXPECT_EQ(scnet_->CountCalls("CreateContainerInstance bert"), 1);
  scnet_->SetStatus("bert", "Running");
  clock_.Advance(seconds(2));
  controller_.RunPass(false);  // the new one matches the manifest
  EXPECT_EQ(scnet_->CountCalls("DeleteContainerInstance"), 1);
  EXPECT_EQ(scnet_->CountCalls("CreateContainerInstance"), 1);
  EXPECT_EQ(StatusOf("bert").ready.status, "True");
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
  EXPECT_FALSE(Failing(st));  // reported, not an error
  EXPECT_TRUE(controller_.Settled());
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

// A provider's secret problem (a file secret that cannot be read; calls go on
// with the value read before) is in the status after each list, and clears.
TEST_F(ControllerTest, TheProvidersSecretProblemIsInTheStatus) {
  Install({Instance("bert")});
  auto problem_of = [&](const std::string& name) {
    for (const auto& p : controller_.Snapshot().providers) {
      if (p.name == name) return p.secret_problem;
    }
    return std::string("no such provider");
  };
  scnet_->SetSecretProblem(
      "spec.token: cannot read secret file /run/t; the value read before "
      "is still used; check the path and its permissions");
  controller_.RunPass(false);
  EXPECT_EQ(problem_of("scnet"),
            "spec.token: cannot read secret file /run/t; the value read before is still used; "
            "check the path and its permissions");
  scnet_->SetSecretProblem("");
  controller_.RunPass(true);
  EXPECT_EQ(problem_of("scnet"), "");
}

// SCNet's answer to a wrong token, as the adapter classifies it: final.
cloud::Error TokenRejected() {
  cloud::Error e;
  e.category = cloud::Error::Category::kAuth;
  e.operation = "ListContainerInstances";
  e.provider = "scnet";
  e.code = "10009";
  e.message = "no access: the token is invalid or expired; check the provider's SCNet token";
  e.http_status = 200;
  return e;
}

TEST_F(ControllerTest, RejectedCredentialsOnListAreTerminalSoApplyStopsWaiting) {
  Install({Instance("bert"), TiOne("t", "Running")});
  tione_->Put({cloud::ResourceKind::kTiOneNotebook, "nb-t", "t", "Running"});
  scnet_->FailNext("List", TokenRejected());
  controller_.RunPass(true);
  const auto st = StatusOf("bert");
  EXPECT_EQ(st.synced.reason, "ObserveError");
  EXPECT_EQ(st.synced.message,
            "cannot list provider scnet: ListContainerInstances on scnet: no access: the token "
            "is invalid or expired; check the provider's SCNet token (code 10009, HTTP 200)");
  EXPECT_TRUE(st.terminal);
  EXPECT_TRUE(Failing(st));
  EXPECT_FALSE(Failing(StatusOf("t")));
  EXPECT_TRUE(controller_.Settled());
}

TEST_F(ControllerTest, TransientListFailureKeepsWaitingThenRecovers) {
  Install({Instance("bert")});
  scnet_->FailNext("List", Refused("ListContainerInstances", "10001", "internal error", true));
  controller_.RunPass(true);
  auto st = StatusOf("bert");
  EXPECT_EQ(st.synced.reason, "ObserveError");
  EXPECT_FALSE(st.terminal);
  EXPECT_TRUE(Failing(st));
  EXPECT_FALSE(controller_.Settled());

  clock_.Advance(seconds(1));  // past the first backoff (500 ms with pinned jitter)
  controller_.RunPass(false);
  st = StatusOf("bert");
  EXPECT_EQ(st.synced.reason, "Created");
  EXPECT_FALSE(Failing(st));
  EXPECT_EQ(scnet_->CountCalls("CreateContainerInstance"), 1);
}

TEST_F(ControllerTest, ReadyResourceWhoseListFailsTransientlyIsNotSettled) {
  Install({Instance("bert")});
  scnet_->Put({cloud::ResourceKind::kContainerInstance, "x1", "bert", "Running"});
  controller_.RunPass(true);
  ASSERT_EQ(StatusOf("bert").ready.status, "True");
  ASSERT_TRUE(controller_.Settled());

  clock_.Advance(seconds(34));  // past the resync (30 s, up to +10% jitter)
  scnet_->FailNext("List", Refused("ListContainerInstances", "10001", "internal error", true));
  controller_.RunPass(false);
  const auto st = StatusOf("bert");
  EXPECT_EQ(st.synced.reason, "ObserveError");
  EXPECT_EQ(st.ready.status, "True");  // last known; the list that would tell failed
  EXPECT_FALSE(controller_.Settled());
}

TEST_F(ControllerTest, TerminalClassificationOfEveryErrorThatCannotPassOnRetry) {
  auto never = Instance("never");
  never.spec.restart_policy = manifest::RestartPolicy::kNever;
  Install({Instance("invalid"), Instance("flaky"), never, Service()});
  scnet_->Put({cloud::ResourceKind::kContainerInstance, "id-n", "never", "Failed"});
  scnet_->Put({cloud::ResourceKind::kContainerInstance, "id-f", "flaky", "Failed"});
  scnet_->FailNext("CreateContainerInstance",
                   Refused("CreateContainerInstance", "10004", "ramSize invalid"));
  scnet_->FailNext("RestartContainerInstance",
                   Refused("RestartContainerInstance", "10001", "internal error", true));
  controller_.RunPass(true);
  struct Case {
    const char* name;
    bool terminal;
    bool failing;
    const char* reason;
  };
  for (const Case& c : {Case{"invalid", true, true, "create refused as invalid"},
                        Case{"flaky", false, true, "a server error may pass on retry"},
                        Case{"never", true, false, "Failed with restartPolicy Never"},
                        Case{"webui", true, true, "notebook not found"}}) {
    const auto st = StatusOf(c.name);
    EXPECT_EQ(st.terminal, c.terminal) << c.reason;
    EXPECT_EQ(Failing(st), c.failing) << c.reason;
  }
  EXPECT_FALSE(controller_.Settled());  // "flaky" is retried
}

TEST_F(ControllerTest, PlanNamesEachProviderThatCannotBeListedOnce) {
  Install({Instance("bert")});
  scnet_->FailNext("List", TokenRejected());
  const PlanResult plan = controller_.Plan();
  ASSERT_EQ(plan.items.size(), 1u);
  EXPECT_EQ(plan.items[0].action, ActionType::kError);
  EXPECT_THAT(plan.items[0].reason, HasSubstr("code 10009"));
  ASSERT_EQ(plan.errors.size(), 1u);
  EXPECT_THAT(plan.errors.at("scnet"), HasSubstr("no access"));
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
  b.spec.restart_policy = manifest::RestartPolicy::kAlways;
  Install({Instance("a"), b});
  controller_.RunPass(false);
  // The edited resource is looked up by name; no provider is listed whole.
  EXPECT_EQ(scnet_->CountCalls("ListByName b"), 1);
  EXPECT_EQ(scnet_->CountCalls("List ContainerInstance"), 0);
  EXPECT_GT(StatusOf("b").last_attempt_ms, StatusOf("a").last_attempt_ms);
}

// More resources of a kind due on their own than the kind's whole list has pages
// (here one page): one whole list of that kind instead of a lookup each.
TEST_F(ControllerTest, ManyDueOfOneKindAreObservedFromOneWholeListOfThatKind) {
  Install({Instance("a"), Instance("b"), Instance("c")});
  controller_.RunPass(false);
  ASSERT_EQ(scnet_->CountCalls("CreateContainerInstance"), 3);
  scnet_->ClearCalls();
  clock_.Advance(seconds(2));  // all three are polled
  controller_.RunPass(false);
  EXPECT_EQ(scnet_->CountCalls("List ContainerInstance"), 1);
  EXPECT_EQ(scnet_->CountCalls("List Notebook"), 0);
  EXPECT_EQ(scnet_->CountCalls("ListByName"), 0);
  // Every resource is matched to its own instance (the creates ran concurrently, so
  // which got which id is not fixed).
  EXPECT_EQ((std::set<std::string>{StatusOf("a").observed_id, StatusOf("b").observed_id,
                                   StatusOf("c").observed_id}),
            (std::set<std::string>{"ci-1", "ci-2", "ci-3"}));
  EXPECT_EQ(controller_.Snapshot().unmanaged.size(), 0u);
}

// A failed sweep is retried with the provider's backoff, and that retry refreshes
// every resource of the provider; a resource due on its own meanwhile (a new
// one) is looked up by name, never by listing the provider whole.
TEST_F(ControllerTest, FailedSweepIsRetriedWithBackoffAndItsRetryRefreshesEveryResource) {
  scnet_->Put({cloud::ResourceKind::kContainerInstance, "id-a", "a", "Running"});
  scnet_->Put({cloud::ResourceKind::kContainerInstance, "id-b", "b", "Running"});
  Install({Instance("a"), Instance("b")});
  for (int i = 0; i < 3; ++i) {  // three failed sweeps: 0.5 s, 1 s, then 2 s apart
    scnet_->FailNext("List", Refused("ListContainerInstances", "10001", "internal error", true));
    controller_.RunPass(false);
    if (i < 2) clock_.Advance(milliseconds(i == 0 ? 500 : 1000));
  }
  EXPECT_EQ(scnet_->CountCalls("List ContainerInstance"), 3);
  ASSERT_EQ(StatusOf("a").synced.reason, "ObserveError");
  ASSERT_EQ(StatusOf("a").consecutive_failures, 3);
  EXPECT_EQ(StatusOf("b").next_retry_ms, StatusOf("b").last_attempt_ms + 2000);

  scnet_->ClearCalls();
  Install({Instance("a"), Instance("b"), Instance("c")});
  controller_.RunPass(false);
  EXPECT_EQ(scnet_->CountCalls("ListByName c"), 1);
  EXPECT_EQ(scnet_->CountCalls("List ContainerInstance"), 0);
  EXPECT_EQ(scnet_->CountCalls("CreateContainerInstance c"), 1);
  EXPECT_EQ(StatusOf("a").synced.reason, "ObserveError");

  clock_.Advance(milliseconds(1999));
  controller_.RunPass(false);
  EXPECT_EQ(scnet_->CountCalls("List ContainerInstance"), 0);
  clock_.Advance(milliseconds(1));
  controller_.RunPass(false);
  EXPECT_EQ(scnet_->CountCalls("List ContainerInstance"), 1);
  for (const char* name : {"a", "b"}) {
    const auto st = StatusOf(name);
    EXPECT_EQ(st.synced.status, "True") << name;
    EXPECT_EQ(st.synced.reason, "ReconcileSuccess") << name;
    EXPECT_EQ(st.synced.message, "Running") << name;
    EXPECT_EQ(st.ready.status, "True") << name;
    EXPECT_EQ(st.consecutive_failures, 0) << name;
  }
  EXPECT_EQ(scnet_->CountCalls("CreateContainerInstance a"), 0);
}

// A lookup by name that fails backs off that resource alone; the provider stays
// listed (readiness comes from its sweeps) while the error shows on its status.
TEST_F(ControllerTest, FailedLookupByNameBacksOffThatResourceOnly) {
  scnet_->Put({cloud::ResourceKind::kContainerInstance, "id-a", "a", "Running"});
  Install({Instance("a")});
  controller_.RunPass(false);
  auto b = Instance("b");
  Install({Instance("a"), b});
  scnet_->FailNext("ListByName",
                   Refused("ListContainerInstances", "10001", "internal error", true));
  controller_.RunPass(false);
  const auto st = StatusOf("b");
  EXPECT_EQ(st.synced.reason, "ObserveError");
  EXPECT_EQ(st.next_retry_ms - st.last_attempt_ms, 500);
  EXPECT_EQ(StatusOf("a").synced.reason, "ReconcileSuccess");
  EXPECT_TRUE(controller_.Snapshot().ready);
  EXPECT_EQ(controller_.Snapshot().providers[0].error,
            "ListContainerInstances: internal error (code 10001, HTTP 200)");
  EXPECT_EQ(scnet_->CountCalls("CreateContainerInstance"), 0);
  clock_.Advance(milliseconds(500));
  controller_.RunPass(false);
  EXPECT_EQ(scnet_->CountCalls("ListByName b"), 2);
  EXPECT_EQ(scnet_->CountCalls("CreateContainerInstance b"), 1);
}
}  // namespace
}  // namespace converge::reconcile
