#include "serve/metrics.h"

#include <map>
#include <sstream>

#include <prometheus/text_serializer.h>

namespace converge::serve {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

const prometheus::Histogram::BucketBoundaries& DurationBuckets() {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
  return kBuckets;
}

const char* kKinds[] = {"ContainerInstance", "NotebookService", "TiOneNotebook"};

}  // namespace

Metrics::Metrics(const std::string& version)
    : registry_(std::make_shared<prometheus::Registry>()),
      resources_(BuildGauge()
                     .Name("converge_resources")
                     .Help("Managed resources by kind, provider and Synced/Ready condition status.")
                     .Register(*registry_)),
      reconcile_total_(BuildCounter()
                           .Name("converge_reconcile_total")
                           .Help("Reconciles of one resource, by kind and result (success|error).")
                           .Register(*registry_)),
      reconcile_duration_(BuildHistogram()
                              .Name("converge_reconcile_duration_seconds")
                              .Help("Time to reconcile one resource (diff and action), by kind.")
                              .Register(*registry_)),
      actions_total_(BuildCounter()
                         .Name("converge_actions_total")
                         .Help("Cloud actions taken, by kind, action and result (success|error).")
                         .Register(*registry_)),
      api_requests_total_(BuildCounter()
                              .Name("converge_api_requests_total")
                              .Help("HTTP requests to the clouds, by provider, operation and the "
                                    "cloud's code (\"0\" is success).")
                              .Register(*registry_)),
      api_request_duration_(BuildHistogram()
                                .Name("converge_api_request_duration_seconds")
                                .Help("Cloud request latency, by provider and operation.")
                                .Register(*registry_)),
      api_throttled_seconds_(BuildCounter()
                                 .Name("converge_api_throttled_seconds_total")
                                 .Help("Seconds calls waited on Converge's own per-provider rate "
                                       "limit.")
                                 .Register(*registry_)),
      credentials_expiry_(BuildGauge()
                              .Name("converge_credentials_expiry_timestamp_seconds")
                              .Help("When the provider's current credential (an SCNet token's "
                                    "expireTime, static tokens included) expires, in seconds "
                                    "since the epoch.")
                              .Register(*registry_)),
      credentials_refresh_total_(BuildCounter()
                                     .Name("converge_credentials_refresh_total")
                                     .Help("SCNet token refreshes by result: obtained (with the "
                                           "access key), renewed (tokens/next) or failed.")
                                     .Register(*registry_)),
      workqueue_depth_(BuildGauge()
                           .Name("converge_workqueue_depth")
                           .Help("Resources due for reconcile and not yet processed.")
                           .Register(*registry_)
                           .Add({})),
      pass_duration_(BuildHistogram()
                         .Name("converge_pass_duration_seconds")
                         .Help("Time of one reconcile pass: listing what is due, diffing, "
                               "acting and pruning.")
                         .Register(*registry_)
                         .Add({}, DurationBuckets())),
      drift_resources_(BuildGauge()
                           .Name("converge_drift_resources")
                           .Help("Resources whose cloud state differs from the manifest (needs "
                                 "replace; not applied).")
                           .Register(*registry_)),
      unmanaged_resources_(BuildGauge()
                               .Name("converge_unmanaged_resources")
                               .Help("Cloud resources no manifest names and Converge did not "
                                     "create (reported, never touched).")
                               .Register(*registry_)),
      orphaned_resources_(BuildGauge()
                              .Name("converge_orphaned_resources")
                              .Help("Resources Converge created (ownership mark) that no "
                                    "manifest names any more.")
                              .Register(*registry_)),
      prune_blocked_(BuildGauge()
                         .Name("converge_prune_blocked")
                         .Help("1 when the manifest revision would prune more than --max-prune "
                               "or half of the managed resources, so nothing is pruned.")
                         .Register(*registry_)
                         .Add({})),
      spec_revision_info_(BuildGauge()
                              .Name("converge_spec_revision_info")
                              .Help("The manifest revision being applied (value 1).")
                              .Register(*registry_)),
      spec_load_errors_total_(BuildCounter()
                                  .Name("converge_spec_load_errors_total")
                                  .Help("Manifest revisions that failed to load or validate.")
                                  .Register(*registry_)
                                  .Add({})),
      spec_valid_(BuildGauge()
                      .Name("converge_spec_valid")
                      .Help("1 when the newest manifest revision is valid and applied, 0 when it "
                            "failed and an older one is still applied.")
                      .Register(*registry_)
                      .Add({})),
      last_successful_sync_(BuildGauge()
                                .Name("converge_last_successful_sync_timestamp_seconds")
                                .Help("Unix time of the last reconcile pass in which every "
                                      "provider was listed and no action failed.")
                                .Register(*registry_)
                                .Add({})),
      resync_interval_(BuildGauge()
                           .Name("converge_resync_interval_seconds")
                           .Help("The configured resync period.")
                           .Register(*registry_)
                           .Add({})) {
  BuildGauge()
      .Name("converge_build_info")
      .Help("Build information (value 1).")
      .Register(*registry_)
      .Add({{"version", version}})
      .Set(1);
  spec_valid_.Set(1);
  // Pre-create the per-kind series so rates and absent() behave from the start.
  for (const char* kind : kKinds) {
    kind_series_[kind] = {&reconcile_total_.Add({{"kind", kind}, {"result", "success"}}),
                          &reconcile_total_.Add({{"kind", kind}, {"result", "error"}}),
                          &reconcile_duration_.Add({{"kind", kind}}, DurationBuckets())};
    drift_resources_.Add({{"kind", kind}}).Set(0);
    drift_series_.insert(kind);
  }
}

