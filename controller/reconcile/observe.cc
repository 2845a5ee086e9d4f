#include "reconcile/observe.h"

#include <set>
#include <tuple>

#include "reconcile/desired.h"

namespace converge::reconcile {

void Observations::Index() {
  for (const auto& [provider, kinds] : lists) {
    for (const auto& [kind, list] : kinds) {
      auto& index = by_name_[{provider, kind}];
      for (const auto& o : list) index[o.name].push_back(&o);
    }
  }
}

std::vector<const cloud::Observed*> Observations::Matches(const manifest::Resource& r) const {
  auto index = by_name_.find({manifest::ProviderOf(r), ObservedKindOf(manifest::KindOf(r))});
  if (index == by_name_.end()) return {};
  auto it = index->second.find(CloudNameOf(r));
  return it == index->second.end() ? std::vector<const cloud::Observed*>{} : it->second;
}

Observations ObserveProviders(const ProviderMap& providers, const std::vector<std::string>& names,
                              const OnListed& listed) {
  Observations obs;
  for (const auto& name : names) {
    auto it = providers.find(name);
    if (it == providers.end()) continue;
    for (cloud::ResourceKind kind : it->second.kinds) {
      auto list = it->second.client->List(kind);
      if (!list) {
        obs.errors[name] = list.error();
        break;
      }
      obs.lists[name][kind] = std::move(*list);
    }
    auto err = obs.errors.find(name);
    listed(name, err == obs.errors.end() ? nullptr : &err->second);
  }
  obs.Index();
  return obs;
}

std::vector<UnmanagedResource> FindUnmanaged(const std::vector<manifest::Resource>& resources,
                                             const ProviderMap& providers, const Observations& obs,
                                             const std::vector<UnmanagedResource>& previous) {
  std::set<std::tuple<std::string, cloud::ResourceKind, std::string>> wanted;
  for (const auto& r : resources) {
    wanted.insert({manifest::ProviderOf(r), ObservedKindOf(manifest::KindOf(r)), CloudNameOf(r)});
  }
  std::vector<UnmanagedResource> unmanaged;
  for (const auto& u : previous) {
    if (!obs.lists.count(u.provider) && providers.count(u.provider)) unmanaged.push_back(u);
  }
  for (const auto& [provider, kinds] : obs.lists) {
    for (const auto& [kind, list] : kinds) {
      for (const auto& o : list) {
        if (wanted.count({provider, kind, o.name})) continue;
        unmanaged.push_back({provider, std::string(cloud::ResourceKindName(kind)), o.name, o.id,
                             o.status, IsOwnedByConverge(o)});
      }
    }
  }
  return unmanaged;
}

}  // namespace converge::reconcile
