#include "reconcile/list_failure_log.h"

#include "base/log.h"

namespace converge::reconcile {
namespace {

std::string Seconds(Duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count()) + "s";
}

// The cloud's code, else what stands for it: "http_503", or the category
// ("transport") when no answer came.
std::string CodeOf(const cloud::Error& e) {
  if (!e.code.empty()) return e.code;
  if (e.http_status != 0) return "http_" + std::to_string(e.http_status);
  return std::string(cloud::CategoryName(e.category));
}

}  // namespace

void ListFailureLog::Failed(const std::string& provider, const cloud::Error& error,
                            SteadyTime now) {
  const std::string signature = error.operation + '\n' + error.code + '\n' + error.message;
  auto [it, started] = failing_.try_emplace(provider);
  Failing& f = it->second;
  ++f.failures;
  if (started || f.signature != signature) {
    if (started) f.since = now;
    f.signature = signature;
    f.last_logged = now;
    log::Warn("provider list failed", {{"provider", provider},
                                       {"operation", error.operation},
                                       {"code", CodeOf(error)},
                                       {"message", error.message}});
    return;
  }
  if (now - f.last_logged < kRepeatEvery) return;
  f.last_logged = now;
  log::Warn("provider list still failing", {{"provider", provider},
                                            {"operation", error.operation},
                                            {"code", CodeOf(error)},
                                            {"message", error.message},
                                            {"for", Seconds(now - f.since)},
                                            {"failures", std::to_string(f.failures)}});
}

void ListFailureLog::Listed(const std::string& provider, SteadyTime now) {
  auto it = failing_.find(provider);
  if (it == failing_.end()) return;
  log::Info("provider list error cleared", {{"provider", provider},
                                            {"failed_for", Seconds(now - it->second.since)},
                                            {"failures", std::to_string(it->second.failures)}});
  failing_.erase(it);
}

}  // namespace converge::reconcile
