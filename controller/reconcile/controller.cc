#include "reconcile/controller.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "base/log.h"
#include "reconcile/conditions.h"
#include "reconcile/desired.h"
#include "reconcile/executor.h"
#include "reconcile/observe.h"
#include "reconcile/sweeps.h"
#include "reconcile/tracked.h"

namespace converge::reconcile {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

Controller::Controller(ControllerOptions options, Journal& journal, Clock& clock, Random& random,
                       ControllerMetrics* metrics)
    : options_(options),
      intents_(journal),
      clock_(clock),
      random_(random),
      metrics_(metrics),
      sweeps_(std::make_unique<SweepSchedule>(options_, random_)),
      journal_(journal) {}

int64_t Controller::WallMs() const {
  return duration_cast<milliseconds>(clock_.WallNow().time_since_epoch()).count();
}

PassContext Controller::Context() { return {options_, clock_, random_, metrics_, mu_, *sweeps_}; }

std::shared_ptr<cloud::Provider> Controller::ClientOf(const std::string& provider) {
  std::lock_guard lock(mu_);
  auto it = providers_.find(provider);
  return it == providers_.end() ? nullptr : it->second.client;
}

void Controller::SetManifests(manifest::ManifestSet manifests, ProviderMap providers) {
  std::lock_guard lock(mu_);
  const SteadyTime now = clock_.Now();
  std::map<std::string, std::shared_ptr<Tracked>> next;
  std::vector<std::shared_ptr<Tracked>> order;
  order.reserve(manifests.resources.size());
  WantedNames wanted;
  bool added = false;
  for (auto& r : manifests.resources) {
    wanted.insert({manifest::ProviderOf(r), ObservedKindOf(manifest::KindOf(r)), CloudNameOf(r)});
    const std::string key = ResourceKey(r);
    const std::string fp = Fingerprint(r);
    const std::string provider = manifest::ProviderOf(r);  // a copy: r is moved below
    auto old = tracked_.find(key);
    added = added || old == tracked_.end();
    const bool provider_changed = providers_.count(provider) == 0 ||
                                  providers.count(provider) == 0 ||
                                  providers_.at(provider).client != providers.at(provider).client;
    std::shared_ptr<Tracked> t;
    if (old != tracked_.end() && old->second->fingerprint == fp && !provider_changed) {
      // Same fingerprint: everything the controller acts on is unchanged, so the
      // entry (which a pass in flight may be reading) is kept as it is.
      t = old->second;
    } else {
      // Moved: the controller keeps each resource once, in its Tracked.
      t = std::make_shared<Tracked>(std::move(r), random_, options_);
      if (old != tracked_.end()) {
        t->status = old->second->status;  // keep history; the spec changed
        t->notebook_rebooted = old->second->notebook_rebooted;
        t->paused = old->second->paused;
      } else {
        t->status.kind = manifest::KindName(manifest::KindOf(t->resource));
        t->status.name = manifest::MetaOf(t->resource).name;
        t->status.provider = provider;
      }
      t->status.terminal = false;
      t->fingerprint = fp;
      t->next_due = now;
    }
    order.push_back(t);
    next[key] = std::move(t);
  }
  // A resource left the manifests, or one came back while the latest sweeps had
  // something to prune (or were blocked): every provider is swept to decide again.
  for (const auto& [key, t] : tracked_) {
    if (!next.count(key)) prune_due_ = true;
  }
  if (added) {
    for (const auto& [provider, n] : prune_counts_) prune_due_ = prune_due_ || n > 0;
  }
  tracked_ = std::move(next);
  order_ = std::move(order);
  wanted_ = std::move(wanted);
  std::map<std::string, ProviderStatus> statuses;
  for (const auto& [name, entry] : providers) {
    auto it = provider_status_.find(name);
    const bool same = it != provider_status_.end() && providers_.count(name) &&
                      providers_.at(name).client == entry.client;
    statuses[name] = same ? it->second : ProviderStatus{name, false, ""};
  }
  provider_status_ = std::move(statuses);
  sweeps_->Configure(providers, providers_, now);
  revision_ = std::move(manifests.revision);
  providers_ = std::move(providers);
  have_manifests_ = true;
  spec_error_.clear();
  ++schedule_changes_;
  wake_ = true;
  cv_.notify_all();
  PublishLocked();
}

void Controller::SetSpecError(const std::string& error) {
  std::lock_guard lock(mu_);
  spec_error_ = error;
  PublishLocked();
}

void Controller::ClearSpecError() {
  std::lock_guard lock(mu_);
  spec_error_.clear();
  PublishLocked();
}

Observations Controller::Observe(const ObservePlan& plan) {
  ProviderMap providers;
  {
    std::lock_guard lock(mu_);
    providers = providers_;
  }
  Observations obs = ObserveProviders(
      providers, plan, [&](const std::string& name, const cloud::Error* error, bool sweep) {
        // Outside the lock: it may stat a secret file.
        const auto it = providers.find(name);
        std::string secret_problem = it != providers.end() && it->second.client
                                         ? it->second.client->SecretProblem()
                                         : std::string();
        std::lock_guard lock(mu_);
        auto& ps = provider_status_[name];
        ps.name = name;
        ps.secret_problem = std::move(secret_problem);
        if (error) {
          ps.error = error->ToString();
          list_failure_log_.Failed(name, *error, clock_.Now());
          if (sweep) sweeps_->Failed(name, clock_.Now());
        } else {
          ps.listed = ps.listed || sweep;
          ps.error.clear();
          list_failure_log_.Listed(name, clock_.Now());
          if (sweep) sweeps_->Succeeded(name);
        }
      });
  std::lock_guard lock(mu_);
  for (const auto& [provider, kinds] : obs.lists) {
    for (const auto& [kind, list] : kinds) list_sizes_[{provider, kind}] = list.size();
  }
  std::set<std::string> was_orphaned;
  for (const auto& u : unmanaged_) {
    if (u.orphaned) was_orphaned.insert(u.provider + "/" + u.kind + "/" + u.id);
  }
  unmanaged_ = FindUnmanaged(wanted_, providers_, obs, unmanaged_);
  for (const auto& u : unmanaged_) {
    if (u.orphaned && !was_orphaned.count(u.provider + "/" + u.kind + "/" + u.id)) {
      log::Info("orphaned: created by Converge, named by no manifest",
                {{"provider", u.provider}, {"kind", u.kind}, {"name", u.name}, {"id", u.id}});
    }
  }
  return obs;
}

bool Controller::CollectDue(bool all, std::vector<std::shared_ptr<Tracked>>* due,
                            ObservePlan* plan) {
  std::lock_guard lock(mu_);
  if (!have_manifests_) return false;
  const SteadyTime now = clock_.Now();
  if (prune_due_) {
    all = true;  // a resource left the manifests: every provider is swept to decide
    prune_due_ = false;
  }
  plan->sweep = sweeps_->Start(all, now);
  const std::set<std::string> swept(plan->sweep.begin(), plan->sweep.end());
  // Due on their own, by provider and kind: looked up by name, or from the
  // kind's whole list when that takes fewer calls.
  std::map<ProviderKind, std::set<std::string>> own;
  for (auto& [key, t] : tracked_) {
    const std::string& provider = manifest::ProviderOf(t->resource);
    if (swept.count(provider)) {
      due->push_back(t);
    } else if (t->next_due <= now) {
      due->push_back(t);
      own[{provider, ObservedKindOf(manifest::KindOf(t->resource))}].insert(
          CloudNameOf(t->resource));
    }
  }
  for (auto& [key, names] : own) {
    auto entry = providers_.find(key.first);
    const size_t page = entry == providers_.end() ? 1 : std::max(1, entry->second.page_size);
    auto size = list_sizes_.find(key);
    const size_t pages =
        size == list_sizes_.end() ? 1 : std::max<size_t>(1, (size->second + page - 1) / page);
    if (names.size() > pages) {
      plan->whole.insert(key);
    } else {
      plan->by_name[key] = std::move(names);
    }
  }
  if (due->empty() && plan->sweep.empty()) return false;
  if (metrics_) metrics_->OnQueueDepth(due->size());
  return true;
}

std::optional<Action> Controller::Observed(const PassContext& ctx, Tracked& t,
                                           const Observations& obs, bool* pass_ok,
                                           Remembered* remembered) {
  const SteadyTime started = clock_.Now();
  const std::string& provider = manifest::ProviderOf(t.resource);
  const std::string_view kind = manifest::KindName(manifest::KindOf(t.resource));
  const int64_t now_ms = WallMs();
  bool sweep = false;
  if (const cloud::Error* err = obs.ErrorFor(t.resource, &sweep)) {
    std::lock_guard lock(mu_);
    RecordObserveError(ctx, t, provider, *err, sweep, now_ms);
    if (metrics_) metrics_->OnReconcile(kind, false, 0);
    return std::nullopt;
  }
  Observation o;
  o.matches = obs.Matches(t.resource);
  bool inventoried = false;
  {
    std::lock_guard lock(mu_);
    if (std::holds_alternative<manifest::NotebookService>(t.resource) && o.matches.size() == 1 &&
        o.matches[0]->status != "Running") {
      t.notebook_rebooted = true;
    }
    o.notebook_rebooted = t.notebook_rebooted;
    if (const auto* ci = std::get_if<manifest::ContainerInstance>(&t.resource);
        ci && o.matches.size() == 1) {
      const std::string& st = o.matches[0]->status;
      if (ci->spec.state == "Stopped") {
        t.paused = true;  // stopped now, or about to be
      } else if (st == "Running" || st == "Deploying" || st == "Waiting") {
        t.paused = false;
      } else if (!t.paused) {
        // Paused by an earlier controller process: the inventory remembers.
        const auto e = inventory_->Find(ResourceKey(t.resource));
        t.paused = e && e->cloud_id == o.matches[0]->id && e->state == "Stopped";
      }
    }
    o.paused = t.paused;
    inventoried = o.matches.size() == 1 && t.inventoried_id == o.matches[0]->id &&
                  t.inventoried_revision == revision_;
  }
  Action action = Diff(t.resource, o);
  const bool adopted = !o.matches.empty() && intents_.Adopt(t.resource, *o.matches.front());
  if (o.matches.size() == 1 && !inventoried) {
    // Once per resource, cloud id and revision: not rebuilt and compared on
    // every sweep.
    if (auto e = InventoryEntryOf(t.resource, *o.matches.front())) {
      if (InventoryHolds(*e)) {
        std::lock_guard lock(mu_);
        t.inventoried_id = e->cloud_id;
        t.inventoried_revision = e->revision;
      } else {
        remembered->entries.push_back(std::move(*e));
        remembered->by.push_back(&t);
      }
    }
  }
  std::lock_guard lock(mu_);
  RecordListed(t, action, o);
  if (IsMutating(action.type)) return action;
  RecordObserved(ctx, t, action, o.matches.empty(), adopted, now_ms);
  if (action.type == ActionType::kError) *pass_ok = false;
  if (metrics_) {
    metrics_->OnReconcile(kind, action.type != ActionType::kError,
                          std::chrono::duration<double>(clock_.Now() - started).count());
  }
  return std::nullopt;
}

PassResult Controller::RunPass(bool all) {
  std::lock_guard pass_lock(pass_mu_);
  PassResult result;
  // Shared: a manifest change mid-pass replaces entries, never frees them under us.
  std::vector<std::shared_ptr<Tracked>> due;
  ObservePlan plan;
  if (!CollectDue(all, &due, &plan)) return result;
  const SteadyTime pass_started = clock_.Now();
  const Observations obs = Observe(plan);

  const PassContext ctx = Context();
  std::vector<Executor::Work> work;
  bool pass_ok = obs.errors.empty() && obs.kind_errors.empty() && obs.name_errors.empty();
  Remembered remembered;
  for (const auto& t : due) {
    const SteadyTime started = clock_.Now();
    if (std::optional<Action> action = Observed(ctx, *t, obs, &pass_ok, &remembered)) {
      work.push_back({t, std::move(*action), started});
    }
  }
  // One durable inventory write for the pass (a new revision changes every entry).
  {
    // Marked before the entries are moved into the inventory; unmarked if the
    // write fails, so the next pass writes them.
    std::lock_guard lock(mu_);
    for (size_t i = 0; i < remembered.by.size(); ++i) {
      remembered.by[i]->inventoried_id = remembered.entries[i].cloud_id;
      remembered.by[i]->inventoried_revision = remembered.entries[i].revision;
    }
  }
  if (!Remember(std::move(remembered.entries))) {
    std::lock_guard lock(mu_);
    for (Tracked* t : remembered.by) t->inventoried_id.clear();
  }
  Executor executor(ctx, intents_, [this](const std::string& p) { return ClientOf(p); });
  if (!executor.Run(work, &result)) pass_ok = false;

  const PrunePlan prune = PlanPruneFor(obs);
  Inventory* inventory;
  {
    std::lock_guard lock(mu_);
    inventory = inventory_;
  }
  Pruner pruner(
      journal_, *inventory, [this](const std::string& p) { return ClientOf(p); }, metrics_);
  const PruneOptions po{options_.prune, options_.max_prune, options_.create_grace.count()};
  result.actions += pruner.Run(prune, po, WallMs());

  std::lock_guard lock(mu_);
  // Only a pass that swept a provider changes the verdict; the guards count the
  // latest sweep of every provider (PlanPrune's `elsewhere`).
  for (const auto& [provider, n] : prune.pruning_by_provider) prune_counts_[provider] = n;
  if (!obs.swept.empty()) {
    const std::string verdict = options_.prune ? prune.blocked : "";
    if (!verdict.empty() && verdict != prune_blocked_) {
      log::Warn("prune blocked", {{"revision", revision_}, {"reason", verdict}});
    }
    prune_blocked_ = verdict;
  }
  if (pass_ok) last_successful_sync_ms_ = WallMs();
  if (metrics_) {
    size_t depth = 0;
    const SteadyTime now = clock_.Now();
    for (const auto& [key, t] : tracked_) depth += t->next_due <= now ? 1 : 0;
    metrics_->OnQueueDepth(depth);
    metrics_->OnPass(std::chrono::duration<double>(now - pass_started).count());
  }
  ++schedule_changes_;
  PublishLocked();
  return result;
}

PlanResult Controller::Plan() {
  std::lock_guard pass_lock(pass_mu_);
  PlanResult plan;
  ObservePlan all;
  std::vector<std::shared_ptr<Tracked>> tracked;  // in manifest order
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, entry] : providers_) all.sweep.push_back(name);
    tracked = order_;
  }
  const Observations obs = Observe(all);
  for (const auto& [provider, error] : obs.errors) {
    plan.errors[provider] = error.ToString();
  }
  for (const auto& t : tracked) {
    const manifest::Resource& r = t->resource;
    PlanItem item;
    item.kind = manifest::KindName(manifest::KindOf(r));
    item.name = manifest::MetaOf(r).name;
    item.provider = manifest::ProviderOf(r);
    if (auto err = obs.errors.find(item.provider); err != obs.errors.end()) {
      item.action = ActionType::kError;
      item.reason = "cannot list provider: " + err->second.ToString();
      plan.items.push_back(std::move(item));
      continue;
    }
    Observation o;
    o.matches = obs.Matches(r);
    {
      std::lock_guard lock(mu_);
      o.notebook_rebooted = t->notebook_rebooted;
      o.paused = t->paused;
    }
    const Action a = Diff(r, o);
    item.action = a.type;
    item.reason = a.reason;
    item.drift = a.drift;
    if (o.matches.size() == 1) {
      item.observed_id = o.matches[0]->id;
      item.observed_state = o.matches[0]->status;
    }
    plan.items.push_back(std::move(item));
  }
  if (options_.prune) {
    PrunePlan prune = PlanPruneFor(obs);
    plan.prune = std::move(prune.items);
    plan.prune_blocked = prune.blocked;
  }
  std::lock_guard lock(mu_);
  plan.unmanaged = unmanaged_;
  return plan;
}

