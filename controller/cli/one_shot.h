// The setup of a one-shot pass (`plan`, `apply`): providers and a controller.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "base/random.h"
#include "cli/embedded_sim.h"
#include "manifest/model.h"
#include "reconcile/controller.h"
#include "reconcile/journal.h"

namespace converge::cli {

// The manifests' providers (embedded simulators with `sim`) and a controller
// holding both.
struct OneShot {
  std::unique_ptr<EmbeddedSim> sim;  // outlives the providers that point at it
  RealRandom random;
  std::unique_ptr<reconcile::Controller> controller;
  std::string revision;
  size_t resources = 0;
};
// Prints `converge COMMAND: provider NAME: what` to stderr for every problem
// that makes a provider unusable (ProviderFactory::Build); such a provider fails
// its list calls, so its resources are reported as errors while the others are
// planned or applied. Never null. `journal` must outlive the result.
std::unique_ptr<OneShot> PrepareOneShot(const std::string& command, manifest::ManifestSet manifests,
                                        bool sim, const EmbeddedSimOptions& sim_options,
                                        reconcile::ControllerOptions options,
                                        reconcile::Journal& journal);

}  // namespace converge::cli
