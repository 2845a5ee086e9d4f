#include "sim/scnet_tokens.h"

#include <charconv>

#include "base/base64url.h"
#include "base/hmac.h"
#include "cloud/scnet/access_key.h"
#include "sim/simulator_impl.h"

namespace converge::sim {
namespace {

// The account's access keys: their SecretKey, nullptr for an unknown key.
const char* SecretKeyOf(const std::string& access_key) {
  if (access_key == kTestScnetAccessKey) return kTestScnetSecretKey;
  if (access_key == kTestScnetAccessKey2) return kTestScnetSecretKey2;
  return nullptr;
}

int64_t Millis(WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

ScnetReply Refuse(const char* code, const std::string& msg) {
  return ScnetReply{ScnetEnvelope(code, msg)};
}

}  // namespace

ScnetTokens::ScnetTokens(Duration ttl, int64_t skew_tolerance_seconds, Clock& clock)
    : ttl_(ttl), skew_tolerance_seconds_(skew_tolerance_seconds), clock_(clock) {}

std::string ScnetTokens::Issue(const std::string& access_key) {
  // Forget tokens too old to renew, so a long run with short tokens stays small;
  // they answer "invalid" instead of "expired" from then on.
  std::erase_if(issued_, [&](const auto& entry) {
    return entry.second.expiry + std::chrono::hours(24) < clock_.WallNow();
  });
  const WallTime expiry = clock_.WallNow() + std::chrono::duration_cast<WallTime::duration>(ttl_);
  const json header = {{"alg", "HS256"}, {"typ", "JWT"}};
  const json claims = {{"computeUser", kTestScnetUser},
                       {"accountStatus", "Trial"},
                       {"clusterId", kTestScnetClusterId},
                       {"user", kTestScnetUser},
                       {"userId", "1001"},
                       {"jti", std::to_string(++serial_)},
                       {"expireTime", std::to_string(Millis(expiry))}};
  const std::string signed_part =
      Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(claims.dump());
  const std::string token =
      signed_part + "." + Base64UrlEncode(HmacSha256("simulator-jwt-signing-key", signed_part));
  issued_[token] = Issued{access_key, expiry};
  return token;
}

ScnetReply ScnetTokens::Obtain(const Request& r) {
  for (const char* header : {"user", "accesskey", "timestamp", "signature"}) {
    if (r.Header(header).empty()) {
      return Refuse(scnet_code::kMissingParameter,
                    std::string("missing parameter: header ") + header);
    }
  }
  const std::string user = r.Header("user");
  const std::string access_key = r.Header("accesskey");
  const std::string stamp = r.Header("timestamp");
  int64_t timestamp = 0;
  auto [end, ec] = std::from_chars(stamp.data(), stamp.data() + stamp.size(), timestamp);
  if (ec != std::errc() || end != stamp.data() + stamp.size()) {
    return Refuse(scnet_code::kInvalidParameter,
                  "invalid parameter: timestamp must be epoch seconds");
  }
  const int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.WallNow().time_since_epoch()).count();
  // Compared without subtracting timestamp: that overflows for one far in the past.
  if (timestamp < now - skew_tolerance_seconds_ || timestamp > now + skew_tolerance_seconds_) {
    return Refuse(scnet_code::kNoAccess, "verification failed: the timestamp is more than " +
                                             std::to_string(skew_tolerance_seconds_) +
                                             " s away from the server's time; check the clock");
  }
  const char* secret_key = SecretKeyOf(access_key);
  if (user != kTestScnetUser || secret_key == nullptr) {
    return Refuse(scnet_code::kNoAccess, "verification failed: unknown user or access key");
  }
  if (revoked_.count(access_key) > 0) {
    return Refuse(scnet_code::kNoAccess,
                  "verification failed: the access key has been revoked; create a new one "
                  "in the SCNet console");
  }
  if (r.Header("signature") !=
      cloud::scnet::AccessKeySignature(user, access_key, secret_key, timestamp)) {
    return Refuse(scnet_code::kNoAccess,
                  "verification failed: the signature does not match; check the secret key");
  }
  ++issued_count_;
  json data = json::array();
  data.push_back({{"clusterName", kTestScnetCluster},
                  {"clusterId", kTestScnetClusterId},
                  {"token", Issue(access_key)}});
  return ScnetReply{ScnetEnvelope(scnet_code::kOk, "success", data)};
}

std::optional<ScnetReply> ScnetTokens::Check(const std::string& token) {
  if (token == kTestScnetToken) return std::nullopt;
  if (token.empty()) return Refuse(scnet_code::kNoAccess, "no access: the token header is missing");
  auto it = issued_.find(token);
  if (it == issued_.end()) {
    return Refuse(scnet_code::kNoAccess, "no access: the token is invalid or expired");
  }
  if (revoked_.count(it->second.access_key) > 0) {
    return Refuse(scnet_code::kNoAccess,
                  "no access: the access key of this token has been revoked");
  }
  if (clock_.WallNow() >= it->second.expiry) {
    ++expired_rejections_;
    return Refuse(scnet_code::kPermission, "insufficient permission: the token has expired");
  }
  return std::nullopt;
}

ScnetReply ScnetTokens::Renew(const std::string& token) {
  auto it = issued_.find(token);
  if (it == issued_.end()) {
    return Refuse(scnet_code::kNoAccess, "no access: the token is invalid");
  }
  if (revoked_.count(it->second.access_key) > 0) {
    return Refuse(scnet_code::kNoAccess,
                  "no access: the access key of this token has been revoked");
  }
  if (clock_.WallNow() >= it->second.expiry + std::chrono::hours(24)) {
    ++expired_rejections_;
    return Refuse(scnet_code::kPermission,
                  "insufficient permission: the token expired more than 24 h ago; obtain a "
                  "new one");
  }
  ++renewed_count_;
  const std::string access_key = it->second.access_key;
  return ScnetReply{ScnetEnvelope(scnet_code::kOk, "success", Issue(access_key))};
}

ScnetReply ScnetTokens::State(const std::string& token) {
  if (std::optional<ScnetReply> refused = Check(token)) return *refused;
  return ScnetReply{ScnetEnvelope(scnet_code::kOk, "success", "token is valid")};
}

ScnetReply ScnetTokens::Center(const std::string& token, const std::string& base_url) {
  if (std::optional<ScnetReply> refused = Check(token)) return *refused;
  json data = {{"clusterId", kTestScnetClusterId},
               {"clusterName", kTestScnetCluster},
               {"aiUrls", json::array({{{"enable", true}, {"url", base_url + "/ai"}}})}};
  return ScnetReply{ScnetEnvelope(scnet_code::kOk, "success", data)};
}

Status ScnetTokens::SetRevoked(const json& request) {
  if (!request.is_object() || !request.contains("accessKey") || !request["accessKey"].is_string() ||
      (request.contains("revoked") && !request["revoked"].is_boolean())) {
    return std::unexpected(Error::InvalidArgument(
        "credentials: expected \"scnet\": {\"accessKey\": KEY, \"revoked\"?: true|false}"));
  }
  const std::string key = request["accessKey"];
  if (SecretKeyOf(key) == nullptr) {
    return std::unexpected(Error::NotFound("credentials: no such SCNet access key"));
  }
  if (request.value("revoked", true)) {
    revoked_.insert(key);
  } else {
    revoked_.erase(key);
  }
  return {};
}

void ScnetTokens::Reset(bool keys) {
  issued_count_ = renewed_count_ = expired_rejections_ = 0;
  if (keys) {
    revoked_.clear();
    issued_.clear();
  }
}

json ScnetTokens::Stats() const {
  return {{"issued", issued_count_},
          {"renewed", renewed_count_},
          {"expired_rejections", expired_rejections_}};
}

}  // namespace converge::sim
