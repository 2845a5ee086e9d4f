// Secret redaction: the last line of defence that keeps credentials out of logs,
// errors, status and metrics. Code must still avoid putting secrets in text; this
// scrubs whatever slips through.
#pragma once

#include <string>
#include <string_view>

namespace converge {

inline constexpr std::string_view kRedacted = "[REDACTED]";

// Registers a secret value (a token, a SecretKey, a password) so Redact() masks
// every occurrence. Values shorter than 4 characters are ignored (they would mask
// ordinary text). Thread-safe; registrations live for the process.
void RegisterSecret(std::string_view value);

// Returns `text` with every registered secret replaced by [REDACTED], and with the
// values of well-known secret carriers masked whatever their value:
// `Authorization: ...`, `token: ...` headers, `Signature=...`, and the JSON keys
// "token", "sshPassword", "SecretKey", "password", "Authorization". Thread-safe.
std::string Redact(std::string_view text);

// For tests: forget every registered secret.
void ClearSecretsForTesting();

}  // namespace converge
