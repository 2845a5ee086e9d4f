// The reconciler: observes every provider by listing, diffs each manifest resource
// against what was listed, performs the actions (bounded concurrency, every call
// through the provider's own rate limit), and schedules each resource's next look:
// soon while a transition is under way, with jittered exponential backoff after an
// error, at the jittered resync period when in sync. Sees only cloud::Provider.
//
// Controller is the facade; the stages live beside it: observe.h (list sweep,
// name index, unmanaged), executor.h (worker pool, one function per action),
// intents.h (create intents and adoption), conditions.h (status and scheduling).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "base/clock.h"
#include "base/random.h"
#include "cloud/provider.h"
#include "manifest/model.h"
#include "reconcile/diff.h"
#include "reconcile/intents.h"
#include "reconcile/inventory.h"
#include "reconcile/journal.h"
#include "reconcile/list_failure_log.h"
#include "reconcile/prune.h"
#include "reconcile/status.h"

namespace converge::reconcile {

struct Tracked;
struct Observations;
struct ObservePlan;
struct PassContext;
class SweepSchedule;

struct ControllerOptions {
  std::chrono::milliseconds resync{30000};  // Default: 30s, jittered by up to +10%
  std::chrono::milliseconds poll{2000};  // re-observe while a transition is under way. Default: 2s
  std::chrono::milliseconds backoff_base{1000};   // Default: 1s, doubling
  std::chrono::milliseconds backoff_max{300000};  // Default: 5 min
  int concurrency = 8;                            // cloud calls in flight at once. Default: 8
  // How long after an unknown-outcome create a list may still not show the new
  // resource; a create is retried only when a list proves absence after this.
  std::chrono::milliseconds create_grace{10000};  // Default: 10s
  // Pruning (README "Removing and changing resources"): off unless --prune.
  bool prune = false;
  int max_prune = 5;  // Default: 5
};

// Metrics hooks, implemented by serve/. Thread-safe.
class ControllerMetrics {
 public:
  virtual ~ControllerMetrics() = default;
  virtual void OnReconcile(std::string_view kind, bool success, double seconds) = 0;
  virtual void OnAction(const std::string& kind, std::string_view action, bool success) = 0;
  virtual void OnQueueDepth(size_t depth) = 0;
  // One reconcile pass ended (list what is due, diff, act, prune): its duration.
  virtual void OnPass(double seconds) = 0;
  // After every pass and every manifest change: the counts of the status.
  virtual void OnStatus(const StatusSummary& summary) = 0;
};

// A provider the controller may call, and the cloud kinds it holds.
struct ProviderEntry {
  std::shared_ptr<cloud::Provider> client;
  std::vector<cloud::ResourceKind> kinds;
  // The list page size: a kind with more resources due on their own than its
  // whole list has pages is listed whole instead of looked up name by name.
  int page_size = 50;
};
using ProviderMap = std::map<std::string, ProviderEntry>;

// One line of a plan.
struct PlanItem {
  std::string kind, name, provider;
  ActionType action = ActionType::kNone;
  std::string reason;
  std::vector<DriftItem> drift;
  std::string observed_id, observed_state;
};

struct PlanResult {
  std::vector<PlanItem> items;
  std::vector<UnmanagedResource> unmanaged;
  // Inventoried resources no manifest declares: what --prune does (or would do) to each.
  std::vector<PruneItem> prune;
  std::string prune_blocked;  // why this revision prunes nothing ("" when it would not be)
  // Providers that could not be listed, by name, with why. Each of their resources is
  // also an item with action kError.
  std::map<std::string, std::string> errors;
};

// What one pass did, for apply's progress output. How each resource ended the pass is
// in its status (see Failing and ResourceStatus::terminal).
struct PassResult {
  int actions = 0;
  std::vector<std::string> changes;  // "kind/name: created (id ...)", for progress output
};

// One managed resource, as `converge reconcile` and POST /reconcile name it.
struct ResourceRef {
  std::string kind, provider, name;
};

// What ResetBackoff did.
struct ResetResult {
  std::vector<ResourceRef> reset;    // made due at once, backoff reset
  std::vector<std::string> unknown;  // names that match no resource (then nothing is reset)
};

class Controller {
 public:
  Controller(ControllerOptions options, Journal& journal, Clock& clock, Random& random,
             ControllerMetrics* metrics = nullptr);
  ~Controller();

  // Where the controller records what it created or adopted (default: in memory).
  // Call before the first pass; `inventory` must outlive the controller. Its
  // LoadError() is reported in status.
  void SetInventory(Inventory* inventory);

  // Installs a new manifest revision and the providers it names. Resources whose
  // spec changed (or are new) become due at once; removed ones are no longer
  // reconciled, and only with ControllerOptions::prune are they stopped or deleted
  // per their recorded deletionPolicy (the next pass sweeps every provider; a prune
  // is decided only from a whole sweep of its provider). Thread-safe.
  void SetManifests(manifest::ManifestSet manifests, ProviderMap providers);
  // Records that the newest revision on disk failed to load; the installed one
  // keeps reconciling. Thread-safe.
  void SetSpecError(const std::string& error);
  void ClearSpecError();

  // Lists every provider and diffs every resource; makes no mutating call.
  PlanResult Plan();

  // One pass over the resources that are due (all of them when `all`): observe,
  // diff, act, schedule. Thread-safe with respect to status readers.
  PassResult RunPass(bool all);

