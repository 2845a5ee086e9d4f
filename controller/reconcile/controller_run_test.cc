// The controller across passes: Run on the simulated clock, Wake, Stop,
// ResetBackoff, and manifests swapped while a pass is in flight.
#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/log.h"
#include "reconcile/controller.h"
#include "reconcile/controller_fixture.h"

#include <atomic>
#include <future>

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

// `run` installs new manifests from its watcher thread while a pass may be in
// flight; the pass must keep working on what it started with.
TEST(ControllerManifestSwapTest, ChangingManifestsMidPassIsSafe) {
  auto scnet = std::make_shared<FakeProvider>("scnet");
  MemoryJournal journal;
  SimulatedClock clock;
  PinnedRandom random(0);
  Controller controller({}, journal, clock, random);
  auto install = [&](std::vector<manifest::Resource> resources) {
    manifest::ManifestSet m;
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

TEST_F(ControllerTest, ResetBackoffMakesTheNamedResourcesDueAtOnce) {
  scnet_->Put({cloud::ResourceKind::kContainerInstance, "id-b", "b", "Running"});
  Install({Instance("a"), Instance("b")});
  for (int i = 0; i < 3; ++i) {  // a's create keeps failing: next retry 2 s away
    scnet_->FailNext("CreateContainerInstance",
                     Refused("CreateContainerInstance", "10001", "internal", true));
    controller_.RunPass(false);
    clock_.Advance(milliseconds(i == 0 ? 500 : 1000));
  }
  ASSERT_EQ(StatusOf("a").consecutive_failures, 3);
  const auto b_before = StatusOf("b");
  ASSERT_EQ(controller_.RunPass(false).actions, 0);  // nothing due yet

  // An unknown name resets nothing.
  ResetResult bad = controller_.ResetBackoff(
      {"ContainerInstance/a", "ContainerInstance/nope", "ContainerInstance/tione/a", "bogus"});
  EXPECT_TRUE(bad.reset.empty());
  EXPECT_THAT(bad.unknown,
              ElementsAre("ContainerInstance/nope", "ContainerInstance/tione/a", "bogus"));
  EXPECT_EQ(controller_.RunPass(false).actions, 0);

  ResetResult ok = controller_.ResetBackoff({"containerinstance/a"});
  ASSERT_EQ(ok.reset.size(), 1u);
  EXPECT_EQ(ok.reset[0].kind, "ContainerInstance");
  EXPECT_EQ(ok.reset[0].provider, "scnet");
  EXPECT_EQ(ok.reset[0].name, "a");
  EXPECT_TRUE(ok.unknown.empty());
  EXPECT_EQ(StatusOf("a").next_retry_ms,
            std::chrono::duration_cast<milliseconds>(clock_.WallNow().time_since_epoch()).count());
  // The backoff starts again from its base: a failure now waits 0.5 s, not 4 s.
  scnet_->FailNext("CreateContainerInstance",
                   Refused("CreateContainerInstance", "10001", "internal", true));
  EXPECT_EQ(controller_.RunPass(false).actions, 1);
  EXPECT_EQ(scnet_->CountCalls("CreateContainerInstance a"), 4);
  EXPECT_EQ(StatusOf("a").next_retry_ms - StatusOf("a").last_attempt_ms, 500);
  EXPECT_EQ(StatusOf("b").last_attempt_ms, b_before.last_attempt_ms);  // b was not looked at

  // No names: every resource; by KIND/PROVIDER/NAME too.
  EXPECT_EQ(controller_.ResetBackoff({}).reset.size(), 2u);
  EXPECT_EQ(controller_.ResetBackoff({"ContainerInstance/scnet/b"}).reset.size(), 1u);
  controller_.RunPass(false);
  EXPECT_GT(StatusOf("b").last_attempt_ms, b_before.last_attempt_ms);
  EXPECT_EQ(StatusOf("a").synced.reason, "Created");
}

// Run on the simulated clock. Each step advances the clock (or wakes the
// controller) and then blocks until Run is waiting again, so every assertion
// sees what Run did about that step and nothing else.
class RunTest : public ControllerTest {
 protected:
  void StartRun() {
    runner_ = std::async(std::launch::async, [this] { controller_.Run(); });
    ASSERT_TRUE(clock_.AwaitWaitsStarted(1, seconds(10))) << "Run never waited";
  }
  // Does `step`, then returns once Run has reacted to it and waits again.
  template <typename Step>
  void ThenRunWaits(Step step) {
    const size_t next = clock_.WaitsStarted() + 1;
    step();
    ASSERT_TRUE(clock_.AwaitWaitsStarted(next, seconds(10))) << "Run did not wait again";
  }
  void TearDown() override {
    controller_.Stop();
    if (runner_.valid()) {
      ASSERT_EQ(runner_.wait_for(seconds(10)), std::future_status::ready) << "Run did not stop";
    }
  }
  int64_t NowMs() const {
    return std::chrono::duration_cast<milliseconds>(clock_.WallNow().time_since_epoch()).count();
  }
  std::future<void> runner_;
};

TEST_F(RunTest, InSyncResourceIsLookedAtAgainWhenTheClockPassesTheResyncPeriodNotBefore) {
  scnet_->Put({cloud::ResourceKind::kContainerInstance, "id-bert", "bert", "Running"});
  Install({Instance("bert")});
  StartRun();  // the first pass looks at everything
  EXPECT_EQ(scnet_->CountCalls("List ContainerInstance"), 1);
  const int64_t first_look = StatusOf("bert").last_attempt_ms;
  EXPECT_EQ(StatusOf("bert").synced.reason, "ReconcileSuccess");
  EXPECT_EQ(StatusOf("bert").next_retry_ms, first_look + 30000);

  ThenRunWaits([&] { clock_.Advance(milliseconds(29999)); });
  EXPECT_EQ(scnet_->CountCalls("List ContainerInstance"), 1);
  EXPECT_EQ(StatusOf("bert").last_attempt_ms, first_look);

  ThenRunWaits([&] { clock_.Advance(milliseconds(1)); });
  // The provider's sweep (no jitter with PinnedRandom(0)) looks at bert: one list.
  EXPECT_EQ(scnet_->CountCalls("List ContainerInstance"), 2);
  EXPECT_EQ(scnet_->CountCalls("ListByName"), 0);
  EXPECT_EQ(StatusOf("bert").last_attempt_ms, first_look + 30000);
  EXPECT_EQ(StatusOf("bert").next_retry_ms, first_look + 60000);
  EXPECT_EQ(scnet_->CountCalls("Create"), 0);
}

TEST_F(RunTest, TransitionIsPolledWhenDueNotBefore) {
  scnet_->Put({cloud::ResourceKind::kContainerInstance, "id-bert", "bert", "Waiting"});
  Install({Instance("bert")});
  StartRun();
  EXPECT_EQ(StatusOf("bert").synced.reason, "Progressing");
  ThenRunWaits([&] { clock_.Advance(milliseconds(1999)); });
  EXPECT_EQ(scnet_->CountCalls("List ContainerInstance"), 1);
  scnet_->SetStatus("bert", "Running");
  ThenRunWaits([&] { clock_.Advance(milliseconds(1)); });      // the 2 s poll is due
  EXPECT_EQ(scnet_->CountCalls("List ContainerInstance"), 1);  // looked up by name instead
  EXPECT_EQ(scnet_->CountCalls("ListByName bert"), 1);
  EXPECT_EQ(StatusOf("bert").ready.status, "True");
}

// One sweep per resync: over five resync periods each provider is listed whole
// exactly once per period (plus the first pass), whatever its resources do; the
// one in transition is looked up by name until it is Running, then waits for the
// sweeps like the others.
TEST_F(RunTest, EachProviderIsListedWholeOncePerResync) {
  for (const char* name : {"a", "b", "c"}) {
    scnet_->Put(
        {cloud::ResourceKind::kContainerInstance, std::string("id-") + name, name, "Running"});
  }
  scnet_->Put({cloud::ResourceKind::kContainerInstance, "id-d", "d", "Waiting"});
  tione_->Put({cloud::ResourceKind::kTiOneNotebook, "nb-t", "t", "Running"});
  Install({Instance("a"), Instance("b"), Instance("c"), Instance("d"), TiOne("t", "Running")});
  StartRun();
  for (int second = 1; second <= 150; ++second) {
    if (second == 10) scnet_->SetStatus("d", "Running");
    ThenRunWaits([&] { clock_.Advance(seconds(1)); });
  }
  EXPECT_EQ(scnet_->CountCalls("List ContainerInstance"), 6);
  EXPECT_EQ(scnet_->CountCalls("List Notebook"), 6);
  EXPECT_EQ(tione_->CountCalls("List TiOneNotebook"), 6);
  EXPECT_EQ(scnet_->CountCalls("ListByName d"), 5);  // the polls at 2, 4, 6, 8 and 10 s
  EXPECT_EQ(scnet_->CountCalls("ListByName"), 5);
  EXPECT_EQ(tione_->CountCalls("ListByName"), 0);
  EXPECT_EQ(StatusOf("d").ready.status, "True");
  EXPECT_EQ(StatusOf("a").last_attempt_ms, NowMs());  // the sweep at 150 s looked at it
  EXPECT_EQ(StatusOf("a").next_retry_ms, NowMs() + 30000);
  EXPECT_EQ(scnet_->CountCalls("Create") + tione_->CountCalls("Create"), 0);
}

TEST_F(RunTest, WakeEndsTheWaitWithoutTheClockMoving) {
  Install({Instance("bert")});
  StartRun();
  const SteadyTime before = clock_.Now();
  ThenRunWaits([&] { controller_.Wake(); });  // nothing is due: the pass finds no work
  EXPECT_EQ(clock_.Now(), before);
  EXPECT_EQ(scnet_->CountCalls("CreateContainerInstance"), 1);
}

TEST_F(RunTest, ResetBackoffWakesRunForAnImmediatePass) {
  scnet_->Put({cloud::ResourceKind::kContainerInstance, "id-bert", "bert", "Running"});
  Install({Instance("bert")});
  StartRun();
  scnet_->ClearCalls();
  const int64_t first_look = StatusOf("bert").last_attempt_ms;
  ThenRunWaits([&] { controller_.ResetBackoff({"ContainerInstance/bert"}); });
  EXPECT_EQ(scnet_->CountCalls("ListByName bert"), 1);
  EXPECT_EQ(scnet_->CountCalls("List ContainerInstance"), 0);
  EXPECT_EQ(NowMs(), first_look);  // at once: the clock did not move
  EXPECT_EQ(StatusOf("bert").last_attempt_ms, first_look);
  EXPECT_EQ(StatusOf("bert").next_retry_ms, first_look + 30000);
}

TEST_F(RunTest, StopReturnsWhileWaiting) {
  Install({Instance("bert")});
  StartRun();
  controller_.Stop();
  EXPECT_EQ(runner_.wait_for(seconds(10)), std::future_status::ready);
  EXPECT_EQ(clock_.Now(), SteadyTime{});
}

}  // namespace
}  // namespace converge::reconcile