void Controller::Run() {
  // When the first tracked resource is due: it moves only in a pass or on a
  // manifest change or reset (each counted in schedule_changes_), so it is
  // recomputed then, not on every wake-up (at 10,000 resources that was a walk
  // of all of them every second).
  uint64_t computed_at = schedule_changes_ - 1;
  SteadyTime first_due{};
  while (true) {
    {
      std::unique_lock lock(mu_);
      if (stopping_) break;
      const SteadyTime now = clock_.Now();
      if (computed_at != schedule_changes_) {
        first_due = SteadyTime::max();
        for (const auto& [key, t] : tracked_) first_due = std::min(first_due, t->next_due);
        computed_at = schedule_changes_;
      }
      const SteadyTime earliest = std::min(sweeps_->Earliest(), first_due);
      if (!wake_ && earliest > now) {
        const SteadyTime deadline =
            earliest - now < std::chrono::seconds(1) ? earliest : now + std::chrono::seconds(1);
        clock_.WaitUntil(lock, cv_, deadline, [this] { return stopping_ || wake_; });
        if (stopping_) break;
        if (!wake_ && clock_.Now() < earliest) continue;
      }
      wake_ = false;
    }
    RunPass(false);
  }
}

void Controller::Stop() {
  std::lock_guard lock(mu_);
  stopping_ = true;
  cv_.notify_all();
}

