// One sweep per resync, end to end: the controller with the real SCNet adapter
// against the simulator over loopback HTTP, both on one simulated clock. The
// simulator's /_sim/stats counts what the controller asked for.
#include <gtest/gtest.h>

#include "cloud_sim_harness.h"
#include "reconcile/controller.h"
#include "reconcile/journal.h"
#include "support/http.h"
#include "support/manifests.h"

namespace converge::cloud::testing {
namespace {

using std::chrono::seconds;

class SweepSimTest : public CloudSimTest {
 protected:
  SweepSimTest() {
    options_.fixture_file = dir_.Write("empty.json", R"({"scnet": {}, "tione": {}})");
  }
  int64_t Calls(const std::string& operation) {
    const auto stats = test_support::Get(sim_->BaseUrl(), "/_sim/stats");
    EXPECT_EQ(stats.status, 200);
    return json::parse(stats.body)["scnet"]["calls"].value(operation, int64_t{0});
  }
};

// Five instances, two a page: the whole list is three pages, the (empty)
// notebook list one. After the creates, every 30 s resync costs exactly those
// four calls, and nothing else is called.
TEST_F(SweepSimTest, SteadyStateListsEachProviderOncePerResyncInWholePages) {
  reconcile::MemoryJournal journal;
  PinnedRandom random(0);
  reconcile::ControllerOptions options;
  options.resync = seconds(30);
  options.poll = seconds(2);
  reconcile::Controller controller(options, journal, clock_, random);
  manifest::ManifestSet manifests;
  manifests.revision = "r1";
  for (int i = 0; i < 5; ++i) {
    manifests.resources.push_back(test_support::ContainerInstanceModel("job-" + std::to_string(i)));
  }
  ProviderConfig config = ScnetConfig();
  config.name = "scnet";
  reconcile::ProviderMap providers;
  providers["scnet"] = {std::shared_ptr<Provider>(Make(config)),
                        {ResourceKind::kContainerInstance, ResourceKind::kNotebook},
                        config.page_size};
  controller.SetManifests(std::move(manifests), std::move(providers));

  controller.RunPass(false);  // the first sweep (both lists empty) and five creates
  ASSERT_EQ(Calls("CreateContainerInstance"), 5);
  Advance(seconds(2));
  controller.RunPass(false);  // five polled: one whole list of instances, three pages
  ASSERT_EQ(Calls("ListContainerInstances"), 4);
  ASSERT_EQ(Calls("ListNotebooks"), 1);
  for (const auto& r : controller.Snapshot().resources) ASSERT_EQ(r.ready.status, "True") << r.name;

  const int64_t before =
      json::parse(test_support::Get(sim_->BaseUrl(), "/_sim/stats").body)["scnet"]["total_calls"];
  for (int second = 3; second <= 4 * 30; ++second) {  // four resync periods, a pass a second
    Advance(seconds(1));
    controller.RunPass(false);
  }
  EXPECT_EQ(Calls("ListContainerInstances"), 4 + 4 * 3);
  EXPECT_EQ(Calls("ListNotebooks"), 1 + 4);
  const int64_t after =
      json::parse(test_support::Get(sim_->BaseUrl(), "/_sim/stats").body)["scnet"]["total_calls"];
  EXPECT_EQ(after - before, 4 * 4);
  EXPECT_EQ(Calls("CreateContainerInstance"), 5);
}

}  // namespace
}  // namespace converge::cloud::testing
