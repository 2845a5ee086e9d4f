#include "reconcile/executor.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "base/log.h"
#include "reconcile/desired.h"

namespace converge::reconcile {
namespace {

using std::chrono::milliseconds;

Outcome FromStatus(const cloud::Status& s, std::string message) {
  Outcome out;
  if (!s) out.failure = s.error();
  out.message = std::move(message);
  return out;
}

}  // namespace

bool Executor::Run(std::vector<Work>& work, PassResult* result) {
  std::mutex result_mu;
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  auto worker = [&] {
    for (size_t i = next++; i < work.size(); i = next++) {
      Work& w = work[i];
      const bool ok = Execute(*w.t, w.action, result, &result_mu);
      if (!ok) failed = true;
      if (ctx_.metrics) {
        ctx_.metrics->OnReconcile(
            manifest::KindName(manifest::KindOf(w.t->resource)), ok,
            std::chrono::duration<double>(ctx_.clock.Now() - w.started).count());
      }
    }
  };
  const int threads =
      std::max(1, std::min<int>(ctx_.options.concurrency, static_cast<int>(work.size())));
  if (work.size() == 1) {
    worker();
  } else if (!work.empty()) {
    std::vector<std::thread> pool;
    for (int i = 0; i < threads; ++i) pool.emplace_back(worker);
    for (auto& th : pool) th.join();
  }
  return !failed;
}

bool Executor::Execute(Tracked& t, const Action& action, PassResult* result,
                       std::mutex* result_mu) {
  const std::string provider = manifest::ProviderOf(t.resource);
  const std::string kind(manifest::KindName(manifest::KindOf(t.resource)));
  const std::string name = manifest::MetaOf(t.resource).name;
  const int64_t now_ms = ctx_.WallMs();
  std::shared_ptr<cloud::Provider> client = client_of_(provider);
  if (!client) {
    // Validation guarantees every resource names a provider; a manifest swap
    // mid-pass is the only way here. The next pass uses the new providers.
    std::lock_guard lock(ctx_.mu);
    SetCondition(t.status.synced, "False", "ObserveError",
                 "provider " + provider + " is no longer configured", now_ms);
    t.status.terminal = false;
    Schedule(ctx_, t, action, true);
    return false;
  }

  const std::string target_id = action.target ? action.target->id : "";
  std::optional<Outcome> outcome;
  switch (action.type) {
    case ActionType::kCreate:
      outcome = Create(t, *client, now_ms);
      if (!outcome) return true;  // waiting out the create grace
      break;
    case ActionType::kRestart:
      outcome = Restart(*client, target_id, action);
      break;
    case ActionType::kStartNotebook:
      outcome = StartNotebook(*client, target_id);
      break;
    case ActionType::kStartService:
      outcome = StartService(*client, target_id, t);
      break;
    case ActionType::kStart:
      outcome = Start(*client, target_id);
      break;
    case ActionType::kStop:
      outcome = Stop(*client, target_id, t);
      break;
    case ActionType::kDelete:
      outcome = Recreate(t, *client, target_id, action, now_ms);
      if (!outcome) return true;  // a lost delete answer: waiting out the grace
      break;
    case ActionType::kModify:
      outcome =
          FromStatus(client->ModifyTiOneNotebook(
                         target_id, ToCreateRequest(std::get<manifest::TiOneNotebook>(t.resource))),
                     "modified " + target_id + " (" + action.reason + ")");
      break;
    default:
      return true;
  }

  const std::string action_name(ActionName(action.type));
  if (outcome->counted && ctx_.metrics) {
    ctx_.metrics->OnAction(kind, action_name, !outcome->failure.has_value());
  }
  {
    std::lock_guard lock(ctx_.mu);
    RecordOutcome(ctx_, t, action, *outcome, now_ms);
  }
  const std::string line = outcome->failure
                               ? action_name + " failed: " + outcome->failure->ToString()
                               : outcome->message;
  if (outcome->failure) {
    log::Warn("action failed", {{"kind", kind},
                                {"name", name},
                                {"action", action_name},
                                {"error", outcome->failure->ToString()}});
  } else {
    log::Info("action done",
              {{"kind", kind}, {"name", name}, {"action", action_name}, {"message", line}});
  }
  {
    std::lock_guard lock(*result_mu);
    ++result->actions;
    result->changes.push_back(kind + "/" + name + ": " + line);
  }
  return !outcome->failure;
}

std::optional<Outcome> Executor::Create(Tracked& t, cloud::Provider& client, int64_t now_ms) {
  const std::string kind(manifest::KindName(manifest::KindOf(t.resource)));
  const std::string name = manifest::MetaOf(t.resource).name;
  Outcome out;
  if (const std::optional<Intent> pending = intents_.PendingFor(t.resource)) {
    // A create whose answer was lost: list by name before any create.
    out.counted = false;
    auto found = client.ListByName(ObservedKindOf(manifest::KindOf(t.resource)), name);
    if (!found) {
      out.failure = found.error();
      return out;
    }
    if (!found->empty() && intents_.Adopt(t.resource, found->front())) {
      out.new_id = found->front().id;
      out.reason = "Adopted";
      out.message = AdoptedMessage(out.new_id);
      return out;
    }
    const int64_t grace = ctx_.options.create_grace.count();
    if (now_ms - pending->created_unix_ms < grace) {
      std::lock_guard lock(ctx_.mu);
      SetCondition(t.status.synced, "Unknown", "CreatePending",
                   "a create's answer was lost and the cloud does not list it yet; waiting " +
                       std::to_string(grace / 1000) + "s before concluding it did not happen",
                   now_ms);
      t.status.action = "wait";
      const auto wait = milliseconds(pending->created_unix_ms + grace - now_ms);
      t.next_due = ctx_.clock.Now() + wait;
      t.status.next_retry_ms = now_ms + wait.count();
      return std::nullopt;
    }
    log::Info("create outcome was lost and a list proves absence; creating again",
              {{"kind", kind}, {"name", name}});
  }
  const Intent intent = IntentFor(t.resource, now_ms);
  if (Status recorded = intents_.Record(intent); !recorded) {
    out.counted = false;
    out.failure = cloud::Error{};
    out.failure->category = cloud::Error::Category::kProtocol;
    out.failure->operation = "journal";
    out.failure->message = "cannot record the create intent durably: " + recorded.error().message +
                           " (no call was made; fix the state dir)";
    return out;
  }
  cloud::Result<std::string> created =
      std::holds_alternative<manifest::ContainerInstance>(t.resource)
          ? client.CreateContainerInstance(
                ToCreateRequest(std::get<manifest::ContainerInstance>(t.resource)))
          : client.CreateTiOneNotebook(
                ToCreateRequest(std::get<manifest::TiOneNotebook>(t.resource)));
  if (!created) {
    out.failure = created.error();
    // A refusal proves no create happened; an unknown outcome keeps the intent.
    if (!created.error().outcome_unknown) (void)intents_.Clear(intent);  // logged there
    return out;
  }
  out.new_id = *created;
  out.message = "created " + out.new_id;
  if (Status cleared = intents_.Clear(intent); !cleared) {
    out.message += "; its create intent could not be cleared (" + cleared.error().message +
                   "): it stays pending and the next pass lists by name and adopts it";
  }
  return out;
}

std::optional<Outcome> Executor::Recreate(Tracked& t, cloud::Provider& client,
                                          const std::string& id, const Action& action,
                                          int64_t now_ms) {
  Intent intent = IntentFor(t.resource, now_ms);
  intent.action = "delete";
  for (const auto& pending : intents_.journal().Pending()) {
    if (pending.Key() != intent.Key()) continue;
    // A delete whose answer was lost and that the cloud still lists: list, then
    // decide; a second delete only after the create grace.
    if (now_ms - pending.created_unix_ms < ctx_.options.create_grace.count()) {
      std::lock_guard lock(ctx_.mu);
      t.status.action = "wait";
      t.next_due = ctx_.clock.Now() + ctx_.options.poll;
      return std::nullopt;
    }
  }
  Outcome out;
  if (Status recorded = intents_.journal().Record(intent); !recorded) {
    out.counted = false;
    out.failure = cloud::Error{};
    out.failure->category = cloud::Error::Category::kProtocol;
    out.failure->operation = "journal";
    out.failure->message = "cannot record the delete intent durably: " + recorded.error().message +
                           " (no call was made; fix the state dir)";
    return out;
  }
  cloud::Status deleted = client.DeleteContainerInstance(id);
  if (deleted || !deleted.error().outcome_unknown) (void)intents_.journal().Clear(intent);
  if (!deleted) {
    out.failure = deleted.error();
    return out;
  }
  out.message = "deleted " + id + " to recreate it (" + action.reason + ")";
  return out;
}

Outcome Executor::Restart(cloud::Provider& client, const std::string& id, const Action& action) {
  return FromStatus(client.RestartContainerInstance(id),
                    "restarted " + id + " (" + action.reason + ")");
}

Outcome Executor::StartNotebook(cloud::Provider& client, const std::string& id) {
  return FromStatus(client.StartNotebook(cloud::ResourceKind::kNotebook, id),
                    "started notebook " + id + "; the service starts once it is Running");
}

Outcome Executor::StartService(cloud::Provider& client, const std::string& id, const Tracked& t) {
  const auto& ns = std::get<manifest::NotebookService>(t.resource);
  return FromStatus(client.StartNotebookService(id, ns.spec.port, ns.spec.command),
                    "started service on port " + std::to_string(ns.spec.port));
}

Outcome Executor::Start(cloud::Provider& client, const std::string& id) {
  return FromStatus(client.StartNotebook(cloud::ResourceKind::kTiOneNotebook, id), "started " + id);
}

Outcome Executor::Stop(cloud::Provider& client, const std::string& id, const Tracked& t) {
  if (std::holds_alternative<manifest::ContainerInstance>(t.resource)) {
    return FromStatus(client.StopContainerInstance(id), "stopped " + id + " (state Stopped)");
  }
  return FromStatus(client.StopNotebook(cloud::ResourceKind::kTiOneNotebook, id), "stopped " + id);
}

}  // namespace converge::reconcile
