#include "reconcile/desired.h"

#include <charconv>
#include <cstdint>

namespace converge::reconcile {

cloud::ResourceKind ObservedKindOf(manifest::Kind kind) {
  switch (kind) {
    case manifest::Kind::kNotebookService:
      return cloud::ResourceKind::kNotebook;
    case manifest::Kind::kTiOneNotebook:
      return cloud::ResourceKind::kTiOneNotebook;
    default:
      return cloud::ResourceKind::kContainerInstance;
  }
}

const std::string& CloudNameOf(const manifest::Resource& r) {
  if (const auto* ns = std::get_if<manifest::NotebookService>(&r)) return ns->spec.notebook;
  return manifest::MetaOf(r).name;
}

cloud::ContainerInstanceCreate ToCreateRequest(const manifest::ContainerInstance& ci) {
  const auto& s = ci.spec;
  cloud::ContainerInstanceCreate req;
  req.instance_service_name = ci.metadata.name;
  req.description = s.description.empty() ? kOwnershipMark : s.description + " " + kOwnershipMark;
  req.task_type = s.task_type;
  req.accelerator_type = s.accelerator_type;
  req.version = s.image_name;
  req.image_path = s.image_path;
  req.timeout_limit = s.timeout;
  req.task_number = s.replicas;
  req.resource_group = s.resource_group;
  if (s.start_script) {
    req.use_start_script = true;
    req.start_script_action_scope = s.start_script->scope;
    req.start_script_content = s.start_script->content;
  }
  req.cpu_number = s.cpu;
  req.ram_size = s.memory_mb;
  req.gpu_number = s.accelerator_count;
  for (const auto& m : s.mounts) req.mounts.push_back({m.source, m.target, m.type});
  for (const auto& p : s.ports) req.ports.push_back({p.port, p.protocol});
  return req;
}

cloud::TiOneNotebookCreate ToCreateRequest(const manifest::TiOneNotebook& nb) {
  const auto& s = nb.spec;
  cloud::TiOneNotebookCreate req;
  req.name = nb.metadata.name;
  req.charge_type = s.charge_type;
  req.instance_type = s.resources.instance_type;
  req.cpu = s.resources.cpu;
  req.memory = s.resources.memory;
  req.gpu = s.resources.gpu;
  req.gpu_type = s.resources.gpu_type;
  req.image_type = s.image.type;
  req.image_url = s.image.url;
  req.registry_region = s.image.registry_region;
  req.registry_id = s.image.registry_id;
  req.volume_source_type = s.volume_source_type;
  req.volume_size_gb = s.volume_size_gb;
  req.tags = s.tags;
  req.tags[kOwnershipTagKey] = kOwnershipTagValue;
  req.log_enable = s.log_enable;
  req.root_access = s.root_access;
  req.auto_stopping = s.auto_stopping;
  req.direct_internet_access = s.direct_internet_access;
  req.automatic_stop_time = s.automatic_stop_time;
  req.resource_group_id = s.resource_group_id;
  req.vpc_id = s.vpc_id;
  req.subnet_id = s.subnet_id;
  return req;
}

bool IsOwnedByConverge(const cloud::Observed& o) {
  if (o.description.find(kOwnershipMark) != std::string::npos) return true;
  auto it = o.tags.find(kOwnershipTagKey);
  return it != o.tags.end() && it->second == kOwnershipTagValue;
}

namespace {

// A number's text without allocating.
class Decimal {
 public:
  explicit Decimal(int64_t v) : size_(std::to_chars(text_, text_ + sizeof text_, v).ptr - text_) {}
  std::string_view view() const { return {text_, static_cast<size_t>(size_)}; }

