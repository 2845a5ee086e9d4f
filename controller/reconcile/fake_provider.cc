#include "reconcile/fake_provider.h"

namespace converge::reconcile {

cloud::Error LostAnswer(const std::string& operation) {
  cloud::Error e;
  e.category = cloud::Error::Category::kTransport;
  e.retryable = true;
  e.outcome_unknown = true;
  e.operation = operation;
  e.message = "connection reset before the answer";
  return e;
}

cloud::Error Refused(const std::string& operation, const std::string& code,
                     const std::string& message, bool retryable) {
  cloud::Error e;
  e.category = retryable ? cloud::Error::Category::kServer : cloud::Error::Category::kInvalid;
  e.retryable = retryable;
  e.operation = operation;
  e.code = code;
  e.message = message;
  e.http_status = 200;
  return e;
}

std::optional<cloud::Error> FakeProvider::TakeFailure(const std::string& op, bool* commit) {
  auto it = failures_.find(op);
  if (it == failures_.end()) return std::nullopt;
  auto [error, c] = it->second;
  failures_.erase(it);
  if (commit) *commit = c;
  return error;
}

cloud::Observed* FakeProvider::FindById(const std::string& id) {
  for (auto& r : resources_) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

cloud::Result<std::vector<cloud::Observed>> FakeProvider::List(cloud::ResourceKind kind) {
  const std::string call = "List " + std::string(cloud::ResourceKindName(kind));
  if (hook_) hook_(call);
  std::lock_guard lock(mu_);
  calls_.push_back(call);
  if (auto f = TakeFailure("List", nullptr)) return std::unexpected(*f);
  std::vector<cloud::Observed> out;
  for (const auto& r : resources_) {
    if (r.kind == kind) out.push_back(r);
  }
  return out;
}

cloud::Result<std::vector<cloud::Observed>> FakeProvider::ListByName(cloud::ResourceKind kind,
                                                                     const std::string& name) {
  const std::string call = "ListByName " + name;
  if (hook_) hook_(call);
  std::lock_guard lock(mu_);
  calls_.push_back(call);
  if (auto f = TakeFailure("ListByName", nullptr)) return std::unexpected(*f);
  std::vector<cloud::Observed> out;
  for (const auto& r : resources_) {
    if (r.kind == kind && r.name == name) out.push_back(r);
  }
  return out;
}

cloud::Result<std::string> FakeProvider::CreateContainerInstance(
    const cloud::ContainerInstanceCreate& req) {
  const std::string call = "CreateContainerInstance " + req.instance_service_name;
  if (hook_) hook_(call);
  std::lock_guard lock(mu_);
  calls_.push_back(call);
  bool commit = false;
  auto failure = TakeFailure("CreateContainerInstance", &commit);
  if (failure && !commit) return std::unexpected(*failure);
  cloud::Observed o;
  o.kind = cloud::ResourceKind::kContainerInstance;
  o.id = "ci-" + std::to_string(next_id_++);
  o.name = req.instance_service_name;
  o.status = "Waiting";
  o.description = req.description;
  o.attributes = {{"cpuNumber", std::to_string(req.cpu_number)},
                  {"ramSize", std::to_string(req.ram_size)}};
  resources_.push_back(o);
  if (failure) return std::unexpected(*failure);
  return o.id;
}

cloud::Result<std::string> FakeProvider::CreateTiOneNotebook(
    const cloud::TiOneNotebookCreate& req) {
  const std::string call = "CreateNotebook " + req.name;
  if (hook_) hook_(call);
  std::lock_guard lock(mu_);
  calls_.push_back(call);
  bool commit = false;
  auto failure = TakeFailure("CreateNotebook", &commit);
  if (failure && !commit) return std::unexpected(*failure);
  cloud::Observed o;
  o.kind = cloud::ResourceKind::kTiOneNotebook;
  o.id = "nb-" + std::to_string(next_id_++);
  o.name = req.name;
  o.status = "Submitting";
  o.tags = req.tags;
  resources_.push_back(o);
  if (failure) return std::unexpected(*failure);
  return o.id;
}

cloud::Status FakeProvider::RestartContainerInstance(const std::string& id) {
  const std::string call = "RestartContainerInstance " + id;
  if (hook_) hook_(call);
  std::lock_guard lock(mu_);
  calls_.push_back(call);
  if (auto f = TakeFailure("RestartContainerInstance", nullptr)) return std::unexpected(*f);
  if (auto* r = FindById(id)) r->status = "Waiting";
  return {};
}

cloud::Status FakeProvider::StartNotebook(cloud::ResourceKind kind, const std::string& id) {
  const std::string call = "StartNotebook " + id;
  if (hook_) hook_(call);
  std::lock_guard lock(mu_);
  calls_.push_back(call);
  if (auto f = TakeFailure("StartNotebook", nullptr)) return std::unexpected(*f);
  if (auto* r = FindById(id)) {
    r->status = kind == cloud::ResourceKind::kNotebook ? "Restarting" : "Starting";
  }
  return {};
}

cloud::Status FakeProvider::StopNotebook(cloud::ResourceKind kind, const std::string& id) {
  const std::string call = "StopNotebook " + id;
  if (hook_) hook_(call);
  std::lock_guard lock(mu_);
  calls_.push_back(call);
  if (auto f = TakeFailure("StopNotebook", nullptr)) return std::unexpected(*f);
  if (auto* r = FindById(id)) r->status = "Stopping";
  return {};
}

cloud::Status FakeProvider::Mutate(const std::string& operation, const std::string& id,
                                   const std::function<void(cloud::Observed&)>& change) {
  const std::string call = operation + " " + id;
  if (hook_) hook_(call);
  std::lock_guard lock(mu_);
  calls_.push_back(call);
  bool commit = false;
  auto failure = TakeFailure(operation, &commit);
  if (failure && !commit) return std::unexpected(*failure);
  if (change) {
    if (auto* r = FindById(id)) change(*r);
  } else {
    std::erase_if(resources_, [&](const cloud::Observed& o) { return o.id == id; });
  }
  if (failure) return std::unexpected(*failure);
  return {};
}

cloud::Status FakeProvider::StopContainerInstance(const std::string& id) {
  return Mutate("StopContainerInstance", id, [](cloud::Observed& r) { r.status = "Terminated"; });
}

cloud::Status FakeProvider::DeleteContainerInstance(const std::string& id) {
  return Mutate("DeleteContainerInstance", id, nullptr);
}

cloud::Status FakeProvider::DeleteNotebook(cloud::ResourceKind, const std::string& id) {
  return Mutate("DeleteNotebook", id, nullptr);
}

cloud::Status FakeProvider::ModifyTiOneNotebook(const std::string& id,
                                                const cloud::TiOneNotebookCreate& req) {
  return Mutate("ModifyNotebook", id, [&](cloud::Observed& r) {
    r.attributes["ResourceConf.Cpu"] = std::to_string(req.cpu);
    r.attributes["ResourceConf.Memory"] = std::to_string(req.memory);
    r.attributes["ResourceConf.Gpu"] = std::to_string(req.gpu);
    r.attributes["ResourceConf.InstanceType"] = req.instance_type;
    r.attributes["ImageInfo.ImageUrl"] = req.image_url;
    r.attributes["VolumeSizeInGB"] = std::to_string(req.volume_size_gb);
  });
}

cloud::Status FakeProvider::StartNotebookService(const std::string& notebook_id, int port,
                                                 const std::string& command) {
  const std::string call = "StartNotebookService " + notebook_id;
  if (hook_) hook_(call);
  std::lock_guard lock(mu_);
  calls_.push_back(call);
  if (auto f = TakeFailure("StartNotebookService", nullptr)) return std::unexpected(*f);
  if (auto* r = FindById(notebook_id)) {
    r->service_command = command;
    r->service_port = port;
  }
  return {};
}

void FakeProvider::Put(cloud::Observed o) {
  std::lock_guard lock(mu_);
  if (auto* r = FindById(o.id)) {
    *r = std::move(o);
  } else {
    resources_.push_back(std::move(o));
  }
}

void FakeProvider::SetStatus(const std::string& name, const std::string& status) {
  std::lock_guard lock(mu_);
  for (auto& r : resources_) {
    if (r.name == name) {
      r.status = status;
      if (status != "Running" && r.kind == cloud::ResourceKind::kNotebook) {
        r.service_command.clear();
        r.service_port.reset();
      }
    }
  }
}

std::vector<cloud::Observed> FakeProvider::All() const {
  std::lock_guard lock(mu_);
  return resources_;
}

void FakeProvider::FailNext(const std::string& operation, cloud::Error error, bool commit) {
  std::lock_guard lock(mu_);
  failures_[operation] = {std::move(error), commit};
}

std::vector<std::string> FakeProvider::Calls() const {
  std::lock_guard lock(mu_);
  return calls_;
}

int FakeProvider::CountCalls(const std::string& prefix) const {
  std::lock_guard lock(mu_);
  int n = 0;
  for (const auto& c : calls_) n += c.rfind(prefix, 0) == 0 ? 1 : 0;
  return n;
}

void FakeProvider::ClearCalls() {
  std::lock_guard lock(mu_);
  calls_.clear();
}

}  // namespace converge::reconcile
