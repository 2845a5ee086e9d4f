// Loading manifests for the commands, with the output of `validate`: every
// located diagnostic of the manifest layer (manifest::LoadResult), then a count.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "manifest/loader.h"

namespace converge::cli {

// Prints every diagnostic as `validate` does ("file:line:col: kind/name: field:
// message") and a count line, to `err`.
void PrintLoadErrors(const manifest::LoadResult& result, std::ostream& err);

// Loads and validates the manifests under `paths`; on failure prints every
// diagnostic (PrintLoadErrors) to stderr and returns nullopt.
std::optional<manifest::ManifestSet> LoadManifests(const std::vector<std::string>& paths);

}  // namespace converge::cli