void Metrics::OnRequest(const std::string& provider, const std::string& operation,
                        const std::string& code, double seconds) {
  api_requests_total_.Add({{"provider", provider}, {"operation", operation}, {"code", code}})
      .Increment();
  api_request_duration_.Add({{"provider", provider}, {"operation", operation}}, DurationBuckets())
      .Observe(seconds);
  // Present at 0 from a provider's first call, so rate() and the dashboard work
  // before anything was ever throttled.
  api_throttled_seconds_.Add({{"provider", provider}});
}

void Metrics::OnThrottled(const std::string& provider, double seconds) {
  api_throttled_seconds_.Add({{"provider", provider}}).Increment(seconds);
}

void Metrics::OnCredentialsExpiry(const std::string& provider, double epoch_seconds) {
  credentials_expiry_.Add({{"provider", provider}}).Set(epoch_seconds);
}

void Metrics::OnCredentialsRefresh(const std::string& provider, const std::string& result) {
  // Every result present from the first refresh, so increase() sees the first failure.
  for (const char* r : {"obtained", "renewed", "failed"}) {
    credentials_refresh_total_.Add({{"provider", provider}, {"result", r}});
  }
  credentials_refresh_total_.Add({{"provider", provider}, {"result", result}}).Increment();
}

void Metrics::OnReconcile(std::string_view kind, bool success, double seconds) {
  if (auto it = kind_series_.find(kind); it != kind_series_.end()) {
    (success ? it->second.success : it->second.error)->Increment();
    it->second.duration->Observe(seconds);
    return;
  }
  const std::string name(kind);
  reconcile_total_.Add({{"kind", name}, {"result", success ? "success" : "error"}}).Increment();
  reconcile_duration_.Add({{"kind", name}}, DurationBuckets()).Observe(seconds);
}

void Metrics::OnAction(const std::string& kind, std::string_view action, bool success) {
  actions_total_
      .Add({{"kind", kind},
            {"action", std::string(action)},
            {"result", success ? "success" : "error"}})
      .Increment();
}

void Metrics::OnQueueDepth(size_t depth) { workqueue_depth_.Set(static_cast<double>(depth)); }

void Metrics::OnPass(double seconds) { pass_duration_.Observe(seconds); }

