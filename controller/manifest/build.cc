#include "manifest/build.h"

#include <map>
#include <string>

#include "manifest/field.h"

namespace converge::manifest {
namespace {

using nlohmann::json;

SecretRef ToSecret(const json& j) {
  SecretRef ref;
  if (j.contains("fromEnv")) {
    ref.source = SecretRef::Source::kEnv;
    ref.ref = j["fromEnv"];
  } else {
    ref.source = SecretRef::Source::kFile;
    ref.ref = j["fromFile"];
  }
  return ref;
}

ObjectMeta ToMeta(const json& j, const Location& location) {
  ObjectMeta meta;
  meta.name = j["metadata"]["name"];
  if (j["metadata"].contains("labels")) {
    meta.labels = j["metadata"]["labels"].get<std::map<std::string, std::string>>();
  }
  meta.location = location;
  return meta;
}

template <typename T>
void Set(const json& j, const char* key, T* out) {
  if (j.contains(key)) *out = j[key].get<T>();
}

}  // namespace

DecodedObject BuildObject(Kind kind, const json& j, const Location& location) {
  const json& s = j["spec"];
  switch (kind) {
    case Kind::kProvider: {
      Provider p;
      p.metadata = ToMeta(j, location);
      p.type = s["type"] == "tione" ? ProviderType::kTione : ProviderType::kScnet;
      Set(s, "endpoint", &p.endpoint);
      Set(s, "region", &p.region);
      if (s.contains("token")) p.token = ToSecret(s["token"]);
      if (s.contains("auth")) {
        const json& a = s["auth"];
        p.auth = ScnetAuth{ToSecret(a["user"]), ToSecret(a["accessKey"]), ToSecret(a["secretKey"])};
      }
      Set(s, "cluster", &p.cluster);
      Set(s, "accountEndpoint", &p.account_endpoint);
      if (s.contains("secretId")) p.secret_id = ToSecret(s["secretId"]);
      if (s.contains("secretKey")) p.secret_key = ToSecret(s["secretKey"]);
      if (s.contains("sessionToken")) p.session_token = ToSecret(s["sessionToken"]);
      p.rate_limit.qps = p.type == ProviderType::kTione ? 20 : 10;
      if (s.contains("rateLimit")) {
        Set(s["rateLimit"], "qps", &p.rate_limit.qps);
        Set(s["rateLimit"], "burst", &p.rate_limit.burst);
      }
      if (s.contains("timeouts")) {
        p.connect_timeout = *ParseDuration(s["timeouts"]["connect"].get<std::string>());
        p.request_timeout = *ParseDuration(s["timeouts"]["request"].get<std::string>());
      }
      Set(s, "maxRetries", &p.max_retries);
      Set(s, "caFile", &p.ca_file);
      return p;
    }
    case Kind::kContainerInstance: {
      ContainerInstance ci;
      ci.metadata = ToMeta(j, location);
      auto& c = ci.spec;
      c.provider = s["provider"];
      c.task_type = s["taskType"];
      c.image_name = s["image"]["name"];
      c.image_path = s["image"]["path"];
      c.resource_group = s["resourceGroup"];
      c.accelerator_type = s["accelerator"]["type"];
      c.accelerator_count = s["accelerator"]["count"];
      c.cpu = s["cpu"];
      c.memory_mb = s["memoryMB"];
      c.replicas = s["replicas"];
      c.timeout = s["timeout"];
      if (s.contains("startScript")) {
        c.start_script =
            StartScript{.scope = s["startScript"]["scope"], .content = s["startScript"]["content"]};
      }
      for (const auto& m : s["mounts"]) {
        c.mounts.push_back(Mount{.source = m["source"], .target = m["target"], .type = m["type"]});
      }
      for (const auto& p : s["ports"]) {
        c.ports.push_back(Port{.port = p["port"], .protocol = p["protocol"]});
      }
      const std::string policy = s["restartPolicy"];
      c.restart_policy = policy == "Always"  ? RestartPolicy::kAlways
                         : policy == "Never" ? RestartPolicy::kNever
                                             : RestartPolicy::kOnFailure;
      c.description = s["description"];
      c.state = s["state"];
      c.update_policy = s["updatePolicy"];
      c.deletion_policy = ParseDeletionPolicy(s["deletionPolicy"].get<std::string>())
                              .value_or(DeletionPolicy::kOrphan);
      return ci;
    }
    case Kind::kNotebookService: {
      NotebookService ns;
      ns.metadata = ToMeta(j, location);
      ns.spec.provider = s["provider"];
      ns.spec.notebook = s["notebook"];
      ns.spec.port = s["port"];
      ns.spec.command = s["command"];
      return ns;
    }
    case Kind::kTiOneNotebook: {
      TiOneNotebook nb;
      nb.metadata = ToMeta(j, location);
      auto& t = nb.spec;
      t.provider = s["provider"];
      t.state = s["state"];
      t.charge_type = s["chargeType"];
      const json& r = s["resources"];
      Set(r, "instanceType", &t.resources.instance_type);
      t.resources.cpu = r["cpu"];
      t.resources.memory = r["memory"];
      t.resources.gpu = r["gpu"];
      Set(r, "gpuType", &t.resources.gpu_type);
      const json& im = s["image"];
      t.image.type = im["type"];
      t.image.url = im["url"];
      Set(im, "registryRegion", &t.image.registry_region);
      Set(im, "registryId", &t.image.registry_id);
      t.volume_source_type = s["volumeSourceType"];
      t.volume_size_gb = s["volumeSizeInGB"];
      Set(s, "tags", &t.tags);
      t.log_enable = s["logEnable"];
      t.root_access = s["rootAccess"];
      t.auto_stopping = s["autoStopping"];
      t.automatic_stop_time = s["automaticStopTime"];
      t.direct_internet_access = s["directInternetAccess"];
      Set(s, "resourceGroupId", &t.resource_group_id);
      Set(s, "vpcId", &t.vpc_id);
      Set(s, "subnetId", &t.subnet_id);
      t.deletion_policy = ParseDeletionPolicy(s["deletionPolicy"].get<std::string>())
                              .value_or(DeletionPolicy::kOrphan);
      t.update_policy = s["updatePolicy"];
      return nb;
    }
  }
  return std::monostate();
}

}  // namespace converge::manifest
