// How the controller logs a provider whose list calls fail, so that an outage is
// in the log without flooding it: a line when the failure starts, again when it
// changes (another operation, code or message), at most once a minute while it
// persists, and once when it clears. Times come from the injected Clock.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "base/clock.h"
#include "cloud/error.h"

namespace converge::reconcile {

// Not thread-safe; the controller calls it under its lock.
class ListFailureLog {
 public:
  static constexpr std::chrono::minutes kRepeatEvery{1};

  // A list of `provider` failed with `error` at `now`.
  void Failed(const std::string& provider, const cloud::Error& error, SteadyTime now);
  // Every list of `provider` worked at `now`.
  void Listed(const std::string& provider, SteadyTime now);

 private:
  struct Failing {
    std::string signature;  // operation, code and message: a change is logged at once
    SteadyTime since{};
    SteadyTime last_logged{};
    int failures = 0;
  };
  std::map<std::string, Failing> failing_;
};

}  // namespace converge::reconcile
