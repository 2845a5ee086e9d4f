// Converge's Prometheus metrics (prefix converge_). Implements the hooks of the
// cloud clients (RequestObserver) and of the controller (ControllerMetrics), so
// neither layer knows about Prometheus. Label values are bounded: kinds,
// providers, operations, results and cloud codes; never a resource name or id.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "cloud/request_observer.h"
#include "reconcile/controller.h"

namespace converge::serve {

// Thread-safe.
class Metrics : public cloud::RequestObserver, public reconcile::ControllerMetrics {
 public:
  explicit Metrics(const std::string& version);

  // cloud::RequestObserver
  void OnRequest(const std::string& provider, const std::string& operation, const std::string& code,
                 double seconds) override;
  void OnThrottled(const std::string& provider, double seconds) override;
  void OnCredentialsExpiry(const std::string& provider, double epoch_seconds) override;
  void OnCredentialsRefresh(const std::string& provider, const std::string& result) override;

  // reconcile::ControllerMetrics
  void OnReconcile(std::string_view kind, bool success, double seconds) override;
  void OnAction(const std::string& kind, std::string_view action, bool success) override;
  void OnQueueDepth(size_t depth) override;
  void OnPass(double seconds) override;
  void OnStatus(const reconcile::StatusSummary& summary) override;

  // A manifest revision failed to load (validation or read error).
  void OnSpecLoadError();
  void SetResyncInterval(double seconds);

  // `run --git`: registers converge_git_fetch_total{result=success|error},
  // converge_git_last_success_timestamp_seconds and
  // converge_git_webhook_total{result=accepted|refused} (absent without --git).
  void EnableGit();
  void OnGitFetch(bool success, double unix_seconds);
  void OnGitWebhook(bool accepted);

  // The text exposition format (what GET /metrics returns).
  std::string Serialize() const;
  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Gauge>& resources_;
  prometheus::Family<prometheus::Counter>& reconcile_total_;
  prometheus::Family<prometheus::Histogram>& reconcile_duration_;
  prometheus::Family<prometheus::Counter>& actions_total_;
  prometheus::Family<prometheus::Counter>& api_requests_total_;
  prometheus::Family<prometheus::Histogram>& api_request_duration_;
  prometheus::Family<prometheus::Counter>& api_throttled_seconds_;
  prometheus::Family<prometheus::Gauge>& credentials_expiry_;
  prometheus::Family<prometheus::Counter>& credentials_refresh_total_;
  prometheus::Gauge& workqueue_depth_;
  prometheus::Histogram& pass_duration_;
  prometheus::Family<prometheus::Gauge>& drift_resources_;
  prometheus::Family<prometheus::Gauge>& unmanaged_resources_;
  prometheus::Family<prometheus::Gauge>& orphaned_resources_;
  prometheus::Gauge& prune_blocked_;
  prometheus::Family<prometheus::Gauge>& spec_revision_info_;
  prometheus::Counter& spec_load_errors_total_;
  prometheus::Gauge& spec_valid_;
  prometheus::Gauge& last_successful_sync_;
  prometheus::Gauge& resync_interval_;
  prometheus::Family<prometheus::Counter>* git_fetch_total_ = nullptr;
  prometheus::Gauge* git_last_success_ = nullptr;
  prometheus::Family<prometheus::Counter>* git_webhook_total_ = nullptr;

  // The reconcile series of each manifest kind, made in the constructor and never
  // changed after: a pass at 10,000 resources counts without a label lookup each.
  struct KindSeries {
    prometheus::Counter* success;
    prometheus::Counter* error;
    prometheus::Histogram* duration;
  };
  std::map<std::string, KindSeries, std::less<>> kind_series_;

  std::mutex mu_;  // guards the label sets below (series to zero or remove)
  std::set<std::tuple<std::string, std::string, std::string, std::string>> resource_series_;
  std::set<std::string> drift_series_;
  std::set<std::pair<std::string, std::string>> unmanaged_series_;
  std::set<std::pair<std::string, std::string>> orphaned_series_;
  std::string revision_;
};

}  // namespace converge::serve
