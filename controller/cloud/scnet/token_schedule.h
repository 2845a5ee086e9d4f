// When an SCNet token is renewed or obtained anew (README "SCNet credentials").
// Pure functions of wall-clock times.
#pragma once

#include <chrono>
#include <optional>

#include "base/clock.h"

namespace converge::cloud::scnet {

// A token older than this past its expiry cannot be renewed (tokens/next): obtain anew.
inline constexpr std::chrono::hours kRenewGrace{24};
// Renew at 80 % of the lifetime or this long before expiry, whichever comes first.
inline constexpr std::chrono::minutes kRenewMargin{10};

enum class TokenAction {
  kUse,     // still fresh
  kRenew,   // due: POST /ac/openapi/v2/tokens/next
  kObtain,  // too old to renew (or none): POST /api/user/v3/tokens
};

// When a token obtained (or renewed) at `obtained` and expiring at `expiry` is
// due for renewal: obtained + 80 % of its lifetime, or expiry - 10 min when that
// is earlier and still after `obtained` (a token living under 10 minutes is
// renewed at 80 %).
WallTime RenewAt(WallTime obtained, WallTime expiry);

// What to do with a token at `now`. A token of unknown expiry is used until the
// cloud rejects it.
TokenAction Due(WallTime obtained, std::optional<WallTime> expiry, WallTime now);

}  // namespace converge::cloud::scnet
