#include "reconcile/conditions.h"

#include <algorithm>

#include "reconcile/desired.h"
#include "reconcile/intents.h"

namespace converge::reconcile {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

// The past-tense word for a successful action, for status and progress lines.
std::string Done(ActionType t) {
  switch (t) {
    case ActionType::kCreate:
      return "Created";
    case ActionType::kRestart:
      return "Restarted";
    case ActionType::kStartNotebook:
      return "NotebookStarted";
    case ActionType::kStartService:
      return "ServiceStarted";
    case ActionType::kStart:
      return "Started";
    case ActionType::kStop:
      return "Stopped";
    case ActionType::kDelete:
      return "Deleted";
    case ActionType::kModify:
      return "Modified";
    default:
      return "ReconcileSuccess";
  }
}

}  // namespace

int64_t PassContext::WallMs() const {
  return duration_cast<milliseconds>(clock.WallNow().time_since_epoch()).count();
}

void SetCondition(Condition& c, const std::string& status, const std::string& reason,
                  const std::string& message, int64_t now_ms) {
  if (c.status != status || c.last_transition_ms == 0) c.last_transition_ms = now_ms;
  c.status = status;
  c.reason = reason;
  c.message = message;
}

bool CannotPassOnRetry(const cloud::Error& e) { return !e.retryable && !e.outcome_unknown; }

namespace {

// t waits for its provider's next sweep.
void AwaitSweep(const PassContext& ctx, Tracked& t) {
  t.next_due = SteadyTime::max();
  const SteadyTime sweep = ctx.sweeps.Next(manifest::ProviderOf(t.resource));
  const SteadyTime now = ctx.clock.Now();
  const auto wait =
      sweep == SteadyTime::max() ? ctx.options.resync : duration_cast<milliseconds>(sweep - now);
  t.status.next_retry_ms = ctx.WallMs() + std::max<int64_t>(0, wait.count());
}

}  // namespace

void Schedule(const PassContext& ctx, Tracked& t, const Action& action, bool call_failed) {
  const bool failed = call_failed || action.type == ActionType::kError;
  t.status.consecutive_failures = failed ? t.status.consecutive_failures + 1 : 0;
  Duration delay;
  if (failed) {
    delay = t.backoff.Next();
  } else if (IsMutating(action.type) || action.type == ActionType::kWait) {
    t.backoff.Reset();
    delay = ctx.options.poll;
  } else {
    t.backoff.Reset();
    AwaitSweep(ctx, t);  // in sync: the provider's sweep looks at it again
    return;
  }
  t.next_due = ctx.clock.Now() + delay;
  t.status.next_retry_ms = ctx.WallMs() + duration_cast<milliseconds>(delay).count();
}

void RecordObserveError(const PassContext& ctx, Tracked& t, const std::string& provider,
                        const cloud::Error& error, bool sweep, int64_t now_ms) {
  SetCondition(t.status.synced, "False", "ObserveError",
               "cannot list provider " + provider + ": " + error.ToString(), now_ms);
  t.status.terminal = CannotPassOnRetry(error);
  t.status.last_attempt_ms = now_ms;
  if (sweep) {
    // The provider's sweep failed: its retry (the provider's backoff) looks again.
    ++t.status.consecutive_failures;
    AwaitSweep(ctx, t);
    return;
  }
  Action failed;
  failed.type = ActionType::kError;
  Schedule(ctx, t, failed, true);
}

void RecordListed(Tracked& t, const Action& action, const Observation& o) {
  auto& st = t.status;
  st.drift = action.drift;
  if (o.matches.size() == 1) {
    st.observed_id = o.matches[0]->id;
    st.observed_state = o.matches[0]->status;
    st.owned = IsOwnedByConverge(*o.matches[0]);
  } else if (o.matches.empty()) {
    st.observed_state = "";
    if (action.type == ActionType::kCreate) st.observed_id = "";
  }
}

void RecordObserved(const PassContext& ctx, Tracked& t, const Action& action, bool none_listed,
                    bool adopted, int64_t now_ms) {
  auto& st = t.status;
  st.action = std::string(ActionName(action.type));
  st.last_attempt_ms = now_ms;
  const std::string state = st.observed_state.empty() ? "NotFound" : st.observed_state;
  const std::string message =
      adopted ? AdoptedMessage(st.observed_id) + "; " + action.reason : action.reason;
  switch (action.type) {
    case ActionType::kNone:
      SetCondition(st.synced, "True", adopted ? "Adopted" : "ReconcileSuccess", message, now_ms);
      st.terminal = !action.ready;
      break;
    case ActionType::kWait:
      SetCondition(st.synced, "True", adopted ? "Adopted" : "Progressing", message, now_ms);
      st.terminal = false;
      break;
    case ActionType::kNeedsReplace:
      SetCondition(st.synced, "False", kReasonDrifted, action.reason, now_ms);
      st.terminal = true;
      break;
    default:  // kError
      SetCondition(st.synced, "False", none_listed ? "NotFound" : "Conflict", action.reason,
                   now_ms);
      st.terminal = true;
      break;
  }
  SetCondition(st.ready, action.ready ? "True" : "False", action.ready ? "Available" : state,
               action.reason, now_ms);
  Schedule(ctx, t, action, false);
}

void RecordOutcome(const PassContext& ctx, Tracked& t, const Action& action, const Outcome& outcome,
                   int64_t now_ms) {
  const std::string action_name(ActionName(action.type));
  t.status.last_attempt_ms = now_ms;
  t.status.action = action_name;
  if (outcome.failure) {
    std::string reason = "ReconcileError";
    std::string message = action_name + " failed: " + outcome.failure->ToString();
    if (action.type == ActionType::kCreate && outcome.failure->outcome_unknown) {
      reason = "CreateOutcomeUnknown";
      message +=
          "; the create may have happened: Converge will list by name and adopt before "
          "any retry";
    }
    SetCondition(t.status.synced, "False", reason, message, now_ms);
    t.status.terminal = CannotPassOnRetry(*outcome.failure);
    Schedule(ctx, t, action, true);
    return;
  }
  if (!outcome.new_id.empty()) {
    t.status.observed_id = outcome.new_id;
    t.status.owned = true;
  }
  if (action.type == ActionType::kStartNotebook) t.notebook_rebooted = true;
  if (action.type == ActionType::kStartService) t.notebook_rebooted = false;
  t.status.terminal = false;
  SetCondition(t.status.synced, "True", outcome.reason.empty() ? Done(action.type) : outcome.reason,
               outcome.message, now_ms);
  const bool service = action.type == ActionType::kStartService;
  SetCondition(t.status.ready, service ? "True" : "False", service ? "Available" : "Progressing",
               outcome.message, now_ms);
  Schedule(ctx, t, action, false);
}

}  // namespace converge::reconcile
