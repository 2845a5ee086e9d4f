// The replies and query helpers scnet_world.cc and scnet_instances.cc share (internal to sim/).
#pragma once

#include <map>
#include <set>
#include <string>

#include "sim/scnet_world.h"

namespace converge::sim {

namespace scnet_detail {

inline const std::set<std::string> kNotebookStatuses = {"Creating",   "Restarting", "Running",
                                                        "Terminated", "Failed",     "Shutting"};
inline const std::set<std::string> kInstanceStatuses = {"Running",    "Deploying", "Waiting",
                                                        "Terminated", "Failed",    "Completed"};

inline ScnetReply ScnetError(const std::string& code, const std::string& msg, int http = 200) {
  return {ScnetEnvelope(code, msg), http};
}

inline ScnetReply Missing(const std::string& field) {
  return ScnetError(scnet_code::kMissingParameter, "missing required parameter " + field);
}

inline ScnetReply Invalid(const std::string& field, const std::string& why) {
  return ScnetError(scnet_code::kInvalidParameter, "invalid parameter " + field + ": " + why);
}

// Optional non-negative integer query parameter; false + reply on error.
inline bool QueryInt(const std::map<std::string, std::string>& q, const std::string& key,
                     int64_t fallback, int64_t min, int64_t* out, ScnetReply* error) {
  auto it = q.find(key);
  if (it == q.end() || it->second.empty()) {
    *out = fallback;
    return true;
  }
  if (!ParseInt(it->second, out) || *out < min) {
    *error = Invalid(
        key, "must be an integer >= " + std::to_string(min) + ", got \"" + it->second + "\"");
    return false;
  }
  return true;
}

inline std::string Query(const std::map<std::string, std::string>& q, const std::string& key) {
  auto it = q.find(key);
  return it == q.end() ? std::string() : it->second;
}

}  // namespace scnet_detail

}  // namespace converge::sim
