#include "cli/controller_client.h"

#include <chrono>

#include "serve/http_client.h"

namespace converge::cli {

Result<ControllerAnswer> CallController(const std::string& command, const std::string& addr,
                                        const std::string& method, const std::string& path,
                                        const std::string& body) {
  Result<serve::ClientResponse> answer =
      serve::Exchange(addr, {.method = method,
                             .target = path,
                             .body = body,
                             .content_type = body.empty() ? "" : "application/json",
                             .timeout = std::chrono::seconds(5)});
  if (!answer) {
    return std::unexpected(Error::Unavailable(
        command + ": cannot reach a controller at " + addr + ": " + answer.error().message +
        " (is `converge run` running? pass its --metrics-addr as --addr)"));
  }
  return ControllerAnswer{answer->status, std::move(answer->body)};
}

}  // namespace converge::cli
