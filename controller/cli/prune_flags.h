// --prune and --max-prune, shared by `run`, `apply` and `plan`, and the
// inventory they read from the state dir (README "Removing and changing resources").
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli/args.h"
#include "reconcile/controller.h"
#include "reconcile/inventory.h"

namespace converge::cli {

// The usage lines of the prune flags, a string literal to splice into a usage text.
#define CONVERGE_PRUNE_USAGE                                                              \
  "  --prune              stop or delete resources Converge created that no manifest\n"   \
  "                       declares any more, per their recorded deletionPolicy (off by\n" \
  "                       default; Orphan, the default policy, leaves them alone)\n"      \
  "  --max-prune N        prune nothing when a revision would prune more than N\n"        \
  "                       resources (default 5) or more than half of the managed ones\n"

// Sets options->prune and max_prune; false (after printing "converge COMMAND:
// what") when --max-prune is not a number >= 0.
bool ApplyPruneFlags(const Args& args, const std::string& command,
                     reconcile::ControllerOptions* options);

// The state dir's inventory (`read_only` for plan); null after printing why when
// the dir is unusable. A corrupt inventory opens empty and is reported.
std::unique_ptr<reconcile::FileInventory> OpenInventory(const std::string& command,
                                                        const std::string& dir, bool read_only);

}  // namespace converge::cli
