// Manifests for tests and benchmarks, of each kind, as YAML (what a user
// writes) and as model values (what the loader produces). Every builder returns
// a valid manifest; tests change one thing at a time.
#pragma once

#include <string>

#include "manifest/model.h"

namespace converge::test_support {

// --- YAML -------------------------------------------------------------------

// Provider scnet-a (token from $T) and tione-a (SecretId from $ID, SecretKey
// from /run/key): what the YAML builders below refer to.
inline constexpr char kScnetProviderYaml[] = R"(apiVersion: converge.dev/v1alpha1
kind: Provider
metadata: {name: scnet-a}
spec: {type: scnet, endpoint: "https://scnet.example.com", token: {fromEnv: T}}
)";

inline constexpr char kTioneProviderYaml[] = R"(apiVersion: converge.dev/v1alpha1
kind: Provider
metadata: {name: tione-a}
spec:
  type: tione
  endpoint: https://tione.tencentcloudapi.com
  region: ap-shanghai
  secretId: {fromEnv: ID}
  secretKey: {fromFile: /run/key}
)";

// An SCNet Provider named "p" whose spec is `type: scnet` followed by
// `spec_body` (indented lines, e.g. "  endpoint: https://x\n").
std::string ScnetProviderYaml(const std::string& spec_body);

// A ContainerInstance on scnet-a; `spec_extra` lines are appended to its spec.
std::string ContainerInstanceYaml(const std::string& spec_extra = "",
                                  const std::string& name = "ci");

// A TiOneNotebook on tione-a; `spec_extra` lines are appended to its spec.
std::string TiOneNotebookYaml(const std::string& spec_extra = "", const std::string& name = "nb");

// A NotebookService on scnet-a (port 7860, python app.py) for `notebook`.
std::string NotebookServiceYaml(const std::string& spec_extra = "", const std::string& name = "svc",
                                const std::string& notebook = "2503021210191107");

// --- Model values -----------------------------------------------------------

// A valid ContainerInstance on provider "scnet", as a user would write it.
manifest::ContainerInstance ContainerInstanceModel(
    const std::string& name, manifest::RestartPolicy policy = manifest::RestartPolicy::kOnFailure);

// A NotebookService on provider "scnet" serving `command` on port 1223 of
// notebook 2503021210191107.
manifest::NotebookService NotebookServiceModel(const std::string& name, const std::string& command);

// A TiOneNotebook on provider "tione" (TI.S.MEDIUM.POST, 2000m CPU, 4000 MB)
// in `state` ("Running" or "Stopped").
manifest::TiOneNotebook TiOneNotebookModel(const std::string& name, const std::string& state);

}  // namespace converge::test_support
