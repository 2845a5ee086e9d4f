// Test helper: a real git repository (bare "origin" plus a work tree) driven by
// the `git` command, and a loopback smart-HTTP server (`git http-backend` under
// python3's CGI host) with optional basic auth.
#pragma once

#include <sys/types.h>

#include <string>

#include "support/temp_dir.h"

namespace converge::gitsource::testing {

// Runs `sh -c command`; its stdout (trimmed). Throws on a non-zero exit.
std::string Sh(const std::string& command);

class TestRepo {
 public:
  explicit TestRepo(const test_support::TempDir& dir);
  std::string FileUrl() const { return "file://" + bare_; }
  const std::string& bare() const { return bare_; }
  // Writes a file in the work tree, commits and pushes; returns the commit SHA.
  std::string Commit(const std::string& relative, const std::string& content);
  // Moves main back one commit and force-pushes; returns the new head SHA.
  std::string ForcePushBack();

 private:
  std::string Git(const std::string& args) const;
  std::string bare_;
  std::string work_;
};

// python3 serving `git http-backend` for every repository under `root` on
// 127.0.0.1, requiring basic auth user:password when user is not empty.
class HttpGitServer {
 public:
  HttpGitServer(const test_support::TempDir& dir, const std::string& root, const std::string& user,
                const std::string& password);
  ~HttpGitServer();
  std::string Url(const std::string& repo_name) const;

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace converge::gitsource::testing
