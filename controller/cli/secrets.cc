#include "cli/secrets.h"

#include <cstdlib>

#include "base/redact.h"

namespace converge::cli {

Result<Secret> ResolveSecret(const manifest::SecretRef& ref, const std::string& field) {
  const std::string where = "spec." + field + ": ";
  if (ref.source == manifest::SecretRef::Source::kEnv) {
    const char* value = std::getenv(ref.ref.c_str());
    if (value == nullptr) {
      return std::unexpected(Error::NotFound(where + "environment variable " + ref.ref +
                                             " is not set; set it or use fromFile"));
    }
    if (*value == '\0') {
      return std::unexpected(Error::InvalidArgument(where + "environment variable " + ref.ref +
                                                    " is empty; set it or use fromFile"));
    }
    RegisterSecret(value);
    return Secret(std::string(value));
  }
  return Secret::FromFile(ref.ref, "spec." + field);
}

}  // namespace converge::cli
