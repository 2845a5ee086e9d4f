#include "cli/providers.h"

#include <sstream>

#include "cli/embedded_sim.h"
#include "cli/secrets.h"
#include "cloud/config.h"
#include "cloud/provider_factory.h"
#include "sim/simulator.h"

namespace converge::cli {
Wiring ProviderFactory::Build(const manifest::ManifestSet& manifests) {
  Wiring out;
  std::map<std::string, Built> next;
  std::map<std::string, Secret> next_file_secrets;
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
    config.cluster = p.cluster;
    config.account_endpoint = p.account_endpoint;
    std::vector<Error> unusable;
    if (options_.sim != nullptr) {
      auto url = options_.sim->UrlFor(manifests, p);
      if (url) {
        config.endpoint = *url;
      } else {
        config.endpoint.clear();
        unusable.push_back(std::move(url.error()));
      }
      config.ca_file.clear();
      if (p.auth) {
        // The simulator's test account; its cluster's aiUrls point back at it, so
        // an endpoint left out is discovered there.
        if (p.endpoint.empty()) config.endpoint.clear();
        config.account_endpoint = url ? *url : "";
        config.cluster = sim::kTestScnetCluster;
        config.scnet_access_key = cloud::ScnetAccessKeySecrets{
            sim::kTestScnetUser, sim::kTestScnetAccessKey, sim::kTestScnetSecretKey};
      } else {
        config.token = sim::kTestScnetToken;
      }
      config.secret_id = sim::kTestSecretId;
      config.secret_key = sim::kTestSecretKey;
      if (config.region.empty()) config.region = sim::kTestRegion;
    } else {
      auto resolve = [&](const std::optional<manifest::SecretRef>& ref, const char* field,
                         Secret* out) {
        if (!ref) return;
        const bool file = ref->source == manifest::SecretRef::Source::kFile;
        const std::string key = std::string(field) + '\n' + ref->ref;
        if (auto known = file_secrets_.find(key); file && known != file_secrets_.end()) {
          *out = next_file_secrets[key] = known->second;
          return;
        }
        auto value = ResolveSecret(*ref, field);
        if (value) {
          *out = *value;
          if (file) next_file_secrets[key] = *value;
        } else {
          unusable.push_back(std::move(value.error()));
        }
      };
      resolve(p.token, "token", &config.token);
      if (p.auth) {
        cloud::ScnetAccessKeySecrets& key = config.scnet_access_key.emplace();
        resolve(p.auth->user, "auth.user", &key.user);
        resolve(p.auth->access_key, "auth.accessKey", &key.access_key);
        resolve(p.auth->secret_key, "auth.secretKey", &key.secret_key);
      }
      resolve(p.secret_id, "secretId", &config.secret_id);
      resolve(p.secret_key, "secretKey", &config.secret_key);
      resolve(p.session_token, "sessionToken", &config.session_token);
    }
    for (Error& what : unusable) {
      config.config_error += (config.config_error.empty() ? "" : "; ") + what.message;
      what.message = "provider " + name + ": " + what.message;
      out.problems.push_back(std::move(what));
    }
    // Includes each secret's source (a fixed value, or its file: a file's new
    // content is read by the provider itself, base/secret.h). It stays in memory
    // and is never printed.
    std::ostringstream fp;
    fp << static_cast<int>(config.type) << '\n'
       << config.endpoint << '\n'
       << config.region << '\n'
       << config.token.Identity() << '\n'
       << (config.scnet_access_key ? config.scnet_access_key->user.Identity() : "") << '\n'
       << (config.scnet_access_key ? config.scnet_access_key->access_key.Identity() : "") << '\n'
       << (config.scnet_access_key ? config.scnet_access_key->secret_key.Identity() : "") << '\n'
       << config.cluster << '\n'
       << config.account_endpoint << '\n'
       << config.secret_id.Identity() << '\n'
       << config.secret_key.Identity() << '\n'
       << config.session_token.Identity() << '\n'
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
      entry.page_size = config.page_size;
      entry.kinds = config.type == cloud::ProviderConfig::Type::kScnet
                        ? std::vector<cloud::ResourceKind>{cloud::ResourceKind::kContainerInstance,
                                                           cloud::ResourceKind::kNotebook}
                        : std::vector<cloud::ResourceKind>{cloud::ResourceKind::kTiOneNotebook};
      next[name] = Built{fp.str(), entry};
    }
    out.providers[name] = next[name].entry;
  }
  built_ = std::move(next);
  file_secrets_ = std::move(next_file_secrets);
  return out;
}

}  // namespace converge::cli
