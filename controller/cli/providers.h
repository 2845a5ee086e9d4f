// Building the cloud providers a manifest set names, for every command that talks
// to clouds: their resolved configuration (secrets, or the embedded simulator of
// --sim), reused across reloads when unchanged.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/secret.h"
#include "cloud/request_observer.h"
#include "manifest/model.h"
#include "reconcile/controller.h"

namespace converge::cli {

class EmbeddedSim;

struct WiringOptions {
  // Non-null: point every provider at its own embedded simulator with the
  // simulator's test credentials (--sim). Not owned.
  EmbeddedSim* sim = nullptr;
  cloud::RequestObserver* observer = nullptr;
  int page_size = 50;
};

// What ProviderFactory::Build made of a manifest set.
struct [[nodiscard]] Wiring {
  // Every provider of the manifests, usable or not.
  reconcile::ProviderMap providers;
  // Why a provider is unusable, one error per problem, with the code of the
  // failure underneath (ResolveSecret, EmbeddedSim::UrlFor) and the message
  // "provider NAME: spec.FIELD: what; what to do".
  std::vector<Error> problems;
};

// Builds the providers a manifest set names. Keeps a provider whose resolved
// configuration did not change, so its rate limiter and the controller's state
// carry over a reload. A file secret read by an earlier Build is reused, not read
// afresh: it follows its file anyway (base/secret.h), and a file that is
// unreadable at a reload keeps its last good value instead of making the provider
// unusable. Not thread-safe.
class ProviderFactory {
 public:
  explicit ProviderFactory(WiringOptions options) : options_(std::move(options)) {}
  // Every provider of `manifests`. One that cannot be used (a secret that cannot
  // be read, a simulator that cannot start) is still in the map: every call to it
  // fails with what is wrong (cloud::ProviderConfig::config_error), so only its
  // resources fail; each such problem is in Wiring::problems.
  Wiring Build(const manifest::ManifestSet& manifests);

 private:
  struct Built {
    std::string fingerprint;
    reconcile::ProviderEntry entry;
  };
  WiringOptions options_;
  std::map<std::string, Built> built_;
  // The file secrets of the last Build, by field and path.
  std::map<std::string, Secret> file_secrets_;
};

}  // namespace converge::cli
