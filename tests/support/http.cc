#include "support/http.h"

#include <cpprest/http_client.h>

namespace converge::test_support {

Response Send(const std::string& base_url, const Request& request) {
  Response out;
  try {
    web::http::client::http_client_config config;
    config.set_timeout(request.timeout);
    web::http::client::http_client client(base_url, config);
    web::http::http_request req(request.method);
    req.set_request_uri(request.path);
    for (const auto& [name, value] : request.headers) req.headers().add(name, value);
    if (!request.body.empty()) req.set_body(request.body, request.content_type);
    web::http::http_response response = client.request(req).get();
    out.status = response.status_code();
    out.content_type = response.headers().content_type();
    out.body = response.extract_utf8string(true).get();
  } catch (const std::exception& e) {
    out.status = 0;
    out.transport_error = e.what();
  }
  return out;
}

Response Get(const std::string& base_url, const std::string& path) {
  return Send(base_url, {.method = "GET", .path = path});
}

Response Post(const std::string& base_url, const std::string& path, const nlohmann::json& body) {
  return Send(base_url, {.method = "POST", .path = path, .body = body.dump()});
}

}  // namespace converge::test_support
