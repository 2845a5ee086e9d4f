#include "cli/manifest_watcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>

#include "support/poll.h"
#include "support/temp_dir.h"

namespace converge::cli {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(ManifestSignatureTest, CoversEveryManifestFileAndSkipsWhatTheLoaderSkips) {
  const test_support::TempDir dir("converge-watch-sig");
  dir.Write("a.yaml", "a");
  dir.Write("sub/b.yml", "b");
  dir.Write("notes.txt", "n");
  dir.Write(".git/config.yaml", "g");
  dir.Write(".hidden.yaml", "h");
  const std::string sig = ManifestSignature({dir.path()});
  EXPECT_EQ(sig.size(), 16u);
  // What the loader skips does not count.
  dir.Write(".git/config.yaml", "changed");
  dir.Write(".hidden.yaml", "changed");
  dir.Write("notes.txt", "changed");
  EXPECT_EQ(ManifestSignature({dir.path()}), sig);
  // Every manifest does, however deep, and a new one too.
  dir.Write("sub/b.yml", "bb");
  const std::string edited = ManifestSignature({dir.path()});
  EXPECT_NE(edited, sig);
  dir.Write("sub/deeper/c.yaml", "c");
  const std::string added = ManifestSignature({dir.path()});
  EXPECT_NE(added, edited);
  // A rename keeps mtime and size: the path tells it apart.
  std::filesystem::rename(dir.path() + "/sub/deeper/c.yaml", dir.path() + "/sub/deeper/d.yaml");
  const std::string renamed = ManifestSignature({dir.path()});
  EXPECT_NE(renamed, added);
  // A file named directly counts as well, beside a directory.
  EXPECT_NE(ManifestSignature({dir.path(), dir.path() + "/notes.txt"}), renamed);
  EXPECT_EQ(ManifestSignature({dir.path()}), renamed);
}

// With inotify and no polling to speak of (an hour), a write is noticed at once:
// the wait is bounded, never slept through.
TEST(ManifestWatcherTest, InotifyNoticesAWriteWithoutPolling) {
  const test_support::TempDir dir("converge-watch-inotify");
  dir.Write("a.yaml", "a");
  dir.Write("deep/er/b.yaml", "b");
  dir.Write(".git/objects/x", "x");
  std::atomic<int> changes{0};
  ManifestWatcher watcher({dir.path()}, {.use_inotify = true, .safety_poll = hours(1)},
                          [&] { ++changes; });
  watcher.Start();
  ASSERT_TRUE(watcher.inotify());
  EXPECT_THAT(watcher.WatchedDirectories(),
              ElementsAre(dir.path(), dir.path() + "/deep", dir.path() + "/deep/er"));
  dir.Write("deep/er/b.yaml", "changed");
  EXPECT_TRUE(test_support::WaitFor([&] { return changes == 1; }, seconds(10)));
  // A directory made after the start is watched too.
  std::filesystem::create_directory(dir.Path("new"));
  dir.Write("new/c.yaml", "c");
  EXPECT_TRUE(test_support::WaitFor([&] { return changes == 2; }, seconds(10)));
  EXPECT_TRUE(
      test_support::WaitFor([&] { return watcher.WatchedDirectories().size() == 4; }, seconds(10)));
  dir.Write("new/c.yaml", "cc");
  EXPECT_TRUE(test_support::WaitFor([&] { return changes == 3; }, seconds(10)));
  watcher.Stop();
  EXPECT_EQ(changes, 3);
}

TEST(ManifestWatcherTest, PollingIsTheFallbackWithoutInotify) {
  const test_support::TempDir dir("converge-watch-poll");
  const std::string file = dir.Write("a.yaml", "a");
  std::atomic<int> changes{0};
  ManifestWatcher watcher({file}, {.use_inotify = false, .poll = milliseconds(20)},
                          [&] { ++changes; });
  watcher.Start();
  EXPECT_FALSE(watcher.inotify());
  EXPECT_TRUE(watcher.WatchedDirectories().empty());
  dir.Write("a.yaml", "changed");
  EXPECT_TRUE(test_support::WaitFor([&] { return changes == 1; }, seconds(10)));
}

// A single manifest file is watched through its directory (editors replace files
// by renaming); writes to other files there change no signature, so no callback.
TEST(ManifestWatcherTest, AFileIsWatchedThroughItsDirectory) {
  const test_support::TempDir dir("converge-watch-file");
  const std::string file = dir.Write("a.yaml", "a");
  std::atomic<int> changes{0};
  ManifestWatcher watcher({file}, {.use_inotify = true, .safety_poll = hours(1)},
                          [&] { ++changes; });
  watcher.Start();
  EXPECT_THAT(watcher.WatchedDirectories(), ElementsAre(dir.path()));
  dir.Write("other.txt", "x");
  dir.Write("a.yaml", "renamed in");  // TempDir::Write renames, as editors do
  EXPECT_TRUE(test_support::WaitFor([&] { return changes >= 1; }, seconds(10)));
  watcher.Stop();
  EXPECT_EQ(changes, 1);
}

}  // namespace
}  // namespace converge::cli
