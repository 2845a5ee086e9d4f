// What the commands that talk to clouds share: loading manifests with the same
// error output as `validate`, resolving secrets, building providers (reused
// across reloads when unchanged), and the embedded simulator of --sim.
#pragma once

#include <chrono>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "cloud/config.h"
#include "cloud/request_observer.h"
#include "manifest/loader.h"
#include "reconcile/controller.h"
#include "sim/simulator.h"

namespace converge::cli {

// Prints every diagnostic as `validate` does ("file:line:col: kind/name: field:
// message") and a count line, to `err`.
void PrintLoadErrors(const manifest::LoadResult& result, std::ostream& err);

// Reads a secret: the environment variable or the file (trailing newlines
// stripped). The error names the field, the variable or file and what to do,
// never a value: "spec.token: environment variable SCNET_TOKEN is not set; set
// it or use fromFile".
// kNotFound for an unset variable, kIOError for an unreadable file,
// kInvalidArgument for an empty value.
Result<std::string> ResolveSecret(const manifest::SecretRef& ref, const std::string& field);

class EmbeddedSim;

struct WiringOptions {
  // Non-null: point every provider at its own embedded simulator with the
  // simulator's test credentials (--sim). Not owned.
  EmbeddedSim* sim = nullptr;
  cloud::RequestObserver* observer = nullptr;
  int page_size = 50;
};

// Builds the providers a manifest set names. Keeps a provider whose resolved
// configuration did not change, so its rate limiter and the controller's state
// carry over a reload. Not thread-safe.
class ProviderFactory {
 public:
  explicit ProviderFactory(WiringOptions options) : options_(std::move(options)) {}
  // Every provider of `manifests`. One that cannot be used (a secret that cannot
  // be read, a simulator that cannot start) is still in the map: every call to it
  // fails with what is wrong (cloud::ProviderConfig::config_error), so only its
  // resources fail. Each such problem is also appended to `problems`, one line
  // each: "provider NAME: spec.FIELD: what; what to do".
  reconcile::ProviderMap Build(const manifest::ManifestSet& manifests,
                               std::vector<std::string>* problems);

 private:
  struct Built {
    std::string fingerprint;
    reconcile::ProviderEntry entry;
  };
  WiringOptions options_;
  std::map<std::string, Built> built_;
};

// The simulators of --sim, in-process on free loopback ports: one per provider,
// so each provider is its own simulated account. Without a fixture each is
// seeded from the manifests: a notebook for every NotebookService on that
// provider (every other one Terminated, so the demo shows a start), and the
// first provider of each cloud gets one unmanaged resource to report.
class EmbeddedSim {
 public:
  explicit EmbeddedSim(std::string fixture_file) : fixture_file_(std::move(fixture_file)) {}
  ~EmbeddedSim();
  // The simulator of `provider`, started (and seeded from `manifests`) on first
  // use. The simulator's error (Simulator::Start) when it cannot start.
  Result<std::string> UrlFor(const manifest::ManifestSet& manifests,
                             const manifest::Provider& provider);

 private:
  std::string fixture_file_;
  std::map<std::string, std::unique_ptr<sim::Simulator>> sims_;
  std::vector<std::string> generated_fixtures_;  // removed on destruction
};

// Loads and validates the manifests under `paths`; on failure prints every
// diagnostic (PrintLoadErrors) and returns nullopt.
std::optional<manifest::ManifestSet> LoadManifests(const std::vector<std::string>& paths);

// A one-shot pass's setup (plan, apply): the manifests' providers (embedded
// simulators with `sim`) and a controller holding both.
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
                                        bool sim, const std::string& sim_fixture,
                                        reconcile::ControllerOptions options,
                                        reconcile::Journal& journal);

}  // namespace converge::cli