 private:
  char text_[24];
  ptrdiff_t size_;
};

}  // namespace

void ForEachDesiredAttribute(const manifest::Resource& r,
                             const std::function<void(const DesiredAttribute&)>& visit) {
  if (const auto* ci = std::get_if<manifest::ContainerInstance>(&r)) {
    const auto& s = ci->spec;
    visit({"taskType", "taskType", s.task_type});
    visit({"acceleratorType", "accelerator.type", s.accelerator_type});
    visit({"gpuNumber", "accelerator.count", Decimal(s.accelerator_count).view()});
    visit({"version", "image.name", s.image_name});
    visit({"imagePath", "image.path", s.image_path});
    visit({"resourceGroup", "resourceGroup", s.resource_group});
    visit({"cpuNumber", "cpu", Decimal(s.cpu).view()});
    visit({"ramSize", "memoryMB", Decimal(s.memory_mb).view()});
    visit({"taskNumber", "replicas", Decimal(s.replicas).view()});
    visit({"timeoutLimit", "timeout", s.timeout});
  } else if (const auto* nb = std::get_if<manifest::TiOneNotebook>(&r)) {
    const auto& s = nb->spec;
    visit({"ChargeType", "chargeType", s.charge_type});
    visit({"ResourceConf.InstanceType", "resources.instanceType", s.resources.instance_type});
    visit({"ResourceConf.Cpu", "resources.cpu", Decimal(s.resources.cpu).view()});
    visit({"ResourceConf.Memory", "resources.memory", Decimal(s.resources.memory).view()});
    visit({"ResourceConf.Gpu", "resources.gpu", Decimal(s.resources.gpu).view()});
    visit({"ImageInfo.ImageUrl", "image.url", s.image.url});
    visit({"VolumeSizeInGB", "volumeSizeInGB", Decimal(s.volume_size_gb).view()});
  }
  // A NotebookService's command and port are compared by the diff itself.
}

}  // namespace converge::reconcile

#include <nlohmann/json.hpp>

namespace converge::reconcile {

std::string Fingerprint(const manifest::Resource& r) {
  nlohmann::json j;
  if (const auto* ci = std::get_if<manifest::ContainerInstance>(&r)) {
    const auto req = ToCreateRequest(*ci);
    nlohmann::json mounts = nlohmann::json::array(), ports = nlohmann::json::array();
    for (const auto& m : req.mounts) mounts.push_back({m.source_path, m.target_path, m.type});
    for (const auto& p : req.ports) ports.push_back({p.container_port, p.protocol_type});
    j = {req.instance_service_name,
         req.description,
         req.task_type,
         req.accelerator_type,
         req.version,
         req.image_path,
         req.timeout_limit,
         req.task_number,
         req.resource_group,
         req.use_start_script,
         req.start_script_action_scope,
         req.start_script_content,
         req.cpu_number,
         req.ram_size,
         req.gpu_number,
         mounts,
         ports,
         static_cast<int>(ci->spec.restart_policy),
         ci->spec.state,
         ci->spec.update_policy};
  } else if (const auto* ns = std::get_if<manifest::NotebookService>(&r)) {
    j = {ns->spec.notebook, ns->spec.port, ns->spec.command};
  } else {
    const auto& nb = std::get<manifest::TiOneNotebook>(r);
    const auto req = ToCreateRequest(nb);
    j = {req.name,
         req.charge_type,
         req.instance_type,
         req.cpu,
         req.memory,
         req.gpu,
         req.gpu_type,
         req.image_type,
         req.image_url,
         req.registry_region,
         req.registry_id,
         req.volume_source_type,
         req.volume_size_gb,
         req.tags,
         req.log_enable,
         req.root_access,
         req.auto_stopping,
         req.direct_internet_access,
         req.automatic_stop_time,
         req.resource_group_id,
         req.vpc_id,
         req.subnet_id,
         nb.spec.state,
         nb.spec.update_policy};
  }
  return j.dump();
}

std::string ResourceKey(const manifest::Resource& r) {
  return std::string(manifest::KindName(manifest::KindOf(r))) + "/" + manifest::ProviderOf(r) +
         "/" + manifest::MetaOf(r).name;
}

}  // namespace converge::reconcile
