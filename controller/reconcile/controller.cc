#include "reconcile/controller.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <thread>
#include <unordered_map>

#include "base/log.h"
#include "reconcile/desired.h"

namespace converge::reconcile {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

void SetCondition(Condition& c, const std::string& status, const std::string& reason,
                  const std::string& message, int64_t now_ms) {
  if (c.status != status || c.last_transition_ms == 0) c.last_transition_ms = now_ms;
  c.status = status;
  c.reason = reason;
  c.message = message;
}

// The one rule for whether a failed call can pass when repeated, behind
// ResourceStatus::terminal: a call the cloud understood and refused (credentials,
// an invalid request, not found, a refusal) cannot; transport, rate-limit and server
// errors can, and so may a call whose outcome is unknown.
bool CannotPassOnRetry(const cloud::Error& e) { return !e.retryable && !e.outcome_unknown; }

Intent IntentFor(const manifest::Resource& r, int64_t now_ms) {
  return Intent{manifest::ProviderOf(r), std::string(manifest::KindName(manifest::KindOf(r))),
                manifest::MetaOf(r).name, now_ms};
}

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
    default:
      return "ReconcileSuccess";
  }
}

}  // namespace

struct Controller::Tracked {
  Tracked(manifest::Resource r, Random& random, const ControllerOptions& o)
      : resource(std::move(r)), backoff(o.backoff_base, o.backoff_max, random) {}
  manifest::Resource resource;
  std::string fingerprint;
  ResourceStatus status;
  SteadyTime next_due{};
  Backoff backoff;
  bool notebook_rebooted = false;
};

struct Controller::Observations {
  std::map<std::string, std::map<cloud::ResourceKind, std::vector<cloud::Observed>>> lists;
  std::map<std::string, cloud::Error> errors;
  // (provider, kind) -> name -> every listed object of that name; built once per pass.
  std::map<std::pair<std::string, cloud::ResourceKind>,
           std::unordered_map<std::string, std::vector<const cloud::Observed*>>>
      by_name;

  void Index() {
    for (const auto& [provider, kinds] : lists) {
      for (const auto& [kind, list] : kinds) {
        auto& index = by_name[{provider, kind}];
        for (const auto& o : list) index[o.name].push_back(&o);
      }
    }
  }
  // What `r`'s provider lists under `r`'s cloud name.
  std::vector<const cloud::Observed*> Matches(const manifest::Resource& r) const {
    auto index = by_name.find({manifest::ProviderOf(r), ObservedKindOf(manifest::KindOf(r))});
    if (index == by_name.end()) return {};
    auto it = index->second.find(CloudNameOf(r));
    return it == index->second.end() ? std::vector<const cloud::Observed*>{} : it->second;
  }
};

Controller::Controller(ControllerOptions options, Journal& journal, Clock& clock, Random& random,
                       ControllerMetrics* metrics)
    : options_(options), journal_(journal), clock_(clock), random_(random), metrics_(metrics) {}

Controller::~Controller() { Stop(); }

int64_t Controller::WallMs() const {
  return duration_cast<milliseconds>(clock_.WallNow().time_since_epoch()).count();
}

