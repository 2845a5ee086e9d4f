#include "reconcile/journal.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

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
  {
    auto j = FileJournal::Open(dir_.string());
    ASSERT_TRUE(j) << j.error().message;
    Status s = (*j)->Record({"scnet", "ContainerInstance", "bert/x y", 1234});
    ASSERT_TRUE(s) << s.error().message;
    s = (*j)->Record({"tione", "TiOneNotebook", "nb", 99});
    ASSERT_TRUE(s) << s.error().message;
    s = (*j)->Clear({"tione", "TiOneNotebook", "nb", 0});
    ASSERT_TRUE(s) << s.error().message;
  }
  auto j = FileJournal::Open(dir_.string());
  ASSERT_TRUE(j) << j.error().message;
  const auto pending = (*j)->Pending();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].provider, "scnet");
  EXPECT_EQ(pending[0].kind, "ContainerInstance");
  EXPECT_EQ(pending[0].name, "bert/x y");
  EXPECT_EQ(pending[0].created_unix_ms, 1234);
}

// Records from many workers at once share the directory's fsync (group commit):
// each returns once its own intent is written, and every one is there on reopen.
TEST_F(FileJournalTest, ConcurrentRecordsAllSurviveReopen) {
  {
    auto j = FileJournal::Open(dir_.string());
    ASSERT_TRUE(j) << j.error().message;
    std::vector<std::thread> workers;
    std::atomic<int> failures{0};
    for (int w = 0; w < 8; ++w) {
      workers.emplace_back([&, w] {
        for (int i = 0; i < 25; ++i) {
          const std::string name = "w" + std::to_string(w) + "-" + std::to_string(i);
          if (!(*j)->Record({"scnet", "ContainerInstance", name, i})) ++failures;
          if (i % 5 == 0 && !(*j)->Clear({"scnet", "ContainerInstance", name, 0})) ++failures;
        }
      });
    }
    for (auto& t : workers) t.join();
    EXPECT_EQ(failures, 0);
    EXPECT_EQ((*j)->Pending().size(), 8u * 20u);
  }
  auto j = FileJournal::Open(dir_.string());
  ASSERT_TRUE(j) << j.error().message;
  EXPECT_EQ((*j)->Pending().size(), 8u * 20u);
}

TEST_F(FileJournalTest, ClearIsIdempotent) {
  auto j = FileJournal::Open(dir_.string());
  ASSERT_TRUE(j) << j.error().message;
  const Status s = (*j)->Clear({"p", "k", "n", 0});
  EXPECT_TRUE(s) << s.error().message;
}

TEST_F(FileJournalTest, SecondOpenOfTheSameDirIsRefused) {
  auto first = FileJournal::Open(dir_.string());
  ASSERT_TRUE(first) << first.error().message;
  // flock locks are per open file description, so a second open in-process conflicts too.
  auto second = FileJournal::Open(dir_.string());
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, Error::Code::kFailedPrecondition);
  EXPECT_EQ(second.error().message,
            "state dir " + dir_.string() +
                " is in use by another converge process (one controller per state dir; stop the "
                "other or use another --state-dir)");
}

TEST_F(FileJournalTest, CorruptIntentIsAnErrorNotSilentlyDropped) {
  fs::create_directories(dir_ / "intents");
  std::ofstream(dir_ / "intents" / "x.json") << "{not json";
  auto j = FileJournal::Open(dir_.string());
  ASSERT_FALSE(j);
  EXPECT_EQ(j.error().code, Error::Code::kIOError);
  EXPECT_EQ(j.error().message,
            "state dir: unreadable intent file " + (dir_ / "intents" / "x.json").string() +
                " (inspect it; delete it only if you know the create it records did not happen)");
}

}  // namespace
}  // namespace converge::reconcile
