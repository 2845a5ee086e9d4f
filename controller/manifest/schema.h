// JSON Schema (draft 2020-12) of the manifest kinds, generated from the same field
// table the loader validates with (field.h). `converge schema` prints it and specs/
// holds the checked-in copy. Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "manifest/model.h"

namespace converge::manifest {

// The schema of one kind's document, self-contained (its own $defs).
nlohmann::ordered_json SchemaFor(Kind kind);

// One schema for any manifest document: dispatches on `kind` with if/then, so an
// editor can use it for files that mix kinds.
nlohmann::ordered_json BundleSchema();

struct SchemaFile {
  std::string name;  // e.g. "containerinstance.schema.json", "converge.schema.json"
  std::string text;  // 2-space indented JSON with a trailing newline
};

// Every file `converge schema --out DIR` writes and specs/ holds: one per kind,
// then the bundle.
std::vector<SchemaFile> SchemaFiles();

}  // namespace converge::manifest
