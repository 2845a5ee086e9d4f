// Message authentication with OpenSSL: HMAC-SHA256 (what TC3 and SCNet access
// keys sign with, and GitHub's webhook signature), its lowercase hex form, and a
// comparison of secrets that does not leak where they differ. Pure functions;
// thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace converge {

// The raw 32-byte HMAC-SHA256 of `data` keyed by `key` (RFC 2104, FIPS 180-4).
std::string HmacSha256(std::string_view key, std::string_view data);

// `bytes` as lowercase hex, two digits a byte.
std::string ToHex(std::string_view bytes);

// Whether `a` equals `b`, in time that depends on their lengths only
// (CRYPTO_memcmp): for checking signatures and shared secrets a caller sent.
bool ConstantTimeEqual(std::string_view a, std::string_view b);

}  // namespace converge
