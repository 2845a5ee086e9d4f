// Time as a seam: production code asks a Clock, tests drive a SimulatedClock.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>

namespace converge {

using SteadyTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;
using Duration = std::chrono::steady_clock::duration;

// Thread-safe. SleepFor waits the whole duration. WaitUntil is the one way code
// waits for "an event or a deadline": it waits on `cv` (with `lock` held on
// entry and on return) until `pred` holds or this clock reaches `deadline`, and
// returns pred(). Whoever makes pred true notifies `cv` while holding the mutex.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual SteadyTime Now() const = 0;
  virtual WallTime WallNow() const = 0;
  virtual void SleepFor(Duration d) = 0;
  virtual bool WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                         SteadyTime deadline, const std::function<bool()>& pred) = 0;
};

class RealClock : public Clock {
 public:
  SteadyTime Now() const override { return std::chrono::steady_clock::now(); }
  WallTime WallNow() const override { return std::chrono::system_clock::now(); }
  void SleepFor(Duration d) override;
  bool WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                 SteadyTime deadline, const std::function<bool()>& pred) override {
    return cv.wait_until(lock, deadline, pred);
  }
  // The process-wide instance.
  static RealClock& Get();
};

// A clock that moves only when told to. SleepFor advances it (no real waiting),
// so code that backs off runs instantly and deterministically in tests.
// WaitUntil blocks until pred holds or Advance moves the clock to the deadline;
// Advance wakes every waiter by notifying its cv with its mutex held, so it must
// not be called while holding a mutex that a thread waits on in WaitUntil.
class SimulatedClock : public Clock {
 public:
  explicit SimulatedClock(WallTime wall_start = WallTime{std::chrono::seconds(1700000000)})
      : wall_start_(wall_start) {}
  SteadyTime Now() const override {
    std::lock_guard lock(mu_);
    return SteadyTime{} + elapsed_;
  }
  WallTime WallNow() const override {
    std::lock_guard lock(mu_);
    return wall_start_ + std::chrono::duration_cast<WallTime::duration>(elapsed_);
  }
  void SleepFor(Duration d) override { Advance(d); }
  void Advance(Duration d);
  bool WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                 SteadyTime deadline, const std::function<bool()>& pred) override;
  // How many WaitUntil calls have begun. A test that advanced the clock knows the
  // waiter has reacted (and is waiting again) once this grows.
  size_t WaitsStarted() const {
    std::lock_guard lock(waiters_mu_);
    return waits_started_;
  }
  // For tests: blocks (in real time, at most `timeout`) until WaitsStarted() >= n;
  // false on timeout.
  bool AwaitWaitsStarted(size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(waiters_mu_);
    return waits_cv_.wait_for(lock, timeout, [&] { return waits_started_ >= n; });
  }
  // Total time spent in SleepFor/Advance, for asserting backoff schedules.
  Duration Slept() const {
    std::lock_guard lock(mu_);
    return slept_;
  }

 private:
  mutable std::mutex mu_;
  WallTime wall_start_;
  Duration elapsed_{};
  Duration slept_{};
  // Threads in WaitUntil: their cv and its mutex. Lock order: waiters_mu_, then a
  // waiter's mutex, then mu_.
  mutable std::mutex waiters_mu_;
  std::multimap<std::condition_variable*, std::mutex*> waiters_;
  size_t waits_started_ = 0;
  std::condition_variable waits_cv_;
};

}  // namespace converge
