#include "cloud/http/token_bucket.h"

#include <algorithm>
#include <chrono>

namespace converge::cloud::http {

TokenBucket::TokenBucket(double qps, int burst, Clock& clock)
    : qps_(qps), burst_(std::max(burst, 1)), clock_(clock), tokens_(0), last_(clock.Now()) {}

Duration TokenBucket::Reserve() {
  if (qps_ <= 0) return Duration::zero();
  std::lock_guard lock(mu_);
  const SteadyTime now = clock_.Now();
  if (now > last_) {
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(static_cast<double>(burst_), tokens_ + elapsed * qps_);
    last_ = now;
  }
  tokens_ -= 1;
  if (tokens_ >= 0) return Duration::zero();
  return std::chrono::ceil<Duration>(std::chrono::duration<double>(-tokens_ / qps_));
}

Duration TokenBucket::Acquire() {
  const Duration wait = Reserve();
  if (wait > Duration::zero()) clock_.SleepFor(wait);
  return wait;
}

}  // namespace converge::cloud::http
