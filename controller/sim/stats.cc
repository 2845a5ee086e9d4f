#include "sim/stats.h"

#include <algorithm>

namespace converge::sim {

bool CloudStats::Admit(SteadyTime now, double rate) {
  window.push_back(now);
  while (!window.empty() && now - window.front() >= std::chrono::seconds(1)) window.pop_front();
  max_rps = std::max<int64_t>(max_rps, window.size());
  if (rate <= 0) return true;
  if (tokens < 0) {
    tokens = rate;
    refilled = now;
  }
  const double elapsed = std::chrono::duration<double>(now - refilled).count();
  tokens = std::min(rate, tokens + elapsed * rate);
  refilled = now;
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
