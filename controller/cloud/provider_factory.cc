#include "cloud/provider_factory.h"

#include <memory>

#include "base/clock.h"
#include "base/random.h"
#include "base/redact.h"
#include "cloud/http/api_caller.h"
#include "cloud/http/discovered_transport.h"
#include "cloud/http/socket_transport.h"
#include "cloud/scnet/scnet_account.h"
#include "cloud/scnet/scnet_provider.h"
#include "cloud/scnet/token_source.h"
#include "cloud/tione/tione_provider.h"

namespace converge::cloud {
namespace {

// Stands in for a provider whose configuration is unusable: every call returns
// the configuration error, so the reconciler reports it per resource.
class MisconfiguredProvider : public Provider {
 public:
  MisconfiguredProvider(std::string name, Error error)
      : name_(std::move(name)), error_(std::move(error)) {}
  const std::string& name() const override { return name_; }
  Result<std::vector<Observed>> List(ResourceKind) override { return Fail("List"); }
  Result<std::vector<Observed>> ListByName(ResourceKind, const std::string&) override {
    return Fail("List");
  }
  Result<std::string> CreateContainerInstance(const ContainerInstanceCreate&) override {
    return Fail("CreateContainerInstance");
  }
  Result<std::string> CreateTiOneNotebook(const TiOneNotebookCreate&) override {
    return Fail("CreateNotebook");
  }
  Status RestartContainerInstance(const std::string&) override {
    return Fail("RestartContainerInstance");
  }
  Status StartNotebook(ResourceKind, const std::string&) override { return Fail("StartNotebook"); }
  Status StopNotebook(ResourceKind, const std::string&) override { return Fail("StopNotebook"); }
  Status StopContainerInstance(const std::string&) override {
    return Fail("StopContainerInstance");
  }
  Status DeleteContainerInstance(const std::string&) override {
    return Fail("DeleteContainerInstance");
  }
  Status DeleteNotebook(ResourceKind, const std::string&) override {
    return Fail("DeleteNotebook");
  }
  Status ModifyTiOneNotebook(const std::string&, const TiOneNotebookCreate&) override {
    return Fail("ModifyNotebook");
  }
  Status StartNotebookService(const std::string&, int, const std::string&) override {
    return Fail("StartNotebookService");
  }

