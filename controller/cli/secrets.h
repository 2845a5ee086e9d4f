// Reading the secrets a Provider manifest names (spec.token, spec.secretId,
// spec.secretKey) from the environment or a file.
#pragma once

#include <string>

#include "base/result.h"
#include "manifest/model.h"

namespace converge::cli {

// Reads a secret: the environment variable or the file (trailing newlines
// stripped) and registers it for redaction. The error names the field, the
// variable or file and what to do, never a value: "spec.token: environment
// variable SCNET_TOKEN is not set; set it or use fromFile". kNotFound for an
// unset variable, kIOError for an unreadable file, kInvalidArgument for an
// empty value.
Result<std::string> ResolveSecret(const manifest::SecretRef& ref, const std::string& field);

}  // namespace converge::cli
