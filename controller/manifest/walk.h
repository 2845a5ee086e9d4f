// The generic walk of one YAML document against the field table (field.h): typed
// access to every value, unknown and duplicate keys, required fields and defaults,
// every problem reported at its file:line:col. Knows no particular kind.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "manifest/decode.h"
#include "manifest/field.h"
#include "manifest/model.h"
#include "manifest/yaml_tree.h"

namespace converge::manifest {

// YAML 1.2 core schema resolution of a scalar; quoted scalars are strings.
enum class ScalarKind { kString, kInteger, kFloat, kBoolean, kNull };
ScalarKind ResolveScalar(const YamlNode& node);

// What a node is, for messages: "a string", "a number", "a mapping", "null", ...
std::string DescribeNode(const YamlNode& node);

// Where `node` starts in `file`; line 0 when yaml-cpp has no mark for it.
Location NodeLocation(const YamlNode& node, const std::string& file);

// Where the value of a key is: null values (an empty `key:`) have no useful mark of
// their own, so they are reported at their key.
Location ValueLocation(const YamlNode& value, const Location& key_location,
                       const std::string& file);

class Walker {
 public:
  // Records where every key is in `locations` and reports problems to `errors`.
  Walker(std::string file, std::map<std::string, Location>* locations, DocumentErrors* errors)
      : file_(std::move(file)), locations_(locations), errors_(errors) {}

  // Walks mapping `node` at dotted `path` (location `loc`) against `fields`. Returns
  // the fields that passed their checks, with defaults filled in for those left
  // out; partially valid objects are returned too, so the rules can look at their
  // good fields. `sensitive` values are never echoed in messages.
  nlohmann::json WalkObject(const YamlNode& node, const std::vector<Field>& fields,
                            const std::string& path, const Location& loc, bool sensitive);

 private:
  Location Loc(const YamlNode& node) const { return NodeLocation(node, file_); }
  Location ValueLoc(const YamlNode& value, const Location& key_loc) const {
    return ValueLocation(value, key_loc, file_);
  }
  void Error(const Location& loc, const std::string& path, std::string message) {
    errors_->Add(loc, path, std::move(message));
  }

  std::optional<nlohmann::json> Walk(const YamlNode& node, const Field& f, const std::string& path,
                                     const Location& loc, bool sensitive);
  std::optional<nlohmann::json> WalkString(const YamlNode& node, const Field& f,
                                           const std::string& path, const Location& loc,
                                           bool sensitive);
  std::optional<nlohmann::json> WalkStringMap(const YamlNode& node, const Field& f,
                                              const std::string& path, const Location& loc);
  std::optional<nlohmann::json> WalkSecret(const YamlNode& node, const std::string& path,
                                           const Location& loc);

  std::string file_;
  std::map<std::string, Location>* locations_;
  DocumentErrors* errors_;
};

}  // namespace converge::manifest
