// The parts of an SCNet token (a JWT) Converge reads: its expireTime claim.
// The signature is the cloud's business and is not checked. Pure functions.
#pragma once

#include <optional>
#include <string_view>

#include "base/clock.h"

namespace converge::cloud::scnet {

// When `token` stops working: its payload's `expireTime` claim (epoch
// milliseconds, a string or a number). nullopt when the token is not a JWT
// (three dot-separated base64url parts), its payload is not JSON, or the claim
// is missing or not a number (a static token of unknown lifetime).
std::optional<WallTime> TokenExpiry(std::string_view token);

}  // namespace converge::cloud::scnet