void Metrics::OnStatus(const reconcile::StatusSummary& s) {
  std::lock_guard lock(mu_);
  auto counts = s.resources;
  for (const auto& key : resource_series_) counts.try_emplace(key, 0);
  for (const auto& [key, n] : counts) {
    const auto& [kind, provider, sync, ready] = key;
    resources_.Add({{"kind", kind}, {"provider", provider}, {"sync", sync}, {"ready", ready}})
        .Set(n);
    resource_series_.insert(key);
  }
  auto drift = s.drifted;
  for (const auto& kind : drift_series_) drift.try_emplace(kind, 0);
  for (const auto& [kind, n] : drift) {
    drift_resources_.Add({{"kind", kind}}).Set(n);
    drift_series_.insert(kind);
  }
  auto unmanaged = s.unmanaged, orphaned = s.orphaned;
  for (const auto& key : unmanaged_series_) unmanaged.try_emplace(key, 0);
  for (const auto& [key, n] : unmanaged) {
    unmanaged_resources_.Add({{"provider", key.first}, {"kind", key.second}}).Set(n);
    unmanaged_series_.insert(key);
  }
  // Every (provider, kind) with unmanaged resources also gets an orphaned series
  // (0), so dashboards and alerts see the metric before the first orphan.
  for (const auto& key : orphaned_series_) orphaned.try_emplace(key, 0);
  for (const auto& key : unmanaged_series_) orphaned.try_emplace(key, 0);
  for (const auto& [key, n] : orphaned) {
    orphaned_resources_.Add({{"provider", key.first}, {"kind", key.second}}).Set(n);
    orphaned_series_.insert(key);
  }
  prune_blocked_.Set(s.prune_blocked ? 1 : 0);
  if (!s.revision.empty() && s.revision != revision_) {
    if (!revision_.empty()) {
      spec_revision_info_.Remove(&spec_revision_info_.Add({{"revision", revision_}}));
    }
    spec_revision_info_.Add({{"revision", s.revision}}).Set(1);
    revision_ = s.revision;
  }
  spec_valid_.Set(s.spec_valid ? 1 : 0);
  if (s.last_successful_sync_ms > 0) {
    last_successful_sync_.Set(static_cast<double>(s.last_successful_sync_ms) / 1000.0);
  }
}

void Metrics::OnSpecLoadError() { spec_load_errors_total_.Increment(); }

void Metrics::SetResyncInterval(double seconds) { resync_interval_.Set(seconds); }

void Metrics::EnableGit() {
  std::lock_guard lock(mu_);
  if (git_fetch_total_) return;
  git_fetch_total_ = &BuildCounter()
                          .Name("converge_git_fetch_total")
                          .Help("Fetches of the --git repository, by result (success|error).")
                          .Register(*registry_);
  for (const char* result : {"success", "error"}) git_fetch_total_->Add({{"result", result}});
  git_last_success_ = &BuildGauge()
                           .Name("converge_git_last_success_timestamp_seconds")
                           .Help("Unix time of the last successful fetch of the --git repository.")
                           .Register(*registry_)
                           .Add({});
  git_webhook_total_ = &BuildCounter()
                            .Name("converge_git_webhook_total")
                            .Help("POST /webhook/git requests, by result (accepted|refused).")
                            .Register(*registry_);
  for (const char* result : {"accepted", "refused"}) git_webhook_total_->Add({{"result", result}});
}

void Metrics::OnGitFetch(bool success, double unix_seconds) {
  EnableGit();
  git_fetch_total_->Add({{"result", success ? "success" : "error"}}).Increment();
  if (success) git_last_success_->Set(unix_seconds);
}

void Metrics::OnGitWebhook(bool accepted) {
  EnableGit();
  git_webhook_total_->Add({{"result", accepted ? "accepted" : "refused"}}).Increment();
}

std::string Metrics::Serialize() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry_->Collect());
  return out.str();
}

}  // namespace converge::serve
