// A token bucket: the rate limit our side keeps toward one provider.
#pragma once

#include <mutex>

#include "base/clock.h"

namespace converge::cloud::http {

// Holds up to `burst` tokens, refilled at `qps` per second. Each call takes one
// token; when none is left the caller is given a reservation and sleeps (on the
// injected Clock) until its token is due, so in any window of T seconds at most
// burst + qps*T calls proceed. Callers are served in arrival order.
// The bucket starts empty, so that bound holds across restarts too: a controller
// restarted (SIGKILL, crash loop, rolling update) within the second its
// predecessor last called in adds at most qps*T to that window, not a second burst.
// qps <= 0 means unlimited; burst < 1 is treated as 1. Thread-safe.
class TokenBucket {
 public:
  TokenBucket(double qps, int burst, Clock& clock);

  // Takes a token, sleeping until it is due. Returns the time slept (zero when a
  // token was ready).
  Duration Acquire();
  // Takes a token without sleeping; returns how long the caller must wait
  // before proceeding.
  Duration Reserve();

  double qps() const { return qps_; }
  int burst() const { return burst_; }

 private:
  const double qps_;
  const int burst_;
  Clock& clock_;
  std::mutex mu_;
  double tokens_;
  SteadyTime last_;
};

}  // namespace converge::cloud::http
