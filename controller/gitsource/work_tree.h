// The commit a local manifest directory is checked out at, for `converge plan`
// in a manifest repository's CI: the plan names the full commit SHA it was
// computed from, and says when the directory has uncommitted changes.
#pragma once

#include <optional>
#include <string>

namespace converge::gitsource {

struct WorkTreeCommit {
  std::string sha;     // full SHA of HEAD
  std::string branch;  // the checked-out branch; empty on a detached HEAD
  bool dirty = false;  // files under the directory differ from HEAD (untracked included)
};

// The commit of the git work tree `dir` belongs to; nullopt when `dir` is in no
// work tree (or the repository has no commit yet). Never fails otherwise: a
// repository libgit2 cannot read is treated as none.
std::optional<WorkTreeCommit> DescribeWorkTree(const std::string& dir);

}  // namespace converge::gitsource
