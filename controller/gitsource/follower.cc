#include "gitsource/follower.h"

namespace converge::gitsource {

Follower::Follower(std::unique_ptr<GitSource> source, std::chrono::milliseconds interval,
                   Hooks hooks)
    : source_(std::move(source)), interval_(interval), hooks_(std::move(hooks)) {
  state_.url = StripUserinfo(source_->options().url);
  state_.branch = source_->options().branch;
  state_.path = source_->options().path;
  if (auto current = source_->current()) state_.revision = current->sha;
}

Follower::~Follower() { Stop(); }

Result<Revision> Follower::SyncNow() {
  const std::string before = source_->current() ? source_->current()->sha : "";
  Result<Revision> rev = source_->Sync();
  {
    std::lock_guard lock(mu_);
    if (rev) {
      state_.revision = rev->sha;
      state_.last_error.clear();
      state_.last_success =
          std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
              .count();
    } else {
      state_.last_error = rev.error().message;
    }
  }
  if (hooks_.on_fetch) hooks_.on_fetch(rev ? "" : rev.error().message);
  if (rev && rev->sha != before && hooks_.on_revision) hooks_.on_revision(*rev);
  return rev;
}

void Follower::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void Follower::Trigger() {
  std::lock_guard lock(mu_);
  triggered_ = true;
  cv_.notify_all();
}

void Follower::Stop() {
  source_->Cancel();
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

FollowerState Follower::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

void Follower::Loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, interval_, [this] { return stop_ || triggered_; });
    if (stop_) return;
    triggered_ = false;
    lock.unlock();
    // The outcome is already recorded (state, hooks: log, metrics, /status).
    static_cast<void>(SyncNow());
    lock.lock();
  }
}

}  // namespace converge::gitsource
