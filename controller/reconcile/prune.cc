#include "reconcile/prune.h"

#include <algorithm>

#include "base/log.h"
#include "reconcile/controller.h"
#include "reconcile/desired.h"
#include "reconcile/observe.h"

namespace converge::reconcile {
namespace {

bool IsContainerInstance(const InventoryEntry& e) { return e.kind == "ContainerInstance"; }

cloud::ResourceKind CloudKindOf(const InventoryEntry& e) {
  return IsContainerInstance(e) ? cloud::ResourceKind::kContainerInstance
                                : cloud::ResourceKind::kTiOneNotebook;
}

const cloud::Observed* FindById(const Observations& obs, const InventoryEntry& e, bool* listed) {
  // Only a whole sweep of the provider, from this pass, can tell what is gone
  // (a lookup by name, or one kind listed outside a sweep, cannot).
  auto provider = obs.lists.find(e.provider);
  *listed =
      obs.swept.count(e.provider) && provider != obs.lists.end() && !obs.errors.count(e.provider);
  if (!*listed) return nullptr;
  auto kind = provider->second.find(CloudKindOf(e));
  if (kind == provider->second.end()) {
    *listed = false;
    return nullptr;
  }
  for (const auto& o : kind->second) {
    if (o.id == e.cloud_id) return &o;
  }
  return nullptr;
}

Intent PruneIntent(const InventoryEntry& e, const std::string& action, int64_t now_ms) {
  return Intent{e.provider, e.kind, e.name, now_ms, action};
}

const Intent* PendingOf(const std::vector<Intent>& pending, const InventoryEntry& e,
                        const std::string& action) {
  const std::string key = PruneIntent(e, action, 0).Key();
  for (const auto& i : pending) {
    if (i.Key() == key) return &i;
  }
  return nullptr;
}

// What the recorded deletionPolicy asks of `o` now.
void Decide(const InventoryEntry& e, const cloud::Observed& o, PruneItem* item) {
  const std::string& st = o.status;
  const bool running = IsContainerInstance(e)
                           ? st == "Running" || st == "Deploying" || st == "Waiting"
                           : st == "Running" || st == "Starting" || st == "Submitting";
  const std::string base = "removed from manifests (deletionPolicy " + e.deletion_policy + ")";
  if (e.deletion_policy == "Stop") {
    if (running) {
      item->action = ActionType::kStop;
      item->reason = base;
    } else if (!IsContainerInstance(e) && st == "Stopping") {
      item->action = ActionType::kWait;
      item->reason = base + ": Stopping";
    } else {
      item->reason = base + ": already " + st;
    }
    return;
  }
  // Delete. A TI-ONE notebook is stopped first; DeleteNotebook once Stopped.
  if (IsContainerInstance(e)) {
    item->action = ActionType::kDelete;
    item->reason = base;
  } else if (running) {
    item->action = ActionType::kStop;
    item->reason = base + ": stopping before DeleteNotebook";
  } else if (st == "Stopping") {
    item->action = ActionType::kWait;
    item->reason = base + ": Stopping, then DeleteNotebook";
  } else {
    item->action = ActionType::kDelete;
    item->reason = base;
  }
}

}  // namespace

PrunePlan PlanPrune(const std::vector<InventoryEntry>& undeclared, size_t managed_entries,
                    const Observations& obs, const std::vector<Intent>& pending,
                    const PruneOptions& options, const std::string& source_problem, int64_t now_ms,
                    const std::map<std::string, int>& elsewhere) {
  PrunePlan plan;
  for (const auto& provider : obs.swept) plan.pruning_by_provider[provider] = 0;
  for (const auto& e : undeclared) {
    bool listed = false;
    const cloud::Observed* o = FindById(obs, e, &listed);
    if (!listed) continue;  // cannot decide without a list
    if (!o) {
      plan.gone.push_back(e.Key());
      continue;
    }
    PruneItem item{e, ActionType::kNone, "", o->id, o->status};
    if (e.deletion_policy == "Orphan") {
      item.reason = "removed from manifests (deletionPolicy Orphan): left alone";
    } else if (!e.owned || !IsOwnedByConverge(*o)) {
      item.reason =
          "removed from manifests; not created by Converge (no ownership mark): left "
          "alone whatever its deletionPolicy";
    } else {
      Decide(e, *o, &item);
      const std::string verb = item.action == ActionType::kDelete ? "delete" : "stop";
      if (const Intent* lost = PendingOf(pending, e, verb);
          lost && IsMutating(item.action) && now_ms - lost->created_unix_ms < options.grace_ms) {
        item.action = ActionType::kWait;
        item.reason += ": a " + verb +
                       "'s answer was lost and the cloud still lists it; waiting before "
                       "trying again";
      }
      if (IsMutating(item.action)) {
        ++plan.pruning;
        ++plan.pruning_by_provider[e.provider];
      }
    }
    plan.items.push_back(std::move(item));
  }
  int total = plan.pruning;
  for (const auto& [provider, n] : elsewhere) {
    if (!obs.swept.count(provider)) total += n;
  }
  if (total == 0) return plan;
  const int managed = static_cast<int>(managed_entries);
  const std::string would = "this revision would prune " + std::to_string(total);
  if (!source_problem.empty()) {
    plan.blocked = source_problem;
  } else if (total > options.max_prune) {
    plan.blocked = would + " resources, more than --max-prune " +
                   std::to_string(options.max_prune) +
                   "; nothing is pruned (if this is intended, run with --max-prune " +
                   std::to_string(total) + " for this change, or remove fewer at a time)";
  } else if (total > 1 && 2 * total > managed) {
    // One resource is always allowed: the half rule would otherwise block removing
    // the only managed resource forever.
    plan.blocked = would + " of " + std::to_string(managed) +
                   " managed resources, more than half; nothing is pruned (if this is "
                   "intended, remove at most " +
                   std::to_string(std::max(1, managed / 2)) +
                   " at a time, or set deletionPolicy Orphan and delete them by hand)";
  }
  return plan;
}

std::string PruneLine(const PruneItem& item) {
  const std::string what =
      item.action == ActionType::kNone ? "orphan" : std::string(ActionName(item.action));
  return item.entry.kind + "/" + item.entry.name + " [" + item.entry.provider + "] " + what + ": " +
         item.reason;
}

int Pruner::Run(const PrunePlan& plan, const PruneOptions& options, int64_t now_ms) {
  for (const auto& key : plan.gone) {
    // The resource is gone (deleted, by us or by hand): forget it and any intent.
    for (const auto& intent : journal_.Pending()) {
      if (intent.action != "create" &&
          intent.kind + "/" + intent.provider + "/" + intent.name == key) {
        (void)journal_.Clear(intent);
      }
    }
    if (Status removed = inventory_.Remove(key); !removed) {
      log::Warn("cannot update the inventory",
                {{"resource", key}, {"error", removed.error().message}});
    } else {
      log::Info("inventory: resource gone from the cloud, forgotten", {{"resource", key}});
    }
  }
  // A stop or delete whose answer (or whose clear, in a crash) was lost, and that
  // the sweep shows done (the resource is stopped; nothing is left to do): its
  // intent is resolved.
  for (const auto& item : plan.items) {
    if (item.action != ActionType::kNone) continue;
    for (const auto& intent : journal_.Pending()) {
      if (intent.action != "create" &&
          intent.kind + "/" + intent.provider + "/" + intent.name == item.entry.Key()) {
        (void)journal_.Clear(intent);
      }
    }
  }
  if (!options.enabled || !plan.blocked.empty()) return 0;
  int calls = 0;
  for (const auto& item : plan.items) {
    if (!IsMutating(item.action)) continue;
    const InventoryEntry& e = item.entry;
    std::shared_ptr<cloud::Provider> client = client_of_(e.provider);
    if (!client) continue;
    const std::string verb(ActionName(item.action));
    const Intent intent = PruneIntent(e, verb, now_ms);
    if (Status recorded = journal_.Record(intent); !recorded) {
      log::Warn(
          "prune not attempted: cannot record its intent durably (no call was made; fix the "
          "state dir)",
          {{"resource", e.Key()}, {"action", verb}, {"error", recorded.error().message}});
      continue;
    }
    cloud::Status done;
    if (item.action == ActionType::kDelete) {
      done = IsContainerInstance(e)
                 ? client->DeleteContainerInstance(e.cloud_id)
                 : client->DeleteNotebook(cloud::ResourceKind::kTiOneNotebook, e.cloud_id);
    } else {
      done = IsContainerInstance(e)
                 ? client->StopContainerInstance(e.cloud_id)
                 : client->StopNotebook(cloud::ResourceKind::kTiOneNotebook, e.cloud_id);
    }
    ++calls;
    if (metrics_) metrics_->OnAction(e.kind, verb, done.has_value());
    if (done || !done.error().outcome_unknown) (void)journal_.Clear(intent);
    if (done) {
      log::Info("pruned", {{"kind", e.kind},
                           {"name", e.name},
                           {"provider", e.provider},
                           {"id", e.cloud_id},
                           {"action", verb},
                           {"reason", item.reason}});
    } else {
      log::Warn("prune failed", {{"kind", e.kind},
                                 {"name", e.name},
                                 {"action", verb},
                                 {"error", done.error().ToString()}});
    }
  }
  return calls;
}

}  // namespace converge::reconcile
