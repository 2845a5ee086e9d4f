// The declarative description of every manifest field: type, constraints,
// default and documentation. One table drives both validation (walk.h, constraint.h)
// and the JSON Schema export (schema.h), so the two cannot disagree.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "manifest/model.h"

namespace converge::manifest {

enum class FieldType {
  kString,
  kInteger,
  kNumber,
  kBoolean,
  kObject,     // fixed set of properties (`fields`)
  kArray,      // sequence of objects whose properties are `fields`
  kStringMap,  // free-form string -> string (labels, tags)
  kSecret,     // {fromEnv: NAME} | {fromFile: PATH}; a literal value is an error
};

// Checks beyond what a regular expression says well; each has its own message.
enum class Format {
  kNone,
  kDuration,      // "500ms", "5s", "1m30s", "2h"
  kTimeLimit,     // "HH:MM:SS" (minutes and seconds below 60) or "unlimited"
  kHttpUrl,       // http:// or https:// with a host, optional port and path
  kAbsolutePath,  // starts with "/"
};

struct Field {
  std::string name;
  FieldType type = FieldType::kString;
  std::string description;
  bool required = false;
  nlohmann::ordered_json default_value;  // null: no default
  std::string const_value;               // non-empty: the only accepted value
  std::vector<std::string> enum_values;
  std::optional<double> minimum;
  std::optional<double> maximum;
  bool exclusive_minimum = false;  // minimum itself is not allowed
  std::optional<int> min_length;
  std::optional<int> max_length;
  std::string pattern;          // ECMAScript regex the whole string must match
  std::string pattern_message;  // what to say when it does not, e.g. "must be ..."
  Format format = Format::kNone;
  std::vector<Field> fields;  // kObject properties; kArray item properties
  std::optional<int> max_items;
  std::optional<int> max_properties;  // kStringMap
  std::optional<int> key_max_length;  // kStringMap
  std::string key_pattern;            // kStringMap
  std::string key_pattern_message;    // kStringMap
};

// The whole document of `kind` (apiVersion, kind, metadata, spec) as a kObject.
const Field& DocumentField(Kind kind);

// The fields of a {fromEnv, fromFile} secret reference.
const std::vector<Field>& SecretRefFields();

// Every kind, in the order they are documented and counted.
inline constexpr Kind kAllKinds[] = {Kind::kProvider, Kind::kContainerInstance,
                                     Kind::kNotebookService, Kind::kTiOneNotebook};

// Parses a kind name ("TiOneNotebook"); nullopt when unknown.
std::optional<Kind> ParseKind(std::string_view name);

// Parses a Format::kDuration string; nullopt when malformed.
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text);

// The closest candidate to `word` by edit distance (case-insensitive), or "" when
// nothing is close enough to be a plausible typo.
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace converge::manifest
