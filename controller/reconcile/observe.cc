#include "reconcile/observe.h"

#include "reconcile/desired.h"

namespace converge::reconcile {

void Observations::Index() {
  for (const auto& [provider, kinds] : lists) {
    for (const auto& [kind, list] : kinds) {
      auto& index = by_name_[{provider, kind}];
      index.reserve(list.size());
      for (const auto& o : list) {
        Listed& hits = index[o.name];
        if (hits.first == nullptr) {
          hits.first = &o;
        } else {
          hits.more.push_back(&o);
        }
      }
    }
  }
}

std::vector<const cloud::Observed*> Observations::Matches(const manifest::Resource& r) const {
  const std::string& provider = manifest::ProviderOf(r);
  const cloud::ResourceKind kind = ObservedKindOf(manifest::KindOf(r));
  const std::string& name = CloudNameOf(r);
  std::vector<const cloud::Observed*> out;
  if (auto index = by_name_.find({provider, kind}); index != by_name_.end()) {
    auto it = index->second.find(name);
    if (it == index->second.end()) return out;
    out.reserve(1 + it->second.more.size());
    out.push_back(it->second.first);
    out.insert(out.end(), it->second.more.begin(), it->second.more.end());
    return out;
  }
  if (auto it = named.find({provider, kind, name}); it != named.end()) {
    for (const auto& o : it->second) out.push_back(&o);
  }
  return out;
}

const cloud::Error* Observations::ErrorFor(const manifest::Resource& r, bool* sweep) const {
  const std::string& provider = manifest::ProviderOf(r);
  const cloud::ResourceKind kind = ObservedKindOf(manifest::KindOf(r));
  *sweep = false;
  if (auto it = errors.find(provider); it != errors.end()) {
    *sweep = true;
    return &it->second;
  }
  // Asked for every resource of a pass: no key is built when there is no error.
  if (kind_errors.empty() && name_errors.empty()) return nullptr;
  if (auto it = kind_errors.find({provider, kind}); it != kind_errors.end()) return &it->second;
  if (auto it = name_errors.find({provider, kind, CloudNameOf(r)}); it != name_errors.end()) {
    return &it->second;
  }
  return nullptr;
}

Observations ObserveProviders(const ProviderMap& providers, const ObservePlan& plan,
                              const OnListed& listed) {
  Observations obs;
  for (const auto& name : plan.sweep) {
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
    if (err == obs.errors.end()) {
      obs.swept.insert(name);
    } else {
      obs.lists.erase(name);  // a partial sweep is no sweep
    }
    listed(name, err == obs.errors.end() ? nullptr : &err->second, true);
  }
  std::map<std::string, cloud::Error> failed;  // provider -> its first lookup error
  std::set<std::string> looked_up;
  for (const auto& [provider, kind] : plan.whole) {
    auto it = providers.find(provider);
    if (it == providers.end() || obs.swept.count(provider) || obs.errors.count(provider)) continue;
    looked_up.insert(provider);
    auto list = it->second.client->List(kind);
    if (!list) {
      failed.emplace(provider, list.error());
      obs.kind_errors[{provider, kind}] = list.error();
      continue;
    }
    obs.lists[provider][kind] = std::move(*list);
  }
  for (const auto& [key, names] : plan.by_name) {
    const auto& [provider, kind] = key;
    auto it = providers.find(provider);
    if (it == providers.end() || obs.swept.count(provider) || obs.errors.count(provider)) continue;
    looked_up.insert(provider);
    for (const auto& name : names) {
      if (auto f = failed.find(provider); f != failed.end()) {
        obs.name_errors[{provider, kind, name}] = f->second;
        continue;
      }
      auto found = it->second.client->ListByName(kind, name);
      if (!found) {
        failed.emplace(provider, found.error());
        obs.name_errors[{provider, kind, name}] = found.error();
        continue;
      }
      obs.named[{provider, kind, name}] = std::move(*found);
    }
  }
  for (const auto& provider : looked_up) {
    auto f = failed.find(provider);
    listed(provider, f == failed.end() ? nullptr : &f->second, false);
  }
  obs.Index();
  return obs;
}

std::vector<UnmanagedResource> FindUnmanaged(const WantedNames& wanted,
                                             const ProviderMap& providers, const Observations& obs,
                                             const std::vector<UnmanagedResource>& previous) {
  std::vector<UnmanagedResource> unmanaged;
  for (const auto& u : previous) {
    if (!obs.swept.count(u.provider) && providers.count(u.provider)) unmanaged.push_back(u);
  }
  for (const auto& provider : obs.swept) {
    auto lists = obs.lists.find(provider);
    if (lists == obs.lists.end()) continue;
    for (const auto& [kind, list] : lists->second) {
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
