#include "cloud/http/connection_pool.h"

namespace converge::cloud::http {

std::unique_ptr<Connection> ConnectionPool::Take() {
  while (true) {
    std::unique_ptr<Connection> newest;
    std::vector<std::unique_ptr<Connection>> expired;  // closed outside the lock
    {
      std::lock_guard lock(mu_);
      const Deadline oldest_kept = SteadyClock::now() - max_age_;
      size_t stale = 0;
      while (stale < idle_.size() && idle_[stale]->idle_since < oldest_kept) ++stale;
      for (size_t i = 0; i < stale; ++i) expired.push_back(std::move(idle_[i]));
      idle_.erase(idle_.begin(), idle_.begin() + static_cast<std::ptrdiff_t>(stale));
      if (idle_.empty()) return nullptr;
      newest = std::move(idle_.back());
      idle_.pop_back();
    }
    if (newest->IdleAndOpen()) return newest;
  }
}

void ConnectionPool::Put(std::unique_ptr<Connection> connection) {
  if (max_idle_ == 0) return;
  connection->idle_since = SteadyClock::now();
  std::unique_ptr<Connection> oldest;
  std::lock_guard lock(mu_);
  if (idle_.size() >= max_idle_) {
    oldest = std::move(idle_.front());
    idle_.erase(idle_.begin());
  }
  idle_.push_back(std::move(connection));
}

}  // namespace converge::cloud::http
