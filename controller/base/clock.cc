#include "base/clock.h"

#include <thread>

namespace converge {

void RealClock::SleepFor(Duration d) { std::this_thread::sleep_for(d); }

void SimulatedClock::Advance(Duration d) {
  {
    std::lock_guard lock(mu_);
    elapsed_ += d;
    slept_ += d;
  }
  // Holding each waiter's mutex while notifying: a waiter between its deadline
  // check and its wait holds that mutex, so it cannot miss the wake-up.
  std::lock_guard lock(waiters_mu_);
  for (const auto& [cv, mutex] : waiters_) {
    std::lock_guard waiter_lock(*mutex);
    cv->notify_all();
  }
}

bool SimulatedClock::WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                               SteadyTime deadline, const std::function<bool()>& pred) {
  // Registering takes waiters_mu_, which is ordered before the caller's mutex.
  lock.unlock();
  std::multimap<std::condition_variable*, std::mutex*>::iterator self;
  {
    std::lock_guard waiters_lock(waiters_mu_);
    self = waiters_.emplace(&cv, lock.mutex());
    ++waits_started_;
  }
  waits_cv_.notify_all();
  lock.lock();
  while (!pred() && Now() < deadline) cv.wait(lock);
  const bool result = pred();
  lock.unlock();
  {
    std::lock_guard waiters_lock(waiters_mu_);
    waiters_.erase(self);
  }
  lock.lock();
  return result;
}

RealClock& RealClock::Get() {
  static RealClock clock;
  return clock;
}

}  // namespace converge
