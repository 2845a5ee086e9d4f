#include "manifest/field.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace converge::manifest {
namespace {

using FT = FieldType;
using nlohmann::ordered_json;

constexpr char kDeletionPolicyHelp[] =
    "What Converge does once no manifest declares this resource and pruning is on (--prune): "
    "Orphan leaves it, Stop stops it, Delete deletes it. Only resources Converge created "
    "(ownership mark) are ever stopped or deleted.";
constexpr char kNameMessage[] =
    "must contain only letters, digits, '_', '-' and '.', and start with a letter or digit";

Field SecretField(std::string name, std::string description) {
  return Field{.name = std::move(name), .type = FT::kSecret, .description = std::move(description)};
}

Field RequiredSecret(std::string name, std::string description) {
  Field f = SecretField(std::move(name), std::move(description));
  f.required = true;
  return f;
}

Field MetadataField(Kind kind) {
  Field name{.name = "name", .type = FT::kString, .required = true, .min_length = 1};
  switch (kind) {
    case Kind::kProvider:
      name.description =
          "Provider name, referenced by spec.provider of resources and used as the `provider` "
          "metric label.";
      name.max_length = 63;
      name.pattern = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
      name.pattern_message =
          "must be a lowercase DNS label: a-z, 0-9 and '-', starting and ending with a letter or "
          "digit";
      break;
    case Kind::kContainerInstance:
      name.description =
          "Identity of the container instance: sent as instanceServiceName and matched against "
          "what SCNet lists.";
      name.max_length = 64;
      name.pattern = "^[A-Za-z0-9][A-Za-z0-9_.-]*$";
      name.pattern_message = kNameMessage;
      break;
    case Kind::kNotebookService:
      name.description = "Name of this custom service (the notebook is spec.notebook).";
      name.max_length = 64;
      name.pattern = "^[A-Za-z0-9][A-Za-z0-9_.-]*$";
      name.pattern_message = kNameMessage;
      break;
    case Kind::kTiOneNotebook:
      name.description =
          "Identity of the notebook: sent as the TI-ONE Name (at most 60 characters) and matched "
          "against DescribeNotebooks.";
      name.max_length = 60;
      name.pattern = "^[A-Za-z0-9][A-Za-z0-9_-]*$";
      name.pattern_message =
          "must contain only letters, digits, '_' and '-', and start with a letter or digit";
      break;
  }
  return Field{
      .name = "metadata",
      .type = FT::kObject,
      .description = "Standard object metadata.",
      .required = true,
      .fields = {
          name,
          Field{.name = "labels",
                .type = FT::kStringMap,
                .description = "Free-form key/value labels for people and tools; not sent to the "
                               "cloud.",
                .max_length = 63,
                .max_properties = 64,
                .key_max_length = 63,
                .key_pattern = "^[A-Za-z0-9]([A-Za-z0-9_./-]*[A-Za-z0-9])?$",
                .key_pattern_message = "label keys must contain only letters, digits, '_', '-', "
                                       "'.' and '/', and start and end with a letter or digit"},
      }};
}

std::vector<Field> ProviderSpec() {
  return {
      Field{.name = "type",
            .description = "Which cloud this provider talks to.",
            .required = true,
            .enum_values = {"scnet", "tione"}},
      Field{.name = "endpoint",
            .description = "Base URL of the API, e.g. https://api01.example.com:65106 (SCNet) or "
                           "https://tione.tencentcloudapi.com (TI-ONE). Required, except for "
                           "scnet with spec.auth, where it is discovered for spec.cluster when "
                           "omitted (an explicit endpoint wins).",
            .max_length = 2048,
            .format = Format::kHttpUrl},
      Field{.name = "region",
            .description = "TI-ONE region, sent as X-TC-Region. Required for type tione; not "
                           "allowed for scnet.",
            .max_length = 64,
            .pattern = "^[a-z]+(-[a-z0-9]+)+$",
            .pattern_message = "must be a region like ap-shanghai"},
      SecretField("token",
                  "SCNet API token, sent as the `token` header. Type scnet needs exactly one of "
                  "token and auth; not allowed for tione."),
      Field{.name = "auth",
            .type = FT::kObject,
            .description = "SCNet access key: tokens are obtained with it from accountEndpoint, "
                           "renewed before they expire and obtained anew when renewal fails. "
                           "Type scnet needs exactly one of token and auth; not allowed for tione.",
            .fields = {RequiredSecret("user", "SCNet user name (the `user` header)."),
                       RequiredSecret("accessKey", "SCNet AccessKey."),
                       RequiredSecret("secretKey",
                                      "SCNet SecretKey: signs the token request (HMAC-SHA256); "
                                      "never sent.")}},
      Field{.name = "cluster",
            .description = "The SCNet region the resources run in: its clusterName or clusterId "
                           "as the token request lists them. Required with auth.",
            .min_length = 1,
            .max_length = 128},
      Field{.name = "accountEndpoint",
            .description = "SCNet account host that issues tokens and lists endpoints. Only with "
                           "auth. Default: https://www.scnet.cn.",
            .max_length = 2048,
            .format = Format::kHttpUrl},
      SecretField("secretId",
                  "Tencent Cloud SecretId for TC3-HMAC-SHA256 signing. Required for "
                  "type tione; not allowed for scnet."),
      SecretField("secretKey",
                  "Tencent Cloud SecretKey for TC3-HMAC-SHA256 signing. Required for "
                  "type tione; not allowed for scnet."),
      SecretField("sessionToken",
                  "Tencent Cloud session token of temporary credentials (a CAM role, STS), "
                  "sent as X-TC-Token with the temporary SecretId and SecretKey. Optional "
                  "for type tione; not allowed for scnet."),
      Field{.name = "rateLimit",
            .type = FT::kObject,
            .description = "Token bucket toward this provider, shared by every resource on it.",
            .fields =
                {
                    Field{.name = "qps",
                          .type = FT::kNumber,
                          .description = "Sustained requests per second. Default: 10 for scnet, 20 "
                                         "for tione (TI-ONE's documented limit).",
                          .minimum = 0,
                          .maximum = 1000,
                          .exclusive_minimum = true},
                    Field{.name = "burst",
                          .type = FT::kInteger,
                          .description = "Requests allowed at once after an idle period.",
                          .default_value = 20,
                          .minimum = 1,
                          .maximum = 1000},
                }},
      Field{
          .name = "timeouts",
          .type = FT::kObject,
          .description = "HTTP timeouts toward this provider.",
          .fields =
              {
                  Field{.name = "connect",
                        .description =
                            "TCP/TLS connect timeout, a duration like \"5s\". The HTTP library has "
                            "one timeout per exchange, so today connecting is bounded "
                            "by timeouts.request.",
                        .default_value = "5s",
                        .format = Format::kDuration},
                  Field{.name = "request",
                        .description = "Whole-request timeout, a duration like \"30s\".",
                        .default_value = "30s",
                        .format = Format::kDuration},
              }},
      Field{.name = "maxRetries",
            .type = FT::kInteger,
            .description = "Retries of a failed call when the failure is retryable (never for "
                           "creates whose answer was lost).",
            .default_value = 3,
            .minimum = 0,
            .maximum = 10},
      Field{.name = "caFile",
            .description = "Extra CA bundle (PEM) to trust; TLS verification is always on.",
            .max_length = 4096,
            .format = Format::kAbsolutePath},
  };
}

std::vector<Field> ContainerInstanceSpec() {
  return {
      Field{.name = "provider",
            .description = "Name of a Provider of type scnet.",
            .required = true,
            .min_length = 1},
      Field{.name = "taskType",
            .description = "What the instance serves. Maps to taskType.",
            .required = true,
            .enum_values = {"ssh", "jupyter", "codeserver", "rstudio"}},
      Field{.name = "image",
            .type = FT::kObject,
            .description = "Container image.",
            .required = true,
            .fields =
                {
                    Field{.name = "name",
                          .description = "Image name and tag, e.g. jupyter:4.4-py3.7-cpu. Maps to "
                                         "version.",
                          .required = true,
                          .min_length = 1,
                          .max_length = 256,
                          .pattern = "^\\S+$",
                          .pattern_message = "must not contain spaces"},
                    Field{.name = "path",
                          .description = "Full image reference in the registry. Maps to imagePath.",
                          .required = true,
                          .min_length = 1,
                          .max_length = 512,
                          .pattern = "^\\S+$",
                          .pattern_message = "must not contain spaces"},
                }},
      Field{.name = "resourceGroup",
            .description = "SCNet resource group (queue), e.g. TeslaM40. Maps to resourceGroup.",
            .required = true,
            .min_length = 1,
            .max_length = 128},
      Field{
          .name = "accelerator",
          .type = FT::kObject,
          .description = "Accelerator kind and count.",
          .required = true,
          .fields =
              {
                  Field{.name = "type",
                        .description = "Accelerator type; cpu means none. Maps to acceleratorType.",
                        .required = true,
                        .enum_values = {"mlu", "dcu", "gpu", "cpu"}},
                  Field{.name = "count",
                        .type = FT::kInteger,
                        .description = "Accelerator cards per replica; must be 0 for type cpu and "
                                       "at least 1 otherwise. Maps to gpuNumber.",
                        .default_value = 0,
                        .minimum = 0,
                        .maximum = 64},
              }},
      Field{.name = "cpu",
            .type = FT::kInteger,
            .description = "CPU cores per replica. Maps to cpuNumber.",
            .default_value = 1,
            .minimum = 1,
            .maximum = 1024},
      Field{.name = "memoryMB",
            .type = FT::kInteger,
            .description = "Memory per replica in MB. Maps to ramSize.",
            .required = true,
            .minimum = 1,
            .maximum = 16777216},
      Field{.name = "replicas",
            .type = FT::kInteger,
            .description = "Number of task replicas. Maps to taskNumber.",
            .default_value = 1,
            .minimum = 1,
            .maximum = 1000},
      Field{.name = "timeout",
            .description = "Automatic stop after HH:MM:SS of running, or \"unlimited\". Maps to "
                           "timeoutLimit.",
            .default_value = "unlimited",
            .format = Format::kTimeLimit},
      Field{.name = "startScript",
            .type = FT::kObject,
            .description = "Script run when the container starts. When present, useStartScript "
                           "is true.",
            .fields =
                {
                    Field{.name = "scope",
                          .description = "all: every container; header: the first one only. Maps "
                                         "to startScriptActionScope.",
                          .default_value = "all",
                          .enum_values = {"all", "header"}},
                    Field{.name = "content",
                          .description = "Shell commands. Maps to startScriptContent.",
                          .required = true,
                          .min_length = 1,
                          .max_length = 65536},
                }},
      Field{.name = "mounts",
            .type = FT::kArray,
            .description = "Storage mounted into the container. Maps to mountInfoList.",
            .default_value = ordered_json::array(),
            .fields =
                {
                    Field{.name = "source",
                          .description = "Path on the cluster's storage. Maps to sourcePath.",
                          .required = true,
                          .max_length = 4096,
                          .format = Format::kAbsolutePath},
                    Field{.name = "target",
                          .description = "Path inside the container. Maps to targetPath.",
                          .required = true,
                          .max_length = 4096,
                          .format = Format::kAbsolutePath},
                    Field{.name = "type",
                          .description = "Mount type. Maps to type.",
                          .default_value = "data",
                          .enum_values = {"data", "path"}},
                },
            .max_items = 32},
      Field{.name = "ports",
            .type = FT::kArray,
            .description = "Container ports to expose. Maps to containerPortInfoList.",
            .default_value = ordered_json::array(),
            .fields =
                {
                    Field{.name = "port",
                          .type = FT::kInteger,
                          .description = "Port number. Maps to containerPort.",
                          .required = true,
                          .minimum = 1,
                          .maximum = 65535},
                    Field{.name = "protocol",
                          .description = "Protocol. Maps to protocolType.",
                          .default_value = "HTTP",
                          .enum_values = {"HTTP", "SSH"}},
                },
            .max_items = 32},
      Field{.name = "restartPolicy",
            .description = "When Converge restarts the instance while state is Running: Always "
                           "(after Failed, Terminated or Completed), OnFailure (after Failed), "
                           "Never.",
            .default_value = "OnFailure",
            .enum_values = {"Always", "OnFailure", "Never"}},
      Field{.name = "state",
            .description = "Desired power state: Stopped stops the instance (it becomes "
                           "Terminated); back to Running restarts it.",
            .default_value = "Running",
            .enum_values = {"Running", "Stopped"}},
      Field{.name = "deletionPolicy",
            .description = kDeletionPolicyHelp,
            .default_value = "Orphan",
            .enum_values = {"Orphan", "Stop", "Delete"}},
      Field{.name = "updatePolicy",
            .description = "What a spec change does (SCNet cannot update an instance): None "
                           "reports it as drift; Recreate deletes the instance and creates it "
                           "again from the manifest.",
            .default_value = "None",
            .enum_values = {"None", "Recreate"}},
      Field{.name = "description",
            .description = "Free text; Converge appends its ownership mark. Maps to description.",
            .default_value = "",
            .max_length = 200},
  };
}

std::vector<Field> NotebookServiceSpec() {
  return {
      Field{.name = "provider",
            .description = "Name of a Provider of type scnet.",
            .required = true,
            .min_length = 1},
      Field{.name = "notebook",
            .description = "Name of the existing SCNet notebook, e.g. \"2503021210191107\". "
                           "Matched against notebookName.",
            .required = true,
            .min_length = 1,
            .max_length = 64,
            .pattern = "^[A-Za-z0-9][A-Za-z0-9_.-]*$",
            .pattern_message = kNameMessage},
      Field{.name = "port",
            .type = FT::kInteger,
            .description = "Port the service listens on. Maps to customizePort.",
            .required = true,
            .minimum = 1,
            .maximum = 65535},
      Field{.name = "command",
            .description = "Shell command that starts the service. Maps to command.",
            .required = true,
            .min_length = 1,
            .max_length = 8192},
  };
}

std::vector<Field> TiOneNotebookSpec() {
  return {
      Field{.name = "provider",
            .description = "Name of a Provider of type tione.",
            .required = true,
            .min_length = 1},
      Field{.name = "state",
            .description = "Desired power state: Converge starts or stops the notebook to match.",
            .default_value = "Running",
            .enum_values = {"Running", "Stopped"}},
      Field{.name = "chargeType",
            .description = "Billing mode. PREPAID needs resourceGroupId. Maps to ChargeType.",
            .default_value = "POSTPAID_BY_HOUR",
            .enum_values = {"PREPAID", "POSTPAID_BY_HOUR"}},
      Field{.name = "resources",
            .type = FT::kObject,
            .description = "Compute resources. Maps to ResourceConf.",
            .required = true,
            .fields =
                {
                    Field{.name = "instanceType",
                          .description = "Instance type, e.g. TI.S.MEDIUM.POST; required for "
                                         "POSTPAID_BY_HOUR. Maps to ResourceConf.InstanceType.",
                          .max_length = 64,
                          .pattern = "^\\S+$",
                          .pattern_message = "must not contain spaces"},
                    Field{.name = "cpu",
                          .type = FT::kInteger,
                          .description = "CPU in thousandths of a core (2000 = 2 cores); required "
                                         "for PREPAID, 0 means derived from instanceType. Maps to "
                                         "ResourceConf.Cpu.",
                          .default_value = 0,
                          .minimum = 0,
                          .maximum = 1000000},
                    Field{.name = "memory",
                          .type = FT::kInteger,
                          .description = "Memory in MB; required for PREPAID, 0 means derived from "
                                         "instanceType. Maps to ResourceConf.Memory.",
                          .default_value = 0,
                          .minimum = 0,
                          .maximum = 16777216},
                    Field{.name = "gpu",
                          .type = FT::kInteger,
                          .description = "GPU in hundredths of a card (100 = 1 card). Maps to "
                                         "ResourceConf.Gpu.",
                          .default_value = 0,
                          .minimum = 0,
                          .maximum = 100000},
                    Field{.name = "gpuType",
                          .description = "GPU model, e.g. V100. Maps to ResourceConf.GpuType.",
                          .max_length = 64},
                }},
      Field{.name = "image",
            .type = FT::kObject,
            .description = "Notebook image. Maps to ImageInfo.",
            .required = true,
            .fields =
                {
                    Field{.name = "type",
                          .description = "SYSTEM: a TI-ONE built-in image; CCR / TCR: your own "
                                         "registry. Maps to ImageInfo.ImageType and ImageType.",
                          .default_value = "SYSTEM",
                          .enum_values = {"SYSTEM", "CCR", "TCR"}},
                    Field{.name = "url",
                          .description = "Image reference. Maps to ImageInfo.ImageUrl.",
                          .required = true,
                          .min_length = 1,
                          .max_length = 512,
                          .pattern = "^\\S+$",
                          .pattern_message = "must not contain spaces"},
                    Field{.name = "registryRegion",
                          .description = "Region of the TCR registry. Maps to "
                                         "ImageInfo.RegistryRegion.",
                          .max_length = 64},
                    Field{.name = "registryId",
                          .description = "TCR instance id; required for type TCR. Maps to "
                                         "ImageInfo.RegistryId.",
                          .max_length = 64},
                }},
      Field{.name = "volumeSourceType",
            .description = "Storage behind the notebook's working directory. Maps to "
                           "VolumeSourceType.",
            .default_value = "CLOUD_PREMIUM",
            .enum_values = {"FREE", "CLOUD_PREMIUM", "CLOUD_SSD", "CFS", "CFS_TURBO", "GooseFSx"}},
      Field{.name = "volumeSizeInGB",
            .type = FT::kInteger,
            .description = "Size of the working volume in GB. Maps to VolumeSizeInGB.",
            .default_value = 10,
            .minimum = 1,
            .maximum = 16384},
      Field{.name = "tags",
            .type = FT::kStringMap,
            .description = "Tencent Cloud tags. Converge adds managed-by: converge. Maps to "
                           "Tags.",
            .max_length = 255,
            .max_properties = 49,
            .key_max_length = 127,
            .key_pattern = "^[^\\s]+$",
            .key_pattern_message = "tag keys must not contain spaces"},
      Field{.name = "logEnable",
            .type = FT::kBoolean,
            .description = "Ship logs to CLS. Maps to LogEnable.",
            .default_value = false},
      Field{.name = "rootAccess",
            .type = FT::kBoolean,
            .description = "Give the notebook user root. Maps to RootAccess.",
            .default_value = true},
      Field{.name = "autoStopping",
            .type = FT::kBoolean,
            .description = "Stop the notebook automatically after automaticStopTime hours. Maps "
                           "to AutoStopping.",
            .default_value = false},
      Field{.name = "automaticStopTime",
            .type = FT::kInteger,
            .description = "Hours after which an idle notebook stops; required (1..720) when "
                           "autoStopping is true, else must be 0. Maps to AutomaticStopTime.",
            .default_value = 0,
            .minimum = 0,
            .maximum = 720},
      Field{.name = "directInternetAccess",
            .type = FT::kBoolean,
            .description = "Reach the internet directly; false needs vpcId and subnetId. Maps "
                           "to DirectInternetAccess.",
            .default_value = true},
      Field{.name = "resourceGroupId",
            .description = "Prepaid resource group, e.g. trsg-dwpqnjmk; required for PREPAID. "
                           "Maps to ResourceGroupId.",
            .max_length = 64,
            .pattern = "^trsg-[a-z0-9]+$",
            .pattern_message = "must be a resource group id like trsg-dwpqnjmk"},
      Field{.name = "vpcId",
            .description = "VPC to attach to, e.g. vpc-hb7u9q6e; needs subnetId. Maps to VpcId.",
            .max_length = 64,
            .pattern = "^vpc-[a-z0-9]+$",
            .pattern_message = "must be a VPC id like vpc-hb7u9q6e"},
      Field{.name = "subnetId",
            .description = "Subnet in vpcId, e.g. subnet-58zkmdob. Maps to SubnetId.",
            .max_length = 64,
            .pattern = "^subnet-[a-z0-9]+$",
            .pattern_message = "must be a subnet id like subnet-58zkmdob"},
      Field{.name = "deletionPolicy",
            .description = kDeletionPolicyHelp,
            .default_value = "Orphan",
            .enum_values = {"Orphan", "Stop", "Delete"}},
      Field{.name = "updatePolicy",
            .description = "How a change ModifyNotebook can apply (resources, image, a larger "
                           "volume) reaches the notebook: None applies it only while the "
                           "notebook is stopped and otherwise reports it; Restart stops a "
                           "running notebook, modifies it and starts it again.",
            .default_value = "None",
            .enum_values = {"None", "Restart"}},
  };
}

Field MakeDocument(Kind kind) {
  std::vector<Field> spec_fields;
  std::string kind_description;
  switch (kind) {
    case Kind::kProvider:
      spec_fields = ProviderSpec();
      kind_description = "A cloud account and endpoint that resources run on.";
      break;
    case Kind::kContainerInstance:
      spec_fields = ContainerInstanceSpec();
      kind_description = "An SCNet container instance (instance-service).";
      break;
    case Kind::kNotebookService:
      spec_fields = NotebookServiceSpec();
      kind_description = "A custom service on an existing SCNet notebook.";
      break;
    case Kind::kTiOneNotebook:
      spec_fields = TiOneNotebookSpec();
      kind_description = "A Tencent Cloud TI-ONE notebook.";
      break;
  }
  return Field{.name = std::string(KindName(kind)),
               .type = FT::kObject,
               .description = kind_description,
               .required = true,
               .fields = {
                   Field{.name = "apiVersion",
                         .description = "Manifest API version.",
                         .required = true,
                         .const_value = kApiVersion},
                   Field{.name = "kind",
                         .description = "Resource kind.",
                         .required = true,
                         .const_value = std::string(KindName(kind))},
                   MetadataField(kind),
                   Field{.name = "spec",
                         .type = FT::kObject,
                         .description = "Desired state.",
                         .required = true,
                         .fields = std::move(spec_fields)},
               }};
}

}  // namespace

