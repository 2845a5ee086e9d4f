// The production HttpTransport: HTTP/1.1 on POSIX sockets, TLS by OpenSSL, with a
// pool of keep-alive connections. A request runs on the calling thread; waits are
// bounded by poll deadlines.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "cloud/http/transport.h"

namespace converge::cloud::http {

struct HttpTransportOptions {
  std::string endpoint;  // http(s)://host[:port]
  // Bound on connecting (all of the host's addresses together). Default: 5 s;
  // 0: only request_timeout bounds it.
  std::chrono::milliseconds connect_timeout{5000};
  // Bound on the whole exchange: connect, TLS handshake, request and answer.
  // Default: 30 s; 0 also means 30 s. (Host-name lookup is getaddrinfo's own.)
  std::chrono::milliseconds request_timeout{30000};
  // Extra CA bundle (PEM) trusted in addition to the system store. Certificate
  // verification is always on for https; there is no option to turn it off.
  std::string ca_file;
  // Idle keep-alive connections kept for reuse. Default: 8; 0 keeps none.
  int max_idle_connections = 8;
  // An idle connection older than this is closed rather than reused. Default: 30 s.
  std::chrono::milliseconds max_idle_age{30000};
};

// Builds the transport. Error category kInvalid when the endpoint does not parse
// or ca_file is not a readable file of certificates. Thread-safe once built:
// concurrent calls each use a connection of their own.
Result<std::unique_ptr<HttpTransport>> MakeHttpTransport(const HttpTransportOptions& options);

}  // namespace converge::cloud::http
