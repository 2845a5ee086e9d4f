// The simulators of --sim (`plan`, `apply`, `run`): in-process, on free loopback
// ports, one per provider.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "cli/args.h"
#include "manifest/model.h"
#include "sim/simulator.h"

namespace converge::cli {

// The --sim flags of run, apply and plan.
struct EmbeddedSimOptions {
  std::string fixture_file;                                            // --sim-fixture
  std::chrono::milliseconds scnet_token_ttl = std::chrono::hours(24);  // --scnet-token-ttl
};
// Reads --sim-fixture and --scnet-token-ttl; kInvalidArgument saying what is
// wrong (a TTL that is not a positive duration, or given without --sim).
Result<EmbeddedSimOptions> ParseSimFlags(const Args& args);

// One simulator per provider, so each provider is its own simulated account.
// Without a fixture each is seeded from the manifests: a notebook for every
// NotebookService on that provider (every other one Terminated, so the demo
// shows a start), and the first provider of each cloud gets one unmanaged
// resource to report.
class EmbeddedSim {
 public:
  explicit EmbeddedSim(EmbeddedSimOptions options) : options_(std::move(options)) {}
  ~EmbeddedSim();
  // The simulator of `provider`, started (and seeded from `manifests`) on first
  // use. The simulator's error (Simulator::Start) when it cannot start.
  Result<std::string> UrlFor(const manifest::ManifestSet& manifests,
                             const manifest::Provider& provider);

 private:
  EmbeddedSimOptions options_;
  std::map<std::string, std::unique_ptr<sim::Simulator>> sims_;
  std::vector<std::string> generated_fixtures_;  // removed on destruction
};

}  // namespace converge::cli
