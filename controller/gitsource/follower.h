// Follows a GitSource on a thread: fetches every `interval` and at once on
// Trigger() (SIGHUP, POST /reconcile, a push webhook); reports each fetch and
// each new revision through hooks. The state is readable from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "gitsource/git_source.h"

namespace converge::gitsource {

struct FollowerState {
  std::string url;  // without userinfo
  std::string branch;
  std::string path;
  std::string revision;     // full SHA of the checkout in use ("" before the first)
  std::string last_error;   // the last fetch's error, "" when it succeeded
  double last_success = 0;  // unix seconds of the last successful fetch
};

class Follower {
 public:
  struct Hooks {
    // Every fetch: empty error on success.
    std::function<void(const std::string& error)> on_fetch;
    // A new revision is checked out (called from the follower thread).
    std::function<void(const Revision&)> on_revision;
  };
  Follower(std::unique_ptr<GitSource> source, std::chrono::milliseconds interval, Hooks hooks);
  ~Follower();  // stops

  // One fetch on the calling thread (before Start(), e.g. at startup).
  Result<Revision> SyncNow();
  void Start();
  void Trigger();
  void Stop();
  FollowerState state() const;

 private:
  void Loop();

  std::unique_ptr<GitSource> source_;
  const std::chrono::milliseconds interval_;
  Hooks hooks_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool triggered_ = false;
  bool stop_ = false;
  FollowerState state_;
  std::thread thread_;
};

}  // namespace converge::gitsource
