// HTTP as a seam: the adapters speak to an HttpTransport so their parsing and
// retry logic can be tested with a scripted fake; production uses the socket
// transport (socket_transport.h).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "cloud/error.h"

namespace converge::cloud::http {

struct HttpRequest {
  std::string method = "GET";  // "GET", "POST" or "DELETE"
  std::string target = "/";    // path and query, already percent-encoded
  std::vector<std::pair<std::string, std::string>> headers;  // may carry secrets: never log
  std::string body;                                          // sent verbatim when non-empty
  std::string content_type;  // Content-Type of the body; "" sends none
  // Send on a new connection, never on a pooled one, and never resend. Without it
  // (reads), a request sent on a pooled keep-alive connection that turns out
  // closed or reset before any byte of the answer arrived is sent once more on a
  // new connection (as Go's net/http does for idempotent requests): the server
  // may have closed the idle connection just as the request went out. For calls
  // with side effects that resend could apply them twice.
  bool fresh_connection = false;
};

struct HttpResponse {
  int status = 0;
  std::string body;
};

// The largest answer body a transport reads (the clouds' list pages are a few
// KiB). A longer one is abandoned, its connection closed, and the call fails with
// a kProtocol error: a wrong or misbehaving endpoint cannot exhaust memory.
inline constexpr size_t kMaxAnswerBytes = 16 << 20;

// Sends one request, no retries. Success is any HTTP answer, whatever its status.
// Failure is an Error of category kTransport, retryable, with code "timeout" (a
// wait ran out) or "transport_error" (DNS, refused, TLS, connection closed or
// reset), a message naming the cause and the host, and outcome_unknown=true only
// when the request was fully sent before the failure (see transport_failure.h).
// A body over kMaxAnswerBytes is a failure of category kProtocol, not retryable.
// Never throws. Thread-safe.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string UrlEncode(std::string_view text);

// "path?k1=v1&k2=v2" with encoded values, in the given order.
std::string BuildTarget(std::string_view path,
                        const std::vector<std::pair<std::string, std::string>>& query);

// An endpoint "http(s)://host[:port][/]" taken apart.
struct Endpoint {
  std::string scheme;       // "http" or "https"
  std::string host;         // without brackets for IPv6
  int port = 0;             // the explicit port, 0 when none was given
  std::string host_header;  // the Host header value: host[:port] as written, host lower-cased
  std::string base_url;     // scheme://host_header
};

// Parses an endpoint. Error category kInvalid (message says what is wrong and
// the expected form) when the scheme is not http/https, the host is missing, the
// port is not a number, or there is a path, query or user info.
Result<Endpoint> ParseEndpoint(std::string_view text);

}  // namespace converge::cloud::http
