#include "cloud/scnet/token_schedule.h"

#include <algorithm>

namespace converge::cloud::scnet {

WallTime RenewAt(WallTime obtained, WallTime expiry) {
  if (expiry <= obtained) return obtained;
  const auto life = expiry - obtained;
  const WallTime at80 = obtained + life * 4 / 5;
  const WallTime before = expiry - kRenewMargin;
  return before > obtained ? std::min(at80, before) : at80;
}

TokenAction Due(WallTime obtained, std::optional<WallTime> expiry, WallTime now) {
  if (!expiry) return TokenAction::kUse;
  if (now >= *expiry + kRenewGrace) return TokenAction::kObtain;
  if (now >= RenewAt(obtained, *expiry)) return TokenAction::kRenew;
  return TokenAction::kUse;
}

}  // namespace converge::cloud::scnet
