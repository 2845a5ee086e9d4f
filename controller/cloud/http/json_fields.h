// Tolerant readers of cloud JSON: nothing here throws, and null counts as absent.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "cloud/error.h"

namespace converge::cloud::http {

// obj[key] when obj is an object holding a non-null value under key; else nullptr.
const nlohmann::json* Field(const nlohmann::json& obj, std::string_view key);
// The first of `keys` present (for the clouds' alternative spellings).
const nlohmann::json* FirstField(const nlohmann::json& obj,
                                 std::initializer_list<std::string_view> keys);
// A scalar as text: strings verbatim, integers in decimal, integral floats without
// a fraction, other floats shortest round-trip, booleans "true"/"false". nullopt
// for null, objects, arrays and nullptr.
std::optional<std::string> ScalarText(const nlohmann::json* value);
// ScalarText(Field(obj, key)) or "".
std::string TextOr(const nlohmann::json& obj, std::string_view key, std::string fallback = "");
// An integer from a number or a decimal string ("1223"); nullopt otherwise.
std::optional<int64_t> IntegerOf(const nlohmann::json* value);

// An Error for an HTTP status that carried no cloud code: 401/403 kAuth,
// 404 kNotFound, 429 kRateLimited (retryable), 408 and 5xx kServer (retryable),
// other statuses kInvalid (4xx) or kProtocol.
Error ErrorForHttpStatus(int status, std::string_view cloud);
// A kProtocol Error: the answer could not be understood.
Error ProtocolError(std::string message);
// The answer to a request at HTTP `status` lacked the cloud's JSON envelope
// (`envelope`, e.g. "{code, msg, data}"): a protocol error on a 2xx status,
// otherwise ErrorForHttpStatus. http_status is set either way.
Error MissingEnvelope(int status, std::string_view cloud, std::string_view envelope);

}  // namespace converge::cloud::http
