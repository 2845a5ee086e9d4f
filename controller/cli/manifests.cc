#include "cli/manifests.h"

#include <iostream>

namespace converge::cli {

void PrintLoadErrors(const manifest::LoadResult& result, std::ostream& err) {
  for (const auto& d : result.errors) err << d.ToString() << "\n";
  err << result.errors.size() << (result.errors.size() == 1 ? " error" : " errors") << " in "
      << result.files << (result.files == 1 ? " file" : " files") << "\n";
}

std::optional<manifest::ManifestSet> LoadManifests(const std::vector<std::string>& paths) {
  manifest::LoadResult loaded = manifest::LoadPaths(paths);
  if (!loaded.ok()) {
    PrintLoadErrors(loaded, std::cerr);
    return std::nullopt;
  }
  return std::move(loaded.manifests);
}

}  // namespace converge::cli
