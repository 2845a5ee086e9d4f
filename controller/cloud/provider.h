// The provider interface: everything the reconciler knows of a cloud. In the
// spirit of crossplane-runtime's ExternalClient: observe by listing (no side
// effects), then act with one call per action. One adapter per cloud
// (scnet/, tione/); the reconciler never sees them directly.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cloud/attributes.h"
#include "cloud/error.h"

namespace converge::cloud {

enum class ResourceKind {
  kContainerInstance,  // SCNet instance-service
  kNotebook,           // SCNet notebook (the host of a NotebookService)
  kTiOneNotebook,      // TI-ONE notebook
};
std::string_view ResourceKindName(ResourceKind k);

// What a list call reports of one cloud resource. A plain value.
struct Observed {
  ResourceKind kind = ResourceKind::kContainerInstance;
  std::string id;
  std::string name;         // instanceServiceName / notebookName / Name
  std::string status;       // the cloud's status word, verbatim ("Running", "Stopped", ...)
  std::string description;  // SCNet container instances
  std::map<std::string, std::string> tags;  // TI-ONE tags
  std::string message;  // the cloud's failure text (errorMessage, FailureReason), may be ""
  // Spec-comparable attributes the cloud reported, keyed by the API's field name
  // ("cpuNumber", "ramSize", "imagePath", "ResourceConf.Cpu", ...). A key absent
  // here was not reported and is not compared.
  Attributes attributes;
  // SCNet notebooks: the custom service last started on it, as the list reports it.
  std::string service_command;
  std::optional<int> service_port;
  bool operator==(const Observed&) const = default;
};

struct MountRequest {
  std::string source_path, target_path, type;
};
struct PortRequest {
  int container_port = 0;
  std::string protocol_type;
};

// instance-service/task create, field for field.
struct ContainerInstanceCreate {
  std::string instance_service_name;
  std::string description;
  std::string task_type;
  std::string accelerator_type;
  std::string version;  // image name
  std::string image_path;
  std::string timeout_limit;
  int task_number = 1;
  std::string resource_group;
  bool use_start_script = false;
  std::string start_script_action_scope = "all";
  std::string start_script_content;
  int cpu_number = 1;
  int ram_size = 0;
  int gpu_number = 0;
  std::vector<MountRequest> mounts;
  std::vector<PortRequest> ports;
};

// TI-ONE CreateNotebook, field for field.
struct TiOneNotebookCreate {
  std::string name;
  std::string charge_type;
  std::string instance_type;
  int cpu = 0, memory = 0, gpu = 0;
  std::string gpu_type;
  std::string image_type, image_url, registry_region, registry_id;
  std::string volume_source_type;
  int volume_size_gb = 0;
  std::map<std::string, std::string> tags;
  bool log_enable = false, root_access = true, auto_stopping = false, direct_internet_access = true;
  int automatic_stop_time = 0;
  std::string resource_group_id, vpc_id, subnet_id;
};

// Thread-safe: the reconciler calls it from several workers at once. Every call
// goes through the provider's rate limiter. Mutating calls are never retried
// automatically when their outcome is unknown (Error::outcome_unknown); the
// caller lists and decides.
class Provider {
 public:
  virtual ~Provider() = default;
  virtual const std::string& name() const = 0;
  // Why a secret file's newest content is not in use (the provider goes on with
  // the value read before), "" when every secret is fine. Never a value.
  virtual std::string SecretProblem() const { return ""; }
  // Where the calls go ("https://host:port"): the configured endpoint, or the one
  // discovered for the cluster; "" while not known.
  virtual std::string Endpoint() const { return ""; }

  // Every resource of `kind` on this provider, all pages. No side effects.
  // Error category kInvalid when the provider does not hold that kind.
  virtual Result<std::vector<Observed>> List(ResourceKind kind) = 0;
  // Those named exactly `name` (server-side filter where the API has one).
  virtual Result<std::vector<Observed>> ListByName(ResourceKind kind, const std::string& name) = 0;

  // Creates; returns the new id. Not idempotent: see the class comment.
  virtual Result<std::string> CreateContainerInstance(const ContainerInstanceCreate& req) = 0;
  virtual Result<std::string> CreateTiOneNotebook(const TiOneNotebookCreate& req) = 0;

  // Restarts a failed or stopped container instance.
  virtual Status RestartContainerInstance(const std::string& id) = 0;
  // Powers on a notebook (SCNet kNotebook or kTiOneNotebook).
  virtual Status StartNotebook(ResourceKind kind, const std::string& id) = 0;
  // Stops a TI-ONE notebook.
  virtual Status StopNotebook(ResourceKind kind, const std::string& id) = 0;
  // Stops a running (or deploying) SCNet container instance; it becomes Terminated.
  virtual Status StopContainerInstance(const std::string& id) = 0;
  // Deletes an SCNet container instance (any status).
  virtual Status DeleteContainerInstance(const std::string& id) = 0;
  // Deletes a TI-ONE notebook; the cloud accepts it only once the notebook is
  // not running (Stopped, Failed, SubmitFailed).
  virtual Status DeleteNotebook(ResourceKind kind, const std::string& id) = 0;
  // TI-ONE ModifyNotebook with `req`'s modifiable fields (name, resources, image,
  // volume size (grow only), auto-stop, tags, access flags); never ChargeType,
  // VpcId, SubnetId or VolumeSourceType. Only while the notebook is not running.
  virtual Status ModifyTiOneNotebook(const std::string& id, const TiOneNotebookCreate& req) = 0;
  // Starts the custom service on a running SCNet notebook. execSuccess:false is an
  // Error of category kRejected carrying the cloud's errorMsg.
  virtual Status StartNotebookService(const std::string& notebook_id, int port,
                                      const std::string& command) = 0;
};

}  // namespace converge::cloud
