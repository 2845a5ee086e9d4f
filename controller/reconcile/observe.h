// Observation: a pass lists every provider it needs (one list sweep per kind),
// indexes what was listed by cloud name, and finds what no manifest declares
// (unmanaged). Makes no mutating call.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cloud/provider.h"
#include "manifest/model.h"
#include "reconcile/controller.h"
#include "reconcile/status.h"

namespace converge::reconcile {

// Holds pointers into its own lists: movable, not copyable.
struct Observations {
  Observations() = default;
  Observations(Observations&&) = default;
  Observations& operator=(Observations&&) = default;
  Observations(const Observations&) = delete;
  Observations& operator=(const Observations&) = delete;

  std::map<std::string, std::map<cloud::ResourceKind, std::vector<cloud::Observed>>> lists;
  std::map<std::string, cloud::Error> errors;  // providers that could not be listed

  // What `r`'s provider lists under `r`'s cloud name. Valid after Index().
  std::vector<const cloud::Observed*> Matches(const manifest::Resource& r) const;
  // Builds the name index; once, after the lists are complete.
  void Index();

 private:
  // (provider, kind) -> name -> every listed object of that name.
  std::map<std::pair<std::string, cloud::ResourceKind>,
           std::unordered_map<std::string, std::vector<const cloud::Observed*>>>
      by_name_;
};

// Lists every kind of each named provider (stopping at a provider's first
// failure) and calls `listed` after each provider with its error, or null.
// Then indexes the lists.
using OnListed = std::function<void(const std::string& provider, const cloud::Error* error)>;
Observations ObserveProviders(const ProviderMap& providers, const std::vector<std::string>& names,
                              const OnListed& listed);

// What the lists hold that no resource in `resources` declares. Providers not
// listed this time keep their `previous` entries while they are still configured.
std::vector<UnmanagedResource> FindUnmanaged(const std::vector<manifest::Resource>& resources,
                                             const ProviderMap& providers, const Observations& obs,
                                             const std::vector<UnmanagedResource>& previous);

}  // namespace converge::reconcile
