// The inventory file: durable, and never trusted when corrupt.
#include "reconcile/inventory.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace converge::reconcile {
namespace {

namespace fs = std::filesystem;

InventoryEntry Entry(const std::string& name, const std::string& policy) {
  return {"ContainerInstance", "scnet", name, "id-" + name, true, policy, "rev1"};
}

TEST(FileInventoryTest, SurvivesAReopen) {
  test_support::TempDir dir;
  {
    auto inv = FileInventory::Open(dir.path());
    ASSERT_TRUE(inv) << inv.error().message;
    ASSERT_TRUE((*inv)->Put(Entry("a", "Delete")));
    ASSERT_TRUE((*inv)->Put(Entry("b", "Orphan")));
    ASSERT_TRUE((*inv)->Remove("ContainerInstance/scnet/b"));
  }
  auto inv = FileInventory::Open(dir.path());
  ASSERT_TRUE(inv);
  EXPECT_EQ((*inv)->LoadError(), "");
  ASSERT_EQ((*inv)->Entries().size(), 1u);
  EXPECT_EQ((*inv)->Entries()[0], Entry("a", "Delete"));
  EXPECT_FALSE(fs::exists(fs::path(dir.path()) / "inventory.json.tmp"));
}

TEST(FileInventoryTest, PutAllWritesABatchOnceAndNothingUnchanged) {
  test_support::TempDir dir;
  auto inv = FileInventory::Open(dir.path());
  ASSERT_TRUE(inv) << inv.error().message;
  std::vector<InventoryEntry> batch;
  for (int i = 0; i < 20; ++i) batch.push_back(Entry("ci" + std::to_string(i), "Delete"));
  ASSERT_TRUE((*inv)->PutAll(batch));
  EXPECT_EQ((*inv)->Writes(), 1);
  ASSERT_TRUE((*inv)->PutAll(batch));
  EXPECT_EQ((*inv)->Writes(), 1);  // nothing changed: nothing written
  for (auto& e : batch) e.revision = "rev2";
  ASSERT_TRUE((*inv)->PutAll(batch));
  EXPECT_EQ((*inv)->Writes(), 2);
  auto reopened = FileInventory::Open(dir.path());
  ASSERT_TRUE(reopened);
  ASSERT_EQ((*reopened)->Entries().size(), 20u);
  for (const auto& e : (*reopened)->Entries()) EXPECT_EQ(e.revision, "rev2");
}

TEST(FileInventoryTest, AFailedWriteLeavesTheBatchUnapplied) {
  test_support::TempDir dir;
  auto inv = FileInventory::Open(dir.path());
  ASSERT_TRUE(inv) << inv.error().message;
  ASSERT_TRUE((*inv)->PutAll({Entry("a", "Delete"), Entry("b", "Orphan")}));
  // A directory where the temporary file goes: the next write cannot open it.
  fs::create_directory(fs::path(dir.path()) / "inventory.json.tmp");
  InventoryEntry changed = Entry("a", "Stop");
  Status put = (*inv)->PutAll({changed, Entry("c", "Delete")});
  ASSERT_FALSE(put);
  EXPECT_NE(put.error().message.find("inventory.json.tmp"), std::string::npos)
      << put.error().message;
  EXPECT_TRUE((*inv)->Holds(Entry("a", "Delete")));  // the replaced entry is back
  EXPECT_FALSE((*inv)->Holds(changed));
  EXPECT_FALSE((*inv)->Find("ContainerInstance/scnet/c"));  // the added one is gone
  EXPECT_EQ((*inv)->Entries().size(), 2u);
}

TEST(FileInventoryTest, EntriesKeepsWhatThePredicateAcceptsAndCountsAll) {
  test_support::TempDir dir;
  auto inv = FileInventory::Open(dir.path());
  ASSERT_TRUE(inv) << inv.error().message;
  ASSERT_TRUE((*inv)->PutAll({Entry("a", "Delete"), Entry("b", "Orphan"), Entry("c", "Stop")}));
  size_t size = 0;
  const std::vector<InventoryEntry> kept = (*inv)->Entries(
      [](const std::string&, const InventoryEntry& e) { return e.name != "b"; }, &size);
  EXPECT_EQ(size, 3u);
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[0].name, "a");
  EXPECT_EQ(kept[1].name, "c");
  EXPECT_TRUE((*inv)->Holds(Entry("b", "Orphan")));
  EXPECT_FALSE((*inv)->Holds(Entry("b", "Delete")));  // held, but not as given
}

TEST(FileInventoryTest, ACorruptFileIsReportedSetAsideAndNotTrusted) {
  test_support::TempDir dir;
  const fs::path file = fs::path(dir.path()) / "inventory.json";
  std::ofstream(file) << R"({"version":1,"resources":[{"kind":"ContainerInstance",)";
  auto inv = FileInventory::Open(dir.path());
  ASSERT_TRUE(inv);
  EXPECT_TRUE((*inv)->Entries().empty());
  EXPECT_EQ((*inv)->LoadError(),
            "inventory " + file.string() +
                " is unreadable or corrupt and is not trusted (kept as " + file.string() +
                ".corrupt); nothing it listed will be pruned, and it is rebuilt " +
                "from what the manifests declare");
  EXPECT_TRUE(fs::exists(file.string() + ".corrupt"));
}

TEST(FileInventoryTest, AnEntryWithAnUnknownPolicyMakesTheWholeFileUntrusted) {
  test_support::TempDir dir;
  const fs::path file = fs::path(dir.path()) / "inventory.json";
  std::ofstream(file) << R"({"version":1,"resources":[{"kind":"ContainerInstance","provider":"s",)"
                         R"("name":"a","id":"1","owned":true,"deletionPolicy":"Destroy"}]})";
  auto inv = FileInventory::Open(dir.path(), /*read_only=*/true);
  ASSERT_TRUE(inv);
  EXPECT_TRUE((*inv)->Entries().empty());
  EXPECT_NE((*inv)->LoadError(), "");
  EXPECT_TRUE(fs::exists(file));  // read only: left where it is
}

}  // namespace
}  // namespace converge::reconcile
