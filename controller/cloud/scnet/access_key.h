// SCNet access-key signing (API-NOTES "Tokens"): the headers of
// POST /api/user/v3/tokens. Pure functions; shared by the client and the
// simulator, which verifies what the client signs.
#pragma once

#include <cstdint>
#include <string>

namespace converge::cloud::scnet {

// The signed text: {"accessKey":"…","timestamp":"…","user":"…"} (keys sorted,
// no spaces, JSON-escaped values).
std::string AccessKeyStringToSign(const std::string& user, const std::string& access_key,
                                  int64_t timestamp);

// Lowercase hex HMAC-SHA256(secret_key, AccessKeyStringToSign(...)), the
// `signature` header.
std::string AccessKeySignature(const std::string& user, const std::string& access_key,
                               const std::string& secret_key, int64_t timestamp);

}  // namespace converge::cloud::scnet
