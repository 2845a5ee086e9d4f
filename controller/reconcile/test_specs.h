// Manifest values for tests and benchmarks of the reconciler: a valid
// ContainerInstance on provider "scnet", as a user would write it.
#pragma once

#include <string>

#include "manifest/model.h"

namespace converge::reconcile::testing {

inline manifest::ContainerInstance TestInstance(
    const std::string& name, manifest::RestartPolicy policy = manifest::RestartPolicy::kOnFailure) {
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

}  // namespace converge::reconcile::testing
