// Pruning against in-memory providers: deletionPolicy, the ownership guard, the
// mass-deletion guards, and lost answers (list, then decide).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <filesystem>

#include "reconcile/controller.h"
#include "reconcile/controller_fixture.h"
#include "support/temp_dir.h"

namespace converge::reconcile {
namespace {

using std::chrono::seconds;
using testing::Instance;
using testing::Service;
using testing::TiOne;

manifest::ContainerInstance WithPolicy(const std::string& name, manifest::DeletionPolicy p) {
  manifest::ContainerInstance ci = Instance(name);
  ci.spec.deletion_policy = p;
  return ci;
}

class PruneTest : public ::testing::Test {
 protected:
  PruneTest()
      : scnet_(std::make_shared<FakeProvider>("scnet")),
        tione_(std::make_shared<FakeProvider>("tione")),
        random_(0) {}

  void Make(bool prune, int max_prune = 5) {
    ControllerOptions o;
    o.resync = seconds(30);
    o.poll = seconds(2);
    o.create_grace = seconds(10);
    o.prune = prune;
    o.max_prune = max_prune;
    o.concurrency = 1;  // ids in declaration order
    controller_ = std::make_unique<Controller>(o, journal_, clock_, random_);
    controller_->SetInventory(&inventory_);
  }

  void Install(std::vector<manifest::Resource> resources) {
    manifest::ManifestSet m;
    m.revision = "rev" + std::to_string(++revision_);
    m.resources = std::move(resources);
    ProviderMap providers;
    providers["scnet"] = {
        scnet_, {cloud::ResourceKind::kContainerInstance, cloud::ResourceKind::kNotebook}};
    providers["tione"] = {tione_, {cloud::ResourceKind::kTiOneNotebook}};
    controller_->SetManifests(std::move(m), std::move(providers));
  }

  // Creates every declared resource, then observes it once so it is inventoried.
  void CreateAll() {
    controller_->RunPass(true);
    for (const auto& o : scnet_->All()) scnet_->SetStatus(o.name, "Running");
    for (const auto& o : tione_->All()) tione_->SetStatus(o.name, "Running");
    clock_.Advance(seconds(2));
    controller_->RunPass(true);
    scnet_->ClearCalls();
    tione_->ClearCalls();
  }

  std::vector<manifest::Resource> Keep(int n) {
    std::vector<manifest::Resource> out;
    for (int i = 0; i < n; ++i) out.push_back(Instance("keep" + std::to_string(i)));
    return out;
  }

