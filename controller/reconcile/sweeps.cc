#include "reconcile/sweeps.h"

#include <algorithm>

namespace converge::reconcile {

void SweepSchedule::Configure(const ProviderMap& providers, const ProviderMap& previous,
                              SteadyTime now) {
  std::map<std::string, Sweep> next;
  for (const auto& [name, entry] : providers) {
    auto old = sweeps_.find(name);
    auto prev = previous.find(name);
    if (old != sweeps_.end() && prev != previous.end() && prev->second.client == entry.client) {
      next.emplace(name, std::move(old->second));
      continue;
    }
    Sweep s(options_, random_);
    s.next = now;
    next.emplace(name, std::move(s));
  }
  sweeps_ = std::move(next);
}

std::vector<std::string> SweepSchedule::Start(bool all, SteadyTime now) {
  std::vector<std::string> due;
  for (auto& [name, s] : sweeps_) {
    if (!all && s.next > now) continue;
    due.push_back(name);
    const double jitter = s.swept ? 1.0 : 1.0 + 0.1 * random_.Uniform();
    const auto period = std::chrono::duration_cast<Duration>(options_.resync * jitter);
    // At a fixed rate: a period after this sweep was due, not after it started, so
    // a late start (a busy machine, a pass in the way) does not push every later
    // sweep back. One more than a period late, or forced early, counts from now.
    const bool on_time = s.swept && !all && s.next <= now && s.next + period > now;
    s.next = (on_time ? s.next : now) + period;
    s.swept = true;
  }
  return due;
}

void SweepSchedule::Succeeded(const std::string& provider) {
  if (auto it = sweeps_.find(provider); it != sweeps_.end()) it->second.backoff.Reset();
}

void SweepSchedule::Failed(const std::string& provider, SteadyTime now) {
  auto it = sweeps_.find(provider);
  if (it == sweeps_.end()) return;
  it->second.next = now + it->second.backoff.Next();
}

SteadyTime SweepSchedule::Next(const std::string& provider) const {
  auto it = sweeps_.find(provider);
  return it == sweeps_.end() ? SteadyTime::max() : it->second.next;
}

SteadyTime SweepSchedule::Earliest() const {
  SteadyTime earliest = SteadyTime::max();
  for (const auto& [name, s] : sweeps_) earliest = std::min(earliest, s.next);
  return earliest;
}

}  // namespace converge::reconcile
