// Base64url (RFC 4648 §5), as JWTs use it: no padding on output, padding
// optional on input. Pure functions; no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace converge {

// `bytes` as base64url without '=' padding.
std::string Base64UrlEncode(std::string_view bytes);

// The bytes `text` encodes; accepts '=' padding and the standard alphabet's '+'
// and '/'. nullopt when `text` holds any other character or has an impossible
// length.
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace converge
