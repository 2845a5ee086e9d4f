// Time as a seam: production code asks a Clock, tests drive a SimulatedClock.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace converge {

using SteadyTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;
using Duration = std::chrono::steady_clock::duration;

// Thread-safe. SleepFor may return early only when Wake() is called.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual SteadyTime Now() const = 0;
  virtual WallTime WallNow() const = 0;
  virtual void SleepFor(Duration d) = 0;
};

class RealClock : public Clock {
 public:
  SteadyTime Now() const override { return std::chrono::steady_clock::now(); }
  WallTime WallNow() const override { return std::chrono::system_clock::now(); }
  void SleepFor(Duration d) override;
  // The process-wide instance.
  static RealClock& Get();
};

// A clock that moves only when told to. SleepFor advances it (no real waiting),
// so code that backs off runs instantly and deterministically in tests.
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
  void Advance(Duration d) {
    std::lock_guard lock(mu_);
    elapsed_ += d;
    slept_ += d;
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
};

}  // namespace converge
