// The HTTP/1.1 wire of the controller's endpoints: reading requests off one
// connection and writing the answers, with limits so that a slow, stuck or
// oversized client never holds a thread or memory for long. Plain POSIX sockets.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <semaphore>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "serve/http_head.h"

namespace converge::serve {

struct HttpLimits {
  size_t max_head = 16 * 1024;  // request line + headers; more gets 431
  size_t max_body = 1 << 20;    // Content-Length over it: the handler sees body_too_large
  int max_connections = 128;    // more get 503 and are closed
  // Connections copying an answer into their socket at the same time; the others
  // wait, not runnable. Nice applies per thread: 50 runnable nice +10 threads
  // together outweigh one at nice 0, a few do not.
  int concurrent_sends = 1;
  // A kept-alive connection with no request coming is closed after idle_timeout; a
  // request that has begun must be complete within request_timeout (else 408), and
  // each answer must be taken by the client within it.
  std::chrono::milliseconds idle_timeout{30000};
  std::chrono::milliseconds request_timeout{10000};
};

struct HttpRequest {
  std::string method;    // "GET", "POST", ...
  std::string path;      // the target without its query, as sent (percent-encoded)
  std::string query;     // what follows '?' in the target, without a fragment, as sent
  HeaderFields headers;  // names lowercased
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
  std::string content_type = "text/plain";  // "" sends no Content-Type
  std::shared_ptr<const std::string> body;  // shared: a rendering is sent without a copy
  std::vector<std::pair<std::string, std::string>> headers;  // extra ones, e.g. Allow
  // Fault injection (the simulator's "drop"): Content-Length announces this many
  // bytes instead of the body's size, the body is sent as it is, and the
  // connection closes after it, so the client's read fails mid-answer.
  std::optional<size_t> announced_length;

  static HttpResponse Text(int status, std::string body, std::string content_type = "text/plain");
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;
using SendGate = std::counting_semaphore<1024>;

// Serves requests on the connected socket `fd` until the client closes it, asks
// to close (Connection: close, HTTP/1.0), sends what cannot be served (400, 411,
// 431 and close) or times out. Keep-alive by default. Exceptions of `handler`
// become 500 (and a log line). Answers are sent under `gate`. Does not close `fd`.
void ServeConnection(int fd, const std::string& peer, const HttpLimits& limits,
                     const HttpHandler& handler, SendGate& gate);

// Writes one answer (status line, Content-Type, Content-Length, Connection, the
// extra headers, the body; Connection: close when announced_length is set) with gathering sends,
// each made holding `gate` (when given) and never blocking while holding it. False when the client
// is gone or takes no bytes for `timeout`.
bool WriteResponse(int fd, const HttpResponse& response, bool keep_alive,
                   std::chrono::milliseconds timeout, SendGate* gate = nullptr);

}  // namespace converge::serve
