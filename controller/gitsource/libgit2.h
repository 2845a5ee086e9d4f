// libgit2 at the boundary (internal to converge::gitsource): RAII owners for its
// objects and its one-time global initialisation.
#pragma once

#include <git2.h>

namespace converge::gitsource {

template <typename T, void (*Free)(T*)>
struct Owned {
  T* p = nullptr;
  Owned() = default;
  Owned(const Owned&) = delete;
  Owned& operator=(const Owned&) = delete;
  ~Owned() {
    if (p) Free(p);
  }
  T** out() { return &p; }
  T* get() const { return p; }
};
using RepoPtr = Owned<git_repository, git_repository_free>;
using RemotePtr = Owned<git_remote, git_remote_free>;
using ObjectPtr = Owned<git_object, git_object_free>;
using CommitPtr = Owned<git_commit, git_commit_free>;
using TreePtr = Owned<git_tree, git_tree_free>;
using ReferencePtr = Owned<git_reference, git_reference_free>;
using StatusListPtr = Owned<git_status_list, git_status_list_free>;

// git_libgit2_init, once per process (thread-safe).
void InitLibgit2Once();

}  // namespace converge::gitsource
