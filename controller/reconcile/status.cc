#include "reconcile/status.h"

#include "base/rfc3339.h"

namespace converge::reconcile {
namespace {

// A time as Kubernetes writes it: an RFC 3339 string, null when never.
nlohmann::json Time(int64_t unix_ms) {
  return unix_ms == 0 ? nlohmann::json(nullptr) : nlohmann::json(FormatRfc3339(unix_ms));
}

// Adds `name` (RFC 3339) and `nameMs` (unix ms, for tools that compute with it).
void PutTime(nlohmann::json& j, const std::string& name, int64_t unix_ms) {
  j[name] = Time(unix_ms);
  j[name + "Ms"] = unix_ms;
}

// Reads what PutTime wrote: the RFC 3339 string, else the ms field, else 0.
int64_t GetTime(const nlohmann::json& j, const std::string& name) {
  if (auto it = j.find(name); it != j.end() && it->is_string()) {
    if (auto ms = ParseRfc3339(it->get<std::string>())) return *ms;
  }
  return j.value(name + "Ms", int64_t{0});
}

nlohmann::json ToJson(const Condition& c) {
  nlohmann::json j = {
      {"type", c.type}, {"status", c.status}, {"reason", c.reason}, {"message", c.message}};
  PutTime(j, "lastTransitionTime", c.last_transition_ms);
  return j;
}

Condition ConditionFromJson(const nlohmann::json& j) {
  Condition c;
  c.type = j.value("type", "");
  c.status = j.value("status", "Unknown");
  c.reason = j.value("reason", "");
  c.message = j.value("message", "");
  c.last_transition_ms = GetTime(j, "lastTransitionTime");
  return c;
}

}  // namespace

bool Failing(const ResourceStatus& s) {
  return s.synced.status == "False" && s.synced.reason != kReasonDrifted;
}

nlohmann::json ToJson(const ResourceStatus& s) {
  nlohmann::json drift = nlohmann::json::array();
  for (const auto& d : s.drift) {
    drift.push_back({{"field", d.field}, {"desired", d.desired}, {"observed", d.observed}});
  }
  nlohmann::json j = {{"kind", s.kind},
                      {"name", s.name},
                      {"provider", s.provider},
                      {"observed", {{"id", s.observed_id}, {"state", s.observed_state}}},
                      {"conditions", {ToJson(s.synced), ToJson(s.ready)}},
                      {"action", s.action},
                      {"drift", drift},
                      {"owned", s.owned},
                      {"terminal", s.terminal},
                      {"consecutiveFailures", s.consecutive_failures}};
  PutTime(j, "lastAttemptTime", s.last_attempt_ms);
  PutTime(j, "nextRetryTime", s.next_retry_ms);
  return j;
}

void StatusSummary::Count(const ResourceStatus& r) {
  // Looked up by views: a pass counts 10,000 resources into a handful of series.
  const std::tuple<std::string_view, std::string_view, std::string_view, std::string_view> key{
      r.kind, r.provider, r.synced.status, r.ready.status};
  auto it = resources.find(key);
  if (it == resources.end()) {
    it = resources.emplace(std::make_tuple(r.kind, r.provider, r.synced.status, r.ready.status), 0)
             .first;
  }
  ++it->second;
  if (r.drift.empty()) return;
  auto drift = drifted.find(std::string_view(r.kind));
  if (drift == drifted.end()) drift = drifted.emplace(r.kind, 0).first;
  ++drift->second;
}

void StatusSummary::Count(const UnmanagedResource& u) {
  ++(u.orphaned ? orphaned : unmanaged)[{u.provider, u.kind}];
}

StatusSummary Summarize(const StatusSnapshot& s) {
  StatusSummary out;
  out.revision = s.revision;
  out.spec_valid = s.spec_valid;
  out.last_successful_sync_ms = s.last_successful_sync_ms;
  out.prune_blocked = !s.prune_blocked.empty();
  for (const auto& r : s.resources) out.Count(r);
  for (const auto& u : s.unmanaged) out.Count(u);
  return out;
}

nlohmann::json ToJson(const StatusSnapshot& s) {
  nlohmann::json resources = nlohmann::json::array();
  for (const auto& r : s.resources) resources.push_back(ToJson(r));
  nlohmann::json unmanaged = nlohmann::json::array();
  for (const auto& u : s.unmanaged) {
    unmanaged.push_back({{"provider", u.provider},
                         {"kind", u.kind},
                         {"name", u.name},
                         {"id", u.id},
                         {"status", u.status},
                         {"orphaned", u.orphaned}});
  }
  nlohmann::json providers = nlohmann::json::array();
  for (const auto& p : s.providers) {
    nlohmann::json provider = {
        {"name", p.name}, {"listed", p.listed}, {"error", p.error}, {"endpoint", p.endpoint}};
    if (!p.secret_problem.empty()) provider["secretProblem"] = p.secret_problem;
    providers.push_back(std::move(provider));
  }
  nlohmann::json j = {{"revision", s.revision},    {"specValid", s.spec_valid},
                      {"specError", s.spec_error}, {"ready", s.ready},
                      {"providers", providers},    {"resources", resources},
                      {"unmanaged", unmanaged}};
  j["pruneBlocked"] = s.prune_blocked;
  j["inventoryError"] = s.inventory_error;
  PutTime(j, "lastSuccessfulSyncTime", s.last_successful_sync_ms);
  return j;
}

Result<StatusSnapshot> FromJson(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("resources") || !j["resources"].is_array()) {
    return std::unexpected(
        Error::Internal("a status document is a JSON object with a \"resources\" array"));
  }
  StatusSnapshot snap;
  try {
    snap.revision = j.value("revision", "");
    snap.spec_valid = j.value("specValid", true);
    snap.spec_error = j.value("specError", "");
    snap.last_successful_sync_ms = GetTime(j, "lastSuccessfulSyncTime");
    snap.ready = j.value("ready", false);
    for (const auto& p : j.value("providers", nlohmann::json::array())) {
      snap.providers.push_back({p.value("name", ""), p.value("listed", false), p.value("error", ""),
                                p.value("secretProblem", ""), p.value("endpoint", "")});
    }
    for (const auto& r : j["resources"]) {
      ResourceStatus s;
      s.kind = r.value("kind", "");
      s.name = r.value("name", "");
      s.provider = r.value("provider", "");
      if (r.contains("observed")) {
        s.observed_id = r["observed"].value("id", "");
        s.observed_state = r["observed"].value("state", "");
      }
      for (const auto& c : r.value("conditions", nlohmann::json::array())) {
        Condition cond = ConditionFromJson(c);
        (cond.type == "Ready" ? s.ready : s.synced) = cond;
      }
      s.action = r.value("action", "");
      for (const auto& d : r.value("drift", nlohmann::json::array())) {
        s.drift.push_back({d.value("field", ""), d.value("desired", ""), d.value("observed", "")});
      }
      s.owned = r.value("owned", false);
      s.terminal = r.value("terminal", false);
      s.consecutive_failures = r.value("consecutiveFailures", 0);
      s.last_attempt_ms = GetTime(r, "lastAttemptTime");
      s.next_retry_ms = GetTime(r, "nextRetryTime");
      snap.resources.push_back(std::move(s));
    }
    for (const auto& u : j.value("unmanaged", nlohmann::json::array())) {
      snap.unmanaged.push_back({u.value("provider", ""), u.value("kind", ""), u.value("name", ""),
                                u.value("id", ""), u.value("status", ""),
                                u.value("orphaned", false)});
    }
    snap.prune_blocked = j.value("pruneBlocked", "");
    snap.inventory_error = j.value("inventoryError", "");
  } catch (const nlohmann::json::exception& e) {
    return std::unexpected(Error::Internal(std::string("malformed status document: ") + e.what()));
  }
  return snap;
}

}  // namespace converge::reconcile
