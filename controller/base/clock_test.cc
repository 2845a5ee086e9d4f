#include "base/clock.h"

#include <gtest/gtest.h>

#include <future>

namespace converge {
namespace {

using std::chrono::seconds;

TEST(SimulatedClockTest, WaitUntilReturnsFalseOnceAdvancedToTheDeadlineNotBefore) {
  SimulatedClock clock;
  std::mutex mu;
  std::condition_variable cv;
  const SteadyTime deadline = clock.Now() + seconds(10);
  auto waited = std::async(std::launch::async, [&] {
    std::unique_lock lock(mu);
    return clock.WaitUntil(lock, cv, deadline, [] { return false; });
  });
  ASSERT_TRUE(clock.AwaitWaitsStarted(1, seconds(10)));
  clock.Advance(seconds(9));
  // Still waiting: a second has to pass on the simulated clock.
  EXPECT_EQ(waited.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
  clock.Advance(seconds(1));
  ASSERT_EQ(waited.wait_for(seconds(10)), std::future_status::ready);
  EXPECT_FALSE(waited.get());
  EXPECT_EQ(clock.WaitsStarted(), 1u);
}

TEST(SimulatedClockTest, WaitUntilReturnsTrueWhenThePredicateIsMadeTrue) {
  SimulatedClock clock;
  std::mutex mu;
  std::condition_variable cv;
  bool woken = false;
  auto waited = std::async(std::launch::async, [&] {
    std::unique_lock lock(mu);
    return clock.WaitUntil(lock, cv, clock.Now() + seconds(10), [&] { return woken; });
  });
  ASSERT_TRUE(clock.AwaitWaitsStarted(1, seconds(10)));
  {
    std::lock_guard lock(mu);
    woken = true;
  }
  cv.notify_all();
  ASSERT_EQ(waited.wait_for(seconds(10)), std::future_status::ready);
  EXPECT_TRUE(waited.get());
  EXPECT_EQ(clock.Now(), SteadyTime{});
}

TEST(RealClockTest, WaitUntilAPastDeadlineReturnsThePredicateAtOnce) {
  std::mutex mu;
  std::condition_variable cv;
  std::unique_lock lock(mu);
  RealClock& clock = RealClock::Get();
  EXPECT_FALSE(clock.WaitUntil(lock, cv, clock.Now(), [] { return false; }));
  EXPECT_TRUE(clock.WaitUntil(lock, cv, clock.Now() + seconds(10), [] { return true; }));
  EXPECT_TRUE(lock.owns_lock());
}

}  // namespace
}  // namespace converge
