// The replies and parameter helpers tione_world.cc and tione_notebook_actions.cc share (internal to
// sim/).
#pragma once

#include <map>
#include <set>
#include <string>

#include "sim/tione_world.h"

namespace converge::sim {

namespace tione_detail {

inline const std::set<std::string> kTioneStatuses = {
    "Submitting", "Starting", "Running", "Stopping", "Stopped", "Failed", "SubmitFailed"};

inline TioneReply TioneMissing(const std::string& field) {
  return TioneError("MissingParameter",
                    "The request is missing a required parameter `" + field + "`.");
}

inline TioneReply TioneInvalidValue(const std::string& field, const std::string& why) {
  return TioneError("InvalidParameterValue",
                    "The value of parameter `" + field + "` is invalid: " + why);
}

inline TioneReply TioneInvalidType(const std::string& field, const std::string& type) {
  return TioneError("InvalidParameter",
                    "The type of parameter `" + field + "` must be " + type + ".");
}

inline bool OptionalInt(const json& p, const char* key, int64_t fallback, int64_t* out,
                        TioneReply* err) {
  if (!p.contains(key) || p[key].is_null()) {
    *out = fallback;
    return true;
  }
  if (!p[key].is_number_integer()) {
    *err = TioneInvalidType(key, "Integer");
    return false;
  }
  *out = p[key].get<int64_t>();
  return true;
}

inline bool RequireId(const json& p, std::string* id, TioneReply* err) {
  if (!p.contains("Id") || p["Id"].is_null()) {
    *err = TioneMissing("Id");
    return false;
  }
  if (!p["Id"].is_string()) {
    *err = TioneInvalidType("Id", "String");
    return false;
  }
  *id = p["Id"].get<std::string>();
  return true;
}

}  // namespace tione_detail

}  // namespace converge::sim
