#include "cli/embedded_sim.h"

#include "manifest/field.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "base/log.h"

namespace converge::cli {

namespace {

nlohmann::json SeedFixture(const manifest::ManifestSet& manifests,
                           const manifest::Provider& provider, bool with_unmanaged) {
  nlohmann::json notebooks = nlohmann::json::array();
  nlohmann::json instances = nlohmann::json::array();
  nlohmann::json tione = nlohmann::json::array();
  int n = 0;
  for (const auto& r : manifests.resources) {
    const auto* ns = std::get_if<manifest::NotebookService>(&r);
    if (ns == nullptr || ns->spec.provider != provider.metadata.name) continue;
    bool seen = false;
    for (const auto& nb : notebooks) seen = seen || nb["notebookName"] == ns->spec.notebook;
    if (seen) continue;
    notebooks.push_back({{"id", "18960504105501" + std::to_string(36800 + n)},
                         {"notebookName", ns->spec.notebook},
                         {"notebookStatus", n % 2 == 0 ? "Terminated" : "Running"},
                         {"createTime", "2025-03-02 12:10:20"},
                         {"updateTime", "2025-03-02 12:10:51"}});
    ++n;
  }
  if (with_unmanaged && provider.type == manifest::ProviderType::kScnet) {
    // The simulator fills every other field with its defaults.
    instances.push_back({{"id", "530491fa7c8e47348f01de73e627a6a7"},
                         {"instanceServiceName", "legacy-ssh-box"},
                         {"status", "Running"},
                         {"description", "created by hand in the console"},
                         {"createTime", "2025-03-01 08:30:00"}});
  }
  if (with_unmanaged && provider.type == manifest::ProviderType::kTione) {
    tione.push_back(
        {{"Id", "nb-1188508294472113920"},
         {"Name", "shared-scratch"},
         {"Status", "Running"},
         {"ChargeType", "POSTPAID_BY_HOUR"},
         {"ResourceConf",
          {{"Cpu", 2000}, {"Memory", 4000}, {"Gpu", 0}, {"InstanceType", "TI.S.MEDIUM.POST"}}},
         {"Tags", {{{"TagKey", "team"}, {"TagValue", "research"}}}},
         {"CreateTime", "2024-11-11T10:50:44+08"}});
  }
  return {{"scnet", {{"notebooks", notebooks}, {"instances", instances}}},
          {"tione", {{"notebooks", tione}}}};
}

}  // namespace

Result<EmbeddedSimOptions> ParseSimFlags(const Args& args) {
  EmbeddedSimOptions out;
  out.fixture_file = args.Get("sim-fixture");
  if (args.Has("scnet-token-ttl")) {
    if (!args.Has("sim")) {
      return std::unexpected(
          Error::InvalidArgument("--scnet-token-ttl applies to the embedded simulator; add --sim"));
    }
    const auto ttl = manifest::ParseDuration(args.Get("scnet-token-ttl"));
    if (!ttl || ttl->count() <= 0) {
      return std::unexpected(Error::InvalidArgument(
          "--scnet-token-ttl must be a positive duration like 4s or 24h, got \"" +
          args.Get("scnet-token-ttl") + "\""));
    }
    out.scnet_token_ttl = *ttl;
  }
  return out;
}

Result<std::string> EmbeddedSim::UrlFor(const manifest::ManifestSet& manifests,
                                        const manifest::Provider& provider) {
  const std::string& name = provider.metadata.name;
  if (auto it = sims_.find(name); it != sims_.end()) return it->second->BaseUrl();
  sim::SimOptions options;
  options.address = "127.0.0.1:0";
  options.fixture_file = options_.fixture_file;
  options.scnet_token_ttl = options_.scnet_token_ttl;
  if (options_.fixture_file.empty()) {
    bool first_of_its_cloud = true;
    for (const auto& p : manifests.providers) {
      if (p.type == provider.type) {
        first_of_its_cloud = p.metadata.name == name;
        break;
      }
    }
    const auto path =
        std::filesystem::temp_directory_path() / ("converge-sim-" + std::to_string(::getpid()) +
                                                  "-" + std::to_string(sims_.size()) + ".json");
    std::ofstream(path) << SeedFixture(manifests, provider, first_of_its_cloud).dump(2);
    generated_fixtures_.push_back(path.string());
    options.fixture_file = path.string();
  }
  auto sim = std::make_unique<sim::Simulator>(options);
  if (Status started = sim->Start(); !started) {
    Error error = std::move(started.error());
    error.message = "cannot start its embedded simulator: " + error.message;
    return std::unexpected(std::move(error));
  }
  log::Info("embedded simulator serving", {{"provider", name}, {"url", sim->BaseUrl()}});
  const std::string url = sim->BaseUrl();
  sims_[name] = std::move(sim);
  return url;
}

EmbeddedSim::~EmbeddedSim() {
  for (auto& [name, sim] : sims_) sim->Stop();
  for (const auto& path : generated_fixtures_) {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
}

}  // namespace converge::cli
