// Status and conditions: how an observation or an action's outcome sets a
// resource's Synced and Ready conditions, and when it is looked at next.
// Every function here is called with PassContext::mu held.
#pragma once

#include <optional>
#include <string>

#include "cloud/provider.h"
#include "reconcile/diff.h"
#include "reconcile/tracked.h"

namespace converge::reconcile {

void SetCondition(Condition& c, const std::string& status, const std::string& reason,
                  const std::string& message, int64_t now_ms);

// The one rule for whether a failed call can pass when repeated, behind
// ResourceStatus::terminal: a call the cloud understood and refused (credentials,
// an invalid request, not found, a refusal) cannot; transport, rate-limit and server
// errors can, and so may a call whose outcome is unknown.
bool CannotPassOnRetry(const cloud::Error& e);

// Schedules t's next look: soon while a transition is under way, with jittered
// exponential backoff after an error, at its provider's next sweep when in sync.
void Schedule(const PassContext& ctx, Tracked& t, const Action& action, bool call_failed);

// A provider that could not be listed: Synced False/ObserveError. After a failed
// sweep (`sweep`) t waits for the sweep's retry; after a failed lookup of its
// own, for its own backoff.
void RecordObserveError(const PassContext& ctx, Tracked& t, const std::string& provider,
                        const cloud::Error& error, bool sweep, int64_t now_ms);

// What was listed for t (its id, state, drift), whatever the action.
void RecordListed(Tracked& t, const Action& action, const Observation& o);

// A non-mutating diff result (none, wait, needs-replace, error) for what was
// listed (`none_listed` when nothing matched); `adopted` when the listing
// resolved a create whose answer was lost.
void RecordObserved(const PassContext& ctx, Tracked& t, const Action& action, bool none_listed,
                    bool adopted, int64_t now_ms);

// The outcome of a mutating action.
struct Outcome {
  std::optional<cloud::Error> failure;
  std::string message;  // what was done, for status and progress output
  std::string reason;   // the Synced reason when not the action's own ("Adopted")
  std::string new_id;   // a created or adopted resource's id
  bool counted = true;  // whether it counts as an action in metrics (a cloud call was made)
};
void RecordOutcome(const PassContext& ctx, Tracked& t, const Action& action, const Outcome& outcome,
                   int64_t now_ms);

}  // namespace converge::reconcile
