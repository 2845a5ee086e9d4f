// The HTTP/1.1 wire of the controller's endpoints: reading requests off one
// connection and writing the answers, with limits so that a slow, stuck or
// oversized client never holds a thread or memory for long. Plain POSIX sockets.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace converge::serve {

struct HttpLimits {
  size_t max_head = 16 * 1024;  // request line + headers; more gets 431
  size_t max_body = 1 << 20;    // Content-Length over it: the handler sees body_too_large
  int max_connections = 128;    // more get 503 and are closed
  // A kept-alive connection with no request coming is closed after idle_timeout; a
  // request that has begun must be complete within request_timeout (else 408), and
  // each answer must be taken by the client within it.
  std::chrono::milliseconds idle_timeout{30000};
  std::chrono::milliseconds request_timeout{10000};
};

struct HttpRequest {
  std::string method;                                        // "GET", "POST", ...
  std::string path;                                          // the target without its query
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
  // Content-Length was over HttpLimits::max_body: the body was not read (and the
  // connection is closed after the answer).
  bool body_too_large = false;
  std::string peer;  // the client's IP address ("127.0.0.1", "::1", "::ffff:127.0.0.1")

  // The first header named `lower_name` (lowercase), or "".
  std::string Header(std::string_view lower_name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain";
  std::shared_ptr<const std::string> body;  // shared: a rendering is sent without a copy
  std::vector<std::pair<std::string, std::string>> headers;  // extra ones, e.g. Allow

  static HttpResponse Text(int status, std::string body, std::string content_type = "text/plain");
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// Serves requests on the connected socket `fd` until the client closes it, asks
// to close (Connection: close, HTTP/1.0), sends what cannot be served (400, 411,
// 431 and close) or times out. Keep-alive by default. Exceptions of `handler`
// become 500 (and a log line). Does not close `fd`.
void ServeConnection(int fd, const std::string& peer, const HttpLimits& limits,
                     const HttpHandler& handler);

// Writes one answer (status line, Content-Type, Content-Length, Connection, the
// extra headers, the body) with a gathering send. False when the client is gone.
bool WriteResponse(int fd, const HttpResponse& response, bool keep_alive);

}  // namespace converge::serve
