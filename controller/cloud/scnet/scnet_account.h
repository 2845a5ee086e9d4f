// The SCNet account host (spec.accountEndpoint, https://www.scnet.cn by
// default): tokens obtained with an access key and renewed before they expire,
// and the discovery of a cluster's AI endpoint. API-NOTES "Tokens"; README
// "SCNet credentials".
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/backoff.h"
#include "base/clock.h"
#include "base/random.h"
#include "cloud/credentials.h"
#include "cloud/http/api_caller.h"
#include "cloud/request_observer.h"
#include "cloud/scnet/token_source.h"

namespace converge::cloud::scnet {

inline constexpr char kObtainToken[] = "ObtainToken";
inline constexpr char kRenewToken[] = "RenewToken";
inline constexpr char kDiscoverEndpoint[] = "DiscoverEndpoint";

inline constexpr char kTokensPath[] = "/api/user/v3/tokens";
inline constexpr char kRenewPath[] = "/ac/openapi/v2/tokens/next";
inline constexpr char kCenterPath[] = "/ac/openapi/v2/center";

struct AccountOptions {
  std::string provider;          // metadata.name
  std::string account_endpoint;  // for messages
  std::string cluster;           // clusterName or clusterId
  // Waits between failed refreshes (jittered, doubling): calls in between fail
  // at once with the last failure.
  std::chrono::milliseconds retry_base{1000};
  std::chrono::milliseconds retry_max{std::chrono::minutes(5)};
};

// Thread-safe. Holds the provider's current token; refreshes it under one lock,
// so concurrent callers wait for a refresh in flight instead of starting their own.
class ScnetAccount : public TokenSource {
 public:
  ScnetAccount(AccountOptions options, ScnetAccessKeySecrets credentials,
               std::unique_ptr<http::ApiCaller> caller, Random& random, RequestObserver* observer);

  Result<std::string> Current() override;
  Result<std::string> AfterRejection(const std::string& rejected, const Error& why) override;
  std::string SecretProblem() const override { return credentials_.Problem(); }

  // GET /ac/openapi/v2/center: the cluster's AI base URL with its trailing /ai
  // removed ("https://host:port"), ready for paths that start with /ai or /ac.
  Result<std::string> DiscoverEndpoint();

 private:
  enum class Mode { kDue, kForceObtain };
  Result<std::string> RefreshLocked(Mode mode);
  Result<std::string> Obtain(const ScnetAccessKey& key);
  Result<std::string> Renew(const std::string& token);
  void Store(std::string token, const char* result);
  Error Failure(Error cause, const char* what) const;

  const AccountOptions options_;
  const ScnetAccessKeySecrets credentials_;  // read at each refresh
  const std::unique_ptr<http::ApiCaller> caller_;
  Clock& clock_;
  RequestObserver* const observer_;

  std::mutex mu_;  // held across a refresh
  std::string token_;
  std::string token_key_;  // the access key token_ was obtained with (never printed)
  WallTime obtained_{};
  std::optional<WallTime> expiry_;
  Backoff backoff_;
  std::optional<Error> failure_;  // the last refresh failure, while backing off
  SteadyTime retry_at_{};
};

}  // namespace converge::cloud::scnet
