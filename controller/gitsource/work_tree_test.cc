#include "gitsource/work_tree.h"

#include <gtest/gtest.h>

#include "gitsource/git_test_repo.h"
#include "support/temp_dir.h"

namespace converge::gitsource {
namespace {

using testing::Sh;

// A work tree with manifests/ and README committed on main.
std::string InitWorkTree(const test_support::TempDir& dir) {
  dir.Write("repo/manifests/a.yaml", "kind: Provider\n");
  dir.Write("repo/README", "docs\n");
  const std::string repo = dir.Path("repo");
  return Sh(
      "cd '" + repo +
      "' && git init -q -b main . && git add -A && GIT_CONFIG_NOSYSTEM=1 git -c "
      "user.name=test -c user.email=test@example.com commit -q -m init && git rev-parse HEAD");
}

TEST(WorkTreeTest, OutsideAnyRepositoryThereIsNoCommit) {
  test_support::TempDir dir("converge-worktree");
  dir.Write("manifests/a.yaml", "kind: Provider\n");
  EXPECT_FALSE(DescribeWorkTree(dir.Path("manifests")).has_value());
}

TEST(WorkTreeTest, NamesTheFullHeadShaAndBranchOfACleanDirectory) {
  test_support::TempDir dir("converge-worktree");
  const std::string sha = InitWorkTree(dir);
  ASSERT_EQ(sha.size(), 40u);
  const auto commit = DescribeWorkTree(dir.Path("repo/manifests"));
  ASSERT_TRUE(commit.has_value());
  EXPECT_EQ(commit->sha, sha);
  EXPECT_EQ(commit->branch, "main");
  EXPECT_FALSE(commit->dirty);
}

TEST(WorkTreeTest, DirtyOnlyForChangesUnderTheDirectory) {
  test_support::TempDir dir("converge-worktree");
  InitWorkTree(dir);
  dir.Write("repo/README", "changed outside the manifests\n");
  EXPECT_FALSE(DescribeWorkTree(dir.Path("repo/manifests"))->dirty);
  EXPECT_TRUE(DescribeWorkTree(dir.Path("repo"))->dirty);

  dir.Write("repo/manifests/new.yaml", "kind: Provider\n");  // untracked
  EXPECT_TRUE(DescribeWorkTree(dir.Path("repo/manifests"))->dirty);
}

TEST(WorkTreeTest, ADetachedHeadHasNoBranch) {
  test_support::TempDir dir("converge-worktree");
  const std::string sha = InitWorkTree(dir);
  Sh("cd '" + dir.Path("repo") + "' && git checkout -q --detach");
  const auto commit = DescribeWorkTree(dir.Path("repo/manifests"));
  ASSERT_TRUE(commit.has_value());
  EXPECT_EQ(commit->sha, sha);
  EXPECT_EQ(commit->branch, "");
}

}  // namespace
}  // namespace converge::gitsource
