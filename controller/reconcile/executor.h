// The executor: performs a pass's mutating actions on a bounded worker pool
// (every call through the provider's own rate limit), one function per action
// type, and records each outcome on the resource's status.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cloud/provider.h"
#include "reconcile/conditions.h"
#include "reconcile/intents.h"
#include "reconcile/tracked.h"

namespace converge::reconcile {

class Executor {
 public:
  // The provider client for a provider name, or null when no longer configured.
  using ClientOf = std::function<std::shared_ptr<cloud::Provider>(const std::string&)>;

  struct Work {
    std::shared_ptr<Tracked> t;
    Action action;
    SteadyTime started;
  };

  Executor(const PassContext& ctx, CreateIntents& intents, ClientOf client_of)
      : ctx_(ctx), intents_(intents), client_of_(std::move(client_of)) {}

  // Runs every item with at most options.concurrency at once; false when any failed.
  bool Run(std::vector<Work>& work, PassResult* result);

 private:
  // Performs one action and records its outcome; false when it failed.
  bool Execute(Tracked& t, const Action& action, PassResult* result, std::mutex* result_mu);

  // nullopt while a create whose answer was lost waits out the create grace
  // (its status is set then).
  std::optional<Outcome> Create(Tracked& t, cloud::Provider& client, int64_t now_ms);
  Outcome Restart(cloud::Provider& client, const std::string& id, const Action& action);
  // updatePolicy Recreate: the delete half (journaled); the next pass creates.
  // nullopt while a delete with a lost answer waits out the create grace.
  std::optional<Outcome> Recreate(Tracked& t, cloud::Provider& client, const std::string& id,
                                  const Action& action, int64_t now_ms);
  Outcome StartNotebook(cloud::Provider& client, const std::string& id);
  Outcome StartService(cloud::Provider& client, const std::string& id, const Tracked& t);
  Outcome Start(cloud::Provider& client, const std::string& id);
  Outcome Stop(cloud::Provider& client, const std::string& id, const Tracked& t);

  const PassContext& ctx_;
  CreateIntents& intents_;
  ClientOf client_of_;
};

}  // namespace converge::reconcile
