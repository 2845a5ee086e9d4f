#include "reconcile/sweeps.h"

#include <gtest/gtest.h>

namespace converge::reconcile {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class SweepsTest : public ::testing::Test {
 protected:
  SweepsTest() {
    options_.resync = seconds(10);
    schedule_.Configure({{"scnet", ProviderEntry{}}}, {}, t0_);
  }
  // Sweeps "scnet" at `now` when due (or forced); the next sweep.
  SteadyTime SweepAt(SteadyTime now, bool all = false) {
    schedule_.Start(all, now);
    return schedule_.Next("scnet");
  }
  ControllerOptions options_;
  PinnedRandom random_{0};  // no jitter on the first period
  SweepSchedule schedule_{options_, random_};
  SteadyTime t0_{seconds(1000)};
};

TEST_F(SweepsTest, ALateSweepKeepsTheRateOfItsPeriod) {
  EXPECT_EQ(SweepAt(t0_), t0_ + seconds(10));
  // Started 300 ms late (a busy machine): the next is still 10 s after the due
  // time, so that 10 periods hold 10 sweeps however late each one starts.
  EXPECT_EQ(SweepAt(t0_ + seconds(10) + milliseconds(300)), t0_ + seconds(20));
  EXPECT_EQ(SweepAt(t0_ + seconds(20) + milliseconds(900)), t0_ + seconds(30));
}

TEST_F(SweepsTest, MoreThanAPeriodLateOrForcedCountsFromNow) {
  EXPECT_EQ(SweepAt(t0_), t0_ + seconds(10));
  // A whole period late (the machine was suspended): no burst of catch-up sweeps.
  EXPECT_EQ(SweepAt(t0_ + seconds(25)), t0_ + seconds(35));
  // Forced before it was due (converge reconcile): a period from now.
  EXPECT_EQ(SweepAt(t0_ + seconds(30), true), t0_ + seconds(40));
}

}  // namespace
}  // namespace converge::reconcile
