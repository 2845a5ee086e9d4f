// The diff: a pure function of (desired resource, what the cloud lists) to the
// one action that moves it toward the manifest, with a reason. No I/O, no clock.
// The table in README "How reconciling works" is its contract.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cloud/provider.h"
#include "manifest/model.h"

namespace converge::reconcile {

enum class ActionType {
  kNone,           // in sync
  kCreate,         // ContainerInstance / TiOneNotebook absent
  kRestart,        // ContainerInstance Failed/Terminated/Completed per restartPolicy
  kStartNotebook,  // SCNet notebook Terminated/Failed under a NotebookService
  kStartService,   // NotebookService: (re)start the custom service
  kStart,          // TiOneNotebook Stopped, state Running
  kStop,           // TiOneNotebook or ContainerInstance running, state Stopped
  kDelete,         // prune: a resource no manifest declares, deletionPolicy Delete
  kModify,         // TiOneNotebook not running, spec changed in what ModifyNotebook allows
  kWait,           // a transition is under way in the cloud
  kNeedsReplace,   // spec differs from the cloud; no update API, never applied
  kError,          // cannot act (notebook not found, duplicates); no call
};
std::string_view ActionName(ActionType t);  // "create", "restart", "start_notebook", ...
// True for the actions that make a cloud call.
bool IsMutating(ActionType t);

struct DriftItem {
  std::string field;  // manifest field, e.g. "cpu"
  std::string desired;
  std::string observed;
};

struct Action {
  ActionType type = ActionType::kNone;
  std::string reason;  // one line for plan and status, includes the cloud's own text
  bool ready = false;  // the Ready condition after this observation
  std::vector<DriftItem> drift;
  const cloud::Observed* target = nullptr;  // the observed object acted on (id), if any
};

// What the controller knows of one resource, beyond its manifest.
struct Observation {
  // Every listed object whose name matches (normally zero or one).
  std::vector<const cloud::Observed*> matches;
  // NotebookService only: the notebook was seen not Running (or was started by
  // us) since the service was last started, so the service must start again.
  bool notebook_rebooted = false;
  // ContainerInstance only: Converge saw it stopped while its state was Stopped,
  // so with state back to Running a Terminated instance is restarted whatever
  // its restartPolicy.
  bool paused = false;
};

Action Diff(const manifest::Resource& desired, const Observation& observed);

}  // namespace converge::reconcile
