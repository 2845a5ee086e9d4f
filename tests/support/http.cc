#include "support/http.h"

#include "serve/http_client.h"

namespace converge::test_support {

Response Send(const std::string& base_url, const Request& request) {
  constexpr std::string_view kScheme = "http://";
  const std::string address =
      base_url.starts_with(kScheme) ? base_url.substr(kScheme.size()) : base_url;
  Result<serve::ClientResponse> answer =
      serve::Exchange(address, {.method = request.method,
                                .target = request.path,
                                .headers = request.headers,
                                .body = request.body,
                                .content_type = request.content_type,
                                .timeout = request.timeout});
  Response out;
  if (!answer) {
    out.transport_error = answer.error().message;
    return out;
  }
  out.status = answer->status;
  out.content_type = answer->Header("content-type");
  out.body = std::move(answer->body);
  return out;
}

Response Get(const std::string& base_url, const std::string& path) {
  return Send(base_url, {.method = "GET", .path = path});
}

Response Post(const std::string& base_url, const std::string& path, const nlohmann::json& body) {
  return Send(base_url, {.method = "POST", .path = path, .body = body.dump()});
}

}  // namespace converge::test_support
