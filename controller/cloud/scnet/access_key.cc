#include "cloud/scnet/access_key.h"

#include <nlohmann/json.hpp>

#include "base/hmac.h"

namespace converge::cloud::scnet {

std::string AccessKeyStringToSign(const std::string& user, const std::string& access_key,
                                  int64_t timestamp) {
  // nlohmann::json (not ordered_json) keeps keys sorted: accessKey, timestamp, user.
  const nlohmann::json text = {
      {"accessKey", access_key}, {"timestamp", std::to_string(timestamp)}, {"user", user}};
  return text.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string AccessKeySignature(const std::string& user, const std::string& access_key,
                               const std::string& secret_key, int64_t timestamp) {
  return ToHex(HmacSha256(secret_key, AccessKeyStringToSign(user, access_key, timestamp)));
}

}  // namespace converge::cloud::scnet
