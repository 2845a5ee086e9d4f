#include "cli/secrets.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "base/redact.h"

namespace converge::cli {

Result<std::string> ResolveSecret(const manifest::SecretRef& ref, const std::string& field) {
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
    return std::string(value);
  }
  std::ifstream in(ref.ref);
  if (!in) {
    return std::unexpected(Error::IOError(where + "cannot read secret file " + ref.ref +
                                          "; check the path and its permissions"));
  }
  std::stringstream buf;
  buf << in.rdbuf();
  std::string value = buf.str();
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  if (value.empty()) {
    return std::unexpected(Error::InvalidArgument(where + "secret file " + ref.ref +
                                                  " is empty; write the secret to it"));
  }
  RegisterSecret(value);
  return value;
}

}  // namespace converge::cli
