#include "reconcile/intents.h"

#include "base/log.h"

namespace converge::reconcile {

Intent IntentFor(const manifest::Resource& r, int64_t now_ms) {
  return Intent{manifest::ProviderOf(r), std::string(manifest::KindName(manifest::KindOf(r))),
                manifest::MetaOf(r).name, now_ms};
}

std::string AdoptedMessage(const std::string& id) {
  return "found " + id + " after a create whose answer was lost; adopted it (no second create)";
}

std::optional<Intent> CreateIntents::PendingFor(const manifest::Resource& r) const {
  // Asked for every resource a pass lists; nearly always nothing is pending.
  const std::vector<Intent> all = journal_.Pending();
  if (all.empty()) return std::nullopt;
  const std::string key = IntentFor(r, 0).Key();
  std::optional<Intent> pending;
  for (const auto& intent : all) {
    if (intent.Key() == key) pending = intent;
  }
  return pending;
}

bool CreateIntents::Adopt(const manifest::Resource& r, const cloud::Observed& found) {
  const std::optional<Intent> pending = PendingFor(r);
  if (!pending) return false;
  log::Info("adopted", {{"resource", pending->Key()},
                        {"id", found.id},
                        {"reason", "listed after a create whose answer was lost"}});
  (void)Clear(*pending);  // logged there; a pending intent is adopted again next pass
  return true;
}

Status CreateIntents::Clear(const Intent& intent) {
  Status cleared = journal_.Clear(intent);
  if (!cleared) {
    log::Warn(
        "cannot clear create intent; it stays pending and the next pass lists by name and "
        "adopts (no second create); fix the state dir",
        {{"intent", intent.Key()}, {"error", cleared.error().message}});
  }
  return cleared;
}

}  // namespace converge::reconcile
