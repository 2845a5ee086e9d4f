#include "cli/prune_flags.h"

#include <iostream>

namespace converge::cli {

bool ApplyPruneFlags(const Args& args, const std::string& command,
                     reconcile::ControllerOptions* options) {
  options->prune = args.Has("prune");
  if (!args.Has("max-prune")) return true;
  const std::string text = args.Get("max-prune");
  size_t used = 0;
  int n = -1;
  try {
    n = std::stoi(text, &used);
  } catch (const std::exception&) {
    n = -1;
  }
  if (n < 0 || used != text.size()) {
    std::cerr << "converge " << command << ": --max-prune must be a whole number >= 0, got \""
              << text << "\"\n";
    return false;
  }
  options->max_prune = n;
  return true;
}

std::unique_ptr<reconcile::FileInventory> OpenInventory(const std::string& command,
                                                        const std::string& dir, bool read_only) {
  auto opened = reconcile::FileInventory::Open(dir, read_only);
  if (!opened) {
    std::cerr << "converge " << command << ": " << opened.error().message << "\n";
    return nullptr;
  }
  if (const std::string why = (*opened)->LoadError(); !why.empty()) {
    std::cerr << "converge " << command << ": warning: " << why << "\n";
  }
  return std::move(*opened);
}

}  // namespace converge::cli
