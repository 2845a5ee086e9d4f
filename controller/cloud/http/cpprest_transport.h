// The production HttpTransport on cpprestsdk's http_client.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "cloud/http/transport.h"

namespace converge::cloud::http {

struct CpprestOptions {
  std::string endpoint;  // http(s)://host[:port]
  // cpprestsdk has one timeout covering connect, send and the whole answer; the
  // transport uses request_timeout for it. connect_timeout bounds it from below
  // only when request_timeout is zero. Default: 30 s.
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{30000};
  // Extra CA bundle (PEM) trusted in addition to the system store. Certificate
  // verification is always on for https; there is no option to turn it off.
  std::string ca_file;
};

// Builds the transport. Error category kInvalid when the endpoint does not parse
// or ca_file is not a readable file. Thread-safe once built (one http_client,
// shared by every caller).
Result<std::unique_ptr<HttpTransport>> MakeCpprestTransport(const CpprestOptions& options);

}  // namespace converge::cloud::http
