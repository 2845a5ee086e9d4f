#include "cli/common.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "base/log.h"
#include "base/redact.h"
#include "cloud/config.h"
#include "cloud/provider_factory.h"

namespace converge::cli {

void PrintLoadErrors(const manifest::LoadResult& result, std::ostream& err) {
  for (const auto& d : result.errors) err << d.ToString() << "\n";
  err << result.errors.size() << (result.errors.size() == 1 ? " error" : " errors") << " in "
      << result.files << (result.files == 1 ? " file" : " files") << "\n";
}

Result<std::string> ResolveSecret(const manifest::SecretRef& ref, const std::string& field) {
  const std::string where = "spec." + field + ": ";
  if (ref.source == manifest::SecretRef::Source::kEnv) {
    const char* value = std::getenv(ref.ref.c_str());
    if (value == nullptr) {
      return std::unexpected(Error::NotFound(where + "environment variable " + ref.ref +
                                             " is not set; set it or use fromFile"));
    }
    if (*value == '\0') {
      return std::unexpected(Error::InvalidArgument(where + "environment variable " + ref.ref +
                                                    " is empty; set it or use fromFile"));
    }
    RegisterSecret(value);
    return std::string(value);
  }
  std::ifstream in(ref.ref);
  if (!in) {
    return std::unexpected(Error::IOError(where + "cannot read secret file " + ref.ref +
                                          "; check the path and its permissions"));
  }
  std::stringstream buf;
  buf << in.rdbuf();
  std::string value = buf.str();
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  if (value.empty()) {
    return std::unexpected(Error::InvalidArgument(where + "secret file " + ref.ref +
                                                  " is empty; write the secret to it"));
  }
  RegisterSecret(value);
  return value;
}

reconcile::ProviderMap ProviderFactory::Build(const manifest::ManifestSet& manifests,
                                              std::vector<std::string>* problems) {
  reconcile::ProviderMap out;
  std::map<std::string, Built> next;
  for (const auto& p : manifests.providers) {
    const std::string& name = p.metadata.name;
    cloud::ProviderConfig config;
    config.name = name;
    config.type = p.type == manifest::ProviderType::kScnet ? cloud::ProviderConfig::Type::kScnet
                                                           : cloud::ProviderConfig::Type::kTione;
    config.endpoint = p.endpoint;
    config.region = p.region;
    config.qps = p.rate_limit.qps;
    config.burst = p.rate_limit.burst;
    config.connect_timeout = p.connect_timeout;
    config.request_timeout = p.request_timeout;
    config.max_retries = p.max_retries;
    config.ca_file = p.ca_file;
    config.page_size = options_.page_size;
    std::vector<std::string> unusable;
    if (options_.sim != nullptr) {
      auto url = options_.sim->UrlFor(manifests, p);
      if (url) {
        config.endpoint = *url;
      } else {
        config.endpoint.clear();
        unusable.push_back(url.error().message);
      }
      config.ca_file.clear();
      config.token = sim::kTestScnetToken;
      config.secret_id = sim::kTestSecretId;
      config.secret_key = sim::kTestSecretKey;
      if (config.region.empty()) config.region = sim::kTestRegion;
    } else {
      auto resolve = [&](const std::optional<manifest::SecretRef>& ref, const char* field,
                         std::string* out) {
        if (!ref) return;
        auto value = ResolveSecret(*ref, field);
        if (value) {
          *out = *value;
        } else {
          unusable.push_back(value.error().message);
        }
      };
      resolve(p.token, "token", &config.token);
      resolve(p.secret_id, "secretId", &config.secret_id);
      resolve(p.secret_key, "secretKey", &config.secret_key);
    }
    for (const auto& what : unusable) {
      if (problems != nullptr) problems->push_back("provider " + name + ": " + what);
      config.config_error += (config.config_error.empty() ? "" : "; ") + what;
    }
    // Includes the resolved secrets, so a rotated token rebuilds the client. It
    // stays in memory and is never printed.
    std::ostringstream fp;
    fp << static_cast<int>(config.type) << '\n'
       << config.endpoint << '\n'
       << config.region << '\n'
       << config.token << '\n'
       << config.secret_id << '\n'
       << config.secret_key << '\n'
       << config.qps << '\n'
       << config.burst << '\n'
       << config.connect_timeout.count() << '\n'
       << config.request_timeout.count() << '\n'
       << config.max_retries << '\n'
       << config.ca_file << '\n'
       << config.config_error;
    auto old = built_.find(name);
    if (old != built_.end() && old->second.fingerprint == fp.str()) {
      next[name] = old->second;
    } else {
      cloud::ProviderDeps deps;
      deps.observer = options_.observer;
      reconcile::ProviderEntry entry;
      entry.client = std::shared_ptr<cloud::Provider>(cloud::MakeProvider(config, deps));
      entry.kinds = config.type == cloud::ProviderConfig::Type::kScnet
                        ? std::vector<cloud::ResourceKind>{cloud::ResourceKind::kContainerInstance,
                                                           cloud::ResourceKind::kNotebook}
                        : std::vector<cloud::ResourceKind>{cloud::ResourceKind::kTiOneNotebook};
      next[name] = Built{fp.str(), entry};
    }
    out[name] = next[name].entry;
  }
  built_ = std::move(next);
  return out;
}

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

Result<std::string> EmbeddedSim::UrlFor(const manifest::ManifestSet& manifests,
                                        const manifest::Provider& provider) {
  const std::string& name = provider.metadata.name;
  if (auto it = sims_.find(name); it != sims_.end()) return it->second->BaseUrl();
  sim::SimOptions options;
  options.address = "127.0.0.1:0";
  options.fixture_file = fixture_file_;
  if (fixture_file_.empty()) {
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

std::optional<manifest::ManifestSet> LoadManifests(const std::vector<std::string>& paths) {
  manifest::LoadResult loaded = manifest::LoadPaths(paths);
  if (!loaded.ok()) {
    PrintLoadErrors(loaded, std::cerr);
    return std::nullopt;
  }
  return std::move(loaded.manifests);
}

std::unique_ptr<OneShot> PrepareOneShot(const std::string& command, manifest::ManifestSet manifests,
                                        bool sim, const std::string& sim_fixture,
                                        reconcile::ControllerOptions options,
                                        reconcile::Journal& journal) {
  auto out = std::make_unique<OneShot>();
  if (sim) out->sim = std::make_unique<EmbeddedSim>(sim_fixture);
  ProviderFactory factory(WiringOptions{out->sim.get()});
  std::vector<std::string> problems;
  auto providers = factory.Build(manifests, &problems);
  for (const auto& problem : problems)
    std::cerr << "converge " << command << ": " << problem << "\n";
  out->revision = manifests.revision;
  out->resources = manifests.resources.size();
  out->controller =
      std::make_unique<reconcile::Controller>(options, journal, RealClock::Get(), out->random);
  out->controller->SetManifests(std::move(manifests), std::move(providers));
  return out;
}

}  // namespace converge::cli
