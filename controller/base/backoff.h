// Jittered exponential backoff, shared by HTTP retries and per-resource requeue.
#pragma once

#include <chrono>

#include "base/random.h"

namespace converge {

// Exponential backoff with "equal jitter": attempt n (0-based) waits a uniformly
// random duration in [ceiling/2, ceiling) where ceiling = min(base * 2^n, max).
// (Envoy's JitteredExponentialBackOffStrategy draws from [0, ceiling); keeping the
// lower half means a retry never comes at once.) Not thread-safe; one instance per
// retry loop or resource.
class Backoff {
 public:
  Backoff(std::chrono::milliseconds base, std::chrono::milliseconds max, Random& random)
      : base_(base), max_(max), random_(random) {}

  // The delay before the next attempt; advances the attempt counter.
  std::chrono::milliseconds Next();
  // The ceiling the next call to Next() will use (no jitter, no side effect).
  std::chrono::milliseconds Ceiling() const;
  void Reset() { attempt_ = 0; }
  int attempts() const { return attempt_; }

 private:
  std::chrono::milliseconds base_;
  std::chrono::milliseconds max_;
  Random& random_;
  int attempt_ = 0;
};

}  // namespace converge
