#include "cli/controller_client.h"

#include <cpprest/http_client.h>

#include <chrono>

namespace converge::cli {

Result<ControllerAnswer> CallController(const std::string& command, const std::string& addr,
                                        const std::string& method, const std::string& path,
                                        const std::string& body) {
  try {
    web::http::client::http_client_config config;
    config.set_timeout(std::chrono::seconds(5));
    web::http::client::http_client client("http://" + addr, config);
    web::http::http_request req(method);
    req.set_request_uri(path);
    if (!body.empty()) req.set_body(body, "application/json");
    auto response = client.request(req).get();
    return ControllerAnswer{response.status_code(), response.extract_string().get()};
  } catch (const std::exception& e) {
    return std::unexpected(
        Error::Unavailable(command + ": cannot reach a controller at " + addr + ": " + e.what() +
                           " (is `converge run` running? pass its --metrics-addr as --addr)"));
  }
}

}  // namespace converge::cli