void Controller::Wake() {
  std::lock_guard lock(mu_);
  wake_ = true;
  cv_.notify_all();
}

ResetResult Controller::ResetBackoff(const std::vector<std::string>& names) {
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<Tracked>> chosen;
  std::set<const Tracked*> seen;
  ResetResult result;
  for (const auto& name : names) {
    // KIND/NAME or KIND/PROVIDER/NAME.
    const auto first = name.find('/');
    const auto last = name.rfind('/');
    const std::string kind = lower(name.substr(0, first));
    const std::string provider =
        first != last ? name.substr(first + 1, last - first - 1) : std::string();
    const std::string resource = last == std::string::npos ? "" : name.substr(last + 1);
    bool matched = false;
    for (const auto& [key, t] : tracked_) {
      if (first == std::string::npos || lower(t->status.kind) != kind ||
          t->status.name != resource || (first != last && t->status.provider != provider)) {
        continue;
      }
      matched = true;
      if (seen.insert(t.get()).second) chosen.push_back(t);
    }
    if (!matched) result.unknown.push_back(name);
  }
  if (!result.unknown.empty()) return result;
  if (names.empty()) {
    for (const auto& [key, t] : tracked_) chosen.push_back(t);
  }
  const SteadyTime now = clock_.Now();
  const int64_t now_ms = WallMs();
  for (const auto& t : chosen) {
    t->backoff.Reset();
    t->next_due = now;
    t->status.next_retry_ms = now_ms;
    result.reset.push_back({t->status.kind, t->status.provider, t->status.name});
  }
  if (!chosen.empty()) {
    std::string which;
    for (const auto& name : names) which += (which.empty() ? "" : ",") + name;
    log::Info(
        "reconcile requested: backoff reset, pass triggered",
        {{"resources", names.empty() ? "all" : which}, {"count", std::to_string(chosen.size())}});
    ++schedule_changes_;
    wake_ = true;
    cv_.notify_all();
    PublishLocked();
  }
  return result;
}

