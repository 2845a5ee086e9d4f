// Observation: what a pass lists. A provider whose sweep is due is listed whole
// (one list per kind, every page); a resource due on its own (in transition, in
// backoff, just edited) is looked up by name, or, when more of a kind are due
// than its whole list has pages, from one whole list of that kind. What was
// listed is indexed by cloud name; the sweeps also find what no manifest
// declares (unmanaged). Makes no mutating call.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cloud/provider.h"
#include "manifest/model.h"
#include "reconcile/controller.h"
#include "reconcile/status.h"

namespace converge::reconcile {

using ProviderKind = std::pair<std::string, cloud::ResourceKind>;

// What a pass lists.
struct ObservePlan {
  std::vector<std::string> sweep;  // providers listed whole, every kind
  // Kinds listed whole outside a sweep (more of them due than the list has pages).
  std::set<ProviderKind> whole;
  // Cloud names looked up one by one, by provider and kind.
  std::map<ProviderKind, std::set<std::string>> by_name;
};

// Holds pointers into its own lists: movable, not copyable.
struct Observations {
  Observations() = default;
  Observations(Observations&&) = default;
  Observations& operator=(Observations&&) = default;
  Observations(const Observations&) = delete;
  Observations& operator=(const Observations&) = delete;

  // Whole lists, from sweeps and from whole lists of one kind.
  std::map<std::string, std::map<cloud::ResourceKind, std::vector<cloud::Observed>>> lists;
  std::set<std::string> swept;                 // providers listed whole, every kind
  std::map<std::string, cloud::Error> errors;  // providers whose sweep failed
  // Lookups by name, and the errors of lookups (by name or a kind's whole list).
  std::map<std::tuple<std::string, cloud::ResourceKind, std::string>, std::vector<cloud::Observed>>
      named;
  std::map<ProviderKind, cloud::Error> kind_errors;
  std::map<std::tuple<std::string, cloud::ResourceKind, std::string>, cloud::Error> name_errors;

  // What `r`'s provider lists under `r`'s cloud name. Valid after Index().
  std::vector<const cloud::Observed*> Matches(const manifest::Resource& r) const;
  // Why `r` could not be observed, or null. `sweep` is set when its provider's
  // sweep failed (then the error is the provider's).
  const cloud::Error* ErrorFor(const manifest::Resource& r, bool* sweep) const;
  // Builds the name index; once, after the lists are complete.
  void Index();

 private:
  // Every listed object of one name, in list order; `more` is empty (no
  // allocation) for the unique names of a healthy list.
  struct Listed {
    const cloud::Observed* first = nullptr;
    std::vector<const cloud::Observed*> more;
  };
  // (provider, kind) -> name (a view of the listed object's) -> its objects.
  std::map<ProviderKind, std::unordered_map<std::string_view, Listed>> by_name_;
};

// Lists what `plan` says (a provider's sweep stops at its first failure; lookups
// by name of a provider stop at their first failure, which then stands for the
// rest) and calls `listed` once for each provider listed, with its first error
// or null, and whether that was its sweep. Then indexes the lists.
using OnListed =
    std::function<void(const std::string& provider, const cloud::Error* error, bool sweep)>;
Observations ObserveProviders(const ProviderMap& providers, const ObservePlan& plan,
                              const OnListed& listed);

// (provider, kind, cloud name) of every resource the manifests declare.
using WantedNames = std::set<std::tuple<std::string, cloud::ResourceKind, std::string>>;

// What the sweeps hold that no manifest declares (`wanted`). Providers not swept
// this time keep their `previous` entries while they are still configured.
std::vector<UnmanagedResource> FindUnmanaged(const WantedNames& wanted,
                                             const ProviderMap& providers, const Observations& obs,
                                             const std::vector<UnmanagedResource>& previous);

}  // namespace converge::reconcile