  std::shared_ptr<FakeProvider> scnet_, tione_;
  MemoryJournal journal_;
  MemoryInventory inventory_;
  SimulatedClock clock_;
  PinnedRandom random_;
  std::unique_ptr<Controller> controller_;
  int revision_ = 0;
};

TEST_F(PruneTest, DeleteRemovesStopStopsOrphanStaysAndIsReportedOrphaned) {
  Make(true);
  auto all = Keep(3);
  all.push_back(WithPolicy("del", manifest::DeletionPolicy::kDelete));
  all.push_back(WithPolicy("stop", manifest::DeletionPolicy::kStop));
  all.push_back(WithPolicy("orphan", manifest::DeletionPolicy::kOrphan));
  Install(all);
  CreateAll();
  EXPECT_EQ(inventory_.Entries().size(), 6u);

  Install(Keep(3));
  controller_->RunPass(false);
  EXPECT_EQ(scnet_->CountCalls("DeleteContainerInstance"), 1);
  EXPECT_EQ(scnet_->CountCalls("StopContainerInstance"), 1);
  std::map<std::string, std::string> left;
  for (const auto& o : scnet_->All()) left[o.name] = o.status;
  EXPECT_EQ(left.count("del"), 0u);
  EXPECT_EQ(left["stop"], "Terminated");
  EXPECT_EQ(left["orphan"], "Running");
  const StatusSnapshot snap = controller_->Snapshot();
  EXPECT_EQ(snap.prune_blocked, "");
  std::vector<std::string> orphaned;
  for (const auto& u : snap.unmanaged) {
    if (u.orphaned) orphaned.push_back(u.name + " " + u.status);
  }
  // As this pass listed them, before it pruned.
  EXPECT_THAT(orphaned,
              ::testing::UnorderedElementsAre("del Running", "orphan Running", "stop Running"));

  // The deleted one is gone from the cloud and forgotten; nothing is called twice.
  clock_.Advance(seconds(31));
  controller_->RunPass(true);
  EXPECT_EQ(scnet_->CountCalls("DeleteContainerInstance"), 1);
  EXPECT_EQ(scnet_->CountCalls("StopContainerInstance"), 1);
  EXPECT_EQ(inventory_.Entries().size(), 5u);
}

TEST_F(PruneTest, WithoutPruneNothingIsTouchedButOrphansAreReported) {
  Make(false);
  auto all = Keep(3);
  all.push_back(WithPolicy("del", manifest::DeletionPolicy::kDelete));
  Install(all);
  CreateAll();
  Install(Keep(3));
  controller_->RunPass(false);
  EXPECT_EQ(scnet_->CountCalls("DeleteContainerInstance"), 0);
  const StatusSnapshot snap = controller_->Snapshot();
  ASSERT_EQ(snap.unmanaged.size(), 1u);
  EXPECT_TRUE(snap.unmanaged[0].orphaned);
  EXPECT_EQ(snap.prune_blocked, "");
}

TEST_F(PruneTest, MoreThanMaxPrunePrunesNothingAndSaysSo) {
  Make(true, /*max_prune=*/1);
  auto all = Keep(4);
  all.push_back(WithPolicy("a", manifest::DeletionPolicy::kDelete));
  all.push_back(WithPolicy("b", manifest::DeletionPolicy::kDelete));
  Install(all);
  CreateAll();
  Install(Keep(4));
  controller_->RunPass(false);
  EXPECT_EQ(scnet_->CountCalls("DeleteContainerInstance"), 0);
  EXPECT_EQ(controller_->Snapshot().prune_blocked,
            "this revision would prune 2 resources, more than --max-prune 1; nothing is pruned "
            "(if this is intended, run with --max-prune 2 for this change, or remove fewer at a "
            "time)");
  const PlanResult plan = controller_->Plan();
  EXPECT_EQ(plan.prune.size(), 2u);
  EXPECT_NE(plan.prune_blocked, "");
}

TEST_F(PruneTest, MoreThanHalfOfTheManagedResourcesPrunesNothing) {
  Make(true);
  auto all = Keep(1);
  all.push_back(WithPolicy("a", manifest::DeletionPolicy::kDelete));
  all.push_back(WithPolicy("b", manifest::DeletionPolicy::kStop));
  Install(all);
  CreateAll();
  Install(Keep(1));
  controller_->RunPass(false);
  EXPECT_EQ(scnet_->CountCalls("DeleteContainerInstance"), 0);
  EXPECT_EQ(scnet_->CountCalls("StopContainerInstance"), 0);
  EXPECT_EQ(controller_->Snapshot().prune_blocked,
            "this revision would prune 2 of 3 managed resources, more than half; nothing is "
            "pruned (if this is intended, remove at most 1 at a time, or set deletionPolicy "
            "Orphan and delete them by hand)");
  // Putting one back lifts the block: 1 of 3 is allowed.
  all.pop_back();
  Install(all);
  controller_->RunPass(false);
  EXPECT_EQ(scnet_->CountCalls("StopContainerInstance"), 1);    // b: 1 of 3
  EXPECT_EQ(scnet_->CountCalls("DeleteContainerInstance"), 0);  // a is declared again
  EXPECT_EQ(controller_->Snapshot().prune_blocked, "");
}

TEST_F(PruneTest, AnEmptyManifestSourceNeverPrunes) {
  Make(true, /*max_prune=*/100);
  Install({WithPolicy("a", manifest::DeletionPolicy::kDelete)});
  CreateAll();
  Install({});
  controller_->RunPass(true);
  EXPECT_EQ(scnet_->CountCalls("DeleteContainerInstance"), 0);
  EXPECT_EQ(controller_->Snapshot().prune_blocked,
            "the manifests declare no resources; an empty source never prunes");
}

TEST_F(PruneTest, ALostDeleteAnswerLeadsToExactlyOneDeleteCall) {
  Make(true);
  auto all = Keep(3);
  all.push_back(WithPolicy("del", manifest::DeletionPolicy::kDelete));
  Install(all);
  CreateAll();
  scnet_->FailNext("DeleteContainerInstance", LostAnswer("DeleteContainerInstance"),
                   /*commit=*/true);
  Install(Keep(3));
  controller_->RunPass(false);
  EXPECT_EQ(scnet_->CountCalls("DeleteContainerInstance"), 1);
  EXPECT_EQ(journal_.Pending().size(), 1u);  // outcome unknown: the intent stays
  for (int i = 0; i < 3; ++i) {
    clock_.Advance(seconds(31));
    controller_->RunPass(true);
  }
  EXPECT_EQ(scnet_->CountCalls("DeleteContainerInstance"), 1);
  EXPECT_TRUE(journal_.Pending().empty());  // the list proved it gone
  EXPECT_EQ(inventory_.Entries().size(), 3u);
}

TEST_F(PruneTest, ALostDeleteThatDidNotHappenIsRetriedOnlyAfterTheGrace) {
  Make(true);
  auto all = Keep(3);
  all.push_back(WithPolicy("del", manifest::DeletionPolicy::kDelete));
  Install(all);
  CreateAll();
  scnet_->FailNext("DeleteContainerInstance", LostAnswer("DeleteContainerInstance"));
  Install(Keep(3));
  controller_->RunPass(false);
  clock_.Advance(seconds(2));
  controller_->RunPass(true);  // still listed, within the grace: wait
  EXPECT_EQ(scnet_->CountCalls("DeleteContainerInstance"), 1);
  clock_.Advance(seconds(31));
  controller_->RunPass(true);
  EXPECT_EQ(scnet_->CountCalls("DeleteContainerInstance"), 2);
}

TEST_F(PruneTest, AnAdoptedResourceWithoutTheMarkIsNeverDeleted) {
  Make(true);
  scnet_->Put({cloud::ResourceKind::kContainerInstance, "hand-1", "byhand", "Running"});
  auto all = Keep(3);
  all.push_back(WithPolicy("byhand", manifest::DeletionPolicy::kDelete));
  Install(all);
  CreateAll();
  Install(Keep(3));
  controller_->RunPass(false);
  EXPECT_EQ(scnet_->CountCalls("DeleteContainerInstance"), 0);
  const PlanResult plan = controller_->Plan();
  ASSERT_EQ(plan.prune.size(), 1u);
  EXPECT_EQ(PruneLine(plan.prune[0]),
            "ContainerInstance/byhand [scnet] orphan: removed from manifests; not created by "
            "Converge (no ownership mark): left alone whatever its deletionPolicy");
}

TEST_F(PruneTest, ATiOneNotebookIsStoppedThenDeleted) {
  Make(true);
  auto nb = TiOne("nb", "Running");
  nb.spec.deletion_policy = manifest::DeletionPolicy::kDelete;
  std::vector<manifest::Resource> all = Keep(3);
  all.push_back(nb);
  Install(all);
  CreateAll();
  Install(Keep(3));
  PlanResult plan = controller_->Plan();
  ASSERT_EQ(plan.prune.size(), 1u);
  EXPECT_EQ(PruneLine(plan.prune[0]),
            "TiOneNotebook/nb [tione] stop: removed from manifests (deletionPolicy Delete): "
            "stopping before DeleteNotebook");
  controller_->RunPass(false);
  EXPECT_EQ(tione_->CountCalls("StopNotebook"), 1);
  EXPECT_EQ(tione_->CountCalls("DeleteNotebook"), 0);
  tione_->SetStatus("nb", "Stopped");
  clock_.Advance(seconds(31));
  controller_->RunPass(true);
  EXPECT_EQ(tione_->CountCalls("DeleteNotebook"), 1);
  EXPECT_TRUE(tione_->All().empty());
}

TEST_F(PruneTest, RemovingTheOnlyManagedResourceWithDeleteDeletesIt) {
  Make(true);
  // The NotebookService keeps the manifests non-empty; it is never inventoried.
  Install({Service(), WithPolicy("only", manifest::DeletionPolicy::kDelete)});
  CreateAll();
  ASSERT_EQ(inventory_.Entries().size(), 1u);
  Install({Service()});
  controller_->RunPass(false);
  EXPECT_EQ(scnet_->CountCalls("DeleteContainerInstance"), 1);
  EXPECT_EQ(controller_->Snapshot().prune_blocked, "");
}

TEST_F(PruneTest, RemovingThreeOfFourIsBlockedByTheHalfRule) {
  Make(true);
  std::vector<manifest::Resource> all = Keep(1);
  for (const char* name : {"a", "b", "c"}) {
    all.push_back(WithPolicy(name, manifest::DeletionPolicy::kDelete));
  }
  Install(all);
  CreateAll();
  Install(Keep(1));
  controller_->RunPass(false);
  EXPECT_EQ(scnet_->CountCalls("DeleteContainerInstance"), 0);
  EXPECT_EQ(controller_->Snapshot().prune_blocked,
            "this revision would prune 3 of 4 managed resources, more than half; nothing is "
            "pruned (if this is intended, remove at most 2 at a time, or set deletionPolicy "
            "Orphan and delete them by hand)");
}

// Each provider is swept on its own schedule; the guards count the whole
// revision, so a later sweep of one provider alone does not lift the cap.
TEST_F(PruneTest, TheCapCountsEveryProvidersLatestSweep) {
  Make(true, /*max_prune=*/2);
  std::vector<manifest::Resource> all = Keep(6);
  for (const char* name : {"a", "b"}) {
    all.push_back(WithPolicy(name, manifest::DeletionPolicy::kDelete));
    auto nb = TiOne(std::string("nb-") + name, "Running");
    nb.spec.deletion_policy = manifest::DeletionPolicy::kDelete;
    all.push_back(nb);
  }
  Install(all);
  CreateAll();
  Install(Keep(6));
  controller_->RunPass(false);  // sweeps both: 2 + 2 > 2
  const std::string blocked =
      "this revision would prune 4 resources, more than --max-prune 2; nothing is pruned (if "
      "this is intended, run with --max-prune 4 for this change, or remove fewer at a time)";
  EXPECT_EQ(controller_->Snapshot().prune_blocked, blocked);
  for (int i = 0; i < 4; ++i) {  // the providers' sweeps, jittered apart
    clock_.Advance(seconds(31));
    controller_->RunPass(false);
  }
  EXPECT_EQ(scnet_->CountCalls("DeleteContainerInstance"), 0);
  EXPECT_EQ(tione_->CountCalls("StopNotebook"), 0);
  EXPECT_EQ(controller_->Snapshot().prune_blocked, blocked);
}

TEST_F(PruneTest, AStopWhoseAnswerWasLostButThatHappenedIsResolvedByTheSweep) {
  Make(true);
  auto all = Keep(3);
  all.push_back(WithPolicy("stop", manifest::DeletionPolicy::kStop));
  Install(all);
  CreateAll();
  scnet_->FailNext("StopContainerInstance", LostAnswer("StopContainerInstance"),
                   /*commit=*/true);
  Install(Keep(3));
  controller_->RunPass(false);
  EXPECT_EQ(journal_.Pending().size(), 1u);  // outcome unknown: the intent stays
  clock_.Advance(seconds(31));
  controller_->RunPass(true);  // the sweep shows it Terminated: done
  EXPECT_TRUE(journal_.Pending().empty());
  EXPECT_EQ(scnet_->CountCalls("StopContainerInstance"), 1);
}

// A pass writes the inventory once, however many resources it observed: a new
// revision changes every entry (its revision), and writing the file (fsync'd,
// renamed, directory fsync'd) once per resource made a pass over 1,000 resources
// take tens of seconds before it could prune (found by the chaos test).
TEST_F(PruneTest, APassWritesTheInventoryOnceWhateverTheNumberOfResources) {
  test_support::TempDir dir;
  auto file = FileInventory::Open(dir.path());
  ASSERT_TRUE(file) << file.error().message;
  Make(true);
  controller_->SetInventory(file->get());
  Install(Keep(20));
  CreateAll();
  EXPECT_EQ((*file)->Entries().size(), 20u);
  EXPECT_EQ((*file)->Writes(), 1);
  Install(Keep(20));  // the same resources, a new revision
  controller_->RunPass(true);
  EXPECT_EQ((*file)->Writes(), 2);
  for (const auto& e : (*file)->Entries()) EXPECT_EQ(e.revision, "rev2");
  controller_->RunPass(true);
  EXPECT_EQ((*file)->Writes(), 2);  // nothing changed
}

// The controller remembers which entries the inventory holds, so a sweep does not
// rebuild and compare all of them; an entry whose write failed is not among them
// and is written by the next pass that can.
TEST_F(PruneTest, AnInventoryWriteThatFailedIsMadeByALaterPass) {
  test_support::TempDir dir;
  auto file = FileInventory::Open(dir.path());
  ASSERT_TRUE(file) << file.error().message;
  Make(true);
  controller_->SetInventory(file->get());
  const std::filesystem::path blocker = std::filesystem::path(dir.path()) / "inventory.json.tmp";
  std::filesystem::create_directory(blocker);  // the next write cannot open its file
  Install(Keep(3));
  CreateAll();
  EXPECT_TRUE((*file)->Entries().empty());
  controller_->RunPass(true);
  EXPECT_TRUE((*file)->Entries().empty());
  std::filesystem::remove(blocker);
  controller_->RunPass(true);
  EXPECT_EQ((*file)->Entries().size(), 3u);
  const int writes = (*file)->Writes();
  controller_->RunPass(true);
  EXPECT_EQ((*file)->Writes(), writes);  // held as it is: nothing rebuilt, nothing written
}

}  // namespace
}  // namespace converge::reconcile
