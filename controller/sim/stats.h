// One simulated cloud's request counters, rate limiter and busiest one-second
// window (internal; GET /_sim/stats). Not thread-safe; the simulator serializes access.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "base/clock.h"

namespace converge::sim {

struct CloudStats {
  std::map<std::string, int64_t> calls;
  int64_t rate_limited = 0;
  int64_t auth = 0;
  int64_t fault = 0;
  std::map<std::string, int64_t> faults;
  // Per operation, the answers given by code: "ok" when the cloud served or
  // applied the call (also when a fault then mangled the answer), else the code
  // the client was sent (rate limit, auth, injected error or the cloud's refusal).
  std::map<std::string, std::map<std::string, int64_t>> answers;
  // Arrival times of the requests of the last two seconds, sorted.
  std::deque<SteadyTime> window;
  int64_t max_rps = 0;
  int64_t last_rps = 0;  // requests in the second up to the last one admitted
  double tokens = -1;    // < 0: not yet initialized (full)
  SteadyTime refilled{};

  // Counts a request that arrived at `arrived` in the window; false (counted as
  // rate limited) when a token bucket of `rate` per second (0 = unlimited) is
  // empty. Arrivals are stamped before the request waits for the simulator's
  // lock, so they may be admitted slightly out of order: each is counted in
  // every one-second window it falls in, not at the time it got the lock.
  bool Admit(SteadyTime arrived, double rate);
  // Counts one answer to `operation` with `code` ("ok" for success).
  void Answered(const std::string& operation, const std::string& code) {
    ++answers[operation][code];
  }
  nlohmann::ordered_json ToJson() const;
};

}  // namespace converge::sim
