#include "base/backoff.h"

#include <gtest/gtest.h>

namespace converge {
namespace {

using std::chrono::milliseconds;

TEST(BackoffTest, DoublesFromBaseToCapWithPinnedZeroJitter) {
  PinnedRandom zero(0);  // Uniform() == 0: the lower edge, ceiling / 2.
  Backoff backoff(milliseconds(1000), milliseconds(300000), zero);
  EXPECT_EQ(backoff.Next(), milliseconds(500));
  EXPECT_EQ(backoff.Next(), milliseconds(1000));
  EXPECT_EQ(backoff.Next(), milliseconds(2000));
  for (int i = 0; i < 20; ++i) backoff.Next();
  EXPECT_EQ(backoff.Ceiling(), milliseconds(300000));
  EXPECT_EQ(backoff.Next(), milliseconds(150000));
}

TEST(BackoffTest, MaxJitterStaysBelowCeiling) {
  PinnedRandom max(~uint64_t{0});  // Uniform() just below 1.
  Backoff backoff(milliseconds(1000), milliseconds(300000), max);
  EXPECT_EQ(backoff.Next(), milliseconds(999));
  EXPECT_EQ(backoff.Next(), milliseconds(1999));
}

TEST(BackoffTest, ResetStartsOver) {
  PinnedRandom zero(0);
  Backoff backoff(milliseconds(100), milliseconds(1000), zero);
  backoff.Next();
  backoff.Next();
  EXPECT_EQ(backoff.attempts(), 2);
  backoff.Reset();
  EXPECT_EQ(backoff.Next(), milliseconds(50));
}

TEST(BackoffTest, RealRandomSpreadsWithinBounds) {
  RealRandom random(42);
  for (int i = 0; i < 100; ++i) {
    Backoff backoff(milliseconds(1000), milliseconds(300000), random);
    const auto d = backoff.Next();
    EXPECT_GE(d, milliseconds(500));
    EXPECT_LT(d, milliseconds(1000));
  }
}

}  // namespace
}  // namespace converge
