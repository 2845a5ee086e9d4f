#include "reconcile/diff.h"

#include "reconcile/desired.h"

namespace converge::reconcile {
namespace {

std::string Quoted(const std::string& s) { return "\"" + s + "\""; }

std::string WithCloudText(std::string reason, const cloud::Observed& o) {
  if (!o.message.empty()) reason += ": " + o.message;
  return reason;
}

std::vector<DriftItem> DriftOf(const manifest::Resource& desired, const cloud::Observed& o) {
  std::vector<DriftItem> drift;
  ForEachDesiredAttribute(desired, [&](const DesiredAttribute& attr) {
    auto it = o.attributes.find(attr.api_field);
    if (it == o.attributes.end() || it->second == attr.value) return;
    drift.push_back({std::string(attr.spec_field), std::string(attr.value), it->second});
  });
  return drift;
}

std::string DriftReason(const std::vector<DriftItem>& drift) {
  std::string reason = "drift: ";
  for (size_t i = 0; i < drift.size(); ++i) {
    if (i) reason += ", ";
    reason += drift[i].field + " " + drift[i].observed + " \u2192 " + drift[i].desired;
  }
  return reason + " (needs replace; not applied)";
}

std::string DriftList(const std::vector<DriftItem>& drift) {
  std::string out;
  for (size_t i = 0; i < drift.size(); ++i) {
    if (i) out += ", ";
    out += drift[i].field + " " + drift[i].observed + " \u2192 " + drift[i].desired;
  }
  return out;
}

Action DiffContainerInstance(const manifest::ContainerInstance& ci, const cloud::Observed& o,
                             const manifest::Resource& desired, bool paused) {
  using manifest::RestartPolicy;
  const RestartPolicy policy = ci.spec.restart_policy;
  Action a;
  a.target = &o;
  a.drift = DriftOf(desired, o);
  const std::string& st = o.status;
  const bool stopped = st == "Terminated" || st == "Failed" || st == "Completed";
  if (ci.spec.state == "Stopped") {
    if (st == "Running" || st == "Deploying" || st == "Waiting") {
      a.type = ActionType::kStop;
      a.reason = st + ", state Stopped";
    } else if (stopped) {
      a.type = ActionType::kNone;
      a.ready = true;
      a.reason = WithCloudText(st + " (state Stopped)", o);
    } else {
      a.type = ActionType::kWait;
      a.reason = "unknown status " + Quoted(st);
    }
  } else if (st == "Terminated" && paused) {
    a.type = ActionType::kRestart;
    a.reason = "Terminated (state back to Running)";
  } else if (st == "Running") {
    a.ready = true;
    a.type = ActionType::kNone;
    a.reason = "Running";
  } else if (st == "Deploying" || st == "Waiting") {
    a.type = ActionType::kWait;
    a.reason = st;
  } else if (st == "Failed") {
    if (policy == RestartPolicy::kNever) {
      a.type = ActionType::kNone;
      a.reason = WithCloudText("Failed (restartPolicy Never)", o);
    } else {
      a.type = ActionType::kRestart;
      a.reason = WithCloudText("Failed", o);
    }
  } else if (st == "Terminated" || st == "Completed") {
    if (policy == RestartPolicy::kAlways) {
      a.type = ActionType::kRestart;
      a.reason = st + " (restartPolicy Always)";
    } else {
      a.type = ActionType::kNone;
      a.reason =
          st + " (restartPolicy " + (policy == RestartPolicy::kNever ? "Never" : "OnFailure") + ")";
    }
  } else {
    a.type = ActionType::kWait;
    a.reason = "unknown status " + Quoted(st);
  }
  const bool recreate = ci.spec.update_policy == "Recreate" && ci.spec.state == "Running";
  if (!a.drift.empty() && recreate) {
    if (a.type != ActionType::kWait) {  // a transition under way is waited out first
      a.type = ActionType::kDelete;
      a.ready = false;
      a.reason = "changed: " + DriftList(a.drift) + " (updatePolicy Recreate: delete, then create)";
    }
  } else if (!a.drift.empty() && (a.type == ActionType::kNone || a.type == ActionType::kWait)) {
    a.type = ActionType::kNeedsReplace;
    a.reason = DriftReason(a.drift);
  }
  return a;
}

Action DiffNotebookService(const manifest::NotebookService& ns, const cloud::Observed& nb,
                           bool rebooted) {
  Action a;
  a.target = &nb;
  const std::string& st = nb.status;
  if (st == "Terminated" || st == "Failed") {
    a.type = ActionType::kStartNotebook;
    a.reason = WithCloudText("notebook " + st, nb);
  } else if (st == "Creating" || st == "Restarting" || st == "Shutting") {
    a.type = ActionType::kWait;
    a.reason = "notebook " + st;
  } else if (st == "Running") {
    const bool command_differs = nb.service_command != ns.spec.command;
    const bool port_differs = !nb.service_port || *nb.service_port != ns.spec.port;
    if (nb.service_command.empty() && !nb.service_port) {
      a.type = ActionType::kStartService;
      a.reason = "service not started";
    } else if (command_differs || port_differs) {
      a.type = ActionType::kStartService;
      a.reason = std::string("service ") +
                 (command_differs && port_differs ? "command and port differ"
                  : command_differs               ? "command differs"
                                                  : "port differs (" +
                                          (nb.service_port ? std::to_string(*nb.service_port)
                                                           : std::string("none")) +
                                          " \u2192 " + std::to_string(ns.spec.port) + ")");
    } else if (rebooted) {
      a.type = ActionType::kStartService;
      a.reason = "service not yet started for this boot";
    } else {
      a.type = ActionType::kNone;
      a.ready = true;
      a.reason = "service running on port " + std::to_string(ns.spec.port);
    }
  } else {
    a.type = ActionType::kWait;
    a.reason = "notebook in unknown status " + Quoted(st);
  }
  return a;
}

// True when ModifyNotebook can apply every drifted field: not ChargeType (nor VPC,
// subnet or volume source type, which are not compared), and the volume only grows.
bool Modifiable(const std::vector<DriftItem>& drift) {
  for (const auto& d : drift) {
    if (d.field == "chargeType") return false;
    if (d.field == "volumeSizeInGB") {
      try {
        if (std::stoll(d.desired) < std::stoll(d.observed)) return false;
      } catch (const std::exception&) {
        return false;
      }
    }
  }
  return true;
}

Action DiffTiOneNotebook(const manifest::TiOneNotebook& nb, const cloud::Observed& o,
                         const manifest::Resource& desired) {
  Action a;
  a.target = &o;
  a.drift = DriftOf(desired, o);
  const std::string& st = o.status;
  const std::string& want = nb.spec.state;
  const bool stopped = st == "Stopped" || st == "Failed" || st == "SubmitFailed";
  if (!a.drift.empty() && Modifiable(a.drift)) {
    if (stopped) {
      a.type = ActionType::kModify;
      a.reason = "changed: " + DriftList(a.drift) + " (ModifyNotebook)";
      return a;
    }
    if (st == "Running") {
      if (nb.spec.update_policy == "Restart" || want == "Stopped") {
        a.type = ActionType::kStop;
        a.reason = "changed: " + DriftList(a.drift) +
                   (want == "Stopped" ? " (state Stopped; ModifyNotebook once Stopped)"
                                      : " (updatePolicy Restart: stop, ModifyNotebook, start)");
      } else {
        a.type = ActionType::kNeedsReplace;
        a.ready = want == "Running";
        a.reason = "drift: " + DriftList(a.drift) +
                   " (needs a restart: ModifyNotebook applies it only while stopped; set "
                   "updatePolicy: Restart or state: Stopped)";
      }
      return a;
    }
  }
  if (st == "Submitting" || st == "Starting" || st == "Stopping") {
    a.type = ActionType::kWait;
    a.reason = st;
  } else if (st == want) {
    a.type = ActionType::kNone;
    a.ready = true;
    a.reason = st;
  } else if (want == "Running" && (st == "Stopped" || st == "Failed" || st == "SubmitFailed")) {
    a.type = ActionType::kStart;
    a.reason = WithCloudText(st, o);
  } else if (want == "Stopped" && st == "Running") {
    a.type = ActionType::kStop;
    a.reason = "Running, state Stopped";
  } else if (want == "Stopped" && (st == "Failed" || st == "SubmitFailed")) {
    a.type = ActionType::kNone;
    a.ready = true;
    a.reason = WithCloudText(st + " (not running, as desired)", o);
  } else {
    a.type = ActionType::kWait;
    a.reason = "unknown status " + Quoted(st);
  }
  if (!a.drift.empty() && !(a.type == ActionType::kWait && Modifiable(a.drift)) &&
      (a.type == ActionType::kNone || a.type == ActionType::kWait)) {
    a.type = ActionType::kNeedsReplace;
    a.reason = DriftReason(a.drift);
  }
  return a;
}

}  // namespace

std::string_view ActionName(ActionType t) {
  switch (t) {
    case ActionType::kNone:
      return "none";
    case ActionType::kCreate:
      return "create";
    case ActionType::kRestart:
      return "restart";
    case ActionType::kStartNotebook:
      return "start_notebook";
    case ActionType::kStartService:
      return "start_service";
    case ActionType::kStart:
      return "start";
    case ActionType::kStop:
      return "stop";
    case ActionType::kDelete:
      return "delete";
    case ActionType::kModify:
      return "modify";
    case ActionType::kWait:
      return "wait";
    case ActionType::kNeedsReplace:
      return "needs_replace";
    case ActionType::kError:
      return "error";
  }
  return "none";
}

bool IsMutating(ActionType t) {
  switch (t) {
    case ActionType::kCreate:
    case ActionType::kRestart:
    case ActionType::kStartNotebook:
    case ActionType::kStartService:
    case ActionType::kStart:
    case ActionType::kStop:
    case ActionType::kDelete:
    case ActionType::kModify:
      return true;
    default:
      return false;
  }
}

Action Diff(const manifest::Resource& desired, const Observation& observed) {
  const std::string name = CloudNameOf(desired);
  if (observed.matches.size() > 1) {
    Action a;
    a.type = ActionType::kError;
    a.reason = std::to_string(observed.matches.size()) + " cloud resources are named " +
               Quoted(name) + "; resolve the duplicates by hand (Converge acts on none of them)";
    return a;
  }
  if (observed.matches.empty()) {
    Action a;
    if (std::holds_alternative<manifest::NotebookService>(desired)) {
      a.type = ActionType::kError;
      a.reason = "notebook not found: no SCNet notebook is named " + Quoted(name);
    } else {
      a.type = ActionType::kCreate;
      a.reason = "absent";
    }
    return a;
  }
  const cloud::Observed& o = *observed.matches.front();
  if (const auto* ci = std::get_if<manifest::ContainerInstance>(&desired)) {
    return DiffContainerInstance(*ci, o, desired, observed.paused);
  }
  if (const auto* ns = std::get_if<manifest::NotebookService>(&desired)) {
    return DiffNotebookService(*ns, o, observed.notebook_rebooted);
  }
  return DiffTiOneNotebook(std::get<manifest::TiOneNotebook>(desired), o, desired);
}

}  // namespace converge::reconcile
