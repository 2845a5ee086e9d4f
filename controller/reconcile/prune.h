// Pruning: what happens to a resource Converge created once no manifest
// declares it any more (README "Removing and changing resources"). PlanPrune is
// pure (inventory + this pass's lists -> one decision per resource, then the
// guards); Pruner performs the decisions, each stop or delete journaled before
// its call like a create.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cloud/provider.h"
#include "reconcile/diff.h"
#include "reconcile/inventory.h"
#include "reconcile/journal.h"

namespace converge::reconcile {

struct Observations;
class ControllerMetrics;

struct PruneOptions {
  bool enabled = false;  // --prune
  int max_prune = 5;     // --max-prune
  // How long a stop or delete whose answer was lost may still be listed before
  // it is tried again (the create grace).
  int64_t grace_ms = 10000;
};

struct PruneItem {
  InventoryEntry entry;
  // kStop, kDelete, kWait (a transition or a lost answer), or kNone (left alone).
  ActionType action = ActionType::kNone;
  std::string reason;  // "removed from manifests (deletionPolicy Delete)"
  std::string observed_id, observed_state;
};

struct PrunePlan {
  // Every inventoried resource that no manifest declares and whose provider was listed.
  std::vector<PruneItem> items;
  // Inventory keys whose resource the lists no longer hold: forgotten.
  std::vector<std::string> gone;
  int pruning = 0;  // resources of the swept providers to stop or delete
  // The same, by provider (every swept provider, 0 included).
  std::map<std::string, int> pruning_by_provider;
  std::string blocked;  // why nothing is pruned this pass, "" when not blocked
};

// Decides only for providers `obs` swept whole (Observations::swept): a lookup
// by name cannot tell what is missing. `undeclared`: the inventory's entries no
// manifest declares (by ResourceKey); `managed`: how many it holds in all. `source_problem`: why
// the manifest source cannot be trusted to prune
// ("" when it can). `pending`: the journal's intents (a stop or delete with a
// lost answer waits out the grace). `elsewhere`: how many resources the latest
// sweep of each provider would prune; those not swept in `obs` count toward the
// guards, which apply to the whole revision (README "Guards"): more than
// --max-prune, or more than one and more than half of the inventory, blocks.
PrunePlan PlanPrune(const std::vector<InventoryEntry>& undeclared, size_t managed,
                    const Observations& obs, const std::vector<Intent>& pending,
                    const PruneOptions& options, const std::string& source_problem, int64_t now_ms,
                    const std::map<std::string, int>& elsewhere = {});

// The one-line `-` rendering of an item: "ContainerInstance/x [scnet-a] delete: ...".
std::string PruneLine(const PruneItem& item);

// Performs a plan's stops and deletes (none when blocked or pruning is off):
// journal the intent, call, clear the intent once the outcome is known (kept
// when the answer was lost: the next pass lists and decides). Forgets the gone.
class Pruner {
 public:
  using ClientOf = std::function<std::shared_ptr<cloud::Provider>(const std::string&)>;
  Pruner(Journal& journal, Inventory& inventory, ClientOf client_of, ControllerMetrics* metrics)
      : journal_(journal),
        inventory_(inventory),
        client_of_(std::move(client_of)),
        metrics_(metrics) {}

  // Returns the number of calls made.
  int Run(const PrunePlan& plan, const PruneOptions& options, int64_t now_ms);

 private:
  Journal& journal_;
  Inventory& inventory_;
  ClientOf client_of_;
  ControllerMetrics* metrics_;
};

}  // namespace converge::reconcile
