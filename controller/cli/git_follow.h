// `converge run --git`: builds the git source from the flags, fetches once at
// startup, and connects the follower to the metrics, /status, the webhook and
// the run loop (which applies each new revision through its usual reload path).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "cli/args.h"
#include "gitsource/follower.h"
#include "manifest/loader.h"
#include "serve/metrics.h"
#include "serve/server.h"

namespace converge::cli {

class GitFollow {
 public:
  // Reads the flags and credentials, opens the repository under --state-dir and
  // fetches once; `paths` becomes the checkout's manifest directory. Fails when
  // the flags are unusable, or when the first fetch fails and no earlier checkout
  // exists in the state directory.
  static Result<std::unique_ptr<GitFollow>> Create(const Args& args,
                                                   std::vector<std::string>* paths);

  gitsource::Follower& follower() { return *follower_; }
  // Registers the git metrics and counts the startup fetch.
  void Attach(serve::Metrics* metrics);
  // Called (from the follower thread) with each new revision. Set before Start().
  void OnRevision(std::function<void(const gitsource::Revision&)> hook);
  // The revision of a load from a checkout directory is its commit SHA.
  static void NameRevision(manifest::LoadResult* loaded, const std::vector<std::string>& paths);
  void ServeWebhook(serve::Endpoints* endpoints);
  nlohmann::json StatusJson() const;

 private:
  GitFollow() = default;
  std::unique_ptr<gitsource::Follower> follower_;
  std::string webhook_secret_;
  mutable std::mutex mu_;
  serve::Metrics* metrics_ = nullptr;
  std::string startup_error_;  // the first fetch's error ("" when it succeeded)
  std::function<void(const gitsource::Revision&)> on_revision_;
};

}  // namespace converge::cli
