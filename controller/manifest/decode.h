// Internal to the manifest layer: one parsed YAML document -> validated model object, in
// three phases: the walk (walk.h) applies the field table to the YAML tree, the
// rules (rules.h) check what one field allows of another, and the build (build.h)
// turns the checked value into the model.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "manifest/loader.h"
#include "manifest/model.h"
#include "manifest/yaml_tree.h"

namespace converge::manifest {

// The model object of a document; monostate until the build.
using DecodedObject =
    std::variant<std::monostate, Provider, ContainerInstance, NotebookService, TiOneNotebook>;

struct DecodedDocument {
  std::optional<Kind> kind;  // nullopt when the kind is missing or unknown
  std::string name;          // metadata.name when it is a string, else ""
  Location location;         // start of the document
  // The fields that passed their checks, with defaults filled in.
  nlohmann::json value;
  // Dotted path ("spec.ports[1].port") -> where its value is, for every key seen.
  std::map<std::string, Location> locations;
  bool ok = false;  // no errors in this document; `object` holds the model
  DecodedObject object;

  // The location of `path`, or of its nearest ancestor that has one.
  Location LocationOf(const std::string& path) const;
};

// Validates one document (not null) and appends its problems to `errors`.
// Never throws.
DecodedDocument DecodeDocument(const YamlNode& root, const std::string& file,
                               const LoadOptions& options, std::vector<Diagnostic>* errors);

// The problems of one document: each Diagnostic names the document's kind and name
// as far as they are known when it is reported.
class DocumentErrors {
 public:
  DocumentErrors(const DecodedDocument* doc, std::vector<Diagnostic>* errors)
      : doc_(doc), errors_(errors) {}

  void Add(const Location& location, const std::string& field, std::string message);
  // At the location of `field` (or of its nearest ancestor) in the document.
  void AddAt(const std::string& field, std::string message) {
    Add(doc_->LocationOf(field), field, std::move(message));
  }
  size_t count() const { return count_; }  // problems added so far

 private:
  const DecodedDocument* doc_;
  std::vector<Diagnostic>* errors_;
  size_t count_ = 0;
};

}  // namespace converge::manifest
