// Loading manifests: files, directories (recursive, *.yaml / *.yml), multi-document
// YAML. yaml-cpp exceptions stop here; callers get diagnostics, never throws.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "manifest/model.h"

namespace converge::manifest {

// One problem found while loading or validating.
struct Diagnostic {
  Location location;  // of the offending node
  std::string kind;   // "ContainerInstance", or "" when the document has none yet
  std::string name;   // metadata.name, or "" when unknown
  std::string field;  // dotted path, e.g. "spec.accelerator.type"; "" for document-level
  std::string message;
  // "file:line:col: kind/name: field: message" (parts that are empty are left out).
  std::string ToString() const;
};

struct LoadOptions {
  // Files larger than this are rejected before parsing. Default: 4 MiB.
  size_t max_file_bytes = 4 << 20;
  // YAML documents with more nodes than this (after alias expansion) are rejected.
  // Default: 100000.
  size_t max_nodes = 100000;
  // Files are read, parsed and decoded on up to this many threads (fewer when
  // there are few files, one per 64 to decode, or fewer cores). The result is
  // the same for any value; a second thread costs a few MiB of peak memory (its
  // malloc arena). Default: 1.
  size_t threads = 1;
};

struct LoadResult {
  ManifestSet manifests;  // valid only when errors is empty
  std::vector<Diagnostic> errors;
  size_t files = 0;      // files read
  size_t documents = 0;  // non-empty documents seen
  // A PATH holds no manifest: it does not exist, is a directory without *.yaml or
  // *.yml files, or all it holds are empty documents. Also reported in `errors`
  // as "no manifests found under PATH: why".
  bool no_manifests = false;
  bool ok() const { return errors.empty(); }
};

// Loads and validates every manifest under `paths` (files or directories); each
// path must hold a manifest (see no_manifests). All errors are reported, sorted
// by file, line, column. Cross-document rules (duplicate names, provider
// references) run over the whole set.
LoadResult LoadPaths(const std::vector<std::string>& paths, const LoadOptions& options = {});

// What a walk of a directory under `paths` skips: entries whose name starts
// with "." (.git, editor backups), files and directories alike. And the names
// of the files it reads: *.yaml and *.yml. The manifest watcher walks the same.
bool IsHiddenName(std::string_view name);
bool IsManifestName(std::string_view name);

// Same for in-memory text, as if read from a file called `filename`.
LoadResult LoadString(std::string_view yaml, std::string_view filename,
                      const LoadOptions& options = {});

}  // namespace converge::manifest
