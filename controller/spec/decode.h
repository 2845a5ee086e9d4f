// Internal to the spec layer: one parsed YAML document -> validated model object.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "spec/loader.h"
#include "spec/model.h"

namespace converge::spec {

struct DecodedDocument {
  std::optional<Kind> kind;  // nullopt when the kind is missing or unknown
  std::string name;          // metadata.name when it is a string, else ""
  Location location;         // start of the document
  // The fields that passed their checks, with defaults filled in.
  nlohmann::json value;
  // Dotted path ("spec.ports[1].port") -> where its value is, for every key seen.
  std::map<std::string, Location> locations;
  bool ok = false;  // no errors in this document; `object` holds the model
  std::variant<std::monostate, Provider, ContainerInstance, NotebookService, TiOneNotebook> object;

  // The location of `path`, or of its nearest ancestor that has one.
  Location LocationOf(const std::string& path) const;
};

// Validates one document (not null) and appends its problems to `errors`.
// Never throws.
DecodedDocument DecodeDocument(const YAML::Node& root, const std::string& file,
                               const LoadOptions& options, std::vector<Diagnostic>* errors);

}  // namespace converge::spec
