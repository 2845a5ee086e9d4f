// The simulated SCNet account host (API-NOTES "Tokens"): access-key token
// issue with signature and timestamp checks, renewal, state, endpoint
// discovery, and the token check in front of every SCNet call. Internal; the
// simulator serializes access.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "base/clock.h"
#include "sim/scnet_world.h"

namespace converge::sim {

struct Request;

class ScnetTokens {
 public:
  ScnetTokens(Duration ttl, int64_t skew_tolerance_seconds, Clock& clock);

  // POST /api/user/v3/tokens: headers user, accesskey, timestamp, signature.
  // `ai_url` is the simulator's base URL (aiUrls point back at it).
  ScnetReply Obtain(const Request& r);
  // POST /ac/openapi/v2/tokens/next with header token.
  ScnetReply Renew(const std::string& token);
  // GET /ac/openapi/v2/tokens/state.
  ScnetReply State(const std::string& token);
  // GET /ac/openapi/v2/center: the token's cluster with aiUrls at `base_url`/ai.
  ScnetReply Center(const std::string& token, const std::string& base_url);
  // In front of every SCNet API call: nullopt when `token` may call (the static
  // test token, or an issued one that has not expired and whose key is not
  // revoked); the refusal otherwise (10008 for an expired token, 10009 else).
  std::optional<ScnetReply> Check(const std::string& token);

  // POST /_sim/credentials's "scnet" part, {"accessKey":K,"revoked":bool}
  // (revoked defaults to true): revokes (or restores) an access key; its tokens stop working.
  // kNotFound for an unknown key, kInvalidArgument when malformed.
  Status SetRevoked(const json& request);
  void Reset(bool keys);
  // {issued, renewed, expired_rejections} for /_sim/stats.
  json Stats() const;

 private:
  struct Issued {
    std::string access_key;
    WallTime expiry;
  };
  std::string Issue(const std::string& access_key);

  const Duration ttl_;
  const int64_t skew_tolerance_seconds_;
  Clock& clock_;
  std::map<std::string, Issued> issued_;
  std::set<std::string> revoked_;
  int64_t serial_ = 0;
  int64_t issued_count_ = 0;
  int64_t renewed_count_ = 0;
  int64_t expired_rejections_ = 0;
};

}  // namespace converge::sim
