#include "gitsource/work_tree.h"

#include <filesystem>

#include "gitsource/libgit2.h"

namespace converge::gitsource {

std::optional<WorkTreeCommit> DescribeWorkTree(const std::string& dir) {
  InitLibgit2Once();
  std::error_code ec;
  const std::filesystem::path abs = std::filesystem::weakly_canonical(dir, ec);
  if (ec) return std::nullopt;
  RepoPtr repo;
  if (git_repository_open_ext(repo.out(), abs.c_str(), 0, nullptr) != 0) return std::nullopt;
  if (git_repository_is_bare(repo.get())) return std::nullopt;
  git_oid head;
  if (git_reference_name_to_id(&head, repo.get(), "HEAD") != 0) return std::nullopt;
  WorkTreeCommit out;
  out.sha = git_oid_tostr_s(&head);
  ReferencePtr ref;
  if (git_repository_head_detached(repo.get()) == 0 &&
      git_repository_head(ref.out(), repo.get()) == 0)
    out.branch = git_reference_shorthand(ref.get());

  // Uncommitted changes under `dir` only: the pathspec is `dir` relative to the work tree.
  const std::filesystem::path workdir =
      std::filesystem::weakly_canonical(git_repository_workdir(repo.get()), ec);
  std::string relative = abs.lexically_relative(workdir).generic_string();
  if (relative == ".") relative.clear();
  git_status_options options = GIT_STATUS_OPTIONS_INIT;
  options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
  options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
                  GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
  char* spec = relative.data();
  if (!relative.empty()) {
    options.pathspec.strings = &spec;
    options.pathspec.count = 1;
  }
  StatusListPtr status;
  if (git_status_list_new(status.out(), repo.get(), &options) == 0)
    out.dirty = git_status_list_entrycount(status.get()) > 0;
  return out;
}

}  // namespace converge::gitsource