StatusSnapshot Controller::Snapshot() const {
  std::lock_guard lock(mu_);
  return SnapshotLocked();
}

StatusSnapshot Controller::SnapshotLocked() const {
  StatusSnapshot s;
  s.revision = revision_;
  s.spec_valid = spec_error_.empty();
  s.spec_error = spec_error_;
  s.last_successful_sync_ms = last_successful_sync_ms_;
  bool all_listed = true;
  for (const auto& [name, ps] : provider_status_) {
    s.providers.push_back(ps);
    if (auto it = providers_.find(name); it != providers_.end() && it->second.client) {
      s.providers.back().endpoint = it->second.client->Endpoint();
    }
    all_listed = all_listed && ps.listed;
  }
  s.ready = have_manifests_ && all_listed;
  for (const auto& [key, t] : tracked_) s.resources.push_back(t->status);
  s.unmanaged = unmanaged_;
  s.prune_blocked = prune_blocked_;
  s.inventory_error = inventory_->LoadError();
  return s;
}

StatusSummary Controller::SummaryLocked() const {
  StatusSummary s;
  s.revision = revision_;
  s.spec_valid = spec_error_.empty();
  s.last_successful_sync_ms = last_successful_sync_ms_;
  s.prune_blocked = !prune_blocked_.empty();
  for (const auto& [key, t] : tracked_) s.Count(t->status);
  for (const auto& u : unmanaged_) s.Count(u);
  return s;
}

bool Controller::Settled() const {
  std::lock_guard lock(mu_);
  for (const auto& [key, t] : tracked_) {
    const bool ready = t->status.ready.status == "True" && !Failing(t->status);
    if (!ready && !t->status.terminal) return false;
  }
  return true;
}

void Controller::PublishLocked() {
  bool keep;
  {
    std::lock_guard lock(published_mu_);
    keep = published_ != nullptr;  // someone reads Published(): keep it current
  }
  if (metrics_) metrics_->OnStatus(SummaryLocked());
  if (!keep) return;
  auto snapshot = std::make_shared<const StatusSnapshot>(SnapshotLocked());
  std::lock_guard lock(published_mu_);
  published_ = std::move(snapshot);
}

std::shared_ptr<const StatusSnapshot> Controller::Published() const {
  {
    std::lock_guard lock(published_mu_);
    if (published_) return published_;
  }
  // The first reader: from now on every publication is kept for the readers
  // (commands without one, such as apply, keep no copy).
  auto snapshot = std::make_shared<const StatusSnapshot>(Snapshot());
  std::lock_guard lock(published_mu_);
  if (!published_) published_ = snapshot;
  return published_;
}

}  // namespace converge::reconcile