#include "support/manifests.h"

namespace converge::test_support {

std::string ScnetProviderYaml(const std::string& spec_body) {
  return "apiVersion: converge.dev/v1alpha1\n"
         "kind: Provider\n"
         "metadata: {name: p}\n"
         "spec:\n"
         "  type: scnet\n" +
         spec_body;
}

std::string ContainerInstanceYaml(const std::string& spec_extra, const std::string& name) {
  return "apiVersion: converge.dev/v1alpha1\n"
         "kind: ContainerInstance\n"
         "metadata: {name: " +
         name +
         "}\n"
         "spec:\n"
         "  provider: scnet-a\n"
         "  taskType: jupyter\n"
         "  image: {name: \"j:1\", path: \"r/j:1\"}\n"
         "  resourceGroup: TeslaM40\n"
         "  accelerator: {type: gpu, count: 1}\n"
         "  memoryMB: 1024\n" +
         spec_extra;
}

std::string TiOneNotebookYaml(const std::string& spec_extra, const std::string& name) {
  return "apiVersion: converge.dev/v1alpha1\n"
         "kind: TiOneNotebook\n"
         "metadata: {name: " +
         name +
         "}\n"
         "spec:\n"
         "  provider: tione-a\n"
         "  resources: {instanceType: TI.S.MEDIUM.POST}\n"
         "  image: {url: \"ccr/x:1\"}\n" +
         spec_extra;
}

std::string NotebookServiceYaml(const std::string& spec_extra, const std::string& name,
                                const std::string& notebook) {
  return "apiVersion: converge.dev/v1alpha1\n"
         "kind: NotebookService\n"
         "metadata: {name: " +
         name +
         "}\n"
         "spec:\n"
         "  provider: scnet-a\n"
         "  notebook: \"" +
         notebook +
         "\"\n"
         "  command: python app.py\n"
         "  port: 7860\n" +
         spec_extra;
}

manifest::ContainerInstance ContainerInstanceModel(const std::string& name,
                                                   manifest::RestartPolicy policy) {
  manifest::ContainerInstance ci;
  ci.metadata.name = name;
  ci.spec.provider = "scnet";
  ci.spec.task_type = "jupyter";
  ci.spec.image_name = "jupyter:4.4-py3.7-cpu";
  ci.spec.image_path = "10.0.35.26:5000/gpu/admin/base/jupyter:4.4-py3.7-cpu";
  ci.spec.resource_group = "TeslaM40";
  ci.spec.accelerator_type = "gpu";
  ci.spec.accelerator_count = 1;
  ci.spec.cpu = 3;
  ci.spec.memory_mb = 15360;
  ci.spec.restart_policy = policy;
  return ci;
}

manifest::NotebookService NotebookServiceModel(const std::string& name,
                                               const std::string& command) {
  manifest::NotebookService ns;
  ns.metadata.name = name;
  ns.spec.provider = "scnet";
  ns.spec.notebook = "2503021210191107";
  ns.spec.port = 1223;
  ns.spec.command = command;
  return ns;
}

manifest::TiOneNotebook TiOneNotebookModel(const std::string& name, const std::string& state) {
  manifest::TiOneNotebook nb;
  nb.metadata.name = name;
  nb.spec.provider = "tione";
  nb.spec.state = state;
  nb.spec.resources = {"TI.S.MEDIUM.POST", 2000, 4000, 0, ""};
  nb.spec.image.url = "tione.tencentcloudcr.com/x:1";
  return nb;
}

}  // namespace converge::test_support
