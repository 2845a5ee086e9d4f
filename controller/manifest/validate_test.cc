// Every validation rule, table-driven: a manifest and the exact diagnostics it gives.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "manifest/loader.h"
#include "support/manifests.h"

namespace converge::manifest {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// Appended after each case (after the case's own lines, so its line numbers hold):
// the providers that the resources in the cases refer to.
const std::string kProviders = std::string("\n---\n") + test_support::kScnetProviderYaml + "---\n" +
                               test_support::kTioneProviderYaml;

std::vector<std::string> Validate(const std::string& yaml) {
  const LoadResult result = LoadString(yaml + kProviders, "t.yaml");
  std::vector<std::string> lines;
  for (const auto& d : result.errors) lines.push_back(d.ToString());
  return lines;
}

struct Case {
  std::string reason;
  std::string yaml;
  std::vector<std::string> want;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.reason; }

class ValidateTest : public ::testing::TestWithParam<Case> {};

TEST_P(ValidateTest, ReportsExactDiagnostics) {
  EXPECT_THAT(Validate(GetParam().yaml), ElementsAreArray(GetParam().want)) << GetParam().reason;
}

// Valid manifests of each kind (support/manifests.h); cases below change one thing at a time.
using test_support::ContainerInstanceYaml;
using test_support::NotebookServiceYaml;
using test_support::ScnetProviderYaml;
using test_support::TiOneNotebookYaml;

const Case kCases[] = {
    // Documents and YAML.
    {"valid instance", ContainerInstanceYaml(), {}},
    {"valid notebook", TiOneNotebookYaml(), {}},
    {"valid service", NotebookServiceYaml(), {}},
    {"syntax error",
     "apiVersion: [a, b\nkind: x\n",
     {"t.yaml:2:5: invalid YAML: end of sequence flow not found"}},
    {"document is a sequence",
     "- a\n- b\n",
     {"t.yaml:1:1: expected a mapping with apiVersion, kind, metadata and spec, got a sequence"}},
    {"duplicate key",
     ContainerInstanceYaml("  cpu: 2\n  cpu: 3\n"),
     {"t.yaml:12:3: ContainerInstance/ci: spec.cpu: duplicate key \"cpu\" (first at line 11)"}},
    {"unknown apiVersion",
     "apiVersion: converge.dev/v1\nkind: NotebookService\nmetadata: {name: s}\n"
     "spec: {provider: scnet-a, notebook: \"1\", port: 1, command: c}\n",
     {"t.yaml:1:13: NotebookService/s: apiVersion: must be \"converge.dev/v1alpha1\", got "
      "\"converge.dev/v1\""}},
    {"unknown kind with a suggestion",
     "apiVersion: converge.dev/v1alpha1\nkind: ContainerInstence\nmetadata: {name: x}\n",
     {"t.yaml:2:7: kind: unknown kind \"ContainerInstence\" (did you mean "
      "\"ContainerInstance\"?)"}},
    {"unknown kind",
     "apiVersion: converge.dev/v1alpha1\nkind: Pod\n",
     {"t.yaml:2:7: kind: unknown kind \"Pod\"; expected one of Provider, ContainerInstance, "
      "NotebookService, TiOneNotebook"}},
    {"missing kind and apiVersion",
     "metadata: {name: x}\n",
     {"t.yaml:1:1: kind: required field is missing",
      "t.yaml:1:1: apiVersion: required field is missing"}},
    {"missing metadata and spec",
     "apiVersion: converge.dev/v1alpha1\nkind: NotebookService\n",
     {"t.yaml:1:1: NotebookService: metadata: required field is missing",
      "t.yaml:1:1: NotebookService: spec: required field is missing"}},

    // Required fields, types and unknown fields.
    {"missing required field",
     "apiVersion: converge.dev/v1alpha1\nkind: NotebookService\nmetadata: {name: s}\n"
     "spec:\n  provider: scnet-a\n  notebook: \"1\"\n  port: 80\n",
     {"t.yaml:5:3: NotebookService/s: spec.command: required field is missing"}},
    {"integer given as a string",
     ContainerInstanceYaml("  cpu: \"2\"\n"),
     {"t.yaml:11:8: ContainerInstance/ci: spec.cpu: expected an integer, got a string"}},
    {"integer given as a float",
     ContainerInstanceYaml("  replicas: 1.5\n"),
     {"t.yaml:11:13: ContainerInstance/ci: spec.replicas: expected an integer, got a number"}},
    {"string given as a number",
     "apiVersion: converge.dev/v1alpha1\nkind: NotebookService\nmetadata: {name: svc}\n"
     "spec:\n  provider: scnet-a\n  notebook: 2503021210191107\n  port: 1\n  command: c\n",
     {"t.yaml:6:13: NotebookService/svc: spec.notebook: expected a string, got a number (quote "
      "it)"}},
    {"boolean given as a string",
     TiOneNotebookYaml("  logEnable: \"yes\"\n"),
     {"t.yaml:8:14: TiOneNotebook/nb: spec.logEnable: expected a boolean (true or false), got a "
      "string"}},
    {"mapping given as a scalar",
     ContainerInstanceYaml("  startScript: echo hi\n"),
     {"t.yaml:11:16: ContainerInstance/ci: spec.startScript: expected a mapping, got a string"}},
    {"sequence given as a mapping",
     ContainerInstanceYaml("  ports: {port: 80}\n"),
     {"t.yaml:11:10: ContainerInstance/ci: spec.ports: expected a sequence, got a mapping"}},
    {"null value",
     ContainerInstanceYaml("  cpu:\n"),
     {"t.yaml:11:3: ContainerInstance/ci: spec.cpu: expected an integer, got null"}},
    {"unknown field with a suggestion",
     ContainerInstanceYaml("  cpus: 3\n"),
     {"t.yaml:11:3: ContainerInstance/ci: spec.cpus: unknown field \"cpus\" (did you mean "
      "\"cpu\"?)"}},
    {"typo of a required field is reported once",
     "apiVersion: converge.dev/v1alpha1\nkind: NotebookService\nmetadata: {name: s}\n"
     "spec: {provider: scnet-a, notebook: \"1\", port: 80, comand: c}\n",
     {"t.yaml:4:52: NotebookService/s: spec.comand: unknown field \"comand\" (did you mean "
      "\"command\"?)"}},
    {"unknown field without a suggestion",
     NotebookServiceYaml("  replicas: 2\n"),
     {"t.yaml:9:3: NotebookService/svc: spec.replicas: unknown field \"replicas\"; expected one "
      "of: provider, notebook, port, command"}},
    {"unknown nested field",
     ContainerInstanceYaml("  mounts: [{source: /a, target: /b, mode: ro}]\n"),
     {"t.yaml:11:37: ContainerInstance/ci: spec.mounts[0].mode: unknown field \"mode\"; "
      "expected one of: source, target, type"}},
    {"label value must be a string",
     "apiVersion: converge.dev/v1alpha1\nkind: NotebookService\n"
     "metadata: {name: s, labels: {tier: 1}}\n"
     "spec: {provider: scnet-a, notebook: \"1\", port: 80, command: c}\n",
     {"t.yaml:3:36: NotebookService/s: metadata.labels.tier: expected a string, got a number "
      "(quote it)"}},

    // Ranges and enums.
    {"port above range",
     NotebookServiceYaml().replace(NotebookServiceYaml().find("7860"), 4, "70000"),
     {"t.yaml:8:9: NotebookService/svc: spec.port: must be between 1 and 65535, got 70000"}},
    {"container port zero",
     ContainerInstanceYaml("  ports: [{port: 0}]\n"),
     {"t.yaml:11:18: ContainerInstance/ci: spec.ports[0].port: must be between 1 and 65535, "
      "got 0"}},
    {"memory zero",
     ContainerInstanceYaml().replace(ContainerInstanceYaml().find("1024"), 4, "0"),
     {"t.yaml:10:13: ContainerInstance/ci: spec.memoryMB: must be between 1 and 16777216, got "
      "0"}},
    {"replicas zero",
     ContainerInstanceYaml("  replicas: 0\n"),
     {"t.yaml:11:13: ContainerInstance/ci: spec.replicas: must be between 1 and 1000, got 0"}},
    {"negative gpu",
     TiOneNotebookYaml("").replace(TiOneNotebookYaml().find("instanceType:"), 0, "gpu: -1, "),
     {"t.yaml:6:20: TiOneNotebook/nb: spec.resources.gpu: must be between 0 and 100000, got -1"}},
    {"timeout minutes over 59",
     ContainerInstanceYaml("  timeout: \"01:60:00\"\n"),
     {"t.yaml:11:12: ContainerInstance/ci: spec.timeout: must be HH:MM:SS (minutes and seconds "
      "below 60) or \"unlimited\", got \"01:60:00\""}},
    {"timeout seconds over 59",
     ContainerInstanceYaml("  timeout: \"01:00:75\"\n"),
     {"t.yaml:11:12: ContainerInstance/ci: spec.timeout: must be HH:MM:SS (minutes and seconds "
      "below 60) or \"unlimited\", got \"01:00:75\""}},
    {"timeout without hours",
     ContainerInstanceYaml("  timeout: \"30:00\"\n"),
     {"t.yaml:11:12: ContainerInstance/ci: spec.timeout: must be HH:MM:SS (minutes and seconds "
      "below 60) or \"unlimited\", got \"30:00\""}},
    {"timeout zero",
     ContainerInstanceYaml("  timeout: \"00:00:00\"\n"),
     {"t.yaml:11:12: ContainerInstance/ci: spec.timeout: must be longer than 00:00:00; use "
      "\"unlimited\" for no limit"}},
    {"timeout long and unlimited are fine",
     ContainerInstanceYaml("  timeout: \"120:30:00\"\n") + "---\n" +
         ContainerInstanceYaml("  timeout: unlimited\n", "ci2"),
     {}},
    {"accelerator type",
     ContainerInstanceYaml().replace(ContainerInstanceYaml().find("type: gpu"), 9, "type: npu"),
     {"t.yaml:9:23: ContainerInstance/ci: spec.accelerator.type: must be one of mlu, dcu, gpu, "
      "cpu, got \"npu\" (did you mean \"gpu\"?)"}},
    {"task type",
     ContainerInstanceYaml().replace(ContainerInstanceYaml().find("jupyter"), 7, "vnc"),
     {"t.yaml:6:13: ContainerInstance/ci: spec.taskType: must be one of ssh, jupyter, "
      "codeserver, rstudio, got \"vnc\""}},
    {"task type with a case typo",
     ContainerInstanceYaml().replace(ContainerInstanceYaml().find("jupyter"), 7, "Jupyter"),
     {"t.yaml:6:13: ContainerInstance/ci: spec.taskType: must be one of ssh, jupyter, "
      "codeserver, rstudio, got \"Jupyter\" (did you mean \"jupyter\"?)"}},
    {"restart policy",
     ContainerInstanceYaml("  restartPolicy: Sometimes\n"),
     {"t.yaml:11:18: ContainerInstance/ci: spec.restartPolicy: must be one of Always, OnFailure, "
      "Never, got \"Sometimes\""}},
    {"mount type",
     ContainerInstanceYaml("  mounts: [{source: /a, target: /b, type: nfs}]\n"),
     {"t.yaml:11:43: ContainerInstance/ci: spec.mounts[0].type: must be one of data, path, got "
      "\"nfs\""}},
    {"mount paths must be absolute",
     ContainerInstanceYaml("  mounts: [{source: data, target: /b}]\n"),
     {"t.yaml:11:21: ContainerInstance/ci: spec.mounts[0].source: must be an absolute path "
      "(starting with \"/\"), got \"data\""}},
    {"protocol",
     ContainerInstanceYaml("  ports: [{port: 22, protocol: TCP}]\n"),
     {"t.yaml:11:32: ContainerInstance/ci: spec.ports[0].protocol: must be one of HTTP, SSH, got "
      "\"TCP\""}},
    {"start script scope and content",
     ContainerInstanceYaml("  startScript: {scope: first, content: \"\"}\n"),
     {"t.yaml:11:24: ContainerInstance/ci: spec.startScript.scope: must be one of all, header, "
      "got \"first\"",
      "t.yaml:11:40: ContainerInstance/ci: spec.startScript.content: must not be empty"}},
    {"cpu accelerator with a count",
     ContainerInstanceYaml().replace(ContainerInstanceYaml().find("gpu, count: 1"), 13,
                                     "cpu, count: 2"),
     {"t.yaml:9:35: ContainerInstance/ci: spec.accelerator.count: must be 0 when "
      "accelerator.type is cpu, got 2"}},
    {"gpu accelerator without a count",
     ContainerInstanceYaml().replace(ContainerInstanceYaml().find("gpu, count: 1"), 13, "gpu"),
     {"t.yaml:9:16: ContainerInstance/ci: spec.accelerator.count: must be at least 1 when "
      "accelerator.type is gpu (use type cpu for no accelerator)"}},
    {"duplicate ports and mount targets",
     ContainerInstanceYaml("  ports: [{port: 80}, {port: 80, protocol: SSH}]\n"
                           "  mounts: [{source: /a, target: /m}, {source: /b, target: /m}]\n"),
     {"t.yaml:11:30: ContainerInstance/ci: spec.ports[1].port: duplicate port 80 (also at "
      "spec.ports[0])",
      "t.yaml:12:59: ContainerInstance/ci: spec.mounts[1].target: duplicate mount target \"/m\" "
      "(also at spec.mounts[0])"}},
    {"description too long",
     ContainerInstanceYaml("  description: " + std::string(201, 'd') + "\n"),
     {"t.yaml:11:16: ContainerInstance/ci: spec.description: must be at most 200 characters, got "
      "201"}},
    {"state",
     TiOneNotebookYaml("  state: Paused\n"),
     {"t.yaml:8:10: TiOneNotebook/nb: spec.state: must be one of Running, Stopped, got "
      "\"Paused\""}},
    {"charge type",
     TiOneNotebookYaml("  chargeType: SPOT\n"),
     {"t.yaml:8:15: TiOneNotebook/nb: spec.chargeType: must be one of PREPAID, "
      "POSTPAID_BY_HOUR, got \"SPOT\""}},
    {"volume source type",
     TiOneNotebookYaml("  volumeSourceType: CBS\n"),
     {"t.yaml:8:21: TiOneNotebook/nb: spec.volumeSourceType: must be one of FREE, "
      "CLOUD_PREMIUM, CLOUD_SSD, CFS, CFS_TURBO, GooseFSx, got \"CBS\" (did you mean \"CFS\"?)"}},
    {"image type",
     TiOneNotebookYaml().replace(TiOneNotebookYaml().find("{url"), 1, "{type: DOCKER, "),
     {"t.yaml:7:17: TiOneNotebook/nb: spec.image.type: must be one of SYSTEM, CCR, TCR, got "
      "\"DOCKER\""}},
    {"TCR image needs a registry id",
     TiOneNotebookYaml().replace(TiOneNotebookYaml().find("{url"), 1, "{type: TCR, "),
     {"t.yaml:7:10: TiOneNotebook/nb: spec.image.registryId: required when image.type is TCR"}},
    {"postpaid needs an instance type",
     TiOneNotebookYaml().replace(TiOneNotebookYaml().find("{instanceType: TI.S.MEDIUM.POST}"), 32,
                                 "{cpu: 2000, memory: 4000}"),
     {"t.yaml:6:14: TiOneNotebook/nb: spec.resources.instanceType: required when chargeType is "
      "POSTPAID_BY_HOUR"}},
    {"prepaid needs a resource group, cpu and memory",
     TiOneNotebookYaml("  chargeType: PREPAID\n"),
     {"t.yaml:5:3: TiOneNotebook/nb: spec.resourceGroupId: required when chargeType is PREPAID",
      "t.yaml:6:14: TiOneNotebook/nb: spec.resources.cpu: must be greater than 0 when chargeType "
      "is PREPAID",
      "t.yaml:6:14: TiOneNotebook/nb: spec.resources.memory: must be greater than 0 when "
      "chargeType is PREPAID"}},
    {"auto stopping needs a stop time",
     TiOneNotebookYaml("  autoStopping: true\n"),
     {"t.yaml:5:3: TiOneNotebook/nb: spec.automaticStopTime: must be between 1 and 720 when "
      "autoStopping is true"}},
    {"stop time without auto stopping",
     TiOneNotebookYaml("  automaticStopTime: 3\n"),
     {"t.yaml:8:22: TiOneNotebook/nb: spec.automaticStopTime: only valid when autoStopping is "
      "true"}},
    {"no direct internet needs a VPC",
     TiOneNotebookYaml("  directInternetAccess: false\n"),
     {"t.yaml:5:3: TiOneNotebook/nb: spec.vpcId: required when directInternetAccess is false",
      "t.yaml:5:3: TiOneNotebook/nb: spec.subnetId: required when directInternetAccess is false"}},
    {"vpc without subnet",
     TiOneNotebookYaml("  vpcId: vpc-abc123\n"),
     {"t.yaml:5:3: TiOneNotebook/nb: spec.subnetId: required with vpcId"}},
    {"malformed ids",
     TiOneNotebookYaml("  vpcId: abc\n  subnetId: subnet-1\n"),
     {"t.yaml:8:10: TiOneNotebook/nb: spec.vpcId: must be a VPC id like vpc-hb7u9q6e, got "
      "\"abc\""}},
    {"managed-by tag is reserved",
     TiOneNotebookYaml("  tags: {managed-by: me}\n"),
     {"t.yaml:8:22: TiOneNotebook/nb: spec.tags.managed-by: \"managed-by\" is set by Converge; "
      "remove it"}},

    // Names.
    {"empty name",
     ContainerInstanceYaml("", "\"\""),
     {"t.yaml:3:18: ContainerInstance: metadata.name: must not be empty"}},
    {"instance name with a space",
     ContainerInstanceYaml("", "\"my box\""),
     {"t.yaml:3:18: ContainerInstance/my box: metadata.name: must contain only letters, digits, "
      "'_', '-' and '.', and start with a letter or digit, got \"my box\""}},
    {"instance name too long",
     ContainerInstanceYaml("", std::string(65, 'a')),
     {"t.yaml:3:18: ContainerInstance/" + std::string(65, 'a') +
      ": metadata.name: must be at most 64 characters, got 65"}},
    {"TI-ONE name too long",
     TiOneNotebookYaml("", std::string(61, 'n')),
     {"t.yaml:3:18: TiOneNotebook/" + std::string(61, 'n') +
      ": metadata.name: must be at most 60 characters, got 61"}},
    {"TI-ONE name with a dot",
     TiOneNotebookYaml("", "nb.1"),
     {"t.yaml:3:18: TiOneNotebook/nb.1: metadata.name: must contain only letters, digits, '_' "
      "and '-', and start with a letter or digit, got \"nb.1\""}},
    {"TI-ONE name at the limit", TiOneNotebookYaml("", std::string(60, 'n')), {}},
    {"missing name",
     "apiVersion: converge.dev/v1alpha1\nkind: NotebookService\nmetadata: {labels: {a: b}}\n"
     "spec: {provider: scnet-a, notebook: \"1\", port: 80, command: c}\n",
     {"t.yaml:3:11: NotebookService: metadata.name: required field is missing"}},
    {"provider name must be a DNS label",
     ScnetProviderYaml("  endpoint: https://a.example.com\n  token: {fromEnv: T}\n")
         .replace(ScnetProviderYaml("").find("name: p"), 7, "name: Scnet_A"),
     {"t.yaml:3:18: Provider/Scnet_A: metadata.name: must be a lowercase DNS label: a-z, 0-9 "
      "and '-', starting and ending with a letter or digit, got \"Scnet_A\""}},
    {"notebook name with a space",
     NotebookServiceYaml("", "svc", "my notebook"),
     {"t.yaml:6:13: NotebookService/svc: spec.notebook: must contain only letters, digits, '_', "
      "'-' and '.', and start with a letter or digit, got \"my notebook\""}},

    // Providers.
    {"literal token",
     ScnetProviderYaml("  endpoint: https://a.example.com\n  token: eyJhbGc.xyz\n"),
     {"t.yaml:7:10: Provider/p: spec.token: literal secret values are not allowed; use "
      "{fromEnv: NAME} or {fromFile: PATH}"}},
    {"literal TI-ONE keys",
     "apiVersion: converge.dev/v1alpha1\nkind: Provider\nmetadata: {name: t}\nspec:\n"
     "  type: tione\n  endpoint: https://tione.tencentcloudapi.com\n  region: ap-guangzhou\n"
     "  secretId: AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE\n"
     "  secretKey: Gu5t9xGARNpq86cd98joQYCN3EXAMPLE\n",
     {"t.yaml:8:13: Provider/t: spec.secretId: literal secret values are not allowed; use "
      "{fromEnv: NAME} or {fromFile: PATH}",
      "t.yaml:9:14: Provider/t: spec.secretKey: literal secret values are not allowed; use "
      "{fromEnv: NAME} or {fromFile: PATH}"}},
    {"numeric literal secret",
     ScnetProviderYaml("  endpoint: https://a.example.com\n  token: 12345\n"),
     {"t.yaml:7:10: Provider/p: spec.token: literal secret values are not allowed; use "
      "{fromEnv: NAME} or {fromFile: PATH}"}},
    {"secret with both sources",
     ScnetProviderYaml("  endpoint: https://a.example.com\n  token: {fromEnv: T, fromFile: /t}\n"),
     {"t.yaml:7:10: Provider/p: spec.token: set exactly one of fromEnv or fromFile, not both"}},
    {"secret with no source",
     ScnetProviderYaml("  endpoint: https://a.example.com\n  token: {}\n"),
     {"t.yaml:7:10: Provider/p: spec.token: set one of fromEnv or fromFile: use {fromEnv: NAME} "
      "or {fromFile: PATH}"}},
    {"secret env name is not echoed",
     ScnetProviderYaml("  endpoint: https://a.example.com\n  token: {fromEnv: eyJhbGc.xyz}\n"),
     {"t.yaml:7:20: Provider/p: spec.token.fromEnv: must be an environment variable name "
      "(letters, digits and '_', not starting with a digit)"}},
    {"secret source typo",
     ScnetProviderYaml("  endpoint: https://a.example.com\n  token: {fromEnvironment: T}\n"),
     {"t.yaml:7:11: Provider/p: spec.token.fromEnvironment: unknown field \"fromEnvironment\"; "
      "expected one of: fromEnv, fromFile"}},
    {"relative secret file",
     ScnetProviderYaml("  endpoint: https://a.example.com\n  token: {fromFile: token.txt}\n"),
     {"t.yaml:7:21: Provider/p: spec.token.fromFile: must be an absolute path (starting with "
      "\"/\"), got \"token.txt\""}},
    {"scnet provider without a token",
     ScnetProviderYaml("  endpoint: https://a.example.com\n"),
     {"t.yaml:5:3: Provider/p: spec.token: required for a scnet provider: set exactly one of "
      "spec.token (a static token, use {fromEnv: NAME} or {fromFile: PATH}) and spec.auth (an "
      "access key: {user, accessKey, secretKey})"}},
    {"scnet provider with both a token and an access key",
     ScnetProviderYaml("  endpoint: https://a.example.com\n  token: {fromEnv: T}\n"
                       "  cluster: kunshan\n"
                       "  auth: {user: {fromEnv: U}, accessKey: {fromEnv: A}, secretKey: "
                       "{fromFile: /s}}\n"),
     {"t.yaml:9:9: Provider/p: spec.auth: set exactly one of spec.token (a static token) and "
      "spec.auth (an access key), not both; remove one"}},
    {"scnet access key without an endpoint is fine",
     ScnetProviderYaml("  cluster: kunshan\n  accountEndpoint: https://www.scnet.cn\n"
                       "  auth: {user: {fromEnv: U}, accessKey: {fromEnv: A}, secretKey: "
                       "{fromFile: /s}}\n"),
     {}},
    {"scnet access key without a cluster, and with a part missing",
     ScnetProviderYaml("  auth: {user: {fromEnv: U}, accessKey: {fromEnv: A}}\n"),
     {"t.yaml:5:3: Provider/p: spec.cluster: required with spec.auth: the region's clusterName or "
      "clusterId, e.g. cluster: kunshan",
      "t.yaml:6:9: Provider/p: spec.auth.secretKey: required field is missing"}},
    {"scnet token with a cluster, and without an endpoint",
     ScnetProviderYaml("  token: {fromEnv: T}\n  cluster: kunshan\n"),
     {"t.yaml:5:3: Provider/p: spec.endpoint: required for a scnet provider with spec.token (with "
      "spec.auth it is discovered for spec.cluster); set e.g. endpoint: "
      "https://api01.example.com:65106",
      "t.yaml:7:12: Provider/p: spec.cluster: only valid with spec.auth (an access key); remove "
      "it"}},
    {"literal access key",
     ScnetProviderYaml(
         "  cluster: kunshan\n"
         "  auth: {user: {fromEnv: U}, accessKey: AKabc, secretKey: {fromFile: /s}}\n"),
     {"t.yaml:7:41: Provider/p: spec.auth.accessKey: literal secret values are not allowed; use "
      "{fromEnv: NAME} or {fromFile: PATH}"}},
    {"tione provider without credentials",
     "apiVersion: converge.dev/v1alpha1\nkind: Provider\nmetadata: {name: t}\nspec:\n"
     "  type: tione\n  endpoint: https://tione.tencentcloudapi.com\n  token: {fromEnv: X}\n",
     {"t.yaml:5:3: Provider/t: spec.region: required for a tione provider; set e.g. region: "
      "ap-shanghai",
      "t.yaml:5:3: Provider/t: spec.secretId: required for a tione provider; use {fromEnv: NAME} "
      "or {fromFile: PATH}",
      "t.yaml:5:3: Provider/t: spec.secretKey: required for a tione provider; use {fromEnv: "
      "NAME} or {fromFile: PATH}",
      "t.yaml:7:10: Provider/t: spec.token: only valid for a scnet provider; remove it"}},
    {"tione provider with an SCNet access key",
     "apiVersion: converge.dev/v1alpha1\nkind: Provider\nmetadata: {name: t}\nspec:\n"
     "  type: tione\n  endpoint: https://tione.tencentcloudapi.com\n  region: ap-guangzhou\n"
     "  secretId: {fromEnv: I}\n  secretKey: {fromEnv: K}\n  cluster: kunshan\n",
     {"t.yaml:10:12: Provider/t: spec.cluster: only valid for a scnet provider; remove it"}},
    {"scnet provider with TI-ONE fields",
     ScnetProviderYaml("  endpoint: https://a.example.com\n  token: {fromEnv: T}\n"
                       "  region: ap-shanghai\n"),
     {"t.yaml:8:11: Provider/p: spec.region: only valid for a tione provider; remove it"}},
    {"scnet provider with a session token",
     ScnetProviderYaml("  endpoint: https://a.example.com\n  token: {fromEnv: T}\n"
                       "  sessionToken: {fromEnv: S}\n"),
     {"t.yaml:8:17: Provider/p: spec.sessionToken: only valid for a tione provider; remove it"}},
    {"literal TI-ONE session token",
     "apiVersion: converge.dev/v1alpha1\nkind: Provider\nmetadata: {name: t}\nspec:\n"
     "  type: tione\n  endpoint: https://tione.tencentcloudapi.com\n  region: ap-guangzhou\n"
     "  secretId: {fromEnv: A}\n  secretKey: {fromEnv: B}\n  sessionToken: tmp-token-value\n",
     {"t.yaml:10:17: Provider/t: spec.sessionToken: literal secret values are not allowed; use "
      "{fromEnv: NAME} or {fromFile: PATH}"}},
    {"provider type",
     ScnetProviderYaml("").replace(ScnetProviderYaml("").find("scnet"), 5, "aws"),
     {"t.yaml:5:9: Provider/p: spec.type: must be one of scnet, tione, got \"aws\""}},
    {"endpoint scheme",
     ScnetProviderYaml("  endpoint: ftp://a.example.com\n  token: {fromEnv: T}\n"),
     {"t.yaml:6:13: Provider/p: spec.endpoint: must be an http:// or https:// URL, e.g. "
      "https://api.example.com:443"}},
    {"endpoint without a host",
     ScnetProviderYaml("  endpoint: https://\n  token: {fromEnv: T}\n"),
     {"t.yaml:6:13: Provider/p: spec.endpoint: must be an http:// or https:// URL with a valid "
      "host, e.g. https://api.example.com:443"}},
    {"endpoint port",
     ScnetProviderYaml("  endpoint: https://a.example.com:99999\n"
                       "  token: {fromEnv: T}\n"),
     {"t.yaml:6:13: Provider/p: spec.endpoint: port must be between 1 and 65535, got 99999"}},
    {"endpoint with credentials is not echoed",
     ScnetProviderYaml("  endpoint: https://admin:hunter2@a.example.com\n  token: {fromEnv: T}\n"),
     {"t.yaml:6:13: Provider/p: spec.endpoint: must not contain credentials (user:password@); "
      "put secrets in token, secretId or secretKey"}},
    {"rate limit",
     ScnetProviderYaml("  endpoint: http://127.0.0.1:8089\n  token: {fromEnv: T}\n"
                       "  rateLimit: {qps: 0, burst: 0}\n"),
     {"t.yaml:8:20: Provider/p: spec.rateLimit.qps: must be greater than 0 and at most 1000, got "
      "0",
      "t.yaml:8:30: Provider/p: spec.rateLimit.burst: must be between 1 and 1000, got 0"}},
    {"durations",
     ScnetProviderYaml("  endpoint: https://a.example.com\n  token: {fromEnv: T}\n"
                       "  timeouts: {connect: 5 sec, request: 0s}\n"),
     {"t.yaml:8:23: Provider/p: spec.timeouts.connect: must be a duration like \"5s\", \"1m30s\" "
      "or \"500ms\", got \"5 sec\"",
      "t.yaml:8:39: Provider/p: spec.timeouts.request: must be greater than 0, got \"0s\""}},
    {"durations in the wrong unit order",
     ScnetProviderYaml("  endpoint: https://a.example.com\n  token: {fromEnv: T}\n"
                       "  timeouts: {connect: 30s1m}\n"),
     {"t.yaml:8:23: Provider/p: spec.timeouts.connect: must be a duration like \"5s\", \"1m30s\" "
      "or \"500ms\", got \"30s1m\""}},

    // Across documents.
    {"duplicate names in one provider",
     ContainerInstanceYaml() + "---\n" + ContainerInstanceYaml(),
     {"t.yaml:3:18: ContainerInstance/ci: metadata.name: duplicate ContainerInstance name \"ci\" "
      "in provider \"scnet-a\" (also defined at t.yaml:14:18)",
      "t.yaml:14:18: ContainerInstance/ci: metadata.name: duplicate ContainerInstance name \"ci\" "
      "in provider \"scnet-a\" (also defined at t.yaml:3:18)"}},
    {"same name in different kinds is fine",
     ContainerInstanceYaml("", "x") + "---\n" + NotebookServiceYaml("", "x"),
     {}},
    {"duplicate provider names",
     ScnetProviderYaml("  endpoint: https://a.example.com\n  token: {fromEnv: T}\n") + "---\n" +
         ScnetProviderYaml("  endpoint: https://b.example.com\n  token: {fromEnv: T}\n"),
     {"t.yaml:3:18: Provider/p: metadata.name: duplicate Provider name \"p\" (also defined at "
      "t.yaml:11:18)",
      "t.yaml:11:18: Provider/p: metadata.name: duplicate Provider name \"p\" (also defined at "
      "t.yaml:3:18)"}},
    {"two services on one notebook",
     NotebookServiceYaml() + "---\n" + NotebookServiceYaml("", "other"),
     {"t.yaml:6:13: NotebookService/svc: spec.notebook: notebook \"2503021210191107\" is also "
      "used by NotebookService \"other\"; a notebook runs one custom service (also defined at "
      "t.yaml:15:13)",
      "t.yaml:15:13: NotebookService/other: spec.notebook: notebook \"2503021210191107\" is also "
      "used by NotebookService \"svc\"; a notebook runs one custom service (also defined at "
      "t.yaml:6:13)"}},
    {"unknown provider with a suggestion",
     ContainerInstanceYaml().replace(ContainerInstanceYaml().find("scnet-a"), 7, "scnet-b"),
     {"t.yaml:5:13: ContainerInstance/ci: spec.provider: Provider \"scnet-b\" not found (did you "
      "mean \"scnet-a\"?)"}},
    {"unknown provider",
     NotebookServiceYaml().replace(NotebookServiceYaml().find("scnet-a"), 7, "hefei"),
     {"t.yaml:5:13: NotebookService/svc: spec.provider: Provider \"hefei\" not found; define a "
      "scnet Provider with that name"}},
    {"TI-ONE notebook on an SCNet provider",
     TiOneNotebookYaml().replace(TiOneNotebookYaml().find("tione-a"), 7, "scnet-a"),
     {"t.yaml:5:13: TiOneNotebook/nb: spec.provider: Provider \"scnet-a\" has type scnet; a "
      "TiOneNotebook needs a tione provider"}},
    {"container instance on a TI-ONE provider",
     ContainerInstanceYaml().replace(ContainerInstanceYaml().find("scnet-a"), 7, "tione-a"),
     {"t.yaml:5:13: ContainerInstance/ci: spec.provider: Provider \"tione-a\" has type tione; a "
      "ContainerInstance needs a scnet provider"}},
};

INSTANTIATE_TEST_SUITE_P(Rules, ValidateTest, ::testing::ValuesIn(kCases));

TEST(ValidateSecrets, NeverEchoLiteralValues) {
  const std::string yaml =
      "apiVersion: converge.dev/v1alpha1\nkind: Provider\nmetadata: {name: t}\nspec:\n"
      "  type: tione\n  endpoint: https://u:pw-SECRET-3@tione.tencentcloudapi.com\n"
      "  region: ap-guangzhou\n  secretId: AKID-SECRET-1\n  secretKey: {fromEnv: SECRET-2.x}\n";
  const LoadResult result = LoadString(yaml, "t.yaml");
  ASSERT_EQ(result.errors.size(), 3u);
  for (const auto& d : result.errors) EXPECT_THAT(d.ToString(), Not(HasSubstr("SECRET")));
}

TEST(ValidateAll, ReportsEveryErrorOfEveryDocumentInOneRun) {
  const std::string yaml =
      ContainerInstanceYaml("  cpus: 1\n") + "---\n" + TiOneNotebookYaml("  state: Up\n") +
      "---\n" + NotebookServiceYaml().replace(NotebookServiceYaml().find("7860"), 4, "0");
  EXPECT_EQ(Validate(yaml).size(), 3u);
}

TEST(ValidateAll, SortsByFileLineAndColumn) {
  LoadResult result = LoadString(ContainerInstanceYaml("  replicas: 0\n  cpu: 0\n"), "t.yaml");
  std::vector<int> lines;
  for (const auto& d : result.errors) lines.push_back(d.location.line);
  EXPECT_TRUE(std::is_sorted(lines.begin(), lines.end()));
}

}  // namespace
}  // namespace converge::manifest
