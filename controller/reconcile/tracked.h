// The controller's record of one managed resource, shared by the pass's stages
// (observe, executor, conditions). Internal to reconcile/.
#pragma once

#include <string>

#include "base/backoff.h"
#include "base/clock.h"
#include "base/random.h"
#include "manifest/model.h"
#include "reconcile/controller.h"
#include "reconcile/status.h"
#include "reconcile/sweeps.h"

namespace converge::reconcile {

// Fields other than `resource` and `fingerprint` are guarded by the controller's
// mutex (PassContext::mu).
struct Tracked {
  Tracked(manifest::Resource r, Random& random, const ControllerOptions& o)
      : resource(std::move(r)), backoff(o.backoff_base, o.backoff_max, random) {}
  manifest::Resource resource;
  std::string fingerprint;
  ResourceStatus status;
  // When t is looked at on its own; SteadyTime::max() while in sync, when its
  // provider's sweep looks at it.
  SteadyTime next_due{};
  Backoff backoff;
  bool notebook_rebooted = false;
  bool paused = false;  // see Observation::paused
  // The cloud id and revision the inventory is known to hold for this resource
  // as it is declared ("" until an entry was written or found).
  std::string inventoried_id;
  std::string inventoried_revision;
};

// What the stages of a pass share with the controller.
struct PassContext {
  const ControllerOptions& options;
  Clock& clock;
  Random& random;
  ControllerMetrics* metrics;
  std::mutex& mu;               // the controller's; guards every Tracked's mutable fields
  const SweepSchedule& sweeps;  // guarded by mu

  int64_t WallMs() const;
};

}  // namespace converge::reconcile
