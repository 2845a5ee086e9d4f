#include "manifest/rules.h"

#include <map>
#include <string>
#include <vector>

#include "manifest/message.h"

namespace converge::manifest {
namespace {

using nlohmann::json;

// What the rules of one document see.
class Rules {
 public:
  Rules(const DecodedDocument& doc, DocumentErrors* errors) : doc_(doc), errors_(errors) {}

  void CheckProvider();
  void CheckScnetCredentials();
  void CheckContainerInstance();
  void CheckTiOneNotebook();

 private:
  // The walked value at `dotted` ("spec.image.type"); null when it is absent or
  // failed its own checks.
  const json* Get(const std::string& dotted) const;
  // Whether the document wrote `path`, valid or not.
  bool Present(const std::string& path) const { return doc_.locations.count(path) > 0; }
  void ErrorAt(const std::string& path, std::string message) {
    errors_->AddAt(path, std::move(message));
  }

  const DecodedDocument& doc_;
  DocumentErrors* errors_;
};

const json* Rules::Get(const std::string& dotted) const {
  const json* cur = &doc_.value;
  size_t start = 0;
  while (start <= dotted.size()) {
    const size_t dot = dotted.find('.', start);
    const std::string part =
        dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(part);
    if (it == cur->end()) return nullptr;
    cur = &*it;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return cur;
}

void Rules::CheckProvider() {
  const json* type = Get("spec.type");
  if (type == nullptr) return;
  const bool scnet = *type == "scnet";
  const std::string other = scnet ? "tione" : "scnet";
  const std::vector<std::string> own =
      scnet ? std::vector<std::string>{}
            : std::vector<std::string>{"region", "secretId", "secretKey"};
  const std::vector<std::string> foreign =
      scnet ? std::vector<std::string>{"region", "secretId", "secretKey", "sessionToken"}
            : std::vector<std::string>{"token", "auth", "cluster", "accountEndpoint"};
  for (const auto& name : own) {
    const std::string path = "spec." + name;
    if (Present(path)) continue;
    ErrorAt(path, "required for a " + type->get<std::string>() + " provider" +
                      (name == "region" ? "; set e.g. region: ap-shanghai"
                                        : std::string("; ") + kSecretHint));
  }
  for (const auto& name : foreign) {
    const std::string path = "spec." + name;
    if (Present(path)) ErrorAt(path, "only valid for a " + other + " provider; remove it");
  }
  const bool auth = scnet && Present("spec.auth");
  if (scnet) CheckScnetCredentials();
  if (!auth && !Present("spec.endpoint")) {
    ErrorAt("spec.endpoint",
            "required for a " + type->get<std::string>() + " provider" +
                (scnet ? " with spec.token (with spec.auth it is discovered for spec.cluster)"
                       : std::string()) +
                "; set e.g. endpoint: " +
                (scnet ? "https://api01.example.com:65106" : "https://tione.tencentcloudapi.com"));
  }
}

// Exactly one of a static token and an access key; cluster and accountEndpoint
// go with the access key.
void Rules::CheckScnetCredentials() {
  const bool token = Present("spec.token");
  const bool auth = Present("spec.auth");
  if (token && auth) {
    ErrorAt("spec.auth",
            "set exactly one of spec.token (a static token) and spec.auth (an access key), "
            "not both; remove one");
  } else if (!token && !auth) {
    ErrorAt("spec.token",
            "required for a scnet provider: set exactly one of spec.token (a static token, " +
                std::string(kSecretHint) +
                ") and spec.auth (an access key: {user, accessKey, secretKey})");
  }
  if (auth && !Present("spec.cluster")) {
    ErrorAt("spec.cluster",
            "required with spec.auth: the region's clusterName or clusterId, e.g. cluster: "
            "kunshan");
  }
  if (!auth) {
    for (const std::string name : {"cluster", "accountEndpoint"}) {
      const std::string path = "spec." + name;
      if (Present(path)) ErrorAt(path, "only valid with spec.auth (an access key); remove it");
    }
  }
}

void Rules::CheckContainerInstance() {
  const json* type = Get("spec.accelerator.type");
  const json* count = Get("spec.accelerator.count");
  if (type != nullptr && count != nullptr) {
    const std::string path = "spec.accelerator.count";
    if (*type == "cpu" && *count != 0) {
      ErrorAt(path, "must be 0 when accelerator.type is cpu, got " + count->dump());
    } else if (*type != "cpu" && *count == 0) {
      ErrorAt(path, "must be at least 1 when accelerator.type is " + type->get<std::string>() +
                        " (use type cpu for no accelerator)");
    }
  }
  if (const json* mounts = Get("spec.mounts"); mounts != nullptr && mounts->is_array()) {
    std::map<std::string, size_t> targets;
    for (size_t i = 0; i < mounts->size(); ++i) {
      const json& m = (*mounts)[i];
      if (!m.is_object() || !m.contains("target")) continue;
      const std::string target = m["target"];
      auto [it, inserted] = targets.emplace(target, i);
      if (!inserted) {
        const std::string path = "spec.mounts[" + std::to_string(i) + "].target";
        ErrorAt(path, "duplicate mount target " + Quote(target) + " (also at spec.mounts[" +
                          std::to_string(it->second) + "])");
      }
    }
  }
  if (const json* ports = Get("spec.ports"); ports != nullptr && ports->is_array()) {
    std::map<long long, size_t> seen;
    for (size_t i = 0; i < ports->size(); ++i) {
      const json& p = (*ports)[i];
      if (!p.is_object() || !p.contains("port")) continue;
      const long long port = p["port"];
      auto [it, inserted] = seen.emplace(port, i);
      if (!inserted) {
        const std::string path = "spec.ports[" + std::to_string(i) + "].port";
        ErrorAt(path, "duplicate port " + std::to_string(port) + " (also at spec.ports[" +
                          std::to_string(it->second) + "])");
      }
    }
  }
}

void Rules::CheckTiOneNotebook() {
  const json* charge = Get("spec.chargeType");
  if (charge != nullptr && *charge == "POSTPAID_BY_HOUR" && Get("spec.resources") != nullptr &&
      !Present("spec.resources.instanceType")) {
    ErrorAt("spec.resources.instanceType", "required when chargeType is POSTPAID_BY_HOUR");
  }
  if (charge != nullptr && *charge == "PREPAID") {
    if (!Present("spec.resourceGroupId")) {
      ErrorAt("spec.resourceGroupId", "required when chargeType is PREPAID");
    }
    for (const std::string name : {"cpu", "memory"}) {
      const std::string path = "spec.resources." + name;
      const json* v = Get(path);
      if (v != nullptr && *v == 0) {
        ErrorAt(path, "must be greater than 0 when chargeType is PREPAID");
      }
    }
  }
  const json* image_type = Get("spec.image.type");
  if (image_type != nullptr && *image_type == "TCR" && Get("spec.image") != nullptr &&
      !Present("spec.image.registryId")) {
    ErrorAt("spec.image.registryId", "required when image.type is TCR");
  }
  const json* auto_stopping = Get("spec.autoStopping");
  const json* stop_time = Get("spec.automaticStopTime");
  if (auto_stopping != nullptr && stop_time != nullptr) {
    if (*auto_stopping == true && *stop_time == 0) {
      ErrorAt("spec.automaticStopTime", "must be between 1 and 720 when autoStopping is true");
    } else if (*auto_stopping == false && *stop_time != 0) {
      ErrorAt("spec.automaticStopTime", "only valid when autoStopping is true");
    }
  }
  const json* direct = Get("spec.directInternetAccess");
  const bool vpc = Present("spec.vpcId");
  const bool subnet = Present("spec.subnetId");
  if (direct != nullptr && *direct == false) {
    if (!vpc) ErrorAt("spec.vpcId", "required when directInternetAccess is false");
    if (!subnet) ErrorAt("spec.subnetId", "required when directInternetAccess is false");
  } else if (vpc != subnet) {
    if (!vpc) ErrorAt("spec.vpcId", "required with subnetId");
    if (!subnet) ErrorAt("spec.subnetId", "required with vpcId");
  }
  if (Present("spec.tags.managed-by")) {
    ErrorAt("spec.tags.managed-by", "\"managed-by\" is set by Converge; remove it");
  }
}

}  // namespace

void CheckRules(const DecodedDocument& doc, DocumentErrors* errors) {
  Rules rules(doc, errors);
  switch (*doc.kind) {
    case Kind::kProvider:
      rules.CheckProvider();
      break;
    case Kind::kContainerInstance:
      rules.CheckContainerInstance();
      break;
    case Kind::kTiOneNotebook:
      rules.CheckTiOneNotebook();
      break;
    case Kind::kNotebookService:
      break;
  }
}

}  // namespace converge::manifest
