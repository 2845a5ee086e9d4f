// Status, Kubernetes-style: per resource Synced and Ready conditions, plus what
// the controller as a whole reports. Plain values, serialisable to JSON.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "reconcile/diff.h"

namespace converge::reconcile {

struct Condition {
  std::string type;                // "Synced" | "Ready"
  std::string status = "Unknown";  // "True" | "False" | "Unknown"
  std::string reason;              // CamelCase word
  std::string message;             // human text, includes the cloud's own error text
  int64_t last_transition_ms = 0;  // unix ms
};

struct ResourceStatus {
  std::string kind;
  std::string name;
  std::string provider;
  std::string observed_id;
  std::string observed_state;
  Condition synced{"Synced"};
  Condition ready{"Ready"};
  std::string action;  // the last action decided ("create", "none", ...)
  std::vector<DriftItem> drift;
  bool owned = false;  // carries Converge's ownership mark
  // Failed for good: waiting cannot fix it, a human must act (Never policy, drift, a
  // missing notebook, a refusal or a list failure that cannot pass on retry such as
  // rejected credentials).
  bool terminal = false;
  int consecutive_failures = 0;
  int64_t last_attempt_ms = 0;
  int64_t next_retry_ms = 0;
};

// The Synced reason of a resource whose spec differs from the cloud's (reported, never applied).
inline constexpr char kReasonDrifted[] = "Drifted";

// True when the resource's last look ended in an error: its provider could not be listed,
// an action failed, or Converge cannot act (notebook not found, duplicates). Drift is
// reported, not an error.
bool Failing(const ResourceStatus& s);

struct UnmanagedResource {
  std::string provider;
  std::string kind;  // cloud kind: "ContainerInstance" | "Notebook" | "TiOneNotebook"
  std::string name;
  std::string id;
  std::string status;
  // Carries Converge's ownership mark: Converge made it and no manifest names it
  // any more (orphaned), unlike a foreign resource.
  bool orphaned = false;
};

struct ProviderStatus {
  std::string name;
  bool listed = false;  // a full list of every kind succeeded at least once
  std::string error;    // the last list error, "" when the last list worked
  // Why a secret file's newest content is not in use (calls go on with the value
  // read before; cloud::Provider::SecretProblem), "" when every secret is fine.
  std::string secret_problem;
  std::string endpoint;  // where its calls go (discovered for SCNet access keys), "" until known
};

struct StatusSnapshot {
  std::string revision;
  bool spec_valid = true;
  std::string spec_error;  // why the newest revision was rejected
  int64_t last_successful_sync_ms = 0;
  bool ready = false;  // specs loaded and every provider listed once
  std::vector<ProviderStatus> providers;
  std::vector<ResourceStatus> resources;
  std::vector<UnmanagedResource> unmanaged;
  // Why the newest revision prunes nothing (guards; README "Removing and changing
  // resources"), "" when it prunes or has nothing to prune.
  std::string prune_blocked;
  std::string inventory_error;  // a corrupt inventory, not trusted
};

// What the metrics report of a snapshot: counts, never the statuses themselves,
// so a pass at 10,000 resources counts them where they are instead of copying them.
struct StatusSummary {
  std::string revision;
  bool spec_valid = true;
  int64_t last_successful_sync_ms = 0;
  bool prune_blocked = false;
  // (kind, provider, Synced status, Ready status) -> resources.
  std::map<std::tuple<std::string, std::string, std::string, std::string>, int, std::less<>>
      resources;
  std::map<std::string, int, std::less<>> drifted;  // kind -> resources with drift
  // (provider, cloud kind) -> unmanaged resources, and those of them orphaned.
  std::map<std::pair<std::string, std::string>, int> unmanaged, orphaned;

  void Count(const ResourceStatus& r);
  void Count(const UnmanagedResource& u);
};
StatusSummary Summarize(const StatusSnapshot& s);

nlohmann::json ToJson(const StatusSnapshot& s);
nlohmann::json ToJson(const ResourceStatus& s);
// Parses what ToJson wrote (for `converge status`); kInternal (an answer that
// cannot be understood) naming what is wrong when malformed.
Result<StatusSnapshot> FromJson(const nlohmann::json& j);

}  // namespace converge::reconcile
