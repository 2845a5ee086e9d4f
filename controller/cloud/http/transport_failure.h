// A failed HTTP exchange, as the transport saw it (the phase that failed and how),
// turned into its real cause: what happened, where, whether the request may have
// reached the cloud, and what to do.
#pragma once

#include <chrono>
#include <string>

#include "cloud/error.h"
#include "cloud/http/transport.h"

namespace converge::cloud::http {

// The phases of one exchange, in order.
enum class Phase {
  kResolve,      // looking the host up
  kConnect,      // TCP connect
  kTls,          // TLS handshake (https)
  kSend,         // writing the request
  kAwaitAnswer,  // the request was written; no byte of the answer yet
  kReadAnswer,   // part of the answer arrived
};

struct ExchangeFailure {
  Phase phase = Phase::kConnect;
  bool timed_out = false;  // a deadline ran out
  // errno of the call that failed; for kResolve, getaddrinfo's EAI_* value. 0 with
  // no timeout and no tls_error or protocol_error: the peer closed the connection.
  int error = 0;
  std::string tls_error;            // OpenSSL's reason ("wrong version number"), when TLS failed
  std::string certificate_problem;  // why the certificate was rejected ("self-signed certificate")
  std::string protocol_error;       // what in the answer is not HTTP ("invalid status line")
};

// The transport error for `failure` on an exchange with `endpoint`, where
// `timeout` is the bound that ran out (when one did). Always category kTransport
// and retryable. Code "timeout" when a wait ran out, "transport_error" otherwise.
// outcome_unknown is true only in kAwaitAnswer and kReadAnswer (the request was
// fully written); failures to resolve, connect, in the TLS handshake or while
// writing leave it false: the cloud cannot have acted on the request.
Error ClassifyTransportFailure(const ExchangeFailure& failure, const Endpoint& endpoint,
                               std::chrono::milliseconds timeout);

// "host:port" of the endpoint, the scheme's default port filled in.
std::string HostPort(const Endpoint& endpoint);

}  // namespace converge::cloud::http
