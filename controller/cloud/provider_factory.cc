#include "cloud/provider_factory.h"

#include <memory>

#include "base/clock.h"
#include "base/random.h"
#include "base/redact.h"
#include "cloud/http/api_caller.h"
#include "cloud/http/cpprest_transport.h"
#include "cloud/scnet/scnet_provider.h"
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

}  // namespace

std::unique_ptr<Provider> MakeProvider(const ProviderConfig& config, const ProviderDeps& deps) {
  for (const Secret* secret :
       {&config.token, &config.secret_id, &config.secret_key, &config.session_token}) {
    RegisterSecret(secret->Current());
  }
  if (!config.config_error.empty()) return Misconfigured(config, config.config_error);
  const bool scnet = config.type == ProviderConfig::Type::kScnet;
  if (scnet && config.token.empty()) {
    return Misconfigured(config, "no SCNet token; set spec.token {fromEnv|fromFile}");
  }
  if (!scnet && (config.secret_id.empty() || config.secret_key.empty())) {
    return Misconfigured(config,
                         "no TI-ONE SecretId/SecretKey; set spec.secretId and "
                         "spec.secretKey {fromEnv|fromFile}");
  }
  if (!scnet && config.region.empty()) {
    return Misconfigured(config, "no TI-ONE region; set spec.region, e.g. ap-shanghai");
  }
  Result<http::Endpoint> endpoint = http::ParseEndpoint(config.endpoint);
  if (!endpoint) return Misconfigured(config, endpoint.error().message);

  http::CpprestOptions options;
  options.endpoint = config.endpoint;
  options.connect_timeout = config.connect_timeout;
  options.request_timeout = config.request_timeout;
  options.ca_file = config.ca_file;
  Result<std::unique_ptr<http::HttpTransport>> transport = http::MakeCpprestTransport(options);
  if (!transport) return Misconfigured(config, transport.error().message);

  Clock& clock = deps.clock != nullptr ? *deps.clock : RealClock::Get();
  Random& random = deps.random != nullptr ? *deps.random : ProcessRandom();
  http::RetryPolicy retry{config.max_retries, config.retry_base, config.retry_max};
  auto caller =
      std::make_unique<http::ApiCaller>(config.name, std::move(*transport), config.qps,
                                        config.burst, retry, clock, random, deps.observer);
  if (scnet) {
    return std::make_unique<scnet::ScnetProvider>(config.name, config.token, config.page_size,
                                                  std::move(caller));
  }
  tione::CredentialSources credentials{config.secret_id, config.secret_key, config.region,
                                       config.session_token};
  return std::make_unique<tione::TiOneProvider>(config.name, std::move(credentials),
                                                endpoint->host_header, endpoint->host,
                                                config.page_size, std::move(caller));
}

}  // namespace converge::cloud
