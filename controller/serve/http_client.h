// A small blocking HTTP/1.1 client for plain http on our own listeners: the CLI's
// calls to a running controller (`converge status`, `converge reconcile`) and the
// tests' requests to the controller and the simulator. One request per
// connection (Connection: close), the whole exchange bounded by a timeout. Not
// for the clouds: they have cloud/http's transport (TLS, pooling, retries).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "serve/http_head.h"

namespace converge::serve {

struct ClientRequest {
  std::string method = "GET";
  std::string target = "/";  // path and query, percent-encoded as they are to be sent
  // Sent as given; a Host header here replaces the one made from the address.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;          // sent with a Content-Length (and content_type) when non-empty
  std::string content_type;  // Content-Type of the body; "" sends none
  std::chrono::milliseconds timeout{5000};  // connect, send and the whole answer
};

struct ClientResponse {
  int status = 0;
  HeaderFields headers;  // names lowercased
  std::string body;

  // The first header named `lower_name` (lowercase), or "".
  std::string Header(std::string_view lower_name) const;
};

// Sends `request` to `address` ("host:port", "[::1]:port"; the host an IP address
// or a name) and reads the whole answer. Any HTTP answer is a value, whatever its
// status. Otherwise kUnavailable (retryable) whose message says what failed, in
// a few words for the caller to put after where it was going: "connection
// refused", "no answer within 5000 ms", "the connection closed after 12 of 40
// body bytes", "the answer is not HTTP/1.x: ...". Never throws.
Result<ClientResponse> Exchange(const std::string& address, const ClientRequest& request);

}  // namespace converge::serve
