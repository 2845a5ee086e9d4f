#include "cloud/scnet/jwt.h"

#include <charconv>
#include <string>

#include <nlohmann/json.hpp>

#include "base/base64url.h"

namespace converge::cloud::scnet {

std::optional<WallTime> TokenExpiry(std::string_view token) {
  const size_t first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  const size_t second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  std::optional<std::string> payload = Base64UrlDecode(token.substr(first + 1, second - first - 1));
  if (!payload) return std::nullopt;
  const nlohmann::json claims = nlohmann::json::parse(*payload, nullptr, false);
  if (claims.is_discarded() || !claims.is_object()) return std::nullopt;
  auto it = claims.find("expireTime");
  if (it == claims.end()) return std::nullopt;
  int64_t millis = 0;
  if (it->is_number_integer()) {
    millis = it->get<int64_t>();
  } else if (it->is_string()) {
    const std::string& text = it->get_ref<const std::string&>();
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), millis);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (millis <= 0) return std::nullopt;
  return WallTime{std::chrono::milliseconds(millis)};
}

}  // namespace converge::cloud::scnet
