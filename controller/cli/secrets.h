// Reading the secrets a Provider manifest names (spec.token, spec.secretId,
// spec.secretKey, spec.sessionToken) from the environment or a file.
#pragma once

#include <string>

#include "base/result.h"
#include "base/secret.h"
#include "manifest/model.h"

namespace converge::cli {

// Reads a secret: the environment variable (a fixed value: the environment does
// not change in a running process) or the file (trailing newlines stripped; a
// Secret that re-reads it when it changes, base/secret.h) and registers it for
// redaction. The error names the field, the
// variable or file and what to do, never a value: "spec.token: environment
// variable SCNET_TOKEN is not set; set it or use fromFile". kNotFound for an
// unset variable, kIOError for an unreadable file, kInvalidArgument for an
// empty value.
Result<Secret> ResolveSecret(const manifest::SecretRef& ref, const std::string& field);

}  // namespace converge::cli
