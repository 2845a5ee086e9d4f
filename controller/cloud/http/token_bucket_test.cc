#include "cloud/http/token_bucket.h"

#include <gtest/gtest.h>

#include <vector>

namespace converge::cloud::http {
namespace {

using std::chrono::milliseconds;

TEST(TokenBucketTest, StartsEmptySoAFreshProcessAddsNoBurst) {
  SimulatedClock clock;
  TokenBucket bucket(5, 3, clock);
  EXPECT_EQ(bucket.Acquire(), milliseconds(200));
  EXPECT_EQ(bucket.Acquire(), milliseconds(200));
  EXPECT_EQ(clock.Slept(), milliseconds(400));
}

TEST(TokenBucketTest, BurstIsFreeOnceFilledThenOneTokenPerInterval) {
  SimulatedClock clock;
  TokenBucket bucket(5, 3, clock);
  clock.Advance(std::chrono::seconds(10));  // fills up to the burst, no further
  const Duration before = clock.Slept();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(bucket.Acquire(), Duration::zero());
  EXPECT_EQ(bucket.Acquire(), milliseconds(200));
  EXPECT_EQ(bucket.Acquire(), milliseconds(200));
  EXPECT_EQ(clock.Slept() - before, milliseconds(400));
}

TEST(TokenBucketTest, ReservationsQueueInArrivalOrder) {
  SimulatedClock clock;
  TokenBucket bucket(10, 1, clock);
  EXPECT_EQ(bucket.Reserve(), milliseconds(100));
  EXPECT_EQ(bucket.Reserve(), milliseconds(200));
  EXPECT_EQ(bucket.Reserve(), milliseconds(300));
  EXPECT_EQ(bucket.Reserve(), milliseconds(400));
}

// A process killed after spending its burst and a new one started in the same
// second, as the chaos test's SIGKILLs do: together they stay within burst + qps.
TEST(TokenBucketTest, ARestartWithinTheSecondAddsNoSecondBurst) {
  SimulatedClock clock;
  const double qps = 5;
  const int burst = 5;
  std::vector<SteadyTime> grants;
  {
    TokenBucket before(qps, burst, clock);
    clock.Advance(std::chrono::seconds(10));
    for (int i = 0; i < burst; ++i) {
      before.Acquire();
      grants.push_back(clock.Now());
    }
  }
  clock.Advance(milliseconds(100));
  TokenBucket after(qps, burst, clock);
  while (clock.Now() - grants.front() < std::chrono::seconds(1)) {
    after.Acquire();
    if (clock.Now() - grants.front() < std::chrono::seconds(1)) grants.push_back(clock.Now());
  }
  EXPECT_LE(grants.size(), static_cast<size_t>(burst + qps));
  EXPECT_GT(grants.size(), static_cast<size_t>(burst)) << "the new process did call";
}

TEST(TokenBucketTest, RefillsOverTimeUpToBurst) {
  SimulatedClock clock;
  TokenBucket bucket(2, 2, clock);
  bucket.Acquire();
  bucket.Acquire();
  clock.Advance(std::chrono::seconds(60));
  EXPECT_EQ(bucket.Acquire(), Duration::zero());
  EXPECT_EQ(bucket.Acquire(), Duration::zero());
  EXPECT_EQ(bucket.Acquire(), milliseconds(500));
}

TEST(TokenBucketTest, NonPositiveQpsIsUnlimited) {
  SimulatedClock clock;
  TokenBucket bucket(0, 1, clock);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(bucket.Acquire(), Duration::zero());
  EXPECT_EQ(clock.Slept(), Duration::zero());
}

// The property the rate-limit integration test relies on: in any window of one
// second at most burst + qps calls proceed.
TEST(TokenBucketTest, AnyOneSecondWindowHoldsAtMostBurstPlusQps) {
  SimulatedClock clock;
  const double qps = 5;
  const int burst = 5;
  TokenBucket bucket(qps, burst, clock);
  std::vector<SteadyTime> grants;
  for (int i = 0; i < 40; ++i) {
    bucket.Acquire();
    grants.push_back(clock.Now());
    if (i % 7 == 0) clock.Advance(milliseconds(130));
  }
  size_t most = 0;
  for (size_t i = 0; i < grants.size(); ++i) {
    size_t in_window = 0;
    for (size_t j = i; j < grants.size() && grants[j] - grants[i] <= std::chrono::seconds(1); ++j) {
      ++in_window;
    }
    most = std::max(most, in_window);
  }
  EXPECT_LE(most, static_cast<size_t>(burst + qps));
}

}  // namespace
}  // namespace converge::cloud::http
