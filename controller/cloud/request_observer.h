// The hook through which the cloud clients report each HTTP attempt, so the
// metrics layer can count them without the clients knowing about Prometheus.
#pragma once

#include <string>

namespace converge::cloud {

// Receives one call per HTTP attempt; the metrics layer implements it. Must be
// thread-safe. `code` is the cloud's code ("0", "10004", "AuthFailure", ...) or a
// transport word ("timeout", "connection"), never free text.
class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  virtual void OnRequest(const std::string& provider, const std::string& operation,
                         const std::string& code, double seconds) = 0;
  // A call held back by our own token bucket for `seconds`.
  virtual void OnThrottled(const std::string& provider, double seconds) {}
  // The provider's current credential expires at `epoch_seconds` (an SCNet
  // token's expireTime, static tokens included); reported when it changes.
  virtual void OnCredentialsExpiry(const std::string& provider, double epoch_seconds) {}
  // One credential refresh ended: `result` is "obtained", "renewed" or "failed".
  virtual void OnCredentialsRefresh(const std::string& provider, const std::string& result) {}
};

}  // namespace converge::cloud