 private:
  std::unexpected<Error> Fail(const char* operation) const {
    Error e = error_;
    e.operation = operation;
    return std::unexpected(std::move(e));
  }
  std::string name_;
  Error error_;
};

Random& ProcessRandom() {
  static RealRandom random;
  return random;
}

std::unique_ptr<Provider> Misconfigured(const ProviderConfig& config, std::string message) {
  Error e;
  e.category = Error::Category::kInvalid;
  e.provider = config.name;
  e.message = "provider \"" + config.name + "\" is misconfigured: " + message;
  return std::make_unique<MisconfiguredProvider>(config.name, std::move(e));
}

// spec.auth: an account client toward account_endpoint for the tokens, and the
// AI endpoint as configured or, when not, discovered on first use.
template <typename MakeTransport, typename MakeCaller>
std::unique_ptr<Provider> MakeScnetWithAccessKey(const ProviderConfig& config,
                                                 const ProviderDeps& deps,
                                                 MakeTransport& make_transport,
                                                 MakeCaller& make_caller, Random& random) {
  Result<http::Endpoint> account = http::ParseEndpoint(config.account_endpoint);
  if (!account) {
    return Misconfigured(config, "spec.accountEndpoint: " + account.error().message);
  }
  Result<std::unique_ptr<http::HttpTransport>> account_transport =
      make_transport(config.account_endpoint);
  if (!account_transport) return Misconfigured(config, account_transport.error().message);
  scnet::AccountOptions options;
  options.provider = config.name;
  options.account_endpoint = account->base_url;
  options.cluster = config.cluster;
  auto tokens = std::make_shared<scnet::ScnetAccount>(options, *config.scnet_access_key,
                                                      make_caller(std::move(*account_transport)),
                                                      random, deps.observer);
  if (!config.endpoint.empty()) {
    Result<http::Endpoint> endpoint = http::ParseEndpoint(config.endpoint);
    if (!endpoint) return Misconfigured(config, endpoint.error().message);
    Result<std::unique_ptr<http::HttpTransport>> transport = make_transport(config.endpoint);
    if (!transport) return Misconfigured(config, transport.error().message);
    return std::make_unique<scnet::ScnetProvider>(config.name, std::move(tokens), config.page_size,
                                                  make_caller(std::move(*transport)),
                                                  [url = endpoint->base_url] { return url; });
  }
  auto discovered = std::make_unique<http::DiscoveredTransport>(
      [tokens]() -> Result<std::string> {
        Result<std::string> url = tokens->DiscoverEndpoint();
        if (!url) return url;
        Result<http::Endpoint> parsed = http::ParseEndpoint(*url);
        if (!parsed) {
          Error e = std::move(parsed.error());
          e.message = "the AI endpoint SCNet lists for this cluster is unusable: " + e.message +
                      "; set spec.endpoint";
          return std::unexpected(std::move(e));
        }
        return parsed->base_url;
      },
      make_transport);
  http::DiscoveredTransport* where = discovered.get();
  return std::make_unique<scnet::ScnetProvider>(config.name, std::move(tokens), config.page_size,
                                                make_caller(std::move(discovered)),
                                                [where] { return where->endpoint(); });
}

}  // namespace

std::unique_ptr<Provider> MakeProvider(const ProviderConfig& config, const ProviderDeps& deps) {
  for (const Secret* secret :
       {&config.token, &config.secret_id, &config.secret_key, &config.session_token}) {
    RegisterSecret(secret->Current());
  }
  if (config.scnet_access_key) {
    for (const Secret* secret :
         {&config.scnet_access_key->access_key, &config.scnet_access_key->secret_key}) {
      RegisterSecret(secret->Current());
    }
  }
  if (!config.config_error.empty()) return Misconfigured(config, config.config_error);
  const bool scnet = config.type == ProviderConfig::Type::kScnet;
  const bool access_key = scnet && config.scnet_access_key.has_value();
  if (scnet && !access_key && config.token.empty()) {
    return Misconfigured(config,
                         "no SCNet credentials; set spec.token {fromEnv|fromFile} or spec.auth "
                         "{user, accessKey, secretKey}");
  }
  if (access_key && config.cluster.empty()) {
    return Misconfigured(config,
                         "no SCNet cluster; set spec.cluster to the region's clusterName "
                         "or clusterId");
  }
  if (!scnet && (config.secret_id.empty() || config.secret_key.empty())) {
    return Misconfigured(config,
                         "no TI-ONE SecretId/SecretKey; set spec.secretId and "
                         "spec.secretKey {fromEnv|fromFile}");
  }
  if (!scnet && config.region.empty()) {
    return Misconfigured(config, "no TI-ONE region; set spec.region, e.g. ap-shanghai");
  }
  // By value: the discovered transport keeps it beyond this call.
  http::HttpTransportOptions base_options;
  base_options.connect_timeout = config.connect_timeout;
  base_options.request_timeout = config.request_timeout;
  base_options.ca_file = config.ca_file;
  auto make_transport = [base_options](const std::string& url) {
    http::HttpTransportOptions options = base_options;
    options.endpoint = url;
    return http::MakeHttpTransport(options);
  };
  Clock& clock = deps.clock != nullptr ? *deps.clock : RealClock::Get();
  Random& random = deps.random != nullptr ? *deps.random : ProcessRandom();
  http::RetryPolicy retry{config.max_retries, config.retry_base, config.retry_max};
  auto make_caller = [&](std::unique_ptr<http::HttpTransport> transport) {
    return std::make_unique<http::ApiCaller>(config.name, std::move(transport), config.qps,
                                             config.burst, retry, clock, random, deps.observer);
  };
  if (access_key) return MakeScnetWithAccessKey(config, deps, make_transport, make_caller, random);

  Result<http::Endpoint> endpoint = http::ParseEndpoint(config.endpoint);
  if (!endpoint) return Misconfigured(config, endpoint.error().message);
  Result<std::unique_ptr<http::HttpTransport>> transport = make_transport(config.endpoint);
  if (!transport) return Misconfigured(config, transport.error().message);
  auto caller = make_caller(std::move(*transport));
  if (scnet) {
    auto tokens =
        std::make_shared<scnet::StaticTokenSource>(config.name, config.token, deps.observer);
    return std::make_unique<scnet::ScnetProvider>(config.name, std::move(tokens), config.page_size,
                                                  std::move(caller),
                                                  [url = endpoint->base_url] { return url; });
  }
  tione::CredentialSources credentials{config.secret_id, config.secret_key, config.region,
                                       config.session_token};
  return std::make_unique<tione::TiOneProvider>(config.name, std::move(credentials),
                                                endpoint->host_header, endpoint->host,
                                                config.page_size, std::move(caller));
}

}  // namespace converge::cloud
