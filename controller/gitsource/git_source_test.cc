#include "gitsource/git_source.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "gitsource/git_test_repo.h"
#include "support/temp_dir.h"

namespace converge::gitsource {
namespace {

namespace fs = std::filesystem;
using test_support::TempDir;
using testing::HttpGitServer;
using testing::TestRepo;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::unique_ptr<GitSource> OpenSource(const TempDir& dir, const std::string& url,
                                      Credentials credentials = {}, const std::string& path = "") {
  auto source = GitSource::Open({.url = url,
                                 .branch = "main",
                                 .path = path,
                                 .state_dir = dir.Path("state"),
                                 .credentials = credentials,
                                 .timeout = std::chrono::seconds(20)});
  EXPECT_TRUE(source.has_value()) << source.error().message;
  return std::move(*source);
}

TEST(StripUserinfo, RemovesUserAndPassword) {
  EXPECT_EQ(StripUserinfo("https://bob:s3cret@git.example.com/org/repo.git"),
            "https://git.example.com/org/repo.git");
  EXPECT_EQ(StripUserinfo("https://git.example.com/a@b"), "https://git.example.com/a@b");
  EXPECT_EQ(StripUserinfo("file:///tmp/x.git"), "file:///tmp/x.git");
}

TEST(GitSource, FollowsTheBranchOverFileUrl) {
  TempDir dir("gitsource");
  TestRepo repo(dir);
  const std::string first = repo.Commit("manifests/a.yaml", "a: 1\n");
  auto source = OpenSource(dir, repo.FileUrl(), {}, "manifests");
  auto rev = source->Sync();
  ASSERT_TRUE(rev.has_value()) << rev.error().message;
  EXPECT_EQ(rev->sha, first);
  EXPECT_EQ(rev->dir, dir.Path("state/git/checkouts/" + first + "/manifests"));
  EXPECT_EQ(ReadFile(rev->dir + "/a.yaml"), "a: 1\n");
  EXPECT_EQ(fs::read_symlink(dir.Path("state/git/current")), fs::path("checkouts") / first);

  // Nothing new: the same revision, no new checkout.
  auto same = source->Sync();
  ASSERT_TRUE(same.has_value());
  EXPECT_EQ(same->sha, first);

  const std::string second = repo.Commit("manifests/b.yaml", "b: 2\n");
  const std::string third = repo.Commit("manifests/c.yaml", "c: 3\n");
  rev = source->Sync();
  ASSERT_TRUE(rev.has_value()) << rev.error().message;
  EXPECT_EQ(rev->sha, third);
  EXPECT_EQ(ReadFile(rev->dir + "/c.yaml"), "c: 3\n");
  EXPECT_EQ(fs::read_symlink(dir.Path("state/git/current")), fs::path("checkouts") / third);
  // The previous checkout is kept; none other is.
  EXPECT_TRUE(fs::exists(dir.Path("state/git/checkouts/" + first)));
  EXPECT_FALSE(fs::exists(dir.Path("state/git/checkouts/" + second)));

  // A force-push back is followed, and the checkouts before it are removed.
  const std::string back = repo.ForcePushBack();
  EXPECT_EQ(back, second);
  rev = source->Sync();
  ASSERT_TRUE(rev.has_value()) << rev.error().message;
  EXPECT_EQ(rev->sha, second);
  EXPECT_FALSE(fs::exists(rev->dir + "/c.yaml"));
  EXPECT_EQ(ReadFile(rev->dir + "/b.yaml"), "b: 2\n");
  size_t checkouts = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.Path("state/git/checkouts"))) {
    ++checkouts;
  }
  EXPECT_EQ(checkouts, 2u);  // `second` and the previous `third`
}

TEST(GitSource, ReopenedSourceStartsFromTheLastCheckout) {
  TempDir dir("gitsource");
  TestRepo repo(dir);
  const std::string first = repo.Commit("a.yaml", "a: 1\n");
  {
    auto source = OpenSource(dir, repo.FileUrl());
    ASSERT_TRUE(source->Sync().has_value());
  }
  auto source = OpenSource(dir, repo.FileUrl());
  ASSERT_TRUE(source->current().has_value());
  EXPECT_EQ(source->current()->sha, first);
}

