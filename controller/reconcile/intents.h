// Create intents: a create is recorded in the Journal before its call and cleared
// once its outcome is known. A pending intent means a create whose answer was
// lost; it is resolved by the one adoption path, Adopt, whether the resource
// shows up in a pass's lists (observe) or in the create path's list by name.
#pragma once

#include <optional>
#include <string>

#include "base/result.h"
#include "cloud/provider.h"
#include "manifest/model.h"
#include "reconcile/journal.h"

namespace converge::reconcile {

Intent IntentFor(const manifest::Resource& r, int64_t now_ms);

// Status text for an adopted resource.
std::string AdoptedMessage(const std::string& id);

class CreateIntents {
 public:
  explicit CreateIntents(Journal& journal) : journal_(journal) {}

  // r's pending intent, if a create of it had its answer lost.
  std::optional<Intent> PendingFor(const manifest::Resource& r) const;

  // The one adoption path: when r has a pending intent, `found` is what that
  // create made: the intent is cleared and true returned (no second create).
  // A failed clear is logged; the intent stays pending and the next pass adopts
  // again.
  bool Adopt(const manifest::Resource& r, const cloud::Observed& found);

  Journal& journal() { return journal_; }

  // Before a create call; on error no call may be made.
  Status Record(const Intent& intent) { return journal_.Record(intent); }

  // Once a create's outcome is known. A failure is logged with the intent's key
  // and returned; the intent stays pending, so the next pass lists by name and
  // adopts (or, after the create grace, creates again when the list proves absence).
  Status Clear(const Intent& intent);

 private:
  Journal& journal_;
};

}  // namespace converge::reconcile
