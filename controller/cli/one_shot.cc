#include "cli/one_shot.h"

#include <iostream>

#include "base/clock.h"
#include "cli/providers.h"

namespace converge::cli {

std::unique_ptr<OneShot> PrepareOneShot(const std::string& command, manifest::ManifestSet manifests,
                                        bool sim, const EmbeddedSimOptions& sim_options,
                                        reconcile::ControllerOptions options,
                                        reconcile::Journal& journal) {
  auto out = std::make_unique<OneShot>();
  if (sim) out->sim = std::make_unique<EmbeddedSim>(sim_options);
  ProviderFactory factory(WiringOptions{out->sim.get()});
  Wiring wiring = factory.Build(manifests);
  for (const auto& problem : wiring.problems) {
    std::cerr << "converge " << command << ": " << problem.message << "\n";
  }
  out->revision = manifests.revision;
  out->resources = manifests.resources.size();
  out->controller =
      std::make_unique<reconcile::Controller>(options, journal, RealClock::Get(), out->random);
  out->controller->SetManifests(std::move(manifests), std::move(wiring.providers));
  return out;
}

}  // namespace converge::cli
