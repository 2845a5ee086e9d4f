// The controller's inventory of what it created (reconcile/inventory.h) and the
// prune plan drawn from it: the part of Controller that --prune and orphans use.
#include "reconcile/controller.h"

#include "base/log.h"
#include "reconcile/desired.h"
#include "reconcile/observe.h"
#include "reconcile/prune.h"
#include "reconcile/sweeps.h"

namespace converge::reconcile {

void Controller::SetInventory(Inventory* inventory) {
  std::lock_guard lock(mu_);
  inventory_ = inventory ? inventory : &own_inventory_;
  for (auto& [key, t] : tracked_) t->inventoried_id.clear();  // known of the one before
  if (const std::string why = inventory_->LoadError(); !why.empty()) {
    log::Warn("inventory not trusted", {{"error", why}});
  }
}

std::optional<InventoryEntry> Controller::InventoryEntryOf(const manifest::Resource& r,
                                                           const cloud::Observed& o) {
  InventoryEntry e;
  if (const auto* ci = std::get_if<manifest::ContainerInstance>(&r)) {
    e.deletion_policy = manifest::DeletionPolicyName(ci->spec.deletion_policy);
    e.state = ci->spec.state;
  } else if (const auto* nb = std::get_if<manifest::TiOneNotebook>(&r)) {
    e.deletion_policy = manifest::DeletionPolicyName(nb->spec.deletion_policy);
  } else {
    return std::nullopt;  // a NotebookService's notebook is never Converge's to remove
  }
  e.kind = manifest::KindName(manifest::KindOf(r));
  e.provider = manifest::ProviderOf(r);
  e.name = manifest::MetaOf(r).name;
  e.cloud_id = o.id;
  e.owned = IsOwnedByConverge(o);
  std::lock_guard lock(mu_);
  e.revision = revision_;
  return e;
}

bool Controller::InventoryHolds(const InventoryEntry& e) {
  Inventory* inventory;
  {
    std::lock_guard lock(mu_);
    inventory = inventory_;
  }
  return inventory->Holds(e);
}

bool Controller::Remember(std::vector<InventoryEntry> entries) {
  if (entries.empty()) return true;
  Inventory* inventory;
  {
    std::lock_guard lock(mu_);
    inventory = inventory_;
  }
  const size_t count = entries.size();
  if (Status put = inventory->PutAll(std::move(entries)); !put) {
    log::Warn("cannot update the inventory (fewer prunes, never a wrong one)",
              {{"resources", std::to_string(count)}, {"error", put.error().message}});
    return false;
  }
  return true;
}

std::string Controller::PruneSourceProblemLocked() const {
  if (!spec_error_.empty()) {
    return "the newest manifest revision could not be loaded; an unreadable source never "
           "prunes";
  }
  if (tracked_.empty()) {
    return "the manifests declare no resources; an empty source never prunes";
  }
  return "";
}

PrunePlan Controller::PlanPruneFor(const Observations& obs) {
  std::string problem;
  std::map<std::string, int> elsewhere;
  size_t managed = 0;
  std::vector<InventoryEntry> undeclared;
  {
    std::lock_guard lock(mu_);
    problem = PruneSourceProblemLocked();
    for (const auto& [provider, n] : prune_counts_) {
      if (providers_.count(provider)) elsewhere[provider] = n;
    }
    // Under the controller's lock (the inventory's is taken inside it, never the
    // other way round): what no manifest declares, without copying the rest.
    undeclared = inventory_->Entries(
        [&](const std::string& key, const InventoryEntry&) { return !tracked_.count(key); },
        &managed);
  }
  const PruneOptions po{options_.prune, options_.max_prune, options_.create_grace.count()};
  return PlanPrune(undeclared, managed, obs, journal_.Pending(), po, problem, WallMs(), elsewhere);
}

Controller::~Controller() { Stop(); }

}  // namespace converge::reconcile
