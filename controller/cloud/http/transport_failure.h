// What the HTTP library reported when an exchange failed, turned into its real
// cause: what happened, where, whether the request may have reached the cloud,
// and what to do.
#pragma once

#include <chrono>
#include <string>
#include <system_error>

#include "cloud/error.h"
#include "cloud/http/transport.h"

namespace converge::cloud::http {

// A failure as cpprestsdk 2.10 (asio, Linux) reports it. Its error_code is not
// to be read on its own: cpprestsdk puts asio's resolver, stream and OpenSSL
// values into the generic category (a DNS "host not found" reads as EPERM, an
// end of stream as ENOENT, an OpenSSL error as an unknown errno), rewrites a
// refused connect to EHOSTUNREACH and any timeout to ETIMEDOUT. Its message
// names the phase that failed ("Error resolving address", "Failed to read
// response body", ...), which is what tells whether the request was written.
struct LibraryFailure {
  std::error_code code;  // http_exception::error_code(); empty for other exceptions
  std::string what;      // the exception's what()
  // Why the server's certificate was rejected (OpenSSL's text, e.g. "self-signed
  // certificate"), when known; cpprestsdk's error only says that it was.
  std::string certificate_problem;
};

// The transport error for `failure` on an exchange with `endpoint` whose waits
// are bounded by `timeout`. Always category kTransport and retryable. Code
// "timeout" when a wait ran out, "transport_error" otherwise. outcome_unknown is
// true only when the request was fully written before the failure (the answer
// timed out, or the connection closed or broke while the answer was awaited or
// read); failures to resolve the host, to connect, in the TLS handshake or while
// writing the request leave it false: the cloud cannot have acted on the request.
// A phase it does not recognise counts as "may have been sent".
Error ClassifyTransportFailure(const LibraryFailure& failure, const Endpoint& endpoint,
                               std::chrono::milliseconds timeout);

// "host:port" of the endpoint, the scheme's default port filled in.
std::string HostPort(const Endpoint& endpoint);

}  // namespace converge::cloud::http
