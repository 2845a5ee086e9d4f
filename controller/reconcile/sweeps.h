// Sweeps: when each provider is listed whole. In steady state a provider is
// listed exactly once per resync period, and that one list (its sweep) is how
// every resource of it in sync is looked at again. The jitter moves the
// provider's sweep (the first period is up to 10% longer), so controllers
// restarted together do not list in step; a failed sweep is retried with the
// provider's own jittered exponential backoff. Not thread-safe: the controller
// holds its mutex.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/backoff.h"
#include "base/clock.h"
#include "base/random.h"
#include "reconcile/controller.h"

namespace converge::reconcile {

class SweepSchedule {
 public:
  SweepSchedule(const ControllerOptions& options, Random& random)
      : options_(options), random_(random) {}

  // Follows the configured providers: one new, or whose client changed from
  // `previous`, is due at once; one no longer configured is forgotten.
  void Configure(const ProviderMap& providers, const ProviderMap& previous, SteadyTime now);

  // The providers to sweep now: those due at `now`, or every one when `all`.
  // Each one's next sweep is set one resync period after the time it was due (after
  // `now` for its first sweep, the period then jittered by up to +10%, for a forced
  // one, and for one more than a period late), unless Failed moves it.
  std::vector<std::string> Start(bool all, SteadyTime now);
  // The sweep of `provider` listed every kind: its backoff starts again from the base.
  void Succeeded(const std::string& provider);
  // The sweep of `provider` failed: it is retried after the provider's backoff.
  void Failed(const std::string& provider, SteadyTime now);

  // When `provider` is swept next; SteadyTime::max() for an unknown provider.
  SteadyTime Next(const std::string& provider) const;
  // The earliest next sweep of all providers; SteadyTime::max() when none.
  SteadyTime Earliest() const;

 private:
  struct Sweep {
    Sweep(const ControllerOptions& o, Random& r) : backoff(o.backoff_base, o.backoff_max, r) {}
    SteadyTime next{};
    bool swept = false;  // at least once
    Backoff backoff;
  };
  const ControllerOptions& options_;
  Random& random_;
  std::map<std::string, Sweep> sweeps_;
};

}  // namespace converge::reconcile
