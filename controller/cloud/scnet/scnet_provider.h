// The SCNet adapter: container instances (instance-service) and notebooks with
// their custom services, over the SCNet OpenAPI v2 with the `token` header
// (from a TokenSource: a static token, or one obtained with an access key).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "cloud/http/api_caller.h"
#include "cloud/http/paging.h"
#include "cloud/provider.h"
#include "cloud/scnet/token_source.h"

namespace converge::cloud::scnet {

// Thread-safe (see Provider). Holds kContainerInstance and kNotebook resources;
// other kinds are Error kInvalid. A call refused for credentials (10008/10009)
// is sent once more with the token TokenSource::AfterRejection gives (a refused
// call applied nothing, so this is safe for creates too).
class ScnetProvider : public Provider {
 public:
  // `endpoint` reports where calls go (Endpoint()); optional.
  ScnetProvider(std::string name, std::shared_ptr<TokenSource> tokens, int page_size,
                std::unique_ptr<http::ApiCaller> caller,
                std::function<std::string()> endpoint = {});

  const std::string& name() const override { return name_; }
  std::string Endpoint() const override { return endpoint_ ? endpoint_() : ""; }
  std::string SecretProblem() const override { return tokens_->SecretProblem(); }
  Result<std::vector<Observed>> List(ResourceKind kind) override;
  Result<std::vector<Observed>> ListByName(ResourceKind kind, const std::string& name) override;
  Result<std::string> CreateContainerInstance(const ContainerInstanceCreate& req) override;
  Result<std::string> CreateTiOneNotebook(const TiOneNotebookCreate& req) override;
  Status RestartContainerInstance(const std::string& id) override;
  Status StartNotebook(ResourceKind kind, const std::string& id) override;
  Status StopNotebook(ResourceKind kind, const std::string& id) override;
  // POST task/actions/stop?ids=ID.
  Status StopContainerInstance(const std::string& id) override;
  // DELETE task?ids=ID.
  Status DeleteContainerInstance(const std::string& id) override;
  Status DeleteNotebook(ResourceKind kind, const std::string& id) override;
  Status ModifyTiOneNotebook(const std::string& id, const TiOneNotebookCreate& req) override;
  Status StartNotebookService(const std::string& notebook_id, int port,
                              const std::string& command) override;

  // GET instance-service/{id}/detail: one container instance (operation
  // GetContainerInstance). Not used in the steady state, where lists observe.
  Result<Observed> GetContainerInstance(const std::string& id);

 private:
  Result<std::vector<Observed>> ListInstances(const std::string& name_filter);
  Result<std::vector<Observed>> ListNotebooks(const std::string& name_filter);
  http::PagedList Paged(const char* operation) const;
  Result<nlohmann::json> Get(const char* operation, std::string target,
                             const http::Interpreter& interpret);
  Result<nlohmann::json> Post(const char* operation, http::CallKind kind, std::string target,
                              std::string body, std::string method = "POST");
  // One call with the current token, and once more after a credential rejection.
  Result<nlohmann::json> Send(const char* operation, http::CallKind kind,
                              const std::function<http::HttpRequest()>& build,
                              const http::Interpreter& interpret);
  Error Unsupported(const char* operation, ResourceKind kind) const;
  Error Fail(Error error, const char* operation) const;

  const std::string name_;
  const std::shared_ptr<TokenSource> tokens_;
  const int page_size_;
  const std::unique_ptr<http::ApiCaller> caller_;
  const std::function<std::string()> endpoint_;
};

}  // namespace converge::cloud::scnet
