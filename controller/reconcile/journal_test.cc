#include "reconcile/journal.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/temp_dir.h"

namespace converge::reconcile {
namespace {

namespace fs = std::filesystem;

class FileJournalTest : public ::testing::Test {
 protected:
  // The journal's directory, not created yet: Open creates it.
  test_support::TempDir tmp_{"converge-journal"};
  fs::path dir_ = fs::path(tmp_.path()) / "journal";
};

TEST_F(FileJournalTest, IntentsSurviveReopen) {
  std::string err;
  {
    auto j = FileJournal::Open(dir_.string(), &err);
    ASSERT_NE(j, nullptr) << err;
    ASSERT_TRUE(j->Record({"scnet", "ContainerInstance", "bert/x y", 1234}, &err)) << err;
    ASSERT_TRUE(j->Record({"tione", "TiOneNotebook", "nb", 99}, &err)) << err;
    ASSERT_TRUE(j->Clear({"tione", "TiOneNotebook", "nb", 0}, &err)) << err;
  }
  auto j = FileJournal::Open(dir_.string(), &err);
  ASSERT_NE(j, nullptr) << err;
  const auto pending = j->Pending();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].provider, "scnet");
  EXPECT_EQ(pending[0].kind, "ContainerInstance");
  EXPECT_EQ(pending[0].name, "bert/x y");
  EXPECT_EQ(pending[0].created_unix_ms, 1234);
}

TEST_F(FileJournalTest, ClearIsIdempotent) {
  std::string err;
  auto j = FileJournal::Open(dir_.string(), &err);
  ASSERT_NE(j, nullptr);
  EXPECT_TRUE(j->Clear({"p", "k", "n", 0}, &err)) << err;
}

TEST_F(FileJournalTest, SecondOpenOfTheSameDirIsRefused) {
  std::string err;
  auto first = FileJournal::Open(dir_.string(), &err);
  ASSERT_NE(first, nullptr);
  // flock locks are per open file description, so a second open in-process conflicts too.
  auto second = FileJournal::Open(dir_.string(), &err);
  EXPECT_EQ(second, nullptr);
  EXPECT_NE(err.find("is in use by another converge process"), std::string::npos) << err;
}

TEST_F(FileJournalTest, CorruptIntentIsAnErrorNotSilentlyDropped) {
  fs::create_directories(dir_ / "intents");
  std::ofstream(dir_ / "intents" / "x.json") << "{not json";
  std::string err;
  EXPECT_EQ(FileJournal::Open(dir_.string(), &err), nullptr);
  EXPECT_NE(err.find("unreadable intent file"), std::string::npos) << err;
}

}  // namespace
}  // namespace converge::reconcile
