// Where a provider's credentials come from. Adapters read a secret's current
// value each time they need it (SCNet access keys: at every token refresh)
// rather than keeping a copy, so a rotated secret is picked up by the next use
// (base/secret.h: a file is re-read when it changes).
#pragma once

#include <string>

#include "base/secret.h"

namespace converge::cloud {

// An SCNet access key (API-NOTES "Tokens"): the account's user name, AccessKey
// and SecretKey. Secrets: never logged.
struct ScnetAccessKey {
  std::string user;
  std::string access_key;
  std::string secret_key;
};

// spec.auth: each part a Secret handle (a fixed value or a file that rotates).
struct ScnetAccessKeySecrets {
  Secret user;
  Secret access_key;
  Secret secret_key;

  // The key to sign with now (each file re-read when it changed).
  ScnetAccessKey Current() const {
    return {user.Current(), access_key.Current(), secret_key.Current()};
  }
  // Why a part's newest file content is not in use, "" when none (Secret::Problem).
  std::string Problem() const {
    std::string out;
    for (const Secret* s : {&user, &access_key, &secret_key}) {
      std::string p = s->Problem();
      if (!p.empty()) out += (out.empty() ? "" : "; ") + p;
    }
    return out;
  }
};

}  // namespace converge::cloud
