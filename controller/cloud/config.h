// How a provider adapter is built: resolved credentials and transport settings.
// Filled by the CLI from a manifest::Provider (the cloud layer does not see manifests).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "base/secret.h"
#include "cloud/credentials.h"

namespace converge::cloud {

struct ProviderConfig {
  enum class Type { kScnet, kTione };
  std::string name;
  Type type = Type::kScnet;
  std::string endpoint;  // http(s)://host[:port]; SCNet with an access key: "" discovers it
  std::string region;    // TI-ONE X-TC-Region
  // Secrets, each a fixed value or a file re-read when it changes (base/secret.h).
  // Never logged; MakeProvider registers fixed values with RegisterSecret().
  Secret token;  // SCNet static token (spec.token), read for every call
  // SCNet access-key mode (spec.auth), instead of a token: tokens are obtained
  // from account_endpoint for `cluster` (clusterName or clusterId) and renewed;
  // the key's parts are read at each refresh.
  std::optional<ScnetAccessKeySecrets> scnet_access_key;
  std::string cluster;
  std::string account_endpoint = "https://www.scnet.cn";
  Secret secret_id;      // TI-ONE
  Secret secret_key;     // TI-ONE
  Secret session_token;  // TI-ONE, optional: temporary credentials, sent as X-TC-Token
  double qps = 10;       // token bucket shared by every call to this provider; <= 0: no limit
  int burst = 20;
  // connect_timeout bounds connecting; request_timeout the whole exchange,
  // connect included (http/socket_transport.h).
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{30000};
  int max_retries = 3;  // for retryable errors of non-create calls
  std::chrono::milliseconds retry_base{200};
  std::chrono::milliseconds retry_max{5000};
  std::string ca_file;  // extra CA bundle; verification is always on for https
  int page_size = 50;   // list page size
  // Why this configuration cannot be used, when the CLI knows (e.g. "spec.token:
  // environment variable SCNET_TOKEN is not set; set it or use fromFile"); names
  // the field and the variable or file, never a value. When set, MakeProvider
  // returns a provider whose every call fails with it.
  std::string config_error;
};

}  // namespace converge::cloud
