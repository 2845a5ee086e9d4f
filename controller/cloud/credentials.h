// Where a provider's credentials come from. Adapters ask a CredentialSource for
// the current value each time they need it (SCNet: at every token refresh)
// rather than keeping a copy, so a rotated secret is picked up by the next call.
#pragma once

#include <functional>
#include <string>

#include "cloud/error.h"

namespace converge::cloud {

// An SCNet access key (API-NOTES "Tokens"): the account's user name, AccessKey
// and SecretKey. Secrets: never logged.
struct ScnetAccessKey {
  std::string user;
  std::string access_key;
  std::string secret_key;
};

// Returns the credential's current value, or why it cannot be read (kInvalid,
// naming the field and the variable or file, never a value). Must be
// thread-safe; called rarely (token refreshes, rejections), never per call
// when a cached token serves.
template <typename T>
using CredentialSource = std::function<Result<T>()>;

// A source that always returns `value`.
template <typename T>
CredentialSource<T> FixedCredential(T value) {
  return [value = std::move(value)]() -> Result<T> { return value; };
}

}  // namespace converge::cloud
