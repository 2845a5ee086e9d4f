#include "reconcile/status.h"

namespace converge::reconcile {
namespace {

nlohmann::json ToJson(const Condition& c) {
  return {{"type", c.type},
          {"status", c.status},
          {"reason", c.reason},
          {"message", c.message},
          {"lastTransitionTime", c.last_transition_ms}};
}

Condition ConditionFromJson(const nlohmann::json& j) {
  Condition c;
  c.type = j.value("type", "");
  c.status = j.value("status", "Unknown");
  c.reason = j.value("reason", "");
  c.message = j.value("message", "");
  c.last_transition_ms = j.value("lastTransitionTime", int64_t{0});
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
  return {{"kind", s.kind},
          {"name", s.name},
          {"provider", s.provider},
          {"observed", {{"id", s.observed_id}, {"state", s.observed_state}}},
          {"conditions", {ToJson(s.synced), ToJson(s.ready)}},
          {"action", s.action},
          {"drift", drift},
          {"owned", s.owned},
          {"terminal", s.terminal},
          {"consecutiveFailures", s.consecutive_failures},
          {"lastAttemptTime", s.last_attempt_ms},
          {"nextRetryTime", s.next_retry_ms}};
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
                         {"status", u.status}});
  }
  nlohmann::json providers = nlohmann::json::array();
  for (const auto& p : s.providers) {
    providers.push_back({{"name", p.name}, {"listed", p.listed}, {"error", p.error}});
  }
  return {{"revision", s.revision},    {"specValid", s.spec_valid},
          {"specError", s.spec_error}, {"lastSuccessfulSyncTime", s.last_successful_sync_ms},
          {"ready", s.ready},          {"providers", providers},
          {"resources", resources},    {"unmanaged", unmanaged}};
}

bool FromJson(const nlohmann::json& j, StatusSnapshot* out) {
  if (!j.is_object() || !j.contains("resources") || !j["resources"].is_array()) return false;
  try {
    out->revision = j.value("revision", "");
    out->spec_valid = j.value("specValid", true);
    out->spec_error = j.value("specError", "");
    out->last_successful_sync_ms = j.value("lastSuccessfulSyncTime", int64_t{0});
    out->ready = j.value("ready", false);
    for (const auto& p : j.value("providers", nlohmann::json::array())) {
      out->providers.push_back(
          {p.value("name", ""), p.value("listed", false), p.value("error", "")});
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
      s.last_attempt_ms = r.value("lastAttemptTime", int64_t{0});
      s.next_retry_ms = r.value("nextRetryTime", int64_t{0});
      out->resources.push_back(std::move(s));
    }
    for (const auto& u : j.value("unmanaged", nlohmann::json::array())) {
      out->unmanaged.push_back({u.value("provider", ""), u.value("kind", ""), u.value("name", ""),
                                u.value("id", ""), u.value("status", "")});
    }
  } catch (const nlohmann::json::exception&) {
    return false;
  }
  return true;
}

}  // namespace converge::reconcile