  // Runs passes until Stop(): each as soon as a provider's sweep or some resource
  // is due or Wake() is called, waiting through the Clock (so a SimulatedClock drives it in tests).
  // Returns after the pass in flight (if any) has finished.
  void Run();
  void Stop();
  void Wake();

  // Resets the backoff of the named resources (every one when `names` is empty),
  // makes them due at once and wakes Run, like `flux reconcile`. A name is
  // KIND/NAME (every provider's resource of that kind and name) or
  // KIND/PROVIDER/NAME; the kind is matched ignoring case. When any name matches
  // nothing, nothing is reset and `unknown` lists those names. Thread-safe.
  ResetResult ResetBackoff(const std::vector<std::string>& names);

  // The state now, taken under the controller's lock.
  StatusSnapshot Snapshot() const;
  // The snapshot published at the end of the latest pass, manifest change, spec
  // error or backoff reset: what /status and /readyz serve. Taking it never waits
  // for the controller's lock, so a reader (rendering /status at a low priority
  // while 50 clients ask) never holds up a pass. Publications are kept from the
  // first call on; before it (and in commands that never call it) none is kept.
  std::shared_ptr<const StatusSnapshot> Published() const;
  // True when waiting longer cannot change the outcome: every resource is either Ready
  // and not failing, or failed for good (ResourceStatus::terminal).
  bool Settled() const;

 private:
  PassContext Context();
  // Lists what `plan` says, records each sweep on its provider's status and
  // schedule, and updates the unmanaged list.
  Observations Observe(const ObservePlan& plan);
  // The resources a pass looks at and what to list: every provider whose sweep is
  // due (all when `all`) with all its resources, and the resources due on their
  // own (by name, or a kind's whole list when cheaper); false when there is
  // nothing to do.
  bool CollectDue(bool all, std::vector<std::shared_ptr<Tracked>>* due, ObservePlan* plan);
  // A pass's inventory entries to write, and the resource each is of.
  struct Remembered {
    std::vector<InventoryEntry> entries;
    std::vector<Tracked*> by;  // whose entry each is
  };
  // Records t's observation; a mutating action to perform, or nullopt when done.
  // The inventory entry of an observed ContainerInstance/TiOneNotebook is added
  // to `remembered` when the inventory does not hold it as it is.
  std::optional<Action> Observed(const PassContext& ctx, Tracked& t, const Observations& obs,
                                 bool* pass_ok, Remembered* remembered);
  std::shared_ptr<cloud::Provider> ClientOf(const std::string& provider);
  // What the inventory records of `r` observed as `o`; nullopt for a kind that
  // is never pruned (NotebookService).
  std::optional<InventoryEntry> InventoryEntryOf(const manifest::Resource& r,
                                                 const cloud::Observed& o);
  // Whether the inventory holds `e` as it is.
  bool InventoryHolds(const InventoryEntry& e);
  // Records a pass's observed entries in the inventory with one write; false
  // (logged) when the write failed.
  bool Remember(std::vector<InventoryEntry> entries);
  // Why the manifest source cannot be trusted to prune, "" when it can.
  std::string PruneSourceProblemLocked() const;
  PrunePlan PlanPruneFor(const Observations& obs);
  void PublishLocked();
  StatusSnapshot SnapshotLocked() const;
  StatusSummary SummaryLocked() const;
  int64_t WallMs() const;

  ControllerOptions options_;
  CreateIntents intents_;
  Clock& clock_;
  Random& random_;
  ControllerMetrics* metrics_;

  mutable std::mutex mu_;  // guards everything below
  std::condition_variable cv_;
  bool stopping_ = false;
  bool wake_ = false;
  std::string revision_;
  // The resources in manifest order (for Plan), and their cloud names.
  std::vector<std::shared_ptr<Tracked>> order_;
  std::set<std::tuple<std::string, cloud::ResourceKind, std::string>> wanted_;
  ProviderMap providers_;
  // By resource key. Shared with passes in flight; entries are replaced, not mutated,
  // when a resource's spec changes.
  std::map<std::string, std::shared_ptr<Tracked>> tracked_;
  // Counts what can move a tracked resource's next_due: passes, manifest changes,
  // resets (Run recomputes the first due time when it changes).
  uint64_t schedule_changes_ = 0;
  std::map<std::string, ProviderStatus> provider_status_;
  std::unique_ptr<SweepSchedule> sweeps_;
  // How many objects the last whole list of each (provider, kind) held.
  std::map<std::pair<std::string, cloud::ResourceKind>, size_t> list_sizes_;
  ListFailureLog list_failure_log_;
  std::vector<UnmanagedResource> unmanaged_;
  MemoryInventory own_inventory_;
  Inventory* inventory_ = &own_inventory_;
  Journal& journal_;
  std::string prune_blocked_;
  bool prune_due_ = false;  // a resource left the manifests: sweep every provider
  // How many resources the latest sweep of each provider would prune.
  std::map<std::string, int> prune_counts_;
  std::string spec_error_;
  int64_t last_successful_sync_ms_ = 0;
  bool have_manifests_ = false;
  std::mutex pass_mu_;                                       // one pass at a time
  mutable std::mutex published_mu_;                          // guards published_ only
  mutable std::shared_ptr<const StatusSnapshot> published_;  // see Published()
};

}  // namespace converge::reconcile
