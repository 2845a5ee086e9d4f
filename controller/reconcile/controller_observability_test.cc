// What the controller reports about itself: metric hooks and log lines.
#include <algorithm>

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

// Records the controller's metric hooks.
class RecordingMetrics : public ControllerMetrics {
 public:
  void OnReconcile(std::string_view kind, bool success, double) override {
    std::lock_guard lock(mu_);
    ++(success ? successes : errors)[std::string(kind)];
  }
  void OnAction(const std::string& kind, std::string_view action, bool success) override {
    std::lock_guard lock(mu_);
    actions.push_back(std::string(action) + (success ? " ok" : " failed"));
  }
  void OnQueueDepth(size_t) override {}
  void OnPass(double seconds) override {
    std::lock_guard lock(mu_);
    passes.push_back(seconds);
  }
  void OnStatus(const StatusSummary&) override {}

  std::map<std::string, int> successes, errors;
  std::vector<double> passes;  // each pass's duration
  std::vector<std::string> actions;

 private:
  std::mutex mu_;
};

// Manifest revision `revision`: SCNet container instances named `names` on the
// provider "scnet", served by `scnet`.
void InstallInstances(Controller& controller, const std::shared_ptr<FakeProvider>& scnet,
                      std::initializer_list<const char*> names, const std::string& revision = "r") {
  manifest::ManifestSet m;
  m.revision = revision;
  for (const char* name : names) m.resources.push_back(Instance(name));
  ProviderMap providers;
  providers["scnet"] = {scnet, {cloud::ResourceKind::kContainerInstance}};
  controller.SetManifests(std::move(m), std::move(providers));
}

TEST(ControllerMetricsTest, EachResourceIsCountedWithItsOwnResult) {
  auto scnet = std::make_shared<FakeProvider>("scnet");
  MemoryJournal journal;
  SimulatedClock clock;
  PinnedRandom random(0);
  RecordingMetrics metrics;
  ControllerOptions options;
  options.concurrency = 4;
  Controller controller(options, journal, clock, random, &metrics);
  InstallInstances(controller, scnet, {"a", "b", "c", "d", "e", "f"});
  // One create is refused; the other five succeed, concurrently.
  scnet->FailNext("CreateContainerInstance",
                  Refused("CreateContainerInstance", "10004", "ramSize invalid"));
  const PassResult pass = controller.RunPass(false);
  EXPECT_EQ(pass.actions, 6);
  const auto statuses = controller.Snapshot().resources;
  EXPECT_EQ(std::count_if(statuses.begin(), statuses.end(), Failing), 1);
  EXPECT_EQ(metrics.successes["ContainerInstance"], 5);
  EXPECT_EQ(metrics.errors["ContainerInstance"], 1);
  EXPECT_EQ(std::count(metrics.actions.begin(), metrics.actions.end(), "create failed"), 1);
}

// converge_pass_duration_seconds: one observation per pass, from its start (after
// choosing what is due) to its end, on the controller's clock. Here the provider's
// list takes 250 ms of simulated time and the create 100 ms.
TEST(ControllerMetricsTest, EachPassReportsItsDurationOnTheControllersClock) {
  auto scnet = std::make_shared<FakeProvider>("scnet");
  MemoryJournal journal;
  SimulatedClock clock;
  PinnedRandom random(0);
  RecordingMetrics metrics;
  Controller controller(ControllerOptions{}, journal, clock, random, &metrics);
  InstallInstances(controller, scnet, {"a"});
  scnet->OnCall([&](const std::string& call) {
    clock.Advance(call.starts_with("List") ? milliseconds(250) : milliseconds(100));
  });
  controller.RunPass(false);  // lists, then creates "a"
  controller.RunPass(true);   // lists: "a" is in sync
  ASSERT_EQ(metrics.passes.size(), 2u);
  EXPECT_DOUBLE_EQ(metrics.passes[0], 0.35);
  EXPECT_DOUBLE_EQ(metrics.passes[1], 0.25);
}

