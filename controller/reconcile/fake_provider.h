// An in-memory cloud::Provider for the reconciler's unit tests: holds resources,
// records every call, and fails calls on request. (End-to-end tests use the real
// adapters against the simulator instead.)
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cloud/provider.h"

namespace converge::reconcile {

class FakeProvider : public cloud::Provider {
 public:
  explicit FakeProvider(std::string name) : name_(std::move(name)) {}
  const std::string& name() const override { return name_; }
  std::string SecretProblem() const override {
    std::lock_guard lock(mu_);
    return secret_problem_;
  }

  cloud::Result<std::vector<cloud::Observed>> List(cloud::ResourceKind kind) override;
  cloud::Result<std::vector<cloud::Observed>> ListByName(cloud::ResourceKind kind,
                                                         const std::string& name) override;
  cloud::Result<std::string> CreateContainerInstance(
      const cloud::ContainerInstanceCreate& req) override;
  cloud::Result<std::string> CreateTiOneNotebook(const cloud::TiOneNotebookCreate& req) override;
  cloud::Status RestartContainerInstance(const std::string& id) override;
  cloud::Status StartNotebook(cloud::ResourceKind kind, const std::string& id) override;
  cloud::Status StopNotebook(cloud::ResourceKind kind, const std::string& id) override;
  cloud::Status StopContainerInstance(const std::string& id) override;
  cloud::Status DeleteContainerInstance(const std::string& id) override;
  cloud::Status DeleteNotebook(cloud::ResourceKind kind, const std::string& id) override;
  cloud::Status ModifyTiOneNotebook(const std::string& id,
                                    const cloud::TiOneNotebookCreate& req) override;
  cloud::Status StartNotebookService(const std::string& notebook_id, int port,
                                     const std::string& command) override;

  // Test controls.
  void Put(cloud::Observed o);  // adds or replaces by id
  void SetStatus(const std::string& name, const std::string& status);
  std::vector<cloud::Observed> All() const;
  // The next call of `operation` fails with `error`; with `commit`, a create is
  // applied before failing (a lost answer); so are a stop, delete or modify.
  void FailNext(const std::string& operation, cloud::Error error, bool commit = false);
  // "CreateContainerInstance bert", "List ContainerInstance", ... in call order.
  std::vector<std::string> Calls() const;
  // Runs before every call is handled, outside the fake's lock (e.g. to change
  // the controller's manifests mid-pass).
  void OnCall(std::function<void(const std::string& call)> hook) { hook_ = std::move(hook); }
  int CountCalls(const std::string& prefix) const;
  void ClearCalls();
  void SetSecretProblem(std::string problem) {
    std::lock_guard lock(mu_);
    secret_problem_ = std::move(problem);
  }

 private:
  std::optional<cloud::Error> TakeFailure(const std::string& op, bool* commit);
  cloud::Observed* FindById(const std::string& id);
  // Records the call, then applies `change` to the resource `id` (a null
  // `change` removes it) unless the operation's failure is a refusal (commit=false).
  cloud::Status Mutate(const std::string& operation, const std::string& id,
                       const std::function<void(cloud::Observed&)>& change);

  std::string name_;
  mutable std::mutex mu_;
  std::vector<cloud::Observed> resources_;
  std::map<std::string, std::pair<cloud::Error, bool>> failures_;
  std::vector<std::string> calls_;
  int next_id_ = 1;
  std::function<void(const std::string&)> hook_;
  std::string secret_problem_;
};

// Errors shaped like the adapters': a lost answer and a definite refusal.
cloud::Error LostAnswer(const std::string& operation);
cloud::Error Refused(const std::string& operation, const std::string& code,
                     const std::string& message, bool retryable = false);

}  // namespace converge::reconcile
