// The manifest model: plain value types, one per kind, filled by the loader
// (loader.h) with every default applied. Depends on nothing else of Converge.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace converge::manifest {

inline constexpr char kApiVersion[] = "converge.dev/v1alpha1";

// Where a node came from, 1-based. line == 0 means unknown.
struct Location {
  std::string file;
  int line = 0;
  int column = 0;
  std::string ToString() const;  // "file:line:col"
};

struct ObjectMeta {
  std::string name;
  std::map<std::string, std::string> labels;
  Location location;  // of the document's start
};

// A reference to a secret; the value itself is never part of the model.
struct SecretRef {
  enum class Source { kEnv, kFile };
  Source source = Source::kEnv;
  std::string ref;               // variable name or file path
  std::string Describe() const;  // "env SCNET_TOKEN" / "file /var/run/..."; never the value
};

enum class ProviderType { kScnet, kTione };

struct RateLimit {
  double qps = 10;  // Default: scnet 10, tione 20 (TI-ONE's documented limit).
  int burst = 20;   // Default: scnet 20, tione 20.
};

// An SCNet access key (spec.auth): each part a secret reference.
struct ScnetAuth {
  SecretRef user;
  SecretRef access_key;
  SecretRef secret_key;
};

inline constexpr char kDefaultScnetAccountEndpoint[] = "https://www.scnet.cn";

struct Provider {
  ObjectMeta metadata;
  ProviderType type = ProviderType::kScnet;
  std::string endpoint;            // http(s)://host[:port]; "" (scnet with auth): discovered
  std::string region;              // tione: required (X-TC-Region); scnet: unused
  std::optional<SecretRef> token;  // scnet: this or auth
  std::optional<ScnetAuth> auth;   // scnet: this or token
  std::string cluster;             // scnet with auth: clusterName or clusterId
  std::string account_endpoint = kDefaultScnetAccountEndpoint;  // scnet with auth
  std::optional<SecretRef> secret_id;                           // tione: required
  std::optional<SecretRef> secret_key;                          // tione: required
  std::optional<SecretRef> session_token;  // tione: optional (temporary credentials)
  RateLimit rate_limit;
  std::chrono::milliseconds connect_timeout{5000};   // timeouts.connect, Default: 5s
  std::chrono::milliseconds request_timeout{30000};  // timeouts.request, Default: 30s
  int max_retries = 3;                               // Default: 3 (retryable errors only)
  std::string ca_file;  // extra CA bundle (PEM); TLS verification is always on
};

enum class RestartPolicy { kAlways, kOnFailure, kNever };

// What Converge does to a resource it created once no manifest declares it any
// more and pruning is on (README "Removing and changing resources").
enum class DeletionPolicy { kOrphan, kStop, kDelete };
std::string_view DeletionPolicyName(DeletionPolicy p);  // "Orphan", "Stop", "Delete"
// nullopt for anything but the three names.
std::optional<DeletionPolicy> ParseDeletionPolicy(std::string_view name);

struct Mount {
  std::string source;         // sourcePath
  std::string target;         // targetPath
  std::string type = "data";  // data | path. Default: data
};

struct Port {
  int port = 0;                   // containerPort, 1..65535
  std::string protocol = "HTTP";  // HTTP | SSH. Default: HTTP
};

struct StartScript {
  std::string scope = "all";  // all | header. Default: all
  std::string content;
};

