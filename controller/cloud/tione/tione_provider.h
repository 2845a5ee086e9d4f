// The TI-ONE adapter: notebooks over Tencent Cloud API 3.0 (TC3-HMAC-SHA256).
#pragma once

#include <memory>
#include <string>

#include "base/secret.h"
#include "cloud/http/api_caller.h"
#include "cloud/provider.h"
#include "cloud/tione/tione_api.h"

namespace converge::cloud::tione {

// Where a TI-ONE provider's credentials come from: each secret is read (a file
// re-read when it changes) for every attempt.
struct CredentialSources {
  Secret secret_id;
  Secret secret_key;
  std::string region;
  Secret session_token;  // optional
};

// Thread-safe (see Provider). Holds kTiOneNotebook resources; other kinds are
// Error kInvalid. Each attempt is signed afresh with the clock's wall time.
class TiOneProvider : public Provider {
 public:
  // `host_header` is the Host as sent (host[:port]); `host` is without the port.
  TiOneProvider(std::string name, CredentialSources credentials, std::string host_header,
                std::string host, int page_size, std::unique_ptr<http::ApiCaller> caller);

  const std::string& name() const override { return name_; }
  std::string SecretProblem() const override;
  Result<std::vector<Observed>> List(ResourceKind kind) override;
  Result<std::vector<Observed>> ListByName(ResourceKind kind, const std::string& name) override;
  Result<std::string> CreateContainerInstance(const ContainerInstanceCreate& req) override;
  Result<std::string> CreateTiOneNotebook(const TiOneNotebookCreate& req) override;
  Status RestartContainerInstance(const std::string& id) override;
  Status StartNotebook(ResourceKind kind, const std::string& id) override;
  Status StopNotebook(ResourceKind kind, const std::string& id) override;
  Status StopContainerInstance(const std::string& id) override;
  Status DeleteContainerInstance(const std::string& id) override;
  Status DeleteNotebook(ResourceKind kind, const std::string& id) override;
  Status ModifyTiOneNotebook(const std::string& id, const TiOneNotebookCreate& req) override;
  Status StartNotebookService(const std::string& notebook_id, int port,
                              const std::string& command) override;

  // DescribeNotebook: one notebook by Id. kNotFound when it does not exist.
  Result<Observed> DescribeNotebook(const std::string& id);

 private:
  Result<nlohmann::json> Call(const char* action, http::CallKind kind, const std::string& body);
  Result<std::vector<Observed>> Describe(const std::string& name_filter);
  Status Simple(const char* action, ResourceKind kind, const std::string& id);
  Error Unsupported(const char* operation, ResourceKind kind) const;
  Error Fail(Error error, const char* operation) const;

  const std::string name_;
  const CredentialSources credentials_;
  const std::string host_header_;
  const std::string host_;
  const int page_size_;
  const std::unique_ptr<http::ApiCaller> caller_;
};

}  // namespace converge::cloud::tione
