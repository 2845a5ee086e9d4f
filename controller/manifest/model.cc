#include "manifest/model.h"

namespace converge::manifest {

std::string Location::ToString() const {
  if (line <= 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string SecretRef::Describe() const {
  return (source == Source::kEnv ? "env " : "file ") + ref;
}

std::string_view DeletionPolicyName(DeletionPolicy p) {
  switch (p) {
    case DeletionPolicy::kOrphan:
      return "Orphan";
    case DeletionPolicy::kStop:
      return "Stop";
    case DeletionPolicy::kDelete:
      return "Delete";
  }
  return "Orphan";
}

std::optional<DeletionPolicy> ParseDeletionPolicy(std::string_view name) {
  if (name == "Orphan") return DeletionPolicy::kOrphan;
  if (name == "Stop") return DeletionPolicy::kStop;
  if (name == "Delete") return DeletionPolicy::kDelete;
  return std::nullopt;
}

std::string_view KindName(Kind kind) {
  switch (kind) {
    case Kind::kProvider:
      return "Provider";
    case Kind::kContainerInstance:
      return "ContainerInstance";
    case Kind::kNotebookService:
      return "NotebookService";
    case Kind::kTiOneNotebook:
      return "TiOneNotebook";
  }
  return "";
}

Kind KindOf(const Resource& r) {
  switch (r.index()) {
    case 0:
      return Kind::kContainerInstance;
    case 1:
      return Kind::kNotebookService;
    default:
      return Kind::kTiOneNotebook;
  }
}

const ObjectMeta& MetaOf(const Resource& r) {
  return std::visit([](const auto& x) -> const ObjectMeta& { return x.metadata; }, r);
}

const std::string& ProviderOf(const Resource& r) {
  return std::visit([](const auto& x) -> const std::string& { return x.spec.provider; }, r);
}

const Provider* ManifestSet::FindProvider(const std::string& name) const {
  for (const auto& p : providers) {
    if (p.metadata.name == name) return &p;
  }
  return nullptr;
}

}  // namespace converge::manifest