// SCNet container instance (instance-service). metadata.name is instanceServiceName.
struct ContainerInstanceSpec {
  std::string provider;
  std::string task_type;   // ssh | jupyter | codeserver | rstudio
  std::string image_name;  // image.name -> version
  std::string image_path;  // image.path -> imagePath
  std::string resource_group;
  std::string accelerator_type;       // mlu | dcu | gpu | cpu
  int accelerator_count = 0;          // gpuNumber. Default: 0
  int cpu = 1;                        // cpuNumber
  int memory_mb = 0;                  // ramSize
  int replicas = 1;                   // taskNumber. Default: 1
  std::string timeout = "unlimited";  // "HH:MM:SS" | "unlimited". Default: unlimited
  std::optional<StartScript> start_script;
  std::vector<Mount> mounts;
  std::vector<Port> ports;
  RestartPolicy restart_policy = RestartPolicy::kOnFailure;  // Default: OnFailure; while Running
  std::string description;        // user text; Converge appends its ownership mark
  std::string state = "Running";  // Running | Stopped. Default: Running
  DeletionPolicy deletion_policy = DeletionPolicy::kOrphan;  // Default: Orphan
  // None | Recreate. Default: None (drift is reported). Recreate: a drifted
  // instance is deleted and created again from the manifest.
  std::string update_policy = "None";
};

struct ContainerInstance {
  ObjectMeta metadata;
  ContainerInstanceSpec spec;
};

// A custom service on an existing SCNet notebook.
struct NotebookServiceSpec {
  std::string provider;
  std::string notebook;  // notebookName
  int port = 0;          // customizePort, 1..65535
  std::string command;
};

struct NotebookService {
  ObjectMeta metadata;
  NotebookServiceSpec spec;
};

struct TiOneResources {
  std::string instance_type;  // e.g. TI.S.MEDIUM.POST
  int cpu = 0;                // 1/1000 core
  int memory = 0;             // MB
  int gpu = 0;                // 1/100 card. Default: 0
  std::string gpu_type;       // optional
};

struct TiOneImage {
  std::string type = "SYSTEM";  // SYSTEM | CCR | TCR. Default: SYSTEM
  std::string url;
  std::string registry_region;  // optional
  std::string registry_id;      // optional
};

struct TiOneNotebookSpec {
  std::string provider;
  std::string state = "Running";                 // Running | Stopped. Default: Running
  std::string charge_type = "POSTPAID_BY_HOUR";  // PREPAID | POSTPAID_BY_HOUR
  TiOneResources resources;
  TiOneImage image;
  std::string volume_source_type =
      "CLOUD_PREMIUM";      // FREE|CLOUD_PREMIUM|CLOUD_SSD|CFS|CFS_TURBO|GooseFSx
  int volume_size_gb = 10;  // Default: 10
  std::map<std::string, std::string> tags;
  bool log_enable = false;             // Default: false
  bool root_access = true;             // Default: true
  bool auto_stopping = false;          // Default: false
  int automatic_stop_time = 0;         // hours; only with autoStopping. Default: 0
  bool direct_internet_access = true;  // Default: true
  std::string resource_group_id;       // optional (PREPAID)
  std::string vpc_id;                  // optional
  std::string subnet_id;               // optional
  DeletionPolicy deletion_policy = DeletionPolicy::kOrphan;  // Default: Orphan
  // None | Restart. Default: None. Restart: a running notebook whose spec changed
  // is stopped, modified (ModifyNotebook) and started again.
  std::string update_policy = "None";
};

struct TiOneNotebook {
  ObjectMeta metadata;
  TiOneNotebookSpec spec;
};

enum class Kind { kProvider, kContainerInstance, kNotebookService, kTiOneNotebook };
std::string_view KindName(Kind kind);  // "ContainerInstance", ...

// A managed resource of any kind.
using Resource = std::variant<ContainerInstance, NotebookService, TiOneNotebook>;
Kind KindOf(const Resource& r);
const ObjectMeta& MetaOf(const Resource& r);
const std::string& ProviderOf(const Resource& r);

// A loaded, validated manifest set.
struct ManifestSet {
  std::vector<Provider> providers;
  std::vector<Resource> resources;
  // First 12 hex chars of SHA-256 over each file's path relative to the directory given
  // (or its file name) and its bytes, sorted; names the revision in status and metrics.
  std::string revision;

  const Provider* FindProvider(const std::string& name) const;
};

}  // namespace converge::manifest
