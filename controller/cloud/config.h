// How a provider adapter is built: resolved credentials and transport settings.
// Filled by the CLI from a manifest::Provider (the cloud layer does not see manifests).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "cloud/provider.h"

namespace converge {
class Clock;
class Random;
}  // namespace converge

namespace converge::cloud {

// Receives one call per HTTP attempt; the metrics layer implements it. Must be
// thread-safe. `code` is the cloud's code ("0", "10004", "AuthFailure", ...) or a
// transport word ("timeout", "connection"), never free text.
class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  virtual void OnRequest(const std::string& provider, const std::string& operation,
                         const std::string& code, double seconds) = 0;
  // A call held back by our own token bucket for `seconds`.
  virtual void OnThrottled(const std::string& provider, double seconds) {}
};

struct ProviderConfig {
  enum class Type { kScnet, kTione };
  std::string name;
  Type type = Type::kScnet;
  std::string endpoint;  // http(s)://host[:port]
  std::string region;    // TI-ONE X-TC-Region
  // Resolved secrets. Never logged; the CLI registers them with RegisterSecret().
  std::string token;       // SCNet
  std::string secret_id;   // TI-ONE
  std::string secret_key;  // TI-ONE
  double qps = 10;         // token bucket shared by every call to this provider; <= 0: no limit
  int burst = 20;
  // cpprestsdk has one timeout for the whole exchange, connect included:
  // request_timeout; connect_timeout is used only when request_timeout is 0.
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

// Each collaborator must outlive the providers built with it.
struct ProviderDeps {
  Clock* clock = nullptr;               // nullptr: RealClock
  Random* random = nullptr;             // nullptr: a process RealRandom
  RequestObserver* observer = nullptr;  // optional
};

// Builds the adapter for config.type. Never throws. An unusable configuration
// (config_error, a missing credential, region or scheme) gives a provider whose
// every call fails with a non-retryable kInvalid error saying what to fix.
std::unique_ptr<Provider> MakeProvider(const ProviderConfig& config, const ProviderDeps& deps = {});

}  // namespace converge::cloud