void Controller::SetManifests(manifest::ManifestSet manifests, ProviderMap providers) {
  std::lock_guard lock(mu_);
  const SteadyTime now = clock_.Now();
  std::map<std::string, std::shared_ptr<Tracked>> next;
  for (const auto& r : manifests.resources) {
    const std::string key = ResourceKey(r);
    const std::string fp = Fingerprint(r);
    const std::string& provider = manifest::ProviderOf(r);
    auto old = tracked_.find(key);
    const bool provider_changed = providers_.count(provider) == 0 ||
                                  providers.count(provider) == 0 ||
                                  providers_.at(provider).client != providers.at(provider).client;
    std::shared_ptr<Tracked> t;
    if (old != tracked_.end() && old->second->fingerprint == fp && !provider_changed) {
      // Same fingerprint: everything the controller acts on is unchanged, so the
      // entry (which a pass in flight may be reading) is kept as it is.
      t = old->second;
    } else {
      t = std::make_shared<Tracked>(r, random_, options_);
      if (old != tracked_.end()) {
        t->status = old->second->status;  // keep history; the spec changed
        t->notebook_rebooted = old->second->notebook_rebooted;
      } else {
        t->status.kind = manifest::KindName(manifest::KindOf(r));
        t->status.name = manifest::MetaOf(r).name;
        t->status.provider = provider;
      }
      t->status.terminal = false;
      t->fingerprint = fp;
      t->next_due = now;
    }
    next[key] = std::move(t);
  }
  tracked_ = std::move(next);
  std::map<std::string, ProviderStatus> statuses;
  for (const auto& [name, entry] : providers) {
    auto it = provider_status_.find(name);
    const bool same = it != provider_status_.end() && providers_.count(name) &&
                      providers_.at(name).client == entry.client;
    statuses[name] = same ? it->second : ProviderStatus{name, false, ""};
  }
  provider_status_ = std::move(statuses);
  manifests_ = std::move(manifests);
  providers_ = std::move(providers);
  have_manifests_ = true;
  spec_error_.clear();
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

void Controller::ObserveProviders(const std::vector<std::string>& names, Observations* obs) {
  ProviderMap providers;
  {
    std::lock_guard lock(mu_);
    providers = providers_;
  }
  for (const auto& name : names) {
    auto it = providers.find(name);
    if (it == providers.end()) continue;
    for (cloud::ResourceKind kind : it->second.kinds) {
      auto listed = it->second.client->List(kind);
      if (!listed) {
        obs->errors[name] = listed.error();
        break;
      }
      obs->lists[name][kind] = std::move(*listed);
    }
    std::lock_guard lock(mu_);
    auto& ps = provider_status_[name];
    ps.name = name;
    if (auto err = obs->errors.find(name); err != obs->errors.end()) {
      ps.error = err->second.ToString();
      list_failure_log_.Failed(name, err->second, clock_.Now());
    } else {
      ps.listed = true;
      ps.error.clear();
      list_failure_log_.Listed(name, clock_.Now());
    }
  }
}

void Controller::UpdateUnmanaged(const Observations& obs) {
  std::lock_guard lock(mu_);
  std::set<std::tuple<std::string, cloud::ResourceKind, std::string>> wanted;
  for (const auto& r : manifests_.resources) {
    wanted.insert({manifest::ProviderOf(r), ObservedKindOf(manifest::KindOf(r)), CloudNameOf(r)});
  }
  std::vector<UnmanagedResource> unmanaged;
  // Keep what is known of providers not listed this time.
  for (const auto& u : unmanaged_) {
    if (!obs.lists.count(u.provider) && providers_.count(u.provider)) unmanaged.push_back(u);
  }
  for (const auto& [provider, kinds] : obs.lists) {
    for (const auto& [kind, list] : kinds) {
      for (const auto& o : list) {
        if (wanted.count({provider, kind, o.name})) continue;
        unmanaged.push_back(
            {provider, std::string(cloud::ResourceKindName(kind)), o.name, o.id, o.status});
      }
    }
  }
  unmanaged_ = std::move(unmanaged);
}

bool Controller::AdoptPendingCreate(Tracked& t, const cloud::Observed& found) {
  const std::string key = IntentFor(t.resource, 0).Key();
  for (const auto& intent : journal_.Pending()) {
    if (intent.Key() != key) continue;
    std::string err;
    if (!journal_.Clear(intent, &err)) {
      log::Warn("cannot clear create intent", {{"resource", key}, {"error", err}});
      return false;
    }
    log::Info("adopted", {{"resource", key},
                          {"id", found.id},
                          {"reason", "listed after a create whose answer was lost"}});
    return true;
  }
  return false;
}

void Controller::Schedule(Tracked& t, const Action& action, bool call_failed) {
  Duration delay;
  const bool failed = call_failed || action.type == ActionType::kError;
  if (failed) {
    delay = t.backoff.Next();
  } else if (IsMutating(action.type) || action.type == ActionType::kWait) {
    t.backoff.Reset();
    delay = options_.poll;
  } else {
    t.backoff.Reset();
    const double jitter = 1.0 + 0.1 * random_.Uniform();
    delay = duration_cast<Duration>(options_.resync * jitter);
  }
  t.next_due = clock_.Now() + delay;
  t.status.next_retry_ms = WallMs() + duration_cast<milliseconds>(delay).count();
  t.status.consecutive_failures = failed ? t.status.consecutive_failures + 1 : 0;
}

bool Controller::Execute(Tracked& t, const Action& action, PassResult* result,
                         std::mutex* result_mu) {
  const std::string provider = manifest::ProviderOf(t.resource);
  const std::string kind(manifest::KindName(manifest::KindOf(t.resource)));
  const std::string name = manifest::MetaOf(t.resource).name;
  std::shared_ptr<cloud::Provider> client;
  {
    std::lock_guard lock(mu_);
    auto it = providers_.find(provider);
    if (it != providers_.end()) client = it->second.client;
  }
  auto note = [&](const std::string& line) {
    std::lock_guard lock(*result_mu);
    ++result->actions;
    result->changes.push_back(kind + "/" + name + ": " + line);
  };
  const int64_t now_ms = WallMs();
  std::optional<cloud::Error> failure;
  std::string done_message;
  std::string reason_override;
  std::string new_id;
  bool counted = true;  // whether this counts as an action in metrics
  const std::string target_id = action.target ? action.target->id : "";

  if (!client) {
    // Validation guarantees every resource names a provider; a manifest swap
    // mid-pass is the only way here. The next pass uses the new providers.
    std::lock_guard lock(mu_);
    SetCondition(t.status.synced, "False", "ObserveError",
                 "provider " + provider + " is no longer configured", now_ms);
    t.status.terminal = false;
    Schedule(t, action, true);
    return false;
  }

  switch (action.type) {
    case ActionType::kCreate: {
      const Intent fresh = IntentFor(t.resource, now_ms);
      std::optional<Intent> pending;
      for (const auto& i : journal_.Pending()) {
        if (i.Key() == fresh.Key()) pending = i;
      }
      if (pending) {
        counted = false;
        auto found = client->ListByName(ObservedKindOf(manifest::KindOf(t.resource)), name);
        if (!found) {
          failure = found.error();
          break;
        }
        if (!found->empty()) {
          std::string err;
          journal_.Clear(*pending, &err);
          new_id = found->front().id;
          reason_override = "Adopted";
          done_message = "found " + new_id +
                         " after a create whose answer was lost; adopted it (no second create)";
          log::Info("adopted", {{"kind", kind}, {"name", name}, {"id", new_id}});
          break;
        }
        if (now_ms - pending->created_unix_ms < options_.create_grace.count()) {
          std::lock_guard lock(mu_);
          SetCondition(t.status.synced, "Unknown", "CreatePending",
                       "a create's answer was lost and the cloud does not list it yet; waiting " +
                           std::to_string(options_.create_grace.count() / 1000) +
                           "s before concluding it did not happen",
                       now_ms);
          t.status.action = "wait";
          const auto wait =
              milliseconds(pending->created_unix_ms + options_.create_grace.count() - now_ms);
          t.next_due = clock_.Now() + wait;
          t.status.next_retry_ms = now_ms + wait.count();
          return true;
        }
        log::Info("create outcome was lost and a list proves absence; creating again",
                  {{"kind", kind}, {"name", name}});
      }
      std::string err;
      if (!journal_.Record(fresh, &err)) {
        failure = cloud::Error{};
        failure->category = cloud::Error::Category::kProtocol;
        failure->operation = "journal";
        failure->message = "cannot record the create intent durably: " + err +
                           " (no call was made; fix the state dir)";
        counted = false;
        break;
      }
      cloud::Result<std::string> created =
          std::holds_alternative<manifest::ContainerInstance>(t.resource)
              ? client->CreateContainerInstance(
                    ToCreateRequest(std::get<manifest::ContainerInstance>(t.resource)))
              : client->CreateTiOneNotebook(
                    ToCreateRequest(std::get<manifest::TiOneNotebook>(t.resource)));
      if (created) {
        journal_.Clear(fresh, &err);
        new_id = *created;
        done_message = "created " + new_id;
      } else {
        failure = created.error();
        if (!created.error().outcome_unknown) journal_.Clear(fresh, &err);
      }
      break;
    }
    case ActionType::kRestart: {
      auto s = client->RestartContainerInstance(target_id);
      if (!s) failure = s.error();
      done_message = "restarted " + target_id + " (" + action.reason + ")";
      break;
    }
    case ActionType::kStartNotebook: {
      auto s = client->StartNotebook(cloud::ResourceKind::kNotebook, target_id);
      if (!s) failure = s.error();
      done_message = "started notebook " + target_id + "; the service starts once it is Running";
      break;
    }
    case ActionType::kStartService: {
      const auto& ns = std::get<manifest::NotebookService>(t.resource);
      auto s = client->StartNotebookService(target_id, ns.spec.port, ns.spec.command);
      if (!s) failure = s.error();
      done_message = "started service on port " + std::to_string(ns.spec.port);
      break;
    }
    case ActionType::kStart: {
      auto s = client->StartNotebook(cloud::ResourceKind::kTiOneNotebook, target_id);
      if (!s) failure = s.error();
      done_message = "started " + target_id;
      break;
    }
    case ActionType::kStop: {
      auto s = client->StopNotebook(cloud::ResourceKind::kTiOneNotebook, target_id);
      if (!s) failure = s.error();
      done_message = "stopped " + target_id;
      break;
    }
    default:
      return true;
  }

  const std::string action_name(ActionName(action.type));
  if (counted && metrics_) metrics_->OnAction(kind, action_name, !failure.has_value());
  std::lock_guard lock(mu_);
  t.status.last_attempt_ms = now_ms;
  t.status.action = action_name;
  if (failure) {
    const std::string what = failure->ToString();
    std::string reason = "ReconcileError";
    std::string message = action_name + " failed: " + what;
    if (action.type == ActionType::kCreate && failure->outcome_unknown) {
      reason = "CreateOutcomeUnknown";
      message +=
          "; the create may have happened: Converge will list by name and adopt before "
          "any retry";
    }
    SetCondition(t.status.synced, "False", reason, message, now_ms);
    t.status.terminal = CannotPassOnRetry(*failure);
    Schedule(t, action, true);
    log::Warn("action failed",
              {{"kind", kind}, {"name", name}, {"action", action_name}, {"error", what}});
    note(action_name + " failed: " + what);
    return false;
  }
  if (!new_id.empty()) {
    t.status.observed_id = new_id;
    t.status.owned = true;
  }
  if (action.type == ActionType::kStartNotebook) t.notebook_rebooted = true;
  if (action.type == ActionType::kStartService) t.notebook_rebooted = false;
  t.status.terminal = false;
  SetCondition(t.status.synced, "True",
               reason_override.empty() ? Done(action.type) : reason_override, done_message, now_ms);
  SetCondition(t.status.ready, action.type == ActionType::kStartService ? "True" : "False",
               action.type == ActionType::kStartService ? "Available" : "Progressing", done_message,
               now_ms);
  Schedule(t, action, false);
  log::Info("action done",
            {{"kind", kind}, {"name", name}, {"action", action_name}, {"message", done_message}});
  note(done_message);
  return true;
}

PassResult Controller::RunPass(bool all) {
  std::lock_guard pass_lock(pass_mu_);
  PassResult result;
  // Shared: a manifest change mid-pass replaces entries, never frees them under us.
  std::vector<std::shared_ptr<Tracked>> due;
  std::vector<std::string> provider_names;
  {
    std::lock_guard lock(mu_);
    if (!have_manifests_) return result;
    const SteadyTime now = clock_.Now();
    std::set<std::string> names;
    for (auto& [key, t] : tracked_) {
      if (all || t->next_due <= now) {
        due.push_back(t);
        names.insert(manifest::ProviderOf(t->resource));
      }
    }
    if (all) {
      for (const auto& [name, entry] : providers_) names.insert(name);
    }
    if (due.empty() && !all) return result;
    provider_names.assign(names.begin(), names.end());
    if (metrics_) metrics_->OnQueueDepth(due.size());
  }

  Observations obs;
  ObserveProviders(provider_names, &obs);
  obs.Index();
  UpdateUnmanaged(obs);
  {
    // A resource waiting out its backoff after a list error is looked at in this
    // pass when its provider listed again, so its status does not keep a stale
    // error; the lists are already made, so this costs no call.
    std::lock_guard lock(mu_);
    std::set<const Tracked*> in_pass;
    for (const auto& t : due) in_pass.insert(t.get());
    for (const auto& [key, t] : tracked_) {
      const std::string& provider = manifest::ProviderOf(t->resource);
      if (!in_pass.count(t.get()) && t->status.synced.reason == "ObserveError" &&
          obs.lists.count(provider) && !obs.errors.count(provider)) {
        due.push_back(t);
      }
    }
  }

  struct Work {
    std::shared_ptr<Tracked> t;
    Action action;
    SteadyTime started;
  };
  std::vector<Work> work;
  bool pass_ok = obs.errors.empty();
  for (const auto& t : due) {
    const SteadyTime started = clock_.Now();
    const std::string provider = manifest::ProviderOf(t->resource);
    const std::string kind(manifest::KindName(manifest::KindOf(t->resource)));
    const int64_t now_ms = WallMs();
    if (auto err = obs.errors.find(provider); err != obs.errors.end()) {
      std::lock_guard lock(mu_);
      SetCondition(t->status.synced, "False", "ObserveError",
                   "cannot list provider " + provider + ": " + err->second.ToString(), now_ms);
      t->status.terminal = CannotPassOnRetry(err->second);
      t->status.last_attempt_ms = now_ms;
      Action failed;
      failed.type = ActionType::kError;
      Schedule(*t, failed, true);
      if (metrics_) metrics_->OnReconcile(kind, false, 0);
      continue;
    }
    Observation o;
    o.matches = obs.Matches(t->resource);
    {
      std::lock_guard lock(mu_);
      if (std::holds_alternative<manifest::NotebookService>(t->resource) && o.matches.size() == 1 &&
          o.matches[0]->status != "Running") {
        t->notebook_rebooted = true;
      }
      o.notebook_rebooted = t->notebook_rebooted;
    }
    Action action = Diff(t->resource, o);
    const bool adopted = !o.matches.empty() && AdoptPendingCreate(*t, *o.matches.front());
    {
      std::lock_guard lock(mu_);
      auto& st = t->status;
      st.drift = action.drift;
      if (o.matches.size() == 1) {
        st.observed_id = o.matches[0]->id;
        st.observed_state = o.matches[0]->status;
        st.owned = IsOwnedByConverge(*o.matches[0]);
      } else if (o.matches.empty()) {
        st.observed_state = "";
        if (action.type == ActionType::kCreate) st.observed_id = "";
      }
      if (!IsMutating(action.type)) {
        st.action = std::string(ActionName(action.type));
        st.last_attempt_ms = now_ms;
        const std::string state = st.observed_state.empty() ? "NotFound" : st.observed_state;
        switch (action.type) {
          case ActionType::kNone:
            SetCondition(st.synced, "True", adopted ? "Adopted" : "ReconcileSuccess",
                         adopted ? "found " + st.observed_id +
                                       " after a create whose answer was lost; adopted it (no "
                                       "second create); " +
                                       action.reason
                                 : action.reason,
                         now_ms);
            st.terminal = !action.ready;
            break;
          case ActionType::kWait:
            SetCondition(st.synced, "True", adopted ? "Adopted" : "Progressing",
                         adopted ? "found " + st.observed_id +
                                       " after a create whose answer was lost; adopted it (no "
                                       "second create); " +
                                       action.reason
                                 : action.reason,
                         now_ms);
            st.terminal = false;
            break;
          case ActionType::kNeedsReplace:
            SetCondition(st.synced, "False", kReasonDrifted, action.reason, now_ms);
            st.terminal = true;
            break;
          default:  // kError
            SetCondition(st.synced, "False", o.matches.empty() ? "NotFound" : "Conflict",
                         action.reason, now_ms);
            st.terminal = true;
            pass_ok = false;
            break;
        }
        SetCondition(st.ready, action.ready ? "True" : "False", action.ready ? "Available" : state,
                     action.reason, now_ms);
        Schedule(*t, action, false);
        if (metrics_) {
          metrics_->OnReconcile(kind, action.type != ActionType::kError,
                                std::chrono::duration<double>(clock_.Now() - started).count());
        }
        continue;
      }
    }
    work.push_back({t, std::move(action), started});
  }

  // Execute the mutating actions with bounded concurrency.
  std::mutex result_mu;
  std::atomic<size_t> next{0};
  std::atomic<bool> action_failed{false};
  auto worker = [&] {
    for (size_t i = next++; i < work.size(); i = next++) {
      Work& w = work[i];
      const bool ok = Execute(*w.t, w.action, &result, &result_mu);
      if (!ok) action_failed = true;
      if (metrics_) {
        metrics_->OnReconcile(std::string(manifest::KindName(manifest::KindOf(w.t->resource))), ok,
                              std::chrono::duration<double>(clock_.Now() - w.started).count());
      }
    }
  };
  const int threads =
      std::max(1, std::min<int>(options_.concurrency, static_cast<int>(work.size())));
  if (work.size() == 1) {
    worker();
  } else if (!work.empty()) {
    std::vector<std::thread> pool;
    for (int i = 0; i < threads; ++i) pool.emplace_back(worker);
    for (auto& th : pool) th.join();
  }
  if (action_failed) pass_ok = false;

  std::lock_guard lock(mu_);
  if (pass_ok) last_successful_sync_ms_ = WallMs();
  if (metrics_) {
    size_t depth = 0;
    const SteadyTime now = clock_.Now();
    for (const auto& [key, t] : tracked_) depth += t->next_due <= now ? 1 : 0;
    metrics_->OnQueueDepth(depth);
  }
  PublishLocked();
  return result;
}

PlanResult Controller::Plan() {
  std::lock_guard pass_lock(pass_mu_);
  PlanResult plan;
  std::vector<std::string> names;
  std::vector<manifest::Resource> resources;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, entry] : providers_) names.push_back(name);
    resources = manifests_.resources;
  }
  Observations obs;
  ObserveProviders(names, &obs);
  obs.Index();
  UpdateUnmanaged(obs);
  for (const auto& [provider, error] : obs.errors) {
    plan.errors[provider] = error.ToString();
  }
  for (const auto& r : resources) {
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
    if (std::holds_alternative<manifest::NotebookService>(r)) {
      std::lock_guard lock(mu_);
      auto it = tracked_.find(ResourceKey(r));
      o.notebook_rebooted = it != tracked_.end() && it->second->notebook_rebooted;
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
  std::lock_guard lock(mu_);
  plan.unmanaged = unmanaged_;
  return plan;
}

void Controller::Run() {
  SteadyTime last_full{};
  bool first = true;
  while (true) {
    bool full = false;
    {
      std::unique_lock lock(mu_);
      if (stopping_) break;
      const SteadyTime now = clock_.Now();
      full = first || now - last_full >= options_.resync;
      SteadyTime earliest = now + options_.resync;
      for (const auto& [key, t] : tracked_) earliest = std::min(earliest, t->next_due);
      if (!full && !wake_ && earliest > now) {
        const auto wait = std::min<Duration>(earliest - now, std::chrono::seconds(1));
        cv_.wait_for(lock, wait, [this] { return stopping_ || wake_; });
        if (stopping_) break;
        if (!wake_ && clock_.Now() < earliest) continue;
      }
      wake_ = false;
    }
    if (full) {
      last_full = clock_.Now();
      first = false;
    }
    RunPass(full);
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
  s.revision = manifests_.revision;
  s.spec_valid = spec_error_.empty();
  s.spec_error = spec_error_;
  s.last_successful_sync_ms = last_successful_sync_ms_;
  bool all_listed = true;
  for (const auto& [name, ps] : provider_status_) {
    s.providers.push_back(ps);
    all_listed = all_listed && ps.listed;
  }
  s.ready = have_manifests_ && all_listed;
  for (const auto& [key, t] : tracked_) s.resources.push_back(t->status);
  s.unmanaged = unmanaged_;
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
  if (metrics_) metrics_->OnSnapshot(SnapshotLocked());
}

}  // namespace converge::reconcile
