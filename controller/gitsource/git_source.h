// Git as the manifest source: a branch of a repository followed with libgit2.
// Each fetched revision is checked out into its own directory named by the commit
// SHA, then a `current` symlink is swapped to it with rename(2), so a reader sees
// the old tree or the new one, never a half-updated one. The repository URL's
// userinfo and the credentials never appear in errors.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace converge::gitsource {

// Credentials for a private repository. Secret values are read from files (or
// the environment, see ReadCredentials in the CLI) and registered for redaction.
struct Credentials {
  std::string username;  // HTTPS basic auth / SSH user (default "git")
  std::string password;  // HTTPS password or token
  std::string ssh_key_file;
  std::string known_hosts_file;  // required with ssh_key_file
};

struct Options {
  std::string url;
  std::string branch = "main";
  std::string path;       // directory inside the repository holding the manifests
  std::string state_dir;  // the repository and checkouts live under STATE_DIR/git
  Credentials credentials;
  // A fetch (connect and transfer) taking longer than this is aborted.
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
};

struct Revision {
  std::string sha;  // full commit SHA
  std::string dir;  // the checked-out manifest directory (inside the SHA's checkout)
  std::string ShortSha() const { return sha.substr(0, 12); }
};

// `url` without user:password@ (for logs, errors and /status).
std::string StripUserinfo(std::string_view url);

// Not thread-safe: one thread calls Sync().
class GitSource {
 public:
  // Initialises libgit2 (once per process) and the bare repository under the
  // state directory. kInvalidArgument for unusable options.
  static Result<std::unique_ptr<GitSource>> Open(Options options);
  ~GitSource();
  GitSource(const GitSource&) = delete;
  GitSource& operator=(const GitSource&) = delete;

  // Fetches the branch (force-pushes are followed) and, when its head differs
  // from the current revision, checks it out and swaps `current` to it. Returns
  // the current revision. On failure the previous checkout stays current; the
  // error names the repository (without userinfo) and what to check.
  Result<Revision> Sync();

  // From any thread: aborts a fetch in progress (its transfer) and every later one.
  void Cancel() { cancelled_ = true; }

  std::optional<Revision> current() const { return current_; }
  const Options& options() const { return options_; }

 private:
  explicit GitSource(Options options);
  Status Fetch();
  Status Checkout(const std::string& sha, const void* tree);

  Options options_;
  struct Repo;
  std::unique_ptr<Repo> repo_;
  std::optional<Revision> current_;
  std::atomic<bool> cancelled_{false};
};

}  // namespace converge::gitsource
