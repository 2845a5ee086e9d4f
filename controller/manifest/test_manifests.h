// Provider manifests the manifest tests refer to: one of each type.
#pragma once

namespace converge::manifest::testing {

inline constexpr char kScnetProvider[] = R"(apiVersion: converge.dev/v1alpha1
kind: Provider
metadata: {name: scnet-a}
spec: {type: scnet, endpoint: "https://scnet.example.com", token: {fromEnv: T}}
)";

inline constexpr char kTioneProvider[] = R"(apiVersion: converge.dev/v1alpha1
kind: Provider
metadata: {name: tione-a}
spec:
  type: tione
  endpoint: https://tione.tencentcloudapi.com
  region: ap-shanghai
  secretId: {fromEnv: ID}
  secretKey: {fromFile: /run/key}
)";

}  // namespace converge::manifest::testing
