// HTTP/1.1 on the wire for the socket transport: the request as bytes, and one
// answer read off a connection (Content-Length, chunked or close-delimited body,
// at most kMaxAnswerBytes of it).
#pragma once

#include <string>
#include <variant>

#include "cloud/http/connection.h"
#include "cloud/http/transport.h"
#include "cloud/http/transport_failure.h"

namespace converge::cloud::http {

// Request line, Host (endpoint.host_header unless the request has its own),
// the request's headers, Content-Type and Content-Length when there is a body (or
// the method is not GET), then the body.
std::string FormatRequest(const HttpRequest& request, const Endpoint& endpoint);

struct Answer {
  int status = 0;
  std::string body;
  bool reusable = false;  // the connection may carry another request
};

// The body is over kMaxAnswerBytes: `seen` says how that became known
// ("Content-Length 268435456" or "over 16777216 bytes"). The rest is unread.
struct AnswerTooLarge {
  int status = 0;
  std::string seen;
};

using AnswerOrFailure = std::variant<Answer, ExchangeFailure, AnswerTooLarge>;

// Reads the answer to a `method` request just written to `connection`, by
// `deadline`. Interim (1xx) answers are skipped. A failure before any byte
// arrived has phase kAwaitAnswer, after it kReadAnswer.
AnswerOrFailure ReadAnswer(Connection& connection, std::string_view method, Deadline deadline);

}  // namespace converge::cloud::http
