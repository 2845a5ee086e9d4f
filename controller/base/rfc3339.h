// RFC 3339 timestamps (the Kubernetes convention for times in status documents
// and the format of every log line's first field).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace converge {

// "2026-11-23T19:04:05.123Z" for unix milliseconds (UTC, always 3 fraction digits).
std::string FormatRfc3339(int64_t unix_ms);

// Unix milliseconds of "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm)" ('t'/'z'
// and a space for 'T' accepted); nullopt when malformed. Digits beyond
// milliseconds are dropped.
std::optional<int64_t> ParseRfc3339(std::string_view text);

}  // namespace converge
