#include "sim/stats.h"

#include <algorithm>

namespace converge::sim {

bool CloudStats::Admit(SteadyTime arrived, double rate) {
  using std::chrono::seconds;
  const size_t at = std::upper_bound(window.begin(), window.end(), arrived) - window.begin();
  window.insert(window.begin() + at, arrived);
  // The one-second windows (end - 1 s, end] that gained this request end at it
  // or at a later arrival less than a second after it.
  for (size_t end = at; end < window.size() && window[end] - arrived < seconds(1); ++end) {
    const auto first =
        std::upper_bound(window.begin(), window.begin() + end + 1, window[end] - seconds(1));
    const int64_t n = window.begin() + end + 1 - first;
    max_rps = std::max(max_rps, n);
    if (end == at) last_rps = n;
  }
  while (window.back() - window.front() > seconds(2)) window.pop_front();
  if (rate <= 0) return true;
  if (tokens < 0) {
    tokens = rate;
    refilled = arrived;
  }
  const double elapsed = std::max(0.0, std::chrono::duration<double>(arrived - refilled).count());
  tokens = std::min(rate, tokens + elapsed * rate);
  refilled = std::max(refilled, arrived);
  if (tokens < 1) {
    ++rate_limited;
    return false;
  }
  tokens -= 1;
  return true;
}

nlohmann::ordered_json CloudStats::ToJson() const {
  nlohmann::ordered_json f = {
      {"error", 0}, {"latency", 0}, {"malformed", 0}, {"drop", 0}, {"hang", 0}};
  for (const auto& [k, v] : faults) f[k] = v;
  int64_t total = 0;
  for (const auto& [k, v] : calls) total += v;
  return {{"calls", calls},
          {"total_calls", total},
          {"rejected", {{"rate_limited", rate_limited}, {"auth", auth}, {"fault", fault}}},
          {"faults", f},
          {"answers", answers},
          {"max_requests_per_second", max_rps}};
}

}  // namespace converge::sim