const Field& DocumentField(Kind kind) {
  static const Field* const kDocs[] = {
      new Field(MakeDocument(Kind::kProvider)),
      new Field(MakeDocument(Kind::kContainerInstance)),
      new Field(MakeDocument(Kind::kNotebookService)),
      new Field(MakeDocument(Kind::kTiOneNotebook)),
  };
  return *kDocs[static_cast<int>(kind)];
}

const std::vector<Field>& SecretRefFields() {
  static const auto* const kFields = new std::vector<Field>{
      Field{.name = "fromEnv",
            .description = "Name of the environment variable holding the secret.",
            .min_length = 1,
            .max_length = 256,
            .pattern = "^[A-Za-z_][A-Za-z0-9_]*$",
            .pattern_message = "must be an environment variable name (letters, digits and '_', "
                               "not starting with a digit)"},
      Field{.name = "fromFile",
            .description = "Absolute path of a file holding the secret (trailing newline "
                           "ignored).",
            .max_length = 4096,
            .format = Format::kAbsolutePath},
  };
  return *kFields;
}

std::optional<Kind> ParseKind(std::string_view name) {
  for (Kind k : kAllKinds) {
    if (KindName(k) == name) return k;
  }
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  // Units in the only order allowed: h, m, s, ms; each at most once.
  static constexpr std::pair<std::string_view, long long> kUnits[] = {
      {"h", 3600000}, {"m", 60000}, {"s", 1000}, {"ms", 1}};
  long long total = 0;
  size_t next_unit = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t digits_end = i;
    while (digits_end < text.size() && std::isdigit(static_cast<unsigned char>(text[digits_end]))) {
      ++digits_end;
    }
    if (digits_end == i || digits_end - i > 9) return std::nullopt;
    long long value = 0;
    std::from_chars(text.data() + i, text.data() + digits_end, value);
    size_t unit_end = digits_end;
    while (unit_end < text.size() && std::isalpha(static_cast<unsigned char>(text[unit_end]))) {
      ++unit_end;
    }
    std::string_view unit = text.substr(digits_end, unit_end - digits_end);
    size_t u = next_unit;
    while (u < std::size(kUnits) && kUnits[u].first != unit) ++u;
    if (u == std::size(kUnits)) return std::nullopt;
    total += value * kUnits[u].second;
    next_unit = u + 1;
    i = unit_end;
  }
  return std::chrono::milliseconds(total);
}

std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates) {
  auto lower = [](std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    return out;
  };
  // Optimal string alignment distance (Levenshtein plus adjacent transpositions).
  auto distance = [](const std::string& a, const std::string& b) {
    std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
    for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      for (size_t j = 1; j <= b.size(); ++j) {
        size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
        d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
          d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.size()][b.size()];
  };
  if (word.size() > 256) return "";
  const std::string w = lower(word);
  std::string best;
  size_t best_distance = 0;
  for (const auto& c : candidates) {
    const size_t d = distance(w, lower(c));
    const size_t limit = std::max<size_t>(1, std::max(w.size(), c.size()) / 3);
    if (d <= limit && (best.empty() || d < best_distance)) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace converge::manifest
