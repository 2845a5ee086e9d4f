// Builds a provider adapter (SCNet or TI-ONE) from its resolved configuration.
#pragma once

#include <memory>

#include "cloud/config.h"
#include "cloud/provider.h"
#include "cloud/request_observer.h"

namespace converge {
class Clock;
class Random;
}  // namespace converge

namespace converge::cloud {

// Each collaborator must outlive the providers built with it.
struct ProviderDeps {
  Clock* clock = nullptr;               // nullptr: RealClock
  Random* random = nullptr;             // nullptr: a process RealRandom
  RequestObserver* observer = nullptr;  // optional
};

// Builds the adapter for config.type and registers its secrets for redaction.
// Never throws. A configuration it cannot use (config_error, missing credentials
// or region, a bad endpoint) gives a provider whose every call fails with that
// non-retryable kInvalid Error saying what to fix, so the reconciler reports it
// per resource.
std::unique_ptr<Provider> MakeProvider(const ProviderConfig& config, const ProviderDeps& deps = {});

}  // namespace converge::cloud