TEST(GitSource, AFetchFailureKeepsTheLastRevisionAndHidesUserinfo) {
  TempDir dir("gitsource");
  TestRepo repo(dir);
  const std::string first = repo.Commit("a.yaml", "a: 1\n");
  auto source = OpenSource(dir, repo.FileUrl());
  ASSERT_TRUE(source->Sync().has_value());
  fs::rename(repo.bare(), dir.Path("moved.git"));
  auto failed = source->Sync();
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code, Error::Code::kUnavailable);
  EXPECT_TRUE(
      failed.error().message.starts_with("fetching branch main of " + repo.FileUrl() + " failed: "))
      << failed.error().message;
  EXPECT_EQ(source->current()->sha, first);
  EXPECT_EQ(fs::read_symlink(dir.Path("state/git/current")), fs::path("checkouts") / first);
}

TEST(GitSource, ACancelledSourceFetchesNoMore) {
  TempDir dir("gitsource");
  TestRepo repo(dir);
  const std::string first = repo.Commit("a.yaml", "a: 1\n");
  auto source = OpenSource(dir, repo.FileUrl());
  ASSERT_TRUE(source->Sync().has_value());
  repo.Commit("b.yaml", "b: 2\n");
  source->Cancel();
  auto rev = source->Sync();
  ASSERT_FALSE(rev.has_value());
  EXPECT_EQ(rev.error().message, "git fetch cancelled: shutting down");
  EXPECT_EQ(source->current()->sha, first);
}

TEST(GitSource, UnknownBranchIsNamed) {
  TempDir dir("gitsource");
  TestRepo repo(dir);
  repo.Commit("a.yaml", "a: 1\n");
  auto source =
      GitSource::Open({.url = repo.FileUrl(), .branch = "release", .state_dir = dir.Path("state")});
  ASSERT_TRUE(source.has_value());
  auto rev = (*source)->Sync();
  ASSERT_FALSE(rev.has_value());
  EXPECT_EQ(rev.error().code, Error::Code::kNotFound);
  EXPECT_EQ(rev.error().message,
            "branch release not found in " + repo.FileUrl() + "; check --branch");
}

TEST(GitSource, SmartHttpWithBasicAuth) {
  TempDir dir("gitsource");
  TestRepo repo(dir);
  const std::string first = repo.Commit("a.yaml", "a: 1\n");
  HttpGitServer server(dir, dir.path(), "deploy", "hunter2-token");
  auto source = OpenSource(dir, server.Url("origin.git"),
                           {.username = "deploy", .password = "hunter2-token"});
  auto rev = source->Sync();
  ASSERT_TRUE(rev.has_value()) << rev.error().message;
  EXPECT_EQ(rev->sha, first);
  const std::string second = repo.Commit("b.yaml", "b: 2\n");
  rev = source->Sync();
  ASSERT_TRUE(rev.has_value()) << rev.error().message;
  EXPECT_EQ(rev->sha, second);
  EXPECT_EQ(ReadFile(rev->dir + "/b.yaml"), "b: 2\n");
}

TEST(GitSource, WrongHttpCredentialsGiveAClearErrorWithoutTheSecret) {
  TempDir dir("gitsource");
  TestRepo repo(dir);
  repo.Commit("a.yaml", "a: 1\n");
  HttpGitServer server(dir, dir.path(), "deploy", "right-password");
  const std::string url_with_userinfo =
      "http://deploy:wrong-password-123@" + server.Url("origin.git").substr(7);
  auto source =
      OpenSource(dir, url_with_userinfo, {.username = "deploy", .password = "wrong-password-123"});
  auto rev = source->Sync();
  ASSERT_FALSE(rev.has_value());
  EXPECT_EQ(rev.error().message,
            "fetching branch main of " + server.Url("origin.git") +
                " failed: the server refused the credentials; check the credentials "
                "(--git-token-file / --git-username / --git-password-file / --git-ssh-key)");
  EXPECT_EQ(rev.error().message.find("wrong-password-123"), std::string::npos);
  EXPECT_FALSE(source->current().has_value());
}

TEST(GitSource, SshKeyWithoutKnownHostsIsRefused) {
  TempDir dir("gitsource");
  auto source = GitSource::Open({.url = "ssh://git@127.0.0.1/x.git",
                                 .state_dir = dir.Path("state"),
                                 .credentials = {.ssh_key_file = dir.Path("id")}});
  ASSERT_FALSE(source.has_value());
  EXPECT_EQ(source.error().message,
            "an SSH key needs a known_hosts file (--git-known-hosts) to check the server's host "
            "key");
}

}  // namespace
}  // namespace converge::gitsource
