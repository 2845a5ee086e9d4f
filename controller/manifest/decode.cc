#include "manifest/decode.h"

#include <string_view>

#include "manifest/build.h"
#include "manifest/field.h"
#include "manifest/message.h"
#include "manifest/rules.h"
#include "manifest/walk.h"

namespace converge::manifest {
namespace {

// Counts nodes as a walk would visit them (aliases expanded), stopping early.
bool WithinBudget(const YamlNode& node, size_t* budget, int depth) {
  if (*budget == 0 || depth > 256) return false;
  --*budget;
  for (const YamlNode* child : node.children()) {
    if (!WithinBudget(*child, budget, depth + 1)) return false;
  }
  return true;
}

// The value of the first `key` of mapping `map`, or nullptr.
const YamlNode* FindKey(const YamlNode& map, std::string_view key) {
  if (!map.IsMap()) return nullptr;
  const auto& entries = map.children();
  for (size_t e = 0; e + 1 < entries.size(); e += 2) {
    if (entries[e]->IsScalar() && entries[e]->Scalar() == key) return entries[e + 1];
  }
  return nullptr;
}

// The kind and name every diagnostic of the document carries, read before any check.
void ReadLabels(const YamlNode& root, DecodedDocument* doc) {
  const YamlNode* kind = FindKey(root, "kind");
  if (kind != nullptr && kind->IsScalar()) doc->kind = ParseKind(kind->Scalar());
  const YamlNode* metadata = FindKey(root, "metadata");
  const YamlNode* name = metadata != nullptr ? FindKey(*metadata, "name") : nullptr;
  if (name != nullptr && name->IsScalar() && ResolveScalar(*name) == ScalarKind::kString) {
    doc->name = name->Scalar().substr(0, 100);
  }
}

// apiVersion and kind; returns false when the kind is unknown (nothing else is checked).
bool CheckHeader(const YamlNode& root, const std::string& file, const DecodedDocument& doc,
                 DocumentErrors* errors) {
  const YamlNode* kind = FindKey(root, "kind");
  if (kind == nullptr) {
    errors->Add(doc.location, "kind", "required field is missing");
  } else if (!kind->IsScalar() || ResolveScalar(*kind) != ScalarKind::kString) {
    errors->Add(NodeLocation(*kind, file), "kind", "expected a string, got " + DescribeNode(*kind));
  } else if (!doc.kind) {
    std::vector<std::string> kinds;
    for (Kind k : kAllKinds) kinds.emplace_back(KindName(k));
    const std::string guess = ClosestMatch(kind->Scalar(), kinds);
    errors->Add(NodeLocation(*kind, file), "kind",
                "unknown kind " + Quote(kind->Scalar()) +
                    (guess.empty() ? "; expected one of " + Join(kinds, ", ")
                                   : " (did you mean \"" + guess + "\"?)"));
  }
  if (doc.kind) return true;
  const YamlNode* found_api = FindKey(root, "apiVersion");
  if (found_api == nullptr) {
    errors->Add(doc.location, "apiVersion", "required field is missing");
  } else if (const YamlNode& api = *found_api; !api.IsScalar() || api.Scalar() != kApiVersion) {
    errors->Add(ValueLocation(api, doc.location, file), "apiVersion",
                std::string("must be \"") + kApiVersion + "\", got " +
                    (api.IsScalar() ? Quote(api.Scalar()) : DescribeNode(api)));
  }
  return false;
}

// The document checks, then the three phases: the walk and the rules report every
// problem they find; the build runs only on a document without any.
void Decode(const YamlNode& root, const std::string& file, const LoadOptions& options,
            DecodedDocument* doc, DocumentErrors* errors) {
  doc->location = NodeLocation(root, file);
  if (doc->location.line == 0) doc->location = {file, 1, 1};
  if (!root.IsMap()) {
    errors->Add(
        doc->location, "",
        "expected a mapping with apiVersion, kind, metadata and spec, got " + DescribeNode(root));
    return;
  }
  ReadLabels(root, doc);
  size_t budget = options.max_nodes;
  if (!WithinBudget(root, &budget, 0)) {
    errors->Add(doc->location, "",
                "document is too large or too deeply nested: more than " +
                    std::to_string(options.max_nodes) +
                    " nodes (aliases expanded) or 256 levels; split it or remove YAML aliases");
    return;
  }
  if (!CheckHeader(root, file, *doc, errors)) return;
  Walker walker(file, &doc->locations, errors);
  doc->value = walker.WalkObject(root, DocumentField(*doc->kind).fields, "", doc->location,
                                 /*sensitive=*/false);
  CheckRules(*doc, errors);
  doc->ok = errors->count() == 0;
  if (doc->ok) doc->object = BuildObject(*doc->kind, doc->value, doc->location);
}

}  // namespace

void DocumentErrors::Add(const Location& location, const std::string& field, std::string message) {
  errors_->push_back(Diagnostic{.location = location,
                                .kind = doc_->kind ? std::string(KindName(*doc_->kind)) : "",
                                .name = doc_->name,
                                .field = field,
                                .message = std::move(message)});
  ++count_;
}

Location DecodedDocument::LocationOf(const std::string& path) const {
  std::string p = path;
  while (true) {
    auto it = locations.find(p);
    if (it != locations.end()) return it->second;
    const size_t cut = p.find_last_of(".[");
    if (cut == std::string::npos) return location;
    p = p.substr(0, cut);
  }
}

DecodedDocument DecodeDocument(const YamlNode& root, const std::string& file,
                               const LoadOptions& options, std::vector<Diagnostic>* errors) {
  DecodedDocument doc;
  DocumentErrors doc_errors(&doc, errors);
  try {
    Decode(root, file, options, &doc, &doc_errors);
  } catch (const std::exception& e) {
    // yaml-cpp or json access on a shape the walk and the rules should have ruled out.
    errors->push_back(Diagnostic{.location = doc.location,
                                 .kind = doc.kind ? std::string(KindName(*doc.kind)) : "",
                                 .name = doc.name,
                                 .message = std::string("internal error while decoding: ") +
                                            e.what() + "; please report this manifest"});
    doc.ok = false;
  }
  return doc;
}

}  // namespace converge::manifest