// Published() is the state at the end of the latest pass: a pass in flight does not
// change it (a reader sees the previous pass's snapshot, without the controller's
// lock), and the pass's end replaces it.
TEST(ControllerPublishedTest, IsTheStateAtTheEndOfTheLatestPass) {
  auto scnet = std::make_shared<FakeProvider>("scnet");
  MemoryJournal journal;
  SimulatedClock clock;
  PinnedRandom random(0);
  Controller controller(ControllerOptions{}, journal, clock, random, nullptr);
  InstallInstances(controller, scnet, {"a"}, "r1");
  const auto before = controller.Published();
  EXPECT_EQ(before->revision, "r1");
  ASSERT_EQ(before->resources.size(), 1u);
  EXPECT_FALSE(before->providers.at(0).listed);

  std::vector<const StatusSnapshot*> seen_mid_pass;
  scnet->OnCall([&](const std::string&) { seen_mid_pass.push_back(controller.Published().get()); });
  controller.RunPass(false);  // lists, then creates "a"
  ASSERT_EQ(seen_mid_pass.size(), 2u);
  EXPECT_EQ(seen_mid_pass[0], before.get());
  EXPECT_EQ(seen_mid_pass[1], before.get());
  const auto after = controller.Published();
  EXPECT_NE(after.get(), before.get());
  EXPECT_TRUE(after->providers.at(0).listed);
  EXPECT_EQ(after->resources.at(0).synced.status,
            controller.Snapshot().resources.at(0).synced.status);
}

// At the default level (info) a failing provider list is logged when it starts,
// when it changes, at most once a minute while it persists, and when it clears.
TEST_F(ControllerTest, ListFailuresAreLoggedOnStartChangeOnceAMinuteAndClear) {
  log::CaptureForTesting capture(log::Level::kInfo);
  Install({Instance("bert")});
  auto fail = [&](const std::string& code, const std::string& message) {
    scnet_->FailNext("List", Refused("ListContainerInstances", code, message));
    controller_.RunPass(true);
  };
  fail("10009", "no access: the token is invalid or expired");
  for (int s : {20, 20, 15}) {  // 55 s: still within the minute
    clock_.Advance(seconds(s));
    fail("10009", "no access: the token is invalid or expired");
  }
  clock_.Advance(seconds(10));  // 65 s after the first line
  fail("10009", "no access: the token is invalid or expired");
  clock_.Advance(seconds(10));  // only 10 s after the last line, but a different error
  fail("10001", "internal error");
  clock_.Advance(seconds(10));
  controller_.RunPass(true);  // lists again
  controller_.RunPass(true);  // still fine: nothing more to say

  EXPECT_THAT(
      LinesWith(capture.Text(), "provider list"),
      ElementsAre("warn provider list failed provider=scnet operation=ListContainerInstances "
                  "code=10009 message=\"no access: the token is invalid or expired\"",
                  "warn provider list still failing provider=scnet "
                  "operation=ListContainerInstances code=10009 message=\"no access: the token is "
                  "invalid or expired\" for=65s failures=5",
                  "warn provider list failed provider=scnet operation=ListContainerInstances "
                  "code=10001 message=\"internal error\"",
                  "info provider list error cleared provider=scnet failed_for=85s failures=6"));
}

TEST_F(ControllerTest, FailedActionsAreLoggedAtTheDefaultLevel) {
  log::CaptureForTesting capture(log::Level::kInfo);
  Install({Instance("bert")});
  scnet_->FailNext("CreateContainerInstance",
                   Refused("CreateContainerInstance", "10004", "ramSize invalid"));
  controller_.RunPass(false);
  EXPECT_THAT(LinesWith(capture.Text(), "action failed"),
              ElementsAre("warn action failed kind=ContainerInstance name=bert action=create "
                          "error=\"CreateContainerInstance: ramSize invalid (code 10004, HTTP "
                          "200)\""));
}

}  // namespace
}  // namespace converge::reconcile
