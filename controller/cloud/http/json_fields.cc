#include "cloud/http/json_fields.h"

#include <charconv>
#include <cmath>

namespace converge::cloud::http {

const nlohmann::json* Field(const nlohmann::json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

const nlohmann::json* FirstField(const nlohmann::json& obj,
                                 std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) {
    if (const nlohmann::json* v = Field(obj, key)) return v;
  }
  return nullptr;
}

std::optional<std::string> ScalarText(const nlohmann::json* value) {
  if (value == nullptr) return std::nullopt;
  switch (value->type()) {
    case nlohmann::json::value_t::string:
      return value->get_ref<const std::string&>();
    case nlohmann::json::value_t::boolean:
      return value->get<bool>() ? "true" : "false";
    case nlohmann::json::value_t::number_integer:
      return std::to_string(value->get<int64_t>());
    case nlohmann::json::value_t::number_unsigned:
      return std::to_string(value->get<uint64_t>());
    case nlohmann::json::value_t::number_float: {
      const double d = value->get<double>();
      if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 1e15) {
        return std::to_string(static_cast<int64_t>(d));
      }
      char buf[64];
      auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, d);
      if (ec != std::errc()) return std::nullopt;
      return std::string(buf, ptr);
    }
    default:
      return std::nullopt;
  }
}

std::string TextOr(const nlohmann::json& obj, std::string_view key, std::string fallback) {
  std::optional<std::string> text = ScalarText(Field(obj, key));
  return text ? *text : std::move(fallback);
}

std::optional<int64_t> IntegerOf(const nlohmann::json* value) {
  if (value == nullptr) return std::nullopt;
  if (value->is_number_integer()) return value->get<int64_t>();
  if (value->is_number_float()) {
    const double d = value->get<double>();
    if (std::isfinite(d) && std::trunc(d) == d) return static_cast<int64_t>(d);
    return std::nullopt;
  }
  if (value->is_string()) {
    const std::string& s = value->get_ref<const std::string&>();
    int64_t out = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
    return out;
  }
  return std::nullopt;
}

Error ProtocolError(std::string message) {
  Error e;
  e.category = Error::Category::kProtocol;
  e.message = std::move(message);
  return e;
}

Error MissingEnvelope(int status, std::string_view cloud, std::string_view envelope) {
  if (status < 200 || status > 299) return ErrorForHttpStatus(status, cloud);
  Error e = ProtocolError(std::string(cloud) + " answered HTTP " + std::to_string(status) +
                          " without a JSON " + std::string(envelope) + " envelope");
  e.http_status = status;
  return e;
}

Error ErrorForHttpStatus(int status, std::string_view cloud) {
  Error e;
  e.http_status = status;
  const std::string prefix = std::string(cloud) + " answered HTTP " + std::to_string(status);
  if (status == 401 || status == 403) {
    e.category = Error::Category::kAuth;
    e.message = prefix + " (not authorized); check the provider's credentials and permissions";
  } else if (status == 404) {
    e.category = Error::Category::kNotFound;
    e.message = prefix + " (not found); check the provider endpoint";
  } else if (status == 429) {
    e.category = Error::Category::kRateLimited;
    e.retryable = true;
    e.message = prefix + " (too many requests); lower the provider's rateLimit";
  } else if (status == 408 || (status >= 500 && status <= 599)) {
    e.category = Error::Category::kServer;
    e.retryable = true;
    e.message = prefix + " (server error); try again later";
  } else if (status >= 400 && status <= 499) {
    e.category = Error::Category::kInvalid;
    e.message = prefix + " (request refused)";
  } else {
    e.category = Error::Category::kProtocol;
    e.message = prefix + " without the expected JSON answer";
  }
  return e;
}

}  // namespace converge::cloud::http
