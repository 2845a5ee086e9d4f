// Where the SCNet adapter gets the `token` header of each call: a static token
// (spec.token) or tokens obtained and renewed with an access key (spec.auth,
// scnet_account.h). README "SCNet credentials".
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/secret.h"
#include "cloud/credentials.h"
#include "cloud/error.h"
#include "cloud/request_observer.h"

namespace converge::cloud::scnet {

// SCNet refused a call for its credentials (codes 10008 and 10009): refresh once, then fail.
bool IsCredentialRejection(const Error& e);

// Thread-safe.
class TokenSource {
 public:
  virtual ~TokenSource() = default;
  // The token to send now; obtains or renews it first when due (one refresh at a
  // time: concurrent callers wait for it). The refresh failure otherwise.
  virtual Result<std::string> Current() = 0;
  // A call sent with `rejected` was refused for credentials (`why`, code
  // 10008/10009): the token to retry that call with once, or the error to
  // report. When another caller already replaced `rejected`, its replacement.
  virtual Result<std::string> AfterRejection(const std::string& rejected, const Error& why) = 0;
  // Why a credential file's newest content is not in use (Secret::Problem), "" when none.
  virtual std::string SecretProblem() const = 0;
};

// spec.token: the Secret's value, read for each call (a rotated file is used by
// the next call). Reports the token's JWT expiry, when it has one, to the
// observer. After a rejection it retries only when the source's value changed.
class StaticTokenSource : public TokenSource {
 public:
  StaticTokenSource(std::string provider, Secret token, RequestObserver* observer);
  Result<std::string> Current() override;
  Result<std::string> AfterRejection(const std::string& rejected, const Error& why) override;
  std::string SecretProblem() const override { return token_.Problem(); }

 private:
  Result<std::string> Read();

  const std::string provider_;
  const Secret token_;
  RequestObserver* const observer_;
  std::mutex mu_;
  std::string reported_;  // the token whose expiry was last reported
};

}  // namespace converge::cloud::scnet
